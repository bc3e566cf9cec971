"""Catastrophes: how stationary points appear and vanish as a control parameter changes.

Sweep a parameter ``c`` of a family of potentials ``V_c`` (the Matérn smoothness ``nu`` of a
Gaussian-process likelihood; any option of any potential in general). At each value the minima
and index-1 saddles are located, from random starts and from the points found at the previous
value (continuation); points of neighbouring values are matched by index and distance
(Hungarian assignment). A *fold* catastrophe is a minimum and a saddle that merge and vanish
between two values: the Hessian eigenvalue along the merging direction goes to zero there. The
critical value is bracketed by bisection on ``c``.

Stationary points of any index are located by damped Newton-Raphson on the gradient
(``dx = -H^+ g`` with backtracking on ``|g|``), minima also by L-BFGS; both need the Hessian,
so this is for potentials with a few tens of coordinates (Gaussian-process hyperparameters,
small networks).

The likelihood-optimal ``nu`` lives in :mod:`lossatlas.energy._optimal_nu`; the records of a
sweep and the data of its figure in :mod:`lossatlas.energy._stationary`; the drawing in
:func:`lossatlas.energy._plots.plot_stationary_points`.

References
----------
R. Thom, *Structural Stability and Morphogenesis* (1972); D. J. Wales, "A microscopic basis for
the global appearance of energy landscapes", Science 293, 2067 (2001) (catastrophes of
potential energy surfaces).
M. Niroomand, L. Dicks, E. Pyzer-Knapp and D. J. Wales, "Physics inspired approaches to
understanding Gaussian processes", arXiv:2305.10748 (2023) (the landscape of the GP likelihood
as nu varies).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from scipy.optimize import linear_sum_assignment

from lossatlas.energy._minimize import SEARCH_ERRORS, minimize
from lossatlas.energy._stationary import Fold, ParameterSweep, StationaryPoint
from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.energy.potentials import GaussianProcessNLL, Potential

__all__ = ["find_stationary_points", "sweep_nu", "sweep_parameter"]

# a search that wanders off (overflow, a kernel matrix that is not positive definite) is dropped
_SEARCH_ERRORS = SEARCH_ERRORS


def _newton(
    potential: Potential, x: np.ndarray, rms_tol: float, max_steps: int
) -> np.ndarray | None:
    """Damped Newton-Raphson on ``g(x) = 0``; None when it does not converge."""
    g = np.asarray(potential.gradient(x), dtype=float)
    norm = float(np.linalg.norm(g))
    for _ in range(max_steps):
        if norm / np.sqrt(g.size) < rms_tol:
            return x
        h = np.asarray(potential.hessian(x), dtype=float)
        step = -np.linalg.pinv(0.5 * (h + h.T), rcond=1e-12) @ g
        t = 1.0
        while t > 1e-6:
            trial = x + t * step
            g_trial = np.asarray(potential.gradient(trial), dtype=float)
            n_trial = float(np.linalg.norm(g_trial))
            if np.isfinite(n_trial) and n_trial < norm:
                x, g, norm = trial, g_trial, n_trial
                break
            t *= 0.5
        else:
            return None
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


def _match(
    a: Sequence[StationaryPoint], b: Sequence[StationaryPoint], max_distance: float
) -> list[tuple[int, int]]:
    """Pairs ``(i, j)``: point ``a[i]`` continues as ``b[j]`` (same index, nearest overall)."""
    pairs = []
    for index in {p.index for p in a} & {p.index for p in b}:
        ia = [i for i, p in enumerate(a) if p.index == index]
        ib = [j for j, p in enumerate(b) if p.index == index]
        d = np.array([[np.linalg.norm(a[i].coords - b[j].coords) for j in ib] for i in ia])
        rows, cols = linear_sum_assignment(d)
        pairs += [
            (ia[r], ib[c]) for r, c in zip(rows, cols, strict=True) if d[r, c] <= max_distance
        ]
    return pairs


def _pair_exists(
    family: Callable[[float], Any],
    value: float,
    minimum: StationaryPoint,
    saddle: StationaryPoint,
    options: dict[str, Any],
) -> tuple[StationaryPoint, StationaryPoint] | None:
    """The continuation of a minimum-saddle pair at ``value``, if both still exist apart."""
    pot = family(value)
    sep = float(np.linalg.norm(minimum.coords - saddle.coords))
    # near the fold the merging eigenvalue is tiny by nature: no curvature filter here
    pts = find_stationary_points(
        pot,
        [minimum.coords, saddle.coords],
        parameter=value,
        **{**options, "min_curvature": 0.0, "max_iterations": 200},
    )
    mins = [p for p in pts if p.index == 0 and np.linalg.norm(p.coords - minimum.coords) <= sep]
    sads = [p for p in pts if p.index == 1 and np.linalg.norm(p.coords - saddle.coords) <= sep]
    if not mins or not sads:
        return None
    m = min(mins, key=lambda p: np.linalg.norm(p.coords - minimum.coords))
    s = min(sads, key=lambda p: np.linalg.norm(p.coords - saddle.coords))
    return m, s


def _fold(
    family: Callable[[float], Any],
    exists_at: float,
    gone_at: float,
    minimum: StationaryPoint,
    saddle: StationaryPoint,
    kind: Literal["annihilation", "creation"],
    refine: int,
    options: dict[str, Any],
) -> Fold:
    """Bisect between a value where the pair exists and one where it does not."""
    for _ in range(refine):
        mid = 0.5 * (exists_at + gone_at)
        pair = _pair_exists(family, mid, minimum, saddle, options)
        if pair is None:
            gone_at = mid
        else:
            exists_at = mid
            minimum, saddle = pair
    lo, hi = sorted((exists_at, gone_at))
    return Fold(
        kind=kind,
        bracket=(lo, hi),
        minimum=minimum,
        saddle=saddle,
        separation=float(np.linalg.norm(minimum.coords - saddle.coords)),
    )


def sweep_parameter(
    family: Callable[[float], Any],
    values: Sequence[float] | np.ndarray,
    *,
    parameter: str = "parameter",
    n_random: int = 8,
    starts: Sequence[np.ndarray] | None = None,
    seed: int = 0,
    refine: int = 20,
    match_distance: float = np.inf,
    rms_tol: float = 1e-8,
    max_index: int = 1,
    distance_tol: float = 1e-5,
    max_norm: float = 1e3,
    min_curvature: float = 1e-7,
    progress: bool = False,
) -> ParameterSweep:
    """Follow the minima and saddles of ``family(c)`` over ``values`` and find folds.

    Parameters
    ----------
    family : callable
        ``c -> Potential`` (e.g. ``gp.with_nu``); potentials need ``hessian``.
    values : array_like
        Parameter values; sorted ascending.
    parameter : str
        Name of the parameter (for reports and plots).
    n_random : int, default 8
        Random starts (``potential.random_coordinates``) at each value, on top of the points of
        the previous value and ``starts``.
    starts : sequence of array, optional
        Extra start points used at every value.
    seed : int, default 0
    refine : int, default 20
        Bisection steps per fold: the bracket shrinks by ``2**refine``.
    match_distance : float, default inf
        Points of neighbouring values farther apart than this are not matched.
    rms_tol, max_index, distance_tol, max_norm, min_curvature
        See :func:`find_stationary_points`.
    progress : bool, default False

    Returns
    -------
    ParameterSweep

    Notes
    -----
    Between neighbouring values, minima and saddles left unmatched on one side are paired,
    nearest first: a minimum and a saddle that vanish together are an annihilation, a pair
    that appears together a creation. A point that vanishes without a partner (e.g. it left
    ``max_norm``, or a search missed it) is not reported as a fold.
    """
    from tqdm.auto import tqdm

    vals = np.sort(np.asarray(values, dtype=float).ravel())
    if vals.size < 2:
        raise InputError(f"a parameter sweep needs at least 2 values, got {vals.tolist()}")
    rng = np.random.default_rng(seed)
    options: dict[str, Any] = dict(
        rms_tol=rms_tol,
        max_index=max_index,
        distance_tol=distance_tol,
        max_norm=max_norm,
        min_curvature=min_curvature,
    )
    extra = [] if starts is None else [np.asarray(s, dtype=float) for s in starts]
    per_value: list[list[StationaryPoint]] = []
    previous: list[StationaryPoint] = []
    for v in tqdm(vals, desc=f"sweep {parameter}", disable=not progress):
        pot = family(float(v))
        x0 = [p.coords for p in previous] + extra
        x0 += [np.asarray(pot.random_coordinates(rng), dtype=float) for _ in range(n_random)]
        if not x0:
            raise InputError("sweep_parameter: no start points (n_random=0 and no starts)")
        previous = find_stationary_points(pot, x0, parameter=float(v), **options)
        per_value.append(previous)

    next_branch = 0
    labelled: list[list[StationaryPoint]] = []
    folds: list[Fold] = []
    for i, pts in enumerate(per_value):
        branch_of = {}
        if i > 0:
            pairs = _match(labelled[-1], pts, match_distance)
            branch_of = {j: labelled[-1][k].branch for k, j in pairs}
            gone = [labelled[-1][k] for k in range(len(labelled[-1])) if k not in dict(pairs)]
            born = [pts[j] for j in range(len(pts)) if j not in branch_of]
            for side, group in (("annihilation", gone), ("creation", born)):
                mins = [p for p in group if p.index == 0 and not p.degenerate]
                sads = [p for p in group if p.index == 1 and not p.degenerate]
                while mins and sads:
                    m, s = min(
                        ((m, s) for m in mins for s in sads),
                        key=lambda ms: float(np.linalg.norm(ms[0].coords - ms[1].coords)),
                    )
                    mins.remove(m)
                    sads.remove(s)
                    exists, missing = (
                        (vals[i - 1], vals[i]) if side == "annihilation" else (vals[i], vals[i - 1])
                    )
                    folds.append(
                        _fold(family, float(exists), float(missing), m, s, side, refine, options)
                    )
        row = []
        for j, p in enumerate(pts):
            b = branch_of.get(j)
            if b is None:
                b, next_branch = next_branch, next_branch + 1
            row.append(StationaryPoint(**{**p.__dict__, "branch": b}))
        labelled.append(row)
    return ParameterSweep(
        parameter=parameter,
        values=vals,
        points=tuple(tuple(r) for r in labelled),
        folds=tuple(folds),
    )


def sweep_nu(
    gp: GaussianProcessNLL, values: Sequence[float] | np.ndarray, **options: Any
) -> ParameterSweep:
    """:func:`sweep_parameter` over the Matérn smoothness of a ``GaussianProcessNLL``.

    Parameters
    ----------
    gp : GaussianProcessNLL
        The family's member (its ``with_nu``).
    values : array_like
        Values of ``nu``.
    **options
        Options of :func:`sweep_parameter`.

    Returns
    -------
    ParameterSweep
    """
    if not hasattr(gp, "with_nu"):
        raise InputError(f"sweep_nu needs a GaussianProcessNLL (with_nu), got {type(gp).__name__}")
    if getattr(gp, "optimise_nu", False):
        raise InputError("sweep_nu: nu must be a fixed parameter (optimise_nu=False)")
    vals = np.asarray(values, dtype=float)
    if np.any(vals <= 0):
        raise InputError(f"nu values must be positive, got {vals.tolist()}")
    options.setdefault("parameter", "nu")
    return sweep_parameter(gp.with_nu, vals, **options)
