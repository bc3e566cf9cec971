"""The numpy L-BFGS of basin-hopping quenches (lossatlas.energy._lbfgs)."""

from __future__ import annotations

import numpy as np
import pytest

from lossatlas.energy import MullerBrown, minimize, rms_gradient
from lossatlas.energy._lbfgs import LbfgsMemory, lbfgs
from lossatlas.errors import InputError


def two_loop(g: np.ndarray, S: list[np.ndarray], Y: list[np.ndarray]) -> np.ndarray:
    """Nocedal's two-loop recursion, written out as in the textbook."""
    q = g.copy()
    alphas = []
    for s, y in zip(reversed(S), reversed(Y), strict=True):
        a = (s @ q) / (y @ s)
        alphas.append(a)
        q -= a * y
    q *= (S[-1] @ Y[-1]) / (Y[-1] @ Y[-1])
    for (s, y), a in zip(zip(S, Y, strict=True), reversed(alphas), strict=True):
        q += (a - (y @ q) / (y @ s)) * s
    return -q


def test_compact_direction_is_the_two_loop_one_across_window_moves() -> None:
    rng = np.random.default_rng(0)
    n, m = 6, 3
    A = rng.normal(size=(n, n))
    A = A @ A.T + np.eye(n)
    mem = LbfgsMemory(n, m)
    S: list[np.ndarray] = []
    Y: list[np.ndarray] = []
    for _ in range(4 * m + 1):  # the window is copied back twice
        s = rng.normal(size=n)
        assert mem.add(s, A @ s)
        S.append(s)
        Y.append(A @ s)
        g = rng.normal(size=n)
        assert mem.k == min(len(S), m)
        np.testing.assert_allclose(mem.direction(g), two_loop(g, S[-m:], Y[-m:]), atol=1e-12)


def test_pairs_without_positive_curvature_are_refused() -> None:
    mem = LbfgsMemory(2, 5)
    assert not mem.add(np.array([1.0, 0.0]), np.array([-1.0, 0.0]))
    assert mem.k == 0
    g = np.array([0.3, -0.2])
    np.testing.assert_array_equal(mem.direction(g), -g)


def test_ill_conditioned_quadratic_and_a_flat_direction() -> None:
    # eigenvalues 1e-6 .. 1: along the softest one the energy is nearly linear far out, so
    # only a lengthened line search gets there in few evaluations
    lam = np.logspace(-6, 0, 8)
    calls = []

    def fg(x: np.ndarray) -> tuple[float, np.ndarray]:
        calls.append(1)
        return 0.5 * float(lam @ (x * x)), lam * x

    x0 = np.full(8, 0.5)
    e0, g0 = fg(x0)
    x, e, g, it = lbfgs(fg, x0, e0, g0, rms_tol=1e-9, max_iterations=1000, memory=10)
    assert rms_gradient(g) < 1e-9 and e < e0
    np.testing.assert_allclose(g, lam * x)
    assert it <= 200 and len(calls) <= 300


def test_rosenbrock() -> None:
    def fg(x: np.ndarray) -> tuple[float, np.ndarray]:
        a, b = x
        e = (1 - a) ** 2 + 100 * (b - a * a) ** 2
        return e, np.array([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)])

    x0 = np.array([-1.2, 1.0])
    x, e, g, it = lbfgs(fg, x0, *fg(x0), rms_tol=1e-8, max_iterations=500, memory=5)
    np.testing.assert_allclose(x, [1.0, 1.0], atol=1e-6)
    assert 0 < it < 200


@pytest.mark.parametrize("start", [(-0.5, 1.2), (0.5, 0.2), (0.0, 0.6)])
def test_minimize_engines_agree_on_mueller_brown_minima(start) -> None:
    pot = MullerBrown()
    a = minimize(pot, np.array(start), rms_tol=1e-8, engine="numpy")
    b = minimize(pot, np.array(start), rms_tol=1e-8, engine="scipy")
    assert a.converged and b.converged
    np.testing.assert_allclose(a.x, b.x, atol=1e-6)


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(InputError, match="engine"):
        minimize(MullerBrown(), np.zeros(2), engine="fortran")
