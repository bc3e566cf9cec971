"""Evolvability-enhancing changes (Wagner 2023): moves after which the neighbourhood is better.

A change of one HP's value (an ordered neighbour pair ``s -> t`` differing in HP ``p``) is
*evolvability-enhancing* (EE) when the mean value of ``t``'s other neighbours (those reached by
changing an HP other than ``p``) exceeds that of ``s``'s by significantly more than
``max(0, effect)``: the change opens a better neighbourhood than its own effect explains.
GraphFLA's test (``analysis/_evolvability.py``): a two-sided one-sample t-test with the sum of
the two neighbourhoods' population variances, ``n = min`` of their sizes (at least 2),
``n - 1`` degrees of freedom, against the focal effect when it is beneficial and against zero
otherwise; Benjamini-Hochberg over every ordered pair (untestable pairs count as ``p = 1``).

References
----------
Wagner, A. (2023). Evolvability-enhancing mutations in the fitness landscapes of an RNA and a
protein. Nat. Commun. 14, 3624.
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. J. R. Stat. Soc. B
57, 289-300.
GraphFLA 0.4.0 (COLA-Laboratory/GraphFLA), ``analysis/robustness.py``.
"""

from __future__ import annotations

import numpy as np

from lossatlas.analysis._graph import neighbour_graph
from lossatlas.analysis._improving import goodness
from lossatlas.analysis._neighbourhood import Neighbourhood, resolve_neighbourhood
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape

__all__ = ["evolvability_enhancing_fraction"]


def _bh_adjusted(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values; NaN (untestable) enter the family as 1."""
    valid = np.isfinite(p)
    values = np.where(valid, p, 1.0)
    m = len(values)
    if m == 0:
        return values
    order = np.argsort(values, kind="stable")
    ranked = values[order] * m / np.arange(1, m + 1)
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(1.0, np.minimum.accumulate(ranked[::-1])[::-1])
    adjusted[~valid] = np.nan
    return adjusted


def _p_values(difference: np.ndarray, variance: np.ndarray, n: np.ndarray) -> np.ndarray:
    from scipy.stats import t

    p = np.full(len(difference), np.nan)
    regular = (n >= 2) & (variance > 0)
    stat = difference[regular] / np.sqrt(variance[regular] / n[regular])
    p[regular] = 2 * t.sf(np.abs(stat), n[regular] - 1)
    point = (n >= 2) & (variance == 0)  # a point mass: no evidence unless it differs
    p[point] = np.where(difference[point] == 0, 1.0, 0.0)
    return p


def evolvability_enhancing_fraction(
    landscape: Landscape,
    *,
    loss: str = "test",
    fdr: float = 0.01,
    neighbourhood: Neighbourhood | None = None,
) -> float:
    """Fraction of ordered neighbour pairs that are evolvability-enhancing (Wagner 2023).

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
    fdr : float, default 0.01
        Benjamini-Hochberg false discovery rate, in (0, 1).
    neighbourhood : Neighbourhood, optional
        Whose moves are the changes and the neighbourhoods; default the 1-edit one.

    Returns
    -------
    float
        EE pairs / all ordered pairs; NaN when no pair is testable (every end needs two other
        neighbours). Values are improvements of ``-loss``.

    Notes
    -----
    ``O(d m n)`` for ``d`` HPs and ``m`` move types: the neighbourhood moments of every
    (configuration, focal HP), then one vectorised test per ordered pair.

    References
    ----------
    Wagner (2023); Benjamini & Hochberg (1995); GraphFLA 0.4.0,
    ``evolvability_enhancing_fraction``.
    """
    if not 0 < fdr < 1:
        raise InputError(f"fdr must be in (0, 1), not {fdr}")
    nb = resolve_neighbourhood(neighbourhood)
    graph = neighbour_graph(landscape, neighbourhood=nb)
    f = goodness(landscape, loss)
    f = f - f[0]  # an offset must not enter the round-off guard
    d, n = len(landscape.space), landscape.n
    total = np.zeros((d, n))
    count = np.zeros((d, n), dtype=np.int64)
    for k in range(graph.n_moves):
        target = graph.targets[k]
        valid = target >= 0
        h = int(graph.move_hp[k])
        total[h] += np.where(valid, f[np.where(valid, target, 0)], 0.0)
        count[h] += valid
    # moments of the neighbours reached through an HP other than the focal one
    other = count.sum(axis=0) - count
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (total.sum(axis=0) - total) / other
    spread = np.zeros((d, n))
    for k in range(graph.n_moves):
        target = graph.targets[k]
        valid = target >= 0
        value = f[np.where(valid, target, 0)]
        h = int(graph.move_hp[k])
        for p in range(d):
            if p != h:
                spread[p] += np.where(valid, (value - mean[p]) ** 2, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = spread / other
    rows = np.arange(n)
    source, target, focal = [], [], []
    for k in range(graph.n_moves):
        valid = graph.targets[k] >= 0
        source.append(rows[valid])
        target.append(graph.targets[k][valid].astype(np.int64))
        focal.append(np.full(int(valid.sum()), int(graph.move_hp[k])))
    if not source or not sum(len(s) for s in source):
        return float("nan")
    s, t, p = np.concatenate(source), np.concatenate(target), np.concatenate(focal)
    effect = f[t] - f[s]
    shift = mean[p, t] - mean[p, s]
    var = variance[p, s] + variance[p, t]
    size = np.minimum(other[p, s], other[p, t])
    p_effect = _p_values(shift - effect, var, size)
    p_zero = _p_values(shift, var, size)
    reject = np.where(effect > 0, _bh_adjusted(p_effect) <= fdr, _bh_adjusted(p_zero) <= fdr)
    testable = np.isfinite(np.where(effect > 0, p_effect, p_zero))
    if not testable.any():
        return float("nan")
    with np.errstate(invalid="ignore"):
        scale = np.maximum.reduce(
            [np.abs(mean[p, s]), np.abs(mean[p, t]), np.abs(f[s]), np.abs(f[t])]
        )
        enhancing = reject & (shift - np.maximum(0.0, effect) > 8 * np.finfo(float).eps * scale)
    return float(np.count_nonzero(enhancing) / len(s))
