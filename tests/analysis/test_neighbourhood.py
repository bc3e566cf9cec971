"""Pluggable neighbourhoods: every metric against the brute-force oracle given the same moves.

The oracle receives the neighbourhood as an independent predicate ``adjacent(j, a, b)`` and
finds distances by breadth-first search on the full grid, so neither the move tables nor the
per-HP distance tables of :mod:`lossatlas.analysis._neighbourhood` are trusted.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossatlas.analysis import (
    Neighbourhood,
    adjacency_matrix,
    assortativity,
    autocorrelation,
    basin_statistics,
    custom,
    degrees,
    distances_to,
    distances_to_global,
    fdc,
    local_optima,
    n_local_optima,
    ndc,
    neighbour_graph,
    neutrality,
    one_edit,
    ordinal_radius,
    plateau_statistics,
    plateaus,
    profile,
    random_walks,
    strict_local_optima,
)
from lossatlas.analysis._graph import _build_general, _build_graph
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape
from lossatlas.space import Hyperparameter, SearchSpace

from . import bruteforce
from .bruteforce import Oracle
from .conftest import ORACLE_SETTINGS, epsilons, landscapes


def same(a: float, b: float) -> bool:
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def partition(labels: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for row, label in enumerate(np.asarray(labels).tolist()):
        groups.setdefault(label, set()).add(row)
    return {frozenset(g) for g in groups.values()}


@st.composite
def neighbourhoods(draw: st.DrawFn, space: SearchSpace):
    """A non-default neighbourhood and the oracle's independent predicate for it."""
    ordinal = [hp.kind == "ordinal" for hp in space.hyperparameters]
    kind = draw(st.sampled_from(["radius", "categorical", "custom"]))
    if kind in ("radius", "categorical"):
        radius = draw(st.integers(2, 3)) if kind == "radius" else 1
        names = [hp.name for hp in space.hyperparameters if hp.kind == "ordinal"]
        chosen = set(draw(st.lists(st.sampled_from(names), unique=True))) if names else set()
        if radius == 1 and not chosen:
            radius = 2
        hps = space.hyperparameters

        def adjacent(j: int, a: int, b: int) -> bool:
            if ordinal[j] and hps[j].name not in chosen:
                return 0 < abs(a - b) <= radius
            return a != b

        return ordinal_radius(radius, categorical=chosen), adjacent
    j = draw(st.integers(0, len(space) - 1))
    k = space.hyperparameters[j].size
    order = draw(st.permutations(range(k)))
    matrix = np.zeros((k, k), dtype=bool)
    for a, b in zip(order[:-1], order[1:], strict=True):  # a spanning path keeps it connected
        matrix[a, b] = matrix[b, a] = True
    for a in range(k):
        for b in range(a + 1, k):
            if draw(st.booleans()):
                matrix[a, b] = matrix[b, a] = True
    default = bruteforce.one_edit_adjacent(space)

    def adjacent(jj: int, a: int, b: int) -> bool:
        return bool(matrix[a, b]) if jj == j else default(jj, a, b)

    return custom({space.hyperparameters[j].name: matrix}), adjacent


@settings(ORACLE_SETTINGS, max_examples=60)
@given(landscapes(max_hps=3), epsilons, st.data())
def test_every_metric_follows_a_custom_neighbourhood(landscape, epsilon, data):
    nb, adjacent = data.draw(neighbourhoods(landscape.space))
    oracle = Oracle.from_landscape(landscape, epsilon=epsilon, adjacent=adjacent)
    opts = {"epsilon": epsilon, "neighbourhood": nb}

    dense = adjacency_matrix(landscape, neighbourhood=nb).toarray()
    assert [np.flatnonzero(row).tolist() for row in dense] == oracle.nbrs
    assert degrees(landscape, neighbourhood=nb).tolist() == [len(js) for js in oracle.nbrs]

    assert partition(plateaus(landscape, **opts)) == set(oracle.plateaus)
    optima = local_optima(landscape, **opts)
    assert n_local_optima(landscape, **opts) == oracle.n_local_optima
    assert set(np.asarray(optima.optima_rows).tolist()) == oracle.optima_rows
    reps = np.asarray(optima.optima_rows)
    assert reps[np.asarray(optima.basin)].tolist() == oracle.basin
    assert np.asarray(optima.climb_length).tolist() == oracle.climb_length
    assert sorted(strict_local_optima(landscape, neighbourhood=nb).tolist()) == (
        oracle.strict_local_optima()
    )

    assert distances_to_global(landscape, neighbourhood=nb).tolist() == oracle.distances
    assert same(fdc(landscape, neighbourhood=nb), oracle.fdc)
    assert same(fdc(landscape, method="spearman", neighbourhood=nb), oracle.fdc_spearman)
    assert same(assortativity(landscape, neighbourhood=nb), oracle.assortativity)
    assert same(neutrality(landscape, **opts), oracle.neutrality)
    assert same(ndc(landscape, **opts), oracle.ndc)
    assert plateau_statistics(landscape, **opts) == oracle.plateau_statistics
    fast = basin_statistics(landscape, **opts)
    for key, value in oracle.basin_statistics.items():
        assert same(fast[key], value), key

    walks = random_walks(landscape, n_walks=30, walk_length=6, seed=3, neighbourhood=nb)
    for walk in walks.tolist():
        for u, v in zip(walk[:-1], walk[1:], strict=True):
            assert v in oracle.nbrs[u] or (u == v and not oracle.nbrs[u])


@settings(ORACLE_SETTINGS, max_examples=40)
@given(landscapes(max_hps=3, partial=False), st.data())
def test_distance_transform_matches_breadth_first_search(landscape, data):
    # many targets on a full grid take the separable distance-transform path
    nb, adjacent = data.draw(neighbourhoods(landscape.space))
    targets = data.draw(
        st.lists(st.integers(0, landscape.n - 1), min_size=1, max_size=24, unique=True)
    )
    graph = bruteforce.full_grid_graph(landscape.space, adjacent)
    lengths = nx.multi_source_dijkstra_path_length(graph, targets)
    fast = distances_to(landscape, np.array(targets), neighbourhood=nb)
    assert fast.tolist() == [int(lengths[f]) for f in range(landscape.n)]


@settings(ORACLE_SETTINGS, max_examples=40)
@given(landscapes())
def test_general_path_reproduces_the_fast_default_table(landscape):
    fast = _build_graph(landscape)
    general = _build_general(landscape, one_edit())
    assert np.array_equal(fast.targets, general.targets)  # same moves in the same order
    assert np.array_equal(fast.move_hp, general.move_hp)


def test_default_neighbourhood_gives_todays_profile():
    rng = np.random.default_rng(5)
    space = SearchSpace(
        [
            Hyperparameter("a", (1, 2, 3, 4), "ordinal"),
            Hyperparameter("b", ("x", "y", "z"), "categorical"),
            Hyperparameter("c", (0.1, 0.2, 0.3), "ordinal"),
        ]
    )
    landscape = Landscape.from_array(space, rng.random(space.size))
    options = {"epsilon": 0.05, "n_walks": 50, "walk_length": 5}
    today = profile(landscape, **options)
    for nb in (None, one_edit(), ordinal_radius(1), "one_edit"):
        again = profile(Landscape.from_array(space, landscape.loss("test")), **options,
                        neighbourhood=nb)  # fmt: skip
        assert again.equals(today)
    assert today["neighbourhood"].iloc[0] == "one_edit"
    assert ordinal_radius(1) is one_edit() and one_edit().is_default


def test_ordinal_radius_by_hand():
    # one ordinal HP with 5 values, loss 0 3 1 3 2: 1-edit optima at codes 0, 2, 4
    space = SearchSpace([Hyperparameter("h", (0, 1, 2, 3, 4), "ordinal")])
    landscape = Landscape.from_array(space, [0.0, 3.0, 1.0, 3.0, 2.0])
    assert n_local_optima(landscape) == 3
    wide = ordinal_radius(2)
    # with steps of two, code 2 sees code 0 and code 4 sees code 2: only the global one is left
    assert n_local_optima(landscape, neighbourhood=wide) == 1
    assert distances_to_global(landscape).tolist() == [0, 1, 2, 3, 4]
    assert distances_to_global(landscape, neighbourhood=wide).tolist() == [0, 1, 1, 2, 2]
    flat = ordinal_radius(1, categorical=["h"])
    assert distances_to_global(landscape, neighbourhood=flat).tolist() == [0, 1, 1, 1, 1]
    assert degrees(landscape, neighbourhood=flat).tolist() == [4] * 5
    # the profile records the neighbourhood and uses it
    row = profile(landscape, neighbourhood=wide, n_walks=10, walk_length=3).iloc[0]
    assert row["neighbourhood"] == "ordinal_radius(2)" and row["n_local_optima"] == 1
    # caches are per neighbourhood: the default is unchanged after the wide one
    assert n_local_optima(landscape) == 3
    assert neighbour_graph(landscape).n_moves == 2
    assert neighbour_graph(landscape, neighbourhood=wide).n_moves == 4


def test_custom_neighbourhood_by_hand():
    # a categorical HP whose values form a path x - y - z instead of a triangle
    space = SearchSpace([Hyperparameter("c", ("x", "y", "z"), "categorical")])
    landscape = Landscape.from_array(space, [0.0, 2.0, 1.0])
    path = custom({"c": [[0, 1, 0], [1, 0, 1], [0, 1, 0]]}, name="path")
    assert n_local_optima(landscape) == 1
    assert n_local_optima(landscape, neighbourhood=path) == 2  # z no longer sees x
    assert distances_to_global(landscape, neighbourhood=path).tolist() == [0, 1, 2]
    walks = random_walks(landscape, n_walks=200, walk_length=4, seed=1, neighbourhood=path)
    assert set(np.abs(np.diff(walks, axis=1)).ravel().tolist()) == {1}  # never x <-> z
    # loss along the path 0, 2, 1 alternates around y: a perfectly anti-correlated walk
    rho = autocorrelation(landscape, n_walks=200, walk_length=4, seed=1, neighbourhood=path)
    assert rho < 0


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: custom({"c": [[0, 1], [1, 0]]}), "is 2 x 2, but it has 3 values"),
        (lambda: custom({"c": [[0, 1, 0], [0, 0, 1], [0, 1, 0]]}), "must be symmetric"),
        (lambda: custom({"c": [[0, 1, 0], [1, 0, 0], [0, 0, 0]]}), "not all connected"),
        (lambda: custom({"nope": [[0, 1], [1, 0]]}), "names hyperparameter 'nope'"),
        (lambda: ordinal_radius(1, categorical=["nope"]), "names hyperparameter 'nope'"),
        (lambda: ordinal_radius(0), "radius must be >= 1"),
        (lambda: "two_edit", "unknown neighbourhood 'two_edit'"),
    ],
)
def test_bad_neighbourhoods_name_the_problem(make, message):
    space = SearchSpace([Hyperparameter("c", ("x", "y", "z"), "categorical")])
    landscape = Landscape.from_array(space, [0.0, 2.0, 1.0])
    with pytest.raises(InputError, match=message):
        nb = make()
        distances_to_global(landscape, neighbourhood=nb)
        fdc(landscape, neighbourhood=nb)


def test_neighbourhood_is_hashable_and_comparable():
    assert ordinal_radius(2) == ordinal_radius(2)
    assert hash(ordinal_radius(2, categorical=["a"])) == hash(ordinal_radius(2, categorical=["a"]))
    assert custom({"a": np.eye(2, dtype=bool)[::-1]}) == custom({"a": [[0, 1], [1, 0]]})
    assert isinstance(one_edit(), Neighbourhood)
