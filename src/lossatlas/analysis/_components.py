"""Connected components of an undirected graph given as an edge list (the plateaus).

Few edges (the neutral sub-graph at ``epsilon = 0`` of a real-valued landscape) are merged in
numpy by hooking and pointer jumping, without importing scipy (~0.3 s of the start-up of
``lossatlas analyze``); many edges go to :func:`scipy.sparse.csgraph.connected_components`.
Both number the components by their lowest node, so the labels are the same either way.
"""

from __future__ import annotations

import numpy as np

__all__ = ["components"]

#: Edge counts up to which the numpy path is used.
NUMPY_EDGES = 200_000


def _jump(parent: np.ndarray) -> np.ndarray:
    while True:
        grand = parent[parent]
        if np.array_equal(grand, parent):
            return parent
        parent = grand


def _numpy_roots(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Lowest node of every node's component (``parent[x] <= x`` throughout: no cycles)."""
    parent = np.arange(n, dtype=np.int64)
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    while len(u):
        pu, pv = parent[u], parent[v]
        low, high = np.minimum(pu, pv), np.maximum(pu, pv)
        apart = low != high
        if not apart.any():
            break
        u, v, low, high = u[apart], v[apart], low[apart], high[apart]
        # hook each root (high) under the lowest root it meets, then flatten every tree
        np.minimum.at(parent, high, low)
        parent = _jump(parent)
    return parent


def components(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Component label of every node of an undirected graph on ``0..n-1``.

    Parameters
    ----------
    n : int
        Number of nodes.
    u, v : ndarray of int
        The edges (either direction, repeats allowed).

    Returns
    -------
    ndarray of shape (n,), int64
        Labels ``0..c-1``, numbered in the order of each component's lowest node.
    """
    if len(u) == 0:
        return np.arange(n, dtype=np.int64)
    if len(u) > NUMPY_EDGES:
        import scipy.sparse as sp
        from scipy.sparse.csgraph import connected_components

        data = np.ones(len(u), dtype=np.int8)
        graph = sp.coo_matrix((data, (u, v)), shape=(n, n)).tocsr()
        _, labels = connected_components(graph, directed=False)
        return labels.astype(np.int64)
    roots = _numpy_roots(n, u, v)
    # roots are the lowest nodes, so ranking them numbers components by their lowest node
    is_root = roots == np.arange(n)
    return (np.cumsum(is_root) - 1)[roots]
