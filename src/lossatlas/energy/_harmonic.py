"""Harmonic summary of the Hessian at a stationary point.

The log product of the positive Hessian eigenvalues ``fvib``, their number and the lowest
eigenvalue: the quantities the harmonic superposition approximation needs for each minimum and
transition state stored in a :class:`~lossatlas.energy._database.Database` (D. J. Wales,
*Energy Landscapes*, CUP 2003).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from lossatlas.energy.potentials import Potential

__all__ = ["hessian_summary"]


def hessian_summary(
    potential: Potential, x: np.ndarray, *, zero_tol: float | None = None
) -> tuple[float, int, float]:
    """Harmonic summary of the Hessian at ``x``.

    Parameters
    ----------
    potential : Potential
        Anything with ``hessian(x)``.
    x : numpy.ndarray
        Coordinates (a minimum or a saddle).
    zero_tol : float, optional
        Eigenvalues at most this are not counted as positive; defaults to
        ``1e-12 * max |lambda|`` (so numerical zero modes do not enter ``fvib``).

    Returns
    -------
    fvib : float
        ``sum_i ln lambda_i`` over the positive eigenvalues (the log product of the
        frequencies squared of harmonic superposition theory; Wales, *Energy Landscapes*, 2003).
    n_positive : int
        Number of positive eigenvalues.
    lowest : float
        Lowest eigenvalue.
    """
    h = np.asarray(potential.hessian(np.asarray(x, dtype=np.float64)), dtype=np.float64)
    eig = np.linalg.eigvalsh(0.5 * (h + h.T))
    tol = 1e-12 * float(np.max(np.abs(eig))) if zero_tol is None else float(zero_tol)
    pos = eig[eig > tol]
    return float(np.sum(np.log(pos))), int(pos.size), float(eig[0])
