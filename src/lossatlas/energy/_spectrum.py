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
# Columns per block when a matrix of probe vectors goes through the R-operator at once.
_BLOCK = 64


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
class SpectralDensity:
    """A spectral density as a quadrature rule and its Gaussian-broadened curve.

    Attributes
    ----------
    nodes : numpy.ndarray, shape (n_vectors, m)
        Ritz values (eigenvalues of each probe's Lanczos tridiagonal matrix).
    weights : numpy.ndarray, shape (n_vectors, m)
        Squared first components of the Ritz vectors; each row sums to 1.
    grid : numpy.ndarray
        Eigenvalue axis of the broadened density.
    density : numpy.ndarray
        ``(1/n_vectors) sum_v sum_k w_vk N(t; node_vk, sigma^2)`` on ``grid``, scaled so that
        its trapezoidal integral over ``grid`` is exactly 1.
    sigma : float
        Width of the Gaussian broadening.
    """

    nodes: np.ndarray
    weights: np.ndarray
    grid: np.ndarray
    density: np.ndarray
    sigma: float

    def moment(self, p: int) -> float:
        """``p``-th spectral moment of the quadrature, an estimate of ``tr(H^p) / n``."""
        return float(np.mean(np.sum(self.weights * self.nodes**p, axis=1)))

    def moment_stderr(self, p: int) -> float:
        """Standard error of :meth:`moment` over the probe vectors (NaN for one probe)."""
        per = np.sum(self.weights * self.nodes**p, axis=1)
        if per.size < 2:
            return float("nan")
        return float(np.std(per, ddof=1) / np.sqrt(per.size))


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


def _torch_products(potential: Any, x: np.ndarray) -> Any:
    """``v -> H v`` for a :class:`TorchPotential`, reusing one gradient graph at ``x``."""
    torch = potential._torch
    xt = potential._tensor(x, grad=True)
    (g,) = torch.autograd.grad(potential._loss(xt), xt, create_graph=True)

    def product(v: np.ndarray) -> np.ndarray:
        vt = torch.as_tensor(np.ascontiguousarray(v, dtype=float), dtype=torch.float64)
        (hv,) = torch.autograd.grad(g @ vt, xt, retain_graph=True)
        return hv.detach().numpy().copy()

    return product


def hessian_operator(potential: Any, x: np.ndarray) -> Any:
    """The Hessian of ``potential`` at ``x`` as a symmetric :class:`LinearOperator`.

    Products use the fastest exact route the potential offers: the tanh networks' R-operator on
    blocks of vectors, a reused autograd graph for torch modules, else the potential's
    ``hessian_vector_product`` (for :class:`~lossatlas.energy.potentials.BasePotential`
    subclasses without an exact Hessian, a central difference of the gradient).
    """
    from scipy.sparse.linalg import LinearOperator

    x = np.asarray(x, dtype=float).ravel()
    n = int(potential.ndim)
    if x.shape != (n,):
        raise InputError(f"Hessian operator: x must have shape ({n},), got {x.shape}")
    if hasattr(potential, "_r_operator"):

        def matmat(V: np.ndarray) -> np.ndarray:
            V = np.asarray(V, dtype=float).reshape(n, -1)
            cols = [
                potential._r_operator(x, V[:, i : i + _BLOCK].T).T
                for i in range(0, V.shape[1], _BLOCK)
            ]
            return np.concatenate(cols, axis=1)

        def matvec(v: np.ndarray) -> np.ndarray:
            return matmat(np.asarray(v, dtype=float).reshape(n, 1)).ravel()

        return LinearOperator((n, n), matvec=matvec, matmat=matmat, rmatvec=matvec, dtype=float)
    if hasattr(potential, "_loss") and hasattr(potential, "_torch"):
        product = _torch_products(potential, x)
    else:

        def product(v: np.ndarray) -> np.ndarray:
            return np.asarray(potential.hessian_vector_product(x, v), dtype=float)

    def matvec(v: np.ndarray) -> np.ndarray:
        return product(np.asarray(v, dtype=float).ravel())

    return LinearOperator((n, n), matvec=matvec, rmatvec=matvec, dtype=float)


def _check_count(name: str, k: int, n: int) -> int:
    k = int(k)
    if k < 0:
        raise InputError(f"{name} must be >= 0, got {k}")
    return min(k, n)


def _dense(op: Any) -> np.ndarray:
    h = op.matmat(np.eye(op.shape[0]))
    return 0.5 * (h + h.T)


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
        w, v = np.linalg.eigh(_dense(op))
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


def _lanczos(op: Any, v: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """``steps`` Lanczos steps from unit ``v`` with full reorthogonalisation: ``(alpha, beta)``."""
    n = v.size
    Q = np.zeros((n, steps))
    alpha = np.zeros(steps)
    beta = np.zeros(max(steps - 1, 0))
    q = v / np.linalg.norm(v)
    for j in range(steps):
        Q[:, j] = q
        w = op.matvec(q)
        alpha[j] = q @ w
        w = w - Q[:, : j + 1] @ (Q[:, : j + 1].T @ w)
        w = w - Q[:, : j + 1] @ (Q[:, : j + 1].T @ w)  # twice is enough (Giraud et al. 2005)
        if j + 1 == steps:
            break
        b = float(np.linalg.norm(w))
        if b <= 1e-12 * max(1.0, float(np.abs(alpha[: j + 1]).max())):
            return alpha[: j + 1], beta[:j]  # an invariant subspace: the rule is exact
        beta[j] = b
        q = w / b
    return alpha, beta


def _quadrature(alpha: np.ndarray, beta: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss nodes and weights of a tridiagonal matrix, padded with zero weights to ``m``."""
    from scipy.linalg import eigh_tridiagonal

    theta, U = eigh_tridiagonal(alpha, beta)
    nodes = np.zeros(m)
    weights = np.zeros(m)
    nodes[: theta.size] = theta
    nodes[theta.size :] = theta[-1]
    weights[: theta.size] = U[0] ** 2
    return nodes, weights


def _broadened(
    nodes: np.ndarray, weights: np.ndarray, *, sigma: float | None, points: int
) -> tuple[np.ndarray, np.ndarray, float]:
    lo, hi = float(nodes.min()), float(nodes.max())
    if sigma is None:
        sigma = 0.01 * max(hi - lo, abs(hi), 1e-12)
    sigma = float(sigma)
    if not sigma > 0:
        raise InputError(f"the broadening sigma must be positive, got {sigma!r}")
    grid = np.linspace(lo - 5.0 * sigma, hi + 5.0 * sigma, int(points))
    density = np.zeros_like(grid)
    w = weights.ravel() / nodes.shape[0]
    for node, weight in zip(nodes.ravel(), w, strict=True):
        if weight:
            density += weight * np.exp(-0.5 * ((grid - node) / sigma) ** 2)
    density /= np.sqrt(2.0 * np.pi) * sigma
    density /= np.trapezoid(density, grid)
    return grid, density, sigma


def spectral_density(
    potential: Any,
    x: np.ndarray,
    *,
    n_vectors: int = 10,
    steps: int = 80,
    sigma: float | None = None,
    points: int = 1000,
    seed: int = 0,
) -> SpectralDensity:
    """Hessian eigenvalue density by stochastic Lanczos quadrature (SLQ).

    For each of ``n_vectors`` Gaussian probes ``v`` (normalised), ``steps`` Lanczos steps give a
    tridiagonal ``T``; its eigenvalues ``theta_k`` and squared first eigenvector components
    ``tau_k`` are a Gauss quadrature of the spectral measure seen from ``v``, exact for
    polynomials of degree below ``2 steps``. Averaged over the probes, ``sum_k tau_k
    theta_k^p`` estimates ``tr(H^p) / n`` without bias. The density is the average of
    Gaussians of width ``sigma`` at the nodes, normalised to integrate to 1 on its grid.

    Parameters
    ----------
    n_vectors : int, default 10
        Probe vectors.
    steps : int, default 80
        Lanczos steps per probe (capped at ``ndim``).
    sigma : float, optional
        Broadening; default 1 % of the range of the nodes.
    points : int, default 1000
        Grid points, from 5 sigma below the lowest node to 5 sigma above the highest.
    seed : int, default 0

    References
    ----------
    Ubaru, Chen and Saad, SIAM J. Matrix Anal. Appl. 38, 1075 (2017); Ghorbani, Krishnan and
    Xiao, ICML (2019); Yao et al., PyHessian (2020).
    """
    if int(n_vectors) < 1 or int(steps) < 1 or int(points) < 2:
        raise InputError(
            f"spectral density: n_vectors and steps must be >= 1 and points >= 2, got "
            f"{n_vectors}, {steps}, {points}"
        )
    op = hessian_operator(potential, x)
    n = op.shape[0]
    m = min(int(steps), n)
    rng = np.random.default_rng(seed)
    nodes = np.empty((int(n_vectors), m))
    weights = np.empty((int(n_vectors), m))
    for i in range(int(n_vectors)):
        alpha, beta = _lanczos(op, rng.normal(size=n), m)
        nodes[i], weights[i] = _quadrature(alpha, beta, m)
    grid, density, s = _broadened(nodes, weights, sigma=sigma, points=points)
    return SpectralDensity(nodes=nodes, weights=weights, grid=grid, density=density, sigma=s)


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
            h = _dense(hessian_operator(potential, x))
        else:
            h = np.asarray(potential.hessian(x), dtype=float)
        eig = np.linalg.eigvalsh(0.5 * (h + h.T))
        dens = None
        if density:
            nodes = eig[None, :]
            weights = np.full((1, n), 1.0 / n)
            grid, values, s = _broadened(nodes, weights, sigma=sigma, points=1000)
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
    **options
        Passed to :func:`hessian_spectrum`.
    """
    if minima is None:
        chosen = db.minima()
    else:
        chosen = [db.get_minimum(int(i)) for i in minima]
    if lowest is not None:
        chosen = sorted(chosen, key=lambda m: m.energy)[: int(lowest)]
    return [
        MinimumSpectrum(m.id, float(m.energy), hessian_spectrum(potential, m.coords, **options))
        for m in chosen
    ]
