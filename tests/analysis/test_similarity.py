from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from lossatlas.analysis._similarity import (
    align,
    gamma_set_overlap,
    gamma_set_similarity,
    kendall_tau,
    loss_similarity,
    ranks,
    shake_up,
    similarity,
    spearman,
    top_k_overlap,
    top_set,
)
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape
from lossatlas.space import SearchSpace

A = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
B = np.array([0.2, 0.3, 0.1, 0.5, 0.4])  # ranks 2, 3, 1, 5, 4


def test_shake_up_by_hand():
    # |rank_a - rank_b| = 1, 1, 2, 1, 1 -> 6 / 5 / 5
    assert shake_up(A, B) == pytest.approx(6 / 25)
    # top 10 % of 5 configurations = ceil(0.5) = 1: row 0 only, normaliser stays n = 5
    assert shake_up(A, B, top_fraction=0.1) == pytest.approx(1 / 5)
    # top 40 %: rows 0 and 1 -> (1 + 1) / 2 / 5
    assert shake_up(A, B, top_fraction=0.4) == pytest.approx(1 / 5)
    # top 60 %: rows 0, 1, 2 -> (1 + 1 + 2) / 3 / 5
    assert shake_up(A, B, top_fraction=0.6) == pytest.approx(4 / 15)
    assert shake_up(A, A) == 0.0


def test_shake_up_ties_use_average_ranks():
    a = np.array([0.1, 0.1, 0.3, 0.4, 0.5])  # ranks 1.5, 1.5, 3, 4, 5
    b = np.array([0.5, 0.4, 0.3, 0.2, 0.1])  # ranks 5, 4, 3, 2, 1
    assert shake_up(a, b) == pytest.approx((3.5 + 2.5 + 0 + 2 + 4) / 25)
    # the best 20 % of a is one row, but rows 0 and 1 tie for it: both enter, (3.5 + 2.5) / 2 / 5
    assert shake_up(a, b, top_fraction=0.2) == pytest.approx(3 / 5)
    assert shake_up(a[::-1], b[::-1], top_fraction=0.2) == pytest.approx(3 / 5)
    np.testing.assert_array_equal(ranks(a), [1.5, 1.5, 3, 4, 5])


def test_gamma_set_by_hand():
    # gamma 0.4 -> 2 best: S_a = {0, 1}, S_b = {2, 0}: IoU 1/3, overlap 1/2
    assert gamma_set_similarity(A, B, gamma=0.4) == pytest.approx(1 / 3)
    assert gamma_set_overlap(A, B, gamma=0.4) == pytest.approx(1 / 2)
    # gamma 0.1 -> 1 best each: {0} vs {2}
    assert gamma_set_similarity(A, B, gamma=0.1) == 0.0
    # gamma 0.8 -> 4 best: {0,1,2,3} vs {2,0,1,4}: 3 / 5
    assert gamma_set_similarity(A, B, gamma=0.8) == pytest.approx(3 / 5)
    assert gamma_set_overlap(A, B, gamma=0.8) == pytest.approx(3 / 4)
    assert gamma_set_similarity(A, A, gamma=0.4) == 1.0


def test_top_set_size_and_ties():
    distinct = np.arange(30) / 30
    assert top_set(distinct, gamma=0.1).size == 3  # ceil(0.1 * 30) is 3, not 4
    loss = np.array([0.3, 0.1, 0.1, 0.2, 0.1] * 6)  # n = 30, eighteen rows tie at 0.1
    # tie-inclusive: the 3 best are all 0.1, so every row at 0.1 is in the set
    np.testing.assert_array_equal(top_set(loss, gamma=0.1), np.flatnonzero(loss == 0.1))
    np.testing.assert_array_equal(top_set(loss, k=2), np.flatnonzero(loss == 0.1))
    # the cut-off at the 19th best (0.2) takes the six 0.2s as well
    assert top_set(loss, k=19).size == 24
    # sorted by loss, then row
    np.testing.assert_array_equal(top_set(np.array([0.2, 0.1, 0.2, 0.3]), k=2), [1, 0, 2])
    assert top_set(loss, k=100).size == 30
    with pytest.raises(InputError):
        top_set(loss)
    with pytest.raises(InputError):
        top_set(loss, gamma=0.0)


def test_top_k_overlap_by_hand():
    assert top_k_overlap(A, B, k=2) == pytest.approx(1 / 2)
    assert top_k_overlap(A, B, k=3) == pytest.approx(1.0)  # {0,1,2} both
    assert top_k_overlap(A, B, k=50) == 1.0


@settings(max_examples=40, deadline=None)
@given(st.integers(3, 40), st.integers(0, 2**16))
def test_spearman_and_kendall_match_scipy(n, seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 6, n) / 8  # ties are common
    b = a + rng.normal(0, 0.3, n)
    if np.ptp(a) == 0:
        assert np.isnan(spearman(a, b))
        return
    assert spearman(a, b) == pytest.approx(stats.spearmanr(a, b).statistic)
    assert kendall_tau(a, b) == pytest.approx(stats.kendalltau(a, b).statistic)
    rows = np.flatnonzero(a <= np.sort(a)[2])  # the top 3 and everything tied with the third
    expected = stats.spearmanr(a[rows], b[rows]).statistic if np.ptp(a[rows]) else np.nan
    np.testing.assert_allclose(spearman(a, b, top_k=3), expected)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 30), st.integers(0, 2**16), st.sampled_from([0.1, 0.25, 0.5]))
def test_measures_against_brute_force(n, seed, gamma):
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, 5, n) / 4, rng.integers(0, 5, n) / 4
    k = int(np.ceil(gamma * n - 1e-9))
    # tie-inclusive top sets: everything at least as good as the k-th best
    sa = {i for i in range(n) if a[i] <= sorted(a)[k - 1]}
    sb = {i for i in range(n) if b[i] <= sorted(b)[k - 1]}
    assert gamma_set_similarity(a, b, gamma=gamma) == pytest.approx(len(sa & sb) / len(sa | sb))
    assert gamma_set_overlap(a, b, gamma=gamma) == pytest.approx(len(sa & sb) / len(sa))
    result = loss_similarity(a, b, gamma=gamma)
    assert (result.gamma_set_size_a, result.gamma_set_size_b) == (len(sa), len(sb))

    def avg_rank(x, i):
        return 1 + sum(x < x[i]) + (sum(x == x[i]) - 1) / 2

    shifts = [abs(avg_rank(a, i) - avg_rank(b, i)) / n for i in range(n)]
    assert shake_up(a, b) == pytest.approx(np.mean(shifts))
    assert shake_up(a, b, top_fraction=gamma) == pytest.approx(np.mean([shifts[i] for i in sa]))
    # symmetric measures
    assert gamma_set_similarity(a, b, gamma=gamma) == gamma_set_similarity(b, a, gamma=gamma)


def test_loss_similarity_drops_missing_pairs():
    a = np.array([0.1, np.nan, 0.3, 0.4, 0.5, 0.6])
    b = np.array([0.1, 0.2, np.nan, 0.3, 0.6, 0.5])
    result = loss_similarity(a, b, gamma=0.5)
    assert (result.n_common, result.n_a, result.n_b) == (4, 5, 5)
    kept_a, kept_b = np.array([0.1, 0.4, 0.5, 0.6]), np.array([0.1, 0.3, 0.6, 0.5])
    assert result.spearman == pytest.approx(stats.spearmanr(kept_a, kept_b).statistic)
    assert result.gamma_set_similarity == pytest.approx(1.0)
    with pytest.raises(InputError, match="differ in length"):
        loss_similarity(a, b[:3])


def _space() -> SearchSpace:
    return SearchSpace.from_dict({"x": [1, 2, 3, 4], "y": ["a", "b", "c"]})


def test_similarity_of_partial_landscapes_reports_common_count():
    space = _space()
    rng = np.random.default_rng(0)
    full = rng.random(space.size)
    other = full + rng.normal(0, 0.05, space.size)
    la = Landscape.from_array(space, {"test": full[:10]}, index=np.arange(10))
    lb = Landscape.from_array(space, {"test": other[4:]}, index=np.arange(4, 12))
    result = similarity(la, lb)
    assert (result.n_common, result.n_a, result.n_b) == (6, 10, 8)
    a, b, index = align(la, lb)
    np.testing.assert_array_equal(index, np.arange(4, 10))
    np.testing.assert_array_equal(a, full[4:10])
    np.testing.assert_array_equal(b, other[4:10])
    assert result.spearman == pytest.approx(stats.spearmanr(a, b).statistic)


def test_similarity_train_vs_test_and_space_mismatch():
    space = _space()
    train = np.arange(space.size, dtype=float)
    land = Landscape.from_array(space, {"test": train[::-1].copy(), "train": train})
    result = similarity(land, land, loss="train", loss_b="test")
    assert result.spearman == pytest.approx(-1.0)
    assert result.gamma_set_similarity == 0.0
    other = Landscape.from_array(SearchSpace.from_dict({"x": [1, 2, 3, 4, 5]}), np.arange(5.0))
    with pytest.raises(InputError, match="different search spaces"):
        similarity(land, other)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 30), st.integers(0, 2**16))
def test_invariant_to_relabelling_configurations(n, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.permutation(n) / n, rng.permutation(n) / n  # distinct losses: no tie rule needed
    perm = rng.permutation(n)
    before = loss_similarity(a, b, gamma=0.2, top_fraction=0.2, top_k=3).as_dict()
    after = loss_similarity(a[perm], b[perm], gamma=0.2, top_fraction=0.2, top_k=3).as_dict()
    for key, value in before.items():
        np.testing.assert_allclose(after[key], value, err_msg=key)
    swapped = loss_similarity(b, a, gamma=0.2)
    for key in ("spearman", "kendall_tau", "shake_up", "gamma_set_similarity"):
        np.testing.assert_allclose(swapped.as_dict()[key], before[key], err_msg=key)


# -- tie-aware, row-order-invariant measures -----------------------------------------------------
@st.composite
def tied_pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two aligned loss vectors from a few levels (ties everywhere) and a row permutation."""
    n = draw(st.integers(2, 40))
    levels = draw(st.integers(1, 5))
    a = np.asarray(draw(st.lists(st.integers(0, levels), min_size=n, max_size=n))) / 8
    b = np.asarray(draw(st.lists(st.integers(0, levels), min_size=n, max_size=n))) / 8
    perm = np.asarray(draw(st.permutations(range(n))))
    return a, b, perm


def _assert_same(before: dict, after: dict) -> None:
    assert before.keys() == after.keys()
    for key, value in before.items():
        np.testing.assert_allclose(after[key], value, err_msg=key)


@settings(max_examples=80, deadline=None)
@given(tied_pairs(), st.sampled_from([0.1, 0.2, 0.5]), st.integers(1, 6))
def test_every_measure_ignores_row_order_under_ties(pair, gamma, k):
    a, b, perm = pair
    options = {"gamma": gamma, "top_fraction": gamma, "top_k": k}
    before = loss_similarity(a, b, **options).as_dict()
    _assert_same(before, loss_similarity(a[perm], b[perm], **options).as_dict())
    for fn in (gamma_set_similarity, gamma_set_overlap):
        assert fn(a, b, gamma=gamma) == fn(a[perm], b[perm], gamma=gamma)
    assert top_k_overlap(a, b, k=k) == top_k_overlap(a[perm], b[perm], k=k)
    np.testing.assert_allclose(spearman(a, b, top_k=k), spearman(a[perm], b[perm], top_k=k))
    np.testing.assert_allclose(shake_up(a, b, top_fraction=gamma), before["shake_up_top"])
    # the top sets are the same configurations whatever the row order
    assert set(perm[top_set(a[perm], gamma=gamma)].tolist()) == set(
        top_set(a, gamma=gamma).tolist()
    )
    assert before["gamma_set_size_a"] >= int(np.ceil(gamma * len(a) - 1e-9))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**16))
def test_similarity_ignores_relabelling_the_grid(seed):
    # reversing every HP's value order relabels the configurations (new flat indices, new row
    # order); no similarity value may change
    rng = np.random.default_rng(seed)
    space = SearchSpace.from_dict({"x": [1, 2, 3, 4], "y": ["a", "b", "c"], "z": [0, 1]})
    a = rng.integers(0, 4, space.size) / 4
    b = rng.integers(0, 4, space.size) / 4
    codes = space.decode(np.arange(space.size))
    flipped = SearchSpace.from_dict({"x": [4, 3, 2, 1], "y": ["c", "b", "a"], "z": [1, 0]})
    index = flipped.encode(space.radices - 1 - codes)
    la = Landscape.from_array(space, a)
    lb = Landscape.from_array(space, b)
    fa = Landscape.from_array(flipped, a, index=index)
    fb = Landscape.from_array(flipped, b, index=index)
    _assert_same(
        similarity(la, lb, gamma=0.1, top_k=5).as_dict(),
        similarity(fa, fb, gamma=0.1, top_k=5).as_dict(),
    )


def test_ties_at_the_cut_off_by_hand():
    # n = 10, gamma = 0.1 -> one best configuration, but rows 0 and 1 tie for it in a
    a = np.array([0.0, 0.0, 1, 2, 3, 4, 5, 6, 7, 8])
    b = np.array([5.0, 0.0, 1, 2, 3, 4, 6, 7, 8, 9])
    # S_a = {0, 1}, S_b = {1}: IoU 1/2 and overlap 1/2 (the row-order rule gave 0 or 1)
    assert gamma_set_similarity(a, b, gamma=0.1) == pytest.approx(1 / 2)
    assert gamma_set_similarity(a[::-1], b[::-1], gamma=0.1) == pytest.approx(1 / 2)
    assert gamma_set_overlap(a, b, gamma=0.1) == pytest.approx(1 / 2)
    assert gamma_set_overlap(b, a, gamma=0.1) == 1.0
    assert top_k_overlap(a, b, k=1) == pytest.approx(1 / 2)
    # spearman over the top of a: rows 0 and 1, a ties there -> NaN, whatever the order
    assert np.isnan(spearman(a, b, top_k=1))
    result = loss_similarity(a, b, gamma=0.1, top_fraction=0.1, top_k=1)
    assert (result.gamma_set_size_a, result.gamma_set_size_b) == (2, 1)
    assert (result.top_size, result.top_k_size_a, result.top_k_size_b) == (2, 2, 1)
    # shake-up of the top: ranks of a 1.5, 1.5; of b 6, 1 -> (4.5 + 0.5) / 2 / 10
    assert result.shake_up_top == pytest.approx(0.25)


def test_round_off_ties_and_constant_vectors():
    # equal averages summed in another order: 0.1 + 0.2 != 0.3 in binary, but they tie
    a = np.array([0.3, 0.1 + 0.2, 0.3, 0.1 + 0.2])
    b = np.array([1.0, 2.0, 3.0, 4.0])
    assert stats.spearmanr(a, b).statistic == pytest.approx(0.4472, abs=1e-4)  # an artefact
    assert np.isnan(spearman(a, b))  # a is constant: no correlation
    assert np.isnan(kendall_tau(a, b))
    np.testing.assert_array_equal(ranks(a), [2.5] * 4)
    assert top_set(a, k=1).size == 4
    assert gamma_set_similarity(a, b, gamma=0.25) == pytest.approx(1 / 4)
