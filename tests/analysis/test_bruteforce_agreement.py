"""The fast analysis code against the brute-force oracle on random small landscapes.

The oracle (:mod:`.bruteforce`) implements ``notes/metrics_spec.md`` with plain loops; every
discrete result (plateaus, optima, basins, climb lengths, distances) must agree exactly and every
correlation to rounding. Landscapes are full or partial, with ordinal, categorical and boolean
hyperparameters and many tied losses (see :mod:`.conftest`).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossatlas.analysis._graph import (
    adjacency_matrix,
    degrees,
    distances_to,
    edge_list,
    neighbour_moves,
)
from lossatlas.analysis._modality import basin_statistics, local_optima_ratio, n_local_optima
from lossatlas.analysis._neutrality import ndc, neutrality, plateau_statistics
from lossatlas.analysis._optima import (
    distances_to_global,
    global_optimum,
    local_optima,
    plateaus,
    strict_local_optima,
)
from lossatlas.analysis._profile import profile, profile_one
from lossatlas.analysis._smoothness import (
    assortativity,
    autocorrelation,
    fdc,
    random_walks,
    walk_autocorrelation,
)

from . import bruteforce
from .bruteforce import Oracle
from .conftest import ORACLE_SETTINGS, epsilons, landscapes


def same(a: float, b: float) -> bool:
    """Equal up to rounding, NaN equal to NaN."""
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def partition(labels: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for row, label in enumerate(np.asarray(labels).tolist()):
        groups.setdefault(label, set()).add(row)
    return {frozenset(g) for g in groups.values()}


# -- the graph -------------------------------------------------------------------------------------
@ORACLE_SETTINGS
@given(landscapes())
def test_neighbours(landscape):
    oracle = Oracle.from_landscape(landscape)
    matrix = adjacency_matrix(landscape).tocsr()
    assert matrix.shape == (landscape.n, landscape.n)
    dense = matrix.toarray()
    assert set(np.unique(dense).tolist()) <= {0, 1}
    assert [np.flatnonzero(row).tolist() for row in dense] == oracle.nbrs
    assert degrees(landscape).tolist() == [len(js) for js in oracle.nbrs]
    u, v = edge_list(landscape)
    pairs = {(min(a, b), max(a, b)) for a, b in zip(u.tolist(), v.tolist(), strict=True)}
    assert len(pairs) == len(u) == len(oracle.edges)  # each unordered pair once
    assert pairs == set(oracle.edges)


@ORACLE_SETTINGS
@given(landscapes())
def test_neighbour_moves_name_the_changed_hyperparameter(landscape):
    oracle = Oracle.from_landscape(landscape)
    found: list[set[int]] = [set() for _ in range(landscape.n)]
    for j, targets in neighbour_moves(landscape):
        targets = np.asarray(targets)
        assert targets.shape == (landscape.n,)
        for row, target in enumerate(targets.tolist()):
            if target < 0:
                continue
            a, b = oracle.codes[row], oracle.codes[target]
            assert [k for k in range(len(a)) if a[k] != b[k]] == [j]
            assert target not in found[row]
            found[row].add(target)
    assert [sorted(f) for f in found] == oracle.nbrs


# -- plateaus and optima -------------------------------------------------------------------------
@ORACLE_SETTINGS
@given(landscapes(), epsilons)
def test_plateaus(landscape, epsilon):
    oracle = Oracle.from_landscape(landscape, epsilon=epsilon)
    labels = plateaus(landscape, epsilon=epsilon)
    assert labels.shape == (landscape.n,)
    assert partition(labels) == set(oracle.plateaus)


@ORACLE_SETTINGS
@given(landscapes(), epsilons)
def test_local_optima(landscape, epsilon):
    oracle = Oracle.from_landscape(landscape, epsilon=epsilon)
    optima = local_optima(landscape, epsilon=epsilon)
    assert n_local_optima(landscape, epsilon=epsilon) == oracle.n_local_optima
    assert same(local_optima_ratio(landscape, epsilon=epsilon), oracle.local_optima_ratio)
    assert partition(optima.plateau) == set(oracle.plateaus)
    rows = np.asarray(optima.optima_rows).tolist()
    assert len(rows) == len(set(rows)) == oracle.n_local_optima
    assert set(rows) == oracle.optima_rows  # best member, ties to the lowest row
    members = [
        frozenset(np.flatnonzero(np.asarray(optima.plateau) == label).tolist())
        for label in np.asarray(optima.optimum_plateaus).tolist()
    ]
    assert set(members) == set(oracle.optimum_plateaus)
    # the k-th optimum plateau is the one holding the k-th representative
    assert [r in m for r, m in zip(rows, members, strict=True)] == [True] * len(rows)
    assert np.asarray(optima.optima_loss).tolist() == [oracle.loss[r] for r in rows]
    assert sorted(np.asarray(optima.global_rows).tolist()) == oracle.global_rows


@settings(ORACLE_SETTINGS, max_examples=30)
@given(landscapes())
def test_epsilon_beyond_the_loss_range(landscape):
    # every edge is neutral: plateaus are the connected components, each one an optimum
    oracle = Oracle.from_landscape(landscape, epsilon=2.0)
    optima = local_optima(landscape, epsilon=2.0)
    assert partition(optima.plateau) == set(oracle.plateaus) == set(oracle.optimum_plateaus)
    assert set(np.asarray(optima.optima_rows).tolist()) == oracle.optima_rows
    reps = np.asarray(optima.optima_rows)
    assert reps[np.asarray(optima.basin)].tolist() == oracle.basin
    assert np.asarray(optima.climb_length).tolist() == oracle.climb_length
    assert same(neutrality(landscape, epsilon=2.0), oracle.neutrality)


@pytest.mark.parametrize("descent", ["stop", "through", "graphfla"])
@pytest.mark.parametrize("plateau_exit", ["lowest", "first"])
@settings(ORACLE_SETTINGS, max_examples=40)
@given(landscapes(), epsilons)
def test_basins_under_every_rule(descent, plateau_exit, landscape, epsilon):
    oracle = Oracle.from_landscape(
        landscape, epsilon=epsilon, rule=descent, plateau_exit=plateau_exit
    )
    optima = local_optima(landscape, epsilon=epsilon, descent=descent, plateau_exit=plateau_exit)
    reps = np.asarray(optima.optima_rows)
    assert reps[np.asarray(optima.basin)].tolist() == oracle.basin
    assert np.asarray(optima.climb_length).tolist() == oracle.climb_length
    fast = basin_statistics(landscape, epsilon=epsilon, descent=descent, plateau_exit=plateau_exit)
    for key, value in oracle.basin_statistics.items():
        assert same(fast[key], value), key


@ORACLE_SETTINGS
@given(landscapes(), st.booleans())
def test_strict_local_optima(landscape, strict):
    oracle = Oracle.from_landscape(landscape)
    rows = strict_local_optima(landscape, strict=strict)
    assert sorted(np.asarray(rows).tolist()) == oracle.strict_local_optima(strict=strict)


@ORACLE_SETTINGS
@given(landscapes(), epsilons)
def test_basins(landscape, epsilon):
    oracle = Oracle.from_landscape(landscape, epsilon=epsilon)
    optima = local_optima(landscape, epsilon=epsilon)
    reps = np.asarray(optima.optima_rows)
    basin = np.asarray(optima.basin)
    assert basin.shape == (landscape.n,)
    assert reps[basin].tolist() == oracle.basin
    assert np.asarray(optima.climb_length).tolist() == oracle.climb_length
    sizes = dict(zip(reps.tolist(), np.asarray(optima.basin_size).tolist(), strict=True))
    assert sizes == oracle.basin_size


@ORACLE_SETTINGS
@given(landscapes(), st.data())
def test_global_rows_and_distances(landscape, data):
    oracle = Oracle.from_landscape(landscape)
    assert sorted(np.asarray(global_optimum(landscape)).tolist()) == oracle.global_rows
    assert np.asarray(distances_to_global(landscape)).tolist() == oracle.distances
    targets = data.draw(
        st.lists(st.integers(0, landscape.n - 1), min_size=1, max_size=4, unique=True)
    )
    expected = [
        min(bruteforce.grid_distance(landscape.space, c, oracle.codes[t]) for t in targets)
        for c in oracle.codes
    ]
    assert np.asarray(distances_to(landscape, np.array(targets))).tolist() == expected


# -- correlations and shares -----------------------------------------------------------------------
@ORACLE_SETTINGS
@given(landscapes())
def test_fdc(landscape):
    oracle = Oracle.from_landscape(landscape)
    assert same(fdc(landscape), oracle.fdc)
    assert same(fdc(landscape, method="pearson"), oracle.fdc)
    assert same(fdc(landscape, method="spearman"), oracle.fdc_spearman)


@ORACLE_SETTINGS
@given(landscapes())
def test_assortativity(landscape):
    oracle = Oracle.from_landscape(landscape)
    assert same(assortativity(landscape), oracle.assortativity)


@ORACLE_SETTINGS
@given(landscapes(), epsilons)
def test_neutrality_and_ndc(landscape, epsilon):
    oracle = Oracle.from_landscape(landscape, epsilon=epsilon)
    assert same(neutrality(landscape, epsilon=epsilon), oracle.neutrality)
    assert same(ndc(landscape, epsilon=epsilon), oracle.ndc)


@ORACLE_SETTINGS
@given(landscapes(), epsilons)
def test_plateau_and_basin_statistics(landscape, epsilon):
    oracle = Oracle.from_landscape(landscape, epsilon=epsilon)
    assert plateau_statistics(landscape, epsilon=epsilon) == oracle.plateau_statistics
    fast = basin_statistics(landscape, epsilon=epsilon)
    expected = oracle.basin_statistics
    assert set(expected) <= set(fast)
    for key, value in expected.items():
        assert same(fast[key], value), key


@settings(ORACLE_SETTINGS, max_examples=30)
@given(landscapes(), epsilons)
def test_other_loss_column(landscape, epsilon):
    oracle = Oracle.from_landscape(landscape, loss="train", epsilon=epsilon)
    assert n_local_optima(landscape, loss="train", epsilon=epsilon) == oracle.n_local_optima
    assert partition(plateaus(landscape, loss="train", epsilon=epsilon)) == set(oracle.plateaus)
    assert same(fdc(landscape, loss="train"), oracle.fdc)
    assert same(neutrality(landscape, loss="train", epsilon=epsilon), oracle.neutrality)
    assert same(assortativity(landscape, loss="train"), oracle.assortativity)


@settings(ORACLE_SETTINGS, max_examples=30)
@given(landscapes(), epsilons)
def test_profile_agrees(landscape, epsilon):
    oracle = Oracle.from_landscape(landscape, epsilon=epsilon)
    row = profile_one(landscape, epsilon=epsilon, n_walks=20, walk_length=5, seed=3)
    expected = {
        "n_configs": landscape.n,
        "best_loss": min(oracle.loss),
        "mean_loss": math.fsum(oracle.loss) / landscape.n,
        "n_local_optima": oracle.n_local_optima,
        "local_optima_ratio": oracle.local_optima_ratio,
        "fdc": oracle.fdc,
        "fdc_spearman": oracle.fdc_spearman,
        "assortativity": oracle.assortativity,
        "neutrality": oracle.neutrality,
        "ndc": oracle.ndc,
        **oracle.plateau_statistics,
        **oracle.basin_statistics,
    }
    for key, value in expected.items():
        assert same(row[key], value), key
    rho = autocorrelation(landscape, n_walks=20, walk_length=5, seed=3)
    assert same(row["autocorrelation"], rho)
    pooled = autocorrelation(landscape, n_walks=20, walk_length=5, seed=3, estimator="pooled")
    assert same(row["autocorrelation_pooled"], pooled)
    if not math.isnan(rho) and 0 < abs(rho) < 1:
        assert same(row["correlation_length"], -1 / math.log(abs(rho)))


REFERENCE_KEYS = (
    "n_configs best_loss mean_loss loss_std n_local_optima local_optima_ratio global_basin_size "
    "mean_basin_size basin_fitness_corr mean_climb_length fdc fdc_spearman assortativity "
    "autocorrelation autocorrelation_pooled correlation_length neutrality ndc n_plateaus "
    "largest_plateau global_plateau_size"
).split()


@settings(ORACLE_SETTINGS, max_examples=15)
@given(st.lists(landscapes(max_hps=3), min_size=1, max_size=3), epsilons)
def test_profile_of_many_is_one_row_each(many, epsilon):
    options = {"epsilon": epsilon, "n_walks": 10, "walk_length": 4, "seed": 1}
    table = profile(many, loss="train", **options)
    assert len(table) == len(many)
    assert set(REFERENCE_KEYS) <= set(table.columns)
    for (_, row), landscape in zip(table.iterrows(), many, strict=True):
        one = profile_one(landscape, loss="train", **options)
        for key in REFERENCE_KEYS:
            assert same(row[key], one[key]), key
        oracle = Oracle.from_landscape(landscape, loss="train", epsilon=epsilon)
        assert row["n_local_optima"] == oracle.n_local_optima
        assert row["loss"] == "train"
        for key, value in options.items():
            assert row[key] == value, key


# -- walks -----------------------------------------------------------------------------------------
walk_series = st.integers(1, 6).flatmap(
    lambda n: st.integers(2, 8).flatmap(
        lambda t: st.lists(
            st.lists(st.integers(0, 3), min_size=t, max_size=t), min_size=n, max_size=n
        )
    )
)


@ORACLE_SETTINGS
@given(walk_series, st.sampled_from(["median", "pooled"]))
def test_walk_autocorrelation_estimator(series, estimator):
    walks = np.asarray(series, dtype=np.float64) / 4
    expected = bruteforce.walk_autocorrelation(walks.tolist(), estimator=estimator)
    assert same(walk_autocorrelation(walks, estimator=estimator), expected)


@settings(ORACLE_SETTINGS, max_examples=30)
@given(landscapes(), st.integers(0, 2**16), st.integers(1, 6))
def test_random_walks_follow_edges(landscape, seed, length):
    oracle = Oracle.from_landscape(landscape)
    walks = random_walks(landscape, n_walks=7, walk_length=length, seed=seed)
    assert walks.shape == (7, length + 1)
    for walk in np.asarray(walks).tolist():
        for a, b in zip(walk, walk[1:], strict=False):
            assert b in oracle.nbrs[a] if oracle.nbrs[a] else b == a
    again = random_walks(landscape, n_walks=7, walk_length=length, seed=seed)
    assert np.array_equal(walks, again)
    loss = landscape.loss("test")
    for estimator in ("median", "pooled"):
        rho = autocorrelation(
            landscape, n_walks=7, walk_length=length, seed=seed, estimator=estimator
        )
        expected = bruteforce.walk_autocorrelation(loss[walks].tolist(), estimator=estimator)
        assert same(rho, expected)


@pytest.fixture(scope="module")
def linear_path():
    from lossatlas.landscape import Landscape
    from lossatlas.space import Hyperparameter, SearchSpace

    space = SearchSpace([Hyperparameter("x", tuple(range(400)))])
    return Landscape.from_array(space, np.arange(400, dtype=np.float64))


def test_linear_path_is_strongly_autocorrelated(linear_path):
    # on L = code a walk's series is itself a random walk: lag-1 autocorrelation near 1
    rho = autocorrelation(linear_path, n_walks=300, walk_length=100, seed=1)
    pooled = autocorrelation(linear_path, n_walks=300, walk_length=100, seed=1, estimator="pooled")
    assert 0.85 < rho <= 1.0
    assert 0.85 < pooled <= 1.0


def test_iid_losses_are_not_autocorrelated():
    from lossatlas.landscape import Landscape
    from lossatlas.space import SearchSpace

    space = SearchSpace.from_dict({f"h{j}": list(range(8)) for j in range(4)})
    rng = np.random.default_rng(7)
    landscape = Landscape.from_array(space, rng.random(space.size))
    rho = autocorrelation(landscape, n_walks=500, walk_length=30, seed=2)
    pooled = autocorrelation(landscape, n_walks=500, walk_length=30, seed=2, estimator="pooled")
    assert abs(rho) < 0.15  # the per-walk estimate is biased by about -1/T
    assert abs(pooled) < 0.1


def test_walks_are_reproducible_and_depend_on_the_seed(linear_path):
    a = random_walks(linear_path, n_walks=50, walk_length=10, seed=5)
    b = random_walks(linear_path, n_walks=50, walk_length=10, seed=5)
    c = random_walks(linear_path, n_walks=50, walk_length=10, seed=6)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert autocorrelation(linear_path, n_walks=50, walk_length=10, seed=5) == autocorrelation(
        linear_path, n_walks=50, walk_length=10, seed=5
    )
