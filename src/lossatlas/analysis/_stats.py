"""Correlation helpers that return NaN instead of warning on degenerate input."""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["pearson", "spearman"]


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation; NaN when fewer than 2 points or either side is constant."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if len(x) < 2:
        return float("nan")
    xc = x - x.mean()
    yc = y - y.mean()
    denom = np.sqrt((xc @ xc) * (yc @ yc))
    if denom == 0 or not np.isfinite(denom):
        return float("nan")
    return float(np.clip((xc @ yc) / denom, -1.0, 1.0))


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman rank correlation (average ranks for ties); NaN when undefined."""
    if len(x) < 2:
        return float("nan")
    return pearson(stats.rankdata(x), stats.rankdata(y))
