"""Transition states between two minima: DNEB, eigenvector-following refinement and push-off.

:func:`find_transition_states` is the single-pair search of the OPTIM tool chain (Wales,
*Energy Landscapes*, CUP 2003, ch. 6): a doubly-nudged elastic band between two minima
(Trygubenko & Wales 2004) gives candidates (the local maxima of energy along the band); each
candidate is refined to an index-1 saddle by hybrid eigenvector-following (Munro & Wales 1999);
each saddle is pushed off along its reaction coordinate both ways and minimised, which tells
which two minima it connects. The algorithms live in :mod:`lossatlas.energy._neb` and
:mod:`lossatlas.energy._eigenfollow` and are re-exported here.

References
----------
.. [1] S. A. Trygubenko and D. J. Wales, J. Chem. Phys. 120, 2082 (2004).
.. [2] L. J. Munro and D. J. Wales, Phys. Rev. B 59, 3969 (1999).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from lossatlas._threads import limit_blas
from lossatlas.energy._eigenfollow import (
    SaddleResult,
    hybrid_eigenvector_following,
)
from lossatlas.energy._harmonic import hessian_summary
from lossatlas.energy._minimize import MinimizeResult, minimize
from lossatlas.energy._neb import BandResult, doubly_nudged_elastic_band
from lossatlas.energy._options import DNEBOptions
from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.energy._database import Database
    from lossatlas.energy.potentials import Potential

__all__ = [
    "SaddleConnection",
    "TransitionStateSearch",
    "push_off",
    "find_transition_states",
    "orbit_distance",
    "align_to",
]


def push_off(
    potential: Potential,
    saddle: SaddleResult,
    *,
    displacement: float = 0.2,
    rms_tol: float = 1e-6,
    max_iterations: int = 10_000,
    polish: bool = False,
    polish_tol: float = 1e-9,
) -> tuple[MinimizeResult, MinimizeResult]:
    """Minimise from both sides of a saddle along its reaction coordinate.

    The start points are ``x_ts +/- displacement * v`` with ``v`` the unit eigenvector of the
    negative Hessian eigenvalue; ``displacement`` is a Euclidean distance in coordinate units
    (weights for a network; 0.2 is the reference value). When a start point is not lower in
    energy than the saddle (the step overshot into another region) the displacement for that
    side is halved, up to 20 times.

    Parameters
    ----------
    potential : Potential
    saddle : SaddleResult
    displacement : float, default 0.2
    rms_tol : float, default 1e-6
        RMS-gradient tolerance of the two minimisations.
    max_iterations : int, default 10000
    polish : bool, default False
        Newton-polish the minima (dense Hessian) to ``polish_tol``, as for stored minima in the
        reference.
    polish_tol : float, default 1e-9

    Returns
    -------
    plus, minus : MinimizeResult
        Minimisations started on the ``+v`` and ``-v`` sides.
    """
    if displacement <= 0:
        raise InputError(f"push-off displacement must be positive, got {displacement}")
    v = np.asarray(saddle.eigenvector, dtype=float)
    v = v / np.linalg.norm(v)
    results = []
    for sign in (1.0, -1.0):
        step = displacement
        start = saddle.x + sign * step * v
        for _ in range(20):
            if potential.energy(start) < saddle.energy:
                break
            step *= 0.5
            start = saddle.x + sign * step * v
        results.append(
            minimize(
                potential,
                start,
                rms_tol=rms_tol,
                max_iterations=max_iterations,
                polish=polish,
                polish_tol=polish_tol,
            )
        )
    return results[0], results[1]


@dataclass(frozen=True)
class SaddleConnection:
    """An index-1 saddle with the two minima found by pushing off from it.

    Attributes
    ----------
    saddle : SaddleResult
    minimum_plus, minimum_minus : MinimizeResult
        Minima reached from the ``+v`` and ``-v`` sides.
    min_plus_id, min_minus_id : int or None
        Their database ids (when a database was given).
    ts_id : int or None
        The saddle's database id; None without a database or when both sides reach the same
        minimum (such a saddle is not stored).
    joins_endpoints : bool
        Whether the two minima are the two endpoints of the search (in either order).
    """

    saddle: SaddleResult
    minimum_plus: MinimizeResult
    minimum_minus: MinimizeResult
    min_plus_id: int | None = None
    min_minus_id: int | None = None
    ts_id: int | None = None
    joins_endpoints: bool = False


@dataclass(frozen=True)
class TransitionStateSearch:
    """Outcome of one DNEB + eigenvector-following search between two minima.

    Iterating over it (or ``len``) goes over :attr:`saddles`.

    Attributes
    ----------
    band : BandResult
        The optimised elastic band.
    saddles : list of SaddleConnection
        Distinct converged index-1 saddles, in band order.
    n_candidates : int
        Band maxima refined.
    n_failed : int
        Candidates whose refinement did not converge to an index-1 saddle.
    new_minima, new_transition_states : int
        Records added to the database (0 without one).
    """

    band: BandResult
    saddles: list[SaddleConnection] = field(default_factory=list)
    n_candidates: int = 0
    n_failed: int = 0
    new_minima: int = 0
    new_transition_states: int = 0

    def __iter__(self) -> Iterator[SaddleConnection]:
        return iter(self.saddles)

    def __len__(self) -> int:
        return len(self.saddles)


def orbit_distance(potential: Potential, x: np.ndarray, y: np.ndarray) -> float:
    """Distance of two points up to the symmetries of ``potential``.

    ``potential.symmetry_distance(x, y)`` where the potential has one (the exact minimum over
    symmetric copies for the tanh networks); otherwise the Euclidean distance of
    ``canonicalise``-d coordinates, or of the raw coordinates when that is missing too
    (duck-typed potentials).

    Parameters
    ----------
    potential : Potential
        Defines the symmetries.
    x, y : numpy.ndarray
        Coordinates.

    Returns
    -------
    float
        >= 0.
    """
    sym = getattr(potential, "symmetry_distance", None)
    if sym is not None:
        return float(sym(x, y))
    canon = getattr(potential, "canonicalise", None)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if canon is not None:
        x, y = np.asarray(canon(x), dtype=float), np.asarray(canon(y), dtype=float)
    return float(np.linalg.norm(x.ravel() - y.ravel()))


def align_to(potential: Potential, reference: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The symmetric copy of ``x`` nearest ``reference`` (``potential.align``), or ``x``
    itself where the potential has no ``align`` (duck-typed potentials).

    Parameters
    ----------
    potential : Potential
        Defines the symmetries.
    reference, x : numpy.ndarray
        Coordinates.

    Returns
    -------
    numpy.ndarray
        Same loss as ``x``.
    """
    align = getattr(potential, "align", None)
    x = np.asarray(x, dtype=float).ravel()
    if align is None:
        return x
    return np.asarray(align(np.asarray(reference, dtype=float).ravel(), x), dtype=float).ravel()


def _same_point(
    potential: Potential,
    e1: float,
    x1: np.ndarray,
    e2: float,
    x2: np.ndarray,
    energy_tol: float,
    distance_tol: float,
) -> bool:
    if abs(e1 - e2) > energy_tol:
        return False
    return orbit_distance(potential, x1, x2) <= distance_tol


def _store(potential: Potential, db: Database, minimum: MinimizeResult) -> tuple[int, bool]:
    fvib, n_positive, lowest = hessian_summary(potential, minimum.x)
    record, is_new = db.add_minimum(
        minimum.energy, minimum.x, fvib=fvib, n_positive=n_positive, lowest_eigenvalue=lowest
    )
    return record.id, is_new


def find_transition_states(
    potential: Potential,
    x_start: np.ndarray,
    x_end: np.ndarray,
    *,
    db: Database | None = None,
    rms_tol: float = 1e-6,
    displacement: float = 0.2,
    band_options: DNEBOptions | Mapping[str, Any] | None = None,
    saddle_options: Mapping[str, Any] | None = None,
    polish: bool = True,
    polish_tol: float = 1e-9,
    energy_tol: float = 1e-4,
    distance_tol: float = 1e-3,
    seed: int = 0,
    blas_threads: int | None = 1,
    align_endpoints: bool = True,
) -> TransitionStateSearch:
    """Find the transition states on a DNEB path between two minima and what they connect.

    1. :func:`doubly_nudged_elastic_band` between ``x_start`` and the symmetric copy of
       ``x_end`` nearest it (``potential.align(x_start, x_end)``, when the potential has
       ``align`` and ``align_endpoints`` is true): a band between two far-apart copies of
       the minima would cross many basins although a much shorter path exists;
    2. every candidate (band maximum) is refined by :func:`hybrid_eigenvector_following`,
       started with the band tangent there as the guess of the reaction coordinate;
    3. distinct converged index-1 saddles are pushed off both ways (:func:`push_off`);
    4. with ``db``: both minima are added (with
       :func:`~lossatlas.energy._harmonic.hessian_summary`) and the saddle is stored as a
       transition state joining them, unless both sides reach the same minimum.

    Parameters
    ----------
    potential : Potential
    x_start, x_end : ndarray
        Two minima.
    db : Database, optional
        Where to record minima and transition states.
    rms_tol : float, default 1e-6
        RMS-gradient tolerance of the saddles and of the push-off minimisations.
    displacement : float, default 0.2
        Push-off distance (coordinate units).
    band_options : DNEBOptions or mapping, optional
        Options of :func:`doubly_nudged_elastic_band`.
    saddle_options : mapping, optional
        Extra keyword arguments of :func:`hybrid_eigenvector_following`.
    polish : bool, default True
        Newton-polish the saddles and the push-off minima (dense Hessian) to an RMS gradient of
        ``polish_tol``, as the reference does for stored stationary points: along the nearly
        flat directions of a network an RMS gradient of 1e-6 leaves coordinates uncertain by
        more than a database's distance tolerance.
    polish_tol : float, default 1e-9
    energy_tol, distance_tol : float
        When two saddles, or a push-off minimum and an endpoint, count as the same point
        (energy difference and :func:`orbit_distance`: ``potential.symmetry_distance`` where
        it exists, else the distance of canonicalised coordinates).
    seed : int, default 0
        Seed of the random starting vectors of the eigenvector searches.
    blas_threads : int or None, default 1
        Limit BLAS threads during the search (threadpoolctl, when installed): the small dense
        products and diagonalisations here are many times slower when BLAS threads compete
        for cores. None leaves BLAS alone.

    Returns
    -------
    TransitionStateSearch
    """
    x_start = np.asarray(x_start, dtype=float).ravel()
    x_end = np.asarray(x_end, dtype=float).ravel()
    if align_endpoints and x_start.shape == x_end.shape:
        x_end = align_to(potential, x_start, x_end)
    with limit_blas(blas_threads):
        return _find_transition_states(
            potential,
            x_start,
            x_end,
            db=db,
            rms_tol=rms_tol,
            displacement=displacement,
            band_options=band_options,
            saddle_options=saddle_options,
            polish=polish,
            polish_tol=polish_tol,
            energy_tol=energy_tol,
            distance_tol=distance_tol,
            seed=seed,
        )


def _find_transition_states(
    potential: Potential,
    x_start: np.ndarray,
    x_end: np.ndarray,
    *,
    db: Database | None,
    rms_tol: float,
    displacement: float,
    band_options: DNEBOptions | Mapping[str, Any] | None,
    saddle_options: Mapping[str, Any] | None,
    polish: bool,
    polish_tol: float,
    energy_tol: float,
    distance_tol: float,
    seed: int,
) -> TransitionStateSearch:
    band = doubly_nudged_elastic_band(
        potential, x_start, x_end, options=DNEBOptions.build(band_options)
    )
    e_start, e_end = float(band.energies[0]), float(band.energies[-1])
    hef_kw = {
        "rms_tol": rms_tol,
        "seed": seed,
        "polish_tol": polish_tol if polish else None,
        **dict(saddle_options or {}),
    }
    saddles: list[SaddleConnection] = []
    n_failed = new_minima = new_ts = 0
    for k in band.candidate_indices:
        tangent = band.images[k + 1] - band.images[k - 1]
        saddle = hybrid_eigenvector_following(potential, band.images[k], v0=tangent, **hef_kw)
        if not saddle.converged:
            n_failed += 1
            continue
        if any(
            _same_point(
                potential,
                saddle.energy,
                saddle.x,
                s.saddle.energy,
                s.saddle.x,
                energy_tol,
                distance_tol,
            )
            for s in saddles
        ):
            continue
        plus, minus = push_off(
            potential,
            saddle,
            displacement=displacement,
            rms_tol=rms_tol,
            polish=polish,
            polish_tol=polish_tol,
        )

        def is_end(m: MinimizeResult, e: float, x: np.ndarray) -> bool:
            return _same_point(potential, m.energy, m.x, e, x, energy_tol, distance_tol)

        joins = (is_end(plus, e_start, x_start) and is_end(minus, e_end, x_end)) or (
            is_end(plus, e_end, x_end) and is_end(minus, e_start, x_start)
        )
        ids: list[int | None] = [None, None]
        ts_id = None
        if db is not None:
            for i, m in enumerate((plus, minus)):
                ids[i], is_new = _store(potential, db, m)
                new_minima += int(is_new)
            if ids[0] != ids[1]:
                fvib, _, _ = hessian_summary(potential, saddle.x)
                record, is_new = db.add_transition_state(
                    saddle.energy,
                    saddle.x,
                    int(ids[0]),
                    int(ids[1]),
                    negative_eigenvalue=saddle.eigenvalue,
                    fvib=fvib,
                )
                ts_id = record.id
                new_ts += int(is_new)
        saddles.append(
            SaddleConnection(
                saddle=saddle,
                minimum_plus=plus,
                minimum_minus=minus,
                min_plus_id=ids[0],
                min_minus_id=ids[1],
                ts_id=ts_id,
                joins_endpoints=bool(joins),
            )
        )
    return TransitionStateSearch(
        band=band,
        saddles=saddles,
        n_candidates=int(band.candidate_indices.size),
        n_failed=n_failed,
        new_minima=new_minima,
        new_transition_states=new_ts,
    )
