"""Per-plateau extremes and exits for the best-improvement descent of :mod:`._optima`.

The representative and best loss of every plateau, its lowest outside neighbour (the
``"lowest"`` exit) and GraphFLA's first-improvement exit (``"first"``, COLA-Laboratory/GraphFLA
``landscape/_basin.py``), all vectorised over the plateaus.
"""

from __future__ import annotations

import numpy as np

from lossatlas.analysis._graph import neighbour_graph
from lossatlas.analysis._neighbourhood import Neighbourhood
from lossatlas.landscape import Landscape

__all__: list[str] = []


def plateau_extremes(
    labels: np.ndarray,
    sizes: np.ndarray,
    values: np.ndarray,
    neighbour_loss: np.ndarray,
    neighbour_row: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per plateau: representative row, best loss, and its lowest neighbour (loss, row).

    The representative is the member of lowest loss (then lowest row); the exit is the lowest
    neighbour of any member (then lowest row); neighbours inside the plateau never beat an
    outside one that qualifies as an exit. Singleton plateaus (usually most of them) are read
    off directly; only members of larger plateaus are sorted.
    """
    n_plateaus = len(sizes)
    representative = np.empty(n_plateaus, dtype=np.int64)
    best = np.empty(n_plateaus)
    exit_loss = np.empty(n_plateaus)
    exit_row = np.empty(n_plateaus, dtype=np.int64)
    single = sizes[labels] == 1
    rows = np.flatnonzero(single)
    own = labels[rows]
    representative[own] = rows
    best[own] = values[rows]
    exit_loss[own] = neighbour_loss[rows]
    exit_row[own] = neighbour_row[rows]
    rows = np.flatnonzero(~single)
    if len(rows):
        own = labels[rows]
        order = rows[np.lexsort((rows, values[rows], own))]
        first = np.r_[0, np.flatnonzero(np.diff(labels[order])) + 1]
        heads = order[first]
        representative[labels[heads]] = heads
        best[labels[heads]] = values[heads]
        order = rows[np.lexsort((neighbour_row[rows], neighbour_loss[rows], own))]
        first = np.r_[0, np.flatnonzero(np.diff(labels[order])) + 1]
        heads = order[first]
        exit_loss[labels[heads]] = neighbour_loss[heads]
        exit_row[labels[heads]] = neighbour_row[heads]
    return representative, best, exit_loss, exit_row


def first_exits(
    landscape: Landscape,
    labels: np.ndarray,
    best: np.ndarray,
    values: np.ndarray,
    threshold: float,
    nb: Neighbourhood,
) -> np.ndarray:
    """Per plateau: GraphFLA's first-improvement exit row, or ``-1``.

    The first member (lowest row) with a neighbour outside the plateau whose loss is below the
    plateau's best by more than epsilon, and its lowest such neighbour.
    """
    graph = neighbour_graph(landscape, neighbourhood=nb)
    n = landscape.n
    limit = best[labels] - threshold
    first = np.full(n, n, dtype=np.int64)
    for k in range(graph.n_moves):
        target = graph.targets[k]
        valid = target >= 0
        safe = np.where(valid, target, 0)
        ok = valid & (values[safe] < limit) & (labels[safe] != labels)
        np.minimum(first, np.where(ok, safe, n), out=first)
    has = np.flatnonzero(first < n)
    first_member = np.full(len(best), n, dtype=np.int64)
    np.minimum.at(first_member, labels[has], has)
    found = first_member < n
    exit_row = np.full(len(best), -1, dtype=np.int64)
    exit_row[found] = first[first_member[found]]
    return exit_row
