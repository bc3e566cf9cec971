"""The Hessian of a potential as a linear operator: exact Hessian-vector products.

The tanh networks multiply by blocks of vectors with Pearlmutter's R-operator; torch modules by
double back-propagation on one gradient graph per point, reused for every product; other
potentials through their own ``hessian_vector_product`` (for a
:class:`~lossatlas.energy.potentials.BasePotential` without an exact Hessian, e.g. the Gaussian
process, a central difference of the analytic gradient along ``v``, error ``O(h^2)``).

References
----------
B. A. Pearlmutter, "Fast exact multiplication by the Hessian", Neural Comput. 6, 147 (1994).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lossatlas.errors import InputError

__all__ = ["dense_hessian", "hessian_operator"]

# Columns per block when a matrix of probe vectors goes through the R-operator at once.
_BLOCK = 64


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

    Parameters
    ----------
    potential : Potential
    x : numpy.ndarray
        The point.

    Returns
    -------
    scipy.sparse.linalg.LinearOperator
        Shape ``(ndim, ndim)``, symmetric (``rmatvec`` is ``matvec``).
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


def dense_hessian(op: Any) -> np.ndarray:
    """The symmetrised matrix of a Hessian operator, from ``ndim`` products.

    Parameters
    ----------
    op : scipy.sparse.linalg.LinearOperator
        E.g. :func:`hessian_operator`.

    Returns
    -------
    numpy.ndarray, shape (ndim, ndim)
    """
    h = op.matmat(np.eye(op.shape[0]))
    return 0.5 * (h + h.T)
