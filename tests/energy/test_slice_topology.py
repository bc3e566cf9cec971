"""Merge trees of sampled 2-D slices: Mueller-Brown, hand grids, and a brute-force oracle."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossatlas.energy._slice_topology import slice_merge_tree, to_disconnectivity
from lossatlas.energy._slices import loss_slice
from lossatlas.energy.potentials import MullerBrown
from lossatlas.errors import InputError


@pytest.fixture(scope="module")
def mb_slice():
    mb = MullerBrown()
    centre = np.array([-0.15, 0.75])
    # the plane of the surface itself: unit directions, grid step 0.01
    sl = loss_slice(
        mb, centre, dims=2, directions=np.eye(2), span=[(-1.35, 1.35), (-1.25, 1.25)],
        points=[271, 251],
    )  # fmt: skip
    return centre, sl


def test_mueller_brown_slice_has_the_surface_minima_and_saddles(mb_slice) -> None:
    centre, sl = mb_slice
    tree = slice_merge_tree(sl.train, coordinates=sl.coordinates)
    assert len(tree.minima) == 3 and len(tree.saddles) == 2
    h = 0.01
    for m, (x, y, e) in zip(tree.minima, MullerBrown.REFERENCE_MINIMA, strict=True):
        assert np.allclose(np.add(m.coords, centre), (x, y), atol=1.5 * h)
        assert m.energy == pytest.approx(e, abs=0.05)
        assert not m.on_boundary
    by_energy = sorted(MullerBrown.REFERENCE_SADDLES, key=lambda s: s[2])
    for s, (x, y, e) in zip(tree.saddles, by_energy, strict=True):
        assert np.allclose(np.add(s.coords, centre), (x, y), atol=2 * h)
        assert s.energy == pytest.approx(e, abs=0.1)
    # the lower saddle joins the two upper minima; the upper one joins them to the global one
    assert set(tree.saddles[0].joins) == {1, 2}
    assert tree.saddles[1].joins == (0, 1)
    assert tree.minima[0].persistence == np.inf
    assert tree.minima[2].persistence == pytest.approx(-72.2489 + 80.7678, abs=0.15)
    dg = to_disconnectivity(tree, n_levels=10)
    assert sorted(dg.leaf_of) == [0, 1, 2]


def test_mueller_brown_slice_tree_matches_the_true_disconnectivity(mb_slice) -> None:
    from lossatlas.energy._disconnectivity import disconnectivity_tree

    _, sl = mb_slice
    tree = slice_merge_tree(sl.train, coordinates=sl.coordinates)
    ref = MullerBrown.REFERENCE_MINIMA
    true = disconnectivity_tree(
        {i: e for i, (_, _, e) in enumerate(ref)},
        [(-40.6648, 0, 2), (-72.2489, 2, 1)],
        levels=np.linspace(-140, -30, 12),
    )
    ours = to_disconnectivity(tree, levels=np.linspace(-140, -30, 12))

    def shape(t):
        return sorted((n.level, n.minima) for n in t.nodes if not n.is_leaf)

    assert shape(ours) == shape(true)


def test_hand_grid() -> None:
    row = [3.0, 1.0, 4.0, 0.0, 5.0, 2.0, 6.0]
    tree = slice_merge_tree(np.array([row, row]) + np.array([[0.0], [0.5]]), connectivity=4)
    assert [m.energy for m in tree.minima] == [0.0, 1.0, 2.0]
    assert [m.index for m in tree.minima] == [(0, 3), (0, 1), (0, 5)]
    assert [m.persistence for m in tree.minima] == [np.inf, 3.0, 3.0]
    assert [(s.energy, s.joins) for s in tree.saddles] == [(4.0, (0, 1)), (5.0, (0, 2))]
    assert tree.minima[1].on_boundary  # a 2-row grid: every point is on its edge
    pruned = slice_merge_tree(np.array([row, row]), min_persistence=3.0)
    assert [m.energy for m in pruned.minima] == [0.0]
    assert pruned.saddles == ()
    np.testing.assert_array_equal(tree.persistence_pairs()[1:], [[1.0, 4.0], [2.0, 5.0]])


def test_bad_grids() -> None:
    with pytest.raises(InputError):
        slice_merge_tree(np.zeros(5))
    with pytest.raises(InputError):
        slice_merge_tree(np.array([[0.0, np.nan], [1.0, 2.0]]))
    with pytest.raises(InputError):
        slice_merge_tree(np.zeros((3, 3)), connectivity=6)
    with pytest.raises(InputError):
        slice_merge_tree(np.zeros((3, 3)), min_persistence=-1.0)


def _brute(Z: np.ndarray, conn: int) -> dict[tuple[int, int], float]:
    """Minimum -> persistence by flooding every sublevel set (ties broken by flat index)."""
    n, m = Z.shape
    key = {(i, j): (Z[i, j], i * m + j) for i in range(n) for j in range(m)}
    offs = [(a, b) for a in (-1, 0, 1) for b in (-1, 0, 1) if (a, b) != (0, 0)]
    if conn == 4:
        offs = [o for o in offs if 0 in o]

    def nbrs(p):
        for a, b in offs:
            q = (p[0] + a, p[1] + b)
            if q in key:
                yield q

    minima = [p for p in key if all(key[q] > key[p] for q in nbrs(p))]
    out = {}
    levels = sorted(key.values())
    for p in minima:
        death = np.inf
        for lv in levels:
            if lv < key[p]:
                continue
            seen, queue = {p}, deque([p])
            while queue:
                c = queue.popleft()
                for q in nbrs(c):
                    if q not in seen and key[q] <= lv:
                        seen.add(q)
                        queue.append(q)
            if any(key[q] < key[p] for q in seen):
                death = lv[0]
                break
        out[p] = death - Z[p]
    return out


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 6),
    st.integers(2, 6),
    st.sampled_from([4, 8]),
    st.integers(0, 2**31 - 1),
)
def test_against_brute_force(n: int, m: int, conn: int, seed: int) -> None:
    Z = np.random.default_rng(seed).integers(0, 6, size=(n, m)).astype(float)
    tree = slice_merge_tree(Z, connectivity=conn)
    # minima of zero persistence (born and merged at one value: plateaus) are not reported
    expect = {p: v for p, v in _brute(Z, conn).items() if v > 0}
    got = {mn.index: mn.persistence for mn in tree.minima}
    assert got == expect
    assert len(tree.saddles) == len(tree.minima) - 1
