"""GraphFLA's metrics in the registry, under GraphFLA's own keys (after :mod:`._catalogue`).

Every metric of GraphFLA 0.4.0's ``list_metrics()`` that the foundation profile lacked, its
accessible basins and its local optima network (``lon.*``: our keys, GraphFLA has the network
but no scalars for it). Registered after the foundation metrics, in this order.
"""

from __future__ import annotations

from lossatlas.analysis._accessibility import (
    global_accessible_basin_size,
    global_optima_accessibility,
    mean_accessible_basin_size,
    mean_distance_to_global_optimum,
    mean_path_length_to_global_optimum,
)
from lossatlas.analysis._catalogue import BASIN, EPS, GRAPH, add_metric, cached_value
from lossatlas.analysis._epistasis import (
    diminishing_returns_index,
    gamma_statistics,
    global_idiosyncratic_index,
    increasing_costs_index,
)
from lossatlas.analysis._evolvability import evolvability_enhancing_fraction
from lossatlas.analysis._fitness_correlation import (
    basin_fitness_correlation,
    fitness_flattening_index,
    neighbor_fitness_correlation,
)
from lossatlas.analysis._fitness_distribution import (
    DISTRIBUTION_KEYS,
    fitness_cauchy_location,
    fitness_distribution,
)
from lossatlas.analysis._lon import lon_statistics
from lossatlas.analysis._motifs import classify_epistasis, extradimensional_bypass
from lossatlas.analysis._ruggedness import gradient_intensity, r_s_ratio

__all__: list[str] = []


# -- fitness distribution (GraphFLA) --------------------------------------------------------------
for _key, _reading in zip(
    DISTRIBUTION_KEYS,
    (
        "skewness of the values (positive: a long tail of high values)",
        "Pearson kurtosis of the values (normal = 3; high: heavy tails)",
        "coefficient of variation: sample std / |mean|",
        "interquartile range / |median|",
        "median / mean",
        "(max - min) / |median|",
    ),
    strict=True,
):
    add_metric(
        f"fitness.{_key}",
        "fitness",
        _reading,
        lambda c, k=_key: cached_value(
            c, "distribution", lambda: fitness_distribution(c.landscape, loss=c.loss)
        )[k],
        group="fitness_distribution",
        note="on the values in the user's units: the score of a maximize landscape",
    )
add_metric(
    "fitness.cauchy_loc",
    "fitness",
    "location of a maximum-likelihood Cauchy fit of the values",
    lambda c: fitness_cauchy_location(c.landscape, loss=c.loss),
    cost="costly",
    group="fitness_distribution",
)

# -- ruggedness (GraphFLA) ------------------------------------------------------------------------
add_metric(
    "gradient_intensity",
    "ruggedness",
    "mean |dL| over improving moves / mean value",
    lambda c: gradient_intensity(c.landscape, **c.eps_graph),
    parameters=EPS,
    cost="costly",
)
add_metric(
    "r_s_ratio",
    "ruggedness",
    "roughness / slope of an additive fit (0: additive; large: rugged)",
    lambda c: r_s_ratio(c.landscape, loss=c.loss),
    relabel_invariant=False,
    note="a categorical HP's first value is the fit's reference: relabelling changes the slope",
    cost="costly",
)

# -- robustness (GraphFLA)
add_metric(
    "evolvability_enhancing_fraction",
    "robustness",
    "fraction of HP changes after which the neighbourhood is significantly better",
    lambda c: evolvability_enhancing_fraction(c.landscape, **c.graph),
    parameters=GRAPH,
    cost="costly",
)

# -- correlation (GraphFLA) -----------------------------------------------------------------------
add_metric(
    "neighbor_fitness_correlation",
    "correlation",
    "Pearson of each value with its neighbours' mean value",
    lambda c: neighbor_fitness_correlation(c.landscape, **c.graph),
    parameters=GRAPH,
)
add_metric(
    "basin_fitness_correlation",
    "correlation",
    "Spearman of basin size vs value over optimum members (GraphFLA's per-node form)",
    lambda c: basin_fitness_correlation(
        c.landscape, loss=c.loss, epsilon=c.epsilon, **c.basin_rules
    ),
    parameters=BASIN,
)
add_metric(
    "fitness_flattening_index",
    "correlation",
    "trend of improvements along climbs to the optimum (negative: flattening)",
    lambda c: fitness_flattening_index(c.landscape, **c.eps_graph),
    parameters=EPS,
    cost="costly",
)

# -- navigability (GraphFLA) ----------------------------------------------------------------------
add_metric(
    "global_optima_accessibility",
    "navigability",
    "fraction of configurations with an improving path to the global optimum",
    lambda c: global_optima_accessibility(c.landscape, **c.eps_graph),
    parameters=EPS,
    cost="costly",
)
add_metric(
    "mean_path_length_to_global_optimum",
    "navigability",
    "mean shortest improving path to the global optimum (over those with one)",
    lambda c: mean_path_length_to_global_optimum(c.landscape, **c.eps_graph),
    parameters=EPS,
    cost="costly",
)
add_metric(
    "mean_distance_to_global_optimum",
    "navigability",
    "mean grid distance to the nearest global optimum",
    lambda c: mean_distance_to_global_optimum(c.landscape, **c.graph),
    parameters=GRAPH,
)

add_metric(
    "global_accessible_basin_size",
    "navigability",
    "fraction of configurations with an improving path into the global optimum's plateau",
    lambda c: global_accessible_basin_size(c.landscape, **c.eps_graph),
    parameters=EPS,
    cost="costly",
)
add_metric(
    "mean_accessible_basin_size",
    "navigability",
    "mean configurations with an improving path into a local optimum (first-improvement)",
    lambda c: mean_accessible_basin_size(c.landscape, **c.eps_graph),
    parameters=EPS,
    cost="heavy",
)

# -- local optima network (graphfla.lon) ---------------------------------------------------------
for _key, _reading in {
    "n_edges": "escape edges between local optima (2-edit perturbations, > 3 each)",
    "escape_difficulty": "mean share of an optimum's perturbations that fall back into its basin",
    "improve_rate": "mean share of an optimum's escapes that reach a better optimum",
    "global_accessibility": "share of optima with a monotone LON path to the global optimum",
}.items():
    add_metric(
        f"lon.{_key}",
        "lon",
        _reading,
        lambda c, k=_key: lon_statistics(
            c.landscape, loss=c.loss, epsilon=c.epsilon, **c.basin_rules
        )[k],
        parameters=BASIN,
        cost="costly",
        group="lon",
    )

# -- epistasis (GraphFLA) -------------------------------------------------------------------------
add_metric(
    "gamma",
    "epistasis",
    "correlation of an HP change's effect across neighbouring contexts (1: additive)",
    lambda c: gamma_statistics(c.landscape, loss=c.loss)["gamma"],
    cost="costly",
)
add_metric(
    "gamma_star",
    "epistasis",
    "correlation of the effect's sign across neighbouring contexts (low: sign epistasis)",
    lambda c: gamma_statistics(c.landscape, loss=c.loss)["gamma_star"],
    cost="costly",
)
add_metric(
    "global_idiosyncratic_index",
    "epistasis",
    "effect spread of an HP change / spread of random pairs (0: same effect everywhere)",
    lambda c: global_idiosyncratic_index(c.landscape, loss=c.loss, seed=c.seed),
    parameters=("seed",),
    cost="costly",
    relabel_invariant=False,
    note="seeded random controls drawn in value order: a relabelling reorders the draws",
)
for _key, _reading in {
    "magnitude": "share of improving squares with magnitude epistasis only",
    "sign": "share of improving squares with sign epistasis",
    "reciprocal_sign": "share of improving squares with reciprocal sign epistasis",
    "positive": "share of squares where the double change beats the two single ones",
    "negative": "share of squares where it does not",
}.items():
    add_metric(
        f"epistasis.{_key}",
        "epistasis",
        _reading,
        lambda c, k=_key: c.landscape.cached(
            ("profile", "classify", c.loss, c.epsilon, c.neighbourhood),
            lambda: classify_epistasis(c.landscape, **c.eps_graph),
        )[k],
        parameters=EPS,
        cost="costly",
        group="classify_epistasis",
    )
for _key, _reading in {
    "proportion": "share of reciprocal-sign squares bypassed by an improving path elsewhere",
    "avg_length": "mean length of those bypasses",
}.items():
    add_metric(
        f"bypass.{_key}",
        "epistasis",
        _reading,
        lambda c, k=_key: c.landscape.cached(
            ("profile", "bypass", c.loss, c.epsilon, c.neighbourhood),
            lambda: extradimensional_bypass(c.landscape, **c.eps_graph),
        )[k],
        parameters=EPS,
        cost="heavy",
        group="extradimensional_bypass",
    )
add_metric(
    "diminishing_returns_index",
    "epistasis",
    "Pearson of improvement vs starting value (negative: diminishing returns)",
    lambda c: diminishing_returns_index(c.landscape, **c.eps_graph),
    parameters=EPS,
    cost="costly",
)
add_metric(
    "increasing_costs_index",
    "epistasis",
    "Pearson of a worsening's cost vs starting value (positive: increasing costs)",
    lambda c: increasing_costs_index(c.landscape, **c.eps_graph),
    parameters=EPS,
    cost="costly",
)
