"""Matplotlib renderers of the weight-space views: they draw plot data, they compute nothing.

The data come from :mod:`lossatlas.energy._slices` (:class:`LossSlice`),
:mod:`lossatlas.energy._interpolation` (:class:`InterpolationProfile`),
:mod:`lossatlas.energy._spectrum` (:class:`SpectralDensity`, :class:`HessianSpectrum`) and
:mod:`lossatlas.energy._slice_topology` (:class:`SliceMergeTree`). Each function returns a
:class:`matplotlib.figure.Figure` (no pyplot state), or draws into a given ``ax``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from lossatlas.errors import InputError, require

__all__ = [
    "plot_line_vs_path",
    "plot_slice",
    "plot_slice_contour",
    "plot_slice_merge_tree",
    "plot_slice_surface",
    "plot_spectral_density",
]


def _figure(size: tuple[float, float]) -> Any:
    require("matplotlib", "energy", purpose="weight-space view figures")
    from matplotlib.figure import Figure

    return Figure(figsize=size)


def _axis_labels(sl: Any) -> tuple[str, str]:
    what = {"random": f"random direction ({sl.norm}-normalised)", "hessian": "Hessian eigenvector"}
    base = what.get(sl.kind, "direction")
    return f"{base} 1", f"{base} 2"


def plot_slice_contour(
    sl: Any,
    *,
    ax: Any = None,
    levels: int = 30,
    tree: Any = None,
    marks: Sequence[tuple[float, float, str]] = (),
) -> Any:
    """Filled contours of a 2-D slice, with its merge tree's minima and saddles when given.

    Parameters
    ----------
    sl : LossSlice
        A 2-D slice.
    ax : matplotlib Axes, optional
        Draw into it; by default a new figure.
    levels : int, default 30
        Contour levels.
    tree : SliceMergeTree, optional
        Its minima are drawn as dots, its saddles as crosses.
    marks : sequence of (float, float, str)
        Labelled points ``(a, b, text)`` (e.g. stored minima projected into the slice).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if sl.dims != 2:
        raise InputError("a contour plot needs a 2-D slice")
    if ax is None:
        fig = _figure((5.5, 4.5))
        ax = fig.add_subplot()
    fig = ax.figure
    a, b = sl.coordinates
    cs = ax.contourf(a, b, sl.train.T, levels=levels, cmap="viridis")
    ax.contour(a, b, sl.train.T, levels=levels, colors="k", linewidths=0.3, alpha=0.5)
    fig.colorbar(cs, ax=ax, label="training loss")
    ax.plot([0.0], [0.0], marker="*", color="white", markersize=10, markeredgecolor="k")
    if tree is not None:
        if tree.minima:
            ax.scatter(*zip(*[m.coords for m in tree.minima], strict=True), c="w", s=18, zorder=3)
        if tree.saddles:
            ax.scatter(
                *zip(*[s.coords for s in tree.saddles], strict=True), c="r", marker="x", zorder=3
            )
    for x, y, text in marks:
        ax.annotate(text, (x, y), color="white", fontsize=8, ha="center")
    xl, yl = _axis_labels(sl)
    ax.set_xlabel(xl)
    ax.set_ylabel(yl)
    ax.set_title(sl.label or "loss slice")
    return fig


def plot_slice_surface(sl: Any, *, ax: Any = None) -> Any:
    """The 2-D slice as a 3-D surface.

    Parameters
    ----------
    sl : LossSlice
        A 2-D slice.
    ax : matplotlib 3-D Axes, optional
        Draw into it; by default a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if sl.dims != 2:
        raise InputError("a surface plot needs a 2-D slice")
    if ax is None:
        fig = _figure((5.5, 4.5))
        ax = fig.add_subplot(projection="3d")
    a, b = np.meshgrid(*sl.coordinates, indexing="ij")
    ax.plot_surface(a, b, sl.train, cmap="viridis", linewidth=0, antialiased=True)
    xl, yl = _axis_labels(sl)
    ax.set_xlabel(xl, fontsize=7)
    ax.set_ylabel(yl, fontsize=7)
    ax.set_zlabel("training loss")
    return ax.figure


def plot_slice(sl: Any, *, tree: Any = None) -> Any:
    """A 1-D slice as curves (train and held-out), a 2-D one as contour and surface side by side.

    Parameters
    ----------
    sl : LossSlice
    tree : SliceMergeTree, optional
        Minima and saddles drawn on the contours of a 2-D slice.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if sl.dims == 1:
        fig = _figure((6.0, 4.0))
        ax = fig.add_subplot()
        (a,) = sl.coordinates
        ax.plot(a, sl.train, label="train")
        handles, labels = ax.get_legend_handles_labels()
        if sl.heldout is not None:
            twin = ax.twinx()
            twin.plot(a, sl.heldout, label="held-out", ls="--", color="C1")
            twin.set_ylabel("held-out loss (dashed)")
            h2, l2 = twin.get_legend_handles_labels()
            handles, labels = handles + h2, labels + l2
        ax.axvline(0.0, color="0.6", lw=0.8)
        ax.set_xlabel(_axis_labels(sl)[0].removesuffix(" 1"))
        ax.set_ylabel("training loss")
        ax.set_title(sl.label or "loss slice")
        ax.legend(handles, labels)
        return fig
    fig = _figure((11.0, 4.5))
    plot_slice_contour(sl, ax=fig.add_subplot(1, 2, 1), tree=tree)
    plot_slice_surface(sl, ax=fig.add_subplot(1, 2, 2, projection="3d"))
    return fig


def plot_line_vs_path(profile: Any, *, ax: Any = None, title: str | None = None) -> Any:
    """Loss along the straight line and along the path between two minima, with both barriers.

    Parameters
    ----------
    profile : InterpolationProfile
    ax : matplotlib Axes, optional
        Draw into it; by default a new figure.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if ax is None:
        fig = _figure((6.5, 4.2))
        ax = fig.add_subplot()
    fig = ax.figure
    ax.plot(
        profile.line_t,
        profile.line_energies,
        label=f"straight line (barrier {profile.line_barrier:.4g})",
    )
    ax.plot(
        profile.path_s,
        profile.path_energies,
        label=f"{profile.method} path (barrier {profile.path_barrier:.4g})",
    )
    handles, labels = ax.get_legend_handles_labels()
    if profile.line_heldout is not None and profile.path_heldout is not None:
        # its own axis: a held-out loss far above the training loss would flatten the barriers
        twin = ax.twinx()
        twin.plot(profile.line_t, profile.line_heldout, ls=":", color="C0", label="line, held-out")
        twin.plot(profile.path_s, profile.path_heldout, ls=":", color="C1", label="path, held-out")
        twin.set_ylabel("held-out loss (dotted)")
        h2, l2 = twin.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    kinds = np.array(profile.knots_kind)
    ts = np.isin(kinds, ("ts", "candidate"))
    mins = kinds == "minimum"
    ax.scatter(profile.knots_s[mins], profile.knots_energy[mins], c="k", s=20, zorder=3)
    ax.scatter(profile.knots_s[ts], profile.knots_energy[ts], c="r", marker="^", s=30, zorder=3)
    ax.set_xlabel("fraction of the way (line: t; path: arc length)")
    ax.set_ylabel("training loss")
    ax.set_title(title or "straight line vs path")
    ax.legend(handles, labels, fontsize=8)
    return fig


def plot_spectral_density(
    densities: Sequence[tuple[str, Any]] | Any, *, ax: Any = None, log: bool = True
) -> Any:
    """Hessian eigenvalue densities, one curve each, on a log scale by default.

    Parameters
    ----------
    densities : SpectralDensity or sequence of (str, SpectralDensity)
        The densities and their legend labels.
    ax : matplotlib Axes, optional
        Draw into it; by default a new figure.
    log : bool, default True
        Logarithmic density axis (as PyHessian draws it).

    Returns
    -------
    matplotlib.figure.Figure
    """
    items = densities if isinstance(densities, Sequence) else [("", densities)]
    if ax is None:
        fig = _figure((6.0, 4.0))
        ax = fig.add_subplot()
    fig = ax.figure
    for label, d in items:
        floor = np.maximum(d.density, 1e-12) if log else d.density
        ax.plot(d.grid, floor, label=label or None, lw=1.0)
    if log:
        ax.set_yscale("log")
        ax.set_ylim(bottom=1e-6)
    ax.set_xlabel("Hessian eigenvalue")
    ax.set_ylabel("density")
    if any(label for label, _ in items):
        ax.legend(fontsize=8)
    return fig


def plot_slice_merge_tree(tree: Any, disconnectivity: Any, *, reference: Any = None) -> Any:
    """The slice's disconnectivity graph, beside the database's (``reference``) when given.

    Parameters
    ----------
    tree : SliceMergeTree
        The slice's merge tree (for the title).
    disconnectivity : DisconnectivityTree
        Its disconnectivity tree (:func:`~lossatlas.energy._slice_topology.to_disconnectivity`).
    reference : DisconnectivityTree, optional
        The database's tree.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from lossatlas.energy._plots import plot_disconnectivity

    n = 1 if reference is None else 2
    fig = _figure((5.0 * n, 4.5))
    ax = fig.add_subplot(1, n, 1)
    plot_disconnectivity(disconnectivity, ax=ax, label_minima=True)
    ax.set_title(f"sampled slice: {len(tree.minima)} minima, {len(tree.saddles)} saddles")
    if reference is not None:
        ax2 = fig.add_subplot(1, n, 2)
        plot_disconnectivity(reference, ax=ax2, label_minima=True)
        ax2.set_title("database")
    return fig
