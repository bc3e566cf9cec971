"""Every landscape metric, registered once, in profile column order.

The keys of the foundation profile come first (Huang & Li 2023, arXiv 2311.14014, as listed in
the reference); then every metric of GraphFLA 0.4.0's ``list_metrics()`` that lossatlas lacked,
under GraphFLA's own keys, its accessible basins and its local optima network (``lon.*``, our
keys: GraphFLA has the network but no scalar keys for it). Three GraphFLA keys differ in
meaning from ours of the same family:
GraphFLA's ``fdc`` is a Spearman correlation (our ``fdc_spearman``; our ``fdc`` is Pearson, as in
Jones & Forrest 1995), its ``autocorrelation`` is the pooled estimate (our
``autocorrelation_pooled``), and its ``basin_fitness_correlation`` is the per-node form, kept
under that key next to our per-optimum ``basin_fitness_corr``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lossatlas.analysis._accessibility import (
    global_accessible_basin_size,
    global_optima_accessibility,
    mean_accessible_basin_size,
    mean_distance_to_global_optimum,
    mean_path_length_to_global_optimum,
)
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
from lossatlas.analysis._modality import basin_statistics, n_local_optima
from lossatlas.analysis._motifs import classify_epistasis, extradimensional_bypass
from lossatlas.analysis._neutrality import ndc, neutrality, plateau_statistics
from lossatlas.analysis._registry import Metric, MetricContext, register
from lossatlas.analysis._ruggedness import gradient_intensity, r_s_ratio
from lossatlas.analysis._smoothness import assortativity, autocorrelation, correlation_length, fdc

__all__: list[str] = []

GRAPH = ("neighbourhood",)
EPS = ("epsilon", "neighbourhood")
BASIN = ("epsilon", "descent", "plateau_exit", "neighbourhood")
WALKS = ("n_walks", "walk_length", "seed", "neighbourhood")
WALK_NOTE = "random walks visit rows by their index: a relabelling draws other walks"


def _cached(ctx: MetricContext, key: Any, compute: Callable[[], Any]) -> Any:
    return ctx.landscape.cached(("profile", key, ctx.loss), compute)


def _basins(ctx: MetricContext) -> dict[str, float]:
    return ctx.landscape.cached(
        ("basin_stats", ctx.loss, ctx.epsilon, ctx.descent, ctx.plateau_exit, ctx.neighbourhood),
        lambda: basin_statistics(
            ctx.landscape, loss=ctx.loss, epsilon=ctx.epsilon, **ctx.basin_rules
        ),
    )


def _plateaus(ctx: MetricContext) -> dict[str, int]:
    return plateau_statistics(ctx.landscape, **ctx.eps_graph)


def _walk(ctx: MetricContext, estimator: str) -> float:
    return autocorrelation(
        ctx.landscape,
        loss=ctx.loss,
        n_walks=ctx.n_walks,
        walk_length=ctx.walk_length,
        seed=ctx.seed,
        estimator=estimator,  # type: ignore[arg-type]
        neighbourhood=ctx.neighbourhood,
    )


def _add(name: str, family: str, reading: str, compute: Callable[[MetricContext], Any], **kw):
    register(Metric(name, family, reading, compute, **kw))


# -- performance ----------------------------------------------------------------------------------
_add("n_configs", "performance", "number of evaluated configurations", lambda c: c.landscape.n)
_add("best_loss", "performance", "lowest loss L*", lambda c: float(c.values.min()))
_add(
    "mean_loss",
    "performance",
    "mean loss",
    # the mean of equal floats need not equal them: a constant landscape gives its value
    lambda c: float(c.values[0]) if (c.values == c.values[0]).all() else float(c.values.mean()),
)
_add(
    "loss_std",
    "performance",
    "standard deviation of the loss",
    lambda c: 0.0 if (c.values == c.values[0]).all() else float(c.values.std()),
)

# -- modality -------------------------------------------------------------------------------------
_add(
    "n_local_optima",
    "modality",
    "local-optimum plateaus (neutral neighbours merged at epsilon)",
    lambda c: n_local_optima(c.landscape, **c.eps_graph),
    parameters=EPS,
)
_add(
    "local_optima_ratio",
    "modality",
    "n_local_optima / n_configs",
    lambda c: n_local_optima(c.landscape, **c.eps_graph) / c.landscape.n,
    parameters=EPS,
)
for _key, _reading in {
    "global_basin_size": "fraction of configurations whose descent reaches the global optimum",
    "mean_basin_size": "mean configurations per basin of attraction",
    "basin_fitness_corr": (
        "Spearman of basin size vs optimum loss (negative: better optima, bigger basins)"
    ),
    "mean_climb_length": "mean best-improvement moves to a local optimum",
}.items():
    _add(
        _key,
        "modality",
        _reading,
        lambda c, k=_key: _basins(c)[k],
        parameters=BASIN,
        group="basin_statistics",
    )

# -- smoothness -----------------------------------------------------------------------------------
_add(
    "fdc",
    "smoothness",
    "fitness-distance correlation (Pearson of loss vs distance to the optimum)",
    lambda c: fdc(c.landscape, **c.graph),
    parameters=GRAPH,
)
_add(
    "fdc_spearman",
    "smoothness",
    "fitness-distance correlation (Spearman; GraphFLA's fdc)",
    lambda c: fdc(c.landscape, method="spearman", **c.graph),
    parameters=GRAPH,
)
_add(
    "assortativity",
    "smoothness",
    "correlation of the loss across neighbour pairs",
    lambda c: assortativity(c.landscape, **c.graph),
    parameters=GRAPH,
)
_add(
    "autocorrelation",
    "smoothness",
    "median lag-1 autocorrelation of the loss along random walks",
    lambda c: _walk(c, "median"),
    parameters=WALKS,
    relabel_invariant=False,
    note=WALK_NOTE,
)
_add(
    "autocorrelation_pooled",
    "smoothness",
    "pooled lag-1 autocorrelation along random walks (GraphFLA's autocorrelation)",
    lambda c: _walk(c, "pooled"),
    parameters=WALKS,
    relabel_invariant=False,
    note=WALK_NOTE,
)
_add(
    "correlation_length",
    "smoothness",
    "-1 / ln|autocorrelation|",
    lambda c: correlation_length(_walk(c, "median")),
    parameters=WALKS,
    relabel_invariant=False,
    note=WALK_NOTE,
)

# -- neutrality -----------------------------------------------------------------------------------
_add(
    "neutrality",
    "neutrality",
    "fraction of neighbour pairs with |dL| <= epsilon",
    lambda c: neutrality(c.landscape, **c.eps_graph),
    parameters=EPS,
)
_add(
    "ndc",
    "neutrality",
    "Spearman of neutral-neighbour share vs distance to the optimum",
    lambda c: ndc(c.landscape, **c.eps_graph),
    parameters=EPS,
)
for _key, _reading in {
    "n_plateaus": "plateaus (components of neutral neighbours)",
    "largest_plateau": "configurations in the largest plateau",
    "global_plateau_size": "configurations in the global optimum's plateau",
}.items():
    _add(
        _key,
        "neutrality",
        _reading,
        lambda c, k=_key: _plateaus(c)[k],
        parameters=EPS,
        group="plateau_statistics",
    )

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
    _add(
        f"fitness.{_key}",
        "fitness",
        _reading,
        lambda c, k=_key: _cached(
            c, "distribution", lambda: fitness_distribution(c.landscape, loss=c.loss)
        )[k],
        group="fitness_distribution",
        note="on the values in the user's units: the score of a maximize landscape",
    )
_add(
    "fitness.cauchy_loc",
    "fitness",
    "location of a maximum-likelihood Cauchy fit of the values",
    lambda c: fitness_cauchy_location(c.landscape, loss=c.loss),
    cost="costly",
    group="fitness_distribution",
)

# -- ruggedness (GraphFLA) ------------------------------------------------------------------------
_add(
    "gradient_intensity",
    "ruggedness",
    "mean |dL| over improving moves / mean value",
    lambda c: gradient_intensity(c.landscape, **c.eps_graph),
    parameters=EPS,
    cost="costly",
)
_add(
    "r_s_ratio",
    "ruggedness",
    "roughness / slope of an additive fit (0: additive; large: rugged)",
    lambda c: r_s_ratio(c.landscape, loss=c.loss),
    relabel_invariant=False,
    note="a categorical HP's first value is the fit's reference: relabelling changes the slope",
    cost="costly",
)

# -- robustness (GraphFLA)
_add(
    "evolvability_enhancing_fraction",
    "robustness",
    "fraction of HP changes after which the neighbourhood is significantly better",
    lambda c: evolvability_enhancing_fraction(c.landscape, **c.graph),
    parameters=GRAPH,
    cost="costly",
)

# -- correlation (GraphFLA) -----------------------------------------------------------------------
_add(
    "neighbor_fitness_correlation",
    "correlation",
    "Pearson of each value with its neighbours' mean value",
    lambda c: neighbor_fitness_correlation(c.landscape, **c.graph),
    parameters=GRAPH,
)
_add(
    "basin_fitness_correlation",
    "correlation",
    "Spearman of basin size vs value over optimum members (GraphFLA's per-node form)",
    lambda c: basin_fitness_correlation(
        c.landscape, loss=c.loss, epsilon=c.epsilon, **c.basin_rules
    ),
    parameters=BASIN,
)
_add(
    "fitness_flattening_index",
    "correlation",
    "trend of improvements along climbs to the optimum (negative: flattening)",
    lambda c: fitness_flattening_index(c.landscape, **c.eps_graph),
    parameters=EPS,
    cost="costly",
)

# -- navigability (GraphFLA) ----------------------------------------------------------------------
_add(
    "global_optima_accessibility",
    "navigability",
    "fraction of configurations with an improving path to the global optimum",
    lambda c: global_optima_accessibility(c.landscape, **c.eps_graph),
    parameters=EPS,
    cost="costly",
)
_add(
    "mean_path_length_to_global_optimum",
    "navigability",
    "mean shortest improving path to the global optimum (over those with one)",
    lambda c: mean_path_length_to_global_optimum(c.landscape, **c.eps_graph),
    parameters=EPS,
    cost="costly",
)
_add(
    "mean_distance_to_global_optimum",
    "navigability",
    "mean grid distance to the nearest global optimum",
    lambda c: mean_distance_to_global_optimum(c.landscape, **c.graph),
    parameters=GRAPH,
)

_add(
    "global_accessible_basin_size",
    "navigability",
    "fraction of configurations with an improving path into the global optimum's plateau",
    lambda c: global_accessible_basin_size(c.landscape, **c.eps_graph),
    parameters=EPS,
    cost="costly",
)
_add(
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
    _add(
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
_add(
    "gamma",
    "epistasis",
    "correlation of an HP change's effect across neighbouring contexts (1: additive)",
    lambda c: gamma_statistics(c.landscape, loss=c.loss)["gamma"],
    cost="costly",
)
_add(
    "gamma_star",
    "epistasis",
    "correlation of the effect's sign across neighbouring contexts (low: sign epistasis)",
    lambda c: gamma_statistics(c.landscape, loss=c.loss)["gamma_star"],
    cost="costly",
)
_add(
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
    _add(
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
    _add(
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
_add(
    "diminishing_returns_index",
    "epistasis",
    "Pearson of improvement vs starting value (negative: diminishing returns)",
    lambda c: diminishing_returns_index(c.landscape, **c.eps_graph),
    parameters=EPS,
    cost="costly",
)
_add(
    "increasing_costs_index",
    "epistasis",
    "Pearson of a worsening's cost vs starting value (positive: increasing costs)",
    lambda c: increasing_costs_index(c.landscape, **c.eps_graph),
    parameters=EPS,
    cost="costly",
)
