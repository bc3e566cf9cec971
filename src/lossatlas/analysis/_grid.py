"""Full-grid fast paths of the 1-edit neighbourhood graph, by slicing the loss tensor.

On a full grid in flat-index order (C order, the last hyperparameter fastest) the neighbours
along hyperparameter ``j`` are index strides: viewed as an ``(A, k, s)`` array (``k`` values,
stride ``s``), the value-``c`` and value-``c + o`` configurations are the slices
``[:, c]`` and ``[:, c + o]``. An ordinal HP has the pairs at offset ``o = 1``, a categorical
one the pairs at every offset ``1 .. k-1``, so every undirected edge is one element of one
``(slice, slice + o)`` pair of views, and the per-row sums of the move table
(:mod:`~lossatlas.analysis._graph`) become sums of shifted views: no move table, no gather.

Every function here gives what the move-table path gives on the same landscape (the same
integers; floating sums up to round-off), which ``tests/analysis/test_grid_fast_paths.py``
checks on random grids.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lossatlas.space import SearchSpace

__all__ = [
    "grid_degrees",
    "grid_move_targets",
    "grid_n_moves",
    "grid_neighbour_sums",
    "grid_pair_product_sum",
    "grid_scan",
    "grid_distances_to",
]


def _pairs(space: SearchSpace) -> Iterator[tuple[int, int, int]]:
    """``(k, s, o)`` of every class of undirected edges, in the move table's order."""
    for j in range(len(space)):
        k, s = int(space.radices[j]), int(space.strides[j])
        offsets = [1] if space.is_ordinal[j] else range(1, k)
        for o in offsets:
            if o < k:
                yield k, s, o


def _view(a: np.ndarray, k: int, s: int) -> np.ndarray:
    return a.reshape(-1, k, s)


def grid_degrees(space: SearchSpace) -> np.ndarray:
    """Number of 1-edit neighbours of every configuration of the full grid.

    Parameters
    ----------
    space : SearchSpace

    Returns
    -------
    ndarray of shape (space.size,), int64
    """
    degree = np.zeros(space.size, dtype=np.int64)
    for k, s, o in _pairs(space):
        view = _view(degree, k, s)
        view[:, : k - o] += 1
        view[:, o:] += 1
    return degree


def grid_neighbour_sums(space: SearchSpace, values: np.ndarray) -> np.ndarray:
    """Sum of the neighbours' values of every configuration of the full grid.

    Parameters
    ----------
    space : SearchSpace
    values : ndarray of shape (space.size,)

    Returns
    -------
    ndarray of shape (space.size,), float64
    """
    values = np.asarray(values, dtype=np.float64)
    total = np.zeros(space.size)
    for k, s, o in _pairs(space):
        source, view = _view(values, k, s), _view(total, k, s)
        view[:, : k - o] += source[:, o:]
        view[:, o:] += source[:, : k - o]
    return total


def grid_pair_product_sum(space: SearchSpace, values: np.ndarray) -> float:
    """``sum x_i x_j`` over the ordered neighbour pairs (each edge twice) of the full grid.

    Parameters
    ----------
    space : SearchSpace
    values : ndarray of shape (space.size,)

    Returns
    -------
    float
    """
    values = np.asarray(values, dtype=np.float64)
    total = 0.0
    for k, s, o in _pairs(space):
        view = _view(values, k, s)
        total += float(np.einsum("ijk,ijk->", view[:, : k - o], view[:, o:]))
    return 2.0 * total


def grid_scan(
    space: SearchSpace, loss: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One pass over the edges of the full grid: what :func:`~._graph.neighbour_scan` reads.

    Parameters
    ----------
    space : SearchSpace
    loss : ndarray of shape (space.size,)
    threshold : float
        Neutral when ``|dL| <= threshold``.

    Returns
    -------
    best_loss, best_row, neutral_count, neutral_u, neutral_v : ndarray
        The lowest neighbour's loss (``inf`` when isolated) and row (lowest row on ties,
        ``-1``), the neutral neighbours of each row, and the neutral edges ``u < v`` in the
        move table's order.
    """
    n = space.size
    dtype = np.int32 if n < 2**31 - 1 else np.int64
    loss = np.asarray(loss, dtype=np.float64)
    best = np.full(n, np.inf)
    count = np.zeros(n, dtype=np.int64)
    us: list[np.ndarray] = []
    vs: list[np.ndarray] = []
    for k, s, o in _pairs(space):
        values, low = _view(loss, k, s), _view(best, k, s)
        lo, hi = values[:, : k - o], values[:, o:]
        np.minimum(low[:, : k - o], hi, out=low[:, : k - o])
        np.minimum(low[:, o:], lo, out=low[:, o:])
        gap = np.subtract(lo, hi)
        neutral = np.abs(gap, out=gap) <= threshold
        if neutral.any():  # rarely at epsilon = 0: skip the counts otherwise
            counts = _view(count, k, s)
            counts[:, : k - o] += neutral
            counts[:, o:] += neutral
            mask = np.zeros(values.shape, dtype=bool)
            mask[:, : k - o] = neutral
            u = np.flatnonzero(mask).astype(dtype)
            us.append(u)
            vs.append(u + dtype(o * s))
    row = np.full(n, n, dtype=np.int64)
    flat = np.arange(n, dtype=np.int64)
    for k, s, o in _pairs(space):
        values, low = _view(loss, k, s), _view(best, k, s)
        rows, index = _view(row, k, s), _view(flat, k, s)
        lo, hi = values[:, : k - o], values[:, o:]
        # the lowest row among the neighbours that attain the best loss
        first, second = rows[:, : k - o], rows[:, o:]
        np.minimum(first, index[:, o:], out=first, where=hi == low[:, : k - o])
        np.minimum(second, index[:, : k - o], out=second, where=lo == low[:, o:])
    row[row == n] = -1
    empty = np.empty(0, dtype=dtype)
    return (
        best,
        row,
        count,
        np.concatenate(us) if us else empty,
        np.concatenate(vs) if vs else empty,
    )


def grid_n_moves(space: SearchSpace) -> int:
    """Rows of the 1-edit move table: 2 per ordinal HP, ``k - 1`` per categorical one.

    Parameters
    ----------
    space : SearchSpace

    Returns
    -------
    int
    """
    return sum(2 if space.is_ordinal[j] else int(space.radices[j]) - 1 for j in range(len(space)))


def _move_arrays(space: SearchSpace) -> tuple[np.ndarray, ...]:
    stride, radix, offset, cyclic = [], [], [], []
    for j in range(len(space)):
        k, s = int(space.radices[j]), int(space.strides[j])
        offsets = [1, -1] if space.is_ordinal[j] else list(range(1, k))
        for off in offsets:
            stride.append(s)
            radix.append(k)
            offset.append(off)
            cyclic.append(not space.is_ordinal[j])
    return (
        np.asarray(stride, dtype=np.int64),
        np.asarray(radix, dtype=np.int64),
        np.asarray(offset, dtype=np.int64),
        np.asarray(cyclic, dtype=bool),
    )


def grid_move_targets(space: SearchSpace, moves: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """Target of move ``moves[i]`` (a row of the move table) from configuration ``flat[i]``.

    Parameters
    ----------
    space : SearchSpace
    moves : ndarray of int
        Move-table rows (``0 .. grid_n_moves(space) - 1``).
    flat : ndarray of int
        Flat indices (rows of the full grid).

    Returns
    -------
    ndarray of int64
        The target row, ``-1`` where the move leaves the grid.
    """
    stride, radix, offset, cyclic = (a[moves] for a in _move_arrays(space))
    flat = np.asarray(flat, dtype=np.int64)
    code = (flat // stride) % radix
    new = code + offset
    new = np.where(cyclic & (new >= radix), new - radix, new)
    valid = (new >= 0) & (new < radix)
    return np.where(valid, flat + (new - code) * stride, -1)


def grid_distances_to(space: SearchSpace, flat: np.ndarray) -> np.ndarray:
    """1-edit grid distance of every configuration of the full grid to the nearest of ``flat``.

    Manhattan on ordinal codes plus Hamming on categorical ones, built per target as a sum of
    one-axis distance vectors broadcast over the grid (no decoding of the configurations).

    Parameters
    ----------
    space : SearchSpace
    flat : ndarray of int
        Target configurations (a few: the cost is one grid pass per target).

    Returns
    -------
    ndarray of shape (space.size,), int64
    """
    shape = tuple(int(r) for r in space.radices)
    out = np.full(space.size, np.iinfo(np.int64).max, dtype=np.int64)
    for target in np.asarray(flat, dtype=np.int64):
        field = np.zeros(shape, dtype=np.int32)
        for j in range(len(space)):
            k = shape[j]
            code = int(target // space.strides[j]) % k
            axis = np.arange(k, dtype=np.int32)
            step = np.abs(axis - code) if space.is_ordinal[j] else (axis != code).astype(np.int32)
            field += step.reshape([k if i == j else 1 for i in range(len(shape))])
        np.minimum(out, field.reshape(-1), out=out)
    return out
