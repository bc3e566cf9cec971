"""L-BFGS in numpy (compact representation, backtracking line search) for basin-hopping quenches.

The quasi-Newton direction ``-H g`` comes from the compact form of the L-BFGS inverse Hessian
(Byrd, Nocedal & Schnabel 1994, eq. 2.6) with ``H0 = gamma I``,
``gamma = s_k.y_k / y_k.y_k``::

    H = gamma I + [S  gamma Y] [[R^-T (D + gamma Y^T Y) R^-1, -R^-T], [-R^-1, 0]] [S^T; gamma Y^T]

(``R`` the upper triangle of ``S^T Y``, ``D`` its diagonal), the same vector as Nocedal's
two-loop recursion but eight array operations per iteration instead of ``4 m`` small ones;
``R^-1`` and ``Y^T Y`` are updated by one row and column per step (the trailing block of an
upper-triangular inverse is the inverse of the trailing block, so dropping the oldest pair
costs a copy). Steps are capped in length
(as GMIN's ``MAXBFGS``) and accepted on the Armijo condition, else shortened by quadratic
interpolation. No scipy: the whole quench stays in a few numpy calls per evaluation, and
importing this module costs nothing beyond numpy.

References
----------
R. H. Byrd, J. Nocedal and R. B. Schnabel, "Representations of quasi-Newton matrices and their
use in limited memory methods", Math. Program. 63, 129-156 (1994).
D. C. Liu and J. Nocedal, "On the limited memory BFGS method for large scale optimization",
Math. Program. 45, 503-528 (1989).
J. Nocedal, "Updating quasi-Newton matrices with limited storage", Math. Comp. 35, 773-782
(1980).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

__all__ = ["LBFGSMemory", "LbfgsMemory", "lbfgs"]

# Armijo constant, line-search shortenings before the memory is reset, and failed line searches
# before giving up (the caller's round-off stage takes over).
_ARMIJO = 1e-4
_CURVATURE = 0.9
_MAX_BACKTRACKS = 10
_MAX_FAILURES = 2


class LBFGSMemory:
    """Limited-memory BFGS inverse-Hessian estimate by Nocedal's two-loop recursion.

    For searches whose coordinates change meaning between steps (bands, tangent spaces) or
    whose steps are few: it needs no dimension up front. Basin-hopping's quenches use the
    compact form, :class:`LbfgsMemory`.
    """

    def __init__(self, memory: int) -> None:
        self.memory = int(memory)
        self.s: list[np.ndarray] = []
        self.y: list[np.ndarray] = []

    def reset(self) -> None:
        self.s.clear()
        self.y.clear()

    def update(self, s: np.ndarray, y: np.ndarray) -> None:
        """Store one step ``s`` and gradient change ``y`` when the curvature ``s.y`` is positive."""
        sy = float(s @ y)
        if sy <= 1e-12 * float(np.sqrt((s @ s) * (y @ y))) or not np.isfinite(sy):
            return
        self.s.append(s.copy())
        self.y.append(y.copy())
        if len(self.s) > self.memory:
            self.s.pop(0)
            self.y.pop(0)

    def direction(self, g: np.ndarray, *, default_scale: float = 1.0) -> np.ndarray:
        """Return ``-H g`` with ``H`` the L-BFGS inverse-Hessian estimate."""
        q = g.copy()
        alphas = []
        rhos = [1.0 / float(s @ y) for s, y in zip(self.s, self.y, strict=True)]
        for s, y, rho in zip(reversed(self.s), reversed(self.y), reversed(rhos), strict=True):
            a = rho * float(s @ q)
            alphas.append(a)
            q -= a * y
        if self.s:
            s, y = self.s[-1], self.y[-1]
            q *= float(s @ y) / float(y @ y)
        else:
            q *= default_scale
        for s, y, rho, a in zip(self.s, self.y, rhos, reversed(alphas), strict=True):
            b = rho * float(y @ q)
            q += (a - b) * s
        return -q


class LbfgsMemory:
    """The last ``memory`` correction pairs ``(s, y)``, oldest first, with ``R^-1`` and ``Y^T Y``.

    The pairs live in a window of buffers twice the memory long; the window is copied back to
    the start only when it reaches the end, so dropping the oldest pair costs nothing most
    steps.

    Parameters
    ----------
    n : int
        Number of coordinates.
    memory : int
        Correction pairs kept.
    """

    def __init__(self, n: int, memory: int) -> None:
        m = max(1, int(memory))
        cap = 2 * m
        self.m = m
        self.k = 0  # pairs held: rows lo .. lo + k - 1
        self.lo = 0
        self.S = np.empty((cap, n))
        self.Y = np.empty((cap, n))
        self.YY = np.empty((cap, cap))  # YY[i, j] = y_i . y_j
        self.D = np.empty(cap)  # s_i . y_i
        self.Rinv = np.zeros((cap, cap))  # inverse of R = triu(S Y^T) on the window

    def reset(self) -> None:
        """Forget every pair."""
        self.k = 0
        self.lo = 0

    def add(self, s: np.ndarray, y: np.ndarray) -> bool:
        """Store the pair unless its curvature ``s.y`` is not clearly positive.

        Returns
        -------
        bool
            Whether it was stored.
        """
        sy = float(s @ y)
        yy = float(y @ y)
        if not (sy > 1e-12 * yy and math.isfinite(sy)):
            return False
        if self.k == self.m:
            # drop the oldest pair: the trailing block of an upper-triangular inverse is the
            # inverse of the trailing block, so the window just moves on
            self.lo += 1
            self.k -= 1
        lo, k = self.lo, self.k
        if lo + k == self.S.shape[0]:  # window at the end: copy it to the start
            w = slice(lo, lo + k)
            self.S[:k] = self.S[w]
            self.Y[:k] = self.Y[w]
            self.D[:k] = self.D[w]
            self.YY[:k, :k] = self.YY[w, w]
            self.Rinv[:k, :k] = self.Rinv[w, w]
            self.lo = lo = 0
        hi = lo + k  # the new row
        old = slice(lo, hi)
        # new column of R: r_i = s_i . y, diagonal sy; R^-1 gains [-R^-1 r / sy; 1 / sy]
        r = self.S[old] @ y
        self.Rinv[old, hi] = -(self.Rinv[old, old] @ r) / sy
        self.Rinv[hi, old] = 0.0
        self.Rinv[hi, hi] = 1.0 / sy
        self.S[hi] = s
        self.Y[hi] = y
        self.D[hi] = sy
        new = slice(lo, hi + 1)
        yy_col = self.Y[new] @ y
        self.YY[hi, new] = yy_col
        self.YY[new, hi] = yy_col
        self.k = k + 1
        return True

    def direction(self, g: np.ndarray) -> np.ndarray:
        """``-H g`` for the current inverse-Hessian estimate (``-g`` without pairs)."""
        k = self.k
        if k == 0:
            return -g
        w = slice(self.lo, self.lo + k)
        S, Y, Rinv = self.S[w], self.Y[w], self.Rinv[w, w]
        last = self.lo + k - 1
        gamma = self.D[last] / self.YY[last, last]
        p = Rinv @ (S @ g)
        q = self.D[w] * p + gamma * (self.YY[w, w] @ p - Y @ g)
        hg = gamma * g + (q @ Rinv) @ S - gamma * (p @ Y)
        return -hg


def lbfgs(
    fg: Callable[[np.ndarray], tuple[float, np.ndarray]],
    x: np.ndarray,
    energy: float,
    g: np.ndarray,
    *,
    rms_tol: float,
    max_iterations: int,
    memory: int = 30,
    max_step: float = 1.0,
) -> tuple[np.ndarray, float, np.ndarray, int]:
    """Minimise from ``x`` (energy and gradient given) until the RMS gradient is below
    ``rms_tol``.

    Parameters
    ----------
    fg : callable
        ``x -> (energy, gradient)``.
    x : numpy.ndarray
        Start point.
    energy : float
        Energy at ``x``.
    g : numpy.ndarray
        Gradient at ``x``.
    rms_tol : float
        RMS-gradient tolerance.
    max_iterations : int
        Accepted steps allowed.
    memory : int, default 30
        Correction pairs.
    max_step : float, default 1.0
        Longest step tried (Euclidean norm).

    Returns
    -------
    x, energy, g : numpy.ndarray, float, numpy.ndarray
        The last accepted point.
    n_iterations : int
        Accepted steps.

    Notes
    -----
    A step ``t d`` is accepted when ``E(x + t d) <= E(x) + 1e-4 t g.d``; while the slope along
    ``d`` at the new point is still steeper than ``0.9 g.d`` (Wolfe's curvature condition fails:
    a flat, nearly linear direction) ``t`` is first lengthened fourfold up to ``max_step``,
    the last acceptable point kept. A rejected step ``t``
    shrinks to the minimiser of the quadratic through ``E(x)``, ``g.d`` and ``E(x + t d)``
    (kept within ``[0.1 t, 0.5 t]``); a direction that is not a descent direction is replaced by
    ``-g`` with a fresh memory. A line search fails after ten shortenings, or when the predicted
    decrease ``t g.d`` falls below round-off of the energy; the first failure resets the memory,
    the second (or one in steepest descent) ends the run: at round-off level only the gradient
    still resolves progress, and the caller's round-off stage takes over.
    """
    n = x.size
    tol2 = rms_tol * rms_tol * n
    mem = LbfgsMemory(n, memory)
    failures = 0
    it = 0
    gg = float(g @ g)
    while gg >= tol2 and it < max_iterations:
        d = mem.direction(g)
        gd = float(g @ d)
        if not (gd < 0.0 and math.isfinite(gd)):
            mem.reset()
            d = -g
            gd = -gg
        norm = math.sqrt(float(d @ d))
        t_max = max_step / norm
        # no curvature known yet: a step of unit length, as L-BFGS-B's first iteration
        t = min(1.0 if mem.k else 1.0 / norm, t_max)
        roundoff = 1e-13 * max(1.0, abs(energy))
        good: tuple[np.ndarray, float, np.ndarray] | None = None
        shrunk = False
        for _ in range(_MAX_BACKTRACKS):
            x_new = x + t * d
            e_new, g_new = fg(x_new)
            if e_new <= energy + _ARMIJO * t * gd:
                if not shrunk and t < t_max and float(g_new @ d) < _CURVATURE * gd:
                    # still steep: lengthen the step (no rejection bounds it yet)
                    good = (x_new, e_new, g_new)
                    t = min(4.0 * t, t_max)
                    continue
                break
            if good is not None:  # the lengthened step went too far: keep the last good one
                x_new, e_new, g_new = good
                break
            if -t * gd < roundoff:  # the energy can no longer resolve the decrease
                t = 0.0
                break
            shrunk = True
            if not math.isfinite(e_new):
                t *= 0.1
                continue
            # minimiser of the quadratic through E(0), E'(0) = gd and E(t)
            denom = 2.0 * (e_new - energy - gd * t)
            t_new = -gd * t * t / denom if denom > 0 else 0.5 * t
            t = min(max(t_new, 0.1 * t), 0.5 * t)
        else:
            if good is None:
                t = 0.0
            else:
                x_new, e_new, g_new = good
        if t == 0.0:
            failures += 1
            if failures >= _MAX_FAILURES or mem.k == 0:
                break
            mem.reset()
            continue
        it += 1
        mem.add(x_new - x, g_new - g)
        x, energy, g = x_new, e_new, g_new
        gg = float(g @ g)
    return x, float(energy), g, it
