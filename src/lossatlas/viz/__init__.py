"""Seeing landscapes: graph embeddings, 2-D maps, figures and the HTML report.

Plot data (:mod:`~lossatlas.viz._plotdata`, :class:`LandscapeMap`) is computed apart from the
drawing (:mod:`~lossatlas.viz._plots` for matplotlib, :mod:`~lossatlas.viz._interactive` for
plotly), so the same numbers feed both and can be tested without drawing.
"""

from __future__ import annotations

from lossatlas.viz._embed import Projection, hope, hope_embedding, pca_2d, umap_2d
from lossatlas.viz._landscape_map import LandscapeMap, landscape_map
from lossatlas.viz._plotdata import (
    autocorrelation_curve,
    basin_sizes,
    hp_slice,
    interpolated_surface,
    loss_scatter,
    optima_network,
    pair_marginal,
)
from lossatlas.viz._report import write_report

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
