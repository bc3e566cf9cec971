"""Epistasis at the level of configurations: how one HP's effect depends on another's value.

For HP landscapes this is the configuration-level view of HP interactions, next to fANOVA's
variance decomposition (:mod:`lossatlas.analysis._fanova`): ``gamma`` near 1 means changing an
HP has the same effect whatever the other HPs are (additive); near 0 or negative, the effect
depends on the context (sign epistasis when ``gamma_star`` is low).

References
----------
Ferretti, L., Schmiegelt, B., Weinreich, D., Yamauchi, A., Kobayashi, Y., Tajima, F. &
Achaz, G. (2016). Measuring epistasis in fitness landscapes: the correlation of fitness effects
of mutations. J. Theor. Biol. 396, 132-143 (gamma, gamma*).
Chou, H.-H., Chiu, H.-C., Delaney, N. F., Segre, D. & Marx, C. J. (2011). Diminishing returns
epistasis among beneficial mutations decelerates adaptation. Science 332, 1190-1192.
GraphFLA 0.4.0 (COLA-Laboratory/GraphFLA), ``analysis/epistasis/gamma.py``,
``idiosyncrasy.py`` and ``_fitness_trends.py``.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from lossatlas.analysis._improving import goodness, improving_edges
from lossatlas.analysis._neighbourhood import Neighbourhood
from lossatlas.analysis._stats import pearson
from lossatlas.landscape import Landscape

__all__ = [
    "gamma_statistics",
    "gamma",
    "gamma_star",
    "diminishing_returns_index",
    "increasing_costs_index",
    "global_idiosyncratic_index",
]


def _dense(landscape: Landscape, values: np.ndarray) -> np.ndarray:
    grid = np.full(landscape.space.size, np.nan)
    grid[landscape.index] = values
    return grid.reshape(tuple(int(r) for r in landscape.space.radices))


def gamma_statistics(landscape: Landscape, *, loss: str = "test") -> dict[str, float]:
    """``gamma`` and ``gamma_star`` (Ferretti et al. 2016) pooled over every square.

    For a focal HP ``p`` and a pair of its values ``(a, b)``, the effect of ``a -> b`` is measured
    in every background (the other HPs' values) where both are evaluated. For a second HP ``q``,
    backgrounds that differ only in ``q`` form squares; ``gamma`` is the correlation of the effect
    across the two sides of every square, pooled over all ordered HP pairs, value pairs and
    squares: ``sum e e' / sum (e^2 + e'^2) / 2``. ``gamma_star`` does the same with the effects'
    signs. Every pair of values counts, not only neighbouring ones (GraphFLA's definition), so
    an ordinal HP's far steps are included. NaN with fewer than two HPs or no non-zero effect
    (a constant landscape).

    Notes
    -----
    Vectorised on the dense grid (missing configurations NaN): ``O(sum_p C(k_p, 2) d |grid|/k_p)``.

    References
    ----------
    Ferretti et al. (2016); GraphFLA 0.4.0, ``analysis/epistasis/gamma.py``.
    """

    def compute() -> dict[str, float]:
        dims = len(landscape.space)
        if dims < 2:
            return {"gamma": float("nan"), "gamma_star": float("nan")}
        grid = _dense(landscape, landscape.loss(loss))
        num = den = snum = sden = 0.0
        for p in range(dims):
            for a, b in combinations(range(grid.shape[p]), 2):
                effect = np.take(grid, a, axis=p) - np.take(grid, b, axis=p)
                for q in range(dims - 1):  # axes of `effect`: the HPs other than p
                    e = np.moveaxis(effect, q, 0).reshape(effect.shape[q], -1)
                    valid = ~np.isnan(e)
                    count = valid.sum(axis=0)
                    e = np.where(valid, e, 0.0)
                    total = e.sum(axis=0)
                    square = (e * e).sum(axis=0)
                    num += 0.5 * float((total * total - square).sum())
                    den += 0.5 * float(((count - 1) * square).sum())
                    sign = np.sign(e)
                    stotal = sign.sum(axis=0)
                    nonzero = np.count_nonzero(sign, axis=0)
                    snum += 0.5 * float((stotal * stotal - nonzero).sum())
                    sden += 0.5 * float(((count - 1) * nonzero).sum())
        return {
            "gamma": num / den if den else float("nan"),
            "gamma_star": snum / sden if sden else float("nan"),
        }

    return landscape.cached(("gamma", loss), compute)


def gamma(landscape: Landscape, *, loss: str = "test") -> float:
    """Correlation of the effects of a change across neighbouring backgrounds.

    See :func:`gamma_statistics`. References: Ferretti et al. (2016).
    """
    return gamma_statistics(landscape, loss=loss)["gamma"]


def gamma_star(landscape: Landscape, *, loss: str = "test") -> float:
    """Correlation of the signs of the effects of a change across neighbouring backgrounds.

    See :func:`gamma_statistics`. References: Ferretti et al. (2016).
    """
    return gamma_statistics(landscape, loss=loss)["gamma_star"]


def _trend(
    landscape: Landscape, loss: str, epsilon: float, nb: Neighbourhood | None, *, costs: bool
) -> float:
    edges = improving_edges(landscape, loss=loss, epsilon=epsilon, neighbourhood=nb)
    fitness = goodness(landscape, loss)
    background = fitness[edges.target] if costs else fitness[edges.source]
    return pearson(background, edges.gap)


def diminishing_returns_index(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> float:
    """Pearson correlation, over improving moves, of the improvement with the starting value.

    Each improving edge (more than ``epsilon``; moves of ``neighbourhood``) once: background
    ``-L`` of its worse end, effect ``L_worse - L_better``. Negative: improvements shrink from
    better starting points (diminishing returns). NaN with fewer than two edges or constant sides.

    References
    ----------
    Chou et al. (2011); GraphFLA 0.4.0, ``diminishing_returns_index`` (``method="pearson"``).
    """
    return _trend(landscape, loss, epsilon, neighbourhood, costs=False)


def increasing_costs_index(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> float:
    """Pearson correlation, over worsening moves, of the cost with the starting value.

    Each improving edge read backwards: background ``-L`` of its better end, cost
    ``L_worse - L_better``. Positive: better configurations lose more by a change (increasing
    costs). NaN with fewer than two edges or constant sides.

    References
    ----------
    GraphFLA 0.4.0, ``increasing_costs_index`` (``method="pearson"``); Chou et al. (2011).
    """
    return _trend(landscape, loss, epsilon, neighbourhood, costs=True)


def global_idiosyncratic_index(
    landscape: Landscape, *, loss: str = "test", seed: int = 0, min_pairs: int = 3
) -> float:
    """Mean idiosyncratic index of every directed change of one HP's value (Lyons et al. 2020).

    For a change ``a -> b`` of HP ``j``, the standard deviation of its effect over the
    backgrounds where both are evaluated, divided by the standard deviation of the difference of
    as many random pairs of configurations (drawn with replacement, a matched-size control);
    the mean over changes with at least ``min_pairs`` backgrounds. Near 0: an HP change has the
    same effect everywhere; near 1: its effect is as unpredictable as a random pair's.
    Stochastic: the controls come from ``numpy.random.RandomState(seed)``, drawn in GraphFLA's
    order (HPs in order, then ``itertools.permutations`` of the present values), so a seed gives
    GraphFLA's value. NaN on a constant landscape, without an eligible change, or when a control
    has zero spread. Relabelling a categorical HP reorders the draws.

    References
    ----------
    Lyons, D. M., Zou, Z., Xu, H. & Zhang, J. (2020). Idiosyncratic epistasis creates universals
    in mutational effects and evolutionary trajectories. Nat. Ecol. Evol. 4, 1685-1693.
    GraphFLA 0.4.0, ``analysis/epistasis/idiosyncrasy.py``.
    """
    from itertools import permutations

    values = landscape.loss(loss)
    if landscape.n < 2 or np.all(values == values[0]):
        return float("nan")
    grid = _dense(landscape, values)
    codes = landscape.codes
    rng = np.random.RandomState(seed)
    ratios = []
    for j in range(len(landscape.space)):
        present = np.unique(codes[:, j])
        spread: dict[tuple[int, int], tuple[float, int]] = {}
        for a, b in combinations(present.tolist(), 2):
            effect = np.take(grid, b, axis=j) - np.take(grid, a, axis=j)
            effect = effect[~np.isnan(effect)]
            spread[a, b] = (float(np.std(effect)) if len(effect) else float("nan"), len(effect))
        for a, b in permutations(present.tolist(), 2):
            sd, count = spread[min(a, b), max(a, b)]
            if count < min_pairs:
                continue
            pairs = rng.choice(values, size=(count, 2), replace=True)
            control = float(np.std(pairs[:, 1] - pairs[:, 0]))
            ratios.append(sd / control if control else float("nan"))
    return float(np.mean(ratios)) if ratios else float("nan")
