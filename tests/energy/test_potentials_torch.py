"""TorchPotential against the numpy MLP (same layout) and finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from lossatlas.energy import MLPCrossEntropy, Potential, TorchPotential, minimize
from lossatlas.errors import InputError

torch = pytest.importorskip("torch")


def _setup(seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(20, 3))
    y = np.arange(20) % 3
    torch.manual_seed(seed)
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 3))
    return module, X, y


@pytest.mark.parametrize(("seed", "lam"), [(0, 0.0), (1, 1e-2)])
def test_matches_numpy_mlp(seed: int, lam: float) -> None:
    module, X, y = _setup(seed)
    pot = TorchPotential(module, torch.nn.functional.cross_entropy, X, y, lam=lam)
    ref = MLPCrossEntropy(X, y, n_hidden=4, lam=lam)
    assert isinstance(pot, Potential)
    assert pot.ndim == ref.ndim == 31
    assert pot.parameter_names == ("0.weight", "0.bias", "2.weight", "2.bias")
    x = np.random.default_rng(seed).normal(size=pot.ndim)
    assert pot.energy(x) == pytest.approx(ref.energy(x), rel=1e-12)
    e, g = pot.energy_gradient(x)
    assert e == pytest.approx(ref.energy(x), rel=1e-12)
    np.testing.assert_allclose(g, ref.gradient(x), atol=1e-12)
    np.testing.assert_allclose(pot.hessian(x), ref.hessian(x), atol=1e-12)
    v = np.random.default_rng(seed + 1).normal(size=pot.ndim)
    np.testing.assert_allclose(pot.hessian_vector_product(x, v), ref.hessian(x) @ v, atol=1e-12)


def test_x0_and_module_untouched_and_minimise() -> None:
    module, X, y = _setup()
    before = [p.detach().clone() for p in module.parameters()]
    pot = TorchPotential(module, torch.nn.functional.cross_entropy, X, y, lam=0.05)
    flat = np.concatenate([p.numpy().ravel() for p in before])
    np.testing.assert_allclose(pot.x0, flat, rtol=1e-7)
    res = minimize(pot, pot.x0, rms_tol=1e-5, max_iterations=2000)
    assert res.converged and res.rms_gradient < 1e-5
    for p, q in zip(module.parameters(), before, strict=True):
        assert p.dtype == torch.float32 and torch.equal(p.detach(), q)


def test_rejects_non_module() -> None:
    with pytest.raises(InputError):
        TorchPotential(object(), torch.nn.functional.mse_loss, np.zeros((2, 1)), np.zeros(2))
    module, X, y = _setup()
    pot = TorchPotential(module, torch.nn.functional.cross_entropy, X, y)
    with pytest.raises(InputError):
        pot.energy(np.zeros(pot.ndim + 1))
