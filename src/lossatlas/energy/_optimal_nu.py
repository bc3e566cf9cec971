"""The likelihood-optimal Matérn smoothness ``nu`` of a Gaussian process.

The profile negative log-likelihood ``P(nu) = min_theta NLL(theta; nu)`` of a
``GaussianProcessNLL`` is minimised over a continuous range of ``nu`` (log-spaced grid, then a
bounded scalar search), and the optimum is compared with the half-integers 1/2, 3/2, 5/2 that
libraries offer.

References
----------
M. Niroomand, L. Dicks, E. Pyzer-Knapp and D. J. Wales, "Physics inspired approaches to
understanding Gaussian processes", arXiv:2305.10748 (2023) (the landscape of the GP likelihood
as nu varies).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from lossatlas._threads import limit_blas
from lossatlas.energy._json import json_number
from lossatlas.energy._minimize import SEARCH_ERRORS, minimize
from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.energy.potentials import GaussianProcessNLL

__all__ = ["OptimalNu", "optimal_nu"]


@dataclass(frozen=True)
class OptimalNu:
    """The likelihood-optimal Matérn smoothness of a Gaussian process.

    Attributes
    ----------
    nu : float
        Minimiser of the profile NLL ``min_theta NLL(theta; nu)`` within the searched range.
    nll : float
        Profile NLL at ``nu``.
    coords : ndarray
        Other hyperparameters (log scale) at the optimum.
    nearest_half_integer : float
        The half-integer (1/2, 3/2, 5/2, ...) closest to ``nu``.
    is_half_integer : bool
        ``|nu - nearest_half_integer| <= tol``.
    at_bound : bool
        The optimum lies at an end of the final searched range (after widening): the true
        optimum may be beyond, and no half-integer verdict is given.
    bound : str or None
        ``"lower"`` or ``"upper"`` when ``at_bound``.
    search_range : (float, float)
        The range finally searched (``nu_min, nu_max`` widened while the optimum sat at an
        end).
    verdict : str
        One line: ``"interior optimum nu=..., (not) a half-integer (nearest ...)"`` or
        ``"optimum at the upper bound nu=...: the likelihood keeps improving ..."``.
    profile_nu, profile_nll : ndarray
        The grid profile.
    half_integer_nll : dict of float to float
        Profile NLL at nu = 1/2, 3/2, 5/2 (the values libraries offer).
    """

    nu: float
    nll: float
    coords: np.ndarray
    nearest_half_integer: float
    is_half_integer: bool
    at_bound: bool
    profile_nu: np.ndarray
    profile_nll: np.ndarray
    half_integer_nll: dict[float, float]
    bound: str | None = None
    search_range: tuple[float, float] = (0.0, 0.0)
    verdict: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary (coordinates and the profile left out).

        Returns
        -------
        dict
            ``nu``, ``nll``, ``nearest_half_integer``, ``is_half_integer`` (None when
            ``at_bound``), ``at_bound``, ``bound``, ``search_range``, ``verdict`` and
            ``half_integer_nll`` (keys are the half-integers as strings).
        """
        return {
            "nu": self.nu,
            "nll": self.nll,
            "nearest_half_integer": self.nearest_half_integer,
            "is_half_integer": None if self.at_bound else self.is_half_integer,
            "at_bound": self.at_bound,
            "bound": self.bound,
            "search_range": list(self.search_range),
            "verdict": self.verdict,
            "half_integer_nll": {str(k): json_number(v) for k, v in self.half_integer_nll.items()},
        }


def _profile(
    gp: GaussianProcessNLL, nu: float, starts: list[np.ndarray], rms_tol: float
) -> tuple[float, np.ndarray]:
    pot = gp.with_nu(float(nu))
    best = (np.inf, starts[0])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for x0 in starts:
            try:
                res = minimize(pot, x0, rms_tol=rms_tol, max_iterations=2000)
            except SEARCH_ERRORS:
                continue
            if np.isfinite(res.energy) and res.energy < best[0]:
                best = (float(res.energy), res.x)
    return best


def optimal_nu(
    gp: GaussianProcessNLL,
    *,
    nu_min: float = 0.2,
    nu_max: float = 10.0,
    points: int = 15,
    n_starts: int = 2,
    seed: int = 0,
    tol: float = 0.05,
    rms_tol: float = 1e-6,
    widen: int = 2,
    widen_factor: float = 10.0,
    blas_threads: int | None = 1,
) -> OptimalNu:
    """The optimal ``nu`` of a GP likelihood and whether it is a half-integer.

    The profile NLL ``P(nu) = min_theta NLL(theta; nu)`` is evaluated on a log-spaced grid over
    ``[nu_min, nu_max]`` (each value minimised from ``n_starts`` random starts and from the
    optimum of the previous value), then refined by a bounded scalar search in ``ln nu``
    between the neighbours of the best grid value. Treating ``nu`` as continuous follows
    Niroomand et al. (arXiv:2305.10748), who found the optimum often far from the
    half-integers 1/2, 3/2, 5/2 that libraries offer.

    Parameters
    ----------
    gp : GaussianProcessNLL
        With fixed ``nu`` (``optimise_nu=False``); its ``with_nu`` builds the others.
    nu_min, nu_max : float
        Search range.
    points : int, default 15
        Grid points; the half-integers inside the range are added to them.
    n_starts : int, default 2
        Random starts per grid value (besides the optimum of the previous value).
    seed : int, default 0
    tol : float, default 0.05
        Half-integer tolerance.
    rms_tol : float, default 1e-6
    widen : int, default 2
        While the best grid value is an end of the range, extend that end by ``widen_factor``
        (in ``ln nu``, with ``points // 2`` new grid values) at most this many times.
    widen_factor : float, default 10.0
    blas_threads : int or None, default 1
        BLAS threads during the search (None leaves them alone; see
        :func:`~lossatlas.energy.sweep_parameter`).

    Returns
    -------
    OptimalNu
    """
    with limit_blas(blas_threads):
        return _optimal_nu(
            gp, nu_min, nu_max, points, n_starts, seed, tol, rms_tol, widen, widen_factor
        )


def _optimal_nu(
    gp: GaussianProcessNLL,
    nu_min: float,
    nu_max: float,
    points: int,
    n_starts: int,
    seed: int,
    tol: float,
    rms_tol: float,
    widen: int,
    widen_factor: float,
) -> OptimalNu:
    from scipy.optimize import minimize_scalar

    if not hasattr(gp, "with_nu") or getattr(gp, "optimise_nu", False):
        raise InputError("optimal_nu needs a GaussianProcessNLL with fixed nu (optimise_nu=False)")
    if not 0 < nu_min < nu_max or int(points) < 3:
        raise InputError(
            f"optimal_nu: need 0 < nu_min < nu_max and points >= 3, got {nu_min}, {nu_max}, "
            f"{points}"
        )
    rng = np.random.default_rng(seed)
    starts = [np.asarray(gp.random_coordinates(rng), dtype=float) for _ in range(n_starts)]
    halves = [h for h in (0.5, 1.5, 2.5) if nu_min <= h <= nu_max]
    grid = np.unique(np.concatenate([np.geomspace(nu_min, nu_max, int(points)), halves]))
    nll = np.empty(grid.size)
    coords = []
    warm: list[np.ndarray] = []
    for k, nu in enumerate(grid):
        nll[k], x = _profile(gp, nu, warm + starts, rms_tol)
        coords.append(x)
        warm = [x]
    best = int(np.argmin(nll))
    for _ in range(int(widen)):
        if 0 < best < grid.size - 1:
            break
        upper = best == grid.size - 1
        end = grid[-1] if upper else grid[0]
        new = np.geomspace(
            end, end * widen_factor if upper else end / widen_factor, points // 2 + 1
        )
        new = new[1:]
        seed_x = coords[best]
        extra_nll, extra_x = [], []
        for nu in new:
            f, seed_x = _profile(gp, float(nu), [seed_x, *starts], rms_tol)
            extra_nll.append(f)
            extra_x.append(seed_x)
        if upper:
            grid = np.concatenate([grid, new])
            nll = np.concatenate([nll, extra_nll])
            coords = coords + extra_x
        else:
            grid = np.concatenate([new[::-1], grid])
            nll = np.concatenate([extra_nll[::-1], nll])
            coords = extra_x[::-1] + coords
        best = int(np.argmin(nll))
    lo, hi = grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)]
    cache: dict[float, tuple[float, np.ndarray]] = {}

    def profile(log_nu: float) -> float:
        cache[log_nu] = _profile(gp, float(np.exp(log_nu)), [coords[best]], rms_tol)
        return cache[log_nu][0]

    nu_opt, nll_opt, x_opt = float(grid[best]), float(nll[best]), coords[best]
    if 0 < best < grid.size - 1:
        res = minimize_scalar(
            profile, bounds=(np.log(lo), np.log(hi)), method="bounded", options={"xatol": 1e-4}
        )
        if np.isfinite(res.fun) and res.fun < nll_opt:
            nu_opt, nll_opt, x_opt = float(np.exp(res.x)), float(res.fun), cache[res.x][1]
    nearest = float(max(np.round(nu_opt - 0.5), 0.0) + 0.5)
    at_bound = bool(best in (0, grid.size - 1))
    bound = None if not at_bound else ("upper" if best == grid.size - 1 else "lower")
    is_half = bool(abs(nu_opt - nearest) <= tol)
    if at_bound:
        way = "towards larger nu (smoother)" if bound == "upper" else "towards smaller nu"
        verdict = (
            f"optimum at the {bound} bound nu={nu_opt:.4g} of the searched range "
            f"[{grid[0]:.4g}, {grid[-1]:.4g}]: the likelihood keeps improving "
            f"{way}; no half-integer verdict"
        )
    else:
        verdict = (
            f"interior optimum nu={nu_opt:.4g}: {'a' if is_half else 'not a'} half-integer "
            f"(nearest {nearest:g}, tolerance {tol:g})"
        )
    half = {
        h: float(nll[np.flatnonzero(grid == h)[0]])
        if h in halves
        else _profile(gp, h, [x_opt, *starts], rms_tol)[0]
        for h in (0.5, 1.5, 2.5)
    }
    return OptimalNu(
        nu=nu_opt,
        nll=nll_opt,
        coords=np.asarray(x_opt, dtype=float),
        nearest_half_integer=nearest,
        is_half_integer=is_half,
        at_bound=at_bound,
        profile_nu=grid,
        profile_nll=np.asarray(nll, dtype=float),
        half_integer_nll=half,
        bound=bound,
        search_range=(float(grid[0]), float(grid[-1])),
        verdict=verdict,
    )
