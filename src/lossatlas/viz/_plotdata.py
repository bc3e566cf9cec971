"""Plot data of landscape figures: plain arrays in frozen dataclasses, no drawing.

Every figure is two steps (as in Optuna's visualisation): a function here computes what to draw,
and a renderer (:mod:`lossatlas.viz._plots` for matplotlib, :mod:`lossatlas.viz._interactive` for
plotly) only draws it. The landscape map itself is
:class:`~lossatlas.viz._landscape_map.LandscapeMap`; slices along hyperparameters and loss
scatters are in :mod:`lossatlas.viz._slices`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import griddata
from scipy.spatial import QhullError

from lossatlas.analysis._graph import edge_list
from lossatlas.analysis._neighbourhood import Neighbourhood
from lossatlas.analysis._optima import Optima, local_optima
from lossatlas.analysis._smoothness import random_walks
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape
from lossatlas.viz._landscape_map import LandscapeMap

__all__ = [
    "Autocorrelation",
    "BasinSizes",
    "OptimaNetwork",
    "Surface",
    "autocorrelation_curve",
    "basin_sizes",
    "interpolated_surface",
    "optima_network",
]


@dataclass(frozen=True)
class Surface:
    """Loss rank interpolated over the map plane.

    ``z[i, j]`` is the value at ``(x[j], y[i])`` (matplotlib/plotly ``contourf(x, y, z)``
    order); NaN outside the convex hull of the mapped points.

    Attributes
    ----------
    x, y : ndarray
        Mesh coordinates (``resolution`` each).
    z : ndarray of shape (len(y), len(x))
        Interpolated value.
    value : str
        What ``z`` holds (``"loss rank"``).
    """

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    value: str


def interpolated_surface(lmap: LandscapeMap, *, resolution: int = 100) -> Surface:
    """Linear interpolation (``scipy.interpolate.griddata``) of the loss rank onto a mesh.

    The study's surface: the map's points carry their loss rank, interpolated linearly on the
    Delaunay triangulation of the points onto a ``resolution x resolution`` mesh spanning
    their bounding box. Fewer than three points, or collinear ones, give an all-NaN surface.

    Parameters
    ----------
    lmap : LandscapeMap
        From :func:`~lossatlas.viz.landscape_map`.
    resolution : int, default 100
        Mesh points per axis.

    Returns
    -------
    Surface
    """
    if resolution < 2:
        raise InputError(f"resolution must be >= 2, got {resolution}")
    pts = np.asarray(lmap.coords, dtype=np.float64)
    lo = pts.min(axis=0) if len(pts) else np.zeros(2)
    hi = pts.max(axis=0) if len(pts) else np.ones(2)
    hi = np.where(hi > lo, hi, lo + 1.0)
    x = np.linspace(lo[0], hi[0], resolution)
    y = np.linspace(lo[1], hi[1], resolution)
    gx, gy = np.meshgrid(x, y)
    try:
        z = griddata(pts, np.asarray(lmap.rank, np.float64), (gx, gy), method="linear")
    except (QhullError, ValueError):
        z = np.full(gx.shape, np.nan)
    return Surface(x=x, y=y, z=z, value="loss rank")


@dataclass(frozen=True)
class OptimaNetwork:
    """Local-optima network: nodes are local optima, edges their best escapes.

    Attributes
    ----------
    optima_rows, loss, basin_size, is_global : ndarray of shape (k,)
        Landscape row, loss and basin size of each optimum; whether it is a global optimum.
    source, target : ndarray of shape (e,)
        Edge ``source[i] -> target[i]`` between optima (indices ``0..k-1``).
    escape_row, escape_loss : ndarray of shape (e,)
        The configuration through which the source basin is left, and its loss.
    position : ndarray of shape (k, 2)
        Layout: the optima's map coordinates when a map is given, else a circle ordered by loss.
    """

    optima_rows: np.ndarray
    loss: np.ndarray
    basin_size: np.ndarray
    is_global: np.ndarray
    source: np.ndarray
    target: np.ndarray
    escape_row: np.ndarray
    escape_loss: np.ndarray
    position: np.ndarray


def optima_network(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    optima: Optima | None = None,
    lmap: LandscapeMap | None = None,
    neighbourhood: Neighbourhood | None = None,
) -> OptimaNetwork:
    """Local-optima network with *best-escape* edges (after Ochoa et al. 2008).

    Nodes are the local optima (basins of :func:`~lossatlas.analysis._optima.local_optima`).
    The *border* of basin ``b`` is the set of configurations outside ``b`` adjacent (one
    1-edit move) to a configuration of ``b``. The best escape of ``b`` is the border
    configuration with the lowest loss (lowest row on ties); the edge ``b -> c`` joins ``b`` to
    the basin ``c`` that configuration belongs to. So each optimum has at most one outgoing edge
    (none when its basin is the whole connected component), and following edges models an
    escape by the cheapest single perturbation. Cost ``O(edges)``.

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
        Loss column.
    epsilon : float, default 0.0
        Neutrality threshold of the local optima.
    optima : Optima, optional
        Precomputed :func:`~lossatlas.analysis.local_optima` (same ``loss``/``epsilon``).
    lmap : LandscapeMap, optional
        Gives the nodes the map's coordinates.
    neighbourhood : Neighbourhood, optional
        Which one-HP changes are moves (default: the 1-edit neighbourhood, see
        :func:`lossatlas.analysis.one_edit`).

    Returns
    -------
    OptimaNetwork

    References
    ----------
    G. Ochoa, M. Tomassini, S. Verel, C. Darabos. "A study of NK landscapes' basins and local
    optima networks", GECCO 2008.
    """
    opt = optima
    if opt is None:
        opt = local_optima(landscape, loss=loss, epsilon=epsilon, neighbourhood=neighbourhood)
    values = landscape.loss(loss)
    u, v = edge_list(landscape, neighbourhood=neighbourhood)
    src = np.concatenate([u, v])
    dst = np.concatenate([v, u])
    bs, bd = opt.basin[src], opt.basin[dst]
    cross = bs != bd
    src, dst, bs, bd = src[cross], dst[cross], bs[cross], bd[cross]
    order = np.lexsort((dst, values[dst], bs))
    first = np.ones(len(order), dtype=bool)
    first[1:] = bs[order][1:] != bs[order][:-1]
    pick = order[first]
    k = opt.n_optima
    best = values[opt.optima_rows]
    is_global = np.isin(opt.optima_rows, opt.global_rows)
    if lmap is not None and np.isin(opt.optima_rows, lmap.rows).all():
        position = lmap.coords[np.searchsorted(lmap.rows, opt.optima_rows)]
    else:
        angle = np.zeros(k)
        angle[np.lexsort((np.arange(k), best))] = 2 * np.pi * np.arange(k) / max(k, 1)
        position = np.column_stack([np.cos(angle), np.sin(angle)])
    return OptimaNetwork(
        optima_rows=opt.optima_rows.copy(),
        loss=best,
        basin_size=opt.basin_size.copy(),
        is_global=is_global,
        source=bs[pick].astype(np.int64),
        target=bd[pick].astype(np.int64),
        escape_row=dst[pick].astype(np.int64),
        escape_loss=values[dst[pick]],
        position=np.asarray(position, dtype=np.float64),
    )


@dataclass(frozen=True)
class BasinSizes:
    """Basin sizes of the local optima, largest first, with each optimum's loss.

    Attributes
    ----------
    size : ndarray
        Configurations per basin, descending.
    loss : ndarray
        Loss of each basin's optimum.
    is_global : ndarray of bool
    n_configs : int
    epsilon : float
    """

    size: np.ndarray
    loss: np.ndarray
    is_global: np.ndarray
    n_configs: int
    epsilon: float


def basin_sizes(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    optima: Optima | None = None,
    neighbourhood: Neighbourhood | None = None,
) -> BasinSizes:
    """Basin-size distribution (sizes sorted descending; ties by optimum loss).

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
    epsilon : float, default 0.0
        Neutrality threshold.
    optima : Optima, optional
        Precomputed :func:`~lossatlas.analysis.local_optima`.
    neighbourhood : Neighbourhood, optional
        Which one-HP changes are moves (default: the 1-edit neighbourhood, see
        :func:`lossatlas.analysis.one_edit`).

    Returns
    -------
    BasinSizes
    """
    opt = optima
    if opt is None:
        opt = local_optima(landscape, loss=loss, epsilon=epsilon, neighbourhood=neighbourhood)
    order = np.lexsort((opt.optima_loss, -opt.basin_size))
    return BasinSizes(
        size=opt.basin_size[order].copy(),
        loss=opt.optima_loss[order].copy(),
        is_global=np.isin(opt.optima_rows[order], opt.global_rows),
        n_configs=landscape.n,
        epsilon=float(opt.epsilon),
    )


@dataclass(frozen=True)
class Autocorrelation:
    """Random-walk autocorrelation ``r(s)`` of the loss for lags ``s = 1..max_lag``.

    ``ar1`` is ``r(1)^s``, the curve of an AR(1) (elementary) landscape for comparison.

    Attributes
    ----------
    lags : ndarray
    r : ndarray
        ``r(s)`` per lag.
    ar1 : ndarray
    n_walks, walk_length : int
    """

    lags: np.ndarray
    r: np.ndarray
    ar1: np.ndarray
    n_walks: int
    walk_length: int


def autocorrelation_curve(
    landscape: Landscape,
    *,
    loss: str = "test",
    max_lag: int = 10,
    n_walks: int = 1000,
    walk_length: int = 20,
    seed: int = 0,
    neighbourhood: Neighbourhood | None = None,
) -> Autocorrelation:
    """Autocorrelation of the loss along uniform random walks (Weinberger 1990).

    ``r(s) = sum_pairs (f_t - m)(f_{t+s} - m) / sum_points (f - m)^2`` with ``m`` the mean loss
    over all visited points, the first sum over every pair ``s`` steps apart within a walk
    (pooled over walks; walks from :func:`lossatlas.analysis._smoothness.random_walks`). With
    the profile's walks (same ``n_walks``, ``walk_length`` and ``seed``, 1000 x 20 by
    default) ``r(1)`` is the profile's ``autocorrelation_pooled``.

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
    max_lag : int, default 10
    n_walks : int, default 1000
    walk_length : int, default 40
    seed : int, default 0
        Seed of the walks.
    neighbourhood : Neighbourhood, optional
        Which one-HP changes are moves (default: the 1-edit neighbourhood, see
        :func:`lossatlas.analysis.one_edit`).

    Returns
    -------
    Autocorrelation

    References
    ----------
    E. Weinberger. "Correlated and uncorrelated fitness landscapes and how to tell the
    difference", Biological Cybernetics 63, 1990.
    """
    if not 1 <= max_lag <= walk_length:
        raise InputError(f"max_lag must lie in 1..walk_length={walk_length}, got {max_lag}")
    walks = random_walks(
        landscape,
        n_walks=n_walks,
        walk_length=walk_length,
        seed=seed,
        neighbourhood=neighbourhood,
    )
    f = landscape.loss(loss)[walks]
    centred = f - f.mean()
    total = float((centred * centred).sum())
    lags = np.arange(1, max_lag + 1)
    if total <= 1e-24 * float((f * f).sum()) or total <= 0:
        r = np.full(max_lag, np.nan)
    else:
        r = np.array([(centred[:, :-s] * centred[:, s:]).sum() / total for s in lags])
    return Autocorrelation(
        lags=lags, r=r, ar1=r[0] ** lags, n_walks=n_walks, walk_length=walk_length
    )
