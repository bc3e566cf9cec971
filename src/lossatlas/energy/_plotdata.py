"""What every energy figure shows, as typed data: the first of the two plotting steps.

Each figure of the energy side is drawn in two steps (the pattern of Optuna's visualisation
module): a function in the analysis module computes one of these NamedTuples from a result
(:func:`~lossatlas.energy._disconnectivity.disconnectivity_plot_data`,
:func:`~lossatlas.energy._msb.msb_plot_data`,
:func:`~lossatlas.energy._thermo.heat_capacity_plot_data`,
:func:`~lossatlas.energy._ensembles.specialisation_plot_data`,
:func:`~lossatlas.energy._stationary.stationary_points_plot_data`), and a renderer in
:mod:`lossatlas.energy._plots` only draws it. Nothing here imports matplotlib.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = [
    "DisconnectivityPlotData",
    "HeatCapacityPlotData",
    "SpecialisationPlotData",
    "StationaryBranch",
    "StationaryPointsPlotData",
]


class DisconnectivityPlotData(NamedTuple):
    """A disconnectivity graph ready to draw (Wales, Miller & Walsh, Nature 394, 758 (1998)).

    Attributes
    ----------
    segments : list of list of (float, float)
        One polyline per non-root node: up from the node to the knee below its parent's level,
        then slanted into the parent's joint.
    stubs : list of (float, float, float)
        ``(x, y0, y1)``: a short vertical line above each root.
    leaf_x, leaf_energy : numpy.ndarray
        Position and energy of each leaf (minimum).
    leaf_ids : numpy.ndarray of int
        The minimum id of each leaf.
    leaf_values : numpy.ndarray or None
        Colour value of each leaf (NaN: no value, drawn grey); None for an uncoloured graph.
    cmap : str
        Colour map of the leaf values.
    colour_label : str or None
        Label of the colour bar.
    label_minima : bool
        Write each minimum's id under its leaf.
    xlim, ylim : (float, float)
        Axis limits.
    """

    segments: list[list[tuple[float, float]]]
    stubs: list[tuple[float, float, float]]
    leaf_x: np.ndarray
    leaf_energy: np.ndarray
    leaf_ids: np.ndarray
    leaf_values: np.ndarray | None
    cmap: str
    colour_label: str | None
    label_minima: bool
    xlim: tuple[float, float]
    ylim: tuple[float, float]


class HeatCapacityPlotData(NamedTuple):
    """``C(T)`` with its peaks (harmonic superposition; Wales, *Energy Landscapes*, 2003).

    Attributes
    ----------
    T, C : numpy.ndarray
        Temperatures and heat capacities.
    peak_T, peak_C : numpy.ndarray
        Positions and heights of the peaks.
    log_t : bool
        Logarithmic temperature axis.
    title : str
        Figure title.
    """

    T: np.ndarray
    C: np.ndarray
    peak_T: np.ndarray
    peak_C: np.ndarray
    log_t: bool
    title: str


class SpecialisationPlotData(NamedTuple):
    """Which test items each minimum gets right, and their overlap (Ballard et al. 2017).

    Attributes
    ----------
    correct : numpy.ndarray of bool, shape (n_minima, n_items)
        Row per minimum, items sorted by how many minima get them right.
    minima_ids : list of int
        Minimum id of each row.
    overlap_fraction : numpy.ndarray, shape (n_minima, n_minima)
        Items both minima get right, as a fraction of the test set.
    """

    correct: np.ndarray
    minima_ids: list[int]
    overlap_fraction: np.ndarray


class StationaryBranch(NamedTuple):
    """One branch of stationary points followed through a sweep.

    Attributes
    ----------
    index : int
        Hessian index (0: minimum, 1: saddle).
    parameter : numpy.ndarray
        Parameter values where the branch exists.
    energy : numpy.ndarray
        Energy along the branch.
    smallest_abs_eigenvalue : numpy.ndarray
        Smallest ``|Hessian eigenvalue|`` along the branch (floored at 1e-16 for a log axis).
    """

    index: int
    parameter: np.ndarray
    energy: np.ndarray
    smallest_abs_eigenvalue: np.ndarray


class StationaryPointsPlotData(NamedTuple):
    """Stationary points against a control parameter, folds marked (Wales, Science 293, 2067
    (2001)).

    Attributes
    ----------
    branches : list of StationaryBranch
        Minima and saddles, one entry per followed branch.
    fold_brackets : list of (float, float)
        Parameter intervals holding a fold.
    parameter : str
        Name of the swept parameter.
    """

    branches: list[StationaryBranch]
    fold_brackets: list[tuple[float, float]]
    parameter: str
