"""L-BFGS minimisation to an RMS-gradient tolerance, with optional Newton polish."""

from __future__ import annotations

import numpy as np
import pytest

from lossatlas.energy import (
    CallablePotential,
    DoubleWell,
    MullerBrown,
    make_potential,
    minimize,
    rms_gradient,
)
from lossatlas.errors import InputError

MB_MINIMA = [(-0.5582, 1.4417, -146.6995), (0.6235, 0.0280, -108.1667), (-0.0500, 0.4667, -80.7678)]


def test_rms_gradient_hand_values() -> None:
    assert rms_gradient(np.array([3.0, 4.0])) == pytest.approx(np.sqrt(25 / 2))
    assert rms_gradient(np.zeros(5)) == 0.0
    assert rms_gradient(np.array([[1.0, 1.0], [1.0, 1.0]])) == pytest.approx(1.0)


@pytest.mark.parametrize(("x", "y", "value"), MB_MINIMA)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mueller_brown_minima_from_nearby_starts(x, y, value, seed) -> None:
    pot = MullerBrown()
    start = np.array([x, y]) + np.random.default_rng(seed).uniform(-0.08, 0.08, size=2)
    res = minimize(pot, start, rms_tol=1e-8)
    assert res.converged and res.rms_gradient < 1e-8
    assert res.rms_gradient == pytest.approx(rms_gradient(pot.gradient(res.x)))
    assert res.energy == pytest.approx(pot.energy(res.x))
    np.testing.assert_allclose(res.x, [x, y], atol=1e-4)
    assert res.energy == pytest.approx(value, abs=1e-4)
    assert res.n_evaluations >= res.n_iterations >= 1


def test_mlp_iris_reaches_tolerance_and_polish_tightens_it() -> None:
    pot = make_potential("mlp", dataset="iris", hidden=3)
    x0 = pot.random_coordinates(np.random.default_rng(0)) * 0.2
    res = minimize(pot, x0, rms_tol=1e-6, memory=30)
    assert res.converged and res.rms_gradient < 1e-6
    assert res.energy < pot.energy(x0)
    tight = minimize(pot, res.x, rms_tol=1e-6, polish=True, polish_tol=1e-9)
    assert tight.converged and tight.rms_gradient < 1e-9
    # soft directions (eigenvalues ~ 2 lam) let x move, but the energy changes by ~|g|^2/lambda
    assert res.energy - 1e-6 < tight.energy <= res.energy + 1e-12
    assert np.all(np.linalg.eigvalsh(pot.hessian(tight.x)) > 0)
    # L-BFGS alone also gets there (round-off-tolerant steps once the line search gives up)
    lbfgs = minimize(pot, res.x, rms_tol=1e-9)
    assert lbfgs.converged and lbfgs.rms_gradient < 1e-9
    np.testing.assert_allclose(lbfgs.x, tight.x, atol=1e-4)


def test_roundoff_regime_converges_to_tight_tolerance() -> None:
    # |E| ~ 100: energy differences below ~1e-14 |E| are invisible, yet rms 1e-11 is reached
    pot = MullerBrown()
    res = minimize(pot, np.array([0.62, 0.03]), rms_tol=1e-11)
    assert res.converged and res.rms_gradient < 1e-11


def test_already_converged_start_costs_one_evaluation() -> None:
    pot = DoubleWell()
    res = minimize(pot, np.array([1.0, 0.0]))
    assert res.converged and res.n_evaluations == 1 and res.n_iterations == 0
    np.testing.assert_array_equal(res.x, [1.0, 0.0])


def test_iteration_budget_is_respected_and_reported() -> None:
    pot = CallablePotential(
        lambda x: float(np.sum((x[1:] - x[:-1] ** 2) ** 2 * 100 + (1 - x[:-1]) ** 2)),
        lambda x: _rosen_grad(x),
        ndim=6,
    )
    res = minimize(pot, np.full(6, -1.2), rms_tol=1e-10, max_iterations=5)
    assert not res.converged and res.n_iterations <= 6
    full = minimize(pot, np.full(6, -1.2), rms_tol=1e-8, max_iterations=10_000)
    assert full.converged
    np.testing.assert_allclose(full.x, 1.0, atol=1e-6)


def _rosen_grad(x: np.ndarray) -> np.ndarray:
    g = np.zeros_like(x)
    d = x[1:] - x[:-1] ** 2
    g[:-1] = -400 * x[:-1] * d - 2 * (1 - x[:-1])
    g[1:] += 200 * d
    return g


def test_duck_typed_potential_without_energy_gradient() -> None:
    class Bowl:
        ndim = 3

        def energy(self, x):
            return float(np.sum((x - 1.0) ** 2))

        def gradient(self, x):
            return 2.0 * (x - 1.0)

        def hessian(self, x):
            return 2.0 * np.eye(3)

    res = minimize(Bowl(), np.zeros(3), polish=True)
    assert res.converged and res.rms_gradient < 1e-9
    np.testing.assert_allclose(res.x, 1.0, atol=1e-9)


def test_polish_ignores_negative_curvature_at_a_saddle() -> None:
    # starting exactly at the saddle of the double well: gradient is zero, so nothing to do,
    # and the polish must not be used to climb; from near the saddle L-BFGS goes downhill
    pot = DoubleWell()
    res = minimize(pot, np.array([0.05, 0.3]), polish=True, polish_tol=1e-11)
    assert res.converged
    np.testing.assert_allclose(np.abs(res.x), [1.0, 0.0], atol=1e-8)


def test_invalid_arguments() -> None:
    pot = MullerBrown()
    with pytest.raises(InputError):
        minimize(pot, np.array([np.nan, 0.0]))
    with pytest.raises(InputError):
        minimize(pot, np.zeros(2), rms_tol=0.0)
