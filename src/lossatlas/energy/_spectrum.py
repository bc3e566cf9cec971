"""Hessian spectra of a loss at a point: extreme eigenvalues, trace and spectral density.

For small models the Hessian is formed and diagonalised (``numpy.linalg.eigh``). For larger ones
only Hessian-vector products are used: exact for the tanh networks (Pearlmutter's R-operator,
several vectors per pass), by double back-propagation for torch modules (the gradient graph is
built once per point and reused for every product), and for the other potentials by the
potential's own ``hessian_vector_product`` (the Gaussian process: a central difference of its
analytic gradient along ``v``, error ``O(h^2)``).

* top-k / bottom-k eigenvalues by implicitly restarted Lanczos (ARPACK's ``eigsh`` on a
  :class:`scipy.sparse.linalg.LinearOperator`, ``which="LA"`` / ``"SA"``);
* the trace by Hutchinson's estimator with Rademacher probes, with its standard error;
* the spectral density by stochastic Lanczos quadrature with Gaussian broadening.

References
----------
C. Lanczos, J. Res. Natl. Bur. Stand. 45, 255 (1950); R. B. Lehoucq, D. C. Sorensen and C. Yang,
*ARPACK Users' Guide*, SIAM (1998).
M. F. Hutchinson, "A stochastic estimator of the trace of the influence matrix for Laplacian
smoothing splines", Commun. Stat. Simul. Comput. 19, 433-450 (1990).
S. Ubaru, J. Chen and Y. Saad, "Fast estimation of tr(f(A)) via stochastic Lanczos quadrature",
SIAM J. Matrix Anal. Appl. 38, 1075-1099 (2017).
B. Ghorbani, S. Krishnan and Y. Xiao, "An investigation into neural net optimization via Hessian
eigenvalue density", ICML (2019).
Z. Yao, A. Gholami, K. Keutzer and M. W. Mahoney, "PyHessian: neural networks through the lens
of the Hessian", IEEE BigData (2020).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from lossatlas.energy._density import SpectralDensity, broadened_density, spectral_density
from lossatlas.energy._hvp import dense_hessian, hessian_operator
from lossatlas.errors import InputError

__all__ = [
    "HessianSpectrum",
    "MinimumSpectrum",
    "SpectralDensity",
    "TraceEstimate",
    "extreme_eigenvalues",
    "hessian_operator",
    "hessian_spectrum",
    "hutchinson_trace",
    "spectra_from_database",
    "spectral_density",
]

#: Up to this many coordinates ``method="auto"`` forms and diagonalises the Hessian.
EXACT_MAX_NDIM = 300


@dataclass(frozen=True)
class TraceEstimate:
    """A trace, exact or estimated.

    Attributes
    ----------
    value : float
        The trace (Hutchinson: the mean of ``z^T H z`` over the probes).
    stderr : float
        Standard error of ``value`` (sample standard deviation over ``sqrt(n_samples)``);
        0 for an exact trace.
    n_samples : int
        Probe vectors used (0 for an exact trace).
    """

    value: float
    stderr: float
    n_samples: int


@dataclass(frozen=True)
class HessianSpectrum:
    """What the Hessian at one point says about the sharpness there.

    Attributes
    ----------
    ndim : int
        Number of coordinates (the Hessian is ``ndim x ndim``).
    method : {"exact", "lanczos"}
        Dense diagonalisation, or Hessian-vector products only.
    top : numpy.ndarray
        The largest eigenvalues, descending.
    bottom : numpy.ndarray
        The smallest eigenvalues, ascending.
    trace : TraceEstimate
    density : SpectralDensity or None
    """

    ndim: int
    method: str
    top: np.ndarray
    bottom: np.ndarray
    trace: TraceEstimate
    density: SpectralDensity | None = None


@dataclass(frozen=True)
class MinimumSpectrum:
    """The spectrum of one stored minimum."""

    minimum_id: int
    energy: float
    spectrum: HessianSpectrum


def _check_count(name: str, k: int, n: int) -> int:
    k = int(k)
    if k < 0:
        raise InputError(f"{name} must be >= 0, got {k}")
    return min(k, n)


def extreme_eigenvalues(
    potential: Any,
    x: np.ndarray,
    *,
    top: int = 10,
    bottom: int = 10,
    tol: float = 0.0,
    seed: int = 0,
    return_vectors: bool = False,
) -> tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The ``top`` largest and ``bottom`` smallest Hessian eigenvalues by Lanczos.

    Parameters
    ----------
    potential : Potential
    x : numpy.ndarray
        The point (e.g. a minimum).
    top, bottom : int, default 10
        How many of each; each is capped at ``ndim``.
    tol : float, default 0.0
        ARPACK's relative accuracy of the Ritz values (0: machine precision).
    seed : int, default 0
        Seed of ARPACK's start vector (the result does not depend on it beyond ``tol``).
    return_vectors : bool, default False
        Also return the unit eigenvectors, as columns.

    Returns
    -------
    top : numpy.ndarray
        Descending.
    bottom : numpy.ndarray
        Ascending.
    top_vectors, bottom_vectors : numpy.ndarray, shape (ndim, k)
        Only with ``return_vectors``.

    Notes
    -----
    Implicitly restarted Lanczos (``scipy.sparse.linalg.eigsh``, ``which="LA"`` and
    ``"SA"``) on :func:`hessian_operator`. ARPACK needs ``k < ndim``; when ``top`` or
    ``bottom`` reaches ``ndim`` (tiny models) the Hessian is formed from ``ndim`` products and
    diagonalised instead. The smallest eigenvalues of a minimum cluster near zero, so ``"SA"``
    needs more iterations than ``"LA"``.

    References
    ----------
    Lehoucq, Sorensen and Yang, *ARPACK Users' Guide*, SIAM (1998).
    """
    from scipy.sparse.linalg import eigsh

    op = hessian_operator(potential, x)
    n = op.shape[0]
    k_top, k_bottom = _check_count("top", top, n), _check_count("bottom", bottom, n)
    v0 = np.random.default_rng(seed).normal(size=n)
    vt = np.empty((n, 0))
    vb = np.empty((n, 0))
    if max(k_top, k_bottom) >= n - 1:
        w, v = np.linalg.eigh(dense_hessian(op))
        lt, vt = w[::-1][:k_top], v[:, ::-1][:, :k_top]
        lb, vb = w[:k_bottom], v[:, :k_bottom]
    else:
        lt = lb = np.empty(0)
        if k_top:
            w, v = eigsh(op, k=k_top, which="LA", tol=tol, v0=v0)
            order = np.argsort(w)[::-1]
            lt, vt = w[order], v[:, order]
        if k_bottom:
            w, v = eigsh(op, k=k_bottom, which="SA", tol=tol, v0=v0)
            order = np.argsort(w)
            lb, vb = w[order], v[:, order]
    if return_vectors:
        return lt, lb, vt, vb
    return lt, lb


def hutchinson_trace(
    potential: Any, x: np.ndarray, *, n_samples: int = 100, seed: int = 0
) -> TraceEstimate:
    """Hutchinson's estimate of ``tr H`` with Rademacher probes.

    ``tr H ~ (1/m) sum_i z_i^T H z_i`` with ``z_i`` of independent +-1 entries; unbiased, with
    variance ``2 (||H||_F^2 - sum_i H_ii^2) / m``. The standard error reported is the sample
    standard deviation of ``z_i^T H z_i`` over ``sqrt(m)``.

    Parameters
    ----------
    potential : Potential
    x : numpy.ndarray
        The point.
    n_samples : int, default 100
        Probe vectors ``m`` (at least 2).
    seed : int, default 0
        Seed of the probes.

    Returns
    -------
    TraceEstimate

    References
    ----------
    Hutchinson, Commun. Stat. Simul. Comput. 19, 433 (1990); Avron and Toledo, J. ACM 58, 8
    (2011).
    """
    m = int(n_samples)
    if m < 2:
        raise InputError(f"Hutchinson's trace needs n_samples >= 2, got {n_samples}")
    op = hessian_operator(potential, x)
    n = op.shape[0]
    rng = np.random.default_rng(seed)
    Z = rng.choice(np.array([-1.0, 1.0]), size=(n, m))
    samples = np.einsum("ij,ij->j", Z, op.matmat(Z))
    return TraceEstimate(
        value=float(samples.mean()),
        stderr=float(samples.std(ddof=1) / np.sqrt(m)),
        n_samples=m,
    )


def hessian_spectrum(
    potential: Any,
    x: np.ndarray,
    *,
    top: int = 10,
    bottom: int = 10,
    density: bool = False,
    method: Literal["auto", "exact", "lanczos"] = "auto",
    n_hutchinson: int = 100,
    n_vectors: int = 10,
    steps: int = 80,
    sigma: float | None = None,
    seed: int = 0,
) -> HessianSpectrum:
    """Extreme eigenvalues, trace and (optionally) spectral density of the Hessian at ``x``.

    Parameters
    ----------
    top, bottom : int, default 10
        Largest and smallest eigenvalues to report.
    density : bool, default False
        Also compute the spectral density.
    method : {"auto", "exact", "lanczos"}, default "auto"
        ``"exact"``: form the Hessian (``potential.hessian``) and diagonalise it; the trace is
        exact and the density is the broadened true spectrum. ``"lanczos"``: Hessian-vector
        products only (:func:`extreme_eigenvalues`, :func:`hutchinson_trace`,
        :func:`spectral_density`). ``"auto"``: exact up to ``EXACT_MAX_NDIM`` coordinates.
    n_hutchinson : int, default 100
        Rademacher probes of the trace estimate.
    n_vectors, steps, sigma :
        Of :func:`spectral_density`.
    seed : int, default 0

    Returns
    -------
    HessianSpectrum
    """
    if method not in ("auto", "exact", "lanczos"):
        raise InputError(f"method must be 'auto', 'exact' or 'lanczos', got {method!r}")
    x = np.asarray(x, dtype=float).ravel()
    n = int(potential.ndim)
    k_top, k_bottom = _check_count("top", top, n), _check_count("bottom", bottom, n)
    exact = method == "exact" or (method == "auto" and n <= EXACT_MAX_NDIM)
    if exact:
        if hasattr(potential, "_loss") and hasattr(potential, "_torch"):
            # n double-backward products on one graph beat torch.func.hessian's set-up here
            h = dense_hessian(hessian_operator(potential, x))
        else:
            h = np.asarray(potential.hessian(x), dtype=float)
        eig = np.linalg.eigvalsh(0.5 * (h + h.T))
        dens = None
        if density:
            nodes = eig[None, :]
            weights = np.full((1, n), 1.0 / n)
            grid, values, s = broadened_density(nodes, weights, sigma=sigma, points=1000)
            dens = SpectralDensity(nodes, weights, grid, values, s)
        return HessianSpectrum(
            ndim=n,
            method="exact",
            top=eig[::-1][:k_top].copy(),
            bottom=eig[:k_bottom].copy(),
            trace=TraceEstimate(float(eig.sum()), 0.0, 0),
            density=dens,
        )
    lt, lb = extreme_eigenvalues(potential, x, top=k_top, bottom=k_bottom, seed=seed)
    trace = hutchinson_trace(potential, x, n_samples=n_hutchinson, seed=seed)
    dens = (
        spectral_density(potential, x, n_vectors=n_vectors, steps=steps, sigma=sigma, seed=seed)
        if density
        else None
    )
    return HessianSpectrum(ndim=n, method="lanczos", top=lt, bottom=lb, trace=trace, density=dens)


def spectra_from_database(
    db: Any,
    potential: Any,
    *,
    minima: Sequence[int] | None = None,
    lowest: int | None = None,
    progress: bool = False,
    **options: Any,
) -> list[MinimumSpectrum]:
    """:func:`hessian_spectrum` of stored minima, so sharpness compares across minima.

    Parameters
    ----------
    db : Database
    potential : Potential
        The database's potential (e.g. rebuilt from its stored spec).
    minima : sequence of int, optional
        Minimum ids (as ``lossatlas energy summary`` prints them); default all, by energy.
    lowest : int, optional
        Only the ``lowest`` lowest of them.
    progress : bool, default False
        Show a tqdm progress bar over the minima.
    **options
        Passed to :func:`hessian_spectrum`.

    Returns
    -------
    list of MinimumSpectrum
        In the order of the chosen minima.
    """
    if minima is None:
        chosen = db.minima()
    else:
        chosen = [db.get_minimum(int(i)) for i in minima]
    if lowest is not None:
        chosen = sorted(chosen, key=lambda m: m.energy)[: int(lowest)]
    from tqdm.auto import tqdm

    return [
        MinimumSpectrum(m.id, float(m.energy), hessian_spectrum(potential, m.coords, **options))
        for m in tqdm(chosen, desc="Hessian spectra", unit="minimum", disable=not progress)
    ]
