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

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from scipy.optimize import linear_sum_assignment

from lossatlas._threads import limit_blas
from lossatlas.energy._stationary import Fold, ParameterSweep, StationaryPoint
from lossatlas.energy._stationary_search import find_stationary_points
from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.energy.potentials import GaussianProcessNLL, Potential

__all__ = ["find_stationary_points", "sweep_nu", "sweep_parameter"]


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


def _partner(
    potential: Potential,
    point: StationaryPoint,
    others: Sequence[StationaryPoint],
    options: dict[str, Any],
) -> StationaryPoint | None:
    """A stationary point of the other index (0 <-> 1) near ``point``, not among ``others``."""
    want = 1 - point.index
    h = np.asarray(potential.hessian(point.coords), dtype=float)
    eig, vec = np.linalg.eigh(0.5 * (h + h.T))
    soft = vec[:, int(np.argmin(np.abs(eig)))]
    scale = max(0.1, 0.1 * float(np.linalg.norm(point.coords)))
    starts = [
        point.coords + sign * step * scale * soft
        for step in (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
        for sign in (1.0, -1.0)
    ]
    opts = {**options, "min_curvature": 0.0}
    tol = max(float(options.get("distance_tol", 1e-5)), 1e-8)
    found = find_stationary_points(potential, starts, parameter=point.parameter, **opts)
    cands = [
        p
        for p in found
        if p.index == want
        and np.linalg.norm(p.coords - point.coords) > tol
        and all(np.linalg.norm(p.coords - o.coords) > 10 * tol for o in others)
    ]
    if not cands:
        return None
    return min(cands, key=lambda p: float(np.linalg.norm(p.coords - point.coords)))


def _pair_up(
    family: Callable[[float], Any],
    exists: float,
    missing: float,
    group: list[StationaryPoint],
    side: Literal["annihilation", "creation"],
    refine: int,
    options: dict[str, Any],
) -> tuple[list[Fold], list[dict[str, Any]]]:
    """Folds of the points of one side left unmatched, and events for the rest."""
    folds: list[Fold] = []
    events: list[dict[str, Any]] = []
    mins = [p for p in group if p.index == 0 and not p.degenerate]
    sads = [p for p in group if p.index == 1 and not p.degenerate]
    while mins and sads:
        m, s = min(
            ((m, s) for m in mins for s in sads),
            key=lambda ms: float(np.linalg.norm(ms[0].coords - ms[1].coords)),
        )
        mins.remove(m)
        sads.remove(s)
        folds.append(_fold(family, exists, missing, m, s, side, refine, options))
    lo, hi = sorted((exists, missing))
    what = "vanished" if side == "annihilation" else "appeared"
    for p in [q for q in group if q.degenerate]:
        events.append(
            dict(
                kind=what,
                index=p.index,
                bracket=[lo, hi],
                energy=p.energy,
                explanation="degenerate point on a flat manifold (not a fold)",
            )
        )
    for p in mins + sads:
        partner = _partner(family(exists), p, [q for q in group if q is not p], options)
        if (
            partner is not None
            and _pair_exists(
                family, missing, *((p, partner) if p.index == 0 else (partner, p)), options
            )
            is None
        ):
            m, s = (p, partner) if p.index == 0 else (partner, p)
            folds.append(_fold(family, exists, missing, m, s, side, refine, options))
            events.append(
                dict(
                    kind=what,
                    index=p.index,
                    bracket=[lo, hi],
                    energy=p.energy,
                    explanation="fold with a partner the sweep had missed (targeted search)",
                )
            )
            continue
        events.append(
            dict(
                kind=what,
                index=p.index,
                bracket=[lo, hi],
                energy=p.energy,
                explanation="no partner of the other index found near it: a missed point, "
                "an escape past max_norm, or a change at a higher-index saddle",
            )
        )
    return folds, events


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
    blas_threads: int | None = 1,
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
    blas_threads : int or None, default 1
        BLAS threads during the sweep (None leaves them alone). The kernel matrices are a few
        hundred rows: threads only contend, and on a shared machine a 2-thread Cholesky of a
        309 x 309 matrix measured 58x slower than a 1-thread one.

    Returns
    -------
    ParameterSweep

    Notes
    -----
    Between neighbouring values, minima and saddles left unmatched on one side are paired,
    nearest first: a minimum and a saddle that vanish together are an annihilation, a pair
    that appears together a creation. A point left without a partner gets a targeted search
    for one (Newton-Raphson for a saddle, L-BFGS for a minimum, from the point displaced
    along its softest Hessian direction), since the random starts may simply have missed it;
    a partner found is bisected as a fold. Every other appearance or disappearance is
    recorded in ``events`` with its explanation (a degenerate point on a flat manifold, or no
    partner found), so every change in the number of stationary points is accounted for.
    """
    with limit_blas(blas_threads):
        return _sweep(
            family,
            values,
            parameter=parameter,
            n_random=n_random,
            starts=starts,
            seed=seed,
            refine=refine,
            match_distance=match_distance,
            rms_tol=rms_tol,
            max_index=max_index,
            distance_tol=distance_tol,
            max_norm=max_norm,
            min_curvature=min_curvature,
            progress=progress,
        )


def _sweep(
    family: Callable[[float], Any],
    values: Sequence[float] | np.ndarray,
    *,
    parameter: str,
    n_random: int,
    starts: Sequence[np.ndarray] | None,
    seed: int,
    refine: int,
    match_distance: float,
    rms_tol: float,
    max_index: int,
    distance_tol: float,
    max_norm: float,
    min_curvature: float,
    progress: bool,
) -> ParameterSweep:
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
    events: list[dict[str, Any]] = []
    for i, pts in enumerate(per_value):
        branch_of = {}
        if i > 0:
            pairs = _match(labelled[-1], pts, match_distance)
            branch_of = {j: labelled[-1][k].branch for k, j in pairs}
            gone = [labelled[-1][k] for k in range(len(labelled[-1])) if k not in dict(pairs)]
            born = [pts[j] for j in range(len(pts)) if j not in branch_of]
            for side, group in (("annihilation", gone), ("creation", born)):
                exists, missing = (
                    (vals[i - 1], vals[i]) if side == "annihilation" else (vals[i], vals[i - 1])
                )
                new_folds, new_events = _pair_up(
                    family, float(exists), float(missing), group, side, refine, options
                )
                folds += new_folds
                events += new_events
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
        events=tuple(events),
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
