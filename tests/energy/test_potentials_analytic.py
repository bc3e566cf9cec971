"""Mueller-Brown fixture, double well, callable wrapper and base-class fallbacks."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import root

from lossatlas.energy import BasePotential, CallablePotential, DoubleWell, MullerBrown, Potential
from lossatlas.errors import InputError

# The reference table (shared/reference/energy-landscapes.md), typed in independently.
MB_MINIMA = [(-0.5582, 1.4417, -146.6995), (0.6235, 0.0280, -108.1667), (-0.0500, 0.4667, -80.7678)]
MB_SADDLES = [(-0.8220, 0.6243, -40.6648), (0.2124, 0.2930, -72.2489)]


def _refine(pot: MullerBrown, x0: tuple[float, float]) -> np.ndarray:
    """Newton refinement of a stationary point (gradient root) with the analytic Hessian."""
    sol = root(pot.gradient, np.array(x0), jac=pot.hessian, method="hybr", tol=1e-12)
    assert np.linalg.norm(pot.gradient(sol.x)) < 1e-8
    return sol.x


@pytest.mark.parametrize(("x", "y", "value"), MB_MINIMA + MB_SADDLES)
def test_mueller_brown_stationary_points_match_reference(x: float, y: float, value: float) -> None:
    pot = MullerBrown()
    assert pot.energy(np.array([x, y])) == pytest.approx(value, abs=0.05)
    point = _refine(pot, (x, y))
    assert np.linalg.norm(pot.gradient(point)) < 1e-8
    np.testing.assert_allclose(point, [x, y], atol=1e-4)
    assert pot.energy(point) == pytest.approx(value, abs=1e-4)


@pytest.mark.parametrize(("x", "y", "value"), MB_MINIMA)
def test_mueller_brown_minima_have_two_positive_eigenvalues(x, y, value) -> None:
    pot = MullerBrown()
    eig = np.linalg.eigvalsh(pot.hessian(_refine(pot, (x, y))))
    assert np.all(eig > 0)


@pytest.mark.parametrize(("x", "y", "value"), MB_SADDLES)
def test_mueller_brown_saddles_have_one_negative_eigenvalue(x, y, value) -> None:
    pot = MullerBrown()
    eig = np.linalg.eigvalsh(pot.hessian(_refine(pot, (x, y))))
    assert eig[0] < 0 < eig[1]


def test_mueller_brown_reference_constants_and_hand_value() -> None:
    pot = MullerBrown()
    assert [tuple(p) for p in pot.REFERENCE_MINIMA] == MB_MINIMA
    assert [tuple(p) for p in pot.REFERENCE_SADDLES] == MB_SADDLES
    # at (0, 0.5) every exponent is hand-computable:
    # k=0: -200 e^{-1-2.5}; k=1: -100; k=2: -170 e^{-6.5*0.25 + 11*0.5*(-1) - 6.5*1}
    # k=3: 15 e^{0.7 + 0.6*(-0.5) + 0.7*0.25}
    expected = (
        -200 * np.exp(-3.5)
        - 100
        - 170 * np.exp(-1.625 - 5.5 - 6.5)
        + 15 * np.exp(0.7 - 0.3 + 0.175)
    )
    assert pot.energy(np.array([0.0, 0.5])) == pytest.approx(expected, rel=1e-14)
    with pytest.raises(InputError):
        pot.energy(np.zeros(3))


def test_mueller_brown_random_coordinates_in_box() -> None:
    pot = MullerBrown()
    rng = np.random.default_rng(0)
    pts = np.array([pot.random_coordinates(rng) for _ in range(200)])
    (x_lo, x_hi), (y_lo, y_hi) = pot.BOX
    assert pts.shape == (200, 2)
    assert np.all((pts[:, 0] >= x_lo) & (pts[:, 0] <= x_hi))
    assert np.all((pts[:, 1] >= y_lo) & (pts[:, 1] <= y_hi))


def test_double_well_documented_stationary_points() -> None:
    pot = DoubleWell(barrier=2.0, k=3.0)
    for point, energy in [((-1.0, 0.0), 0.0), ((1.0, 0.0), 0.0), ((0.0, 0.0), 2.0)]:
        p = np.array(point)
        assert pot.energy(p) == pytest.approx(energy)
        np.testing.assert_allclose(pot.gradient(p), 0.0, atol=1e-14)
    np.testing.assert_allclose(pot.hessian(np.array([1.0, 0.0])), np.diag([16.0, 3.0]))
    np.testing.assert_allclose(pot.hessian(np.array([0.0, 0.0])), np.diag([-8.0, 3.0]))


def test_double_well_tilt_lowers_one_side() -> None:
    pot = DoubleWell(tilt=0.3)
    left = _newton_1d(pot, -1.0)
    right = _newton_1d(pot, 1.0)
    assert pot.energy(np.array([left, 0.0])) < pot.energy(np.array([right, 0.0]))
    with pytest.raises(InputError):
        DoubleWell(barrier=0.0)


def _newton_1d(pot: DoubleWell, x: float) -> float:
    for _ in range(50):
        p = np.array([x, 0.0])
        x -= pot.gradient(p)[0] / pot.hessian(p)[0, 0]
    return x


def test_callable_potential_with_and_without_derivatives() -> None:
    def f(x):
        return float(x[0] ** 2 * x[1] + np.exp(x[1]))

    def g(x):
        return np.array([2 * x[0] * x[1], x[0] ** 2 + np.exp(x[1])])

    def h(x):
        return np.array([[2 * x[1], 2 * x[0]], [2 * x[0], np.exp(x[1])]])

    x = np.array([0.7, -0.3])
    exact = CallablePotential(f, g, h, ndim=2)
    approx = CallablePotential(f, ndim=2)
    assert isinstance(exact, Potential) and isinstance(approx, Potential)
    np.testing.assert_allclose(approx.gradient(x), g(x), atol=1e-8)
    np.testing.assert_allclose(approx.hessian(x), h(x), atol=1e-5)
    np.testing.assert_array_equal(exact.hessian(x), h(x))
    v = np.array([1.0, 2.0])
    np.testing.assert_allclose(exact.hessian_vector_product(x, v), h(x) @ v, atol=1e-14)
    np.testing.assert_allclose(approx.hessian_vector_product(x, v), h(x) @ v, atol=1e-5)
    with pytest.raises(InputError):
        CallablePotential(f, ndim=0)


def test_base_potential_defaults() -> None:
    class Quadratic(BasePotential):
        def __init__(self) -> None:
            self.ndim = 3

        def energy(self, x):
            return float(np.sum(np.arange(1, 4) * x**2))

        def gradient(self, x):
            return 2 * np.arange(1, 4) * x

    pot = Quadratic()
    x = np.array([0.3, -1.0, 2.0])
    e, g = pot.energy_gradient(x)
    assert e == pytest.approx(0.09 + 2.0 + 12.0)
    np.testing.assert_allclose(pot.hessian(x), np.diag([2.0, 4.0, 6.0]), atol=1e-7)
    np.testing.assert_allclose(pot.hessian_vector_product(x, np.ones(3)), [2, 4, 6], atol=1e-7)
    c = pot.canonicalise(x)
    np.testing.assert_array_equal(c, x)
    assert c is not x
    starts = np.array([pot.random_coordinates(np.random.default_rng(s)) for s in range(50)])
    assert starts.min() >= -5 and starts.max() <= 5 and starts.std() > 2
    with pytest.raises(NotImplementedError):
        BasePotential().energy(x)
