"""Heat capacity of a loss landscape in the harmonic superposition approximation.

Each stored minimum ``a`` (loss ``L_a``, ``fvib_a = sum_i ln lambda_{a,i}`` over its ``kappa``
positive Hessian eigenvalues) is a harmonic well. At a temperature ``T`` its occupation
probability is

``p_a(T) = exp(-L_a/T - fvib_a/2) / sum_b exp(-L_b/T - fvib_b/2)``

and the heat capacity is ``C(T) = kappa/2 + (<L^2> - <L>^2) / T^2`` (configurational part; the
codes of the field add a kinetic ``kappa/2``, here an option). A peak of ``C(T)`` marks the
temperature where the occupation moves from one group of minima to another; the minima whose
``p_a`` changes most across the peak *drive* it.

Everything is computed in log space: the weights by log-sum-exp, the variance as
``exp(logsumexp(ln p_a + 2 ln|L_a - <L>|) - 2 ln T)``, so that neither ``exp(-L/T)`` nor
``1/T^2`` over- or underflows at tiny ``T``.

References
----------
D. J. Wales, *Energy Landscapes*, Cambridge University Press (2003), ch. 2 (harmonic
superposition approximation).
M. Niroomand, C. Morgan, D. J. Wales et al., "On the capacity and superposition of minima in
neural network loss function landscapes", MLST 3, 025004 (2022).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.special import logsumexp

from lossatlas.energy._json import json_number
from lossatlas.energy._plotdata import HeatCapacityPlotData
from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.energy._database import Database

__all__ = [
    "HeatCapacity",
    "HeatCapacityPeak",
    "default_temperatures",
    "heat_capacity",
    "heat_capacity_from_database",
    "occupation_probabilities",
    "heat_capacity_plot_data",
]


@dataclass(frozen=True)
class HeatCapacityPeak:
    """A local maximum of ``C(T)`` and the minima that drive it.

    Attributes
    ----------
    T, C : float
        Temperature and heat capacity at the peak (grid point).
    index : int
        Index of the peak in the temperature grid.
    T_low, T_high : float
        Where the excess ``C - baseline`` has fallen to half its peak value on either side (or
        the nearest local minimum of ``C``, or the end of the grid): the window across which the
        occupation changes are measured.
    drivers : tuple of (int, float)
        ``(minimum id, p_a(T_high) - p_a(T_low))`` for the minima whose occupation changes by at
        least ``driver_fraction`` of the largest change, largest ``|change|`` first. Negative
        changes are minima emptied as ``T`` rises (usually the low ones), positive ones are
        minima filled.
    """

    T: float
    C: float
    index: int
    T_low: float
    T_high: float
    drivers: tuple[tuple[int, float], ...]


@dataclass(frozen=True)
class HeatCapacity:
    """``C(T)`` of a set of minima and what goes with it.

    Attributes
    ----------
    T : ndarray, shape (n_T,)
        Temperatures.
    C : ndarray, shape (n_T,)
        Heat capacity.
    mean_energy : ndarray, shape (n_T,)
        ``<L>(T)``.
    occupation : ndarray, shape (n_T, n_minima)
        ``p_a(T)``, rows sum to 1.
    minima_ids : ndarray, shape (n_minima,)
        The ids of the minima (columns of ``occupation``).
    kappa : int
        Number of vibrational degrees of freedom.
    kinetic : bool
        Whether the kinetic ``kappa/2`` is included.
    peaks : tuple of HeatCapacityPeak
        Interior local maxima of ``C``, in ascending temperature.
    """

    T: np.ndarray
    C: np.ndarray
    mean_energy: np.ndarray
    occupation: np.ndarray
    minima_ids: np.ndarray
    kappa: int
    kinetic: bool
    peaks: tuple[HeatCapacityPeak, ...]

    @property
    def baseline(self) -> float:
        """The harmonic part, ``kappa/2`` (``kappa`` with the kinetic term)."""
        return self.kappa * (1.0 if self.kinetic else 0.5)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary: the curve and its peaks (the shape ``energy cv --format json``
        documents).

        Returns
        -------
        dict
            ``T``, ``C`` (lists) and ``peaks`` (a list of ``{"T", "C"}``).
        """
        return {
            "T": [json_number(t) for t in self.T],
            "C": [json_number(c) for c in self.C],
            "peaks": [{"T": json_number(p.T), "C": json_number(p.C)} for p in self.peaks],
        }

    def to_frame(self) -> Any:
        """The curve as a :class:`pandas.DataFrame` with columns ``T`` and ``C``.

        Returns
        -------
        pandas.DataFrame
        """
        import pandas as pd

        return pd.DataFrame({"T": np.asarray(self.T, float), "C": np.asarray(self.C, float)})


def _as_arrays(
    energies: Sequence[float] | np.ndarray, fvib: Sequence[float] | np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    e = np.asarray(energies, dtype=float).ravel()
    if e.size == 0:
        raise InputError("heat capacity: no minima given")
    if not np.all(np.isfinite(e)):
        raise InputError(f"heat capacity: minima energies must be finite, got {e[~np.isfinite(e)]}")
    f = np.zeros_like(e) if fvib is None else np.asarray(fvib, dtype=float).ravel()
    if f.shape != e.shape:
        raise InputError(f"heat capacity: {e.size} energies but {f.size} fvib values")
    if not np.all(np.isfinite(f)):
        raise InputError("heat capacity: fvib values must be finite")
    return e, f


def _temperatures(T: Sequence[float] | np.ndarray | float) -> np.ndarray:
    t = np.atleast_1d(np.asarray(T, dtype=float))
    if t.ndim != 1 or t.size == 0 or not np.all(np.isfinite(t)) or np.any(t <= 0):
        raise InputError(f"temperatures must be positive and finite, got {t}")
    return t


def occupation_probabilities(
    energies: Sequence[float] | np.ndarray,
    temperatures: Sequence[float] | np.ndarray | float,
    *,
    fvib: Sequence[float] | np.ndarray | None = None,
) -> np.ndarray:
    """Harmonic-superposition occupation probabilities ``p_a(T)``.

    ``ln w_a = -L_a/T - fvib_a/2``, ``p_a = exp(ln w_a - logsumexp_b ln w_b)``.

    Parameters
    ----------
    energies : array_like, shape (n,)
        Loss of each minimum.
    temperatures : float or array_like, shape (n_T,)
        Positive temperatures.
    fvib : array_like, shape (n,), optional
        Log products of the positive Hessian eigenvalues; zeros when not given (every well
        equally wide).

    Returns
    -------
    ndarray, shape (n_T, n)
    """
    e, f = _as_arrays(energies, fvib)
    return np.exp(_log_occupations(e - e.min(), f, _temperatures(temperatures)))


def _log_occupations(shifted: np.ndarray, fvib: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``ln p_a(T)``, shape (n_T, n), from losses shifted to a zero minimum."""
    logw = -shifted[None, :] / t[:, None] - 0.5 * fvib[None, :]
    return logw - logsumexp(logw, axis=1, keepdims=True)


def _log_variance_over_t2(e: np.ndarray, logp: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``ln((<L^2> - <L>^2)/T^2)`` from log occupations, without forming ``1/T^2``."""
    p = np.exp(logp)
    mean = p @ e
    dev = np.abs(e[None, :] - mean[:, None])
    with np.errstate(divide="ignore"):
        terms = logp + 2.0 * np.log(dev)
    out = np.full(t.size, -np.inf)
    finite = np.isfinite(terms).any(axis=1)
    out[finite] = logsumexp(terms[finite], axis=1)
    return out - 2.0 * np.log(t)


def heat_capacity(
    energies: Sequence[float] | np.ndarray,
    temperatures: Sequence[float] | np.ndarray,
    *,
    fvib: Sequence[float] | np.ndarray | None = None,
    kappa: int,
    kinetic: bool = False,
    minima_ids: Sequence[int] | np.ndarray | None = None,
    driver_fraction: float = 0.1,
) -> HeatCapacity:
    """Heat capacity ``C(T)`` in the harmonic superposition approximation.

    ``C(T) = kappa/2 + (<L^2> - <L>^2)/T^2`` with ``<.>`` over ``p_a(T)`` (see
    :func:`occupation_probabilities`), plus another ``kappa/2`` when ``kinetic``.

    Parameters
    ----------
    energies : array_like, shape (n,)
        Loss of each minimum.
    temperatures : array_like, shape (n_T,)
        Positive temperatures, ascending for peak detection.
    fvib : array_like, shape (n,), optional
        ``sum_i ln lambda_{a,i}`` per minimum; zeros when not given.
    kappa : int
        Number of positive Hessian eigenvalues (vibrational degrees of freedom), e.g. the
        number of weights.
    kinetic : bool, default False
        Add the kinetic ``kappa/2`` that molecular codes include.
    minima_ids : array_like of int, optional
        Ids of the minima (default ``0..n-1``), used to name the drivers of each peak.
    driver_fraction : float, default 0.1
        A minimum drives a peak when its occupation change across the peak is at least this
        fraction of the largest change.

    Returns
    -------
    HeatCapacity

    Examples
    --------
    >>> hc = heat_capacity([0.0, 1.0], [0.1, 0.5, 2.0], kappa=2)
    >>> round(float(hc.C[1]), 4)  # 1 + p1 p2 / T^2 with p2/p1 = exp(-2)
    1.42
    """
    e, f = _as_arrays(energies, fvib)
    t = _temperatures(temperatures)
    if int(kappa) < 0:
        raise InputError(f"heat capacity: kappa must be >= 0, got {kappa}")
    ids = np.arange(e.size) if minima_ids is None else np.asarray(minima_ids, dtype=int)
    if ids.shape != e.shape:
        raise InputError(f"heat capacity: {e.size} energies but {ids.size} minima ids")
    shifted = e - e.min()
    logp = _log_occupations(shifted, f, t)
    p = np.exp(logp)
    baseline = int(kappa) * (1.0 if kinetic else 0.5)
    C = baseline + np.exp(_log_variance_over_t2(shifted, logp, t))
    hc = HeatCapacity(
        T=t,
        C=C,
        mean_energy=p @ shifted + e.min(),
        occupation=p,
        minima_ids=ids,
        kappa=int(kappa),
        kinetic=bool(kinetic),
        peaks=(),
    )
    peaks = tuple(_peaks(hc, baseline, driver_fraction))
    return HeatCapacity(**{**hc.__dict__, "peaks": peaks})


def _peaks(hc: HeatCapacity, baseline: float, driver_fraction: float) -> list[HeatCapacityPeak]:
    """Interior strict local maxima of ``C`` (plateaus count once) and their drivers."""
    C, t = hc.C, hc.T
    n = C.size
    out = []
    i = 1
    while i < n - 1:
        j = i
        while j + 1 < n - 1 and C[j + 1] == C[i]:
            j += 1
        if C[i] > C[i - 1] and C[j] > C[j + 1] and C[i] - baseline > 1e-12 * max(1.0, C[i]):
            k = (i + j) // 2
            half = baseline + 0.5 * (C[k] - baseline)
            lo = k
            while lo > 0 and C[lo] > half and C[lo - 1] <= C[lo]:
                lo -= 1
            hi = k
            while hi < n - 1 and C[hi] > half and C[hi + 1] <= C[hi]:
                hi += 1
            change = hc.occupation[hi] - hc.occupation[lo]
            largest = float(np.max(np.abs(change)))
            order = np.argsort(-np.abs(change), kind="stable")
            drivers = tuple(
                (int(hc.minima_ids[a]), float(change[a]))
                for a in order
                if largest > 0 and abs(change[a]) >= driver_fraction * largest
            )
            out.append(
                HeatCapacityPeak(
                    T=float(t[k]),
                    C=float(C[k]),
                    index=int(k),
                    T_low=float(t[lo]),
                    T_high=float(t[hi]),
                    drivers=drivers,
                )
            )
        i = j + 1
    return out


def default_temperatures(
    energies: Sequence[float] | np.ndarray,
    *,
    tmin: float | None = None,
    tmax: float | None = None,
    points: int = 200,
) -> np.ndarray:
    """A log-spaced temperature grid spanning the energy gaps between minima.

    By default from ``min gap / 50`` to ``2 max gap`` (gaps ``L_a - L_min > 0``), which holds
    every peak of a set of minima whose gaps are of that order; ``tmin``/``tmax`` override.

    Parameters
    ----------
    energies : array_like
        Energies of the minima.
    tmin, tmax : float, optional
        Override the ends.
    points : int, default 200
        Grid size.

    Returns
    -------
    numpy.ndarray
        Increasing temperatures.
    """
    e = np.asarray(energies, dtype=float)
    gaps = np.sort(e - e.min())
    gaps = gaps[gaps > 1e-12 * max(1.0, float(np.abs(e).max(initial=0.0)))]
    lo = gaps[0] / 50.0 if gaps.size else 1e-3
    hi = 2.0 * gaps[-1] if gaps.size else 1.0
    lo = float(tmin) if tmin is not None else lo
    hi = float(tmax) if tmax is not None else max(hi, 10.0 * lo)
    if not (0 < lo < hi) or int(points) < 2:
        raise InputError(
            f"temperature grid needs 0 < tmin < tmax and points >= 2; got tmin={lo}, tmax={hi}, "
            f"points={points}"
        )
    return np.geomspace(lo, hi, int(points))


def heat_capacity_from_database(
    db: Database,
    *,
    temperatures: Sequence[float] | np.ndarray | None = None,
    tmin: float | None = None,
    tmax: float | None = None,
    points: int = 200,
    kappa: int | None = None,
    kinetic: bool = False,
    use_fvib: bool = True,
    driver_fraction: float = 0.1,
) -> HeatCapacity:
    """:func:`heat_capacity` of every minimum stored in a database.

    Parameters
    ----------
    db : Database
    temperatures : array_like, optional
        Explicit grid; otherwise :func:`default_temperatures` with ``tmin``, ``tmax``,
        ``points``.
    kappa : int, optional
        Default: the largest stored ``n_positive`` (the number of non-zero Hessian eigenvalues
        at a minimum), else the length of the coordinate vectors.
    kinetic : bool, default False
    use_fvib : bool, default True
        Use the stored ``fvib``; a minimum without one is an error (say ``use_fvib=False`` to
        weigh all wells alike).

    Returns
    -------
    HeatCapacity
    """
    minima = db.minima()
    if not minima:
        raise InputError(f"database '{db.path}' holds no minima")
    energies = np.array([m.energy for m in minima])
    fvib = None
    if use_fvib:
        missing = [m.id for m in minima if m.fvib is None]
        if missing:
            raise InputError(
                f"database '{db.path}': minima {missing[:10]} have no fvib (column 'fvib'); "
                "store Hessians when exploring or pass use_fvib=False"
            )
        fvib = np.array([m.fvib for m in minima], dtype=float)
    if kappa is None:
        counts = [m.n_positive for m in minima if m.n_positive is not None]
        kappa = max(counts) if counts else int(minima[0].coords.size)
    t = (
        default_temperatures(energies, tmin=tmin, tmax=tmax, points=points)
        if temperatures is None
        else temperatures
    )
    return heat_capacity(
        energies,
        t,
        fvib=fvib,
        kappa=kappa,
        kinetic=kinetic,
        minima_ids=[m.id for m in minima],
        driver_fraction=driver_fraction,
    )


def heat_capacity_plot_data(hc: HeatCapacity, *, log_t: bool = True) -> HeatCapacityPlotData:
    """What the ``C(T)`` figure shows: the curve and its peaks (draw it with
    ``plot_heat_capacity``).

    Parameters
    ----------
    hc : HeatCapacity
        The heat capacity (:func:`heat_capacity`).
    log_t : bool, default True
        Logarithmic temperature axis.

    Returns
    -------
    HeatCapacityPlotData
    """
    return HeatCapacityPlotData(
        T=np.asarray(hc.T, dtype=float),
        C=np.asarray(hc.C, dtype=float),
        peak_T=np.array([p.T for p in hc.peaks], dtype=float),
        peak_C=np.array([p.C for p in hc.peaks], dtype=float),
        log_t=bool(log_t),
        title=f"heat capacity (kappa={hc.kappa}{', kinetic' if hc.kinetic else ''})",
    )
