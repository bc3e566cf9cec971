"""Records of a parameter sweep: stationary points, folds, the sweep, and its plot data.

What :func:`~lossatlas.energy._catastrophe.sweep_parameter` returns (Wales, Science 293, 2067
(2001): catastrophes of potential energy surfaces), with JSON-safe ``to_dict``, a ``to_frame``
and the data of its figure (:func:`stationary_points_plot_data`, drawn by
:func:`~lossatlas.energy._plots.plot_stationary_points`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from lossatlas.energy._plotdata import StationaryBranch, StationaryPointsPlotData

__all__ = ["Fold", "ParameterSweep", "StationaryPoint", "stationary_points_plot_data"]


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
    events : tuple of dict
        Every point that appeared or vanished between neighbouring values outside a plain fold
        pairing: ``kind`` (appeared/vanished), ``index``, ``bracket``, ``energy`` and
        ``explanation`` (fold found by a targeted partner search, degenerate point, or no
        partner).
    """

    parameter: str
    values: np.ndarray
    points: tuple[tuple[StationaryPoint, ...], ...]
    folds: tuple[Fold, ...] = field(default=())
    events: tuple[dict[str, Any], ...] = field(default=())

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
            "events": [dict(e) for e in self.events],
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
