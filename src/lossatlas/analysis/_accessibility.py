"""Navigability: how much of the landscape can climb to the global optimum, and how far it is.

A configuration *accesses* the global optimum when a path of improving moves (each more than
``epsilon`` better, GraphFLA's directed graph) leads to it. As in GraphFLA, the global optimum
is one configuration: the first of lowest loss (lowest flat index).

References
----------
Franke, J., Kloezer, A., de Visser, J. A. G. M. & Krug, J. (2011). Evolutionary accessibility of
mutational pathways. PLoS Comput. Biol. 7, e1002134.
GraphFLA 0.4.0 (COLA-Laboratory/GraphFLA), ``analysis/navigability.py``.
"""

from __future__ import annotations

import numpy as np

from lossatlas.analysis._graph import cache_key
from lossatlas.analysis._improving import improving_edges
from lossatlas.analysis._neighbourhood import Neighbourhood, resolve_neighbourhood
from lossatlas.analysis._optima import distances_to_global, local_optima, pointer_jump
from lossatlas.landscape import Landscape

__all__ = [
    "accessible_basins",
    "accessible_depths",
    "global_accessible_basin_size",
    "mean_accessible_basin_size",
    "global_optima_accessibility",
    "mean_path_length_to_global_optimum",
    "mean_distance_to_global_optimum",
]


def accessible_depths(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> np.ndarray:
    """Fewest improving moves from every row to the global optimum (``-1``: no such path).

    One breadth-first search from the optimum over the reversed improving edges of
    ``neighbourhood`` (``O(n + edges)``); depths follow from the BFS tree by pointer jumping.
    """
    nb = resolve_neighbourhood(neighbourhood)

    def compute() -> np.ndarray:
        n = landscape.n
        go = int(np.argmin(landscape.loss(loss)))
        edges = improving_edges(landscape, loss=loss, epsilon=epsilon, neighbourhood=nb)
        reverse = edges.reversed_adjacency(n)
        from scipy.sparse.csgraph import breadth_first_order

        order, parent = breadth_first_order(reverse, go, directed=True, return_predecessors=True)
        rows = np.arange(n, dtype=np.int64)
        pointer = np.where(parent >= 0, parent, rows).astype(np.int64)
        _, depth = pointer_jump(pointer, (pointer != rows).astype(np.int64))
        reached = np.zeros(n, dtype=bool)
        reached[order] = True
        return np.where(reached, depth, -1)

    return landscape.cached(("accessible_depth", loss, float(epsilon), *cache_key(nb)), compute)


def global_optima_accessibility(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> float:
    """Fraction of configurations (the optimum included) with an improving path to it.

    References
    ----------
    Franke et al. (2011); GraphFLA 0.4.0, ``global_optima_accessibility``.
    """
    depth = accessible_depths(landscape, loss=loss, epsilon=epsilon, neighbourhood=neighbourhood)
    return float((depth >= 0).mean())


def mean_path_length_to_global_optimum(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> float:
    """Mean length of the shortest improving path to the global optimum, over the
    configurations that have one (the optimum itself counts, with 0).

    References
    ----------
    GraphFLA 0.4.0, ``mean_path_length_to_global_optimum`` (``accessible=True``, no sampling).
    """
    depth = accessible_depths(landscape, loss=loss, epsilon=epsilon, neighbourhood=neighbourhood)
    return float(depth[depth >= 0].mean())


def mean_distance_to_global_optimum(
    landscape: Landscape, *, loss: str = "test", neighbourhood: Neighbourhood | None = None
) -> float:
    """Mean grid distance to the nearest global optimum (the distance FDC uses, that of
    ``neighbourhood``).

    GraphFLA measures to its single optimum unless FDC ran first, when it reuses FDC's
    nearest-optimum distances (its default profile); we take the nearest, as FDC does.

    References
    ----------
    Jones, T. & Forrest, S. (1995). Fitness distance correlation as a measure of problem
    difficulty for genetic algorithms. ICGA. GraphFLA 0.4.0, ``mean_distance_to_global_optimum``.
    """
    return float(distances_to_global(landscape, loss=loss, neighbourhood=neighbourhood).mean())


def accessible_basins(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> np.ndarray:
    """Accessible (first-improvement) basin size of every local optimum.

    The configurations with a path of improving moves (each more than ``epsilon`` better) into
    the optimum's plateau, the plateau included: where *some* improving walk can end, against
    the best-improvement basin where the greedy one does (GraphFLA's
    ``size_basin_accessible``). Accessible basins overlap, so their sizes sum to at least
    ``n``. One multi-source breadth-first search per optimum over the reversed improving edges:
    ``O(k (n + edges))`` for ``k`` optima -- "heavy" on rugged landscapes.

    Returns
    -------
    ndarray of shape (k,), int64
        In the order of :attr:`~lossatlas.analysis.Optima.optimum_plateaus`.

    References
    ----------
    Ochoa, G., Verel, S., Tomassini, M. (2010). First-improvement vs. best-improvement local
    optima networks of NK landscapes. PPSN XI. GraphFLA 0.4.0, ``determine_accessible_paths``.
    """
    nb = resolve_neighbourhood(neighbourhood)

    def compute() -> np.ndarray:
        optima = local_optima(landscape, loss=loss, epsilon=epsilon, neighbourhood=nb)
        return np.array(
            [
                _accessible_basin(landscape, loss, epsilon, nb, label)
                for label in optima.optimum_plateaus
            ],
            dtype=np.int64,
        )

    return landscape.cached(("accessible_basins", loss, float(epsilon), *cache_key(nb)), compute)


def _accessible_basin(
    landscape: Landscape, loss: str, epsilon: float, nb: Neighbourhood, label: int
) -> int:
    """Configurations with an improving path into plateau ``label`` (itself included)."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import breadth_first_order

    n = landscape.n
    optima = local_optima(landscape, loss=loss, epsilon=epsilon, neighbourhood=nb)
    edges = improving_edges(landscape, loss=loss, epsilon=epsilon, neighbourhood=nb)
    members = np.flatnonzero(optima.plateau == label)
    # one extra node, the source, with an edge to every member of the plateau
    graph = sp.csr_matrix(
        (
            np.ones(len(edges.source) + len(members), dtype=np.int8),
            (np.r_[edges.target, np.full(len(members), n)], np.r_[edges.source, members]),
        ),
        shape=(n + 1, n + 1),
    )
    return len(breadth_first_order(graph, n, directed=True, return_predecessors=False)) - 1


def global_accessible_basin_size(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> float:
    """Fraction of configurations in the accessible basin of the global optimum's plateau.

    The plateau holding the first global optimum (lowest flat index) when several plateaus
    tie at the best loss (possible at ``epsilon > 0``).

    See :func:`accessible_basins`; unlike :func:`global_optima_accessibility` the target is the
    whole plateau holding the global best, not its first configuration.

    References
    ----------
    Ochoa, Verel & Tomassini (2010); GraphFLA 0.4.0, ``size_basin_accessible``.
    """
    nb = resolve_neighbourhood(neighbourhood)
    optima = local_optima(landscape, loss=loss, epsilon=epsilon, neighbourhood=nb)
    # optimum 0 holds the global best: one search, not one per optimum
    size = _accessible_basin(landscape, loss, epsilon, nb, int(optima.optimum_plateaus[0]))
    return float(size / landscape.n)


def mean_accessible_basin_size(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> float:
    """Mean accessible basin size over the local optima (configurations; see
    :func:`accessible_basins`).

    References
    ----------
    Ochoa, Verel & Tomassini (2010); GraphFLA 0.4.0, ``size_basin_accessible``.
    """
    sizes = accessible_basins(landscape, loss=loss, epsilon=epsilon, neighbourhood=neighbourhood)
    return float(sizes.mean())
