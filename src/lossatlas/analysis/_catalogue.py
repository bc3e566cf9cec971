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

from lossatlas.analysis._modality import basin_statistics, n_local_optima
from lossatlas.analysis._neutrality import ndc, neutrality, plateau_statistics
from lossatlas.analysis._registry import Metric, MetricContext, register
from lossatlas.analysis._smoothness import assortativity, autocorrelation, correlation_length, fdc

__all__: list[str] = []

GRAPH = ("neighbourhood",)
EPS = ("epsilon", "neighbourhood")
BASIN = ("epsilon", "descent", "plateau_exit", "neighbourhood")
WALKS = ("n_walks", "walk_length", "seed", "neighbourhood")
WALK_NOTE = "random walks visit rows by their index: a relabelling draws other walks"


def cached_value(ctx: MetricContext, key: Any, compute: Callable[[], Any]) -> Any:
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


def add_metric(name: str, family: str, reading: str, compute: Callable[[MetricContext], Any], **kw):
    register(Metric(name, family, reading, compute, **kw))


# -- performance ----------------------------------------------------------------------------------
add_metric(
    "n_configs", "performance", "number of evaluated configurations", lambda c: c.landscape.n
)
add_metric("best_loss", "performance", "lowest loss L*", lambda c: float(c.values.min()))
add_metric(
    "mean_loss",
    "performance",
    "mean loss",
    # the mean of equal floats need not equal them: a constant landscape gives its value
    lambda c: float(c.values[0]) if (c.values == c.values[0]).all() else float(c.values.mean()),
)
add_metric(
    "loss_std",
    "performance",
    "standard deviation of the loss",
    lambda c: 0.0 if (c.values == c.values[0]).all() else float(c.values.std()),
)

# -- modality -------------------------------------------------------------------------------------
add_metric(
    "n_local_optima",
    "modality",
    "local-optimum plateaus (neutral neighbours merged at epsilon)",
    lambda c: n_local_optima(c.landscape, **c.eps_graph),
    parameters=EPS,
)
add_metric(
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
    add_metric(
        _key,
        "modality",
        _reading,
        lambda c, k=_key: _basins(c)[k],
        parameters=BASIN,
        group="basin_statistics",
    )

# -- smoothness -----------------------------------------------------------------------------------
add_metric(
    "fdc",
    "smoothness",
    "fitness-distance correlation (Pearson of loss vs distance to the optimum)",
    lambda c: fdc(c.landscape, **c.graph),
    parameters=GRAPH,
)
add_metric(
    "fdc_spearman",
    "smoothness",
    "fitness-distance correlation (Spearman; GraphFLA's fdc)",
    lambda c: fdc(c.landscape, method="spearman", **c.graph),
    parameters=GRAPH,
)
add_metric(
    "assortativity",
    "smoothness",
    "correlation of the loss across neighbour pairs",
    lambda c: assortativity(c.landscape, **c.graph),
    parameters=GRAPH,
)
add_metric(
    "autocorrelation",
    "smoothness",
    "median lag-1 autocorrelation of the loss along random walks",
    lambda c: _walk(c, "median"),
    parameters=WALKS,
    relabel_invariant=False,
    note=WALK_NOTE,
)
add_metric(
    "autocorrelation_pooled",
    "smoothness",
    "pooled lag-1 autocorrelation along random walks (GraphFLA's autocorrelation)",
    lambda c: _walk(c, "pooled"),
    parameters=WALKS,
    relabel_invariant=False,
    note=WALK_NOTE,
)
add_metric(
    "correlation_length",
    "smoothness",
    "-1 / ln|autocorrelation|",
    lambda c: correlation_length(_walk(c, "median")),
    parameters=WALKS,
    relabel_invariant=False,
    note=WALK_NOTE,
)

# -- neutrality -----------------------------------------------------------------------------------
add_metric(
    "neutrality",
    "neutrality",
    "fraction of neighbour pairs with |dL| <= epsilon",
    lambda c: neutrality(c.landscape, **c.eps_graph),
    parameters=EPS,
)
add_metric(
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
    add_metric(
        _key,
        "neutrality",
        _reading,
        lambda c, k=_key: _plateaus(c)[k],
        parameters=EPS,
        group="plateau_statistics",
    )
