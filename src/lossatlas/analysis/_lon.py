"""The local optima network (LON) of a landscape, as GraphFLA builds it (``graphfla.lon``).

Nodes are the local optima (their representatives); an edge ``i -> j`` counts the 2-edit
perturbations of optimum ``i`` (two HPs changed by one move each) that land in the basin of
``j``, kept when the count exceeds ``min_edge_freq`` (escape edges, Ochoa et al. 2008;
Verel et al. 2011). Per optimum: *escape difficulty*, the share of its kept perturbations that
fall back into its own basin (1 when none leaves); *improve rate*, the share of its outgoing
weight that goes to a better optimum; and *accessibility*, the optima (itself included) with a
path to it in the monotone LON (edges to an equal or better optimum only).

References
----------
Ochoa, G., Tomassini, M., Verel, S. & Darabos, C. (2008). A study of NK landscapes' basins and
local optima networks. GECCO.
Verel, S., Ochoa, G. & Tomassini, M. (2011). Local optima networks of NK landscapes with
neutrality. IEEE Trans. Evol. Comput. 15, 783-797.
GraphFLA 0.4.0 (COLA-Laboratory/GraphFLA), ``lon.py``.
"""

from __future__ import annotations

from itertools import combinations
from typing import NamedTuple

import numpy as np

from lossatlas.analysis._neighbourhood import Neighbourhood, resolve_neighbourhood
from lossatlas.analysis._optima import local_optima
from lossatlas.landscape import Landscape

__all__ = ["LocalOptimaNetwork", "local_optima_network", "lon_statistics"]


class LocalOptimaNetwork(NamedTuple):
    """A LON: optima (in :class:`~lossatlas.analysis.Optima` order), weighted escape edges
    ``source -> target`` (optimum indices, no self-loops) and per-optimum statistics."""

    optima_rows: np.ndarray
    optima_loss: np.ndarray
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    escape_difficulty: np.ndarray
    improve_rate: np.ndarray
    accessibility: np.ndarray


def local_optima_network(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    descent: str = "stop",
    plateau_exit: str = "lowest",
    min_edge_freq: int = 3,
    neighbourhood: Neighbourhood | None = None,
    accessibility: str = "all",
) -> LocalOptimaNetwork:
    """The LON of the best-improvement basins (see the module notes).

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
    epsilon : float, default 0.0
    descent, plateau_exit : str
        Basin rules of :func:`~lossatlas.analysis.local_optima`.
    min_edge_freq : int, default 3
        Keep an edge only when more perturbations than this follow it (GraphFLA's default).
    neighbourhood : Neighbourhood, optional
        Whose moves make the 2-edit perturbations; default the 1-edit neighbourhood.
    accessibility : {"all", "global"}, default "all"
        Accessibility of every optimum (one search each, ``O(k (k + edges))``) or of the global
        one only (the others ``-1``).

    Returns
    -------
    LocalOptimaNetwork

    Notes
    -----
    Vectorised over the optima per pair of HPs and pair of moves: ``O(k sum_{i<j} m_i m_j)``
    for ``k`` optima, plus one breadth-first search per optimum on the monotone LON.

    References
    ----------
    Ochoa et al. (2008); Verel et al. (2011); GraphFLA 0.4.0, ``get_lon``.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import breadth_first_order

    nb = resolve_neighbourhood(neighbourhood)
    optima = local_optima(
        landscape,
        loss=loss,
        epsilon=epsilon,
        descent=descent,
        plateau_exit=plateau_exit,
        neighbourhood=nb,
    )
    space = landscape.space
    k = optima.n_optima
    reps = np.asarray(optima.optima_rows)
    codes = landscape.codes[reps].astype(np.int64)
    flat = landscape.index[reps].astype(np.int64)
    tables = [nb.value_moves(hp) for hp in space.hyperparameters]
    origins, landings = [], []
    for i, j in combinations(range(len(space)), 2):
        for mi in range(tables[i].shape[1]):
            ci = tables[i][codes[:, i], mi]
            for mj in range(tables[j].shape[1]):
                cj = tables[j][codes[:, j], mj]
                ok = (ci >= 0) & (cj >= 0)
                moved = (
                    flat
                    + (ci - codes[:, i]) * int(space.strides[i])
                    + (cj - codes[:, j]) * int(space.strides[j])
                )
                rows = landscape.rows_of(np.where(ok, moved, 0))
                ok &= rows >= 0
                origins.append(np.flatnonzero(ok))
                landings.append(optima.basin[rows[ok]])
    origin = np.concatenate(origins) if origins else np.empty(0, np.int64)
    landing = np.concatenate(landings) if landings else np.empty(0, np.int64)
    pair, count = np.unique(origin * k + landing, return_counts=True)
    kept = count > min_edge_freq
    pair, count = pair[kept], count[kept]
    src, dst = pair // k, pair % k
    loop = src == dst
    stay = np.bincount(src[loop], weights=count[loop], minlength=k)
    leave = np.bincount(src[~loop], weights=count[~loop], minlength=k)
    escape = np.where(leave != 0, stay / np.where(leave != 0, stay + leave, 1), 1.0)
    src, dst, weight = src[~loop], dst[~loop], count[~loop]
    loss_of = np.asarray(optima.optima_loss)
    better = loss_of[dst] < loss_of[src]
    up = np.bincount(src[better], weights=weight[better], minlength=k)
    improve = np.where(leave > 0, up / np.where(leave > 0, leave, 1), 0.0)
    # monotone LON: drop edges to a worse optimum; accessibility = ancestors, itself included
    keep = loss_of[dst] <= loss_of[src]
    reverse = csr_matrix(
        (np.ones(int(keep.sum()), dtype=np.int8), (dst[keep], src[keep])), shape=(k, k)
    )
    targets = range(k) if accessibility == "all" else range(min(k, 1))
    access = np.full(k, -1, dtype=np.int64)
    for i in targets:
        access[i] = len(breadth_first_order(reverse, i, directed=True, return_predecessors=False))
    return LocalOptimaNetwork(
        reps, loss_of, src, dst, weight.astype(np.int64), escape, improve, access
    )


def lon_statistics(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    descent: str = "stop",
    plateau_exit: str = "lowest",
    neighbourhood: Neighbourhood | None = None,
) -> dict[str, float]:
    """Scalar summaries of the LON: ``n_edges``, mean ``escape_difficulty``, mean
    ``improve_rate`` and ``global_accessibility`` (share of optima with a monotone LON path to
    the global optimum).

    References
    ----------
    Ochoa et al. (2008); GraphFLA 0.4.0, ``lon.py``.
    """
    lon = landscape.cached(
        ("lon", loss, float(epsilon), descent, plateau_exit, resolve_neighbourhood(neighbourhood)),
        lambda: local_optima_network(
            landscape,
            loss=loss,
            epsilon=epsilon,
            descent=descent,
            plateau_exit=plateau_exit,
            neighbourhood=neighbourhood,
            accessibility="global",
        ),
    )
    k = len(lon.optima_rows)
    return {
        "n_edges": float(len(lon.source)),
        "escape_difficulty": float(lon.escape_difficulty.mean()),
        "improve_rate": float(lon.improve_rate.mean()),
        "global_accessibility": float(lon.accessibility[0] / k),  # optimum 0 is the best
    }
