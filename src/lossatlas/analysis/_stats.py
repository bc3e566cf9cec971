"""Correlation helpers that return NaN instead of warning on degenerate input."""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["average_ranks", "pearson", "spearman"]


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation; NaN when fewer than 2 points or either side is constant."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if len(x) < 2:
        return float("nan")
    xc = x - x.mean()
    yc = y - y.mean()
    sxx, syy = float(xc @ xc), float(yc @ yc)
    # constant up to round-off: the mean of equal floats need not equal them exactly
    if sxx <= 1e-24 * float(x @ x) or syy <= 1e-24 * float(y @ y):
        return float("nan")
    denom = np.sqrt(sxx * syy)
    if denom == 0 or not np.isfinite(denom):
        return float("nan")
    return float(np.clip((xc @ yc) / denom, -1.0, 1.0))


def average_ranks(x: np.ndarray) -> np.ndarray:
    """Average ranks (1-based, ties averaged), as ``scipy.stats.rankdata``.

    Small non-negative integer arrays (grid distances, counts) are ranked by counting in
    ``O(n)``; everything else goes through ``rankdata``.
    """
    x = np.asarray(x)
    if x.dtype.kind in "iu" and len(x) and x.min() >= 0 and x.max() < 4 * len(x) + 1024:
        counts = np.bincount(x)
        upto = np.cumsum(counts)
        mean_rank = upto - (counts - 1) / 2.0
        return mean_rank[x]
    return stats.rankdata(x)


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman rank correlation (average ranks for ties); NaN when undefined."""
    if len(x) < 2:
        return float("nan")
    return pearson(average_ranks(x), average_ranks(y))
