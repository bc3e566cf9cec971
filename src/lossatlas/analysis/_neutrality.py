"""Neutrality metrics: how flat the landscape is at a threshold epsilon.

Huang & Li (2023, arXiv 2311.14014) found that most one-step moves change the loss by at most 1 %
and that the landscape is flatter near the optimum.
"""

from __future__ import annotations

import numpy as np

from lossatlas.analysis._graph import neighbour_scan
from lossatlas.analysis._optima import distances_to_global, global_optimum, local_optima
from lossatlas.analysis._stats import spearman
from lossatlas.landscape import Landscape

__all__ = ["neutrality", "ndc", "plateau_statistics"]


def neutrality(landscape: Landscape, *, loss: str = "test", epsilon: float = 0.0) -> float:
    """Fraction of neighbour pairs whose losses differ by at most ``epsilon`` (NaN: no edges)."""
    scan = neighbour_scan(landscape, loss=loss, epsilon=epsilon)
    edges = scan.degree.sum()
    return float(scan.neutral_count.sum() / edges) if edges else float("nan")


def ndc(landscape: Landscape, *, loss: str = "test", epsilon: float = 0.0) -> float:
    """Neutrality-distance correlation.

    Spearman correlation between each configuration's share of neutral neighbours and its grid
    distance to the global optimum, over configurations with at least one neighbour. Negative
    values mean the landscape is flatter near the optimum. (A reconstruction of the study's
    measure; the reference marks it (?).)
    """
    scan = neighbour_scan(landscape, loss=loss, epsilon=epsilon)
    has = scan.degree > 0
    share = scan.neutral_count[has] / scan.degree[has]
    return spearman(share, distances_to_global(landscape, loss=loss)[has])


def plateau_statistics(
    landscape: Landscape, *, loss: str = "test", epsilon: float = 0.0
) -> dict[str, int]:
    """``n_plateaus``, ``largest_plateau`` (size) and ``global_plateau_size``.

    The global plateau is the one holding the lowest-index configuration of best loss.
    """
    optima = local_optima(landscape, loss=loss, epsilon=epsilon)
    best_row = global_optimum(landscape, loss=loss)[0]
    return {
        "n_plateaus": optima.n_plateaus,
        "largest_plateau": int(optima.plateau_size.max()),
        "global_plateau_size": int(optima.plateau_size[optima.plateau[best_row]]),
    }


def neutral_share(landscape: Landscape, *, loss: str = "test", epsilon: float = 0.0) -> np.ndarray:
    """Per configuration: neutral neighbours / neighbours (NaN for isolated configurations)."""
    scan = neighbour_scan(landscape, loss=loss, epsilon=epsilon)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(scan.degree > 0, scan.neutral_count / np.maximum(scan.degree, 1), np.nan)
