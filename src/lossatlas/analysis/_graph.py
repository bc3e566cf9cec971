"""The neighbourhood graph of a landscape, built by index arithmetic.

Nodes are the evaluated configurations (rows of a :class:`~lossatlas.landscape.Landscape`);
two rows are neighbours when they differ in exactly one hyperparameter, by one step for an
ordinal HP and by any value for a categorical or boolean one (the 1-edit neighbourhood of
Pushak & Hoos 2022 used by Huang & Li 2023, arXiv 2311.14014).

The graph is stored as a *move table*: one row per move type (an HP and a code offset), one column
per configuration, holding the target row or ``-1``. Ordinal HPs give the moves ``+1`` and ``-1``;
a categorical HP with ``k`` values gives the cyclic offsets ``1..k-1``, which reach every other
value exactly once. For a full grid the targets are computed arithmetically; for a partial
landscape they are looked up with a binary search. Every undirected edge appears twice (once from
each end), so sums over the table are sums over ordered neighbour pairs.

Other neighbourhoods (ordinal steps of up to ``k``, ordinal HPs treated as categorical, explicit
value graphs) come from :mod:`~lossatlas.analysis._neighbourhood`; every function here takes
``neighbourhood=`` (default: the 1-edit one, built by the arithmetic above) and caches per
neighbourhood.

Complexity: ``O(m n)`` time and ``4 m n`` bytes for ``m`` move types and ``n`` configurations.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from lossatlas.analysis._grid import grid_degrees, grid_distances_to, grid_scan
from lossatlas.analysis._neighbourhood import Neighbourhood, resolve_neighbourhood
from lossatlas.landscape import Landscape

if TYPE_CHECKING:
    import scipy.sparse

__all__ = [
    "NeighbourGraph",
    "NeighbourScan",
    "neighbour_graph",
    "neighbour_moves",
    "neighbour_scan",
    "neutral_threshold",
    "adjacency_matrix",
    "edge_list",
    "degrees",
    "distances_to",
]


@dataclass(frozen=True)
class NeighbourGraph:
    """Move table of a landscape.

    Attributes
    ----------
    targets : ndarray of shape (m, n)
        Target row of move ``k`` from row ``i``, or ``-1`` when it leaves the landscape.
    move_hp : ndarray of shape (m,)
        The hyperparameter each move changes.
    """

    targets: np.ndarray
    move_hp: np.ndarray

    @property
    def n_moves(self) -> int:
        """Number of move types (rows of the table)."""
        return self.targets.shape[0]

    @property
    def n_nodes(self) -> int:
        """Number of configurations (columns of the table)."""
        return self.targets.shape[1]


def cache_key(neighbourhood: Neighbourhood) -> tuple[Neighbourhood, ...]:
    """Suffix of cache keys: empty for the default, so its keys are unchanged."""
    return () if neighbourhood.is_default else (neighbourhood,)


def _finish(rows: list[np.ndarray], move_hp: list[int], n: int, dtype: type) -> NeighbourGraph:
    targets = np.stack(rows) if rows else np.empty((0, n), dtype=dtype)
    targets.setflags(write=False)
    return NeighbourGraph(targets, np.asarray(move_hp, dtype=np.int64))


def _build_general(landscape: Landscape, neighbourhood: Neighbourhood) -> NeighbourGraph:
    """Move table of any neighbourhood, from each HP's value move table."""
    space = landscape.space
    neighbourhood.check(space)
    n = landscape.n
    flat = landscape.index
    dtype = np.int32 if n < 2**31 - 1 else np.int64
    rows: list[np.ndarray] = []
    move_hp: list[int] = []
    for j, hp in enumerate(space.hyperparameters):
        table = neighbourhood.value_moves(hp)
        stride = int(space.strides[j])
        code = space.code_column(flat, j)
        for t in range(table.shape[1]):
            new = table[code, t]
            valid = new >= 0
            target_flat = flat + np.where(valid, new - code, 0) * stride
            target = target_flat if landscape.is_full else landscape.rows_of(target_flat)
            target = np.where(valid, target, -1)
            rows.append(target.astype(dtype, copy=False))
            move_hp.append(j)
    return _finish(rows, move_hp, n, dtype)


def _build_graph(landscape: Landscape) -> NeighbourGraph:
    space = landscape.space
    n = landscape.n
    flat = landscape.index
    dtype = np.int32 if n < 2**31 - 1 else np.int64
    rows: list[np.ndarray] = []
    move_hp: list[int] = []
    for j in range(len(space)):
        k = int(space.radices[j])
        stride = int(space.strides[j])
        code = space.code_column(flat, j)
        if space.is_ordinal[j]:
            offsets = [(1, code < k - 1), (-1, code > 0)]
            steps = [(off * stride, valid) for off, valid in offsets]
        else:
            steps = []
            for off in range(1, k):
                new = code + off
                new -= np.where(new >= k, k, 0)
                steps.append(((new - code) * stride, None))
        for delta, valid in steps:
            target_flat = flat + delta
            if landscape.is_full:
                target = target_flat
            else:
                target = landscape.rows_of(
                    np.where(valid, target_flat, 0) if valid is not None else target_flat
                )
            if valid is not None:
                target = np.where(valid, target, -1)
            rows.append(target.astype(dtype, copy=False))
            move_hp.append(j)
    return _finish(rows, move_hp, n, dtype)


def neighbour_graph(
    landscape: Landscape, *, neighbourhood: Neighbourhood | None = None
) -> NeighbourGraph:
    """The (cached) move table of ``landscape``.

    Parameters
    ----------
    landscape : Landscape
    neighbourhood : Neighbourhood, optional
        Which one-HP changes are moves; default :func:`~lossatlas.analysis.one_edit`.

    Returns
    -------
    NeighbourGraph
    """
    nb = resolve_neighbourhood(neighbourhood)
    if nb.is_default:
        return landscape.cached("graph", lambda: _build_graph(landscape))
    return landscape.cached(("graph", nb), lambda: _build_general(landscape, nb))


def neighbour_moves(
    landscape: Landscape, *, neighbourhood: Neighbourhood | None = None
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(hp_index, targets)`` per move type; ``targets[i]`` is a row or ``-1``.

    Parameters
    ----------
    landscape : Landscape
    neighbourhood : Neighbourhood, optional

    Returns
    -------
    iterator of (int, ndarray)
    """
    graph = neighbour_graph(landscape, neighbourhood=neighbourhood)
    for k in range(graph.n_moves):
        yield int(graph.move_hp[k]), graph.targets[k]


def degrees(landscape: Landscape, *, neighbourhood: Neighbourhood | None = None) -> np.ndarray:
    """Number of neighbours of every row.

    Parameters
    ----------
    landscape : Landscape
    neighbourhood : Neighbourhood, optional

    Returns
    -------
    ndarray of shape (n,)
    """
    nb = resolve_neighbourhood(neighbourhood)
    if on_full_grid(landscape, nb):
        return landscape.cached("degree", lambda: grid_degrees(landscape.space))
    graph = neighbour_graph(landscape, neighbourhood=nb)
    key = "degree" if nb.is_default else ("degree", nb)
    return landscape.cached(key, lambda: (graph.targets >= 0).sum(axis=0))


def edge_list(
    landscape: Landscape, *, neighbourhood: Neighbourhood | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Each undirected edge once, as rows ``(u, v)`` with ``u < v``.

    Parameters
    ----------
    landscape : Landscape
    neighbourhood : Neighbourhood, optional

    Returns
    -------
    u, v : ndarray of int64
    """
    us, vs = [], []
    rows = np.arange(landscape.n)
    for _, target in neighbour_moves(landscape, neighbourhood=neighbourhood):
        keep = target > rows
        us.append(rows[keep])
        vs.append(target[keep].astype(np.int64))
    if not us:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(us), np.concatenate(vs)


def adjacency_matrix(
    landscape: Landscape, *, neighbourhood: Neighbourhood | None = None
) -> scipy.sparse.csr_matrix:
    """Symmetric 0/1 adjacency matrix of the neighbourhood graph.

    Parameters
    ----------
    landscape : Landscape
    neighbourhood : Neighbourhood, optional

    Returns
    -------
    scipy.sparse.csr_matrix of shape (n, n)
    """
    import scipy.sparse as sp  # lazily: scipy.sparse costs ~0.3 s to import

    u, v = edge_list(landscape, neighbourhood=neighbourhood)
    n = landscape.n
    data = np.ones(2 * len(u), dtype=np.float64)
    matrix = sp.coo_matrix((data, (np.r_[u, v], np.r_[v, u])), shape=(n, n))
    return matrix.tocsr()


class NeighbourScan(NamedTuple):
    """What one pass over the move table tells about a loss vector and an epsilon.

    ``best_loss``/``best_row``: the lowest neighbour of each row (``inf``/``-1`` when isolated;
    ties to the lowest row). ``degree`` and ``neutral_count``: neighbours, and those with
    ``|dL| <= threshold``. ``neutral_u``/``neutral_v``: the neutral undirected edges.
    ``threshold``: epsilon plus the round-off tolerance of :func:`neutral_threshold`.
    """

    best_loss: np.ndarray
    best_row: np.ndarray
    degree: np.ndarray
    neutral_count: np.ndarray
    neutral_u: np.ndarray
    neutral_v: np.ndarray
    threshold: float


def neutral_threshold(loss: np.ndarray, epsilon: float) -> float:
    """Epsilon widened by a round-off tolerance of ``1e-9 * max(1, max |L|)``.

    Losses are often averages of error rates, whose differences are not exact in binary
    floating point (``0.83 - 0.82 > 0.01``); without the tolerance such a pair would not be
    neutral at ``epsilon = 0.01``, and equal averages summed in another order would not tie at
    ``epsilon = 0``.

    Parameters
    ----------
    loss : ndarray
    epsilon : float

    Returns
    -------
    float
    """
    scale = float(np.abs(loss).max()) if len(loss) else 0.0
    return float(epsilon) + 1e-9 * max(1.0, scale)


def on_full_grid(landscape: Landscape, neighbourhood: Neighbourhood) -> bool:
    """Whether the full-grid fast paths of :mod:`._grid` serve ``landscape``.

    Parameters
    ----------
    landscape : Landscape
    neighbourhood : Neighbourhood

    Returns
    -------
    bool
        True for a full grid with the default (1-edit) neighbourhood.
    """
    return landscape.is_full and neighbourhood.is_default


def _grid_scan(landscape: Landscape, loss: np.ndarray, epsilon: float) -> NeighbourScan:
    threshold = neutral_threshold(loss, epsilon)
    best_loss, best_row, neutral_count, u, v = grid_scan(landscape.space, loss, threshold)
    return NeighbourScan(best_loss, best_row, degrees(landscape), neutral_count, u, v, threshold)


def _scan(
    landscape: Landscape, loss: np.ndarray, epsilon: float, nb: Neighbourhood
) -> NeighbourScan:
    graph = neighbour_graph(landscape, neighbourhood=nb)
    threshold = neutral_threshold(loss, epsilon)
    n = landscape.n
    rows = np.arange(n, dtype=graph.targets.dtype)
    best_loss = np.full(n, np.inf)
    best_row = np.full(n, -1, dtype=np.int64)
    neutral_count = np.zeros(n, dtype=np.int64)
    us, vs = [], []
    for k in range(graph.n_moves):
        target = graph.targets[k]
        valid = target >= 0
        target_loss = np.where(valid, loss[target], np.inf)
        better = (target_loss < best_loss) | ((target_loss == best_loss) & (target < best_row))
        better &= valid
        best_loss = np.where(better, target_loss, best_loss)
        best_row = np.where(better, target, best_row)
        neutral = valid & (np.abs(loss - target_loss) <= threshold)
        neutral_count += neutral
        forward = neutral & (target > rows)
        if forward.any():
            us.append(rows[forward])
            vs.append(target[forward])
    empty = np.empty(0, dtype=graph.targets.dtype)
    return NeighbourScan(
        best_loss,
        best_row,
        degrees(landscape, neighbourhood=nb),
        neutral_count,
        np.concatenate(us) if us else empty,
        np.concatenate(vs) if vs else empty,
        threshold,
    )


def neighbour_scan(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> NeighbourScan:
    """The (cached) :class:`NeighbourScan` of a loss column at a neutrality threshold.

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
    epsilon : float, default 0.0
        Neutrality threshold (``|dL| <= epsilon``).
    neighbourhood : Neighbourhood, optional

    Returns
    -------
    NeighbourScan
    """
    nb = resolve_neighbourhood(neighbourhood)
    epsilon = float(epsilon)
    if not epsilon >= 0:
        from lossatlas.errors import InputError

        raise InputError(f"epsilon must be >= 0, not {epsilon}")
    values = landscape.loss(loss)
    if on_full_grid(landscape, nb):
        return landscape.cached(
            ("scan", loss, epsilon), lambda: _grid_scan(landscape, values, epsilon)
        )
    return landscape.cached(
        ("scan", loss, epsilon, *cache_key(nb)), lambda: _scan(landscape, values, epsilon, nb)
    )


def distances_to(
    landscape: Landscape, rows: np.ndarray, *, neighbourhood: Neighbourhood | None = None
) -> np.ndarray:
    """Grid distance from every row to the nearest of ``rows``.

    The grid distance is the shortest path on the full grid: for the 1-edit neighbourhood
    Manhattan on ordinal codes plus Hamming on categorical ones, in general the sum over HPs of
    the neighbourhood's value-graph distances. With few targets it is computed directly; with
    many it is a separable distance transform of the full grid, one axis at a time,
    ``O(|grid| d k)`` (``O(|grid| d k^2)`` for a general neighbourhood).

    Parameters
    ----------
    landscape : Landscape
    rows : ndarray of int
        Target rows.
    neighbourhood : Neighbourhood, optional

    Returns
    -------
    ndarray of shape (n,), int64
    """
    nb = resolve_neighbourhood(neighbourhood)
    if not nb.is_default:
        return _general_distances_to(landscape, np.asarray(rows, dtype=np.int64), nb)
    rows = np.asarray(rows, dtype=np.int64)
    space = landscape.space
    if landscape.is_full and len(rows) <= 16:
        return grid_distances_to(space, landscape.index[rows])
    codes = landscape.codes
    if len(rows) <= 16 or space.size > 8 * max(landscape.n, 1) or space.size > 5 * 10**7:
        out = np.full(landscape.n, np.iinfo(np.int64).max, dtype=np.int64)
        columns = [np.ascontiguousarray(codes[:, j]) for j in range(len(space))]
        for r in rows:
            dist = np.zeros(landscape.n, dtype=np.int32)
            for j, column in enumerate(columns):
                if space.is_ordinal[j]:
                    dist += np.abs(column.astype(np.int32) - int(column[r]))
                else:
                    dist += column != column[r]
            np.minimum(out, dist, out=out)
        return out
    big = np.int32(np.iinfo(np.int32).max // 4)
    field = np.full(space.size, big, dtype=np.int32)
    field[landscape.index[rows]] = 0
    field = field.reshape(tuple(int(r) for r in space.radices))
    for j in range(len(space)):
        view = np.moveaxis(field, j, 0)
        if space.is_ordinal[j]:
            for c in range(1, view.shape[0]):
                np.minimum(view[c], view[c - 1] + 1, out=view[c])
            for c in range(view.shape[0] - 2, -1, -1):
                np.minimum(view[c], view[c + 1] + 1, out=view[c])
        else:
            np.minimum(view, view.min(axis=0, keepdims=True) + 1, out=view)
    return field.reshape(-1)[landscape.index].astype(np.int64)


def _general_distances_to(landscape: Landscape, rows: np.ndarray, nb: Neighbourhood) -> np.ndarray:
    """:func:`distances_to` for a non-default neighbourhood, via per-HP distance tables."""
    space = landscape.space
    nb.check(space)
    tables = [nb.value_distances(hp) for hp in space.hyperparameters]
    codes = landscape.codes
    if len(rows) <= 16 or space.size > 8 * max(landscape.n, 1) or space.size > 5 * 10**7:
        out = np.full(landscape.n, np.iinfo(np.int64).max, dtype=np.int64)
        columns = [codes[:, j].astype(np.int64) for j in range(len(space))]
        for r in rows:
            dist = np.zeros(landscape.n, dtype=np.int64)
            for table, column in zip(tables, columns, strict=True):
                dist += table[column, column[r]]
            np.minimum(out, dist, out=out)
        return out
    big = np.int64(np.iinfo(np.int32).max // 4)
    field = np.full(space.size, big, dtype=np.int64)
    field[landscape.index[rows]] = 0
    field = field.reshape(tuple(int(r) for r in space.radices))
    for j, table in enumerate(tables):
        view = np.moveaxis(field, j, 0)
        relaxed = view.copy()
        for c in range(view.shape[0]):
            for source in range(view.shape[0]):
                if source != c:
                    np.minimum(relaxed[c], view[source] + table[source, c], out=relaxed[c])
        view[...] = relaxed
    return field.reshape(-1)[landscape.index].astype(np.int64)
