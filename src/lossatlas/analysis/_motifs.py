"""Epistasis motifs on squares: GraphFLA's ``classify_epistasis`` and ``extradimensional_bypass``.

A *square* is two HPs ``p, q``, an adjacent pair of values of each, and a background (the other
HPs' values): four configurations ``ab, Ab, aB, AB`` joined by four moves. GraphFLA counts
squares as 4-node motifs of its improving-move graph: induced 4-cycles, whose four sides are
improving moves (more than ``epsilon`` apart) and whose diagonals are not. Opposite corners of
a square differ in two HPs and are never neighbours; the only other induced 4-cycles are four
values of one HP (a categorical HP, or an ordinal one with longer steps) whose diagonals are
neutral pairs, and GraphFLA counts those too, so we do (their "double change" is a second
change of the same HP). Each cycle is classified by where its best and worst corners sit
(Weinreich et al. 2005; Poelwijk et al. 2007):

- *magnitude* epistasis: one best and one worst corner, opposite (igraph isoclass 66);
- *sign* epistasis: one best and one worst corner, adjacent (isoclass 52);
- *reciprocal sign* epistasis: two best corners, opposite (isoclass 19).

With the best corner ``AB``, its opposite ``ab``: *positive* epistasis when
``L_ab - L_AB > (L_ab - L_Ab) + (L_ab - L_aB)`` in improvements of ``-loss`` (the double
change beats the two single ones), *negative* otherwise. An *extradimensional bypass* of a
reciprocal-sign square is an improving path from its worse best corner to the better one
through the rest of the landscape (Wu et al. 2016); ``bypass.avg_length`` is the mean shortest
such path. GraphFLA samples motifs (``sample_cut_prob``) above a time budget; we enumerate
every square, which is GraphFLA's exact mode. Where there is no square the proportions are NaN
(GraphFLA reports 0).

References
----------
Weinreich, D. M., Watson, R. A. & Chao, L. (2005). Sign epistasis and genetic constraint on
evolutionary trajectories. Evolution 59, 1165-1174.
Poelwijk, F. J., Kiviet, D. J., Weinreich, D. M. & Tans, S. J. (2007). Empirical fitness
landscapes reveal accessible evolutionary paths. Nature 445, 383-386.
Wu, N. C., Dai, L., Olson, C. A., Lloyd-Smith, J. O. & Sun, R. (2016). Adaptation in protein
fitness landscapes facilitated by indirect paths. eLife 5, e16965.
GraphFLA 0.4.0 (COLA-Laboratory/GraphFLA), ``analysis/epistasis/motifs.py``.
"""

from __future__ import annotations

from itertools import combinations
from typing import NamedTuple

import numpy as np

from lossatlas.analysis._graph import cache_key, neutral_threshold
from lossatlas.analysis._neighbourhood import Neighbourhood, resolve_neighbourhood
from lossatlas.landscape import Landscape

__all__ = ["Squares", "squares", "classify_epistasis", "extradimensional_bypass"]


class Squares(NamedTuple):
    """Every square whose four sides are improving moves, as rows of its corners.

    ``corners`` has shape ``(s, 4)``: ``ab, Ab, AB, aB`` in cycle order (ab-Ab-AB-aB-ab).
    ``kind``: 0 magnitude, 1 sign, 2 reciprocal sign.
    """

    corners: np.ndarray
    kind: np.ndarray


def _value_pairs(nb: Neighbourhood, hp) -> list[tuple[int, int]]:
    table = nb.value_moves(hp)
    return sorted(
        {(min(a, int(b)), max(a, int(b))) for a in range(hp.size) for b in table[a] if b >= 0}
    )


def _corner(row: np.ndarray, p: int, q: int, vp: int, vq: int) -> np.ndarray:
    """Rows (or -1) of every background with HP ``p`` at ``vp`` and HP ``q`` at ``vq``."""
    index: list[slice | int] = [slice(None)] * row.ndim
    index[p], index[q] = vp, vq
    return row[tuple(index)].reshape(-1)


def _slab(row: np.ndarray, p: int, value: int) -> np.ndarray:
    """Rows (or -1) of every background with HP ``p`` at ``value``."""
    return np.take(row, value, axis=p).reshape(-1)


def _value_matrix(nb: Neighbourhood, hp) -> np.ndarray:
    table = nb.value_moves(hp)
    matrix = np.zeros((hp.size, hp.size), dtype=bool)
    for a in range(hp.size):
        matrix[a, table[a][table[a] >= 0]] = True
    return matrix | matrix.T


def _kinds(g: np.ndarray) -> np.ndarray:
    """0 magnitude, 1 sign, 2 reciprocal sign, from the values at a cycle's corners."""
    best = (g > np.roll(g, 1, axis=1)) & (g > np.roll(g, -1, axis=1))
    worst = (g < np.roll(g, 1, axis=1)) & (g < np.roll(g, -1, axis=1))
    two_best = best.sum(axis=1) == 2
    opposite = (np.argmax(best, axis=1) - np.argmax(worst, axis=1)) % 2 == 0
    return np.where(two_best, 2, np.where(opposite, 0, 1))


def squares(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> Squares:
    """The (cached) improving squares of a landscape (see the module notes).

    Notes
    -----
    Vectorised per pair of HPs and pair of adjacent values on the dense grid:
    ``O(sum_{p<q} e_p e_q |grid| / (k_p k_q))`` for ``e_p`` adjacent value pairs of HP ``p``.
    """
    nb = resolve_neighbourhood(neighbourhood)

    def compute() -> Squares:
        values = landscape.loss(loss)
        threshold = neutral_threshold(values, epsilon)
        space = landscape.space
        shape = tuple(int(r) for r in space.radices)
        row = np.full(space.size, -1, dtype=np.int64)
        row[landscape.index] = np.arange(landscape.n)
        row = row.reshape(shape)
        loss_of = np.append(values, np.nan)  # row -1 -> NaN
        found, kinds = [], []
        hps = space.hyperparameters
        for p, q in combinations(range(len(space)), 2):
            for a, b in _value_pairs(nb, hps[p]):
                for c, d in _value_pairs(nb, hps[q]):
                    cycle = np.stack(
                        [_corner(row, p, q, vp, vq) for vp, vq in ((a, c), (b, c), (b, d), (a, d))],
                        axis=1,
                    )
                    cycle = cycle[(cycle >= 0).all(axis=1)]
                    if not len(cycle):
                        continue
                    g = -loss_of[cycle]
                    side = g - np.roll(g, -1, axis=1)  # corner i vs corner i+1
                    keep = (np.abs(side) > threshold).all(axis=1)
                    cycle, g = cycle[keep], g[keep]
                    kinds.append(_kinds(g))
                    found.append(cycle)
        for p, hp in enumerate(hps):
            adjacent = _value_matrix(nb, hp)
            for quad in combinations(range(hp.size), 4):
                for order in ((0, 1, 2, 3), (0, 1, 3, 2), (0, 2, 1, 3)):
                    v = [quad[i] for i in order]
                    if not all(adjacent[v[i], v[(i + 1) % 4]] for i in range(4)):
                        continue
                    cycle = np.stack([_slab(row, p, x) for x in v], axis=1)
                    cycle = cycle[(cycle >= 0).all(axis=1)]
                    if not len(cycle):
                        continue
                    g = -loss_of[cycle]
                    keep = (np.abs(g - np.roll(g, -1, axis=1)) > threshold).all(axis=1)
                    for i, j in ((0, 2), (1, 3)):  # a diagonal that is a move must be neutral
                        if adjacent[v[i], v[j]]:
                            keep &= np.abs(g[:, i] - g[:, j]) <= threshold
                    cycle, g = cycle[keep], g[keep]
                    found.append(cycle)
                    kinds.append(_kinds(g))
        if not found:
            return Squares(np.empty((0, 4), dtype=np.int64), np.empty(0, dtype=np.int64))
        return Squares(np.concatenate(found), np.concatenate(kinds))

    return landscape.cached(("squares", loss, float(epsilon), *cache_key(nb)), compute)


def classify_epistasis(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> dict[str, float]:
    """Shares of magnitude, sign and reciprocal-sign squares, and of positive epistasis.

    Returns
    -------
    dict
        ``magnitude``, ``sign``, ``reciprocal_sign`` (summing to 1) and ``positive``,
        ``negative`` (summing to 1) over the improving squares; NaN without one.

    References
    ----------
    Weinreich et al. (2005); Poelwijk et al. (2007); GraphFLA 0.4.0, ``classify_epistasis``
    (exact mode).
    """
    found = squares(landscape, loss=loss, epsilon=epsilon, neighbourhood=neighbourhood)
    keys = ("magnitude", "sign", "reciprocal_sign", "positive", "negative")
    if not len(found.kind):
        return dict.fromkeys(keys, float("nan"))
    g = -landscape.loss(loss)[found.corners]
    best = np.argmax(g, axis=1)
    rows = np.arange(len(g))
    top, low = g[rows, best], g[rows, (best + 2) % 4]
    sides = g[rows, (best + 1) % 4] + g[rows, (best + 3) % 4]
    positive = float(np.mean(top + low > sides))
    share = np.bincount(found.kind, minlength=3) / len(found.kind)
    return {
        "magnitude": float(share[0]),
        "sign": float(share[1]),
        "reciprocal_sign": float(share[2]),
        "positive": positive,
        "negative": 1.0 - positive,
    }


def extradimensional_bypass(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> dict[str, float]:
    """Share of reciprocal-sign squares with an extradimensional bypass, and its mean length.

    Returns
    -------
    dict
        ``proportion``: reciprocal-sign squares whose worse best corner has an improving path
        to the better one (NaN without such a square); ``avg_length``: mean shortest length of
        those paths (NaN without a bypass).

    Notes
    -----
    One breadth-first search over the improving moves per distinct worse best corner.

    References
    ----------
    Wu et al. (2016); GraphFLA 0.4.0, ``extradimensional_bypass`` (exact mode).
    """
    from scipy.sparse.csgraph import shortest_path

    from lossatlas.analysis._improving import improving_edges

    nb = resolve_neighbourhood(neighbourhood)
    found = squares(landscape, loss=loss, epsilon=epsilon, neighbourhood=nb)
    corners = found.corners[found.kind == 2]
    if not len(corners):
        return {"proportion": float("nan"), "avg_length": float("nan")}
    g = -landscape.loss(loss)[corners]
    # the two best corners are opposite: AB the better (the lower row on a tie), ab the other
    first = np.argmax(g, axis=1)
    rows = np.arange(len(g))
    other = (first + 2) % 4
    a_row, b_row = corners[rows, first], corners[rows, other]
    tie = g[rows, first] == g[rows, other]
    swap = tie & (b_row < a_row)
    top = np.where(swap, b_row, a_row)
    start = np.where(swap, a_row, b_row)
    edges = improving_edges(landscape, loss=loss, epsilon=epsilon, neighbourhood=nb)
    import scipy.sparse as sp

    n = landscape.n
    forward = sp.csr_matrix(
        (np.ones(len(edges.source)), (edges.source, edges.target)), shape=(n, n)
    )
    sources, position = np.unique(start, return_inverse=True)
    length = np.empty(len(top))
    for begin in range(0, len(sources), 64):  # 64 breadth-first searches at a time
        dist = shortest_path(
            forward, directed=True, unweighted=True, indices=sources[begin : begin + 64]
        )
        mine = (position >= begin) & (position < begin + 64)
        length[mine] = dist[position[mine] - begin, top[mine]]
    reached = np.isfinite(length)
    return {
        "proportion": float(reached.mean()),
        "avg_length": float(length[reached].mean()) if reached.any() else float("nan"),
    }
