"""Energy-report faults seen in the browser: basin labels are categories, lists are prose."""

from __future__ import annotations

import numpy as np
import pytest

from lossatlas.energy._plotdata import DisconnectivityPlotData
from lossatlas.energy._plots import plot_disconnectivity
from lossatlas.energy._report import _ids

pytest.importorskip("matplotlib")


def _data(cmap: str, values) -> DisconnectivityPlotData:
    n = len(values)
    return DisconnectivityPlotData(
        segments=[[(float(i), 0.0), (float(i), 1.0)] for i in range(n)],
        stubs=[],
        leaf_x=np.arange(n, dtype=float),
        leaf_energy=np.zeros(n),
        leaf_ids=np.arange(n),
        leaf_values=np.asarray(values, dtype=float),
        cmap=cmap,
        colour_label="MSB (barrier rule)",
        label_minima=False,
        xlim=(-1.0, float(n)),
        ylim=(-0.5, 1.5),
    )


def test_basin_labels_get_a_legend_not_a_colour_bar():
    import matplotlib.pyplot as plt

    fig = plot_disconnectivity(_data("tab10", [0, 0, 1, 2, 2]))
    assert len(fig.axes) == 1  # no colour-bar axes
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["0", "1", "2"]
    assert legend.get_title().get_text() == "MSB (barrier rule)"
    plt.close(fig)
    fig = plot_disconnectivity(_data("viridis", [0.1, 0.5, 0.9]))
    assert len(fig.axes) == 2  # a continuous value keeps its colour bar
    plt.close(fig)


def test_id_lists_read_as_prose():
    assert _ids("ambiguous minima", []) == "no ambiguous minima"
    assert _ids("ambiguous minima", [np.int64(3), 7]) == "ambiguous minima: 3, 7"
    assert _ids("x", range(25)).endswith("19 and 5 more")
