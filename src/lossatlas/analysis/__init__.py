"""Landscape analysis: the neighbourhood graph, optima, basins and fitness-landscape metrics."""

from __future__ import annotations

from lossatlas.analysis._graph import adjacency_matrix, neighbour_graph
from lossatlas.analysis._modality import basin_statistics, local_optima_ratio, n_local_optima
from lossatlas.analysis._neutrality import ndc, neutrality, plateau_statistics
from lossatlas.analysis._optima import (
    Optima,
    distances_to_global,
    global_optimum,
    local_optima,
    plateaus,
    strict_local_optima,
)
from lossatlas.analysis._profile import METRICS, list_metrics, profile
from lossatlas.analysis._smoothness import (
    assortativity,
    autocorrelation,
    correlation_length,
    fdc,
    random_walks,
)

__all__ = [
    "METRICS",
    "Optima",
    "adjacency_matrix",
    "assortativity",
    "autocorrelation",
    "basin_statistics",
    "correlation_length",
    "distances_to_global",
    "fdc",
    "global_optimum",
    "list_metrics",
    "local_optima",
    "local_optima_ratio",
    "n_local_optima",
    "ndc",
    "neighbour_graph",
    "neutrality",
    "plateau_statistics",
    "plateaus",
    "profile",
    "random_walks",
    "strict_local_optima",
]
