"""Locate the minima and index-1 saddles of a potential from many starts.

Stationary points of any index are located by damped Newton-Raphson on the gradient
(``dx = -H^+ g`` with backtracking on ``|g|``), minima also by L-BFGS; both need the Hessian,
so this is for potentials with a few tens of coordinates (Gaussian-process hyperparameters,
small networks). Used by the parameter sweeps of :mod:`lossatlas.energy._catastrophe`.

References
----------
D. J. Wales, *Energy Landscapes*, Cambridge University Press (2003), ch. 6 (locating
stationary points).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from lossatlas.energy._minimize import SEARCH_ERRORS, minimize
from lossatlas.energy._stationary import StationaryPoint

if TYPE_CHECKING:
    from lossatlas.energy.potentials import Potential

__all__ = ["find_stationary_points"]

# a search that wanders off (overflow, a kernel matrix that is not positive definite) is dropped
_SEARCH_ERRORS = SEARCH_ERRORS


def _newton(
    potential: Potential, x: np.ndarray, rms_tol: float, max_steps: int
) -> np.ndarray | None:
    """Damped Newton-Raphson on ``g(x) = 0``; None when it does not converge.

    The (pseudo-)inverse Hessian is kept while full steps cut ``|g|`` at least fourfold
    (a chord step costs one gradient, a fresh Hessian ``2 ndim`` of them for the
    finite-difference ones); a step that fails with a kept Hessian is retried with a fresh one,
    so only a fresh Hessian's failure ends the search. ``max_steps`` bounds the Hessians.
    """
    g = np.asarray(potential.gradient(x), dtype=float)
    norm = float(np.linalg.norm(g))
    h_inv: np.ndarray | None = None
    n_hessians = 0
    for _ in range(4 * max_steps):
        if norm / np.sqrt(g.size) < rms_tol:
            return x
        fresh = h_inv is None
        if h_inv is None:
            if n_hessians >= max_steps:
                break
            h = np.asarray(potential.hessian(x), dtype=float)
            h_inv = np.linalg.pinv(0.5 * (h + h.T), rcond=1e-12)
            n_hessians += 1
        step = -h_inv @ g
        t = 1.0
        while t > 1e-6:
            trial = x + t * step
            g_trial = np.asarray(potential.gradient(trial), dtype=float)
            n_trial = float(np.linalg.norm(g_trial))
            if np.isfinite(n_trial) and n_trial < norm:
                if t < 1.0 or n_trial > 0.25 * norm:
                    h_inv = None  # slow progress: a fresh Hessian next time
                x, g, norm = trial, g_trial, n_trial
                break
            t *= 0.5
        else:
            if fresh:
                return None
            h_inv = None
    return x if norm / np.sqrt(g.size) < rms_tol else None


def find_stationary_points(
    potential: Potential,
    starts: Sequence[np.ndarray] | np.ndarray,
    *,
    parameter: float = 0.0,
    rms_tol: float = 1e-8,
    max_index: int = 1,
    distance_tol: float = 1e-5,
    max_norm: float = 1e3,
    min_curvature: float = 1e-7,
    newton_steps: int = 50,
    max_iterations: int = 1000,
) -> list[StationaryPoint]:
    """Minima and saddles (index <= ``max_index``) reached from ``starts``.

    From each start: an L-BFGS minimisation (finds minima) and damped Newton-Raphson on the
    gradient (finds the nearest stationary point of any index). A point counts when its RMS
    gradient is below ``rms_tol``, its coordinates have norm below ``max_norm`` (so runs that
    escape to infinity are dropped) and its index is at most ``max_index``; points closer than
    ``distance_tol`` (after ``potential.canonicalise``) are merged. Points whose smallest
    ``|Hessian eigenvalue|`` is below ``min_curvature`` times the largest are marked
    ``degenerate`` (flat asymptotic manifolds, e.g. a GP whose signal variance has gone to
    zero, where any point passes the gradient test); of those, one per index and energy (to
    ``1e-7`` relative) is kept.

    Parameters
    ----------
    potential : Potential
        Needs ``hessian``.
    starts : sequence of numpy.ndarray
        Start points.
    parameter : float, default 0.0
        Recorded on each point.
    rms_tol, max_index, distance_tol, max_norm, min_curvature
        Acceptance tests (above).
    newton_steps, max_iterations : int
        Limits of the Newton and L-BFGS searches.

    Returns
    -------
    list of StationaryPoint
        Lowest energy first.
    """
    found: list[StationaryPoint] = []
    canon = getattr(potential, "canonicalise", lambda v: v)
    keys: list[np.ndarray] = []
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for x0 in np.atleast_2d(np.asarray(starts, dtype=float)):
            candidates = []
            try:
                res = minimize(potential, x0, rms_tol=rms_tol, max_iterations=max_iterations)
                if res.converged:
                    candidates.append(res.x)
            except _SEARCH_ERRORS:
                pass
            try:
                x_n = _newton(potential, np.array(x0, dtype=float), rms_tol, newton_steps)
                if x_n is not None:
                    candidates.append(x_n)
            except _SEARCH_ERRORS:
                pass
            for x in candidates:
                if not np.all(np.isfinite(x)) or np.linalg.norm(x) > max_norm:
                    continue
                key = np.asarray(canon(x), dtype=float)
                if any(np.linalg.norm(key - k) <= distance_tol for k in keys):
                    continue
                h = np.asarray(potential.hessian(x), dtype=float)
                eig = np.linalg.eigvalsh(0.5 * (h + h.T))
                scale = max(1.0, float(np.max(np.abs(eig))))
                index = int(np.sum(eig < -1e-10 * scale))
                if index > max_index:
                    continue
                energy = float(potential.energy(x))
                degenerate = bool(np.min(np.abs(eig)) < min_curvature * scale)
                if degenerate and any(
                    p.degenerate
                    and p.index == index
                    and abs(p.energy - energy) <= 1e-7 * max(1.0, abs(energy))
                    for p in found
                ):
                    continue
                keys.append(key)
                found.append(
                    StationaryPoint(
                        parameter=float(parameter),
                        coords=np.array(x, dtype=float),
                        energy=energy,
                        index=index,
                        smallest_abs_eigenvalue=float(np.min(np.abs(eig))),
                        degenerate=degenerate,
                    )
                )
    return sorted(found, key=lambda p: (p.energy, p.index))
