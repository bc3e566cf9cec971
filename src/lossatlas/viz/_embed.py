"""Graph embeddings of a landscape: HOPE (Katz proximity) and a 2-D projection (UMAP or PCA).

The reference study draws a landscape by embedding its neighbourhood graph with HOPE (128
dimensions, Katz proximity) and projecting the embedding to 2-D with UMAP (``n_neighbors=15``,
``min_dist=1``, 500 epochs). Both steps here work on sparse matrices and never build a dense
``n x n`` matrix (except for graphs smaller than the requested rank, where it is exact and tiny).

References
----------
.. [1] M. Ou, P. Cui, J. Pei, Z. Zhang, W. Zhu. "Asymmetric transitivity preserving graph
   embedding", KDD 2016 (HOPE).
.. [2] N. Halko, P.-G. Martinsson, J. A. Tropp. "Finding structure with randomness:
   probabilistic algorithms for constructing approximate matrix decompositions", SIAM Review
   53(2), 2011.
.. [4] Y. Saad. "Iterative Methods for Sparse Linear Systems", 2nd ed., SIAM 2003, Sec. 12.1
   (Chebyshev acceleration).

The sparse Katz operator and the randomized SVD live in :mod:`lossatlas.viz._katz`.
.. [3] L. McInnes, J. Healy, J. Melville. "UMAP: Uniform Manifold Approximation and Projection
   for dimension reduction", arXiv:1802.03426, 2018.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import eigs, eigsh

from lossatlas.errors import InputError, require
from lossatlas.viz._katz import (
    KatzOperator,
    dense_svd,
    flip_signs,
    is_symmetric,
    randomized_svd,
)

__all__ = [
    "DEFAULT_BETA_FRACTION",
    "FLOAT32_NODES",
    "HopeFactors",
    "Projection",
    "hope",
    "hope_embedding",
    "katz_beta",
    "pca_2d",
    "spectral_radius",
    "umap_2d",
]

DEFAULT_BETA_FRACTION = 0.5
"""Default Katz decay as a fraction of ``1 / spectral_radius(A)``: ``beta = 0.5 / rho(A)``."""

FLOAT32_NODES = 50_000
"""Graphs with at least this many nodes get float32 block arithmetic in :func:`hope` by default."""


class HopeFactors(NamedTuple):
    """The two HOPE factors: ``source @ target.T`` approximates the Katz proximity ``S``.

    Attributes
    ----------
    source, target : ndarray of shape (n, k)
        ``U * sqrt(sigma)`` and ``V * sqrt(sigma)`` of the rank-``k`` SVD ``S ~ U diag(sigma) V^T``
        (columns beyond the rank of ``S`` are zero).
    singular_values : ndarray of shape (k,)
        ``sigma``, descending.
    beta : float
        The Katz decay used.
    """

    source: np.ndarray
    target: np.ndarray
    singular_values: np.ndarray
    beta: float


def _check_adjacency(adjacency: sp.spmatrix | sp.sparray) -> sp.csr_matrix:
    if not sp.issparse(adjacency):
        raise InputError(f"adjacency must be a scipy.sparse matrix, got {type(adjacency).__name__}")
    a = sp.csr_matrix(adjacency, dtype=np.float64)
    if a.shape[0] != a.shape[1]:
        raise InputError(f"adjacency must be square, got shape {a.shape}")
    return a


def spectral_radius(adjacency: sp.spmatrix | sp.sparray, *, seed: int = 0) -> float:
    """Spectral radius ``rho(A)`` (largest eigenvalue modulus) of a sparse graph matrix.

    ARPACK (``eigsh`` for symmetric, ``eigs`` otherwise) with a seeded start vector; exact
    dense eigenvalues for graphs of at most 64 nodes. Zero for a graph without edges.

    Parameters
    ----------
    adjacency : sparse matrix
    seed : int, default 0
        Seed of ARPACK's start vector.

    Returns
    -------
    float
    """
    a = _check_adjacency(adjacency)
    n = a.shape[0]
    if a.nnz == 0 or n == 0:
        return 0.0
    if n <= 64:
        return float(np.max(np.abs(np.linalg.eigvals(a.toarray()))))
    v0 = np.random.default_rng(seed).standard_normal(n)
    if is_symmetric(a):
        w = eigsh(a, k=1, which="LM", v0=v0, tol=1e-6, return_eigenvectors=False)
    else:
        w = eigs(a, k=1, which="LM", v0=v0, tol=1e-6, return_eigenvectors=False)
    return float(np.max(np.abs(w)))


def katz_beta(
    adjacency: sp.spmatrix | sp.sparray,
    *,
    fraction: float = DEFAULT_BETA_FRACTION,
    seed: int = 0,
) -> float:
    """Katz decay ``beta = fraction / rho(A)``; the Katz series converges for ``fraction < 1``.

    Parameters
    ----------
    adjacency : sparse matrix
    fraction : float
        ``beta * rho(A)``.
    seed : int, default 0

    Returns
    -------
    float
    """
    if not 0.0 < fraction < 1.0:
        raise InputError(f"beta fraction must lie in (0, 1), got {fraction}")
    rho = spectral_radius(adjacency, seed=seed)
    return fraction / rho if rho > 0 else 0.0


def hope(
    adjacency: sp.spmatrix | sp.sparray,
    *,
    dim: int = 128,
    beta: float | None = None,
    n_iter: int = 3,
    oversampling: int = 16,
    tol: float = 1e-8,
    dtype: Literal["auto", "float32", "float64"] = "auto",
    seed: int = 0,
) -> HopeFactors:
    """HOPE factors of the Katz proximity of a graph ([1]).

    The Katz proximity is ``S = (I - beta A)^-1 beta A = sum_{j>=1} beta^j A^j``. HOPE takes
    the rank-``k`` truncated SVD ``S ~ U diag(sigma) V^T`` with ``k = dim // 2`` and returns
    ``U_s = U sqrt(sigma)`` (source) and ``U_t = V sqrt(sigma)`` (target), so that
    ``U_s U_t^T`` is the best rank-``k`` approximation of ``S``.

    Parameters
    ----------
    adjacency : scipy.sparse matrix of shape (n, n)
        Graph adjacency (weights allowed; need not be symmetric).
    dim : int, default 128
        Embedding dimension of :func:`hope_embedding`: ``dim // 2`` singular triplets.
    beta : float, optional
        Katz decay; must satisfy ``beta * rho(A) < 1``. Default ``0.5 / rho(A)``
        (:data:`DEFAULT_BETA_FRACTION`), which weighs a path of length ``j`` by ``~2^-j``
        relative to the graph's growth rate.
    n_iter : int, default 3
        Power (subspace) iterations of the randomized SVD; more iterations sharpen the
        subspace when the singular values decay slowly.
    oversampling : int, default 16
        Extra random directions beyond ``k``.
    tol : float, default 1e-8
        Relative accuracy of each application of ``S`` (Chebyshev / Neumann truncation).
    dtype : {"auto", "float32", "float64"}, default "auto"
        Precision of the block arithmetic. ``"auto"``: float32 from :data:`FLOAT32_NODES`
        nodes on (about 3x faster; relative error ~1e-6, far below the rank-``k`` truncation
        error of the embedding, directions below ~3 % of the largest in a block are dropped),
        float64 below. The small eigen/SVD problems are always solved in float64.
    seed : int, default 0
        Seed of the random test matrix (and the spectral-radius start vector).

    Returns
    -------
    HopeFactors

    Notes
    -----
    ``S`` is never formed. It is applied to a block of ``k + oversampling`` vectors with
    sparse block products only (``O(nnz * (k + p))`` each): Chebyshev iteration on
    ``(I - beta A) X = B`` for a symmetric ``A`` (an undirected landscape graph; 15 products
    at the default ``beta``), the Neumann series otherwise. Randomized subspace iteration [2]
    then needs ``n_iter + 2`` applications of ``S`` (symmetric: Rayleigh-Ritz on ``Q^T S Q``,
    whose eigenvalue moduli are the singular values) or ``2 n_iter + 2`` of ``S`` and ``S^T``
    (directed). This replaces the generalised SVD of [1] (which needs sparse factorisations
    whose fill-in grows badly on high-dimensional grids); its error is within a small factor
    of the optimal ``sigma_{k+1}`` and shrinks with ``n_iter``. Graphs with at most
    ``k + oversampling`` nodes are solved densely and exactly. A graph without edges (or a
    nilpotent directed one, ``rho = 0``, without an explicit ``beta``) gives zeros. Signs are
    fixed so that the largest-modulus entry of every source column is positive.
    """
    a = _check_adjacency(adjacency)
    if dim < 2 or dim % 2:
        raise InputError(f"dim must be an even integer >= 2, got {dim}")
    n = a.shape[0]
    k = dim // 2
    rng = np.random.default_rng(seed)
    rho = spectral_radius(a, seed=seed)
    if beta is None:
        beta = DEFAULT_BETA_FRACTION / rho if rho > 0 else 0.0
    else:
        if beta <= 0 or beta * rho >= 1.0:
            raise InputError(
                f"beta={beta} must satisfy 0 < beta < 1/rho(A) = {1 / rho if rho else np.inf:.6g}"
                " for the Katz series to converge"
            )
    if n == 0 or a.nnz == 0 or beta == 0.0:
        zeros = np.zeros((n, k))
        return HopeFactors(zeros, zeros.copy(), np.zeros(k), float(beta))
    if n <= k + oversampling:
        u, sigma, v = dense_svd(a, beta, k)
    else:
        if dtype == "auto":
            dtype = "float32" if n >= FLOAT32_NODES else "float64"
        if dtype not in ("float32", "float64"):
            raise InputError(f"dtype must be 'auto', 'float32' or 'float64', got {dtype!r}")
        katz = KatzOperator(a, beta, rho, tol=tol, dtype=np.dtype(dtype).type)
        u, sigma, v = randomized_svd(katz, n, k, oversampling=oversampling, n_iter=n_iter, rng=rng)
    u, v = flip_signs(u, v)
    root = np.sqrt(sigma)
    source = np.zeros((n, k))
    target = np.zeros((n, k))
    source[:, : sigma.size] = u * root
    target[:, : sigma.size] = v * root
    sv = np.zeros(k)
    sv[: sigma.size] = sigma
    return HopeFactors(source, target, sv, float(beta))


def hope_embedding(
    adjacency: sp.spmatrix | sp.sparray,
    *,
    dim: int = 128,
    beta: float | None = None,
    seed: int = 0,
    n_iter: int = 3,
) -> np.ndarray:
    """HOPE embedding ([1]): source and target factors concatenated, shape ``(n, dim)``.

    Columns ``[:dim // 2]`` are ``U_s = U sqrt(sigma)`` and ``[dim // 2:]`` are
    ``U_t = V sqrt(sigma)`` of the Katz proximity ``S = (I - beta A)^-1 beta A``; ``beta``
    defaults to ``0.5 / rho(A)``. See :func:`hope` for the algorithm; for an undirected graph
    both halves agree up to the signs of eigenvalues of ``S``.

    Parameters
    ----------
    adjacency : sparse matrix of shape (n, n)
    dim : int, default 128
        Embedding dimension (even).
    beta : float, optional
        Katz decay.
    seed : int, default 0
    n_iter : int, default 3
        Power iterations of the randomized SVD.

    Returns
    -------
    ndarray of shape (n, dim)
    """
    factors = hope(adjacency, dim=dim, beta=beta, seed=seed, n_iter=n_iter)
    return np.hstack([factors.source, factors.target])


@dataclass(frozen=True)
class Projection:
    """A 2-D projection of an embedding.

    Attributes
    ----------
    coords : ndarray of shape (n, 2)
    method : {"umap", "pca"}
        The method that produced ``coords``.
    fallback : bool
        True when UMAP was asked for but was not installed, so ``method`` is the fallback.
    """

    coords: np.ndarray
    method: str
    fallback: bool


def pca_2d(embedding: np.ndarray) -> np.ndarray:
    """First two principal components (centred SVD), signs fixed like :func:`hope`.

    Parameters
    ----------
    embedding : ndarray of shape (n, d)

    Returns
    -------
    ndarray of shape (n, 2)
    """
    x = np.asarray(embedding, dtype=np.float64)
    n = x.shape[0]
    out = np.zeros((n, 2))
    if n < 2:
        return out
    centred = x - x.mean(axis=0)
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    m = min(2, s.size)
    u, _ = flip_signs(u[:, :m], u[:, :m])
    out[:, :m] = u * s[:m]
    return out


#: Largest graph that ``method="auto"`` projects with PCA rather than UMAP.
SMALL_GRAPH = 300


def umap_2d(
    embedding: np.ndarray,
    *,
    n_neighbors: int = 15,
    min_dist: float = 1.0,
    n_epochs: int = 500,
    seed: int = 0,
    method: Literal["auto", "umap", "pca"] = "auto",
) -> Projection:
    """Project an embedding to 2-D with UMAP ([3]), as the reference study does.

    Parameters
    ----------
    embedding : ndarray of shape (n, d)
    n_neighbors, min_dist, n_epochs : UMAP settings (the study's defaults).
    seed : int, default 0
        UMAP ``random_state``: the result is reproducible (UMAP then runs single-threaded).
    method : {"auto", "umap", "pca"}, default "auto"
        ``"auto"`` uses UMAP when ``umap-learn`` (extra ``viz``) is installed and otherwise
        falls back to PCA with a :class:`UserWarning` and ``fallback=True`` in the result;
        ``"umap"`` raises :class:`~lossatlas.errors.MissingDependencyError` instead;
        ``"pca"`` asks for PCA (not a fallback). ``"auto"`` on at most :data:`SMALL_GRAPH`
        points uses PCA of the HOPE embedding (exact, no JIT warm-up; ``method="pca"``).
        With at most ``n_neighbors`` points UMAP is undefined and PCA is used
        (``method="pca"``, not flagged as a fallback).

    Returns
    -------
    Projection
    """
    x = np.asarray(embedding, dtype=np.float64)
    if x.ndim != 2:
        raise InputError(f"embedding must be 2-D (n, d), got shape {x.shape}")
    if method == "pca":
        return Projection(pca_2d(x), "pca", False)
    if method not in ("auto", "umap"):
        raise InputError(f"method must be 'auto', 'umap' or 'pca', got {method!r}")
    if method == "auto" and x.shape[0] <= SMALL_GRAPH:
        # Exact and instant on a small graph; UMAP's import and JIT warm-up cost seconds to
        # a minute and buy nothing on a few hundred points.
        return Projection(pca_2d(x), "pca", False)
    if method == "auto":
        try:
            umap = require("umap", "viz", purpose="UMAP projections")
        except ImportError:
            warnings.warn(
                "umap-learn is not installed (pip install 'lossatlas[viz]'): "
                "falling back to PCA for the 2-D projection",
                UserWarning,
                stacklevel=2,
            )
            return Projection(pca_2d(x), "pca", True)
    else:
        umap = require("umap", "viz", purpose="UMAP projections")
    n = x.shape[0]
    if n <= max(n_neighbors, 3):  # UMAP needs more points than neighbours: PCA, documented
        return Projection(pca_2d(x), "pca", False)
    reducer = umap.UMAP(
        n_components=2,
        n_neighbors=n_neighbors,
        min_dist=min_dist,
        n_epochs=n_epochs,
        random_state=seed,
        init="spectral",
    )
    with warnings.catch_warnings():
        # "n_jobs overridden by setting random_state" is the reproducibility we ask for.
        warnings.filterwarnings("ignore", message=".*n_jobs.*", category=UserWarning)
        coords = reducer.fit_transform(x)
    return Projection(np.asarray(coords, dtype=np.float64), "umap", False)
