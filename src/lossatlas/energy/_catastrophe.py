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

The likelihood-optimal ``nu`` lives in :mod:`lossatlas.energy._optimal_nu`; the sweep's figure
is computed here (:func:`stationary_points_plot_data`) and drawn by
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
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy.optimize import linear_sum_assignment

from lossatlas.energy._minimize import SEARCH_ERRORS, minimize
from lossatlas.energy._plotdata import StationaryBranch, StationaryPointsPlotData
from lossatlas.errors import InputError

__all__ = [
    "Fold",
    "ParameterSweep",
    "StationaryPoint",
    "find_stationary_points",
    "stationary_points_plot_data",
    "sweep_nu",
    "sweep_parameter",
]

# a search that wanders off (overflow, a kernel matrix that is not positive definite) is dropped
_SEARCH_ERRORS = SEARCH_ERRORS


@dataclass(frozen=True)
class StationaryPoint:
    """A minimum (index 0) or saddle (index >= 1) of one potential of the family.

    Attributes
    ----------
    parameter : float
        Control-parameter value.
    coords : ndarray
    energy : float
    index : int
        Number of negative Hessian eigenvalues.
    smallest_abs_eigenvalue : float
        ``min_i |lambda_i|``: goes to zero as the point approaches a fold.
    branch : int
        Id of the branch (the point followed across parameter values); -1 before matching.
    degenerate : bool
        The smallest ``|eigenvalue|`` is below ``min_curvature`` times the largest: the point
        lies on a flat manifold (e.g. a GP whose noise or signal variance has gone to zero),
        where every point passes the gradient test. Such points are kept once per energy and
        not paired into folds.
    """

    parameter: float
    coords: np.ndarray
    energy: float
    index: int
    smallest_abs_eigenvalue: float
    branch: int = -1
    degenerate: bool = False


@dataclass(frozen=True)
class Fold:
    """A minimum and an index-1 saddle that merge between two parameter values.

    Attributes
    ----------
    kind : {"annihilation", "creation"}
        The pair exists below the bracket and vanishes above it (annihilation), or the reverse.
    bracket : (float, float)
        The critical parameter value lies in ``[bracket[0], bracket[1]]``.
    minimum, saddle : StationaryPoint
        The pair at the end of the bracket where it still exists.
    separation : float
        Distance between the two there.
    """

    kind: Literal["annihilation", "creation"]
    bracket: tuple[float, float]
    minimum: StationaryPoint
    saddle: StationaryPoint
    separation: float


@dataclass(frozen=True)
class ParameterSweep:
    """Stationary points along a parameter sweep.

    Attributes
    ----------
    parameter : str
        Name of the control parameter.
    values : ndarray
        The parameter values, ascending.
    points : tuple of tuple of StationaryPoint
        The points found at each value (with branch ids).
    folds : tuple of Fold
        Minimum-saddle pairs that appear or vanish, brackets refined.
    """

    parameter: str
    values: np.ndarray
    points: tuple[tuple[StationaryPoint, ...], ...]
    folds: tuple[Fold, ...] = field(default=())

    def counts(self) -> np.ndarray:
        """``(n_values, 2)``: number of minima and of index-1 saddles at each value."""
        return np.array(
            [[sum(p.index == k for p in pts) for k in (0, 1)] for pts in self.points], dtype=int
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary (coordinates left out).

        Returns
        -------
        dict
            ``parameter``, ``values``, ``counts`` (minima and saddles per value),
            ``stationary_points`` (``value``, ``energy``, ``index``, ``branch``,
            ``smallest_abs_eigenvalue``, ``degenerate``) and ``folds`` (``kind``,
            ``bracket``, ``minimum_energy``, ``saddle_energy``, ``smallest_abs_eigenvalue``).
        """
        return {
            "parameter": self.parameter,
            "values": self.values.tolist(),
            "counts": self.counts().tolist(),
            "stationary_points": [
                {
                    "value": p.parameter,
                    "energy": p.energy,
                    "index": p.index,
                    "branch": p.branch,
                    "smallest_abs_eigenvalue": p.smallest_abs_eigenvalue,
                    "degenerate": p.degenerate,
                }
                for pts in self.points
                for p in pts
            ],
            "folds": [
                {
                    "kind": f.kind,
                    "bracket": list(f.bracket),
                    "minimum_energy": f.minimum.energy,
                    "saddle_energy": f.saddle.energy,
                    "smallest_abs_eigenvalue": min(
                        f.minimum.smallest_abs_eigenvalue, f.saddle.smallest_abs_eigenvalue
                    ),
                }
                for f in self.folds
            ],
        }

    def to_frame(self) -> Any:
        """The stationary points as a :class:`pandas.DataFrame` (one row per point).

        Returns
        -------
        pandas.DataFrame
            Columns ``value``, ``energy``, ``index``, ``branch``, ``smallest_abs_eigenvalue``,
            ``degenerate``.
        """
        import pandas as pd

        columns = ["value", "energy", "index", "branch", "smallest_abs_eigenvalue", "degenerate"]
        return pd.DataFrame(self.to_dict()["stationary_points"], columns=columns)


def _newton(potential: Any, x: np.ndarray, rms_tol: float, max_steps: int) -> np.ndarray | None:
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
    potential: Any,
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


def sweep_nu(gp: Any, values: Sequence[float] | np.ndarray, **options: Any) -> ParameterSweep:
    """:func:`sweep_parameter` over the Matérn smoothness of a ``GaussianProcessNLL``."""
    if not hasattr(gp, "with_nu"):
        raise InputError(f"sweep_nu needs a GaussianProcessNLL (with_nu), got {type(gp).__name__}")
    if getattr(gp, "optimise_nu", False):
        raise InputError("sweep_nu: nu must be a fixed parameter (optimise_nu=False)")
    vals = np.asarray(values, dtype=float)
    if np.any(vals <= 0):
        raise InputError(f"nu values must be positive, got {vals.tolist()}")
    options.setdefault("parameter", "nu")
    return sweep_parameter(gp.with_nu, vals, **options)


def stationary_points_plot_data(sweep: ParameterSweep) -> StationaryPointsPlotData:
    """What the sweep figure shows: energy and smallest ``|Hessian eigenvalue|`` of each
    followed branch, folds marked (draw it with ``plot_stationary_points``).

    Parameters
    ----------
    sweep : ParameterSweep
        The sweep (:func:`sweep_parameter`).

    Returns
    -------
    StationaryPointsPlotData
    """
    branches: dict[int, list[StationaryPoint]] = {}
    for pts in sweep.points:
        for p in pts:
            branches.setdefault(p.branch, []).append(p)
    return StationaryPointsPlotData(
        branches=[
            StationaryBranch(
                index=int(pts[0].index),
                parameter=np.array([p.parameter for p in pts], dtype=float),
                energy=np.array([p.energy for p in pts], dtype=float),
                smallest_abs_eigenvalue=np.array(
                    [max(p.smallest_abs_eigenvalue, 1e-16) for p in pts], dtype=float
                ),
            )
            for pts in branches.values()
        ],
        fold_brackets=[(float(f.bracket[0]), float(f.bracket[1])) for f in sweep.folds],
        parameter=sweep.parameter,
    )
