"""The assembled dense Hessian of the tanh networks against the R-operator and finite
differences, and the trust-region Newton refinement that uses it."""

from __future__ import annotations

import numpy as np
import pytest

import lossatlas.energy.potentials._mlp as mlp
from lossatlas.energy import load_energy_dataset, minimize, refine_minimum
from lossatlas.energy._harmonic import hessian_summary
from lossatlas.energy._newton import _trust_region_step, newton_minimize
from lossatlas.energy.potentials import MLPAppAUC, MLPCrossEntropy, make_potential
from lossatlas.energy.potentials._base import finite_difference_hessian
from lossatlas.errors import InputError


def _networks() -> list[mlp.TanhNetworkPotential]:
    iris = load_energy_dataset("iris")
    binary = load_energy_dataset("iris", binary=True)
    return [
        MLPCrossEntropy(iris.X_train, iris.y_train, n_hidden=10, lam=1e-5),
        MLPCrossEntropy(binary.X_train[:, :2], binary.y_train, n_hidden=3, n_classes=2),
        MLPCrossEntropy(iris.X_train[:7], iris.y_train[:7], n_hidden=2, lam=0.0, n_classes=4),
        MLPAppAUC(binary.X_train, binary.y_train, n_hidden=4, lam=1e-4),
        MLPAppAUC(binary.X_train, binary.y_train, n_hidden=3, beta=20.0, score="logit"),
    ]


@pytest.mark.parametrize("index", range(5))
def test_dense_hessian_matches_r_operator_and_finite_differences(index: int) -> None:
    pot = _networks()[index]
    rng = np.random.default_rng(index)
    for scale in (0.3, 3.0):  # near-linear units and saturated ones
        x = rng.uniform(-scale, scale, pot.ndim)
        dense = pot.hessian(x)
        reference = pot._r_operator_hessian(x)
        assert dense.shape == (pot.ndim, pot.ndim)
        np.testing.assert_array_equal(dense, dense.T)
        big = np.max(np.abs(reference))
        assert np.max(np.abs(dense - reference)) <= 1e-10 * big
        fd = finite_difference_hessian(pot.gradient, x)
        assert np.max(np.abs(dense - fd)) <= 1e-5 * max(big, 1.0)


def test_dense_hessian_off_diagonal_blocks_are_not_zero() -> None:
    """The second-order terms (within a unit, unit to output) matter: Gauss-Newton alone
    (the first term) differs from the Hessian."""
    pot = _networks()[0]
    x = np.random.default_rng(5).uniform(-2, 2, pot.ndim)
    H, Z = pot._forward(x, pot.X)
    _, _, cache = pot._output_loss(Z)
    J = pot._output_jacobian(x, H)
    gauss_newton = pot._output_r(cache, J).reshape(pot.ndim, -1) @ J.reshape(pot.ndim, -1).T
    gauss_newton[np.diag_indices(pot.ndim)] += 2.0 * pot.lam
    assert np.max(np.abs(pot.hessian(x) - gauss_newton)) > 1e-4 * np.max(np.abs(gauss_newton))


def test_large_networks_keep_the_chunked_r_operator(monkeypatch: pytest.MonkeyPatch) -> None:
    pot = _networks()[1]
    x = np.random.default_rng(2).uniform(-1, 1, pot.ndim)
    calls: list[str] = []
    monkeypatch.setattr(mlp, "_R_CHUNK_ELEMENTS", pot.ndim * pot.n_samples * pot.n_out - 1)
    original = mlp.TanhNetworkPotential._r_operator_hessian

    def spy(self: mlp.TanhNetworkPotential, y: np.ndarray) -> np.ndarray:
        calls.append("r")
        return original(self, y)

    monkeypatch.setattr(mlp.TanhNetworkPotential, "_r_operator_hessian", spy)
    h = pot.hessian(x)
    assert calls == ["r"]
    np.testing.assert_allclose(h, pot._dense_hessian(x), rtol=0, atol=1e-12)


def test_trust_region_step_newton_boundary_and_hard_case() -> None:
    lam = np.array([1.0, 4.0])
    gt = np.array([-0.1, 0.4])
    np.testing.assert_allclose(_trust_region_step(lam, gt, 1.0), [0.1, -0.1])  # Newton fits
    d = _trust_region_step(lam, np.array([-3.0, 4.0]), 0.5)
    assert np.linalg.norm(d) == pytest.approx(0.5, rel=2e-3)
    assert d[0] > 0 and d[1] < 0  # downhill along both
    neg = _trust_region_step(np.array([-1.0, 2.0]), np.array([0.2, 0.2]), 0.7)
    assert np.linalg.norm(neg) == pytest.approx(0.7, rel=2e-3)
    assert neg[0] < 0  # follows the negative curvature downhill
    hard = _trust_region_step(np.array([-1.0, 2.0]), np.array([0.0, 0.2]), 0.7)
    assert np.linalg.norm(hard) == pytest.approx(0.7, rel=2e-3)
    assert abs(hard[0]) > 0.5  # the step goes out along the lowest mode


def test_newton_minimize_quadratic_and_rosenbrock() -> None:
    from lossatlas.energy import CallablePotential

    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    quad = CallablePotential(lambda x: 0.5 * x @ A @ x, lambda x: A @ x, lambda x: A, ndim=2)
    r = newton_minimize(quad, [0.3, -0.2], radius=10.0)
    assert r.converged and r.n_iterations == 1 and np.max(np.abs(r.x)) < 1e-14

    def rosen_h(x: np.ndarray) -> np.ndarray:
        return np.array([[2 - 400 * (x[1] - 3 * x[0] ** 2), -400 * x[0]], [-400 * x[0], 200.0]])

    rosen = CallablePotential(
        lambda x: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2,
        lambda x: np.array(
            [-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)]
        ),
        rosen_h,
        ndim=2,
    )
    start = np.array([0.0, 0.5])
    assert np.linalg.eigvalsh(rosen_h(start))[0] < 0  # starts where Newton alone would fail
    r = newton_minimize(rosen, start, rms_tol=1e-10, max_hessians=100)
    assert r.converged and np.allclose(r.x, [1.0, 1.0], atol=1e-8)
    stopped = newton_minimize(rosen, start, rms_tol=1e-10, max_hessians=100, reach=0.5)
    assert not stopped.converged and np.linalg.norm(stopped.x - start) > 0.5
    with pytest.raises(InputError, match="positive"):
        newton_minimize(rosen, start, reach=0.0)
    with pytest.raises(InputError, match="finite"):
        newton_minimize(rosen, [np.nan, 0.0])


def test_refine_minimum_newton_route_matches_the_descent_route() -> None:
    """Soft-mode quenches of the 4-10-3 network: the trust-region Newton refinement reaches the
    minimum of the L-BFGS route (the database's rule) at the same tolerance, and the stored
    Hessian summary agrees."""
    pot = make_potential("mlp", dataset="iris", hidden=10)
    rng = np.random.default_rng(3)
    base = refine_minimum(pot, minimize(pot, rng.uniform(-5, 5, pot.ndim)).x, reach=None)
    newton_evaluations = []
    for _ in range(3):
        q = minimize(pot, base.x + rng.normal(0, 0.05, pot.ndim), engine="numpy")
        old = refine_minimum(pot, q.x, engine="numpy", reach=None)
        new = refine_minimum(pot, q.x, engine="numpy")
        assert new.converged and new.rms_gradient < 1e-9
        assert pot.symmetry_distance(old.x, new.x) < 1e-3
        assert abs(old.energy - new.energy) < 1e-10
        f_old, n_old, low_old = hessian_summary(pot, old.x)
        f_new, n_new, low_new = hessian_summary(pot, new.x)
        assert n_old == n_new == pot.ndim
        assert f_new == pytest.approx(f_old, rel=1e-6)
        assert low_new == pytest.approx(low_old, rel=1e-4)
        newton_evaluations.append(new.n_evaluations)
    assert max(newton_evaluations) < 40  # a few Newton steps, not an L-BFGS run
