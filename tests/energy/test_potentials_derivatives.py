"""Every potential's gradient, Hessian and Hessian-vector product against finite differences."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from lossatlas.energy import (
    CallablePotential,
    DoubleWell,
    GaussianProcessNLL,
    MLPAppAUC,
    MLPCrossEntropy,
    MullerBrown,
    Potential,
)


def fd_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    out = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        out[i] = (f(x + e) - f(x - e)) / (2 * h)
    return out


def fd_jacobian(g: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: float = 1e-6):
    return np.stack([fd_gradient(lambda z, i=i: g(z)[i], x, h) for i in range(x.size)])


def _data(seed: int, n: int = 18, d: int = 3, classes: int = 3):
    rng = np.random.default_rng(100 + seed)
    X = rng.normal(size=(n, d))
    y = np.arange(n) % classes
    return X, rng.permutation(y)


def _mb(seed: int):
    pot = MullerBrown()
    return pot, pot.random_coordinates(np.random.default_rng(seed))


def _dw(seed: int):
    pot = DoubleWell(barrier=2.0, k=3.0, tilt=0.4)
    return pot, np.random.default_rng(seed).uniform(-1.5, 1.5, size=2)


def _mlp(seed: int):
    X, y = _data(seed)
    pot = MLPCrossEntropy(X, y, n_hidden=3, lam=1e-2)
    return pot, np.random.default_rng(seed).normal(scale=0.8, size=pot.ndim)


def _auc_prob(seed: int):
    X, y = _data(seed, classes=2)
    pot = MLPAppAUC(X, y, n_hidden=2, lam=1e-2, beta=4.0, score="probability")
    return pot, np.random.default_rng(seed).normal(scale=0.5, size=pot.ndim)


def _auc_logit(seed: int):
    X, y = _data(seed, classes=2)
    pot = MLPAppAUC(X, y, n_hidden=2, lam=1e-3, beta=2.0, score="logit")
    return pot, np.random.default_rng(seed).normal(scale=0.5, size=pot.ndim)


def _gp(seed: int, **kw):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(15, 2))
    y = np.sin(2 * X[:, 0]) + 0.1 * rng.normal(size=15)
    pot = GaussianProcessNLL(X, y, **kw)
    x = rng.uniform(-1.0, 1.0, size=pot.ndim)
    if kw.get("optimise_nu"):
        x[-1] = np.log(rng.uniform(0.7, 3.0))
    return pot, x


def _callable(seed: int):
    pot = CallablePotential(lambda x: float(np.sum(np.cos(x) * x**2)), ndim=3)
    return pot, np.random.default_rng(seed).normal(size=3)


CASES = {
    "muller-brown": _mb,
    "double-well": _dw,
    "mlp": _mlp,
    "mlp-auc-probability": _auc_prob,
    "mlp-auc-logit": _auc_logit,
    "gp-iso-1.5": lambda s: _gp(s, nu=1.5),
    "gp-ard-0.5": lambda s: _gp(s, nu=0.5, ard=True),
    "gp-ard-2.5": lambda s: _gp(s, nu=2.5, ard=True),
    "gp-nu-1.8": lambda s: _gp(s, nu=1.8),
    "gp-optimise-nu": lambda s: _gp(s, optimise_nu=True, ard=True),
    "callable": _callable,
}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", list(CASES))
def test_derivatives_match_finite_differences(name: str, seed: int) -> None:
    pot, x = CASES[name](seed)
    assert isinstance(pot, Potential)
    e, g = pot.energy_gradient(x)
    assert e == pytest.approx(pot.energy(x), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(g, pot.gradient(x), rtol=1e-12, atol=1e-12)
    scale = max(1.0, float(np.abs(g).max()))
    np.testing.assert_allclose(g, fd_gradient(pot.energy, x), atol=2e-6 * scale)

    H = pot.hessian(x)
    assert H.shape == (pot.ndim, pot.ndim)
    np.testing.assert_allclose(H, H.T, atol=1e-10 * max(1.0, np.abs(H).max()))
    H_fd = fd_jacobian(pot.gradient, x, h=1e-5)
    np.testing.assert_allclose(H, 0.5 * (H_fd + H_fd.T), atol=2e-5 * max(1.0, np.abs(H).max()))

    v = np.random.default_rng(seed + 7).normal(size=pot.ndim)
    np.testing.assert_allclose(
        pot.hessian_vector_product(x, v), H @ v, atol=1e-5 * max(1.0, np.abs(H @ v).max())
    )
