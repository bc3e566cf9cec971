"""appAUC potential: hand values, limit to the exact AUC, errors."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from lossatlas.energy import MLPAppAUC, MLPCrossEntropy, minimize
from lossatlas.errors import InputError


def _toy(n: int = 30, seed: int = 0, gap: float = 0.0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = rng.normal(size=(n, 2))
    X[:, 0] += gap * (2 * y - 1)
    return X, y


@pytest.mark.parametrize("score", ["probability", "logit"])
def test_zero_weights_give_one_half(score: str) -> None:
    X, y = _toy()
    pot = MLPAppAUC(X, y, n_hidden=2, score=score)
    # all scores equal: every pair contributes sigma(0) = 1/2
    assert pot.energy(np.zeros(pot.ndim)) == pytest.approx(0.5, rel=1e-14)


def test_hand_value_two_points() -> None:
    X = np.array([[1.0], [-1.0]])
    y = np.array([1, 0])
    pot = MLPAppAUC(X, y, n_hidden=1, lam=0.0, beta=2.0, score="logit")
    x = np.array([0.5, 0.0, 0.0, 1.0, 0.0, 0.0])  # w1, b1, w2 = (0, 1), b2 = 0
    s_pos, s_neg = np.tanh(0.5), np.tanh(-0.5)
    expected = 1.0 - 1.0 / (1.0 + np.exp(-2.0 * (s_pos - s_neg)))
    assert pot.energy(x) == pytest.approx(expected, rel=1e-14)
    np.testing.assert_allclose(pot.scores(x), [s_pos, s_neg])


@pytest.mark.parametrize("score", ["probability", "logit"])
@pytest.mark.parametrize("seed", [0, 1])
def test_tends_to_one_minus_auc_as_beta_grows(score: str, seed: int) -> None:
    X, y = _toy(seed=seed)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=MLPAppAUC(X, y, n_hidden=3).ndim)
    auc = roc_auc_score(y, MLPAppAUC(X, y, n_hidden=3, score=score).scores(x))
    errors = []
    for beta in (10.0, 1e3, 1e6):
        pot = MLPAppAUC(X, y, n_hidden=3, lam=1e-5, beta=beta, score=score)
        errors.append(abs(pot.energy(x) - pot.lam * x @ x - (1.0 - auc)))
    assert errors[-1] < 1e-3
    assert errors[-1] <= errors[0]


def test_minimising_on_separable_data_reaches_auc_one() -> None:
    X, y = _toy(n=24, seed=3, gap=3.0)
    pot = MLPAppAUC(X, y, n_hidden=2, lam=1e-5, beta=10.0, score="logit")
    res = minimize(pot, np.random.default_rng(0).normal(scale=0.3, size=pot.ndim), rms_tol=1e-5)
    assert roc_auc_score(y, pot.scores(res.x)) == 1.0
    assert res.energy < 0.05


def test_shares_the_network_with_cross_entropy() -> None:
    X, y = _toy()
    auc = MLPAppAUC(X, y, n_hidden=3)
    ce = MLPCrossEntropy(X, y, n_hidden=3)
    assert auc.ndim == ce.ndim == 3 * (2 + 2) + 3 + 2
    x = np.random.default_rng(0).normal(size=auc.ndim)
    np.testing.assert_allclose(auc.scores(x), ce.predict_proba(x, X)[:, 1])
    np.testing.assert_array_equal(auc.canonicalise(x), ce.canonicalise(x))
    flipped = auc.flip_hidden(auc.permute_hidden(x, np.array([2, 0, 1])), 1)
    assert auc.energy(flipped) == pytest.approx(auc.energy(x), rel=1e-12)


def test_invalid_inputs() -> None:
    X, y = _toy()
    with pytest.raises(InputError, match="binary"):
        MLPAppAUC(X, np.arange(X.shape[0]) % 3, n_hidden=2)
    with pytest.raises(InputError):
        MLPAppAUC(X, np.zeros(X.shape[0], dtype=int), n_hidden=2)
    with pytest.raises(InputError):
        MLPAppAUC(X, y, n_hidden=2, score="rank")
    with pytest.raises(InputError):
        MLPAppAUC(X, y, n_hidden=2, smoothing="hinge")
    with pytest.raises(InputError):
        MLPAppAUC(X, y, n_hidden=2, beta=0.0)
