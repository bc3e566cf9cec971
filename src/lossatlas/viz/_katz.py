"""Sparse Katz operator and randomized SVD behind HOPE (used by :func:`lossatlas.viz.hope`).

References
----------
.. [2] N. Halko, P.-G. Martinsson, J. A. Tropp. "Finding structure with randomness:
   probabilistic algorithms for constructing approximate matrix decompositions", SIAM Review
   53(2), 2011.
.. [4] Y. Saad. "Iterative Methods for Sparse Linear Systems", 2nd ed., SIAM 2003, Sec. 12.1
   (Chebyshev acceleration).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["KatzOperator", "dense_svd", "flip_signs", "is_symmetric", "randomized_svd"]


def is_symmetric(a: sp.csr_matrix) -> bool:
    """True when the sparse matrix equals its transpose exactly."""
    return (a != a.T).nnz == 0


class KatzOperator:
    """Applies the Katz operator ``S = (I - beta A)^-1 beta A`` to blocks of vectors, sparsely.

    Uses ``S = M^-1 - I`` with ``M = I - beta A``. For a symmetric ``A`` the spectrum of ``M``
    lies in ``[1 - c, 1 + c]`` with ``c = beta rho(A) < 1``, so Chebyshev iteration ([4], Alg.
    12.1) solves ``M X = B`` to relative accuracy ``tol`` in ``acosh(1/tol) / acosh(1/c)``
    sparse block products (15 for ``c = 0.5, tol = 1e-8``). Otherwise the Neumann series
    ``S = sum_{j>=1} (beta A)^j`` is summed until its terms fall below ``tol`` (rate ``c``).
    """

    def __init__(
        self, a: sp.csr_matrix, beta: float, rho: float, *, tol: float, dtype: type = np.float64
    ) -> None:
        self.dtype = np.dtype(dtype)
        self.a_beta = sp.csr_matrix(beta * a).astype(self.dtype)
        self.at_beta = None
        self.symmetric = is_symmetric(a)
        if not self.symmetric:
            self.at_beta = sp.csr_matrix(self.a_beta.T)
        self.c = beta * rho
        self.tol = tol
        if self.symmetric:
            self.steps = int(np.ceil(np.arccosh(1.0 / tol) / np.arccosh(1.0 / self.c)))
        else:
            self.steps = int(np.ceil(np.log(tol * (1.0 - self.c)) / np.log(self.c)))

    def apply(self, block: np.ndarray, *, transpose: bool = False) -> np.ndarray:
        block = block.astype(self.dtype, copy=False)
        if self.symmetric:
            return self._chebyshev(block)
        return self._neumann(self.at_beta if transpose else self.a_beta, block)

    def _chebyshev(self, b: np.ndarray) -> np.ndarray:
        # Solve (I - beta A) X = B; theta = 1 (centre), delta = c (half-width) of the spectrum.
        delta = self.c
        sigma1 = 1.0 / delta
        rho_k = 1.0 / sigma1
        r = b.copy()
        d = r.copy()  # r0 / theta
        x = np.zeros_like(b)
        tmp = np.empty_like(b)
        for _ in range(self.steps):
            x += d
            r -= d
            r += self.a_beta @ d  # r -= M d with M = I - beta A
            rho_next = 1.0 / (2.0 * sigma1 - rho_k)
            d *= rho_next * rho_k
            np.multiply(r, 2.0 * rho_next / delta, out=tmp)
            d += tmp
            rho_k = rho_next
        x += d
        return x - b

    def _neumann(self, a_beta: sp.csr_matrix, block: np.ndarray) -> np.ndarray:
        term = a_beta @ block
        total = term.copy()
        for step in range(10 * self.steps + 100):
            term = a_beta @ term
            total += term
            # Non-normal A may need more terms than c^j predicts: check once the bound is met.
            if step >= self.steps and np.linalg.norm(term) <= self.tol * np.linalg.norm(total):
                break
        return total


def _orthonormal(y: np.ndarray, *, passes: int = 2) -> np.ndarray:
    """Orthonormal basis of ``range(y)`` by Gram eigendecomposition (BLAS-3 only, in y's dtype).

    Directions with Gram eigenvalue below ``1e3 * eps`` (of ``y``'s dtype) times the largest
    are dropped, so a rank-deficient block (a graph of low rank) yields fewer columns instead of
    noise. One pass leaves an orthogonality error ``~ cond(y)^2 eps`` (enough between power
    iterations); a second pass brings it to ``~ eps``.
    """
    q = y
    floor = 1e3 * np.finfo(y.dtype).eps
    for _ in range(passes):
        gram = (q.T @ q).astype(np.float64)
        w, v = np.linalg.eigh((gram + gram.T) / 2.0)
        keep = w > floor * max(w[-1], np.finfo(float).tiny)
        q = q @ (v[:, keep] / np.sqrt(w[keep])).astype(q.dtype)
    return q


def flip_signs(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Make the largest-modulus entry of each column of ``u`` positive (deterministic signs)."""
    if u.size == 0:
        return u, v
    pivot = np.argmax(np.abs(u), axis=0)
    signs = np.sign(u[pivot, np.arange(u.shape[1])])
    signs[signs == 0] = 1.0
    return u * signs, v * signs


def dense_svd(a: sp.csr_matrix, beta: float, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rank-``k`` SVD of the dense Katz matrix (exact; for small graphs).

    Parameters
    ----------
    a : csr_matrix
        Adjacency matrix.
    beta : float
        Katz decay, below ``1 / rho(a)``.
    k : int
        Rank kept.

    Returns
    -------
    u, sigma, v : ndarray
        Left singular vectors ``(n, k)``, singular values ``(k,)``, right vectors ``(n, k)``.
    """
    dense = a.toarray()
    n = dense.shape[0]
    s = np.linalg.solve(np.eye(n) - beta * dense, beta * dense)
    u, sigma, vt = np.linalg.svd(s)
    return u[:, :k], sigma[:k], vt[:k].T


def randomized_svd(
    katz: KatzOperator,
    n: int,
    k: int,
    *,
    oversampling: int,
    n_iter: int,
    rng: np.random.Generator,
):
    """Rank-``k`` SVD of the Katz operator by randomized subspace iteration ([2], Alg. 4.4)."""
    width = min(n, k + oversampling)
    omega = rng.standard_normal((n, width)).astype(katz.dtype)
    q = _orthonormal(katz.apply(omega), passes=1 if n_iter else 2)
    if katz.symmetric:
        for i in range(n_iter):
            q = _orthonormal(katz.apply(q), passes=2 if i == n_iter - 1 else 1)
        # Rayleigh-Ritz: S ~ Q T Q^T with T = Q^T S Q; S's singular values are |eig(T)|.
        t = (q.T @ katz.apply(q)).astype(np.float64)
        lam, w = np.linalg.eigh((t + t.T) / 2.0)
        order = np.argsort(-np.abs(lam), kind="stable")[:k]
        u = q.astype(np.float64) @ w[:, order]
        return u, np.abs(lam[order]), u * np.sign(lam[order])
    for i in range(n_iter):
        z = _orthonormal(katz.apply(q, transpose=True), passes=1)
        q = _orthonormal(katz.apply(z), passes=2 if i == n_iter - 1 else 1)
    # B = Q^T S, computed as (S^T Q)^T; its SVD lifts to S ~ (Q U_B) sigma V_B^T.
    b = katz.apply(q, transpose=True).T.astype(np.float64)
    ub, sigma, vt = np.linalg.svd(b, full_matrices=False)
    return q.astype(np.float64) @ ub[:, :k], sigma[:k], vt[:k].T
