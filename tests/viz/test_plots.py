from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")
from matplotlib.figure import Figure  # noqa: E402

import lossatlas.viz as plotdata  # noqa: E402
from lossatlas.errors import InputError  # noqa: E402
from lossatlas.viz import _plots as plots  # noqa: E402
from lossatlas.viz._landscape_map import landscape_map  # noqa: E402


@pytest.fixture
def lmap(bowl_landscape):
    return landscape_map(bowl_landscape, projection="pca", dim=16)


def test_map_marks_optima_where_they_are(lmap):
    surface = plotdata.interpolated_surface(lmap)
    fig = plots.plot_map(lmap, surface=surface)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    points, local, glob = ax.collections[-3:]
    np.testing.assert_allclose(points.get_offsets(), lmap.coords)
    np.testing.assert_allclose(glob.get_offsets(), lmap.coords[lmap.is_global_optimum])
    only_local = lmap.is_local_optimum & ~lmap.is_global_optimum
    np.testing.assert_allclose(local.get_offsets(), lmap.coords[only_local])
    np.testing.assert_allclose(points.get_array(), lmap.rank)
    assert "hope+pca" in ax.get_title()


def test_renderers_draw_into_a_given_axes(bowl_landscape, lmap):
    fig = Figure()
    axes = fig.subplots(2, 3).ravel()
    net = plotdata.optima_network(bowl_landscape, lmap=lmap)
    calls = [
        (plots.plot_surface, plotdata.interpolated_surface(lmap)),
        (plots.plot_optima_network, net),
        (plots.plot_hp_slice, plotdata.hp_slice(bowl_landscape, "a")),
        (plots.plot_loss_scatter, plotdata.loss_scatter(bowl_landscape)),
        (plots.plot_basin_sizes, plotdata.basin_sizes(bowl_landscape)),
        (plots.plot_autocorrelation, plotdata.autocorrelation_curve(bowl_landscape)),
    ]
    for ax, (draw, data) in zip(axes, calls, strict=True):
        assert draw(data, ax=ax) is fig
        assert ax.has_data()
    # one bar per optimum, the global one red
    red = [tuple(bar.get_facecolor()[:3]) == (1.0, 0.0, 0.0) for bar in axes[4].patches]
    assert red == calls[4][1].is_global.tolist() and len(red) == 3


def test_pair_heatmaps_are_labelled_best_and_mean(bowl_landscape):
    data = plotdata.pair_marginal(bowl_landscape, "a", "b")
    fig = plots.plot_pair_marginals(data)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["best over the other HPs", "mean over the other HPs"]
    image = fig.axes[0].images[0].get_array()
    np.testing.assert_allclose(image, data.best)
    with pytest.raises(InputError, match="statistic"):
        plots.plot_pair_marginal(data, statistic="median")


def test_surface_3d_needs_3d_axes(lmap):
    surface = plotdata.interpolated_surface(lmap)
    fig = plots.plot_surface_3d(surface)
    assert fig.axes[0].name == "3d"
    with pytest.raises(InputError, match="3d"):
        plots.plot_surface_3d(surface, ax=Figure().add_subplot())
