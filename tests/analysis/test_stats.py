"""The one Spearman/Pearson/ranking of the package: scipy's answers, except round-off ties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from lossatlas.analysis._stats import average_ranks, pearson, spearman, tie_groups


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=2, max_size=40), st.integers(0, 2**16))
def test_ranks_and_spearman_match_scipy_on_exact_values(codes, seed):
    x = np.asarray(codes) / 8  # exact binary fractions: no round-off in play
    y = np.random.default_rng(seed).normal(size=len(x))
    np.testing.assert_allclose(average_ranks(x), stats.rankdata(x))
    np.testing.assert_allclose(average_ranks(np.asarray(codes)), stats.rankdata(codes))
    if np.ptp(x) == 0:
        assert np.isnan(spearman(x, y))
    else:
        assert spearman(x, y) == pytest.approx(stats.spearmanr(x, y).statistic)
    groups = tie_groups(x)
    assert groups.tolist() == np.unique(x, return_inverse=True)[1].tolist()


def test_round_off_noise_is_a_tie_not_a_correlation():
    noisy = np.array([0.3, 0.1 + 0.2, 0.3, 0.1 + 0.2])  # 0.1 + 0.2 == 0.30000000000000004
    other = np.arange(4.0)
    # scipy ranks the last bit and finds a correlation of 1 / sqrt(5)
    assert stats.spearmanr(noisy, other).statistic == pytest.approx(0.4472, abs=1e-4)
    assert np.isnan(spearman(noisy, other))
    assert np.isnan(pearson(noisy, other))
    np.testing.assert_array_equal(average_ranks(noisy), [2.5] * 4)
    assert tie_groups(noisy).tolist() == [0] * 4
    # a real difference is kept
    assert tie_groups(np.array([0.3, 0.3 + 1e-6])).tolist() == [0, 1]


def test_degenerate_inputs_are_nan():
    assert np.isnan(spearman(np.array([1.0]), np.array([2.0])))
    assert np.isnan(spearman(np.array([1.0, np.nan, 2.0]), np.array([1.0, 2.0, 3.0])))
    assert spearman(np.array([3, 1, 2]), np.array([30.0, 10.0, 20.0])) == pytest.approx(1.0)
