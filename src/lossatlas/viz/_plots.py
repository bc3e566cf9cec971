"""Matplotlib renderers of the landscape figures (headless: ``matplotlib.figure.Figure``).

Each function draws plot data from :mod:`lossatlas.viz._plotdata` (or a
:class:`~lossatlas.viz._landscape_map.LandscapeMap`) and returns the figure. Pass ``ax=`` to draw
into an existing axes (its figure is returned); without it a new figure is made, no pyplot
state is touched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from lossatlas.errors import InputError, require
from lossatlas.viz._landscape_map import LandscapeMap
from lossatlas.viz._plotdata import (
    Autocorrelation,
    BasinSizes,
    OptimaNetwork,
    Surface,
)
from lossatlas.viz._slices import (
    HPSlice,
    LossScatter,
    PairMarginal,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "plot_autocorrelation",
    "plot_basin_sizes",
    "plot_hp_slice",
    "plot_loss_scatter",
    "plot_map",
    "plot_optima_network",
    "plot_pair_marginal",
    "plot_pair_marginals",
    "plot_surface",
    "plot_surface_3d",
]

CMAP = "viridis"
LOCAL_STYLE: dict[str, Any] = dict(marker="^", s=40, c="white", edgecolors="black", zorder=3)
GLOBAL_STYLE: dict[str, Any] = dict(marker="*", s=220, c="red", edgecolors="black", zorder=4)


def _axes(ax: Axes | None, *, figsize=(6.0, 5.0), projection: str | None = None):
    if ax is not None:
        return ax.figure, ax
    require("matplotlib", "viz", purpose="matplotlib figures")
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot(projection=projection)


def plot_map(
    lmap: LandscapeMap, *, ax: Axes | None = None, surface: Surface | None = None
) -> Figure:
    """The landscape map: points coloured by loss rank, optional contour underlay, optima marked.

    Parameters
    ----------
    lmap : LandscapeMap
        From :func:`~lossatlas.viz.landscape_map`.
    ax : Axes, optional
        Draw into this axes (its figure is returned); a new headless figure otherwise.
    surface : Surface, optional
        From :func:`~lossatlas.viz.interpolated_surface`, drawn as filled contours underneath.

    Returns
    -------
    Figure
        A matplotlib figure (no pyplot state touched).
    """
    fig, ax = _axes(ax)
    if surface is not None:
        ax.contourf(surface.x, surface.y, surface.z, levels=20, cmap=CMAP, alpha=0.35)
    art = ax.scatter(lmap.coords[:, 0], lmap.coords[:, 1], c=lmap.rank, cmap=CMAP, s=8)
    loc = lmap.is_local_optimum & ~lmap.is_global_optimum
    ax.scatter(*lmap.coords[loc].T, label="local optimum", **LOCAL_STYLE)
    ax.scatter(*lmap.coords[lmap.is_global_optimum].T, label="global optimum", **GLOBAL_STYLE)
    fig.colorbar(art, ax=ax, label=f"rank of {lmap.loss_name} loss (1 = best)")
    sub = f", {len(lmap.rows)} of {lmap.n_configs} configs" if lmap.subsampled else ""
    fallback = " (fallback: umap-learn missing)" if lmap.fallback else ""
    ax.set_title(f"landscape map ({lmap.method}{fallback}{sub})")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(loc="best", fontsize="small")
    return fig


def plot_surface(
    surface: Surface, *, ax: Axes | None = None, lmap: LandscapeMap | None = None
) -> Figure:
    """Filled contours of the interpolated rank surface (optima marked when ``lmap`` given).

    Parameters
    ----------
    surface : Surface
        From :func:`~lossatlas.viz.interpolated_surface`.
    ax : Axes, optional
        Draw into this axes (its figure is returned); a new headless figure otherwise.
    lmap : LandscapeMap, optional
        Its local and global optima are marked.

    Returns
    -------
    Figure
        A matplotlib figure (no pyplot state touched).
    """
    fig, ax = _axes(ax)
    art = ax.contourf(surface.x, surface.y, surface.z, levels=20, cmap=CMAP)
    if lmap is not None:
        loc = lmap.is_local_optimum & ~lmap.is_global_optimum
        ax.scatter(*lmap.coords[loc].T, label="local optimum", **LOCAL_STYLE)
        ax.scatter(*lmap.coords[lmap.is_global_optimum].T, label="global optimum", **GLOBAL_STYLE)
        ax.legend(loc="best", fontsize="small")
    fig.colorbar(art, ax=ax, label=surface.value)
    ax.set_title(f"interpolated {surface.value} (linear)")
    ax.set_xticks([])
    ax.set_yticks([])
    return fig


def plot_surface_3d(surface: Surface, *, ax: Axes | None = None) -> Figure:
    """The rank surface in 3-D (``ax`` must be a ``projection="3d"`` axes).

    Parameters
    ----------
    surface : Surface
        From :func:`~lossatlas.viz.interpolated_surface`.
    ax : Axes, optional
        A 3-D axes to draw into; a new figure otherwise.

    Returns
    -------
    Figure
        A matplotlib figure (no pyplot state touched).
    """
    fig, ax = _axes(ax, projection="3d")
    if not hasattr(ax, "plot_surface"):
        raise InputError("plot_surface_3d needs an axes made with projection='3d'")
    gx, gy = np.meshgrid(surface.x, surface.y)
    z = np.ma.masked_invalid(surface.z)
    ax.plot_surface(gx, gy, z, cmap=CMAP, linewidth=0, antialiased=False)
    ax.set_zlabel(surface.value)
    ax.set_title(f"{surface.value} surface")
    return fig


def plot_optima_network(
    net: OptimaNetwork, *, ax: Axes | None = None, max_optima: int = 300
) -> Figure:
    """Local-optima network: nodes sized by basin, coloured by loss; arrows = best escapes.

    Only the ``max_optima`` largest basins (and the global optimum) are drawn.

    Parameters
    ----------
    net : OptimaNetwork
        From :func:`~lossatlas.viz.optima_network`.
    ax : Axes, optional
        Draw into this axes (its figure is returned); a new headless figure otherwise.
    max_optima : int, default 300
        Most optima drawn (the largest basins).

    Returns
    -------
    Figure
        A matplotlib figure (no pyplot state touched).
    """
    fig, ax = _axes(ax)
    shown = _largest(net, max_optima)
    keep = np.isin(net.source, shown) & np.isin(net.target, shown)
    for s, t in zip(net.source[keep], net.target[keep], strict=True):
        ax.annotate(
            "",
            xy=net.position[t],
            xytext=net.position[s],
            arrowprops=dict(arrowstyle="->", color="0.5", lw=0.8),
            zorder=1,
        )
    sizes = 20 + 400 * net.basin_size[shown] / max(net.basin_size.max(), 1)
    art = ax.scatter(
        *net.position[shown].T, s=sizes, c=net.loss[shown], cmap=CMAP, edgecolors="black", zorder=2
    )
    glob = shown[net.is_global[shown]]
    ax.scatter(*net.position[glob].T, label="global optimum", **GLOBAL_STYLE)
    fig.colorbar(art, ax=ax, label="optimum loss")
    ax.set_title(f"local-optima network ({len(net.loss)} optima, best-escape edges)")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(loc="best", fontsize="small")
    return fig


def _largest(net: OptimaNetwork, limit: int) -> np.ndarray:
    order = np.lexsort((net.loss, -net.basin_size))[:limit]
    return np.union1d(order, np.flatnonzero(net.is_global))


def plot_hp_slice(data: HPSlice, *, ax: Axes | None = None) -> Figure:
    """One-HP slice through the global optimum, with best and mean over the other HPs.

    Parameters
    ----------
    data : HPSlice
        From :func:`~lossatlas.viz.hp_slice`.
    ax : Axes, optional
        Draw into this axes (its figure is returned); a new headless figure otherwise.

    Returns
    -------
    Figure
        A matplotlib figure (no pyplot state touched).
    """
    fig, ax = _axes(ax, figsize=(6.0, 4.0))
    pos = np.arange(len(data.labels))
    ax.plot(pos, data.through_optimum, "o-", label="others at the global optimum")
    ax.plot(pos, data.best, "s--", label="best over the other HPs")
    ax.plot(pos, data.mean, "d:", label="mean over the other HPs")
    ax.set_xticks(pos, data.labels, rotation=45 if len(pos) > 6 else 0)
    ax.set_xlabel(data.hp + (" (log-spaced)" if data.log else ""))
    ax.set_ylabel(f"{data.loss_name} loss")
    ax.set_title(f"slice along {data.hp}")
    ax.legend(fontsize="small")
    return fig


def plot_pair_marginal(
    data: PairMarginal,
    *,
    statistic: Literal["best", "mean"] = "best",
    ax: Axes | None = None,
) -> Figure:
    """Heatmap of the pairwise marginal, ``best`` (minimum) or ``mean`` over the other HPs.

    Parameters
    ----------
    data : PairMarginal
        From :func:`~lossatlas.viz.pair_marginal`.
    statistic : {"best", "mean"}, default "best"
        Which marginal to draw.
    ax : Axes, optional
        Draw into this axes (its figure is returned); a new headless figure otherwise.

    Returns
    -------
    Figure
        A matplotlib figure (no pyplot state touched).
    """
    if statistic not in ("best", "mean"):
        raise InputError(f"statistic must be 'best' or 'mean', got {statistic!r}")
    fig, ax = _axes(ax, figsize=(5.0, 4.0))
    values = data.best if statistic == "best" else data.mean
    art = ax.imshow(np.ma.masked_invalid(values), origin="lower", cmap=CMAP, aspect="auto")
    ax.set_xticks(np.arange(len(data.labels_x)), data.labels_x, rotation=45)
    ax.set_yticks(np.arange(len(data.labels_y)), data.labels_y)
    ax.set_xlabel(data.hp_x)
    ax.set_ylabel(data.hp_y)
    fig.colorbar(art, ax=ax, label=f"{statistic} {data.loss_name} loss over the other HPs")
    ax.set_title(f"{statistic} over the other HPs")
    return fig


def plot_pair_marginals(data: PairMarginal) -> Figure:
    """Both heatmaps side by side: best (left) and mean (right) over the other HPs.

    Parameters
    ----------
    data : PairMarginal
        From :func:`~lossatlas.viz.pair_marginal`.

    Returns
    -------
    Figure
        A matplotlib figure (no pyplot state touched).
    """
    require("matplotlib", "viz", purpose="matplotlib figures")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10.0, 4.0), layout="constrained")
    left, right = fig.subplots(1, 2)
    plot_pair_marginal(data, statistic="best", ax=left)
    plot_pair_marginal(data, statistic="mean", ax=right)
    fig.suptitle(f"{data.hp_y} x {data.hp_x}")
    return fig


def plot_loss_scatter(data: LossScatter, *, ax: Axes | None = None) -> Figure:
    """Scatter of two losses (train vs test) with the diagonal and their correlations.

    Parameters
    ----------
    data : LossScatter
        From :func:`~lossatlas.viz.loss_scatter`.
    ax : Axes, optional
        Draw into this axes (its figure is returned); a new headless figure otherwise.

    Returns
    -------
    Figure
        A matplotlib figure (no pyplot state touched).
    """
    fig, ax = _axes(ax, figsize=(5.0, 5.0))
    ax.scatter(data.x, data.y, s=6, alpha=0.5)
    lo = float(min(data.x.min(), data.y.min()))
    hi = float(max(data.x.max(), data.y.max()))
    ax.plot([lo, hi], [lo, hi], color="0.5", lw=0.8, ls="--")
    ax.set_xlabel(f"{data.x_name} loss")
    ax.set_ylabel(f"{data.y_name} loss")
    ax.set_title(f"{data.y_name} vs {data.x_name}: Spearman {data.spearman:.2f}")
    return fig


def plot_basin_sizes(data: BasinSizes, *, ax: Axes | None = None) -> Figure:
    """Basin size against optimum rank (log scale), the global optimum's basin highlighted.

    Parameters
    ----------
    data : BasinSizes
        From :func:`~lossatlas.viz.basin_sizes`.
    ax : Axes, optional
        Draw into this axes (its figure is returned); a new headless figure otherwise.

    Returns
    -------
    Figure
        A matplotlib figure (no pyplot state touched).
    """
    fig, ax = _axes(ax, figsize=(6.0, 4.0))
    rank = np.arange(1, len(data.size) + 1)
    ax.bar(rank, data.size, color=np.where(data.is_global, "red", "C0"))
    if len(data.size) and data.size.max() / max(data.size.min(), 1) > 50:
        ax.set_yscale("log")
    ax.set_xlabel("local optimum (largest basin first)")
    ax.set_ylabel("basin size (configurations)")
    ax.set_title(f"basin sizes ({len(data.size)} optima, red = global)")
    return fig


def plot_autocorrelation(data: Autocorrelation, *, ax: Axes | None = None) -> Figure:
    """Random-walk autocorrelation ``r(s)`` against lag, with the AR(1) curve ``r(1)^s``.

    Parameters
    ----------
    data : Autocorrelation
        From :func:`~lossatlas.viz.autocorrelation_curve`.
    ax : Axes, optional
        Draw into this axes (its figure is returned); a new headless figure otherwise.

    Returns
    -------
    Figure
        A matplotlib figure (no pyplot state touched).
    """
    fig, ax = _axes(ax, figsize=(6.0, 4.0))
    ax.plot(data.lags, data.r, "o-", label="random walks")
    ax.plot(data.lags, data.ar1, "--", color="0.5", label="r(1)^s (AR(1))")
    ax.axhline(0.0, color="0.8", lw=0.8)
    ax.set_xlabel("lag s (steps)")
    ax.set_ylabel("autocorrelation r(s)")
    ax.set_title(f"random-walk autocorrelation ({data.n_walks} walks)")
    ax.legend(fontsize="small")
    return fig
