"""Plot data of landscape figures: plain arrays in frozen dataclasses, no drawing.

Every figure is two steps (as in Optuna's visualisation): a function here computes what to draw,
and a renderer (:mod:`lossatlas.viz._plots` for matplotlib, :mod:`lossatlas.viz._interactive` for
plotly) only draws it. The landscape map itself is
:class:`~lossatlas.viz._landscape_map.LandscapeMap`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import griddata
from scipy.spatial import QhullError

from lossatlas.analysis._graph import edge_list
from lossatlas.analysis._optima import Optima, local_optima
from lossatlas.analysis._smoothness import random_walks
from lossatlas.analysis._stats import pearson, spearman
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape
from lossatlas.viz._landscape_map import LandscapeMap

__all__ = [
    "Autocorrelation",
    "BasinSizes",
    "HPSlice",
    "LossScatter",
    "OptimaNetwork",
    "PairMarginal",
    "Surface",
    "autocorrelation_curve",
    "basin_sizes",
    "hp_slice",
    "interpolated_surface",
    "loss_scatter",
    "optima_network",
    "pair_marginal",
]


@dataclass(frozen=True)
class Surface:
    """Loss rank interpolated over the map plane.

    ``z[i, j]`` is the value at ``(x[j], y[i])`` (matplotlib/plotly ``contourf(x, y, z)``
    order); NaN outside the convex hull of the mapped points.
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
) -> OptimaNetwork:
    """Local-optima network with *best-escape* edges (after Ochoa et al. 2008).

    Nodes are the local optima (basins of :func:`~lossatlas.analysis._optima.local_optima`).
    The *border* of basin ``b`` is the set of configurations outside ``b`` adjacent (one
    1-edit move) to a configuration of ``b``. The best escape of ``b`` is the border
    configuration with the lowest loss (lowest row on ties); the edge ``b -> c`` joins ``b`` to
    the basin ``c`` that configuration belongs to. So each optimum has at most one outgoing edge
    (none when its basin is the whole connected component), and following edges models an
    escape by the cheapest single perturbation. Cost ``O(edges)``.

    References
    ----------
    G. Ochoa, M. Tomassini, S. Verel, C. Darabos. "A study of NK landscapes' basins and local
    optima networks", GECCO 2008.
    """
    opt = optima if optima is not None else local_optima(landscape, loss=loss, epsilon=epsilon)
    values = landscape.loss(loss)
    u, v = edge_list(landscape)
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


def _labels(landscape: Landscape, j: int) -> tuple[str, ...]:
    return tuple(str(v) for v in landscape.space.hyperparameters[j].values)


def _hp_index(landscape: Landscape, hp: str) -> int:
    names = landscape.space.names
    if hp not in names:
        raise InputError(f"no hyperparameter {hp!r} (have: {', '.join(names)})")
    return names.index(hp)


def _group_stats(keys: np.ndarray, values: np.ndarray, size: int):
    count = np.bincount(keys, minlength=size)
    total = np.bincount(keys, weights=values, minlength=size)
    best = np.full(size, np.inf)
    np.minimum.at(best, keys, values)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
    best[count == 0] = np.nan
    return best, mean, count


@dataclass(frozen=True)
class HPSlice:
    """Loss along one hyperparameter.

    ``through_optimum``: the other HPs fixed at the global optimum's values (NaN where that
    configuration was not evaluated); ``best`` / ``mean``: minimum / mean over all values of
    the other HPs (marginal), ``count`` configurations each.
    """

    hp: str
    labels: tuple[str, ...]
    through_optimum: np.ndarray
    best: np.ndarray
    mean: np.ndarray
    count: np.ndarray
    log: bool
    loss_name: str


def hp_slice(landscape: Landscape, hp: str, *, loss: str = "test") -> HPSlice:
    """One-HP slice through the global optimum, and best/mean marginals over the other HPs."""
    j = _hp_index(landscape, hp)
    values = landscape.loss(loss)
    codes = landscape.codes
    radix = int(landscape.space.radices[j])
    best, mean, count = _group_stats(codes[:, j].astype(np.int64), values, radix)
    g = int(np.flatnonzero(values == values.min())[0])
    probe = np.repeat(codes[g : g + 1].astype(np.int64), radix, axis=0)
    probe[:, j] = np.arange(radix)
    rows = landscape.rows_of(landscape.space.encode(probe))
    through = np.where(rows >= 0, values[np.maximum(rows, 0)], np.nan)
    return HPSlice(
        hp=hp,
        labels=_labels(landscape, j),
        through_optimum=through,
        best=best,
        mean=mean,
        count=count,
        log=bool(landscape.space.hyperparameters[j].log),
        loss_name=loss,
    )


@dataclass(frozen=True)
class PairMarginal:
    """Loss over a pair of HPs: ``best[i, j]`` / ``mean[i, j]`` over the other HPs.

    Rows index ``hp_y``'s values and columns ``hp_x``'s (image order); NaN where no
    configuration has that pair of values.
    """

    hp_x: str
    hp_y: str
    labels_x: tuple[str, ...]
    labels_y: tuple[str, ...]
    best: np.ndarray
    mean: np.ndarray
    count: np.ndarray
    loss_name: str


def pair_marginal(
    landscape: Landscape, hp_x: str, hp_y: str, *, loss: str = "test"
) -> PairMarginal:
    """Pairwise marginal of the loss: minimum and mean over every other HP, per value pair."""
    jx, jy = _hp_index(landscape, hp_x), _hp_index(landscape, hp_y)
    if jx == jy:
        raise InputError(f"pair_marginal needs two different hyperparameters, got {hp_x!r} twice")
    rx, ry = int(landscape.space.radices[jx]), int(landscape.space.radices[jy])
    codes = landscape.codes
    keys = codes[:, jy].astype(np.int64) * rx + codes[:, jx].astype(np.int64)
    best, mean, count = _group_stats(keys, landscape.loss(loss), rx * ry)
    return PairMarginal(
        hp_x=hp_x,
        hp_y=hp_y,
        labels_x=_labels(landscape, jx),
        labels_y=_labels(landscape, jy),
        best=best.reshape(ry, rx),
        mean=mean.reshape(ry, rx),
        count=count.reshape(ry, rx),
        loss_name=loss,
    )


@dataclass(frozen=True)
class LossScatter:
    """Two loss columns of the same configurations, with their rank and linear correlation."""

    x: np.ndarray
    y: np.ndarray
    x_name: str
    y_name: str
    spearman: float
    pearson: float


def loss_scatter(
    landscape: Landscape, *, x: str = "train", y: str = "test", rows: np.ndarray | None = None
) -> LossScatter:
    """Train-vs-test (or any two losses): correlations over every configuration.

    ``rows`` limits the *points* returned (e.g. a map's subsample), not the correlations.
    """
    xs, ys = landscape.loss(x), landscape.loss(y)
    # the package's one Spearman/Pearson: NaN for sides constant up to round-off
    ok = len(xs) > 2
    rho = spearman(xs, ys) if ok else float("nan")
    r = pearson(xs, ys) if ok else float("nan")
    pick = slice(None) if rows is None else np.asarray(rows, dtype=np.int64)
    return LossScatter(
        x=xs[pick].copy(), y=ys[pick].copy(), x_name=x, y_name=y, spearman=rho, pearson=r
    )


@dataclass(frozen=True)
class BasinSizes:
    """Basin sizes of the local optima, largest first, with each optimum's loss."""

    size: np.ndarray
    loss: np.ndarray
    is_global: np.ndarray
    n_configs: int
    epsilon: float


def basin_sizes(
    landscape: Landscape, *, loss: str = "test", epsilon: float = 0.0, optima: Optima | None = None
) -> BasinSizes:
    """Basin-size distribution (sizes sorted descending; ties by optimum loss)."""
    opt = optima if optima is not None else local_optima(landscape, loss=loss, epsilon=epsilon)
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
) -> Autocorrelation:
    """Autocorrelation of the loss along uniform random walks (Weinberger 1990).

    ``r(s) = sum_pairs (f_t - m)(f_{t+s} - m) / sum_points (f - m)^2`` with ``m`` the mean loss
    over all visited points, the first sum over every pair ``s`` steps apart within a walk
    (pooled over walks; walks from :func:`lossatlas.analysis._smoothness.random_walks`). With
    the profile's walks (same ``n_walks``, ``walk_length`` and ``seed``, 1000 x 20 by
    default) ``r(1)`` is the profile's ``autocorrelation_pooled``.

    References
    ----------
    E. Weinberger. "Correlated and uncorrelated fitness landscapes and how to tell the
    difference", Biological Cybernetics 63, 1990.
    """
    if not 1 <= max_lag <= walk_length:
        raise InputError(f"max_lag must lie in 1..walk_length={walk_length}, got {max_lag}")
    walks = random_walks(landscape, n_walks=n_walks, walk_length=walk_length, seed=seed)
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
