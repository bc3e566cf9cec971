from __future__ import annotations

import numpy as np
import pytest

from lossatlas.analysis._optima import local_optima
from lossatlas.errors import InputError
from lossatlas.viz._landscape_map import landscape_map, map_rows


def test_map_rows_keeps_optima_and_is_seeded():
    loss = np.linspace(1.0, 2.0, 1000)
    optima = np.array([5, 500, 900])
    rows = map_rows(1000, optima, np.array([0]), loss, max_nodes=50, seed=3)
    assert len(rows) == 50 and len(np.unique(rows)) == 50
    assert set(optima) | {0} <= set(rows)
    np.testing.assert_array_equal(rows, map_rows(1000, optima, [0], loss, max_nodes=50, seed=3))
    assert not np.array_equal(rows, map_rows(1000, optima, [0], loss, max_nodes=50, seed=4))
    np.testing.assert_array_equal(map_rows(40, optima, [0], loss, max_nodes=50), np.arange(40))


def test_map_rows_with_too_many_optima_keeps_the_best():
    loss = np.arange(100, dtype=float)[::-1]  # row 99 best
    rows = map_rows(100, np.arange(0, 100, 2), np.array([99]), loss, max_nodes=5)
    assert set(rows) == {99, 98, 96, 94, 92}
    with pytest.raises(InputError, match="max_nodes"):
        map_rows(10, [], [], loss, max_nodes=0)


def test_landscape_map_marks_optima_and_ranks(bowl_landscape):
    lmap = landscape_map(bowl_landscape, projection="pca", dim=16)
    opt = local_optima(bowl_landscape)
    n = bowl_landscape.n
    assert lmap.coords.shape == (n, 2) and np.isfinite(lmap.coords).all()
    np.testing.assert_array_equal(lmap.rows, np.arange(n))
    assert not lmap.subsampled and lmap.method == "hope+pca" and not lmap.fallback
    np.testing.assert_array_equal(np.flatnonzero(lmap.is_local_optimum), np.sort(opt.optima_rows))
    assert lmap.is_local_optimum.sum() == 3
    g = np.flatnonzero(lmap.is_global_optimum)
    assert g.tolist() == [2 * 7 + 3]
    assert lmap.rank[g[0]] == 1.0 and lmap.rank.max() == n
    # the rank order is the loss order
    order = np.argsort(lmap.loss, kind="stable")
    assert (np.diff(lmap.rank[order]) >= 0).all()


def test_landscape_map_subsample_keeps_optima_and_is_deterministic(bowl_landscape):
    a = landscape_map(bowl_landscape, projection="pca", dim=16, max_nodes=20, seed=2)
    b = landscape_map(bowl_landscape, projection="pca", dim=16, max_nodes=20, seed=2)
    assert a.subsampled and len(a.rows) == 20 and a.n_configs == 63
    assert a.is_local_optimum.sum() == 3 and a.is_global_optimum.sum() == 1
    np.testing.assert_array_equal(a.coords, b.coords)
    np.testing.assert_array_equal(a.rows, b.rows)
    # ranks stay ranks among all configurations
    full_rank = landscape_map(bowl_landscape, projection="pca", dim=16).rank
    np.testing.assert_array_equal(a.rank, full_rank[a.rows])


def test_landscape_map_with_umap(bowl_landscape):
    pytest.importorskip("umap")
    lmap = landscape_map(bowl_landscape, dim=16, n_epochs=50, projection="umap")
    assert lmap.method == "hope+umap" and lmap.coords.shape == (63, 2)
