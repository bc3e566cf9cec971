"""Tests of disconnectivity trees against hand-drawn trees and a brute-force oracle."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossatlas.energy import (
    Database,
    DisconnectivityTree,
    disconnectivity_tree,
    plot_disconnectivity,
    tree_from_database,
)
from lossatlas.errors import InputError

# Hand-made landscape: four minima, three saddles, and minimum 5 joined to nothing.
#
#   level  1  ---------+------------------      +   (5 has its own branch to the top)
#                      |                        |
#   level -1     +-----|------+                 |
#   level -3  +--+     |      |                 |
#             |  |     3(-6)  4(-5)             |
#             1(-10) 2(-8)                      5(-7)
MINIMA = {1: -10.0, 2: -8.0, 3: -6.0, 4: -5.0}
SADDLES = [(-4.0, 1, 2), (-2.0, 3, 4), (0.0, 2, 3)]
LEVELS = [-9.0, -7.0, -5.0, -3.0, -1.0, 1.0]


def structure(tree: DisconnectivityTree) -> dict:
    """Tree as {node minima: (node energy, parent minima)} for order-free comparison."""
    out = {}
    for n in tree.nodes:
        parent = None if n.parent is None else tree.nodes[n.parent].minima
        key = ("leaf", n.minimum) if n.is_leaf else n.minima
        out[key] = (n.energy, parent)
    return out


def test_hand_drawn_tree() -> None:
    tree = disconnectivity_tree({**MINIMA, 5: -7.0}, SADDLES, levels=LEVELS)
    assert structure(tree) == {
        (1, 2, 3, 4): (1.0, None),  # root at the top level
        (1, 2): (-3.0, (1, 2, 3, 4)),  # 1 and 2 join at -4: first level above is -3
        (3, 4): (-1.0, (1, 2, 3, 4)),  # 3 and 4 join at -2: level -1
        ("leaf", 1): (-10.0, (1, 2)),
        ("leaf", 2): (-8.0, (1, 2)),
        ("leaf", 3): (-6.0, (3, 4)),
        ("leaf", 4): (-5.0, (3, 4)),
        (5,): (1.0, None),  # unconnected minimum: its own root at the top
        ("leaf", 5): (-7.0, (5,)),
    }
    np.testing.assert_array_equal(tree.levels, LEVELS)
    assert len(tree.nodes) == 9 and len(tree.edges) == 7 and len(tree.roots) == 2
    # drawing order by energy: global minimum leftmost, unconnected 5 after the big tree
    assert [tree.leaf_x[m] for m in (1, 2, 3, 4, 5)] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert tree.nodes[tree.roots[0]].x == 1.5
    assert tree.parent_of_minimum(4).minima == (3, 4)
    for parent, child in tree.edges:
        assert tree.nodes[child].parent == parent and child in tree.nodes[parent].children


def test_basin_size_order() -> None:
    minima = {1: -10.0, 2: -1.0, 3: -2.0, 4: -3.0}
    saddles = [(0.0, 2, 3), (0.5, 3, 4), (1.0, 1, 2)]
    by_energy = disconnectivity_tree(minima, saddles, levels=[-5, 0.25, 0.75, 2])
    by_size = disconnectivity_tree(minima, saddles, levels=[-5, 0.25, 0.75, 2], order="basin_size")
    # under the root: leaf 1 and the node {2,3,4}
    assert by_energy.leaf_x[1] == 0.0  # lowest minimum first
    assert by_size.leaf_x[1] == 3.0  # the three-minimum branch first
    assert structure(by_energy) == structure(by_size)


def test_top_level_above_highest_saddle() -> None:
    # user levels stop below the highest saddle: a top level is added, global minimum stays
    tree = disconnectivity_tree(MINIMA, SADDLES, levels=[-9.0, -7.0, -5.0, -3.0])
    assert tree.levels[-1] > max(s[0] for s in SADDLES)
    assert len(tree.roots) == 1 and tree.nodes[tree.roots[0]].minima == (1, 2, 3, 4)
    assert set(tree.leaf_of) == {1, 2, 3, 4}
    auto = disconnectivity_tree(MINIMA, SADDLES, n_levels=7)
    assert auto.levels.size == 7 and auto.levels[-1] > 0.0 and auto.levels[0] > -10.0
    assert np.all(np.diff(auto.levels) > 0)
    assert len(auto.roots) == 1 and set(auto.leaf_of) == {1, 2, 3, 4}


def test_single_minimum_and_errors() -> None:
    tree = disconnectivity_tree({7: 3.0}, [])
    assert len(tree.nodes) == 2 and tree.levels[-1] > 3.0 and tree.leaf_x == {7: 0.0}
    with pytest.raises(InputError, match="no minima"):
        disconnectivity_tree({}, [])
    with pytest.raises(InputError, match="minimum 9"):
        disconnectivity_tree({1: 0.0}, [(1.0, 1, 9)])
    with pytest.raises(InputError, match="order"):
        disconnectivity_tree({1: 0.0}, [], order="size")  # type: ignore[arg-type]


def oracle_components(minima: dict, saddles: list, level: float) -> set[frozenset]:
    """Components below ``level`` by repeated merging (no union-find)."""
    comps = [{m} for m, e in minima.items() if e < level]
    for e, a, b in saddles:
        if e < level:
            ca = next((c for c in comps if a in c), None)
            cb = next((c for c in comps if b in c), None)
            if ca is not None and cb is not None and ca is not cb:
                comps.remove(cb)
                ca |= cb
    return {frozenset(c) for c in comps}


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 9), st.integers(0, 12), st.integers(0, 10_000), st.integers(2, 8))
def test_tree_matches_oracle(n_min: int, n_ts: int, seed: int, n_levels: int) -> None:
    rng = np.random.default_rng(seed)
    minima = {i + 1: float(e) for i, e in enumerate(rng.uniform(-10, 0, n_min))}
    saddles = []
    for _ in range(n_ts):
        a, b = rng.choice(n_min, size=2, replace=False) + 1
        saddles.append((max(minima[a], minima[b]) + float(rng.uniform(0.1, 5)), int(a), int(b)))
    tree = disconnectivity_tree(minima, saddles, n_levels=n_levels)
    top = tree.levels[-1]
    assert top > max([*minima.values(), *(s[0] for s in saddles)])
    # every minimum has exactly one leaf, at its energy
    assert sorted(tree.leaf_of) == sorted(minima)
    for m, nid in tree.leaf_of.items():
        assert tree.nodes[nid].energy == minima[m]
    # roots are the components at the top level
    assert {frozenset(tree.nodes[r].minima) for r in tree.roots} == oracle_components(
        minima, sorted(saddles), top
    )
    for n in tree.nodes:
        if n.is_leaf:
            continue
        # an internal node is a component at its level, and has >= 2 children unless a root
        assert frozenset(n.minima) in oracle_components(minima, sorted(saddles), n.energy)
        assert len(n.children) >= 2 or n.parent is None
        assert set(n.minima) == {m for c in n.children for m in tree.nodes[c].minima}
        assert all(tree.nodes[c].energy < n.energy for c in n.children)


def test_tree_from_database_and_plot(tmp_path: Path) -> None:
    with Database(tmp_path / "d.sqlite") as db:
        ids = {}
        for m, e in MINIMA.items():
            ids[m] = db.add_minimum(e, np.array([float(m), 0.0]))[0].id
        for k, (e, a, b) in enumerate(SADDLES):
            db.add_transition_state(e, np.array([10.0 + k, 1.0]), ids[a], ids[b])
        tree = tree_from_database(db, levels=LEVELS)
    assert structure(tree) == structure(disconnectivity_tree(MINIMA, SADDLES, levels=LEVELS))
    pytest.importorskip("matplotlib")
    fig = plot_disconnectivity(tree, colour_by={1: 0.9, 2: 0.1}, label_minima=True)
    out = tmp_path / "tree.png"
    fig.savefig(out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ax = fig.axes[0]
    assert len(ax.collections[0].get_segments()) == len(tree.edges)
    assert len(fig.axes) == 2  # the colour bar
