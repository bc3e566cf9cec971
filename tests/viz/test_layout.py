"""Layout of the interactive figures, read from the plotly layout (what the browser draws)."""

from __future__ import annotations

import numpy as np
import pytest

from lossatlas.landscape import Landscape
from lossatlas.space import SearchSpace
from lossatlas.viz import _interactive as ix
from lossatlas.viz import _interactive_slices as ixs
from lossatlas.viz import _plotdata as pdata
from lossatlas.viz import _slices

pytest.importorskip("plotly")


def _colour_bars(fig) -> list[tuple[float, float]]:
    """(x, xanchor-adjusted left edge) of every visible colour bar, in paper coordinates."""
    bars = []
    layout = fig.layout
    for trace in fig.data:
        if getattr(trace, "showscale", None) is False:
            continue
        if getattr(trace, "coloraxis", None):
            continue
        colorbar = getattr(trace, "colorbar", None)
        if colorbar is None and hasattr(trace, "marker"):
            if trace.marker.showscale:
                colorbar = trace.marker.colorbar
            else:
                continue
        if colorbar is not None:
            bars.append(colorbar.x if colorbar.x is not None else 1.02)
    for name in ("coloraxis", "coloraxis2"):
        axis = getattr(layout, name, None)
        if axis is not None and axis.colorbar is not None and axis.showscale is not False:
            if axis.colorscale is not None or axis.colorbar.x is not None:
                bars.append(axis.colorbar.x if axis.colorbar.x is not None else 1.02)
    return bars


def test_pair_heatmap_colour_bar_overlaps_no_axes(bowl_landscape):
    fig = ixs.pair_marginal_figure(_slices.pair_marginal(bowl_landscape, "b", "a"))
    domains = [fig.layout[k].domain for k in fig.layout if k.startswith("xaxis")]
    assert len(domains) == 2
    bars = _colour_bars(fig)
    assert bars, "the heatmaps have a colour bar"
    for x in bars:
        for lo, hi in domains:
            assert not lo - 0.02 <= x <= hi + 0.02, (x, domains)
    # the right panel's y-axis title sits left of its domain: nothing may be drawn in the gap
    gap = (domains[0][1], domains[1][0])
    assert all(not gap[0] <= x <= gap[1] for x in bars)
    # both panels on one colour axis: one scale, so best and mean are comparable
    assert {t.coloraxis for t in fig.data} == {"coloraxis"}


def test_one_optimum_network_has_no_colour_bar():
    space = SearchSpace.from_dict({"a": list(range(6))})
    bowl = Landscape.from_array(space, {"test": (np.arange(6) - 2.0) ** 2})
    net = pdata.optima_network(bowl)
    assert len(net.loss) == 1
    fig = ix.optima_network_figure(net)
    markers = [t for t in fig.data if t.name == "local optimum"][0]
    assert markers.marker.showscale is False and markers.marker.colorbar.title.text is None


def test_many_optima_network_keeps_its_colour_bar(bowl_landscape):
    fig = ix.optima_network_figure(pdata.optima_network(bowl_landscape))
    markers = [t for t in fig.data if t.name == "local optimum"][0]
    assert markers.marker.showscale is True and markers.marker.colorbar.title.text == "loss"


def test_tied_global_optima_say_they_are_tied():
    space = SearchSpace.from_dict({"a": list(range(5)), "b": [0, 1]})
    loss = np.array([0.0, 0.0, 1, 2, 3, 4, 5, 6, 7, 8])
    land = Landscape.from_array(space, {"test": loss})
    from lossatlas.viz._landscape_map import landscape_map

    fig = ix.map_figure(landscape_map(land))
    names = [t.name for t in fig.data]
    assert "global optimum (2 tied configurations)" in names


def test_titles_clear_the_toolbar(bowl_landscape):
    """The plotly modebar floats over the top ~40 px: every figure leaves room above its plot."""
    figs = [
        ixs.pair_marginal_figure(_slices.pair_marginal(bowl_landscape, "b", "a")),
        ix.basin_sizes_figure(pdata.basin_sizes(bowl_landscape)),
        ix.autocorrelation_figure(pdata.autocorrelation_curve(bowl_landscape)),
    ]
    for fig in figs:
        assert fig.layout.margin.t >= 70


def _embedded_spec(fig, caption: str) -> tuple[str, dict]:
    import json
    import re

    from lossatlas._pages import plotly_figure_html

    page = plotly_figure_html(fig, "fig-x", caption=caption, note="how to read it")
    spec = re.search(r"data-target='fig-x'>(.*?)</script>", page, re.S).group(1)
    head = re.search(r"<figcaption>(.*?)</figcaption>", page, re.S).group(1)
    return head, json.loads(spec.replace("<\\/", "</"))


def test_embedded_figures_move_their_title_to_the_caption(bowl_landscape):
    """On a page the title is the card's caption, not repeated in the plot under the toolbar."""
    from lossatlas._pages import MODEBAR_MARGIN

    fig = ix.basin_sizes_figure(pdata.basin_sizes(bowl_landscape))
    title = fig.layout.title.text
    head, spec = _embedded_spec(fig, "basin sizes")
    assert "title" not in spec["layout"] and spec["layout"]["margin"]["t"] == MODEBAR_MARGIN
    assert head.startswith("basin sizes") and "detail" in head  # the title says more: kept
    assert fig.layout.title.text == title  # the figure itself is untouched
    head, _ = _embedded_spec(fig, title)
    assert "detail" not in head  # a title equal to the caption is not repeated
    # subplot titles sit in the top margin: it stays clear of the toolbar
    pair = ixs.pair_marginal_figure(_slices.pair_marginal(bowl_landscape, "b", "a"))
    _, spec = _embedded_spec(pair, "pair")
    assert spec["layout"]["margin"]["t"] >= 70
