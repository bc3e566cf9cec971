"""Disconnectivity graphs: the tree of minima joined below a ladder of energy levels.

At each level ``E_0 < E_1 < ... < E_n`` the minima lower than the level are grouped into the
components joined by transition states lower than the level (union-find, transition states
added in energy order). Each component is a node; a component at level ``i + 1`` is the parent of
the components at level ``i`` it contains. Nodes with a single child are spliced out (a vertical
line needs no joint), and every minimum is a leaf whose line goes down to its own energy
(Becker & Karplus 1997; Wales, Miller & Walsh 1998).

The top level lies strictly above the highest transition state and the highest minimum, so the
global minimum never drops out of the picture, and a minimum that no transition state joins to
the others still gets its own branch up to the top.

References
----------
O. M. Becker and M. Karplus, "The topology of multidimensional potential energy surfaces:
theory and application to peptide structure and kinetics", J. Chem. Phys. 106, 1495 (1997).
D. J. Wales, M. A. Miller and T. R. Walsh, "Archetypal energy landscapes", Nature 394, 758 (1998).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from lossatlas.energy._plotdata import DisconnectivityPlotData
from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.energy._database import Database

__all__ = [
    "TreeNode",
    "DisconnectivityTree",
    "disconnectivity_tree",
    "disconnectivity_plot_data",
    "tree_from_database",
]


@dataclass(frozen=True)
class TreeNode:
    """One node of a disconnectivity tree.

    Attributes
    ----------
    id : int
        Index of the node in :attr:`DisconnectivityTree.nodes`.
    energy : float
        The level energy for an internal node; the minimum's energy for a leaf.
    level : int or None
        Index of the level in :attr:`DisconnectivityTree.levels`; None for a leaf.
    minima : tuple of int
        The minima (ids) the node contains, sorted.
    parent : int or None
        Parent node id; None for a root (a node at the top level).
    children : tuple of int
        Child node ids, in drawing order (left to right).
    x : float
        Horizontal position: leaves at 0, 1, 2, ...; an internal node at the mean of its
        children.
    minimum : int or None
        The minimum of a leaf; None for an internal node.
    """

    id: int
    energy: float
    level: int | None
    minima: tuple[int, ...]
    parent: int | None
    children: tuple[int, ...]
    x: float
    minimum: int | None = None

    @property
    def is_leaf(self) -> bool:
        """Whether the node is a minimum."""
        return self.minimum is not None


@dataclass(frozen=True)
class DisconnectivityTree:
    """A disconnectivity tree as data.

    Attributes
    ----------
    levels : numpy.ndarray
        Level energies, ascending; ``levels[-1]`` is above every transition state and minimum.
    nodes : tuple of TreeNode
        Internal nodes and leaves; ``nodes[i].id == i``.
    edges : tuple of (int, int)
        ``(parent, child)`` node ids.
    roots : tuple of int
        Nodes at the top level (one per group of minima joined below it), left to right.
    leaf_of : dict of int to int
        Minimum id -> its leaf node id.
    leaf_x : dict of int to float
        Minimum id -> horizontal position of its leaf.
    """

    levels: np.ndarray
    nodes: tuple[TreeNode, ...]
    edges: tuple[tuple[int, int], ...]
    roots: tuple[int, ...]
    leaf_of: dict[int, int]
    leaf_x: dict[int, float]

    def parent_of_minimum(self, minimum: int) -> TreeNode | None:
        """The internal node the leaf of ``minimum`` hangs from."""
        parent = self.nodes[self.leaf_of[minimum]].parent
        return None if parent is None else self.nodes[parent]


class _UnionFind:
    def __init__(self, items: Sequence[int]) -> None:
        self.parent = {i: i for i in items}

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)


def _auto_levels(e_low: float, e_high: float, n_levels: int) -> np.ndarray:
    """``n_levels`` evenly spaced levels, the lowest above ``e_low``, the top above ``e_high``."""
    span = e_high - e_low
    if span <= 0:
        span = max(1.0, abs(e_high)) * 1e-3
    top = e_high + 0.02 * span
    step = (top - e_low) / n_levels
    return top - step * np.arange(n_levels - 1, -1, -1)


def disconnectivity_tree(
    minima_energies: Mapping[int, float],
    transition_states: Sequence[tuple[float, int, int]],
    *,
    n_levels: int = 20,
    levels: Sequence[float] | np.ndarray | None = None,
    order: Literal["energy", "basin_size"] = "energy",
) -> DisconnectivityTree:
    """Build the disconnectivity tree of a set of minima and transition states.

    Parameters
    ----------
    minima_energies : mapping of int to float
        Minimum id -> energy.
    transition_states : sequence of (energy, min1, min2)
        Each transition state with the two minima it joins.
    n_levels : int, default 20
        Number of evenly spaced levels when ``levels`` is not given; the lowest lies above the
        global minimum, the top 2 % of the energy range above the highest transition state (or
        minimum).
    levels : sequence of float, optional
        Explicit level energies. When the highest is not strictly above every transition state
        and minimum, one more level is added above them (so no minimum drops out).
    order : {"energy", "basin_size"}, default "energy"
        Order of the branches under a node: lowest minimum first, or most minima first (ties by
        lowest minimum).

    Returns
    -------
    DisconnectivityTree

    Notes
    -----
    A minimum belongs to a level when its energy is strictly below it, and a transition state
    joins its two minima at every level strictly above its energy. Complexity
    ``O(n_levels * n_minima + n_ts log n_ts)``.
    """
    if order not in ("energy", "basin_size"):
        raise InputError(f"order must be 'energy' or 'basin_size', got {order!r}")
    energies = {int(k): float(v) for k, v in minima_energies.items()}
    if not energies:
        raise InputError("disconnectivity tree: there are no minima")
    if not all(np.isfinite(list(energies.values()))):
        raise InputError("disconnectivity tree: minimum energies must be finite")
    saddles = sorted((float(e), int(a), int(b)) for e, a, b in transition_states)
    for e, a, b in saddles:
        for m in (a, b):
            if m not in energies:
                raise InputError(
                    f"disconnectivity tree: transition state at energy {e} joins minimum {m}, "
                    "which is not among the minima"
                )
    e_high = max([*energies.values(), *(s[0] for s in saddles)])
    if levels is None:
        if int(n_levels) < 1:
            raise InputError(f"n_levels must be >= 1, got {n_levels}")
        lv = _auto_levels(min(energies.values()), e_high, int(n_levels))
    else:
        lv = np.unique(np.asarray(levels, dtype=float))
        if lv.size == 0 or not np.all(np.isfinite(lv)):
            raise InputError(f"levels must be finite numbers, got {levels!r}")
        if lv[-1] <= e_high:
            gap = float(np.min(np.diff(lv))) if lv.size > 1 else max(1.0, abs(e_high)) * 1e-2
            lv = np.append(lv, e_high + gap)

    # nodes before collapsing: (level, members); leaves hang from the lowest level holding them
    uf = _UnionFind(sorted(energies))
    node_level: list[int] = []
    node_members: list[tuple[int, ...]] = []
    node_parent: list[int | None] = []
    previous: dict[int, int] = {}  # minimum -> node at the previous level
    leaf_parent: dict[int, int] = {}
    k = 0
    for i, level in enumerate(lv):
        while k < len(saddles) and saddles[k][0] < level:
            uf.union(saddles[k][1], saddles[k][2])
            k += 1
        groups: dict[int, list[int]] = {}
        for m, e in energies.items():
            if e < level:
                groups.setdefault(uf.find(m), []).append(m)
        current: dict[int, int] = {}
        for members in groups.values():
            nid = len(node_level)
            node_level.append(i)
            node_members.append(tuple(sorted(members)))
            node_parent.append(None)
            for m in members:
                current[m] = nid
                if m in previous:
                    node_parent[previous[m]] = nid
                else:
                    leaf_parent[m] = nid
        previous = current

    # splice out non-root internal nodes with a single child
    children: dict[int, list[int]] = {n: [] for n in range(len(node_level))}
    for n, p in enumerate(node_parent):
        if p is not None:
            children[p].append(n)
    child_count = {n: len(c) for n, c in children.items()}
    for p in leaf_parent.values():
        child_count[p] += 1
    alive = [node_parent[n] is None or child_count[n] > 1 for n in range(len(node_level))]

    def lift(n: int) -> int:
        while not alive[n]:
            n = node_parent[n]  # type: ignore[assignment]
        return n

    kids: dict[int, list[tuple[str, int]]] = {n: [] for n in range(len(node_level)) if alive[n]}
    for n in range(len(node_level)):
        if alive[n] and node_parent[n] is not None:
            kids[lift(node_parent[n])].append(("node", n))  # type: ignore[arg-type]
    for m, p in leaf_parent.items():
        kids[lift(p)].append(("leaf", m))

    def key(item: tuple[str, int]) -> tuple[float, float, int]:
        kind, ref = item
        members = (ref,) if kind == "leaf" else node_members[ref]
        low = min(energies[m] for m in members)
        size = -len(members) if order == "basin_size" else 0
        return (size, low, min(members))

    # lay out depth first and renumber
    out: list[dict[str, Any]] = []
    leaf_of: dict[int, int] = {}
    leaf_x: dict[int, float] = {}
    next_x = [0.0]

    def place(item: tuple[str, int], parent: int | None) -> int:
        kind, ref = item
        nid = len(out)
        if kind == "leaf":
            out.append(
                dict(
                    id=nid,
                    energy=energies[ref],
                    level=None,
                    minima=(ref,),
                    parent=parent,
                    children=(),
                    x=next_x[0],
                    minimum=ref,
                )
            )
            leaf_of[ref] = nid
            leaf_x[ref] = next_x[0]
            next_x[0] += 1.0
            return nid
        out.append(
            dict(
                id=nid,
                energy=float(lv[node_level[ref]]),
                level=node_level[ref],
                minima=node_members[ref],
                parent=parent,
                minimum=None,
            )
        )
        child_ids = [place(c, nid) for c in sorted(kids[ref], key=key)]
        out[nid]["children"] = tuple(child_ids)
        out[nid]["x"] = float(np.mean([out[c]["x"] for c in child_ids]))
        return nid

    top_items = sorted((("node", n) for n in kids if node_parent[n] is None), key=key)
    roots = tuple(place(item, None) for item in top_items)
    nodes = tuple(TreeNode(**d) for d in out)
    edges = tuple((n.parent, n.id) for n in nodes if n.parent is not None)
    return DisconnectivityTree(
        levels=lv, nodes=nodes, edges=edges, roots=roots, leaf_of=leaf_of, leaf_x=leaf_x
    )


def tree_from_database(db: Database, **kw: Any) -> DisconnectivityTree:
    """:func:`disconnectivity_tree` of every minimum and transition state in ``db``.

    Parameters
    ----------
    db : Database
        An open database.
    **kw
        Options of :func:`disconnectivity_tree` (``n_levels``, ``order``, ...).

    Returns
    -------
    DisconnectivityTree
    """
    minima = {m.id: m.energy for m in db.minima()}
    ts = [(t.energy, t.min1, t.min2) for t in db.transition_states()]
    return disconnectivity_tree(minima, ts, **kw)


def disconnectivity_plot_data(
    tree: DisconnectivityTree,
    *,
    colour_by: Mapping[int, float] | None = None,
    cmap: str = "viridis",
    label_minima: bool = False,
    colour_label: str | None = None,
) -> DisconnectivityPlotData:
    """What the drawing of a disconnectivity tree shows (draw it with ``plot_disconnectivity``).

    Each node is joined to its parent by a vertical line up to the level below the parent and a
    slanted line into the parent's joint (the drawing of Wales, Miller & Walsh 1998).

    Parameters
    ----------
    tree : DisconnectivityTree
        The tree (:func:`disconnectivity_tree`).
    colour_by : mapping of int to float, optional
        A value per minimum id (e.g. test accuracy); minima without one get NaN (drawn grey).
    cmap : str, default "viridis"
        Colour map of the values.
    label_minima : bool, default False
        Write each minimum's id under its leaf.
    colour_label : str, optional
        Label of the colour bar.

    Returns
    -------
    DisconnectivityPlotData
    """
    levels = tree.levels
    segments = []
    for node in tree.nodes:
        if node.parent is None:
            continue
        parent = tree.nodes[node.parent]
        assert parent.level is not None
        knee = levels[parent.level - 1] if parent.level > 0 else parent.energy
        knee = max(knee, node.energy)
        segments.append(
            [
                (float(node.x), float(node.energy)),
                (float(node.x), float(knee)),
                (float(parent.x), float(parent.energy)),
            ]
        )
    low = min(n.energy for n in tree.nodes)
    span = float(levels[-1] - low) or 1.0
    stubs = [
        (float(tree.nodes[r].x), tree.nodes[r].energy, tree.nodes[r].energy + 0.02 * span)
        for r in tree.roots
    ]
    leaves = [tree.nodes[i] for i in tree.leaf_of.values()]
    values = None
    if colour_by is not None:
        known = {int(k): float(v) for k, v in colour_by.items()}
        values = np.array([known.get(int(n.minimum), np.nan) for n in leaves], dtype=float)  # type: ignore[arg-type]
    xs = [n.x for n in tree.nodes]
    return DisconnectivityPlotData(
        segments=segments,
        stubs=stubs,
        leaf_x=np.array([n.x for n in leaves], dtype=float),
        leaf_energy=np.array([n.energy for n in leaves], dtype=float),
        leaf_ids=np.array([n.minimum for n in leaves], dtype=int),
        leaf_values=values,
        cmap=cmap,
        colour_label=colour_label,
        label_minima=bool(label_minima),
        xlim=(min(xs) - 1.0, max(xs) + 1.0),
        ylim=(low - 0.05 * span, float(levels[-1]) + 0.05 * span),
    )
