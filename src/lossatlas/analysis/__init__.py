"""Landscape analysis: the neighbourhood graph, optima, basins and fitness-landscape metrics."""

from __future__ import annotations

from lossatlas.analysis._accessibility import (
    global_optima_accessibility,
    mean_distance_to_global_optimum,
    mean_path_length_to_global_optimum,
)
from lossatlas.analysis._epistasis import (
    diminishing_returns_index,
    gamma,
    gamma_star,
    increasing_costs_index,
)
from lossatlas.analysis._fitness_correlation import (
    basin_fitness_correlation,
    fitness_flattening_index,
    neighbor_fitness_correlation,
)
from lossatlas.analysis._fitness_distribution import fitness_distribution
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
from lossatlas.analysis._registry import REGISTRY, Metric, metrics_markdown
from lossatlas.analysis._ruggedness import gradient_intensity, r_s_ratio
from lossatlas.analysis._smoothness import (
    assortativity,
    autocorrelation,
    correlation_length,
    fdc,
    random_walks,
)

__all__ = [
    "METRICS",
    "REGISTRY",
    "Metric",
    "Optima",
    "basin_fitness_correlation",
    "diminishing_returns_index",
    "fitness_distribution",
    "fitness_flattening_index",
    "gamma",
    "gamma_star",
    "global_optima_accessibility",
    "gradient_intensity",
    "increasing_costs_index",
    "mean_distance_to_global_optimum",
    "mean_path_length_to_global_optimum",
    "metrics_markdown",
    "neighbor_fitness_correlation",
    "r_s_ratio",
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
