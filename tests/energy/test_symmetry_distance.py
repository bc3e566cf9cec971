"""Symmetry-aware distance of the tanh networks (Hungarian assignment) and its default."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossatlas.energy import Database, MLPAppAUC
from lossatlas.energy.potentials import MLPCrossEntropy, MullerBrown


def _pot(n_in: int = 3, n_hidden: int = 4, n_classes: int = 3, seed: int = 0) -> MLPCrossEntropy:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(15, n_in))
    y = np.arange(15) % n_classes
    return MLPCrossEntropy(X, y, n_hidden=n_hidden, lam=1e-4, n_classes=n_classes)


def _copy(pot: MLPCrossEntropy, x: np.ndarray, perm, flips) -> np.ndarray:
    z = pot.permute_hidden(x, np.asarray(perm))
    for j, f in enumerate(flips):
        if f:
            z = pot.flip_hidden(z, j)
    return z


def _random_copy(pot: MLPCrossEntropy, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    perm = rng.permutation(pot.n_hidden)
    return _copy(pot, x, perm, rng.integers(0, 2, pot.n_hidden).astype(bool))


def _brute_force(pot: MLPCrossEntropy, x: np.ndarray, y: np.ndarray) -> float:
    """min over all Nh! 2^Nh symmetric copies of y of ||x - copy||."""
    nh = pot.n_hidden
    return min(
        float(np.linalg.norm(x - _copy(pot, y, perm, flips)))
        for perm in itertools.permutations(range(nh))
        for flips in itertools.product([False, True], repeat=nh)
    )


def _canonical_distance(pot, x: np.ndarray, y: np.ndarray) -> float:
    return float(np.linalg.norm(pot.canonicalise(x) - pot.canonicalise(y)))


def _near_tie_pair(pot: MLPCrossEntropy, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two points ~1e-13 apart whose canonical forms differ by O(1).

    Units 0 and 1 have biases 0.7 and 0.7 + 1e-13 (the canonical order of the two swaps when
    the tie moves by 2e-13); unit 2 has bias 1e-14 (its canonical sign flips when the bias
    changes sign).
    """
    rng = np.random.default_rng(seed)
    W1, b1, W2, b2 = pot.unpack(rng.normal(size=pot.ndim))
    b1 = b1.copy()
    b1[:3] = [0.7, 0.7 + 1e-13, 1e-14]
    x = pot.pack(W1, b1, W2, b2)
    b1_moved = b1.copy()
    b1_moved[0] = 0.7 + 2e-13
    b1_moved[2] = -1e-14
    return x, pot.pack(W1, b1_moved, W2, b2)


@pytest.mark.parametrize("seed", range(6))
def test_copies_of_a_near_tie_point_are_at_distance_zero(seed: int) -> None:
    pot = _pot()
    x, x_moved = _near_tie_pair(pot, seed)
    rng = np.random.default_rng(100 + seed)
    y = _random_copy(pot, x_moved, rng)
    # the canonical order breaks: one minimum would be stored twice
    assert _canonical_distance(pot, x, y) > 0.5
    assert pot.symmetry_distance(x, y) <= 1e-12
    assert pot.symmetry_distance(y, x) <= 1e-12
    # exact copies (no noise) are at distance exactly zero
    assert pot.symmetry_distance(x, _random_copy(pot, x, rng)) == 0.0
    assert abs(pot.energy(x) - pot.energy(y)) < 1e-12


@pytest.mark.parametrize("seed", range(4))
def test_matches_brute_force_over_all_copies(seed: int) -> None:
    pot = _pot(n_in=2, n_hidden=3, n_classes=2, seed=seed)
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(2, pot.ndim))
    expected = _brute_force(pot, x, y)
    assert pot.symmetry_distance(x, y) == pytest.approx(expected, rel=1e-12)
    # a copy of y close to x: the minimum is reached at that copy
    near = _copy(pot, x, [2, 0, 1], [True, False, True]) + 1e-3 * rng.normal(size=pot.ndim)
    assert pot.symmetry_distance(x, near) == pytest.approx(_brute_force(pot, x, near), rel=1e-12)
    assert pot.symmetry_distance(x, near) < 0.01


@settings(max_examples=40, deadline=None)
@given(
    seeds=st.tuples(st.integers(0, 10_000), st.integers(0, 10_000), st.integers(0, 10_000)),
    scale=st.floats(1e-3, 10.0),
    perm=st.permutations(range(4)),
    flips=st.lists(st.booleans(), min_size=4, max_size=4),
)
def test_metric_properties(
    seeds: tuple[int, int, int], scale: float, perm: list[int], flips: list[bool]
) -> None:
    pot = _pot()
    x, y, z = (scale * np.random.default_rng(s).normal(size=pot.ndim) for s in seeds)
    d_xy = pot.symmetry_distance(x, y)
    tol = 1e-12 * (1.0 + scale * np.sqrt(pot.ndim))
    # never above the distance of the canonical forms (one particular symmetric copy)
    assert d_xy <= _canonical_distance(pot, x, y) + tol
    assert d_xy <= float(np.linalg.norm(x - y)) + tol
    assert d_xy >= 0.0
    # symmetric and invariant under the symmetry group on either argument
    assert pot.symmetry_distance(y, x) == pytest.approx(d_xy, rel=1e-12, abs=tol)
    gy = _copy(pot, y, perm, flips)
    assert pot.symmetry_distance(x, gy) == pytest.approx(d_xy, rel=1e-12, abs=tol)
    assert pot.symmetry_distance(_copy(pot, x, perm, flips), y) == pytest.approx(
        d_xy, rel=1e-12, abs=tol
    )
    # triangle inequality
    assert pot.symmetry_distance(x, z) <= d_xy + pot.symmetry_distance(y, z) + tol


def test_output_biases_are_not_symmetric() -> None:
    pot = _pot(n_in=2, n_hidden=2, n_classes=2)
    x = np.random.default_rng(1).normal(size=pot.ndim)
    W1, b1, W2, b2 = pot.unpack(x)
    y = pot.pack(W1, b1, W2, b2 + np.array([3.0, -4.0]))
    assert pot.symmetry_distance(x, _copy(pot, y, [1, 0], [True, False])) == pytest.approx(5.0)


def test_auc_network_has_the_same_symmetry_distance() -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(12, 3))
    auc = MLPAppAUC(X, np.arange(12) % 2, n_hidden=3)
    ce = MLPCrossEntropy(X, np.arange(12) % 2, n_hidden=3)
    x, y = rng.normal(size=(2, auc.ndim))
    assert auc.symmetry_distance(x, y) == ce.symmetry_distance(x, y)
    copy = _copy(ce, x, [1, 2, 0], [False, True, True])
    assert auc.symmetry_distance(x, copy) == 0.0


def test_base_default_is_canonical_euclidean_distance() -> None:
    pot = MullerBrown()
    x, y = np.array([0.5, 1.0]), np.array([-1.0, 3.0])
    assert pot.symmetry_distance(x, y) == pytest.approx(np.hypot(1.5, 2.0), rel=1e-15)


def test_database_counts_near_tie_copies_once(tmp_path: Path) -> None:
    pot = _pot()
    rng = np.random.default_rng(7)
    x, x_moved = _near_tie_pair(pot, 3)
    copies = [x] + [_random_copy(pot, x_moved, rng) for _ in range(5)]
    with Database(
        tmp_path / "sym.sqlite", canonicalise=pot.canonicalise, distance=pot.symmetry_distance
    ) as db:
        flags = [db.add_minimum(pot.energy(c), c)[1] for c in copies]
        assert flags == [True] + [False] * 5
        assert db.n_minima() == 1
    # the canonical order alone splits the one minimum in two
    with Database(tmp_path / "canon.sqlite", canonicalise=pot.canonicalise) as db:
        for c in copies:
            db.add_minimum(pot.energy(c), c)
        assert db.n_minima() == 2


def test_cli_and_parallel_databases_use_the_symmetry_distance(tmp_path: Path) -> None:
    from lossatlas.energy import potential_db_options
    from lossatlas.energy.potentials import potential_spec

    spec = potential_spec("mlp", dataset="iris", hidden=2)
    path = tmp_path / "cli.sqlite"
    with Database(path) as db:
        db.set_meta("potential", spec)
        db.add_minimum(1.0, np.zeros(2 * (4 + 3) + 2 + 3))
    with Database.open(path) as db:  # what every energy command opens a database with
        pot = db.potential
        assert db.distance == pot.symmetry_distance
    opts = potential_db_options(pot)
    assert opts["distance"] == pot.symmetry_distance
    assert opts["canonicalise"] == pot.canonicalise


# ---- align: the symmetric copy attaining the symmetry distance ---------------------------


def _check_align(pot: MLPCrossEntropy, ref: np.ndarray, x: np.ndarray) -> np.ndarray:
    aligned = pot.align(ref, x)
    assert aligned.shape == x.shape
    d = pot.symmetry_distance(ref, x)
    assert abs(float(np.linalg.norm(ref - aligned)) - d) <= 1e-12 * max(1.0, d)
    assert abs(pot.energy(aligned) - pot.energy(x)) <= 1e-12 * max(1.0, abs(pot.energy(x)))
    # a symmetric copy of x: same orbit, and x is not modified
    assert pot.symmetry_distance(aligned, x) <= 1e-12 * max(1.0, float(np.linalg.norm(x)))
    return aligned


@settings(max_examples=30, deadline=None)
@given(
    seeds=st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)),
    scale=st.floats(1e-2, 10.0),
    shape=st.sampled_from([(2, 1, 2), (3, 3, 3), (4, 5, 2), (1, 4, 3)]),
)
def test_align_attains_the_symmetry_distance(
    seeds: tuple[int, int], scale: float, shape: tuple[int, int, int]
) -> None:
    n_in, n_hidden, n_classes = shape
    pot = _pot(n_in=n_in, n_hidden=n_hidden, n_classes=n_classes)
    ref, x = (scale * np.random.default_rng(s).normal(size=pot.ndim) for s in seeds)
    x_before = x.copy()
    _check_align(pot, ref, x)
    np.testing.assert_array_equal(x, x_before)


@pytest.mark.parametrize("seed", range(4))
def test_align_matches_the_brute_force_copy(seed: int) -> None:
    pot = _pot(n_in=2, n_hidden=3, n_classes=2, seed=seed)
    rng = np.random.default_rng(50 + seed)
    ref, x = rng.normal(size=(2, pot.ndim))
    aligned = _check_align(pot, ref, x)
    assert float(np.linalg.norm(ref - aligned)) == pytest.approx(
        _brute_force(pot, ref, x), rel=1e-12
    )
    # a noisy copy of ref is mapped back next to ref, whatever copy it was
    noisy = _random_copy(pot, ref + 1e-4 * rng.normal(size=pot.ndim), rng)
    back = _check_align(pot, ref, noisy)
    assert float(np.linalg.norm(back - ref)) < 1e-3
    # hand-made copy: unit j of the copy is unit perm[j] of ref, flipped where flips[j]
    exact = _copy(pot, ref, [2, 0, 1], [True, False, True])
    np.testing.assert_allclose(pot.align(ref, exact), ref, rtol=0, atol=1e-15)


@pytest.mark.parametrize("seed", range(4))
def test_align_near_tie_biases(seed: int) -> None:
    pot = _pot()
    x, x_moved = _near_tie_pair(pot, seed)
    rng = np.random.default_rng(200 + seed)
    y = _random_copy(pot, x_moved, rng)
    aligned = _check_align(pot, x, y)
    # the copy of the near-tie point lands on x (canonical forms are O(1) apart)
    assert _canonical_distance(pot, x, y) > 0.5
    assert float(np.linalg.norm(aligned - x)) <= 1e-12
    aligned_back = _check_align(pot, y, x)
    assert float(np.linalg.norm(aligned_back - y)) <= 1e-12


def test_align_of_the_auc_network_and_the_base_default() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(12, 3))
    auc = MLPAppAUC(X, np.arange(12) % 2, n_hidden=3)
    ref, x = rng.normal(size=(2, auc.ndim))
    aligned = auc.align(ref, x)
    assert float(np.linalg.norm(ref - aligned)) == pytest.approx(
        auc.symmetry_distance(ref, x), rel=1e-12
    )
    assert auc.energy(aligned) == pytest.approx(auc.energy(x), rel=1e-12, abs=1e-12)
    # no symmetry known: the point itself, as a new float array
    mb = MullerBrown()
    p = np.array([0.25, -1])
    out = mb.align(np.array([5.0, 5.0]), p)
    assert out is not p and out.dtype == float
    np.testing.assert_array_equal(out, [0.25, -1.0])
