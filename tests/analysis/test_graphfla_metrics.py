"""Every metric lossatlas shares with GraphFLA 0.4.0, against GraphFLA (dev-only oracle).

Random small full grids of mixed HP kinds with many ties, losses on a dyadic lattice (exact
differences), built in GraphFLA on ``-loss`` with ``maximize=True`` (see
:mod:`.graphfla_oracle`); our landscape is marked ``direction="maximize"`` with the same
``-score`` loss, so that the metrics computed on the user's values see the same numbers GraphFLA
does. Each metric runs under the options matching GraphFLA's definition (its basins:
``descent="graphfla", plateau_exit="first"``). Equal to 1e-9, counts exactly.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings

from lossatlas.analysis._profile import profile_one
from lossatlas.landscape import Landscape

from .conftest import ORACLE_SETTINGS, epsilons, landscapes
from .graphfla_oracle import to_graphfla

# our key -> GraphFLA's function (and the column of its dict result)
SHARED = {
    "fitness.skewness": ("fitness_distribution", "skewness"),
    "fitness.kurtosis": ("fitness_distribution", "kurtosis"),
    "fitness.cv": ("fitness_distribution", "cv"),
    "fitness.quartile_coefficient": ("fitness_distribution", "quartile_coefficient"),
    "fitness.median_mean_ratio": ("fitness_distribution", "median_mean_ratio"),
    "fitness.relative_range": ("fitness_distribution", "relative_range"),
    "fitness.cauchy_loc": ("fitness_distribution", "cauchy_loc"),
    "local_optima_ratio": ("local_optima_ratio", None),
    "evolvability_enhancing_fraction": ("evolvability_enhancing_fraction", None),
    "gradient_intensity": ("gradient_intensity", None),
    "r_s_ratio": ("r_s_ratio", None),
    "fdc_spearman": ("fdc", None),
    "basin_fitness_correlation": ("basin_fitness_correlation", None),
    "neighbor_fitness_correlation": ("neighbor_fitness_correlation", None),
    "fitness_flattening_index": ("fitness_flattening_index", None),
    "global_optima_accessibility": ("global_optima_accessibility", None),
    "mean_path_length_to_global_optimum": ("mean_path_length_to_global_optimum", None),
    "mean_distance_to_global_optimum": ("mean_distance_to_global_optimum", None),
    "gamma": ("gamma", None),
    "gamma_star": ("gamma_star", None),
    "global_idiosyncratic_index": ("global_idiosyncratic_index", None),
    "diminishing_returns_index": ("diminishing_returns_index", None),
    "epistasis.magnitude": ("classify_epistasis", "magnitude"),
    "epistasis.sign": ("classify_epistasis", "sign"),
    "epistasis.reciprocal_sign": ("classify_epistasis", "reciprocal_sign"),
    "epistasis.positive": ("classify_epistasis", "positive"),
    "epistasis.negative": ("classify_epistasis", "negative"),
    "bypass.proportion": ("extradimensional_bypass", "bypass_proportion"),
    "bypass.avg_length": ("extradimensional_bypass", "average_bypass_length"),
    "increasing_costs_index": ("increasing_costs_index", None),
}


def graphfla_value(built, function: str, field: str | None, epsilon: float) -> float:
    import graphfla.analysis as fla

    kwargs = {"n_jobs": 1} if function in ("gamma", "gamma_star") else {}
    if function in ("classify_epistasis", "extradimensional_bypass"):
        kwargs = {"sample_cut_prob": 0}  # exact enumeration
    if function == "global_idiosyncratic_index":
        kwargs = {"n_jobs": 1, "seed": 0}  # our profile's seed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if function == "fitness_flattening_index":
            built.dist_to_go  # noqa: B018
        if function == "mean_distance_to_global_optimum":
            built.dist_to_go  # noqa: B018 -- its profile reuses FDC's nearest-optimum distances
        value = getattr(fla, function)(built, **kwargs)
    return float(value[field]) if field else float(value)


def same(ours: float, theirs: float) -> bool:
    if math.isnan(theirs) or math.isnan(ours):
        return math.isnan(theirs) and math.isnan(ours)
    if math.isinf(theirs) or math.isinf(ours):
        return ours == theirs
    return math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-9)


def as_score_landscape(landscape: Landscape) -> Landscape:
    # the same configurations and -score losses, read as a maximised score
    return landscape.with_metadata(direction="maximize")


@settings(ORACLE_SETTINGS, max_examples=25)
@given(landscapes(max_hps=3, partial=False), epsilons)
def test_shared_metrics_equal_graphfla(landscape, epsilon):
    # constant landscapes: we return NaN where GraphFLA returns round-off (conformance suite)
    assume(len(set(landscape.loss().tolist())) > 1)
    ours = profile_one(
        as_score_landscape(landscape),
        epsilon=epsilon,
        metrics=list(SHARED) + ["neutrality"],
        descent="graphfla",
        plateau_exit="first",
    )
    built = to_graphfla(landscape, epsilon=epsilon)
    for key, (function, field) in SHARED.items():
        theirs = graphfla_value(built, function, field, epsilon)
        # GraphFLA correlates distance with the score; our fdc_spearman the loss with distance
        mine = -ours[key] if key == "fdc_spearman" else ours[key]
        if (key.startswith("epistasis.") or key == "bypass.proportion") and math.isnan(mine):
            assert theirs == 0.0, (key, theirs)  # no square: GraphFLA reports 0, we NaN
            continue
        assert same(mine, theirs), (key, mine, theirs)
    import graphfla.analysis as fla

    assert same(ours["neutrality"], fla.neutrality(built, threshold=epsilon))


@pytest.mark.parametrize("epsilon", [0.0, 1 / 16])
def test_cauchy_location_on_a_larger_grid(epsilon):
    # the iterative fit on 256 configurations, not just a handful
    from lossatlas.space import SearchSpace

    space = SearchSpace.from_dict({"a": list(range(16)), "b": list(range(16))})
    rng = np.random.default_rng(3)
    landscape = Landscape.from_array(space, rng.integers(0, 1024, space.size) / 1024)
    built = to_graphfla(landscape, epsilon=epsilon)
    ours = profile_one(as_score_landscape(landscape), metrics=["fitness.cauchy_loc"])
    assert same(ours["fitness.cauchy_loc"], graphfla_value(built, *SHARED["fitness.cauchy_loc"], 0))


def test_evolvability_enhancing_pairs_are_found_as_graphfla_finds_them():
    # random small grids rarely have significant pairs (n = 2, one degree of freedom); on
    # 3^4 grids with few levels and zero-spread neighbourhoods some are: check those too
    import graphfla.analysis as fla

    from lossatlas.space import SearchSpace

    from .bruteforce import GraphFLAOracle

    space = SearchSpace.from_dict({f"x{j}": [0, 1, 2] for j in range(4)})
    found = 0
    for seed in range(12):
        rng = np.random.default_rng(seed)
        landscape = Landscape.from_array(space, rng.integers(0, 3, space.size) / 4)
        ours = profile_one(landscape, metrics=["evolvability_enhancing_fraction"])
        value = ours["evolvability_enhancing_fraction"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = fla.evolvability_enhancing_fraction(to_graphfla(landscape))
        assert same(value, theirs)
        assert same(
            value, GraphFLAOracle.from_landscape(landscape).evolvability_enhancing_fraction()
        )
        found += value > 0
    assert found >= 1
