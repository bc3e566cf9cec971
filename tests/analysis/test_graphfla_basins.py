"""Basins against GraphFLA 0.4.0 (dev-only oracle) on maximised scores.

GraphFLA's basins are its hill climber plus its first-improvement plateau exit: our
``descent="graphfla", plateau_exit="first"``. Our default (stop on entering an optimum plateau,
lowest exit) agrees with it wherever the two rules cannot differ: at epsilon 0 on landscapes
without ties. Landscapes are full grids (GraphFLA drops configurations without neighbours).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lossatlas.analysis._accessibility import accessible_basins
from lossatlas.analysis._optima import local_optima
from lossatlas.landscape import Landscape

from .conftest import ORACLE_SETTINGS, epsilons, landscapes
from .graphfla_oracle import to_graphfla


def graphfla_basins(landscape, epsilon):
    built = to_graphfla(landscape, epsilon=epsilon)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built.basins  # noqa: B018 -- computes the basin attributes
    return built, np.asarray(built.graph.vs["basin_index"])


def our_basin_plateaus(landscape, epsilon, **rules):
    optima = local_optima(landscape, epsilon=epsilon, **rules)
    return optima, np.asarray(optima.optimum_plateaus)[np.asarray(optima.basin)]


@settings(ORACLE_SETTINGS, max_examples=60)
@given(landscapes(max_hps=3, partial=False), epsilons)
def test_graphfla_rule_equals_graphfla(landscape, epsilon):
    built, theirs = graphfla_basins(landscape, epsilon)
    optima, ours = our_basin_plateaus(landscape, epsilon, descent="graphfla", plateau_exit="first")
    assert built.n_lo == optima.n_optima
    # GraphFLA names a basin by a member of its optimum plateau: compare plateaus, row by row
    assert np.array_equal(optima.plateau[theirs], ours)
    # its basin radius: the longest climb into each basin
    radius = np.zeros(landscape.n, dtype=np.int64)
    np.maximum.at(radius, ours, optima.climb_length)
    assert np.array_equal(np.asarray(built.graph.vs["radius_basin_greedy"]), radius[ours])
    sizes = np.bincount(ours, minlength=landscape.n)
    assert np.array_equal(np.asarray(built.graph.vs["size_basin_greedy"]), sizes[ours])


@settings(ORACLE_SETTINGS, max_examples=40)
@given(landscapes(max_hps=3, partial=False), st.integers(0, 2**32 - 1))
def test_default_equals_graphfla_without_ties(landscape, seed):
    # distinct losses at epsilon 0: no plateaus, so neither the descent nor the exit rule matters
    rng = np.random.default_rng(seed)
    distinct = Landscape.from_array(
        landscape.space, rng.permutation(landscape.n) / 1024, index=landscape.index
    )
    _, theirs = graphfla_basins(distinct, 0.0)
    optima, ours = our_basin_plateaus(distinct, 0.0)
    assert np.array_equal(optima.plateau[theirs], ours)


@settings(ORACLE_SETTINGS, max_examples=40)
@given(landscapes(max_hps=3, partial=False), epsilons)
def test_accessible_basins_equal_graphfla(landscape, epsilon):
    built = to_graphfla(landscape, epsilon=epsilon)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built.accessible_paths  # noqa: B018 -- computes size_basin_accessible
    theirs = np.asarray(built.graph.vs["size_basin_accessible"])
    optima = local_optima(landscape, epsilon=epsilon)
    sizes = accessible_basins(landscape, epsilon=epsilon)
    for label, size in zip(optima.optimum_plateaus, sizes, strict=True):
        # GraphFLA stores the size on the plateau's lowest row
        first = int(np.flatnonzero(optima.plateau == label)[0])
        assert theirs[first] == size


@settings(ORACLE_SETTINGS, max_examples=30)
@given(landscapes(max_hps=3, max_values=4, partial=False), st.integers(0, 2**32 - 1))
def test_local_optima_network_equals_graphfla(landscape, seed):
    # distinct losses at epsilon 0: GraphFLA's LON nodes are then exactly our optima
    from lossatlas.analysis._lon import local_optima_network

    rng = np.random.default_rng(seed)
    distinct = Landscape.from_array(
        landscape.space, rng.permutation(landscape.n) / 1024, index=landscape.index
    )
    built, _ = graphfla_basins(distinct, 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = built.get_lon(mlon=False, verbose=False)
        monotone = to_graphfla(distinct).get_lon(mlon=True, verbose=False)
    lon = local_optima_network(distinct)
    slot = {int(r): i for i, r in enumerate(lon.optima_rows)}
    ours = {
        (int(s), int(t)): int(w) for s, t, w in zip(lon.source, lon.target, lon.weight, strict=True)
    }
    names = theirs.vs["name"]
    edges = {(slot[names[e.source]], slot[names[e.target]]): int(e["weight"]) for e in theirs.es}
    assert ours == edges
    for vertex in monotone.vs:
        i = slot[vertex["name"]]
        assert math.isclose(lon.escape_difficulty[i], vertex["escape_difficulty"])
        assert math.isclose(lon.improve_rate[i], vertex["improve_rate"])
        assert lon.accessibility[i] == vertex["accessibility"]


def test_local_optima_network_with_edges_equals_graphfla():
    # a rugged 4^4 grid: optima with more than 3 perturbations into one basin exist
    from lossatlas.analysis._lon import local_optima_network, lon_statistics
    from lossatlas.space import SearchSpace

    space = SearchSpace.from_dict({f"x{j}": [0, 1, 2, 3] for j in range(4)})
    landscape = Landscape.from_array(space, np.random.default_rng(5).permutation(256) / 256)
    lon = local_optima_network(landscape)
    assert len(lon.source) > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built = to_graphfla(landscape)
        built.basins  # noqa: B018
        theirs = built.get_lon(mlon=False, verbose=False)
    assert theirs.ecount() == len(lon.source)
    stats = lon_statistics(landscape)
    assert stats["n_edges"] == len(lon.source)
    assert math.isclose(stats["escape_difficulty"], np.mean(theirs.vs["escape_difficulty"]))
    assert math.isclose(stats["improve_rate"], np.mean(theirs.vs["improve_rate"]))
