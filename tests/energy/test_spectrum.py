"""Hessian spectra: Lanczos against eigh, Hutchinson's error bars, SLQ moments, PyHessian."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lossatlas.energy._database import Database
from lossatlas.energy._spectrum import (
    extreme_eigenvalues,
    hessian_operator,
    hessian_spectrum,
    hutchinson_trace,
    spectra_from_database,
    spectral_density,
)
from lossatlas.energy.potentials import MLPAppAUC, MLPCrossEntropy, MullerBrown, make_potential
from lossatlas.errors import InputError


def _mlp(seed: int = 0, hidden: int = 5) -> tuple[MLPCrossEntropy, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 4))
    pot = MLPCrossEntropy(X, np.arange(30) % 3, n_hidden=hidden, lam=1e-3)
    return pot, rng.normal(size=pot.ndim)


def _auc(seed: int = 0) -> tuple[MLPAppAUC, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(24, 3))
    pot = MLPAppAUC(X, np.arange(24) % 2, n_hidden=4, beta=5.0)
    return pot, rng.normal(size=pot.ndim)


@pytest.mark.parametrize("make", [_mlp, _auc])
def test_lanczos_matches_eigh(make) -> None:
    pot, x = make()
    exact = np.linalg.eigvalsh(pot.hessian(x))
    top, bottom = extreme_eigenvalues(pot, x, top=6, bottom=6)
    np.testing.assert_allclose(top, exact[::-1][:6], atol=1e-6)
    np.testing.assert_allclose(bottom, exact[:6], atol=1e-6)
    # with vectors: H v = lambda v
    lt, _, vt, _ = extreme_eigenvalues(pot, x, top=2, bottom=0, return_vectors=True)
    H = pot.hessian(x)
    np.testing.assert_allclose(H @ vt, vt * lt[None, :], atol=1e-8)


def test_operator_matvec_and_matmat_are_the_hessian() -> None:
    pot, x = _mlp(1)
    op = hessian_operator(pot, x)
    V = np.random.default_rng(2).normal(size=(pot.ndim, 70))  # more than one R-operator block
    np.testing.assert_allclose(op.matmat(V), pot.hessian(x) @ V, atol=1e-10)
    np.testing.assert_allclose(op.matvec(V[:, 0]), pot.hessian(x) @ V[:, 0], atol=1e-10)


def test_hutchinson_within_its_error_bars_over_seeds() -> None:
    pot, x = _mlp(3)
    H = pot.hessian(x)
    exact = float(np.trace(H))
    m = 60
    # Rademacher variance: 2 (||H||_F^2 - sum H_ii^2) per probe
    sd_theory = np.sqrt(2.0 * (np.sum(H**2) - np.sum(np.diag(H) ** 2)) / m)
    z = []
    for seed in range(40):
        est = hutchinson_trace(pot, x, n_samples=m, seed=seed)
        assert est.n_samples == m
        assert 0.6 * sd_theory < est.stderr < 1.5 * sd_theory
        z.append((est.value - exact) / est.stderr)
    z = np.array(z)
    assert np.mean(np.abs(z) <= 2.0) >= 0.85  # ~95 % expected
    assert np.all(np.abs(z) < 4.5)
    assert abs(np.mean(z)) < 0.6  # unbiased: mean of 40 z-scores has sd ~0.16
    with pytest.raises(InputError):
        hutchinson_trace(pot, x, n_samples=1)


def test_slq_integrates_to_one_and_matches_exact_moments() -> None:
    pot, x = _mlp(4)
    eig = np.linalg.eigvalsh(pot.hessian(x))
    d = spectral_density(pot, x, n_vectors=60, steps=pot.ndim, seed=0)
    np.testing.assert_allclose(d.weights.sum(axis=1), 1.0, atol=1e-10)
    assert np.trapezoid(d.density, d.grid) == pytest.approx(1.0, abs=1e-12)
    # the density is the Gaussian mixture itself (no fudge factor hides a bad normalisation)
    g = d.grid[:, None, None]
    mix = np.sum(d.weights * np.exp(-0.5 * ((g - d.nodes) / d.sigma) ** 2), axis=(1, 2))
    mix /= d.nodes.shape[0] * np.sqrt(2 * np.pi) * d.sigma
    np.testing.assert_allclose(d.density, mix, rtol=1e-6, atol=1e-9)
    # full-length Lanczos: every Ritz value is an eigenvalue (a repeated one is seen once)
    gap = np.abs(d.nodes[0][:, None] - eig[None, :]).min(axis=1)
    assert gap.max() < 1e-8
    for p in (1, 2, 3, 4):
        err = abs(d.moment(p) - np.mean(eig**p))
        assert err < 4.0 * d.moment_stderr(p) + 1e-12, p
    # broadened curve: same mean, variance + sigma^2
    mean = np.trapezoid(d.grid * d.density, d.grid)
    assert mean == pytest.approx(d.moment(1), abs=1e-6)
    second = np.trapezoid(d.grid**2 * d.density, d.grid)
    assert second == pytest.approx(d.moment(2) + d.sigma**2, rel=1e-4)


def test_slq_short_lanczos_still_matches_low_moments() -> None:
    pot, x = _mlp(5, hidden=8)
    eig = np.linalg.eigvalsh(pot.hessian(x))
    d = spectral_density(pot, x, n_vectors=40, steps=12, seed=1)
    assert d.nodes.shape == (40, 12)
    for p in (1, 2):  # a 12-point Gauss rule is exact up to degree 23
        assert abs(d.moment(p) - np.mean(eig**p)) < 4.0 * d.moment_stderr(p)


def test_spectrum_exact_and_lanczos_agree() -> None:
    pot, x = _mlp(6)
    ex = hessian_spectrum(pot, x, top=4, bottom=3, density=True, method="exact")
    lz = hessian_spectrum(pot, x, top=4, bottom=3, density=True, method="lanczos", seed=2)
    assert ex.method == "exact" and lz.method == "lanczos"
    np.testing.assert_allclose(lz.top, ex.top, atol=1e-6)
    np.testing.assert_allclose(lz.bottom, ex.bottom, atol=1e-6)
    assert ex.trace.value == pytest.approx(np.trace(pot.hessian(x)))
    assert ex.trace.stderr == 0.0
    assert abs(lz.trace.value - ex.trace.value) < 5 * lz.trace.stderr
    assert ex.density is not None and lz.density is not None
    assert hessian_spectrum(pot, x, method="auto").method == "exact"
    with pytest.raises(InputError):
        hessian_spectrum(pot, x, method="power")
    with pytest.raises(InputError):
        hessian_spectrum(pot, x, top=-1)


def test_gp_and_surface_spectra_by_finite_difference_products() -> None:
    gp = make_potential("gp", dataset="sine", n_samples=30)
    x = np.zeros(gp.ndim)
    exact = np.linalg.eigvalsh(gp.hessian(x))
    top, bottom = extreme_eigenvalues(gp, x, top=1, bottom=1)
    assert top[0] == pytest.approx(exact[-1], rel=1e-5, abs=1e-6)
    assert bottom[0] == pytest.approx(exact[0], rel=1e-5, abs=1e-6)
    mb = MullerBrown()
    s = hessian_spectrum(mb, np.array([-0.5582, 1.4417]), top=2, bottom=2, method="lanczos")
    np.testing.assert_allclose(
        s.top, np.linalg.eigvalsh(mb.hessian(np.array([-0.5582, 1.4417])))[::-1]
    )


def test_spectra_from_database(tmp_path: Path) -> None:
    mb = MullerBrown()
    with Database(tmp_path / "mb.sqlite") as db:
        for x, y, _ in mb.REFERENCE_MINIMA:
            db.add_minimum(mb.energy([x, y]), np.array([x, y]))
        out = spectra_from_database(db, mb, top=1, bottom=1)
        assert [o.energy for o in out] == sorted(o.energy for o in out)
        for o in out:
            m = db.get_minimum(o.minimum_id)
            assert o.spectrum.top[0] == pytest.approx(np.linalg.eigvalsh(mb.hessian(m.coords))[1])
        assert len(spectra_from_database(db, mb, lowest=2)) == 2
        with pytest.raises(InputError):
            spectra_from_database(db, mb, minima=[99])


def _torch_pot():
    torch = pytest.importorskip("torch")
    from lossatlas.energy.potentials import TorchPotential

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = np.arange(40) % 3
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 3))
    pot = TorchPotential(module, torch.nn.functional.cross_entropy, X, y)
    # the numpy network of the same layout is the oracle of the exact Hessian
    pot.oracle = MLPCrossEntropy(X, y, n_hidden=4, lam=0.0)
    return torch, module, X, y, pot


def test_torch_module_products_and_lanczos() -> None:
    *_, pot = _torch_pot()
    x = pot.x0
    H = pot.oracle.hessian(x)
    op = hessian_operator(pot, x)
    v = np.random.default_rng(1).normal(size=pot.ndim)
    np.testing.assert_allclose(op.matvec(v), H @ v, atol=1e-12)
    top, bottom = extreme_eigenvalues(pot, x, top=3, bottom=3)
    eig = np.linalg.eigvalsh(H)
    exact = hessian_spectrum(pot, x, top=3, bottom=3, method="exact")
    np.testing.assert_allclose(exact.top, eig[::-1][:3], atol=1e-10)
    assert exact.trace.value == pytest.approx(eig.sum(), rel=1e-10)
    np.testing.assert_allclose(top, eig[::-1][:3], atol=1e-6)
    np.testing.assert_allclose(bottom, eig[:3], atol=1e-6)


def test_pyhessian_oracle_top_eigenvalue_and_trace() -> None:
    pyhessian = pytest.importorskip("pyhessian")
    torch, module, X, y, pot = _torch_pot()
    module = module.double()
    data = (torch.tensor(X), torch.tensor(y))
    torch.manual_seed(1)
    comp = pyhessian.hessian(module, torch.nn.CrossEntropyLoss(), data=data, cuda=False)
    top_ref, _ = comp.eigenvalues(top_n=1, maxIter=200, tol=1e-9)
    ours = hessian_spectrum(pot, pot.x0, top=1, bottom=0, method="lanczos", n_hutchinson=60)
    assert ours.top[0] == pytest.approx(top_ref[0], rel=1e-5)
    samples = np.array(comp.trace(maxIter=60, tol=0.0))
    ref = samples.mean()
    se_ref = samples.std(ddof=1) / np.sqrt(samples.size)
    exact = float(np.trace(pot.oracle.hessian(pot.x0)))
    assert abs(ref - exact) < 4.5 * se_ref
    assert abs(ours.trace.value - ref) < 4.5 * np.hypot(se_ref, ours.trace.stderr)
