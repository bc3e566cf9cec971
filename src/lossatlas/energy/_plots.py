"""Matplotlib renderers of the energy figures: the second of the two plotting steps.

Each renderer draws one plot-data object of :mod:`lossatlas.energy._plotdata` and nothing
else; given an analysis result instead (a tree, a heat capacity, ...), it first asks the
analysis module for the data. Matplotlib is imported only when a figure is drawn (extra
``energy``), and figures are made with :class:`matplotlib.figure.Figure`, never pyplot, so no
global state changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from lossatlas.energy._disconnectivity import DisconnectivityTree, disconnectivity_plot_data
from lossatlas.energy._ensembles import EnsembleReport, specialisation_plot_data
from lossatlas.energy._msb import DescentRule, MonotonicSequenceBasins, msb_plot_data
from lossatlas.energy._plotdata import (
    DisconnectivityPlotData,
    HeatCapacityPlotData,
    SpecialisationPlotData,
    StationaryPointsPlotData,
)
from lossatlas.energy._stationary import ParameterSweep, stationary_points_plot_data
from lossatlas.energy._thermo import HeatCapacity, heat_capacity_plot_data
from lossatlas.errors import require

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "plot_disconnectivity",
    "plot_heat_capacity",
    "plot_msb_disconnectivity",
    "plot_specialisation",
    "plot_stationary_points",
]


#: Colour maps of categorical leaf values (drawn with a legend, never a colour bar).
_QUALITATIVE = frozenset({"tab10", "tab20", "Set1", "Set2", "Set3", "Paired"})


def _figure(purpose: str, ax: Any, figsize: tuple[float, float]) -> tuple[Any, Any]:
    require("matplotlib", "energy", purpose=purpose)
    from matplotlib.figure import Figure

    if ax is None:
        fig = Figure(figsize=figsize)
        return fig, fig.add_subplot()
    return ax.figure, ax


def plot_disconnectivity(
    tree: DisconnectivityTree | DisconnectivityPlotData,
    *,
    colour_by: Mapping[int, float] | None = None,
    ax: Any = None,
    cmap: str = "viridis",
    label_minima: bool = False,
    colour_label: str | None = None,
) -> Any:
    """Draw a disconnectivity graph (Wales, Miller & Walsh, Nature 394, 758 (1998)).

    Parameters
    ----------
    tree : DisconnectivityTree or DisconnectivityPlotData
        A tree (its data computed with
        :func:`~lossatlas.energy._disconnectivity.disconnectivity_plot_data` and the options
        below) or data computed already (the options below are then ignored).
    colour_by : mapping of int to float, optional
        A value per minimum id; leaves get a marker coloured by it and a colour bar. Minima
        without a value are drawn grey.
    ax : matplotlib Axes, optional
        Draw into it; by default a new :class:`matplotlib.figure.Figure` is made.
    cmap : str, default "viridis"
        Colour map.
    label_minima : bool, default False
        Write each minimum's id under its leaf.
    colour_label : str, optional
        Label of the colour bar.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if isinstance(tree, DisconnectivityPlotData):
        data = tree
    else:
        data = disconnectivity_plot_data(
            tree,
            colour_by=colour_by,
            cmap=cmap,
            label_minima=label_minima,
            colour_label=colour_label,
        )
    n_leaves = max(len(data.leaf_ids), 1)
    fig, ax = _figure("disconnectivity graphs", ax, (min(4.0 + 0.12 * n_leaves, 30.0), 6.0))
    from matplotlib import colormaps
    from matplotlib.collections import LineCollection
    from matplotlib.colors import Normalize

    ax.add_collection(LineCollection(data.segments, colors="black", linewidths=0.8))
    for x, y0, y1 in data.stubs:  # a short stub above the top level
        ax.plot([x, x], [y0, y1], color="black", lw=0.8)
    if data.leaf_values is not None:
        known = np.isfinite(data.leaf_values)
        if known.any():
            vals = data.leaf_values[known]
            if data.cmap in _QUALITATIVE:
                # integer labels (basins): one legend entry per label, not a continuous bar
                cmap = colormaps[data.cmap]
                labels = np.unique(vals)
                for k, label in enumerate(labels):
                    pick = vals == label
                    ax.scatter(
                        data.leaf_x[known][pick],
                        data.leaf_energy[known][pick],
                        color=cmap(k % cmap.N),
                        s=18,
                        zorder=3,
                        label=f"{int(label)}" if float(label).is_integer() else f"{label:g}",
                    )
                ax.legend(
                    title=data.colour_label,
                    fontsize=7,
                    title_fontsize=8,
                    loc="upper left",
                    bbox_to_anchor=(1.01, 1.0),
                    ncol=1 if len(labels) <= 12 else 2,
                )
            else:
                sc = ax.scatter(
                    data.leaf_x[known],
                    data.leaf_energy[known],
                    c=vals,
                    cmap=colormaps[data.cmap],
                    norm=Normalize(vmin=float(vals.min()), vmax=float(vals.max())),
                    s=18,
                    zorder=3,
                )
                fig.colorbar(sc, ax=ax, label=data.colour_label)
        if (~known).any():
            ax.scatter(data.leaf_x[~known], data.leaf_energy[~known], c="0.6", s=12, zorder=3)
    if data.label_minima:
        for x, e, m in zip(data.leaf_x, data.leaf_energy, data.leaf_ids, strict=True):
            ax.annotate(
                str(int(m)),
                (x, e),
                textcoords="offset points",
                xytext=(0, -9),
                ha="center",
                fontsize=7,
            )
    ax.set_xlim(*data.xlim)
    ax.set_ylim(*data.ylim)
    ax.set_xticks([])
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_ylabel("energy (loss)")
    return fig


def plot_msb_disconnectivity(
    tree: DisconnectivityTree,
    msbs: MonotonicSequenceBasins,
    *,
    rule: DescentRule = "barrier",
    ax: Any = None,
    label_minima: bool = False,
) -> Any:
    """The disconnectivity graph with leaves coloured by monotonic sequence basin.

    Parameters
    ----------
    tree : DisconnectivityTree
        The graph.
    msbs : MonotonicSequenceBasins
        The basins (:func:`~lossatlas.energy._msb.monotonic_sequence_basins`).
    rule : {"barrier", "neighbour"}, default "barrier"
        Descent rule.
    ax : matplotlib Axes, optional
        Draw into it.
    label_minima : bool, default False
        Write each minimum's id under its leaf.

    Returns
    -------
    matplotlib.figure.Figure
    """

    return plot_disconnectivity(
        msb_plot_data(tree, msbs, rule=rule, label_minima=label_minima), ax=ax
    )


def plot_heat_capacity(
    hc: HeatCapacity | HeatCapacityPlotData, *, ax: Any = None, log_t: bool = True
) -> Any:
    """Draw ``C(T)`` with its peaks marked.

    Parameters
    ----------
    hc : HeatCapacity or HeatCapacityPlotData
        The heat capacity, or its plot data
        (:func:`~lossatlas.energy._thermo.heat_capacity_plot_data`; ``log_t`` is then ignored).
    ax : matplotlib Axes, optional
        Draw into it.
    log_t : bool, default True
        Logarithmic temperature axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if isinstance(hc, HeatCapacityPlotData):
        data = hc
    else:
        data = heat_capacity_plot_data(hc, log_t=log_t)
    fig, ax = _figure("heat-capacity plots", ax, (5.5, 3.8))
    ax.plot(data.T, data.C, color="black", lw=1.2)
    if data.log_t:
        ax.set_xscale("log")
    _peak_headroom(ax, np.asarray(data.C, dtype=float))
    for t, c in zip(data.peak_T, data.peak_C, strict=True):
        ax.axvline(t, color="tab:red", lw=0.8, ls="--")
        # right of the peak in the left half of the axes, left of it in the right half, so
        # the label never runs into the frame; the headroom keeps it below the top
        x_frac = ax.transAxes.inverted().transform(ax.transData.transform((t, c)))[0]
        right = x_frac < 0.5
        ax.annotate(
            f"T={t:.3g}",
            (t, c),
            textcoords="offset points",
            xytext=(4 if right else -4, 4),
            ha="left" if right else "right",
            va="bottom",
            fontsize=8,
            color="tab:red",
        )
    ax.set_xlabel("T")
    ax.set_ylabel("C(T)")
    ax.set_title(data.title)
    return fig


def _peak_headroom(ax: Any, values: np.ndarray, fraction: float = 0.15) -> None:
    """Raise the top of the y range by ``fraction`` of the data range (room for peak labels)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return
    lo, hi = float(finite.min()), float(finite.max())
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    bottom, _ = ax.get_ylim()
    ax.set_ylim(bottom, hi + fraction * span)


def plot_specialisation(
    report: EnsembleReport | SpecialisationPlotData, *, max_minima: int = 40
) -> Any:
    """Two panels: which test items each minimum gets right, and their overlap.

    Parameters
    ----------
    report : EnsembleReport or SpecialisationPlotData
        The ensemble analysis, or its plot data
        (:func:`~lossatlas.energy._ensembles.specialisation_plot_data`; ``max_minima`` is
        then ignored).
    max_minima : int, default 40
        Show at most this many minima.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if isinstance(report, SpecialisationPlotData):
        data = report
    else:
        data = specialisation_plot_data(report, max_minima=max_minima)
    require("matplotlib", "energy", purpose="ensemble plots")
    from matplotlib.figure import Figure

    labels = [str(i) for i in data.minima_ids]
    fig = Figure(figsize=(10.0, 4.0))
    ax1, ax2 = fig.subplots(1, 2)
    ax1.imshow(data.correct, aspect="auto", cmap="Greys", interpolation="nearest")
    ax1.set_xlabel("test item (sorted by how many minima get it right)")
    ax1.set_ylabel("minimum")
    ax1.set_yticks(range(len(labels)), labels, fontsize=6)
    ax1.set_title("correct (black) per minimum")
    im = ax2.imshow(data.overlap_fraction, cmap="viridis", vmin=0, vmax=1)
    ax2.set_xticks(range(len(labels)), labels, fontsize=6, rotation=90)
    ax2.set_yticks(range(len(labels)), labels, fontsize=6)
    ax2.set_title("overlap of correctly classified items")
    fig.colorbar(im, ax=ax2, label="fraction of test items")
    fig.tight_layout()
    return fig


def plot_stationary_points(
    sweep: ParameterSweep | StationaryPointsPlotData,
    *,
    axes: Any = None,
    optimum: float | None = None,
) -> Any:
    """Energy of the minima (solid) and saddles (dashed) against the parameter, folds marked,
    above the smallest ``|Hessian eigenvalue|`` of each point (log scale).

    Parameters
    ----------
    sweep : ParameterSweep or StationaryPointsPlotData
        The sweep, or its plot data
        (:func:`~lossatlas.energy._stationary.stationary_points_plot_data`).
    axes : pair of matplotlib Axes, optional
        Draw into them.
    optimum : float, optional
        A parameter value to mark with a vertical line (e.g. the likelihood-optimal ``nu``
        of :func:`~lossatlas.energy.optimal_nu`, searched over the swept range).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if isinstance(sweep, StationaryPointsPlotData):
        data = sweep
    else:
        data = stationary_points_plot_data(sweep)
    require("matplotlib", "energy", purpose="catastrophe plots")
    from matplotlib.figure import Figure

    if axes is None:
        fig = Figure(figsize=(6.0, 6.0))
        axes = fig.subplots(2, 1, sharex=True)
    fig = axes[0].figure
    labelled: set[str] = set()
    for b in data.branches:
        colour, style = ("tab:blue", "-") if b.index == 0 else ("tab:red", "--")
        kind = "minima" if b.index == 0 else "saddles"
        label = None if kind in labelled else kind
        labelled.add(kind)
        axes[0].plot(
            b.parameter, b.energy, style, color=colour, marker=".", ms=3, lw=1, label=label
        )
        axes[1].plot(b.parameter, b.smallest_abs_eigenvalue, style, color=colour, lw=1)
    for j, (lo, hi) in enumerate(data.fold_brackets):
        for ax in axes:
            ax.axvspan(
                lo, hi, color="0.5", alpha=0.3, label="fold" if j == 0 and ax is axes[0] else None
            )
            ax.axvline(0.5 * (lo + hi), color="0.3", lw=0.8, ls=":")
    if optimum is not None:
        # a legend entry, placed where no data is, rather than a label over the branches
        for ax in axes:
            ax.axvline(
                optimum,
                color="tab:green",
                lw=1.0,
                ls="-.",
                label=f"likelihood optimum {data.parameter}={optimum:.3g}"
                if ax is axes[0]
                else None,
            )
    if axes[0].get_legend_handles_labels()[0]:
        axes[0].legend(loc="best", fontsize=8, framealpha=0.9)
    axes[0].set_ylabel("energy")
    axes[0].set_title(f"stationary points as {data.parameter} varies")
    axes[1].set_yscale("log")
    axes[1].set_ylabel("min |Hessian eigenvalue|")
    axes[1].set_xlabel(data.parameter)
    return fig
