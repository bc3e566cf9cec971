"""Tanh MLP cross-entropy potential: layout, hand values, symmetries, predictions."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossatlas.energy import MLPCrossEntropy
from lossatlas.errors import InputError


def _pot(n_in=2, n_hidden=3, n_classes=2, n=12, seed=0, lam=1e-5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_in))
    y = np.arange(n) % n_classes
    return MLPCrossEntropy(X, y, n_hidden=n_hidden, lam=lam, n_classes=n_classes)


@pytest.mark.parametrize(
    ("n_in", "n_hidden", "n_out", "expected"), [(2, 3, 2, 17), (4, 10, 3, 83), (4, 3, 3, 27)]
)
def test_weight_count(n_in: int, n_hidden: int, n_out: int, expected: int) -> None:
    assert _pot(n_in, n_hidden, n_out).ndim == expected
    assert n_hidden * (n_in + n_out) + n_hidden + n_out == expected


def test_unpack_layout_and_pack_round_trip() -> None:
    pot = _pot(n_in=2, n_hidden=3, n_classes=2)
    x = np.arange(17.0)
    W1, b1, W2, b2 = pot.unpack(x)
    np.testing.assert_array_equal(W1, [[0, 1], [2, 3], [4, 5]])
    np.testing.assert_array_equal(b1, [6, 7, 8])
    np.testing.assert_array_equal(W2, [[9, 10, 11], [12, 13, 14]])
    np.testing.assert_array_equal(b2, [15, 16])
    np.testing.assert_array_equal(pot.pack(W1, b1, W2, b2), x)
    with pytest.raises(InputError):
        pot.unpack(np.zeros(16))


def test_hand_values() -> None:
    # zero weights: uniform softmax, loss ln C exactly
    pot = _pot(n_in=3, n_hidden=2, n_classes=3, lam=0.5)
    assert pot.energy(np.zeros(pot.ndim)) == pytest.approx(np.log(3.0), rel=1e-14)
    # one input, one hidden unit, two outputs: compute the loss by hand
    X = np.array([[1.0], [-2.0]])
    y = np.array([0, 1])
    pot = MLPCrossEntropy(X, y, n_hidden=1, lam=0.01)
    x = np.array([0.5, 0.1, 1.0, -1.0, 0.2, 0.0])  # w1, b1, w2 (2 outputs), b2 (2)
    h = np.tanh(0.5 * X[:, 0] + 0.1)
    z = np.stack([1.0 * h + 0.2, -1.0 * h + 0.0], axis=1)
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    expected = -(np.log(p[0, 0]) + np.log(p[1, 1])) / 2 + 0.01 * np.sum(x**2)
    assert pot.energy(x) == pytest.approx(expected, rel=1e-13)


def _all_copies(pot: MLPCrossEntropy, x: np.ndarray):
    for perm in itertools.permutations(range(pot.n_hidden)):
        for signs in itertools.product([False, True], repeat=pot.n_hidden):
            z = pot.permute_hidden(x, np.array(perm))
            for j, flip in enumerate(signs):
                if flip:
                    z = pot.flip_hidden(z, j)
            yield z


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_symmetric_copies_same_loss_and_same_canonical_form(seed: int) -> None:
    pot = _pot(n_in=3, n_hidden=3, n_classes=3, seed=seed)
    x = np.random.default_rng(seed).uniform(-5, 5, size=pot.ndim)
    e = pot.energy(x)
    c = pot.canonicalise(x)
    assert pot.energy(c) == pytest.approx(e, rel=1e-12)
    copies = list(_all_copies(pot, x))
    assert len(copies) == 2**3 * 6
    distinct = {tuple(np.round(z, 12)) for z in copies}
    assert len(distinct) == 48  # the copies really differ as vectors
    for z in copies:
        assert pot.energy(z) == pytest.approx(e, rel=1e-12)
        np.testing.assert_array_equal(pot.canonicalise(z), c)
    W1, b1, W2, _ = pot.unpack(c)
    assert np.all(b1 >= 0)
    assert list(b1) == sorted(b1, reverse=True)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    perm=st.permutations(range(4)),
    flips=st.lists(st.booleans(), min_size=4, max_size=4),
)
def test_canonicalise_is_invariant_property(seed: int, perm: list[int], flips: list[bool]) -> None:
    pot = _pot(n_in=2, n_hidden=4, n_classes=2)
    x = np.random.default_rng(seed).normal(size=pot.ndim)
    z = pot.permute_hidden(x, np.array(perm))
    for j, f in enumerate(flips):
        if f:
            z = pot.flip_hidden(z, j)
    np.testing.assert_array_equal(pot.canonicalise(z), pot.canonicalise(x))
    np.testing.assert_allclose(pot.gradient(pot.canonicalise(x)), pot.gradient(pot.canonicalise(z)))


def test_canonicalise_zero_bias_uses_next_weight() -> None:
    pot = _pot(n_in=2, n_hidden=2, n_classes=2)
    x = np.random.default_rng(3).normal(size=pot.ndim)
    W1, b1, W2, b2 = pot.unpack(x)
    b1 = np.zeros(2)
    x = pot.pack(W1, b1, W2, b2)
    c = pot.canonicalise(x)
    np.testing.assert_array_equal(pot.canonicalise(pot.flip_hidden(x, 0)), c)
    assert np.all(pot.unpack(c)[0][:, 0] > 0)


def test_predict_proba_and_predict() -> None:
    pot = _pot(n_in=3, n_hidden=4, n_classes=3, seed=4)
    x = np.random.default_rng(0).normal(size=pot.ndim)
    Xn = np.random.default_rng(1).normal(size=(9, 3))
    P = pot.predict_proba(x, Xn)
    assert P.shape == (9, 3)
    np.testing.assert_allclose(P.sum(1), 1.0, rtol=1e-14)
    assert np.all(P > 0)
    np.testing.assert_array_equal(pot.predict(x, Xn), P.argmax(1))
    # predict_proba on the training data reproduces the data term of the loss
    nll = -np.mean(np.log(pot.predict_proba(x, pot.X)[np.arange(pot.n_samples), pot.y]))
    assert pot.energy(x) == pytest.approx(nll + pot.lam * x @ x, rel=1e-13)


def test_invalid_inputs() -> None:
    X = np.zeros((4, 2))
    with pytest.raises(InputError):
        MLPCrossEntropy(X, np.array([0, 1, 0]), n_hidden=2)
    with pytest.raises(InputError):
        MLPCrossEntropy(X, np.array([0, 0, 0, 0]), n_hidden=2)
    with pytest.raises(InputError):
        MLPCrossEntropy(X, np.array([0, 1, 0.5, 1]), n_hidden=2)
    with pytest.raises(InputError):
        MLPCrossEntropy(X, np.array([0, 1, 0, 1]), n_hidden=0)
    with pytest.raises(InputError):
        MLPCrossEntropy(X, np.array([0, 1, 0, 3]), n_hidden=2, n_classes=3)
    pot = MLPCrossEntropy(X, np.array([0, 1, 0, 1]), n_hidden=2)
    with pytest.raises(InputError):
        pot.permute_hidden(np.zeros(pot.ndim), np.array([0, 0]))


def _reference_energy_gradient(pot: MLPCrossEntropy, x: np.ndarray) -> tuple[float, np.ndarray]:
    """The loss and its back-propagated gradient written out with scipy's log_softmax."""
    from scipy.special import log_softmax

    W1, b1, W2, b2 = pot.unpack(x)
    H = np.tanh(pot.X @ W1.T + b1)
    logp = log_softmax(H @ W2.T + b2, axis=1)
    n = pot.n_samples
    onehot = np.eye(pot.n_out)[pot.y]
    dZ = (np.exp(logp) - onehot) / n
    dA = (dZ @ W2) * (1.0 - H * H)
    g = pot.pack(dA.T @ pot.X, dA.sum(0), dZ.T @ H, dZ.sum(0)) + 2 * pot.lam * x
    return -float(np.sum(logp * onehot)) / n + pot.lam * float(x @ x), g


@pytest.mark.parametrize("scale", [0.1, 3.0, 300.0])
@pytest.mark.parametrize(("n_in", "n_hidden", "n_classes"), [(2, 3, 2), (4, 10, 3), (3, 5, 20)])
def test_energy_gradient_matches_scipy_log_softmax_reference(
    scale: float, n_in: int, n_hidden: int, n_classes: int
) -> None:
    # scale 300 drives the logits to ~1e5: the log-softmax must stay stable (no inf/nan)
    pot = _pot(n_in=n_in, n_hidden=n_hidden, n_classes=n_classes, n=40, seed=n_hidden, lam=1e-3)
    for k in range(3):
        x = scale * np.random.default_rng(k).normal(size=pot.ndim)
        e_ref, g_ref = _reference_energy_gradient(pot, x)
        e, g = pot.energy_gradient(x)
        assert np.isfinite(e) and np.all(np.isfinite(g))
        assert e == pytest.approx(e_ref, rel=1e-12, abs=1e-12)
        assert pot.energy(x) == pytest.approx(e_ref, rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(g, g_ref, rtol=1e-12, atol=1e-12 * max(1.0, scale))
        assert pot.gradient(x) is not g  # fresh arrays, never a shared buffer
        np.testing.assert_array_equal(pot.gradient(x), g)
