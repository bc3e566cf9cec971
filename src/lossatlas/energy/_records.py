"""Records of a :class:`~lossatlas.energy._database.Database`: a minimum and a transition state.

Plain frozen dataclasses with JSON-safe ``to_dict`` (D. J. Wales, *Energy Landscapes*, CUP
2003: the stationary points a landscape database holds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Minimum", "TransitionState"]


def _json_float(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


@dataclass(frozen=True)
class Minimum:
    """A stored local minimum.

    Attributes
    ----------
    id : int
        Database id (1-based, stable).
    energy : float
        Loss at the minimum.
    coords : numpy.ndarray
        Canonicalised coordinates (float64).
    fvib : float or None
        Sum of the logarithms of the positive Hessian eigenvalues.
    n_positive : int or None
        Number of positive Hessian eigenvalues.
    lowest_eigenvalue : float or None
        Lowest Hessian eigenvalue.
    """

    id: int
    energy: float
    coords: np.ndarray
    fvib: float | None = None
    n_positive: int | None = None
    lowest_eigenvalue: float | None = None

    def to_dict(self, *, coords: bool = False) -> dict[str, Any]:
        """JSON-safe fields (NaN and infinities as None); ``coords`` adds the coordinates.

        Parameters
        ----------
        coords : bool, default False
            Include the coordinates.

        Returns
        -------
        dict
            ``id``, ``energy``, ``fvib``, ``n_positive``, ``lowest_eigenvalue`` (and
            ``coords``, a list of floats).
        """
        out: dict[str, Any] = {
            "id": self.id,
            "energy": self.energy,
            "fvib": _json_float(self.fvib),
            "n_positive": self.n_positive,
            "lowest_eigenvalue": _json_float(self.lowest_eigenvalue),
        }
        if coords:
            out["coords"] = self.coords.tolist()
        return out


@dataclass(frozen=True)
class TransitionState:
    """A stored transition state (index-1 saddle) joining minima ``min1`` and ``min2``."""

    id: int
    energy: float
    coords: np.ndarray
    min1: int
    min2: int
    negative_eigenvalue: float | None = None
    fvib: float | None = None

    def to_dict(self, *, coords: bool = False) -> dict[str, Any]:
        """JSON-safe fields (NaN and infinities as None); ``coords`` adds the coordinates.

        Parameters
        ----------
        coords : bool, default False
            Include the coordinates.

        Returns
        -------
        dict
            ``id``, ``energy``, ``min1``, ``min2``, ``negative_eigenvalue``, ``fvib`` (and
            ``coords``, a list of floats).
        """
        out: dict[str, Any] = {
            "id": self.id,
            "energy": self.energy,
            "min1": self.min1,
            "min2": self.min2,
            "negative_eigenvalue": _json_float(self.negative_eigenvalue),
            "fvib": _json_float(self.fvib),
        }
        if coords:
            out["coords"] = self.coords.tolist()
        return out
