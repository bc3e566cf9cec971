"""Seeing landscapes: graph embeddings, 2-D maps, figures and the HTML report.

Every figure is two steps (as in Optuna): a function computes its plot data as a typed object
(:class:`LandscapeMap`, :class:`Surface`, :class:`HPSlice`, :class:`SimilarityHeatmap` ...),
and a renderer per backend only draws it: ``plot_*`` with matplotlib (headless ``Figure``),
``*_figure`` with plotly. The same numbers feed both and are tested without drawing.
Matplotlib and plotly are the ``viz`` extra, imported only by the renderers.
"""

from __future__ import annotations

from lossatlas.viz._comparison_plots import (
    SimilarityHeatmap,
    plot_similarity_heatmap,
    save_similarity_heatmaps,
    similarity_heatmap,
    similarity_heatmap_figure,
)
from lossatlas.viz._embed import Projection, hope, hope_embedding, pca_2d, umap_2d
from lossatlas.viz._interactive import (
    autocorrelation_figure,
    basin_sizes_figure,
    contour_figure,
    map_figure,
    optima_network_figure,
    surface_3d_figure,
)
from lossatlas.viz._interactive_slices import (
    hp_slice_figure,
    loss_scatter_figure,
    pair_marginal_figure,
)
from lossatlas.viz._landscape_map import LandscapeMap, landscape_map
from lossatlas.viz._plotdata import (
    Autocorrelation,
    BasinSizes,
    OptimaNetwork,
    Surface,
    autocorrelation_curve,
    basin_sizes,
    interpolated_surface,
    optima_network,
)
from lossatlas.viz._plots import (
    plot_autocorrelation,
    plot_basin_sizes,
    plot_hp_slice,
    plot_loss_scatter,
    plot_map,
    plot_optima_network,
    plot_pair_marginal,
    plot_pair_marginals,
    plot_surface,
    plot_surface_3d,
)
from lossatlas.viz._report import write_page, write_report
from lossatlas.viz._slices import (
    HPSlice,
    LossScatter,
    PairMarginal,
    hp_slice,
    loss_scatter,
    pair_marginal,
)
from lossatlas.viz._study_report import write_study_report

__all__ = [
    "Autocorrelation",
    "BasinSizes",
    "HPSlice",
    "LandscapeMap",
    "LossScatter",
    "OptimaNetwork",
    "PairMarginal",
    "Projection",
    "SimilarityHeatmap",
    "Surface",
    "autocorrelation_curve",
    "autocorrelation_figure",
    "basin_sizes",
    "basin_sizes_figure",
    "contour_figure",
    "hope",
    "hope_embedding",
    "hp_slice",
    "hp_slice_figure",
    "interpolated_surface",
    "landscape_map",
    "loss_scatter",
    "loss_scatter_figure",
    "map_figure",
    "optima_network",
    "optima_network_figure",
    "pair_marginal",
    "pair_marginal_figure",
    "pca_2d",
    "plot_autocorrelation",
    "plot_basin_sizes",
    "plot_hp_slice",
    "plot_loss_scatter",
    "plot_map",
    "plot_optima_network",
    "plot_pair_marginal",
    "plot_pair_marginals",
    "plot_similarity_heatmap",
    "plot_surface",
    "plot_surface_3d",
    "save_similarity_heatmaps",
    "similarity_heatmap",
    "similarity_heatmap_figure",
    "surface_3d_figure",
    "umap_2d",
    "write_page",
    "write_report",
    "write_study_report",
]
