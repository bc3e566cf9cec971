from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr

import lossatlas.viz as plotdata
from lossatlas.analysis._graph import adjacency_matrix
from lossatlas.analysis._optima import local_optima
from lossatlas.analysis._smoothness import random_walks
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape
from lossatlas.space import SearchSpace
from lossatlas.viz._landscape_map import LandscapeMap


def _map(coords, rank) -> LandscapeMap:
    m = len(rank)
    return LandscapeMap(
        coords=np.asarray(coords, float),
        rows=np.arange(m),
        loss=np.asarray(rank, float),
        rank=np.asarray(rank, float),
        is_local_optimum=np.zeros(m, bool),
        is_global_optimum=np.zeros(m, bool),
        method="hope+pca",
        fallback=False,
        n_configs=m,
        loss_name="test",
        epsilon=0.0,
    )


def test_surface_interpolates_linearly_and_is_nan_outside():
    lmap = _map([[0, 0], [1, 0], [0, 1], [1, 1]], [1.0, 2.0, 3.0, 4.0])  # z = 1 + x + 2y
    surf = plotdata.interpolated_surface(lmap, resolution=101)
    assert surf.z.shape == (101, 101) and surf.x.shape == (101,)
    gx, gy = np.meshgrid(surf.x, surf.y)
    np.testing.assert_allclose(surf.z, 1 + gx + 2 * gy, atol=1e-12)
    triangle = _map([[0, 0], [1, 0], [0, 1]], [1.0, 2.0, 3.0])
    z = plotdata.interpolated_surface(triangle, resolution=11).z
    assert np.isnan(z[10, 10]) and z[0, 0] == pytest.approx(1.0)
    assert np.isnan(plotdata.interpolated_surface(_map([[0, 0], [1, 1]], [1, 2])).z).all()


def _line(losses) -> Landscape:
    space = SearchSpace.from_dict({"x": list(range(len(losses)))})
    return Landscape.from_array(space, np.asarray(losses, float))


def test_optima_network_by_hand():
    # basins {0,1,2,3} -> row 1 and {4,5,6} -> row 4; borders: row 4 for the first, row 3 for
    # the second
    net = plotdata.optima_network(_line([1, 0, 2, 5, 3, 4, 6]))
    assert net.optima_rows.tolist() == [1, 4]
    assert net.basin_size.tolist() == [4, 3]
    assert net.is_global.tolist() == [True, False]
    assert sorted(
        zip(net.source.tolist(), net.target.tolist(), net.escape_row.tolist(), strict=True)
    ) == [(0, 1, 4), (1, 0, 3)]
    assert net.position.shape == (2, 2)


def _brute_force_escapes(landscape: Landscape, loss: np.ndarray):
    opt = local_optima(landscape)
    adj = adjacency_matrix(landscape).toarray() > 0
    edges = {}
    for b in range(opt.n_optima):
        inside = opt.basin == b
        border = np.flatnonzero(adj[inside].any(axis=0) & ~inside)
        if len(border):
            best = min(border, key=lambda r: (loss[r], r))
            edges[b] = (int(opt.basin[best]), int(best))
    return edges


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), shape=st.sampled_from([(4, 5), (3, 3, 3), (6, 2)]))
def test_optima_network_matches_brute_force(seed, shape):
    rng = np.random.default_rng(seed)
    space = SearchSpace.from_dict({f"h{i}": list(range(r)) for i, r in enumerate(shape)})
    loss = rng.integers(0, 6, size=space.size).astype(float)  # ties on purpose
    landscape = Landscape.from_array(space, loss)
    net = plotdata.optima_network(landscape)
    got = {
        int(s): (int(t), int(r))
        for s, t, r in zip(net.source, net.target, net.escape_row, strict=True)
    }
    assert got == _brute_force_escapes(landscape, loss)
    assert net.basin_size.sum() == landscape.n


def test_optima_network_uses_map_positions(bowl_landscape):
    rows = np.arange(bowl_landscape.n)
    coords = np.column_stack([rows, -rows]).astype(float)
    lmap = _map(coords, rows + 1.0)
    net = plotdata.optima_network(bowl_landscape, lmap=lmap)
    np.testing.assert_array_equal(net.position[:, 0], net.optima_rows)


def test_hp_slice_by_hand():
    space = SearchSpace.from_dict({"a": [1, 2, 3], "b": [10, 20]})
    loss = np.array([[5.0, 1.0], [4.0, 6.0], [0.5, 9.0]])  # global optimum at (a=3, b=10)
    data = plotdata.hp_slice(Landscape.from_array(space, loss), "b")
    assert data.labels == ("10", "20")
    np.testing.assert_allclose(data.through_optimum, [0.5, 9.0])
    np.testing.assert_allclose(data.best, [0.5, 1.0])
    np.testing.assert_allclose(data.mean, [9.5 / 3, 16.0 / 3])
    assert data.count.tolist() == [3, 3]
    partial = Landscape.from_array(space, np.array([[5.0, np.nan], [4.0, 6.0], [0.5, np.nan]]))
    sl = plotdata.hp_slice(partial, "b")
    assert np.isnan(sl.through_optimum[1]) and sl.count.tolist() == [3, 1]
    with pytest.raises(InputError, match="no hyperparameter 'c'"):
        plotdata.hp_slice(partial, "c")


def test_pair_marginal_matches_groupby():
    rng = np.random.default_rng(0)
    space = SearchSpace.from_dict({"a": [0, 1, 2], "b": ["x", "y"], "c": [0.1, 1.0, 10.0, 100.0]})
    landscape = Landscape.from_array(space, rng.random(space.size))
    frame = landscape.to_frame()
    data = plotdata.pair_marginal(landscape, "c", "a")
    assert data.best.shape == (3, 4) and data.labels_x == ("0.1", "1.0", "10.0", "100.0")
    grouped = frame.groupby(["a", "c"])["test"]
    for (i, a), (j, c) in itertools.product(
        enumerate([0, 1, 2]), enumerate([0.1, 1.0, 10.0, 100.0])
    ):
        assert data.best[i, j] == pytest.approx(grouped.min()[(a, c)])
        assert data.mean[i, j] == pytest.approx(grouped.mean()[(a, c)])
    with pytest.raises(InputError, match="two different"):
        plotdata.pair_marginal(landscape, "a", "a")


def test_loss_scatter_and_basins(bowl_landscape):
    sc = plotdata.loss_scatter(bowl_landscape, rows=np.array([0, 5]))
    assert sc.spearman == pytest.approx(
        spearmanr(bowl_landscape.loss("train"), bowl_landscape.loss("test")).statistic
    )
    assert sc.x.shape == (2,) and sc.x_name == "train"
    basins = plotdata.basin_sizes(bowl_landscape)
    assert basins.size.sum() == bowl_landscape.n
    assert (np.diff(basins.size) <= 0).all() and basins.is_global.sum() == 1
    assert basins.loss[basins.is_global][0] == bowl_landscape.loss().min()


def test_loss_scatter_of_a_train_loss_constant_up_to_round_off():
    # equal averages summed in another order differ in the last bit; scipy correlates the noise
    space = SearchSpace.from_dict({"a": [0, 1, 2, 3]})
    train = np.array([0.3, 0.1 + 0.2, 0.3, 0.1 + 0.2])
    test = np.array([0.1, 0.2, 0.3, 0.4])
    landscape = Landscape.from_array(space, {"train": train, "test": test})
    assert spearmanr(train, test).statistic == pytest.approx(0.4472, abs=1e-4)
    sc = plotdata.loss_scatter(landscape)
    assert np.isnan(sc.spearman) and np.isnan(sc.pearson)


def test_autocorrelation_curve_matches_direct_estimate(bowl_landscape):
    ac = plotdata.autocorrelation_curve(bowl_landscape, max_lag=5, n_walks=200, walk_length=12)
    walks = random_walks(bowl_landscape, n_walks=200, walk_length=12, seed=0)
    f = bowl_landscape.loss()[walks]
    m, total = f.mean(), ((f - f.mean()) ** 2).sum()
    for s in (1, 3, 5):
        pairs = [(f[w, t] - m) * (f[w, t + s] - m) for w in range(200) for t in range(13 - s)]
        assert ac.r[s - 1] == pytest.approx(np.sum(pairs) / total)
    np.testing.assert_allclose(ac.ar1, ac.r[0] ** np.arange(1, 6))
    with pytest.raises(InputError, match="max_lag"):
        plotdata.autocorrelation_curve(bowl_landscape, max_lag=30, walk_length=20)


def test_autocorrelation_curve_lag_one_is_the_profile_value(bowl_landscape):
    """The figure and the profile table use the same walks (1000 x 20) and estimator."""
    from lossatlas.analysis import profile

    row = profile(bowl_landscape).iloc[0]
    ac = plotdata.autocorrelation_curve(bowl_landscape)
    assert (ac.n_walks, ac.walk_length) == (row["n_walks"], row["walk_length"]) == (1000, 20)
    assert ac.r[0] == pytest.approx(row["autocorrelation_pooled"], rel=1e-12)


def test_autocorrelation_separates_smooth_from_random():
    space = SearchSpace.from_dict({"a": list(range(30)), "b": list(range(30))})
    ga, gb = np.meshgrid(np.arange(30), np.arange(30), indexing="ij")
    smooth = Landscape.from_array(space, (ga - 15.0) ** 2 + (gb - 15.0) ** 2)
    noise = Landscape.from_array(space, np.random.default_rng(0).random(space.size))
    assert plotdata.autocorrelation_curve(smooth).r[0] > 0.9
    assert abs(plotdata.autocorrelation_curve(noise).r[0]) < 0.1


def test_plot_data_is_deterministic(bowl_landscape):
    a = plotdata.autocorrelation_curve(bowl_landscape, seed=4)
    b = plotdata.autocorrelation_curve(bowl_landscape, seed=4)
    np.testing.assert_array_equal(a.r, b.r)
    net_a = plotdata.optima_network(bowl_landscape)
    net_b = plotdata.optima_network(bowl_landscape)
    np.testing.assert_array_equal(net_a.position, net_b.position)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_loss_scatter_correlations_agree_with_scipy(seed):
    rng = np.random.default_rng(seed)
    space = SearchSpace.from_dict({"a": [0, 1, 2], "b": [0, 1, 2, 3]})
    test = rng.integers(0, 4, space.size).astype(float)  # ties on purpose
    train = test + rng.normal(0, 1, space.size)
    land = Landscape.from_array(space, {"test": test, "train": train})
    sc = plotdata.loss_scatter(land)
    if np.ptp(test) == 0:
        assert np.isnan(sc.spearman)
    else:
        assert sc.spearman == pytest.approx(spearmanr(train, test).statistic, abs=1e-12)


def test_loss_scatter_of_a_constant_up_to_round_off_is_nan():
    space = SearchSpace.from_dict({"a": [0, 1, 2, 3]})
    flat = np.full(4, 0.1) + np.array([0.0, 1.5e-17, 0.0, 3e-17])  # 1-2 ulp apart
    assert np.ptp(flat) > 0
    land = Landscape.from_array(space, {"test": np.array([1.0, 2.0, 3.0, 4.0]), "train": flat})
    assert np.isnan(plotdata.loss_scatter(land).pearson)  # no correlation with round-off
    exact = Landscape.from_array(space, {"test": np.arange(4.0), "train": np.full(4, 0.1)})
    sc = plotdata.loss_scatter(exact)
    assert np.isnan(sc.spearman) and np.isnan(sc.pearson)
