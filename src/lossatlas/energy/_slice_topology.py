"""Topology of a sampled 2-D slice: its minima, saddles and their persistence (a merge tree).

Sweeping the grid values upwards and joining each grid point to its already-seen neighbours
(union-find) builds the *merge tree* (join tree) of the sampled surface: a grid point with no
lower neighbour starts a component (a minimum); one whose lower neighbours belong to two or
more components is a saddle that merges them. By the elder rule the component with the higher
minimum dies there, with *persistence* = saddle value - its minimum's value. Minima of
persistence below a threshold (sampling noise, tiny dimples) are dropped with their saddles.
The minima and merging saddles are exactly the input of a disconnectivity graph
(:func:`to_disconnectivity`), so the picture of a slice can be set against the true
disconnectivity graph of the database's minima and transition states.

References
----------
H. Carr, J. Snoeyink and U. Axen, "Computing contour trees in all dimensions", Comput. Geom. 24,
75-94 (2003).
H. Edelsbrunner, D. Letscher and A. Zomorodian, "Topological persistence and simplification",
Discrete Comput. Geom. 28, 511-533 (2002).
O. M. Becker and M. Karplus, J. Chem. Phys. 106, 1495 (1997) (disconnectivity graphs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from lossatlas.errors import InputError

__all__ = [
    "GridMinimum",
    "GridSaddle",
    "SliceMergeTree",
    "slice_merge_tree",
    "to_disconnectivity",
]

_NEIGHBOURS = {
    4: ((-1, 0), (1, 0), (0, -1), (0, 1)),
    8: ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)),
}


@dataclass(frozen=True)
class GridMinimum:
    """A minimum of the sampled grid.

    Attributes
    ----------
    id : int
        0, 1, ... in order of increasing value (0 is the global minimum of the grid).
    index : tuple of int
        Grid index ``(i, j)``.
    coords : tuple of float
        Slice coordinates ``(a, b)``.
    energy : float
    persistence : float
        Value of the saddle where its component merges into an older (lower) one, minus its
        value; ``inf`` for the global minimum.
    on_boundary : bool
        Whether it lies on the edge of the grid (the true minimum may lie outside).
    """

    id: int
    index: tuple[int, int]
    coords: tuple[float, float]
    energy: float
    persistence: float
    on_boundary: bool


@dataclass(frozen=True)
class GridSaddle:
    """A saddle of the sampled grid where two components merge.

    Attributes
    ----------
    index, coords, energy :
        As for :class:`GridMinimum`.
    joins : tuple of int
        ``(elder, younger)``: the lowest minima of the two components it merges; the younger
        dies here.
    """

    index: tuple[int, int]
    coords: tuple[float, float]
    energy: float
    joins: tuple[int, int]


@dataclass(frozen=True)
class SliceMergeTree:
    """Minima and merging saddles of a sampled 2-D surface, and the threshold they survive."""

    minima: tuple[GridMinimum, ...]
    saddles: tuple[GridSaddle, ...]
    min_persistence: float
    connectivity: int

    def persistence_pairs(self) -> np.ndarray:
        """``(birth, death)`` per minimum (death ``inf`` for the global one), shape ``(k, 2)``."""
        return np.array([(m.energy, m.energy + m.persistence) for m in self.minima]).reshape(-1, 2)


def _find(parent: np.ndarray, i: int) -> int:
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:
        parent[i], i = root, parent[i]
    return root


def slice_merge_tree(
    values: np.ndarray,
    *,
    coordinates: tuple[np.ndarray, np.ndarray] | None = None,
    connectivity: Literal[4, 8] = 8,
    min_persistence: float = 0.0,
) -> SliceMergeTree:
    """The merge tree of a sampled 2-D surface (a :class:`LossSlice`'s ``train`` grid).

    Parameters
    ----------
    values : numpy.ndarray, shape (n, m)
        Grid values; ``values[i, j]`` at ``(coordinates[0][i], coordinates[1][j])``.
    coordinates : (numpy.ndarray, numpy.ndarray), optional
        The grid axes; default the indices.
    connectivity : {4, 8}, default 8
        Grid neighbours: edge neighbours only, or edge and diagonal neighbours.
    min_persistence : float, default 0.0
        Drop minima (and the saddles where they die) whose persistence is at most this.

    Returns
    -------
    SliceMergeTree

    Notes
    -----
    One sort and a union-find sweep: ``O(nm log nm)``. Ties in value are broken by flat index,
    so plateaus yield one minimum each. Non-finite values are rejected.

    References
    ----------
    Carr, Snoeyink and Axen (2003); Edelsbrunner, Letscher and Zomorodian (2002).
    """
    Z = np.asarray(values, dtype=float)
    if Z.ndim != 2 or min(Z.shape) < 2:
        raise InputError(f"a merge tree needs a 2-D grid of at least 2 x 2 values, got {Z.shape}")
    if not np.all(np.isfinite(Z)):
        raise InputError("the sampled slice holds NaN or infinite values")
    if connectivity not in _NEIGHBOURS:
        raise InputError(f"connectivity must be 4 or 8, got {connectivity!r}")
    if not min_persistence >= 0:
        raise InputError(f"min_persistence must be >= 0, got {min_persistence!r}")
    n, m = Z.shape
    xs, ys = (np.arange(n, dtype=float), np.arange(m, dtype=float))
    if coordinates is not None:
        xs, ys = (np.asarray(c, dtype=float) for c in coordinates)
        if xs.shape != (n,) or ys.shape != (m,):
            raise InputError(f"coordinates must have lengths {n} and {m}")
    flat = Z.ravel()
    order = np.argsort(flat, kind="stable")
    parent = np.full(flat.size, -1, dtype=np.int64)
    lowest = np.full(flat.size, -1, dtype=np.int64)  # root -> flat index of its minimum
    births: list[int] = []
    deaths: dict[int, tuple[int, int]] = {}  # younger minimum -> (saddle flat index, elder)
    offsets = _NEIGHBOURS[connectivity]
    for c in order.tolist():
        i, j = divmod(c, m)
        roots = set()
        for di, dj in offsets:
            a, b = i + di, j + dj
            if 0 <= a < n and 0 <= b < m and parent[a * m + b] >= 0:
                roots.add(_find(parent, a * m + b))
        parent[c] = c
        if not roots:
            lowest[c] = c
            births.append(c)
            continue
        by_min = sorted(roots, key=lambda r: (flat[lowest[r]], lowest[r]))
        elder = by_min[0]
        for r in by_min[1:]:
            deaths[int(lowest[r])] = (c, int(lowest[elder]))
            parent[r] = elder
        parent[c] = elder

    def pers(b: int) -> float:
        return flat[deaths[b][0]] - flat[b] if b in deaths else float("inf")

    kept = [b for b in births if pers(b) > min_persistence]
    kept.sort(key=lambda b: (flat[b], b))
    ids = {b: k for k, b in enumerate(kept)}
    minima = tuple(
        GridMinimum(
            id=ids[b],
            index=divmod(b, m),
            coords=(float(xs[b // m]), float(ys[b % m])),
            energy=float(flat[b]),
            persistence=float(pers(b)),
            on_boundary=b // m in (0, n - 1) or b % m in (0, m - 1),
        )
        for b in kept
    )

    def survivor(b: int) -> int:
        # The elder of a dropped minimum may itself be dropped later: follow to a kept one.
        while b not in ids:
            b = deaths[b][1]
        return b

    saddles = []
    for b in kept:
        if b in deaths:
            s, elder = deaths[b]
            saddles.append(
                GridSaddle(
                    index=divmod(s, m),
                    coords=(float(xs[s // m]), float(ys[s % m])),
                    energy=float(flat[s]),
                    joins=(ids[survivor(elder)], ids[b]),
                )
            )
    saddles.sort(key=lambda sd: sd.energy)
    return SliceMergeTree(minima, tuple(saddles), float(min_persistence), int(connectivity))


def to_disconnectivity(tree: SliceMergeTree, **options: Any) -> Any:
    """The disconnectivity tree of a slice's merge tree (minima ids are the grid minima's ids).

    Parameters
    ----------
    tree : SliceMergeTree
    **options
        Passed to :func:`lossatlas.energy._disconnectivity.disconnectivity_tree` (``n_levels``,
        ``levels``, ``order``).

    Returns
    -------
    DisconnectivityTree
    """
    from lossatlas.energy._disconnectivity import disconnectivity_tree

    return disconnectivity_tree(
        {mn.id: mn.energy for mn in tree.minima},
        [(s.energy, s.joins[0], s.joins[1]) for s in tree.saddles],
        **options,
    )
