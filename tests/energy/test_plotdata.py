"""Energy figures in two steps: plot data computed by the analysis modules, renderers that draw.

The data are checked against hand-made cases; each renderer takes the data or the result it
comes from and draws the same thing.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from lossatlas.energy import (
    DisconnectivityPlotData,
    HeatCapacityPlotData,
    disconnectivity_plot_data,
    disconnectivity_tree,
    heat_capacity,
    heat_capacity_plot_data,
    monotonic_sequence_basins,
    msb_plot_data,
    plot_disconnectivity,
    plot_heat_capacity,
    plot_msb_disconnectivity,
)

# two minima joined at E = 2, a third joined to both at E = 3
MINIMA = {1: 0.0, 2: 1.0, 3: 0.5}
TS = [(2.0, 1, 2), (3.0, 2, 3)]


def test_disconnectivity_plot_data_by_hand() -> None:
    tree = disconnectivity_tree(MINIMA, TS, n_levels=4)
    data = disconnectivity_plot_data(tree, colour_by={1: 0.9, 3: 0.1}, colour_label="acc")
    assert isinstance(data, DisconnectivityPlotData)
    assert sorted(data.leaf_ids.tolist()) == [1, 2, 3]
    by_id = dict(zip(data.leaf_ids.tolist(), data.leaf_energy.tolist(), strict=True))
    assert by_id == MINIMA  # each leaf drawn down to its own minimum's energy
    values = dict(zip(data.leaf_ids.tolist(), data.leaf_values.tolist(), strict=True))
    assert values[1] == 0.9 and values[3] == 0.1 and np.isnan(values[2])  # no value: grey
    non_roots = [n for n in tree.nodes if n.parent is not None]
    assert len(data.segments) == len(non_roots) and len(data.stubs) == len(tree.roots) == 1
    for seg in data.segments:  # up the node's own x, then into the parent's joint
        assert len(seg) == 3 and seg[0][0] == seg[1][0] and seg[1][1] >= seg[0][1]
    assert data.ylim[0] < min(MINIMA.values()) and data.ylim[1] > tree.levels[-1]
    assert data.colour_label == "acc" and data.cmap == "viridis"
    assert disconnectivity_plot_data(tree).leaf_values is None


def test_msb_plot_data_colours_by_basin() -> None:
    tree = disconnectivity_tree(MINIMA, TS, n_levels=4)
    msbs = monotonic_sequence_basins(MINIMA, TS)
    data = msb_plot_data(tree, msbs)
    colours = dict(zip(data.leaf_ids.tolist(), data.leaf_values.tolist(), strict=True))
    # 1 is the lowest bottom (index 0); 2 drains into 1 over E = 2; 3 is its own bottom
    assert msbs.bottoms == (1, 3)
    assert colours == {1: 0.0, 2: 0.0, 3: 1.0}
    assert data.cmap == "tab10" and data.colour_label == "MSB (barrier rule)"


def test_heat_capacity_plot_data_copies_the_curve_and_peaks() -> None:
    hc = heat_capacity([0.0, 1.0], np.geomspace(0.05, 5.0, 200), kappa=2)
    data = heat_capacity_plot_data(hc, log_t=False)
    assert isinstance(data, HeatCapacityPlotData)
    np.testing.assert_array_equal(data.T, hc.T)
    np.testing.assert_array_equal(data.C, hc.C)
    assert data.peak_T.tolist() == [p.T for p in hc.peaks] and len(hc.peaks) == 1
    assert data.log_t is False and "kappa=2" in data.title
    assert json.loads(json.dumps(hc.to_dict()))["peaks"][0]["T"] == pytest.approx(hc.peaks[0].T)
    frame = hc.to_frame()
    assert list(frame.columns) == ["T", "C"] and np.array_equal(frame["C"].to_numpy(), hc.C)


def test_renderers_draw_data_and_results_alike() -> None:
    pytest.importorskip("matplotlib")
    tree = disconnectivity_tree(MINIMA, TS, n_levels=4)
    from_tree = plot_disconnectivity(tree, colour_by={1: 1.0, 2: 0.0, 3: 0.5})
    from_data = plot_disconnectivity(
        disconnectivity_plot_data(tree, colour_by={1: 1.0, 2: 0.0, 3: 0.5})
    )
    for fig in (from_tree, from_data):
        ax = fig.axes[0]
        assert len(ax.collections[0].get_segments()) == len(tree.nodes) - len(tree.roots)
        assert len(fig.axes) == 2  # the colour bar
    msb_fig = plot_msb_disconnectivity(tree, monotonic_sequence_basins(MINIMA, TS))
    # basin labels are categories: a legend titled by the rule, never a continuous colour bar
    assert len(msb_fig.axes) == 1
    assert msb_fig.axes[0].get_legend().get_title().get_text() == "MSB (barrier rule)"
    hc = heat_capacity([0.0, 1.0], np.geomspace(0.05, 5.0, 100), kappa=2)
    line = plot_heat_capacity(hc).axes[0].lines[0]
    np.testing.assert_array_equal(line.get_xdata(), hc.T)
