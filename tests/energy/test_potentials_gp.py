"""Gaussian-process NLL against scikit-learn, continuity in nu, closed forms, edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import gamma, kv
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

from lossatlas.energy import GaussianProcessNLL, matern_correlation, minimize
from lossatlas.errors import InputError


def _data(n: int = 20, d: int = 2, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = 3.0 + 2.0 * np.sin(2 * X[:, 0]) + 0.2 * rng.normal(size=n)
    return X, y


def _sklearn_lml(X, y, theta_ours, *, nu, ard, normalise_y, jitter):
    """scikit-learn's log marginal likelihood at our coordinates.

    Kernel ConstantKernel * Matern + WhiteKernel has theta = [ln c, ln l (per dim), ln noise];
    ours is [ln l (per dim), ln sigma_f^2, ln sigma_n^2]. alpha = jitter on the diagonal.
    """
    d = X.shape[1] if ard else 1
    kernel = ConstantKernel(1.0) * Matern(length_scale=np.ones(d) if ard else 1.0, nu=nu)
    kernel = kernel + WhiteKernel(1.0)
    gpr = GaussianProcessRegressor(kernel, optimizer=None, normalize_y=normalise_y, alpha=jitter)
    gpr.fit(X, y)
    theta_sk = np.concatenate([[theta_ours[d]], theta_ours[:d], [theta_ours[d + 1]]])
    lml, grad_sk = gpr.log_marginal_likelihood(theta_sk, eval_gradient=True)
    grad_ours = np.concatenate([grad_sk[1 : d + 1], [grad_sk[0]], [grad_sk[d + 1]]])
    return lml, grad_ours


@pytest.mark.parametrize("nu", [0.5, 1.5, 2.5])
@pytest.mark.parametrize("ard", [False, True])
@pytest.mark.parametrize("normalise_y", [True, False])
def test_matches_sklearn_log_marginal_likelihood(nu: float, ard: bool, normalise_y: bool) -> None:
    X, y = _data(seed=int(10 * nu))
    pot = GaussianProcessNLL(X, y, nu=nu, ard=ard, normalise_y=normalise_y, jitter=1e-8)
    rng = np.random.default_rng(int(nu * 2) + 3 * ard)
    for _ in range(3):
        theta = rng.uniform(-1.5, 1.5, size=pot.ndim)
        lml, grad = _sklearn_lml(X, y, theta, nu=nu, ard=ard, normalise_y=normalise_y, jitter=1e-8)
        e, g = pot.energy_gradient(theta)
        assert e == pytest.approx(-lml, rel=1e-10, abs=1e-10)
        np.testing.assert_allclose(g, -grad, rtol=1e-7, atol=1e-9)


def test_general_bessel_form_equals_closed_forms() -> None:
    z = np.concatenate([[0.0, 1e-12, 1e-6], np.linspace(0.01, 30.0, 200)])
    for nu in (0.5, 1.5, 2.5):
        np.testing.assert_allclose(
            matern_correlation(z, nu, closed_form=False), matern_correlation(z, nu), rtol=1e-12
        )
    # and the textbook formula computed naively where it does not overflow
    zz = np.linspace(0.1, 10.0, 50)
    nu = 1.3
    naive = 2 ** (1 - nu) / gamma(nu) * zz**nu * kv(nu, zz)
    np.testing.assert_allclose(matern_correlation(zz, nu), naive, rtol=1e-12)
    assert matern_correlation(np.array([0.0]), nu)[0] == 1.0


@pytest.mark.parametrize("nu", [0.5, 1.5, 2.5])
def test_continuous_in_nu(nu: float) -> None:
    X, y = _data()
    theta = np.array([0.2, 0.5, -2.0])
    at = GaussianProcessNLL(X, y, nu=nu).energy(theta)
    below = GaussianProcessNLL(X, y, nu=nu - 1e-6).energy(theta)
    above = GaussianProcessNLL(X, y, nu=nu + 1e-6).energy(theta)
    assert abs(above - at) < 1e-4 and abs(below - at) < 1e-4
    # central value = mean of the neighbours to second order: no jump at the fast path
    assert at == pytest.approx(0.5 * (above + below), abs=1e-8)
    # the nu coordinate sees the same function
    opt = GaussianProcessNLL(X, y, nu=nu, optimise_nu=True)
    assert opt.energy(np.append(theta, np.log(nu))) == pytest.approx(at, rel=1e-12)


def test_nu_sweep_is_smooth() -> None:
    X, y = _data(n=15)
    theta = np.array([0.0, 0.3, -1.5])
    nus = np.linspace(0.4, 3.0, 60)
    values = np.array([GaussianProcessNLL(X, y, nu=v).energy(theta) for v in nus])
    assert np.all(np.abs(np.diff(values)) < 1.0)
    second = np.diff(values, 2)
    assert np.all(np.abs(second) < 0.1)


def test_with_nu_keeps_data_and_options() -> None:
    X, y = _data()
    pot = GaussianProcessNLL(X, y, nu=1.5, ard=True, normalise_y=False, jitter=1e-7)
    other = pot.with_nu(0.7)
    assert other.nu == 0.7 and other.ard and not other.normalise_y and other.jitter == 1e-7
    theta = np.array([0.1, -0.2, 0.3, -1.0])
    assert other.energy(theta) == pytest.approx(
        GaussianProcessNLL(X, y, nu=0.7, ard=True, normalise_y=False, jitter=1e-7).energy(theta)
    )
    assert other.energy(theta) != pytest.approx(pot.energy(theta))


def test_duplicate_points_and_hand_value() -> None:
    # two identical inputs: r = 0 off the diagonal, k = sigma_f^2 there
    X = np.array([[0.0], [0.0]])
    y = np.array([1.0, -1.0])
    pot = GaussianProcessNLL(X, y, nu=1.3, normalise_y=False, jitter=0.0)
    sf2, sn2 = 2.0, 0.5
    K = np.array([[sf2 + sn2, sf2], [sf2, sf2 + sn2]])
    expected = 0.5 * y @ np.linalg.solve(K, y) + 0.5 * np.log(np.linalg.det(K)) + np.log(2 * np.pi)
    theta = np.array([0.3, np.log(sf2), np.log(sn2)])
    assert pot.energy(theta) == pytest.approx(expected, rel=1e-13)
    assert np.all(np.isfinite(pot.gradient(theta)))
    # the length-scale cannot matter when all inputs coincide
    assert pot.gradient(theta)[0] == 0.0


def test_hyperparameters_and_minimisation_over_nu() -> None:
    # a rough (Matern-1/2) sample path: the likelihood-optimal nu is finite
    rng = np.random.default_rng(0)
    X = np.sort(rng.uniform(0, 5, size=(40, 1)), axis=0)
    K = matern_correlation(np.abs(X - X.T) / 0.7, 0.5) + 1e-2 * np.eye(40)
    y = np.linalg.cholesky(K) @ rng.normal(size=40)
    pot = GaussianProcessNLL(X, y, nu=1.5, optimise_nu=True)
    hp = pot.hyperparameters(np.log([0.5, 2.0, 0.1, 1.7]))
    assert hp["length_scale"] == pytest.approx(0.5) and hp["nu"] == pytest.approx(1.7)
    start = np.log([1.0, 1.0, 0.1, 1.5])
    res = minimize(pot, start, rms_tol=1e-6, max_iterations=500)
    assert res.converged and res.rms_gradient < 1e-6
    assert res.energy < pot.energy(start)
    assert np.all(np.linalg.eigvalsh(pot.hessian(res.x)) > 0)
    assert 0.5 < pot.hyperparameters(res.x)["nu"] < 2.0


def test_large_nu_tends_to_squared_exponential() -> None:
    z = np.array([1e-3, 0.5, 2.0, 10.0, 40.0])
    for nu in (49.0, 51.0, 400.0, 1e5):
        r = z / np.sqrt(2 * nu)
        limit = np.exp(-0.5 * r**2)
        got = matern_correlation(z, nu)
        assert np.all(np.isfinite(got)) and np.all(got <= 1.0)
        assert np.max(np.abs(got - limit)) < 5.0 / nu
    # no jump where the Bessel evaluation switches method (order 50)
    a, b = matern_correlation(z, 50.0 - 1e-9), matern_correlation(z, 50.0 + 1e-9)
    np.testing.assert_allclose(a, b, rtol=1e-8)


def test_invalid_inputs() -> None:
    X, y = _data()
    with pytest.raises(InputError):
        GaussianProcessNLL(X, y[:-1])
    with pytest.raises(InputError):
        GaussianProcessNLL(X, y, nu=0.0)
    with pytest.raises(InputError):
        GaussianProcessNLL(X, y).energy(np.zeros(4))
    bad = y.copy()
    bad[0] = np.nan
    with pytest.raises(InputError):
        GaussianProcessNLL(X, bad)


def test_tabulated_bessel_matches_scipy_on_kernel_sized_arrays() -> None:
    from lossatlas.energy.potentials._gp import _direct, _log_kv

    rng = np.random.default_rng(5)
    z = np.exp(rng.uniform(-11.0, np.log(50.0), 20000))
    for order in (0.2, 0.7, 1.3, 2.2, 4.9, 12.5):
        a, b = _log_kv(order, z), _direct(order, z)
        ok = np.isfinite(b)
        assert np.array_equal(np.isfinite(a), ok)
        # relative error ~1e-11 z (bound 1e-10 z): where it grows, K_order(z) < e^-z is negligible
        rel = np.abs(np.expm1(a[ok] - b[ok]))
        assert np.all(rel <= 1e-10 * np.maximum(1.0, z[ok])), order
    # outside the table (z > e^7) and small arrays go to scipy itself
    far = np.full(5000, 2000.0)
    np.testing.assert_array_equal(_log_kv(1.3, far), _direct(1.3, far))
