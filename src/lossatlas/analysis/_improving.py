"""The improving-move graph: each non-neutral neighbour pair once, from worse to better.

This is the directed graph GraphFLA builds (COLA-Laboratory/GraphFLA, ``_neighbors``): an edge
``u -> v`` for neighbours with ``L_v < L_u - epsilon`` (pairs within epsilon are neutral and carry
no edge). Its edges feed the edge-based metrics (``gradient_intensity``, the fitness trends of
the epistasis family) and its reversed adjacency the accessibility metrics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from lossatlas.analysis._graph import cache_key, neighbour_graph, neutral_threshold
from lossatlas.analysis._neighbourhood import Neighbourhood, resolve_neighbourhood
from lossatlas.landscape import Landscape

if TYPE_CHECKING:
    import scipy.sparse

__all__ = ["ImprovingEdges", "improving_edges"]


class ImprovingEdges(NamedTuple):
    """``source`` (worse) and ``target`` (better) rows of every improving edge, and the
    ``gap`` ``L_source - L_target > epsilon``."""

    source: np.ndarray
    target: np.ndarray
    gap: np.ndarray

    def reversed_adjacency(self, n: int) -> scipy.sparse.csr_matrix:
        """CSR matrix with an entry ``(target, source)`` per edge."""
        import scipy.sparse as sp  # lazily: not needed by the default profile

        data = np.ones(len(self.source), dtype=np.int8)
        return sp.csr_matrix((data, (self.target, self.source)), shape=(n, n))


def improving_edges(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> ImprovingEdges:
    """The (cached) improving edges of a loss column at a neutrality threshold.

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
    epsilon : float, default 0.0
    neighbourhood : Neighbourhood, optional
        Whose moves are the edges; default the 1-edit neighbourhood.

    Returns
    -------
    ImprovingEdges
    """
    nb = resolve_neighbourhood(neighbourhood)

    def compute() -> ImprovingEdges:
        values = landscape.loss(loss)
        threshold = neutral_threshold(values, epsilon)
        graph = neighbour_graph(landscape, neighbourhood=nb)
        rows = np.arange(landscape.n, dtype=graph.targets.dtype)
        sources, targets, gaps = [], [], []
        for k in range(graph.n_moves):
            target = graph.targets[k]
            once = target > rows  # each undirected pair from its lower row only
            u, v = rows[once], target[once]
            gap = values[u] - values[v]
            down = gap > threshold  # u is worse: u -> v
            up = gap < -threshold
            sources += [u[down], v[up]]
            targets += [v[down], u[up]]
            gaps += [gap[down], -gap[up]]
        if not sources:
            empty = np.empty(0, dtype=np.int64)
            return ImprovingEdges(empty, empty, np.empty(0))
        return ImprovingEdges(
            np.concatenate(sources), np.concatenate(targets), np.concatenate(gaps)
        )

    return landscape.cached(("improving", loss, float(epsilon), *cache_key(nb)), compute)


def objective(landscape: Landscape, loss: str = "test") -> np.ndarray:
    """The values in the user's own units: the score of a ``maximize`` landscape, else the loss.

    GraphFLA computes its distribution statistics on the values it was given; a landscape read
    with ``maximize=True`` holds ``-score``, so its score is given back here.
    """
    values = landscape.loss(loss)
    return -values if landscape.metadata.get("direction") == "maximize" else values


def goodness(landscape: Landscape, loss: str = "test") -> np.ndarray:
    """``-loss``: larger is better, GraphFLA's fitness oriented for maximisation."""
    return -landscape.loss(loss)
