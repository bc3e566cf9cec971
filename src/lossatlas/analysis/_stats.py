"""Correlation and ranking helpers that return NaN instead of warning on degenerate input.

Every rank correlation of :mod:`lossatlas.analysis` (Spearman in the metrics, the similarity
measures, the plot data) goes through this module, so they share one tie rule: float values
closer than a round-off tolerance of ``1e-9 * max(1, max |x|)`` to their sorted neighbour tie
(equal averages summed in another order, ``0.1 + 0.2`` vs ``0.3``), as in
:func:`~lossatlas.analysis._graph.neutral_threshold`. A vector that is constant up to round-off
therefore has constant ranks and a NaN correlation, not a number made of round-off.
"""

from __future__ import annotations

import numpy as np

__all__ = ["average_ranks", "median", "pearson", "spearman", "tie_groups", "tie_tolerance"]


def _dot(x: np.ndarray, y: np.ndarray) -> float:
    """``x @ y`` without BLAS: a multi-threaded OpenBLAS spends several times the CPU of one
    thread waking its pool for one product of 10^6 values."""
    return float(np.einsum("i,i->", x, y))


def median(x: np.ndarray) -> float:
    """``np.median`` of a 1-D array (the same value), without importing ``numpy.ma`` (which
    ``np.median`` does for its NaN check, ~30 ms of the start-up of ``lossatlas analyze``).

    Parameters
    ----------
    x : ndarray of shape (n,), n >= 1

    Returns
    -------
    float
        NaN when ``x`` holds a NaN.
    """
    x = np.sort(np.asarray(x, dtype=np.float64))
    n = len(x)
    if np.isnan(x[-1]):
        return float("nan")
    return float(x[n // 2]) if n % 2 else float((x[n // 2 - 1] + x[n // 2]) / 2)


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation; NaN when fewer than 2 points or either side is constant.

    Parameters
    ----------
    x, y : ndarray
        Aligned samples.

    Returns
    -------
    float
        In ``[-1, 1]``, or NaN (also for sides constant up to round-off).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if len(x) < 2:
        return float("nan")
    xc = x - x.mean()
    yc = y - y.mean()
    sxx, syy = _dot(xc, xc), _dot(yc, yc)
    # constant up to round-off: the mean of equal floats need not equal them exactly
    if sxx <= 1e-24 * _dot(x, x) or syy <= 1e-24 * _dot(y, y):
        return float("nan")
    denom = np.sqrt(sxx * syy)
    if denom == 0 or not np.isfinite(denom):
        return float("nan")
    return float(np.clip(_dot(xc, yc) / denom, -1.0, 1.0))


def tie_tolerance(x: np.ndarray) -> float:
    """Round-off tolerance ``1e-9 * max(1, max |x|)`` over the finite values of ``x``.

    Parameters
    ----------
    x : ndarray

    Returns
    -------
    float
    """
    x = np.asarray(x, dtype=np.float64)
    finite = np.abs(x[np.isfinite(x)])
    return 1e-9 * max(1.0, float(finite.max()) if finite.size else 0.0)


def tie_groups(x: np.ndarray) -> np.ndarray:
    """Dense 0-based rank of every value: equal values (up to round-off) share a group.

    Integers tie when equal. Floats are sorted and a new group starts wherever the gap to the
    previous value exceeds :func:`tie_tolerance`; the groups depend only on the values, not on
    their order.

    Parameters
    ----------
    x : ndarray of shape (n,)
        Finite values (a NaN joins the group below it).

    Returns
    -------
    ndarray of shape (n,), int64
        ``0`` for the lowest group, ``g - 1`` for the highest.
    """
    x = np.asarray(x)
    if x.dtype.kind in "iub":
        return np.unique(x, return_inverse=True)[1].astype(np.int64).reshape(-1)
    x = x.astype(np.float64, copy=False)
    # any sort will do (the groups depend on the sorted values only): numpy's default one is
    # several times faster on distinct floats, the stable one (a merge of runs) on long runs
    runs = len(x) > 1 and np.count_nonzero(x[1:] == x[:-1]) > len(x) // 4
    order = np.argsort(x, kind="stable" if runs else None)
    values = x[order]
    starts = np.diff(values) > tie_tolerance(x)
    groups = np.empty(len(x), dtype=np.int64)
    groups[order] = np.concatenate([[0], np.cumsum(starts)]) if len(x) else []
    return groups


def average_ranks(x: np.ndarray) -> np.ndarray:
    """Average ranks (1-based, ties averaged), as ``scipy.stats.rankdata`` but with round-off ties.

    Small non-negative integer arrays (grid distances, counts) are ranked by counting in
    ``O(n)``; floats tie as in :func:`tie_groups`.

    Parameters
    ----------
    x : ndarray of shape (n,)

    Returns
    -------
    ndarray of shape (n,), float64
        NaN everywhere when ``x`` holds a NaN.
    """
    x = np.asarray(x)
    if x.dtype.kind in "iu" and len(x) and x.min() >= 0 and x.max() < 4 * len(x) + 1024:
        counts = np.bincount(x)
        upto = np.cumsum(counts)
        mean_rank = upto - (counts - 1) / 2.0
        return mean_rank[x]
    if x.dtype.kind == "f" and np.isnan(x).any():
        from scipy import stats  # lazily: scipy.stats costs ~2 s to import

        return stats.rankdata(x)
    groups = tie_groups(x)
    counts = np.bincount(groups)
    upto = np.cumsum(counts)
    return (upto - (counts - 1) / 2.0)[groups]


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman rank correlation (average ranks for ties, round-off ties); NaN when undefined.

    Parameters
    ----------
    x, y : ndarray
        Aligned samples.

    Returns
    -------
    float
        Pearson correlation of the average ranks; NaN with fewer than two points or a side that
        is constant (up to round-off).

    References
    ----------
    Spearman, C. (1904). The proof and measurement of association between two things.
    American Journal of Psychology 15, 72-101.
    """
    if len(x) < 2:
        return float("nan")
    return pearson(average_ranks(x), average_ranks(y))
