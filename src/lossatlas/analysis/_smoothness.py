"""Smoothness metrics: fitness-distance correlation, assortativity, random-walk autocorrelation.

References
----------
Jones, T. & Forrest, S. (1995). Fitness distance correlation as a measure of problem difficulty
for genetic algorithms. ICGA.
Newman, M. E. J. (2003). Mixing patterns in networks. Phys. Rev. E 67, 026126.
Weinberger, E. (1990). Correlated and uncorrelated fitness landscapes and how to tell the
difference. Biological Cybernetics 63, 325-336.
Huang, C. & Li, K. (2023). On the hyperparameter loss landscapes of machine learning models: an
exploratory study. arXiv:2311.14014.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from lossatlas.analysis._graph import cache_key, degrees, neighbour_graph, on_full_grid
from lossatlas.analysis._grid import grid_move_targets, grid_n_moves, grid_pair_product_sum
from lossatlas.analysis._neighbourhood import Neighbourhood, resolve_neighbourhood
from lossatlas.analysis._optima import distances_to_global
from lossatlas.analysis._stats import median, pearson, spearman
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape

__all__ = [
    "fdc",
    "assortativity",
    "random_walks",
    "walk_autocorrelation",
    "autocorrelation",
    "correlation_length",
]


def fdc(
    landscape: Landscape,
    *,
    loss: str = "test",
    method: Literal["pearson", "spearman"] = "pearson",
    neighbourhood: Neighbourhood | None = None,
) -> float:
    """Fitness-distance correlation (Jones & Forrest 1995).

    The correlation between the loss of each configuration and its grid distance to the nearest
    global optimum. Positive values (loss grows with distance) mean a landscape that guides
    search to the optimum. ``method="spearman"`` gives the rank version (``fdc_spearman``).

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
    method : {"pearson", "spearman"}, default "pearson"
    neighbourhood : Neighbourhood, optional
        Its distance is used (default: the 1-edit grid distance).

    Returns
    -------
    float
        In ``[-1, 1]``; NaN when the loss or the distance is constant.

    References
    ----------
    Jones, T. & Forrest, S. (1995). ICGA.
    """
    values = landscape.loss(loss)
    dist = distances_to_global(landscape, loss=loss, neighbourhood=neighbourhood)
    if method == "pearson":
        return pearson(values, dist)
    if method == "spearman":
        return spearman(values, dist)
    raise InputError(f"fdc method must be 'pearson' or 'spearman', not {method!r}")


def assortativity(
    landscape: Landscape, *, loss: str = "test", neighbourhood: Neighbourhood | None = None
) -> float:
    """Numeric assortativity of the loss over the neighbourhood graph (Newman 2003).

    The Pearson correlation of the losses at the two ends of every neighbour pair, each pair
    counted in both directions. High values mean configurations cluster with similar losses.
    The reference study's L-ast is reconstructed as this quantity.

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
    neighbourhood : Neighbourhood, optional

    Returns
    -------
    float
        In ``[-1, 1]``; NaN without edges or with a loss constant over them.

    References
    ----------
    Newman, M. E. J. (2003). Mixing patterns in networks. Phys. Rev. E 67, 026126.
    """
    values = landscape.loss(loss)
    centred = values - values.mean()
    nb = resolve_neighbourhood(neighbourhood)
    if on_full_grid(landscape, nb):
        degree = degrees(landscape)
        sum_xy = grid_pair_product_sum(landscape.space, centred)
        weight = degree.astype(np.float64)
        sum_x = float(np.einsum("i,i->", weight, centred))
        sum_xx = float(np.einsum("i,i,i->", weight, centred, centred))
        count = int(degree.sum())
        return _assortativity(sum_xy, sum_x, sum_xx, count)
    graph = neighbour_graph(landscape, neighbourhood=nb)
    sum_xy = sum_x = sum_xx = 0.0
    count = 0
    for k in range(graph.n_moves):
        target = graph.targets[k]
        valid = target >= 0
        x = centred[valid]
        y = centred[target[valid]]
        sum_xy += float(x @ y)
        sum_x += float(x.sum())
        sum_xx += float(x @ x)
        count += len(x)
    return _assortativity(sum_xy, sum_x, sum_xx, count)


def _assortativity(sum_xy: float, sum_x: float, sum_xx: float, count: int) -> float:
    if count == 0:
        return float("nan")
    mean = sum_x / count
    second = sum_xx / count
    var = second - mean * mean
    if var <= 1e-12 * second or var <= 1e-300:  # constant over the edges (up to round-off)
        return float("nan")
    return float(np.clip((sum_xy / count - mean * mean) / var, -1.0, 1.0))


def random_walks(
    landscape: Landscape,
    *,
    n_walks: int = 1000,
    walk_length: int = 20,
    seed: int = 0,
    neighbourhood: Neighbourhood | None = None,
) -> np.ndarray:
    """Rows visited by uniform random walks on the neighbourhood graph.

    Each walk starts at a uniformly random configuration and moves ``walk_length`` times to a
    uniformly random neighbour (a configuration without neighbours stays put). Vectorised over
    walkers: a move type is drawn uniformly and redrawn where it leaves the landscape, which is
    uniform over the valid neighbours.

    Parameters
    ----------
    landscape : Landscape
    n_walks, walk_length : int
        Number of walkers and moves per walk (both >= 1).
    seed : int, default 0
    neighbourhood : Neighbourhood, optional

    Returns
    -------
    ndarray of shape (n_walks, walk_length + 1)
        The rows visited, the start first.
    """
    if n_walks < 1 or walk_length < 1:
        raise InputError("n_walks and walk_length must be >= 1")
    rng = np.random.default_rng(seed)
    nb = resolve_neighbourhood(neighbourhood)
    if on_full_grid(landscape, nb):
        space = landscape.space
        n_moves = grid_n_moves(space)
        deg = degrees(landscape) if n_moves else np.zeros(landscape.n, int)

        def targets(moves: np.ndarray, rows: np.ndarray) -> np.ndarray:
            return grid_move_targets(space, moves, rows)
    else:
        graph = neighbour_graph(landscape, neighbourhood=nb)
        n_moves = graph.n_moves
        deg = (graph.targets >= 0).sum(axis=0) if n_moves else np.zeros(landscape.n, int)

        def targets(moves: np.ndarray, rows: np.ndarray) -> np.ndarray:
            return graph.targets[moves, rows]

    walks = np.empty((n_walks, walk_length + 1), dtype=np.int64)
    current = rng.integers(0, landscape.n, size=n_walks)
    walks[:, 0] = current
    for t in range(1, walk_length + 1):
        nxt = current.copy()
        pending = np.flatnonzero(deg[current] > 0)
        while len(pending):
            moves = rng.integers(0, n_moves, size=len(pending))
            target = targets(moves, current[pending])
            ok = target >= 0
            nxt[pending[ok]] = target[ok]
            pending = pending[~ok]
        current = nxt
        walks[:, t] = current
    return walks


def walk_autocorrelation(
    series: np.ndarray, *, estimator: Literal["median", "pooled"] = "median"
) -> float:
    """Lag-1 autocorrelation of loss series along walks (Weinberger 1990).

    Per walk: ``r = sum_t (x_t - m)(x_{t+1} - m) / sum_t (x_t - m)^2`` with ``m`` the walk's mean;
    ``"median"`` returns the median over walks (constant walks skipped), ``"pooled"`` uses one
    mean and pooled sums over all walks (pairs only within a walk).

    Parameters
    ----------
    series : ndarray of shape (n_walks, length)
        Loss along each walk (``length >= 2``).
    estimator : {"median", "pooled"}, default "median"

    Returns
    -------
    float
        NaN when every walk is constant.

    References
    ----------
    Weinberger, E. (1990). Biological Cybernetics 63, 325-336.
    """
    series = np.asarray(series, dtype=np.float64)
    if series.ndim != 2 or series.shape[1] < 2:
        raise InputError("walk series must have shape (n_walks, length >= 2)")
    if estimator == "median":
        centred = series - series.mean(axis=1, keepdims=True)
        num = (centred[:, :-1] * centred[:, 1:]).sum(axis=1)
        den = (centred * centred).sum(axis=1)
        # constant walks (up to the round-off of their mean) carry no correlation
        ok = den > 1e-24 * (series * series).sum(axis=1)
        return median(num[ok] / den[ok]) if ok.any() else float("nan")
    if estimator == "pooled":
        centred = series - series.mean()
        den = float((centred * centred).sum())
        if den <= 1e-24 * float((series * series).sum()) or den <= 0:
            return float("nan")
        return float((centred[:, :-1] * centred[:, 1:]).sum() / den)
    raise InputError(f"estimator must be 'median' or 'pooled', not {estimator!r}")


def autocorrelation(
    landscape: Landscape,
    *,
    loss: str = "test",
    n_walks: int = 1000,
    walk_length: int = 20,
    seed: int = 0,
    estimator: Literal["median", "pooled"] = "median",
    neighbourhood: Neighbourhood | None = None,
) -> float:
    """Random-walk lag-1 autocorrelation rho_a of the loss (Weinberger 1990).

    Defaults follow the reference reconstruction: 1,000 seeded walks of 20 steps, the median of
    per-walk estimates (``estimator="pooled"`` for the pooled one). Values near 1 mean a smooth
    landscape.

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
    n_walks, walk_length, seed : int
        Random-walk settings (walks are cached per setting).
    estimator : {"median", "pooled"}, default "median"
    neighbourhood : Neighbourhood, optional
        The walks move along its edges.

    Returns
    -------
    float

    References
    ----------
    Weinberger, E. (1990). Biological Cybernetics 63, 325-336.
    """
    nb = resolve_neighbourhood(neighbourhood)
    walks = landscape.cached(
        ("walks", n_walks, walk_length, seed, *cache_key(nb)),
        lambda: random_walks(
            landscape, n_walks=n_walks, walk_length=walk_length, seed=seed, neighbourhood=nb
        ),
    )
    return walk_autocorrelation(landscape.loss(loss)[walks], estimator=estimator)


def correlation_length(rho: float) -> float:
    """Correlation length ``-1 / ln |rho|`` (infinite at ``|rho| = 1``, NaN for NaN).

    Parameters
    ----------
    rho : float
        A lag-1 autocorrelation.

    Returns
    -------
    float

    References
    ----------
    Weinberger, E. (1990). Biological Cybernetics 63, 325-336.
    """
    if not np.isfinite(rho):
        return float("nan")
    magnitude = abs(rho)
    if magnitude >= 1.0:
        return float("inf")
    if magnitude == 0.0:
        return 0.0
    return float(-1.0 / np.log(magnitude))
