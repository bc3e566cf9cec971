"""The conformance suite: every registered metric through the same checks.

For each metric of the registry: invariance to the order of the table's rows and (unless the
registry says why not) to relabelling a categorical HP's values; its exact value on a constant
landscape (NaN where it is undefined, never a round-off number); its hand-computed value on the
3x3 and 2x2x2 grids of :mod:`.test_hand_computed`; agreement with the brute-force oracle
(:mod:`.bruteforce`) on random small landscapes. Each check first asserts that its table of
expectations covers every registered metric, so a new metric cannot skip it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossatlas.analysis._profile import profile, profile_one
from lossatlas.analysis._registry import REGISTRY, list_metrics, metrics_markdown, select_metrics
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape
from lossatlas.space import Hyperparameter, SearchSpace

from .bruteforce import GraphFLAOracle
from .conftest import ORACLE_SETTINGS, epsilons, landscapes
from .test_hand_computed import CUBE_LOSS, GRID_LOSS, U
from .test_neighbourhood import neighbourhoods

ALL = list(REGISTRY)
WALK_METRICS = {"autocorrelation", "autocorrelation_pooled", "correlation_length"}


def same(a: float, b: float, rel: float = 1e-9) -> bool:
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


def mixed_space() -> SearchSpace:
    return SearchSpace(
        [
            Hyperparameter("o", (1, 2, 3, 4), "ordinal"),
            Hyperparameter("c", ("x", "y", "z"), "categorical"),
            Hyperparameter("f", (False, True), "boolean"),
        ]
    )


def mixed_frame(seed: int) -> pd.DataFrame:
    """A 4 x 3 x 2 grid, distinct losses (no ties: row order decides no tie-break)."""
    space = mixed_space()
    rng = np.random.default_rng(seed)
    landscape = Landscape.from_array(space, rng.permutation(space.size) / 64 + 0.25)
    return landscape.to_frame()


def from_frame(frame: pd.DataFrame, space: SearchSpace | None = None) -> Landscape:
    return Landscape.from_frame(frame, space=space) if space else Landscape.from_frame(frame)


# -- registry ------------------------------------------------------------------------------------
def test_registry_lists_every_metric_once_with_its_facts():
    table = list_metrics()
    assert list(table["name"]) == ALL
    assert set(table.columns) >= {"name", "family", "reading", "parameters", "cost"}
    assert table["reading"].str.len().min() >= 9  # "mean loss"
    assert set(table["cost"]) == {"default", "costly", "heavy"}
    table_md = metrics_markdown()
    assert "| `gamma` | epistasis | costly |" in table_md
    assert all(f"| `{name}` |" in table_md for name in ALL)  # the docs' table lists them all
    default = [m.name for m in select_metrics()]
    assert "gamma" not in default and "fitness.skewness" in default
    assert [m.name for m in select_metrics("fitness_distribution")] == [
        n for n in ALL if n.startswith("fitness.")
    ]
    assert {m.family for m in select_metrics(families="epistasis")} == {"epistasis"}
    assert [m.name for m in select_metrics("gamma,fdc")] == ["fdc", "gamma"]
    with pytest.raises(InputError, match="unknown metric 'nope'"):
        select_metrics(["nope"])
    with pytest.raises(InputError, match="unknown metric family"):
        select_metrics(families=["nope"])


def test_profile_columns_follow_the_selection():
    landscape = Landscape.from_array(mixed_space(), np.arange(24) / 32)
    frame = profile(landscape, metrics=["gamma"], families=["navigability"])
    names = [m.name for m in REGISTRY.values() if m.name in frame.columns]
    assert names == [
        "global_optima_accessibility",
        "mean_path_length_to_global_optimum",
        "mean_distance_to_global_optimum",
        "global_accessible_basin_size",
        "mean_accessible_basin_size",
        "gamma",
    ]
    assert "fdc" not in frame.columns
    with pytest.raises(InputError):
        profile(landscape, metrics=["nope"])


# -- invariances ---------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(3))
def test_row_order_invariance(seed):
    frame = mixed_frame(seed)
    space = mixed_space()
    base = profile_one(from_frame(frame, space), metrics="all", epsilon=1 / 32)
    shuffled = frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    other = profile_one(from_frame(shuffled, space), metrics="all", epsilon=1 / 32)
    assert set(base) == set(ALL)
    for name in ALL:
        assert same(base[name], other[name]), name


@pytest.mark.parametrize("seed", range(3))
def test_categorical_relabelling_invariance(seed):
    frame = mixed_frame(seed)
    space = mixed_space()
    base = profile_one(from_frame(frame, space), metrics="all", epsilon=1 / 32)
    relabel = {"x": "z", "y": "x", "z": "y"}
    renamed = frame.assign(c=frame["c"].map(relabel))
    other = profile_one(from_frame(renamed, space), metrics="all", epsilon=1 / 32)
    changed = []
    for metric in REGISTRY.values():
        if metric.relabel_invariant:
            assert same(base[metric.name], other[metric.name]), metric.name
        elif not same(base[metric.name], other[metric.name]):
            changed.append(metric.name)
    # the exceptions are real: the relabelling does move them (so the flag is not a skip)
    assert "r_s_ratio" in changed or seed > 0


# -- constant landscape ----------------------------------------------------------------------------
def constant_expectations(n: int, value: float) -> dict[str, float]:
    nan = math.nan
    return {
        "n_configs": n,
        "best_loss": value,
        "mean_loss": value,
        "loss_std": 0.0,
        "n_local_optima": 1,
        "local_optima_ratio": 1 / n,
        "global_basin_size": 1.0,
        "mean_basin_size": n,
        "basin_fitness_corr": nan,
        "mean_climb_length": 0.0,
        "fdc": nan,
        "fdc_spearman": nan,
        "assortativity": nan,
        "autocorrelation": nan,
        "autocorrelation_pooled": nan,
        "correlation_length": nan,
        "neutrality": 1.0,
        "ndc": nan,
        "n_plateaus": 1,
        "largest_plateau": n,
        "global_plateau_size": n,
        "fitness.skewness": nan,
        "fitness.kurtosis": nan,
        "fitness.cv": 0.0,
        "fitness.quartile_coefficient": 0.0,
        "fitness.median_mean_ratio": 1.0,
        "fitness.relative_range": 0.0,
        "fitness.cauchy_loc": nan,
        "gradient_intensity": nan,
        "r_s_ratio": nan,
        "neighbor_fitness_correlation": nan,
        "basin_fitness_correlation": nan,
        "fitness_flattening_index": nan,
        "global_optima_accessibility": 1 / n,
        "mean_path_length_to_global_optimum": 0.0,
        "mean_distance_to_global_optimum": 0.0,
        "global_accessible_basin_size": 1.0,
        "mean_accessible_basin_size": n,
        "gamma": nan,
        "gamma_star": nan,
        "global_idiosyncratic_index": nan,
        # one optimum: every perturbation falls back into its basin
        "lon.n_edges": 0.0,
        "lon.escape_difficulty": 1.0,
        "lon.improve_rate": 0.0,
        "lon.global_accessibility": 1.0,
        "epistasis.magnitude": nan,
        "epistasis.sign": nan,
        "epistasis.reciprocal_sign": nan,
        "epistasis.positive": nan,
        "epistasis.negative": nan,
        "bypass.proportion": nan,
        "bypass.avg_length": nan,
        # every pair testable (two other neighbours, zero spread, zero shift): none enhancing
        "evolvability_enhancing_fraction": 0.0,
        "diminishing_returns_index": nan,
        "increasing_costs_index": nan,
    }


@pytest.mark.parametrize("value", [0.1, 0.7, 1 / 3])
def test_constant_landscape(value):
    landscape = Landscape.from_array(mixed_space(), np.full(24, value))
    expected = constant_expectations(24, value)
    assert set(expected) == set(ALL)
    got = profile_one(landscape, metrics="all", epsilon=0.0)
    for name in ALL:
        # exactly: a round-off number where the value is undefined or exact would fail here
        if isinstance(expected[name], float) and math.isnan(expected[name]):
            assert math.isnan(got[name]), (name, got[name])
        else:
            assert got[name] == expected[name], (name, got[name])


# -- hand-computed grids (derivations: the comments here and in test_hand_computed) --------------
def grid_landscape() -> Landscape:
    space = SearchSpace([Hyperparameter("a", (1, 2, 3)), Hyperparameter("b", (10, 20, 30))])
    return Landscape.from_array(space, GRID_LOSS)


def cube_landscape() -> Landscape:
    space = SearchSpace(
        [
            Hyperparameter("o", (1, 2), "ordinal"),
            Hyperparameter("c", ("x", "y"), "categorical"),
            Hyperparameter("f", (False, True), "boolean"),
        ]
    )
    return Landscape.from_array(space, CUBE_LOSS)


def walk_values(landscape: Landscape) -> dict[str, float]:
    """Walk metrics from the profile's seeded walks, by the oracle's plain estimator."""
    from lossatlas.analysis._smoothness import random_walks

    from .bruteforce import walk_autocorrelation

    walks = random_walks(landscape, n_walks=1000, walk_length=20, seed=0)
    series = landscape.loss()[walks].tolist()
    rho = walk_autocorrelation(series)
    return {
        "autocorrelation": rho,
        "autocorrelation_pooled": walk_autocorrelation(series, estimator="pooled"),
        "correlation_length": -1 / math.log(abs(rho)),
    }


def cauchy(landscape: Landscape) -> float:
    # an iterative maximum-likelihood fit: no closed form to work out by hand
    from scipy.stats import cauchy as dist

    return float(dist.fit(landscape.loss())[0])


def grid_expectations(landscape: Landscape) -> dict[str, float]:
    nan = math.nan
    # L in u = [1,2,5,2,2,2,4,2,0]: sum 20, sum of squares 62, m2 = 158/81 u^2,
    # sum of cubed deviations 10350/729, of fourth powers 630882/6561; sorted
    # [0,1,2,2,2,2,2,4,5]: median 2, quartiles 2 and 2
    return {
        "n_configs": 9,
        "best_loss": 0.0,
        "mean_loss": 20 / 9 * U,
        "loss_std": math.sqrt(158 / 81) * U,
        "n_local_optima": 2,
        "local_optima_ratio": 2 / 9,
        "global_basin_size": 4 / 9,
        "mean_basin_size": 4.5,
        "basin_fitness_corr": nan,
        "mean_climb_length": 1.0,
        "fdc": 3 / math.sqrt(474),
        "fdc_spearman": 4 / math.sqrt(50 * 57),
        "assortativity": -1 / 53,
        **walk_values(landscape),
        "neutrality": 1 / 3,
        "ndc": 0.0,
        "n_plateaus": 5,
        "largest_plateau": 5,
        "global_plateau_size": 1,
        "fitness.skewness": 1150 / 158**1.5,
        "fitness.kurtosis": 630882 / 224676,
        "fitness.cv": 9 / 20 * math.sqrt(1422 / 648),
        "fitness.quartile_coefficient": 0.0,
        "fitness.median_mean_ratio": 0.9,
        "fitness.relative_range": 2.5,
        "fitness.cauchy_loc": cauchy(landscape),
        # 8 non-neutral edges with |dL| 1,1,3,3,2,2,2,2 (mean 2u) / mean 20/9 u
        "gradient_intensity": 0.9,
        # slopes: a -1/3 u (row means 8/3, 2, 2), b 0 -> s = 1/6 u; SSR = 1368/81 u^2
        "r_s_ratio": 2 * math.sqrt(1368) / 9,
        # neighbour means x3 [6,8,6,7,6,7,6,6,6]: sxy -72, sxx 1422, syy 342 (scaled)
        "neighbor_fitness_correlation": -72 / math.sqrt(1422 * 342),
        # optima r0 (1u, basin 5) and r8 (0, basin 4): two points, sizes and values agree
        "basin_fitness_correlation": 1.0,
        # greedy climbs into r8 (r5 -> r8, r7 -> r8) have 2 configurations: none qualifies
        "fitness_flattening_index": nan,
        # r8 <- r5 <- r2, r8 <- r7 <- r6 (r4 is neutral to both): 5 of 9, depths 0,1,1,2,2
        "global_optima_accessibility": 5 / 9,
        "mean_path_length_to_global_optimum": 6 / 5,
        "mean_distance_to_global_optimum": 2.0,
        # improving paths into r0: r1, r3 and r2 -> r1, r6 -> r3; into r8: r5, r7, r2, r6
        "global_accessible_basin_size": 5 / 9,
        "mean_accessible_basin_size": 5.0,
        # the 2-edit perturbations of each optimum land at most 3 times in any basin: no edge
        "lon.n_edges": 0.0,
        "lon.escape_difficulty": 1.0,
        "lon.improve_rate": 0.0,
        "lon.global_accessibility": 0.5,
        # testable pairs (r1-r4, r4-r7 along a; r3-r4, r4-r5 along b) have n = 2 (1 df) and a
        # spread > 0 at one end: |t| <= 0.71, far from significance -> 0 of 24
        "evolvability_enhancing_fraction": 0.0,
        # effects of a-pairs across b: [-1,0,3], [-3,0,5], [-2,0,2]; of b-pairs across a:
        # [-1,0,2], [-4,0,4], [-3,0,2]: sum of products -46, of (e^2 + e'^2)/2: 102
        "gamma": -46 / 102,
        "gamma_star": -0.5,
        # each of the 4 squares has a neutral side (r1-r4, r4-r5, r3-r4, r4-r7): none counts
        "epistasis.magnitude": nan,
        "epistasis.sign": nan,
        "epistasis.reciprocal_sign": nan,
        "epistasis.positive": nan,
        "epistasis.negative": nan,
        "bypass.proportion": nan,
        "bypass.avg_length": nan,
        # seeded random controls: the oracle's plain loops with the same RandomState stream
        "global_idiosyncratic_index": GraphFLAOracle.from_landscape(
            landscape
        ).global_idiosyncratic_index(),
        # improving edges (worse, gap): (2,1) (2,1) (5,3) (5,3) (4,2) (2,2) (4,2) (2,2)
        "diminishing_returns_index": -2 / math.sqrt(6),
        # better ends 1,1,2,2,2,0,2,0 against the same gaps
        "increasing_costs_index": -2 / math.sqrt(22),
    }


def cube_expectations(landscape: Landscape) -> dict[str, float]:
    nan = math.nan
    # L in u = [3,1,3,2,0,2,3,3]: sum 17, m2 = 71/64 u^2; deviations x8 [7,-9,7,-1,-17,-1,7,7]
    # (cubes -4272, fourth powers 99688); sorted [0,1,2,2,3,3,3,3]: median 2.5, q1 1.75, q3 3
    return {
        "n_configs": 8,
        "best_loss": 0.0,
        "mean_loss": 17 / 8 * U,
        "loss_std": math.sqrt(71 / 64) * U,
        "n_local_optima": 2,
        "local_optima_ratio": 2 / 8,
        "global_basin_size": 0.5,
        "mean_basin_size": 4.0,
        "basin_fitness_corr": nan,
        "mean_climb_length": 1.0,
        "fdc": 2.5 / math.sqrt(6 * 71 / 8),
        "fdc_spearman": 6.5 / math.sqrt(36.5 * 38),
        "assortativity": -35 / 213,
        **walk_values(landscape),
        "neutrality": 3 / 12,
        "ndc": 0.0,
        "n_plateaus": 5,
        "largest_plateau": 4,
        "global_plateau_size": 1,
        "fitness.skewness": -534 / 71**1.5,
        "fitness.kurtosis": 12461 / 5041,
        "fitness.cv": math.sqrt(71 / 56) / (17 / 8),
        "fitness.quartile_coefficient": 0.5,
        "fitness.median_mean_ratio": 20 / 17,
        "fitness.relative_range": 1.2,
        "fitness.cauchy_loc": cauchy(landscape),
        # 9 non-neutral edges, |dL| summing to 15u, / mean 17/8 u
        "gradient_intensity": 40 / 51,
        # balanced 2^3 design: slopes -1/4, 5/4, -1/4 (s = 7/12 u); SSR = 71/8 - 27/8 u^2
        "r_s_ratio": 3 * math.sqrt(11) / 7,
        # neighbour means x3 [4,7,8,7,8,4,6,7]: sxy -280, sxx 568, syy 1144 (scaled)
        "neighbor_fitness_correlation": -280 / math.sqrt(568 * 1144),
        # optima r1 and r4 both have basins of 4: constant sizes
        "basin_fitness_correlation": nan,
        # climbs into r4 (r0, r5, r6) have 2 configurations
        "fitness_flattening_index": nan,
        # r4 <- r0, r5, r6; r5 <- r7: 5 of 8, depths 0,1,1,1,2
        "global_optima_accessibility": 5 / 8,
        "mean_path_length_to_global_optimum": 1.0,
        "mean_distance_to_global_optimum": 1.5,
        # into r4: r0, r5, r6, r7 (5); into r1: r0, r3, r5 and r2, r7 via r3 (6)
        "global_accessible_basin_size": 5 / 8,
        "mean_accessible_basin_size": 5.5,
        # the 2-edit perturbations of each optimum land at most 3 times in any basin: no edge
        "lon.n_edges": 0.0,
        "lon.escape_difficulty": 1.0,
        "lon.improve_rate": 0.0,
        "lon.global_accessibility": 0.5,
        # every pair has n = 2 (1 df) and an end with spread >= 0.25 u^2: |t| < 63.7 -> 0
        "evolvability_enhancing_fraction": 0.0,
        # the 12 squares give products summing to 0 and (e^2 + e'^2)/2 to 31; signs 2 and 9
        "gamma": 0.0,
        "gamma_star": 2 / 9,
        # improving squares: (r1, r5, r7, r3) -- best r1 opposite worst r7: magnitude, and
        # -1 - 3 = -2 - 2 is not positive; (r0, r4, r5, r1) -- two best corners r4, r1:
        # reciprocal sign, 0 - 1 > -3 - 2 positive; r1 has no improving move: no bypass
        "epistasis.magnitude": 0.5,
        "epistasis.sign": 0.0,
        "epistasis.reciprocal_sign": 0.5,
        "epistasis.positive": 0.5,
        "epistasis.negative": 0.5,
        "bypass.proportion": 0.0,
        "bypass.avg_length": nan,
        "global_idiosyncratic_index": GraphFLAOracle.from_landscape(
            landscape
        ).global_idiosyncratic_index(),
        # improving edges: worse ends 3,3,2,2,3,3,2,3,3, better 1,0,1,1,2,2,0,0,2,
        # gaps 2,3,1,1,1,1,2,3,1
        "diminishing_returns_index": -1 / (2 * math.sqrt(3)),
        "increasing_costs_index": 5 / 6,
    }


@pytest.mark.parametrize(
    ("build", "expect"),
    [(grid_landscape, grid_expectations), (cube_landscape, cube_expectations)],
    ids=["3x3", "2x2x2"],
)
def test_hand_computed(build, expect):
    landscape = build()
    expected = expect(landscape)
    assert set(expected) == set(ALL)
    got = profile_one(landscape, metrics="all")
    for name in ALL:
        assert same(got[name], expected[name]), (name, got[name], expected[name])


# -- brute force ---------------------------------------------------------------------------------
def oracle_metrics(landscape, epsilon, descent, nb=None, adjacent=None):
    oracle = GraphFLAOracle.from_landscape(
        landscape, epsilon=epsilon, rule=descent, adjacent=adjacent
    )
    got = profile_one(landscape, metrics="all", epsilon=epsilon, descent=descent, neighbourhood=nb)
    expected = {
        "n_configs": oracle.n,
        "best_loss": min(oracle.loss),
        "mean_loss": math.fsum(oracle.loss) / oracle.n,
        "n_local_optima": oracle.n_local_optima,
        "local_optima_ratio": oracle.local_optima_ratio,
        **oracle.basin_statistics,
        "fdc": oracle.fdc,
        "fdc_spearman": oracle.fdc_spearman,
        "assortativity": oracle.assortativity,
        "neutrality": oracle.neutrality,
        "ndc": oracle.ndc,
        **oracle.plateau_statistics,
        **oracle.metrics,
    }
    values = np.asarray(oracle.loss)
    expected["loss_std"] = float(np.sqrt(np.mean((values - values.mean()) ** 2)))
    # the walk metrics follow the seeded walks (checked on them in test_bruteforce_agreement),
    # the Cauchy fit is scipy's
    elsewhere = WALK_METRICS | {"fitness.cauchy_loc"}
    assert set(expected) | elsewhere == set(ALL)
    for name, value in expected.items():
        assert same(got[name], value, rel=1e-7), (name, got[name], value)


@settings(ORACLE_SETTINGS, max_examples=40)
@given(landscapes(max_hps=3), epsilons, st.sampled_from(["stop", "through", "graphfla"]))
def test_every_metric_agrees_with_the_oracle(landscape, epsilon, descent):
    oracle_metrics(landscape, epsilon, descent)


@settings(ORACLE_SETTINGS, max_examples=30)
@given(landscapes(max_hps=3), epsilons, st.data())
def test_every_metric_follows_a_custom_neighbourhood(landscape, epsilon, data):
    # the oracle gets the neighbourhood as an independent predicate on value codes
    nb, adjacent = data.draw(neighbourhoods(landscape.space))
    oracle_metrics(landscape, epsilon, "stop", nb, adjacent)
