"""Correlations of the objective with its neighbourhood, its basins and its climbs.

References
----------
GraphFLA 0.4.0 (COLA-Laboratory/GraphFLA), ``analysis/correlation.py``.
Ochoa, G., Tomassini, M., Verel, S. & Darabos, C. (2008). A study of NK landscapes' basins and
local optima networks. GECCO (basin size vs optimum fitness).
"""

from __future__ import annotations

import numpy as np

from lossatlas.analysis._graph import (
    cache_key,
    degrees,
    neighbour_graph,
    neutral_threshold,
    on_full_grid,
)
from lossatlas.analysis._grid import grid_neighbour_sums
from lossatlas.analysis._improving import goodness, objective
from lossatlas.analysis._neighbourhood import Neighbourhood, resolve_neighbourhood
from lossatlas.analysis._optima import local_optima
from lossatlas.analysis._stats import pearson, spearman
from lossatlas.landscape import Landscape

__all__ = [
    "neighbor_fitness_correlation",
    "basin_fitness_correlation",
    "fitness_flattening_index",
    "greedy_pointer",
]


def neighbor_fitness_correlation(
    landscape: Landscape, *, loss: str = "test", neighbourhood: Neighbourhood | None = None
) -> float:
    """Pearson correlation of each configuration's value with the mean of its neighbours'.

    Over configurations with at least one neighbour (neutral ones included). High values mean
    good configurations sit among good ones. NaN on a constant landscape. ``neighbourhood``:
    whose neighbours (default 1-edit).

    References
    ----------
    GraphFLA 0.4.0, ``analysis/correlation.py`` (``neighbor_fitness_correlation``).
    """
    values = objective(landscape, loss)
    nb = resolve_neighbourhood(neighbourhood)
    if on_full_grid(landscape, nb):
        total = grid_neighbour_sums(landscape.space, values)
        count = degrees(landscape)
        has = count > 0
        return pearson(values[has], total[has] / count[has])
    graph = neighbour_graph(landscape, neighbourhood=nb)
    total = np.zeros(landscape.n)
    count = np.zeros(landscape.n, dtype=np.int64)
    for k in range(graph.n_moves):
        target = graph.targets[k]
        valid = target >= 0
        total += np.where(valid, values[np.where(valid, target, 0)], 0.0)
        count += valid
    has = count > 0
    return pearson(values[has], total[has] / count[has])


def basin_fitness_correlation(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    descent: str = "stop",
    plateau_exit: str = "lowest",
    neighbourhood: Neighbourhood | None = None,
) -> float:
    """GraphFLA's per-node basin-fitness correlation.

    Spearman correlation, over every member of every local-optimum plateau, of the size of
    its basin with its own value (in the user's units). A plateau of ``k`` members weighs ``k``
    times; our ``basin_fitness_corr`` counts each optimum once, against its loss. With
    ``descent="graphfla", plateau_exit="first"`` the basins are GraphFLA's.

    References
    ----------
    GraphFLA 0.4.0, ``analysis/correlation.py`` (``basin_fitness_correlation``);
    Ochoa et al. (2008).
    """
    optima = local_optima(
        landscape,
        loss=loss,
        epsilon=epsilon,
        descent=descent,
        plateau_exit=plateau_exit,
        neighbourhood=neighbourhood,
    )
    position = np.full(optima.n_plateaus, -1, dtype=np.int64)
    position[optima.optimum_plateaus] = np.arange(optima.n_optima)
    member = position[optima.plateau]
    rows = np.flatnonzero(member >= 0)
    return spearman(optima.basin_size[member[rows]], objective(landscape, loss)[rows])


def greedy_pointer(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> np.ndarray:
    """GraphFLA's hill-climbing move: the lowest neighbour if more than ``epsilon`` lower
    (ties to the lowest row), else the row itself (cached)."""
    nb = resolve_neighbourhood(neighbourhood)
    return landscape.cached(
        ("greedy", loss, float(epsilon), *cache_key(nb)),
        lambda: _greedy_pointer(landscape, loss, epsilon, nb),
    )


def _greedy_pointer(
    landscape: Landscape, loss: str, epsilon: float, nb: Neighbourhood
) -> np.ndarray:
    values = landscape.loss(loss)
    graph = neighbour_graph(landscape, neighbourhood=nb)
    threshold = neutral_threshold(values, epsilon)
    best = np.arange(landscape.n, dtype=np.int64)
    best_loss = values.copy()
    for k in range(graph.n_moves):
        target = graph.targets[k]
        valid = target >= 0
        safe = np.where(valid, target, 0)
        lower = valid & ((values[safe] < best_loss) | ((values[safe] == best_loss) & (safe < best)))
        best = np.where(lower, safe, best)
        best_loss = np.where(lower, values[safe], best_loss)
    return np.where(best_loss < values - threshold, best, np.arange(landscape.n))


def fitness_flattening_index(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    min_len: int = 3,
    chunk: int = 65536,
    neighbourhood: Neighbourhood | None = None,
) -> float:
    """Mean trend of the improvements along greedy climbs that reach the global optimum.

    From every configuration, GraphFLA's hill climber (:func:`greedy_pointer`, no plateau exits)
    climbs; for each climb of at least ``min_len`` configurations ending at the first global
    optimum (lowest row), the Spearman correlation of the step index with the step's
    improvement of ``-loss``; the mean over climbs (climbs with constant improvements are
    skipped). Negative values: improvements shrink near the optimum (the landscape flattens).
    NaN when no climb qualifies. Costly: every climb is followed, in chunks of ``chunk``
    starts.

    References
    ----------
    GraphFLA 0.4.0, ``analysis/correlation.py`` (``fitness_flattening_index``).
    """
    from scipy.stats import rankdata

    pointer = greedy_pointer(landscape, loss=loss, epsilon=epsilon, neighbourhood=neighbourhood)
    fitness = goodness(landscape, loss)
    go = int(np.argmin(landscape.loss(loss)))
    values: list[np.ndarray] = []
    for start in range(0, landscape.n, chunk):
        current = np.arange(start, min(start + chunk, landscape.n))
        trail = [fitness[current]]
        while True:
            nxt = pointer[current]
            moving = nxt != current
            if not moving.any():
                break
            trail.append(np.where(moving, fitness[nxt], np.nan))
            current = nxt
        path = np.column_stack(trail)  # NaN after the end of each climb
        length = (~np.isnan(path)).sum(axis=1)
        ok = (length >= min_len) & (current == go)
        for size in np.unique(length[ok]):
            rows = path[ok & (length == size), :size]
            steps = np.diff(rows, axis=1)
            ranks = rankdata(steps, axis=1) - (size) / 2.0
            index = np.arange(1, size) - size / 2.0
            num = ranks @ index
            den = np.sqrt((ranks * ranks).sum(axis=1) * (index @ index))
            with np.errstate(invalid="ignore", divide="ignore"):
                rho = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
            values.append(rho[~np.isnan(rho)])
    every = np.concatenate(values) if values else np.empty(0)
    return float(every.mean()) if len(every) else float("nan")
