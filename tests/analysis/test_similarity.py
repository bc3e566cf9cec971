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
    # the best 20 % of a is one row; the tie goes to the lower row (row 0)
    assert shake_up(a, b, top_fraction=0.2) == pytest.approx(3.5 / 5)
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
    loss = np.array([0.3, 0.1, 0.1, 0.2, 0.1] * 6)  # n = 30
    assert top_set(loss, gamma=0.1).size == 3  # ceil(0.1 * 30) is 3, not 4
    np.testing.assert_array_equal(top_set(loss, k=2), [1, 2])  # ties by row
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
    rows = np.argsort(a, kind="stable")[:3]
    expected = stats.spearmanr(a[rows], b[rows]).statistic if np.ptp(a[rows]) else np.nan
    np.testing.assert_allclose(spearman(a, b, top_k=3), expected)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 30), st.integers(0, 2**16), st.sampled_from([0.1, 0.25, 0.5]))
def test_measures_against_brute_force(n, seed, gamma):
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, 5, n) / 4, rng.integers(0, 5, n) / 4
    k = int(np.ceil(gamma * n - 1e-9))
    order_a = sorted(range(n), key=lambda i: (a[i], i))
    order_b = sorted(range(n), key=lambda i: (b[i], i))
    sa, sb = set(order_a[:k]), set(order_b[:k])
    assert gamma_set_similarity(a, b, gamma=gamma) == pytest.approx(len(sa & sb) / len(sa | sb))
    assert gamma_set_overlap(a, b, gamma=gamma) == pytest.approx(len(sa & sb) / k)

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
