"""The full-grid fast paths (:mod:`lossatlas.analysis._grid`) against the move-table path.

A full grid is served by slicing the loss tensor; the same landscape seen as "not full" (a
subclass) goes through the move table and the binary searches of partial landscapes. Both must
give the same scan, degrees, walks, distances and default profile, on random grids mixing
ordinal, categorical and boolean hyperparameters, with ties and epsilon > 0.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from lossatlas.analysis import _graph, one_edit, profile_one
from lossatlas.analysis._grid import (
    grid_degrees,
    grid_distances_to,
    grid_move_targets,
    grid_n_moves,
    grid_neighbour_sums,
)
from lossatlas.landscape import Landscape

from .conftest import ORACLE_SETTINGS, epsilons, landscapes


class NotFull(Landscape):
    """The same landscape, but every fast path for full grids declines it."""

    __slots__ = ()

    @property
    def is_full(self) -> bool:
        return False


def not_full(landscape: Landscape) -> NotFull:
    return NotFull(landscape.space, landscape.index, landscape.losses, landscape.metadata)


full_grids = landscapes(max_hps=4, max_values=4, partial=False)


@ORACLE_SETTINGS
@given(full_grids, epsilons)
def test_grid_scan_is_the_move_table_scan(landscape, epsilon):
    values = landscape.loss("test")
    fast = _graph._grid_scan(landscape, values, epsilon)
    slow = _graph._scan(landscape, values, epsilon, one_edit())
    for name in fast._fields:
        assert np.array_equal(getattr(fast, name), getattr(slow, name)), name
        assert np.asarray(getattr(fast, name)).dtype == np.asarray(getattr(slow, name)).dtype


@ORACLE_SETTINGS
@given(full_grids)
def test_grid_degrees_moves_and_neighbour_sums(landscape):
    table = _graph._build_graph(landscape)
    valid = table.targets >= 0
    assert np.array_equal(grid_degrees(landscape.space), valid.sum(axis=0))
    assert grid_n_moves(landscape.space) == table.n_moves
    rows = np.arange(landscape.n)
    for m in range(table.n_moves):
        moves = np.full(landscape.n, m)
        assert np.array_equal(grid_move_targets(landscape.space, moves, rows), table.targets[m])
    values = landscape.loss("test")
    expected = np.where(valid, values[np.where(valid, table.targets, 0)], 0.0).sum(axis=0)
    assert np.allclose(grid_neighbour_sums(landscape.space, values), expected, atol=1e-12)


@ORACLE_SETTINGS
@given(full_grids, st.data())
def test_grid_distances_are_manhattan_plus_hamming(landscape, data):
    space = landscape.space
    targets = data.draw(
        st.lists(st.integers(0, landscape.n - 1), min_size=1, max_size=4, unique=True)
    )
    codes = landscape.codes.astype(np.int64)
    expected = np.full(landscape.n, np.iinfo(np.int64).max)
    for t in targets:
        dist = np.zeros(landscape.n, dtype=np.int64)
        for j in range(len(space)):
            if space.is_ordinal[j]:
                dist += np.abs(codes[:, j] - codes[t, j])
            else:
                dist += codes[:, j] != codes[t, j]
        expected = np.minimum(expected, dist)
    got = grid_distances_to(space, np.asarray(targets))
    assert got.dtype == np.int64 and np.array_equal(got, expected)


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return True
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


@ORACLE_SETTINGS
@given(full_grids, epsilons)
def test_default_profile_of_a_full_grid_is_the_general_one(landscape, epsilon):
    fast = profile_one(landscape, epsilon=epsilon, n_walks=30, walk_length=5)
    slow = profile_one(not_full(landscape), epsilon=epsilon, n_walks=30, walk_length=5)
    assert fast.keys() == slow.keys()
    differ = {k: (fast[k], slow[k]) for k in fast if not _same(fast[k], slow[k])}
    assert not differ


@ORACLE_SETTINGS
@given(st.integers(1, 40), st.data())
def test_numpy_components_are_scipys(n, data):
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    from lossatlas.analysis import _components

    edges = data.draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60)
    )
    u = np.asarray([a for a, _ in edges], dtype=np.int64)
    v = np.asarray([b for _, b in edges], dtype=np.int64)
    got = _components.components(n, u, v)
    if edges:
        graph = sp.coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n)).tocsr()
        expected = connected_components(graph, directed=False)[1]
    else:
        expected = np.arange(n)
    assert got.dtype == np.int64 and np.array_equal(got, expected)
