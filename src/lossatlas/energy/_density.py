"""Hessian eigenvalue density by stochastic Lanczos quadrature (SLQ).

References
----------
S. Ubaru, J. Chen and Y. Saad, "Fast estimation of tr(f(A)) via stochastic Lanczos quadrature",
SIAM J. Matrix Anal. Appl. 38, 1075-1099 (2017).
B. Ghorbani, S. Krishnan and Y. Xiao, "An investigation into neural net optimization via Hessian
eigenvalue density", ICML (2019).
Z. Yao, A. Gholami, K. Keutzer and M. W. Mahoney, "PyHessian: neural networks through the lens
of the Hessian", IEEE BigData (2020).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lossatlas.energy._hvp import hessian_operator
from lossatlas.errors import InputError

__all__ = ["SpectralDensity", "broadened_density", "spectral_density"]


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


def broadened_density(
    nodes: np.ndarray, weights: np.ndarray, *, sigma: float | None, points: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """Gaussians of width ``sigma`` (default 1 % of the nodes' range) at the quadrature nodes,
    averaged over probes, on a grid reaching 5 sigma past the extreme nodes, integrating to 1.

    Parameters
    ----------
    nodes, weights : numpy.ndarray, shape (n_vectors, m)
        Quadrature nodes and weights, one row per probe.
    sigma : float or None
        Broadening.
    points : int
        Grid points.

    Returns
    -------
    grid, density : numpy.ndarray
    sigma : float
    """
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

    Returns
    -------
    SpectralDensity

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
    grid, density, s = broadened_density(nodes, weights, sigma=sigma, points=points)
    return SpectralDensity(nodes=nodes, weights=weights, grid=grid, density=density, sigma=s)
