"""Local minimisation of a potential to a root-mean-square gradient tolerance.

L-BFGS (Liu & Nocedal 1989) does the work: scipy's ``L-BFGS-B`` without bounds, or with
``engine="numpy"`` the numpy L-BFGS of :mod:`lossatlas.energy._lbfgs` (basin-hopping's quenches,
no scipy overhead per evaluation); convergence is decided by the RMS gradient
``sqrt(|g|^2 / ndim)``, the criterion of the energy-landscape codes (GMIN, OPTIM), not by
scipy's own tests. An optional Newton polish with the exact Hessian then tightens the gradient
(the reference work quenches to 1e-6 during basin-hopping and to 1e-9 for stored minima).

References
----------
D. C. Liu and J. Nocedal, "On the limited memory BFGS method for large scale optimization",
Math. Program. 45, 503-528 (1989).
D. J. Wales, *Energy Landscapes*, Cambridge University Press, 2003, ch. 6.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from lossatlas._threads import limit_blas
from lossatlas.energy._lbfgs import LBFGSMemory, lbfgs
from lossatlas.errors import InputError, LossAtlasError

if TYPE_CHECKING:
    from lossatlas.energy.potentials import Potential

__all__ = ["SEARCH_ERRORS", "CountedPotential", "MinimizeResult", "minimize", "rms_gradient"]

#: What a local search from a random start may raise on a hostile surface (overflow, a singular
#: matrix, a refused input): callers that try many starts skip such a start.
SEARCH_ERRORS = (ArithmeticError, ValueError, np.linalg.LinAlgError, LossAtlasError)

# scipy L-BFGS runs (first + restarts) before the round-off stage takes over, and restarts in a
# row without a clear gain (energy beyond round-off, or the RMS gradient halved).
_MAX_SCIPY_RUNS = 5
_MAX_STALLED_RESTARTS = 2


@dataclass(frozen=True)
class MinimizeResult:
    """Outcome of :func:`minimize`.

    Attributes
    ----------
    x : ndarray
        Final coordinates.
    energy : float
        Energy at ``x``.
    rms_gradient : float
        RMS gradient at ``x``.
    n_iterations : int
        L-BFGS iterations plus Newton polishing steps.
    n_evaluations : int
        Energy-and-gradient evaluations (Hessian evaluations not counted).
    converged : bool
        Whether ``rms_gradient`` reached the requested tolerance (``polish_tol`` when polishing,
        otherwise ``rms_tol``).
    """

    x: np.ndarray
    energy: float
    rms_gradient: float
    n_iterations: int
    n_evaluations: int
    converged: bool


def rms_gradient(g: np.ndarray) -> float:
    """Root-mean-square gradient ``sqrt(sum g_i^2 / n)``.

    Parameters
    ----------
    g : numpy.ndarray
        A gradient.

    Returns
    -------
    float
    """
    g = np.asarray(g, dtype=float)
    return float(np.sqrt(np.dot(g.ravel(), g.ravel()) / max(g.size, 1)))


class CountedPotential:
    """Energy-and-gradient wrapper that counts calls and remembers the last point."""

    def __init__(self, potential: Potential) -> None:
        self.potential = potential
        self.n_evaluations = 0
        self.last_x: np.ndarray | None = None
        self.last: tuple[float, np.ndarray] | None = None

    def __call__(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        self.n_evaluations += 1
        if hasattr(self.potential, "energy_gradient"):
            e, g = self.potential.energy_gradient(x)
        else:
            e, g = self.potential.energy(x), self.potential.gradient(x)
        g = np.asarray(g, dtype=float)
        self.last_x = np.array(x, dtype=float, copy=True)
        self.last = (float(e), g)
        return float(e), g

    def at(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        if self.last_x is not None and self.last is not None and np.array_equal(x, self.last_x):
            return self.last
        return self(x)


def _scipy_lbfgs(
    fg: Any,
    x: np.ndarray,
    energy: float,
    g: np.ndarray,
    rms: float,
    *,
    rms_tol: float,
    max_iterations: int,
    memory: int,
) -> tuple[np.ndarray, float, np.ndarray, float, int]:
    """scipy's L-BFGS-B, stopped by the RMS-gradient rule and restarted while it gains."""
    from scipy.optimize import minimize as _scipy_minimize

    n_iterations = 0
    stalled = 0
    runs = 0

    def callback(intermediate_result: Any) -> None:
        _, g_cb = fg.at(intermediate_result.x)
        if rms_gradient(g_cb) < rms_tol:
            raise StopIteration

    while (
        rms >= rms_tol
        and n_iterations < max_iterations
        and stalled < _MAX_STALLED_RESTARTS
        and runs < _MAX_SCIPY_RUNS
    ):
        runs += 1
        res = _scipy_minimize(
            fg,
            x,
            jac=True,
            method="L-BFGS-B",
            callback=callback,
            options={
                "maxcor": int(memory),
                "maxiter": int(max_iterations - n_iterations),
                "maxfun": 10 * int(max_iterations) + 100,
                "ftol": 0.0,
                "gtol": 0.0,
            },
        )
        n_iterations += max(int(res.nit), 1)
        new_e, new_g = fg.at(res.x)
        new_rms = rms_gradient(new_g)
        roundoff = 1e-12 * max(1.0, abs(energy))
        gained = new_e < energy - roundoff or new_rms < 0.5 * rms
        if new_e <= energy + roundoff:
            x, energy, g, rms = np.array(res.x, dtype=float), new_e, new_g, new_rms
        stalled = 0 if gained else stalled + 1
    return x, energy, g, rms, n_iterations


def minimize(
    potential: Potential,
    x0: np.ndarray,
    *,
    rms_tol: float = 1e-6,
    max_iterations: int = 10_000,
    memory: int = 30,
    polish: bool = False,
    polish_tol: float = 1e-9,
    engine: str = "scipy",
) -> MinimizeResult:
    """Minimise ``potential`` from ``x0`` until the RMS gradient is below ``rms_tol``.

    Parameters
    ----------
    potential : Potential
        Needs ``energy_gradient`` (or ``energy`` and ``gradient``); ``hessian`` when polishing.
    x0 : array_like
        Start point.
    rms_tol : float, default 1e-6
        Convergence threshold on the RMS gradient.
    max_iterations : int, default 10000
        Total L-BFGS iterations allowed over all restarts.
    memory : int, default 30
        Number of L-BFGS correction pairs.
    polish : bool, default False
        After L-BFGS, take Newton steps with the exact Hessian (at most 10 Hessians, each
        reused while its steps keep halving the gradient) to reach ``polish_tol``.
    polish_tol : float, default 1e-9
        RMS-gradient target of the polish.
    engine : {"scipy", "numpy"}, default "scipy"
        ``"scipy"``: :func:`scipy.optimize.minimize` with ``method="L-BFGS-B"`` (More-Thuente
        line search). ``"numpy"``: the L-BFGS of :func:`lossatlas.energy._lbfgs.lbfgs`
        (compact representation, backtracking line search), a third of the overhead per
        evaluation and no scipy import; basin-hopping quenches use it.

    Returns
    -------
    MinimizeResult

    Notes
    -----
    scipy's own stopping tests are switched off (``ftol = gtol = 0``); a callback stops the run
    when the RMS gradient at the current iterate is below ``rms_tol``. When L-BFGS stops
    earlier (line-search failure, usually at round-off level), it is restarted from its last
    point with a fresh memory, until converged, out of iterations, two restarts in a row gain
    nothing clear, or five runs have been made. If the tolerance is still not met, L-BFGS steps
    without a line search that accept energy rises of round-off size (``1e-10 max(1, |E|)``,
    as GMIN does) finish the job: near a minimum the energy can no longer resolve progress
    (``dE ~ |g|^2 / lambda``) while the gradient still can.

    The Newton polish diagonalises the Hessian ``H = V diag(lambda) V^T`` and steps
    ``dx = -sum_{lambda_i > 0} (v_i . g / lambda_i) v_i`` over the positive-curvature directions
    only (``lambda_i > 1e-8 max|lambda|``), so zero modes and negative directions are not
    followed; a step is kept only when it lowers the RMS gradient without raising the energy
    by more than round-off.
    """
    x = np.array(x0, dtype=float, copy=True).ravel()
    if x.size == 0 or not np.all(np.isfinite(x)):
        raise InputError(f"minimize: start point must be a non-empty finite vector, got {x0!r}")
    if not rms_tol > 0 or not polish_tol > 0:
        raise InputError(
            f"minimize: tolerances must be positive, got rms_tol={rms_tol}, polish_tol={polish_tol}"
        )
    if engine not in ("scipy", "numpy"):
        raise InputError(f"minimize: engine must be 'scipy' or 'numpy', got {engine!r}")
    with limit_blas(1):  # L-BFGS makes many tiny BLAS calls: threads cost more than they gain
        return _minimize(potential, x, rms_tol, max_iterations, memory, polish, polish_tol, engine)


def _minimize(
    potential: Potential,
    x: np.ndarray,
    rms_tol: float,
    max_iterations: int,
    memory: int,
    polish: bool,
    polish_tol: float,
    engine: str = "scipy",
) -> MinimizeResult:
    fg = CountedPotential(potential)
    energy, g = fg(x)
    rms = rms_gradient(g)
    n_iterations = 0
    if engine == "numpy":
        if rms >= rms_tol:
            x, energy, g, n_iterations = lbfgs(
                fg, x, energy, g, rms_tol=rms_tol, max_iterations=max_iterations, memory=memory
            )
            rms = rms_gradient(g)
    else:
        x, energy, g, rms, n_iterations = _scipy_lbfgs(
            fg, x, energy, g, rms, rms_tol=rms_tol, max_iterations=max_iterations, memory=memory
        )
    return _finish(
        potential,
        fg,
        x,
        energy,
        g,
        rms,
        n_iterations,
        rms_tol,
        max_iterations,
        memory,
        polish,
        polish_tol,
    )


def _finish(
    potential: Potential,
    fg: CountedPotential,
    x: np.ndarray,
    energy: float,
    g: np.ndarray,
    rms: float,
    n_iterations: int,
    rms_tol: float,
    max_iterations: int,
    memory: int,
    polish: bool,
    polish_tol: float,
) -> MinimizeResult:
    """The round-off stage (when L-BFGS stopped short of ``rms_tol``), the optional Newton
    polish, and the result."""
    if rms >= rms_tol and n_iterations < max_iterations:
        # scipy's Wolfe line search cannot see energy changes below round-off; finish with
        # steps that accept tiny energy rises, as GMIN's L-BFGS does.
        x, energy, g, rms, steps = _lbfgs_roundoff(
            fg, x, energy, g, rms_tol, max_iterations - n_iterations, memory
        )
        n_iterations += steps

    target = rms_tol
    if polish:
        target = polish_tol
        x, energy, g, rms, steps = _newton_polish(potential, fg, x, energy, g, polish_tol)
        n_iterations += steps
    return MinimizeResult(
        x=x,
        energy=float(energy),
        rms_gradient=float(rms),
        n_iterations=n_iterations,
        n_evaluations=fg.n_evaluations,
        converged=bool(rms < target),
    )


def _lbfgs_roundoff(
    fg: CountedPotential,
    x: np.ndarray,
    energy: float,
    g: np.ndarray,
    tol: float,
    max_iterations: int,
    memory: int,
    *,
    max_step: float = 0.1,
) -> tuple[np.ndarray, float, np.ndarray, float, int]:
    """L-BFGS without a Wolfe line search (Nocedal's two-loop recursion, GMIN-style).

    A step of at most ``max_step`` along the quasi-Newton direction is accepted when the
    energy rises by no more than ``1e-10 max(1, |E|)`` (round-off), else shortened tenfold (up to
    five times); after a failure the memory is reset. This converges where only the gradient
    still carries information.
    """
    history = LBFGSMemory(memory)
    rms = rms_gradient(g)
    steps = 0
    failures = 0
    while rms >= tol and steps < max_iterations and failures < 3:
        steps += 1
        # without pairs: a first step of RMS length 1e-4 while the gradient is larger
        d = history.direction(g, default_scale=1e-4 / rms if rms > 1e-4 else 1.0)
        if np.dot(d, g) > 0:
            d = -d
        norm = float(np.linalg.norm(d))
        if norm > max_step:
            d *= max_step / norm
        max_rise = 1e-10 * max(1.0, abs(energy))
        for _ in range(6):
            new_e, new_g = fg(x + d)
            if new_e - energy <= max_rise:
                break
            d *= 0.1
        else:
            history.reset()
            failures += 1
            continue
        history.update(d, new_g - g)
        x, energy, g, rms = x + d, new_e, new_g, rms_gradient(new_g)
    return x, energy, g, rms, steps


def _newton_polish(
    potential: Potential,
    fg: CountedPotential,
    x: np.ndarray,
    energy: float,
    g: np.ndarray,
    tol: float,
    *,
    max_hessians: int = 10,
    max_steps: int = 50,
) -> tuple[np.ndarray, float, np.ndarray, float, int]:
    """Newton steps in the positive-curvature subspace of the exact Hessian.

    The eigenvectors of one Hessian serve several steps (a chord method: near a minimum the
    Hessian hardly changes, and a Hessian costs tens of gradients); it is recomputed when a
    step on the old one fails or gains less than a halving of the RMS gradient. A step is
    halved (twice at most) before it counts as failed.
    """
    rms = rms_gradient(g)
    steps = 0
    hessians = 0
    basis: tuple[np.ndarray, np.ndarray] | None = None
    fresh = False
    while rms >= tol and steps < max_steps:
        if basis is None:
            if hessians >= max_hessians:
                break
            hessians += 1
            lam, vecs = np.linalg.eigh(np.asarray(potential.hessian(x), dtype=float))
            scale = float(np.max(np.abs(lam))) if lam.size else 0.0
            keep = lam > 1e-8 * scale
            if not np.any(keep):
                break
            basis, fresh = (vecs[:, keep], lam[keep]), True
        steps += 1
        V, lam_keep = basis
        d = -(V @ ((V.T @ g) / lam_keep))
        max_rise = 1e-10 * max(1.0, abs(energy))
        old_rms = rms
        for t in (1.0, 0.5, 0.25):
            trial = x + t * d
            new_e, new_g = fg(trial)
            new_rms = rms_gradient(new_g)
            if new_rms < rms and new_e <= energy + max_rise:
                x, energy, g, rms = trial, new_e, new_g, new_rms
                break
        if rms == old_rms:  # no step accepted
            if fresh:
                break
            basis = None
            continue
        if not fresh and rms > 0.5 * old_rms:
            basis = None  # the old Hessian no longer pays
        fresh = False
    return x, energy, g, rms, steps
