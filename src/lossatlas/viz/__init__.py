"""Seeing landscapes: graph embeddings, 2-D maps, figures and the HTML report.

Plot data (:mod:`~lossatlas.viz.plotdata`, :class:`LandscapeMap`) is computed apart from the
drawing (:mod:`~lossatlas.viz.plots` for matplotlib, :mod:`~lossatlas.viz.interactive` for
plotly), so the same numbers feed both and can be tested without drawing.
"""

from __future__ import annotations

from lossatlas.viz.embed import Projection, hope, hope_embedding, pca_2d, umap_2d
from lossatlas.viz.landscape_map import LandscapeMap, landscape_map
from lossatlas.viz.plotdata import (
    autocorrelation_curve,
    basin_sizes,
    hp_slice,
    interpolated_surface,
    loss_scatter,
    optima_network,
    pair_marginal,
)
from lossatlas.viz.report import write_report

__all__ = [
    "LandscapeMap",
    "Projection",
    "autocorrelation_curve",
    "basin_sizes",
    "hope",
    "hope_embedding",
    "hp_slice",
    "interpolated_surface",
    "landscape_map",
    "loss_scatter",
    "optima_network",
    "pair_marginal",
    "pca_2d",
    "umap_2d",
    "write_report",
]
