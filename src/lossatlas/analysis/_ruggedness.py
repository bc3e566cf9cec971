"""Ruggedness beyond local optima: gradient intensity and the roughness-to-slope ratio.

References
----------
Szendro, I. G., Schenk, M. F., Franke, J., Krug, J. & de Visser, J. A. G. M. (2013).
Quantitative analyses of empirical fitness landscapes. J. Stat. Mech. P01005, Eqs. (3)-(5).
GraphFLA 0.4.0 (COLA-Laboratory/GraphFLA), ``analysis/ruggedness.py`` and ``_roughness.py``.
"""

from __future__ import annotations

import numpy as np

from lossatlas.analysis._improving import improving_edges, objective
from lossatlas.analysis._neighbourhood import Neighbourhood
from lossatlas.landscape import Landscape

__all__ = ["gradient_intensity", "r_s_ratio"]


def gradient_intensity(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> float:
    """Mean ``|dL|`` over the improving edges divided by the mean objective value.

    The improving edges are the neighbour pairs more than ``epsilon`` apart (GraphFLA's graph
    holds no neutral pair) of ``neighbourhood`` (default 1-edit). NaN without such an edge (a
    constant landscape) or with a zero mean.

    References
    ----------
    GraphFLA 0.4.0, ``analysis/ruggedness.py`` (``gradient_intensity``).
    """
    edges = improving_edges(landscape, loss=loss, epsilon=epsilon, neighbourhood=neighbourhood)
    mean = float(objective(landscape, loss).mean())
    if len(edges.gap) == 0 or mean == 0:
        return float("nan")
    return float(edges.gap.mean() / mean)


def _design(landscape: Landscape) -> np.ndarray | None:
    """Intercept, ordinal codes as numbers, boolean 0/1, categorical indicators.

    A categorical HP gets one indicator per value present except its first present value (in
    the HP's value order, GraphFLA's sorted-category reference); an HP with one present value
    is left out.
    """
    codes = landscape.codes
    columns = [np.ones(landscape.n)]
    for j, hp in enumerate(landscape.space.hyperparameters):
        column = codes[:, j].astype(np.int64)
        present = np.unique(column)
        if len(present) < 2:
            continue
        if hp.kind == "categorical":
            columns.extend((column == value).astype(np.float64) for value in present[1:])
        else:
            columns.append(column.astype(np.float64))
    return np.column_stack(columns)


def r_s_ratio(landscape: Landscape, *, loss: str = "test") -> float:
    """Roughness-to-slope ratio ``r / s`` of an additive least-squares fit (Szendro et al. 2013).

    Fit ``f_i = b_0 + sum_j b_j x_ij`` (ordinal HPs by their grid code, booleans 0/1,
    categorical HPs by indicators against their first value), then ``r = sqrt(SSR / N)`` and
    ``s = mean_j |b_j|`` over the non-intercept coefficients. ``inf`` when ``s <= 1e-12`` of
    the value range; NaN on a constant landscape or when the fit is not identifiable (fewer
    configurations than coefficients, a rank-deficient design). Not invariant to relabelling a
    categorical HP with more than two values: the reference value changes ``s``.

    References
    ----------
    Szendro et al. (2013), Eqs. (3)-(5); GraphFLA 0.4.0, ``analysis/_roughness.py``.
    """
    y = objective(landscape, loss).astype(np.float64)
    if np.all(y == y[0]):
        return float("nan")
    design = _design(landscape)
    width = design.shape[1]
    if width == 1 or landscape.n < width:
        return float("nan")
    y = (y - y[0]) / float(np.ptp(y))  # scale-free: r and s scale alike
    y -= y.mean()
    # thin QR (no normal equations, which square the condition number)
    q, r = np.linalg.qr(design, mode="reduced")
    diagonal = np.abs(np.diag(r))
    if diagonal.min() <= max(landscape.n, width) * np.finfo(float).eps * diagonal.max():
        return float("nan")  # rank deficient: the slope is not identifiable
    from scipy.linalg import solve_triangular  # lazily: a costly metric only

    coef = solve_triangular(r, q.T @ y)
    residual = y - design @ coef
    roughness = float(np.sqrt(residual @ residual / landscape.n))
    slope = float(np.mean(np.abs(coef[1:])))
    if slope <= 1e-12:
        return float("inf")
    return roughness / slope
