"""Trust-region Newton minimisation with the exact Hessian: the refinement of stored minima.

From a quenched point near a minimum, a few Newton steps with the dense Hessian (a Cholesky test
and one solve while it is positive definite; an eigen-decomposition and a trust-region step
otherwise) bring the RMS gradient to 1e-9 in a handful of Hessians, where L-BFGS needs hundreds
of evaluations on the soft modes of a network.

References
----------
J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., Springer, 2006, ch. 4.
D. J. Wales, *Energy Landscapes*, Cambridge University Press, 2003, ch. 6.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from lossatlas._threads import limit_blas
from lossatlas.energy._minimize import CountedPotential, MinimizeResult, rms_gradient
from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.energy.potentials import Potential

__all__ = ["newton_minimize"]

# Newton steps at a positive-definite Hessian up to this length are taken whatever the trust
# radius (a small radius is for the indefinite region, where it keeps the steps near descent).
_FREE_NEWTON_STEP = 0.3


def _trust_region_step(lam: np.ndarray, gt: np.ndarray, radius: float) -> np.ndarray:
    """Minimiser of ``gt.d + d.diag(lam).d / 2`` over ``|d| <= radius``, in the eigenbasis.

    The Newton step ``-gt / lam`` when the model is convex and the step fits; otherwise
    ``d(mu) = -gt / (lam + mu)`` with the shift ``mu > max(0, -lam_min)`` that puts it on the
    boundary, found by Newton's method on ``1/|d(mu)| - 1/radius`` (More & Sorensen 1983),
    which converges monotonically from below the root. When ``gt`` has (almost) no component
    along the lowest eigenvector (the "hard case"), the step along it is completed to the
    boundary.
    """
    scale = float(np.max(np.abs(lam))) if lam.size else 0.0
    tiny = 1e-14 * max(scale, 1e-300)
    if lam[0] > tiny:
        d = -gt / lam
        if float(np.sqrt(d @ d)) <= radius:
            return d
        mu = 0.0
    else:
        mu = -float(lam[0]) + tiny
    for _ in range(60):
        shifted = lam + mu
        d = -gt / shifted
        norm = float(np.sqrt(d @ d))
        if norm <= radius * (1.0 + 1e-3):
            break
        q2 = float(np.sum(d * d / shifted))
        mu += (norm / radius - 1.0) * norm * norm / q2
    if norm < radius * (1.0 - 1e-3) and lam[0] <= tiny:  # hard case: fill along lam_min
        d = d.copy()
        d[0] -= np.copysign(np.sqrt(radius * radius - norm * norm), gt[0])
    return d


def _positive_definite(hess: np.ndarray) -> bool:
    """Whether ``hess`` is positive definite by a Cholesky factorisation, and not so
    ill-conditioned (beyond ~1e14) that a Newton step from it is not to be trusted."""
    try:
        L = np.linalg.cholesky(hess)
    except np.linalg.LinAlgError:
        return False
    diag = np.diagonal(L)
    return bool(float(diag.min()) > 1e-7 * float(diag.max()))


def newton_minimize(
    potential: Potential,
    x0: np.ndarray,
    *,
    rms_tol: float = 1e-9,
    max_hessians: int = 20,
    radius: float = 1.0,
    reach: float | None = None,
) -> MinimizeResult:
    """Trust-region Newton minimisation with the exact dense Hessian, to an RMS gradient.

    Parameters
    ----------
    potential : Potential
        Needs ``energy_gradient`` (or ``energy`` and ``gradient``) and ``hessian``.
    x0 : array_like
        Start point (e.g. an L-BFGS quench).
    rms_tol : float, default 1e-9
        RMS-gradient target.
    max_hessians : int, default 20
        Hessians (and diagonalisations) allowed; one per accepted step.
    radius : float, default 1.0
        Initial trust radius (Euclidean step length).
    reach : float, optional
        Stop (unconverged) at the first accepted point farther than this from ``x0``: a
        caller that wants the minimum of ``x0``'s own basin falls back to a descent method
        when Newton travels far (see :func:`~lossatlas.energy._basinhopping.refine_minimum`).

    Returns
    -------
    MinimizeResult
        The last accepted point; ``n_iterations`` counts the Hessians, ``converged`` whether
        ``rms_tol`` was reached.

    Notes
    -----
    Each accepted point's Hessian ``H = V diag(lambda) V^T`` gives the step minimising the
    quadratic model within the trust radius (:func:`_trust_region_step`), so negative and
    soft directions are handled: far along a soft valley (a quench stopped at RMS 1e-6 can lie
    several units from its minimum) the radius limits the step, near the minimum the steps are
    plain Newton steps and converge quadratically. Where the Hessian is positive definite
    (a Cholesky factorisation succeeds) the Newton step is taken when it is shorter than the
    radius or than 0.3, with no diagonalisation; a Newton step that the model predicted to
    within 10% keeps its factorisation for the next step (a chord step: near a minimum the
    Hessian hardly changes), and a chord step that fails is retried with a fresh Hessian.
    A step is accepted when the energy falls by at least a tenth of the model's prediction,
    or, once the predicted fall is below round-off (``1e-10 max(1, |E|)``), when the RMS
    gradient falls and the energy does not rise beyond round-off. A rejected step shrinks the
    radius and reuses the same factorisations; the radius doubles after a step on the
    boundary that the model predicted well.

    References
    ----------
    J. J. More and D. C. Sorensen, "Computing a trust region step", SIAM J. Sci. Stat.
    Comput. 4, 553-572 (1983); J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed.,
    Springer 2006, ch. 4.
    """
    x = np.array(x0, dtype=float, copy=True).ravel()
    if x.size == 0 or not np.all(np.isfinite(x)):
        raise InputError(f"newton_minimize: start must be a non-empty finite vector, got {x0!r}")
    if not rms_tol > 0 or not radius > 0 or (reach is not None and not reach > 0):
        raise InputError(
            f"newton_minimize: rms_tol, radius and reach must be positive, got {rms_tol}, "
            f"{radius}, {reach}"
        )
    with limit_blas(1):
        fg = CountedPotential(potential)
        energy, g = fg(x)
        x, energy, g, rms, hessians = _trust_region_newton(
            potential, fg, x, energy, g, rms_tol, max_hessians, radius, reach=reach
        )
    return MinimizeResult(
        x=x,
        energy=float(energy),
        rms_gradient=float(rms),
        n_iterations=hessians,
        n_evaluations=fg.n_evaluations,
        converged=bool(rms < rms_tol),
    )


def _trust_region_newton(
    potential: Potential,
    fg: CountedPotential,
    x: np.ndarray,
    energy: float,
    g: np.ndarray,
    tol: float,
    max_hessians: int,
    radius: float,
    *,
    reach: float | None = None,
    free_step: float = _FREE_NEWTON_STEP,
    max_rejections: int = 20,
) -> tuple[np.ndarray, float, np.ndarray, float, int]:
    """The loop of :func:`newton_minimize`: ``(x, energy, g, rms, hessians)``."""
    x0 = x
    reach2 = math.inf if reach is None else reach * reach
    rms = rms_gradient(g)
    hessians = 0
    rejections = 0
    hess: np.ndarray | None = None
    definite = False
    eig: tuple[np.ndarray, np.ndarray] | None = None
    fresh = False  # whether the Hessian in use was taken at the current point
    while rms >= tol and rejections < max_rejections and math.isfinite(energy):
        if hess is None:
            if hessians >= max_hessians:
                break
            hessians += 1
            hess = np.asarray(potential.hessian(x), dtype=float)
            definite, eig, fresh = _positive_definite(hess), None, True
        # numpy has no triangular solve (scipy.linalg costs more to import than a short run)
        newton = -np.linalg.solve(hess, g) if definite else None
        inside = newton is not None and float(np.sqrt(newton @ newton)) <= max(radius, free_step)
        if inside:
            # positive definite and inside the trust region: the step is the Newton step
            step = newton
            predicted = -0.5 * float(g @ newton)
        else:
            if eig is None:
                eig = np.linalg.eigh(hess)
            lam, vecs = eig
            gt = vecs.T @ g
            dt = _trust_region_step(lam, gt, radius)
            predicted = -float(gt @ dt + 0.5 * ((lam * dt) @ dt))
            step = vecs @ dt
        length = float(np.sqrt(step @ step))
        trial = x + step
        new_e, new_g = fg(trial)
        new_rms = rms_gradient(new_g)
        max_rise = 1e-10 * max(1.0, abs(energy))
        actual = energy - new_e
        if predicted > max_rise:
            accept = actual >= 0.1 * predicted
            ratio = actual / predicted
            good = abs(ratio - 1.0) < 0.1
        else:  # the energy no longer resolves the step: judge by the gradient
            accept = new_rms < rms and -actual <= max_rise
            ratio = 1.0
            good = new_rms < 0.25 * rms
        if not (accept and math.isfinite(new_e)):
            if not fresh:  # a Hessian from an earlier point: take one here first
                hess = None
                continue
            rejections += 1
            radius = 0.25 * length
            continue
        if ratio > 0.75 and length >= 0.99 * radius:
            radius *= 2.0
        elif ratio < 0.25:
            radius = 0.5 * length
        x, energy, g, rms = trial, new_e, new_g, new_rms
        if not (good and inside):
            hess = None  # else a Newton step the model predicted well: keep its Hessian
        fresh = False
        if float(np.sum(np.square(x - x0))) > reach2:
            break
    return x, energy, g, rms, hessians
