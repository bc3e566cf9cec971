"""Basins against GraphFLA 0.4.0 (dev-only oracle) on maximised scores.

GraphFLA's basins are its hill climber plus its first-improvement plateau exit: our
``descent="graphfla", plateau_exit="first"``. Our default (stop on entering an optimum plateau,
lowest exit) agrees with it wherever the two rules cannot differ: at epsilon 0 on landscapes
without ties. Landscapes are full grids (GraphFLA drops configurations without neighbours).
"""

from __future__ import annotations

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
