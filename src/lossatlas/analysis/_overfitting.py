"""Overfitting: the generalisation gap over a landscape and what drives it.

Huang & Li (2023, Sec. on train vs test landscapes) compare the training and test loss of every
configuration: the gap ``dL = L_test - L_train``, which hyperparameters (and pairs) drive it
(for XGBoost learning rate x max_depth x subsample), and how similar the two landscapes are
(Spearman; the overlap of their top-10 % sets, which they find small).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lossatlas.analysis._importance import importance
from lossatlas.analysis._similarity import Similarity, similarity
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape

__all__ = ["Overfitting", "gap_drivers", "gap_summary", "generalisation_gap", "overfitting"]


def generalisation_gap(
    landscape: Landscape, *, train: str = "train", test: str = "test"
) -> np.ndarray:
    """``L_test - L_train`` of every configuration (positive: the model overfits).

    Parameters
    ----------
    landscape : Landscape
    train, test : str
        Names of the training and test loss columns.

    Returns
    -------
    ndarray of shape (n,)

    References
    ----------
    C. Huang, K. Li. On the Hyperparameter Loss Landscapes of Machine Learning Models: An
    Exploratory Study. arXiv:2311.14014, 2023.
    """
    return landscape.loss(test) - landscape.loss(train)


def gap_summary(gap: np.ndarray) -> dict[str, float]:
    """Distribution of the gap: count, mean, std, min, quantiles, max, share of positive gaps.

    Parameters
    ----------
    gap : ndarray
        Generalisation gaps (:func:`generalisation_gap`).

    Returns
    -------
    dict
        ``n, mean, std, min, q10, q25, median, q75, q90, max, fraction_positive``.
    """
    gap = np.asarray(gap, dtype=float)
    if gap.size == 0:
        raise InputError("no configuration to summarise the generalisation gap over")
    q = np.quantile(gap, [0.1, 0.25, 0.5, 0.75, 0.9])
    return {
        "n": int(gap.size),
        "mean": float(gap.mean()),
        "std": float(gap.std()),
        "min": float(gap.min()),
        "q10": float(q[0]),
        "q25": float(q[1]),
        "median": float(q[2]),
        "q75": float(q[3]),
        "q90": float(q[4]),
        "max": float(gap.max()),
        "fraction_positive": float(np.mean(gap > 0)),
    }


def gap_drivers(
    landscape: Landscape,
    *,
    train: str = "train",
    test: str = "test",
    order: int = 2,
) -> pd.DataFrame:
    """Which hyperparameter values and value pairs drive the generalisation gap.

    For each value ``v`` of each hyperparameter the mean gap over the configurations with that
    value, and its *effect* ``mean(v) - mean``; for each pair of values of two hyperparameters
    the interaction contrast ``mean(v, w) - mean(v) - mean(w) + mean``. On a complete grid these
    effects are exactly the fANOVA components ``f_S`` of the gap (Hutter et al. 2014), so the
    mean square of a term's effects over its values is its variance ``V_S``; on a partial
    landscape they are the same contrasts of the evaluated configurations' means.

    Parameters
    ----------
    landscape : Landscape
    train, test : str
        Names of the training and test loss columns.
    order : int, default 2
        1: values only; 2: also value pairs.

    Returns
    -------
    DataFrame
        ``term, value, order, mean_gap, effect, n`` sorted by ``effect`` descending (the values
        that widen the gap most first); pair values are joined by ``":"`` like their terms.
    """
    if order not in (1, 2):
        raise InputError(f"gap drivers are computed for order 1 or 2, not {order}")
    gap = generalisation_gap(landscape, train=train, test=test)
    codes = landscape.codes
    space = landscape.space
    overall = float(gap.mean())
    main: list[dict[int, float]] = []
    rows: list[dict[str, Any]] = []
    for d, hp in enumerate(space.hyperparameters):
        counts = np.bincount(codes[:, d], minlength=hp.size)
        sums = np.bincount(codes[:, d], weights=gap, minlength=hp.size)
        means = {v: sums[v] / counts[v] for v in range(hp.size) if counts[v]}
        main.append(means)
        rows += [
            {
                "term": hp.name,
                "value": str(hp.values[v]),
                "order": 1,
                "mean_gap": m,
                "effect": m - overall,
                "n": int(counts[v]),
            }
            for v, m in means.items()
        ]
    if order == 2:
        for i, j in itertools.combinations(range(len(space)), 2):
            hi, hj = space.hyperparameters[i], space.hyperparameters[j]
            key = codes[:, i] * hj.size + codes[:, j]
            counts = np.bincount(key, minlength=hi.size * hj.size)
            sums = np.bincount(key, weights=gap, minlength=hi.size * hj.size)
            for k in np.flatnonzero(counts):
                vi, vj = divmod(int(k), hj.size)
                m = sums[k] / counts[k]
                rows.append(
                    {
                        "term": f"{hi.name}:{hj.name}",
                        "value": f"{hi.values[vi]}:{hj.values[vj]}",
                        "order": 2,
                        "mean_gap": m,
                        "effect": m - main[i][vi] - main[j][vj] + overall,
                        "n": int(counts[k]),
                    }
                )
    frame = pd.DataFrame(rows, columns=["term", "value", "order", "mean_gap", "effect", "n"])
    return frame.sort_values("effect", ascending=False, kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class Overfitting:
    """Train-vs-test analysis of one landscape.

    Attributes
    ----------
    gap : ndarray
        ``L_test - L_train`` per configuration (landscape row order).
    summary : dict
        :func:`gap_summary` of the gap.
    gap_importance : DataFrame
        fANOVA of the gap (``term, order, variance, fraction`` and the residual).
    drivers : DataFrame
        :func:`gap_drivers`.
    train_vs_test : Similarity
        Similarity of the training (``a``) and test (``b``) landscapes: Spearman, the top-10 %
        overlap (``gamma_set_overlap``), the gamma-set IoU, shake-up.
    """

    gap: np.ndarray
    summary: dict[str, float]
    gap_importance: pd.DataFrame
    drivers: pd.DataFrame
    train_vs_test: Similarity


def overfitting(
    landscape: Landscape,
    *,
    train: str = "train",
    test: str = "test",
    gamma: float = 0.1,
    order: int = 2,
    seed: int | None = 0,
) -> Overfitting:
    """Generalisation gap, its distribution, its drivers and the train-test similarity.

    Parameters
    ----------
    landscape : Landscape
        With a training and a test loss column.
    train, test : str
        Their names.
    gamma : float, default 0.1
        Top fraction for the train-vs-test gamma-set similarity and overlap (top-10 %).
    order : int, default 2
        Interaction order of the gap's fANOVA and of the drivers (1 or 2).
    seed : int, optional
        Seed of the fANOVA surrogate on partial landscapes.

    Returns
    -------
    Overfitting
        The gap, its summary, its fANOVA importance, its drivers and the train-vs-test
        :class:`~lossatlas.analysis.Similarity`.

    References
    ----------
    C. Huang, K. Li. On the Hyperparameter Loss Landscapes of Machine Learning Models: An
    Exploratory Study. arXiv:2311.14014, 2023.
    """
    gap = generalisation_gap(landscape, train=train, test=test)
    gap_landscape = Landscape(landscape.space, landscape.index, {"gap": gap}, landscape.metadata)
    return Overfitting(
        gap=gap,
        summary=gap_summary(gap),
        gap_importance=importance(gap_landscape, loss="gap", order=order, seed=seed),
        drivers=gap_drivers(landscape, train=train, test=test, order=min(order, 2)),
        train_vs_test=similarity(
            landscape, landscape, loss=train, loss_b=test, gamma=gamma, top_fraction=gamma
        ),
    )
