"""The 2-D map of a landscape: HOPE embedding of its neighbourhood graph, projected to 2-D.

This is the reference study's picture: HOPE (128 dimensions, Katz proximity) of the landscape
graph, UMAP to 2-D, every configuration coloured by the rank of its loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from lossatlas.analysis._graph import adjacency_matrix
from lossatlas.analysis._neighbourhood import Neighbourhood
from lossatlas.analysis._optima import local_optima
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape
from lossatlas.viz._embed import hope_embedding, umap_2d

__all__ = ["DEFAULT_MAX_NODES", "LandscapeMap", "landscape_map", "map_rows"]

DEFAULT_MAX_NODES = 5_000
"""Points projected to 2-D by default: UMAP (single-threaded when seeded) costs about a second
per thousand points on two cores, and a scatter of 5,000 points reads as a surface already."""


@dataclass(frozen=True)
class LandscapeMap:
    """Plot data of a landscape map (plain arrays, one entry per mapped configuration).

    Attributes
    ----------
    coords : ndarray of shape (m, 2)
        2-D positions.
    rows : ndarray of shape (m,)
        Landscape rows mapped (all rows, or the subsample), ascending.
    loss : ndarray of shape (m,)
        Their loss values.
    rank : ndarray of shape (m,)
        Rank of their loss among all ``n_configs`` configurations (1 = best; ties averaged).
    is_local_optimum : ndarray of bool, shape (m,)
        Representative row of a local-optimum plateau
        (:func:`lossatlas.analysis._optima.local_optima`).
    is_global_optimum : ndarray of bool, shape (m,)
        Row attaining the lowest loss.
    method : str
        ``"hope+umap"`` or ``"hope+pca"``.
    fallback : bool
        True when UMAP was not installed and PCA stood in
        (see :func:`~lossatlas.viz._embed.umap_2d`).
    n_configs : int
        Configurations in the landscape (``m < n_configs`` when subsampled).
    loss_name : str
    epsilon : float
        Neutrality threshold of the local optima.
    """

    coords: np.ndarray
    rows: np.ndarray
    loss: np.ndarray
    rank: np.ndarray
    is_local_optimum: np.ndarray
    is_global_optimum: np.ndarray
    method: str
    fallback: bool
    n_configs: int
    loss_name: str
    epsilon: float

    @property
    def subsampled(self) -> bool:
        return len(self.rows) < self.n_configs


def map_rows(
    n: int,
    optima_rows: np.ndarray,
    global_rows: np.ndarray,
    loss: np.ndarray,
    *,
    max_nodes: int,
    seed: int = 0,
) -> np.ndarray:
    """Rows to map: all when ``n <= max_nodes``, else a seeded subsample keeping the optima.

    The global-optimum rows and the local optima are always kept (when the optima alone
    exceed ``max_nodes``, the ``max_nodes`` best of them, by loss then row); the rest of the
    budget is a uniform sample without replacement of the other rows.

    Returns
    -------
    ndarray of int64, sorted ascending.
    """
    if max_nodes < 1:
        raise InputError(f"max_nodes must be >= 1, got {max_nodes}")
    if n <= max_nodes:
        return np.arange(n, dtype=np.int64)
    keep = np.union1d(np.asarray(global_rows, np.int64), np.asarray(optima_rows, np.int64))
    if len(keep) >= max_nodes:
        order = np.lexsort((keep, loss[keep]))
        return np.sort(keep[order[: max(max_nodes, len(global_rows))]])
    rest = np.setdiff1d(np.arange(n, dtype=np.int64), keep, assume_unique=True)
    rng = np.random.default_rng(seed)
    extra = rng.choice(rest, size=max_nodes - len(keep), replace=False)
    return np.sort(np.concatenate([keep, extra]))


def landscape_map(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    max_nodes: int = DEFAULT_MAX_NODES,
    dim: int = 128,
    projection: Literal["auto", "umap", "pca"] = "auto",
    n_neighbors: int = 15,
    min_dist: float = 1.0,
    n_epochs: int = 500,
    seed: int = 0,
    neighbourhood: Neighbourhood | None = None,
) -> LandscapeMap:
    """Map a landscape to 2-D: HOPE of its neighbourhood graph, then UMAP (or PCA).

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
        Loss column for the ranks and the optima.
    epsilon : float, default 0.0
        Neutrality threshold of the local optima (absolute).
    max_nodes : int, default :data:`DEFAULT_MAX_NODES`
        Most points projected; larger landscapes are subsampled by :func:`map_rows` (seeded,
        always keeping the local optima and the global optimum).
    dim : int, default 128
        HOPE dimensions (the study's value).
    projection : {"auto", "umap", "pca"}
        See :func:`~lossatlas.viz._embed.umap_2d`; ``"auto"`` falls back to PCA with a warning
        when umap-learn is missing, and the map records it (``fallback``).
    n_neighbors, min_dist, n_epochs : UMAP settings (the study's: 15, 1.0, 500).
    seed : int, default 0
        Seeds the HOPE sketch, the subsample and UMAP: same seed, same map.
    neighbourhood : Neighbourhood, optional
        Which one-HP changes are moves (default: the 1-edit neighbourhood, see
        :func:`lossatlas.analysis.one_edit`).

    Returns
    -------
    LandscapeMap

    Notes
    -----
    HOPE always embeds the *whole* neighbourhood graph (it is sparse and runs on 10^5 nodes in
    seconds), so the Katz proximity a mapped point carries reflects all its neighbours, not only
    the sampled ones; an induced subgraph of a uniform subsample of a grid keeps few edges
    (about ``(m/n)^2`` of them) and would lose that structure. Only the projection, whose cost
    grows fastest, sees the subsample.
    """
    values = landscape.loss(loss)
    n = landscape.n
    optima = local_optima(landscape, loss=loss, epsilon=epsilon, neighbourhood=neighbourhood)
    rows = map_rows(
        n, optima.optima_rows, optima.global_rows, values, max_nodes=max_nodes, seed=seed
    )
    adjacency = adjacency_matrix(landscape, neighbourhood=neighbourhood)
    embedding = hope_embedding(adjacency, dim=dim, seed=seed)
    proj = umap_2d(
        embedding[rows],
        n_neighbors=n_neighbors,
        min_dist=min_dist,
        n_epochs=n_epochs,
        seed=seed,
        method=projection,
    )
    from scipy.stats import rankdata  # lazily: scipy.stats costs ~2 s to import

    rank = rankdata(values, method="average")
    return LandscapeMap(
        coords=proj.coords,
        rows=rows,
        loss=values[rows].copy(),
        rank=rank[rows],
        is_local_optimum=np.isin(rows, optima.optima_rows),
        is_global_optimum=np.isin(rows, optima.global_rows),
        method=f"hope+{proj.method}",
        fallback=proj.fallback,
        n_configs=n,
        loss_name=loss,
        epsilon=float(epsilon),
    )
