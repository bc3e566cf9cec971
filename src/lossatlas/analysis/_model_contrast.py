"""Two models on the same dataset, compared through what is comparable across search spaces.

Rank similarities (Spearman, shake-up, gamma sets) pair configurations one by one, so they need
one search space. Two models with different grids can still be set side by side through their
landscape profiles (best and mean loss, smoothness, neutrality) and their fANOVA importance:
how much of the loss variance the top hyperparameter explains, main effects vs interactions,
and, over the hyperparameters both grids share by name (``max_depth``), whether their
importance ranks agree. Huang & Li (2023) compare models this way: importance rankings per
model, profile metrics per model.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from lossatlas.landscape import Landscape

__all__ = ["CONTRAST_COLUMNS", "model_contrast"]

_PROFILE = ("best_loss", "mean_loss", "assortativity", "fdc", "neutrality")
#: Columns :func:`model_contrast` adds to a pair (``_a`` and ``_b`` variants of most).
CONTRAST_COLUMNS = (
    "comparable",
    *(f"{m}_{side}" for m in _PROFILE for side in "ab"),
    "top_hp_a",
    "top_hp_b",
    "top_hp_share_a",
    "top_hp_share_b",
    "main_effects_share_a",
    "main_effects_share_b",
    "common_hps",
    "importance_spearman_common",
)


def _profile(land: Landscape, loss: str, epsilon: float) -> dict[str, float]:
    from lossatlas.analysis._neutrality import neutrality
    from lossatlas.analysis._smoothness import assortativity, fdc

    values = land.loss(loss)
    return {
        "best_loss": float(values.min()),
        "mean_loss": float(values.mean()),
        "assortativity": assortativity(land, loss=loss),
        "fdc": fdc(land, loss=loss),
        "neutrality": neutrality(land, loss=loss, epsilon=epsilon),
    }


def _main_effects(land: Landscape, loss: str, seed: int) -> dict[str, float]:
    from lossatlas.analysis._importance import importance

    order = 2 if len(land.space.names) > 1 else 1
    table = importance(land, loss=loss, order=order, seed=seed)
    main = table[table["order"] == 1]
    return dict(zip(main["term"].astype(str), main["fraction"].astype(float), strict=True))


def model_contrast(
    a: Landscape,
    b: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    seed: int = 0,
) -> dict[str, Any]:
    """Profile and importance side by side for two landscapes (any search spaces).

    Parameters
    ----------
    a, b : Landscape
        Typically two models on one dataset at one fidelity.
    loss : str, default "test"
    epsilon : float, default 0.0
        Neutrality threshold of ``neutrality``.
    seed : int, default 0
        Seed of the fANOVA surrogate on partial landscapes.

    Returns
    -------
    dict
        :data:`CONTRAST_COLUMNS`: ``comparable`` is ``"ranks+profile+importance"`` when the
        spaces are equal (rank similarity is computed by the caller) and
        ``"profile+importance"`` otherwise; ``importance_spearman_common`` is the Spearman
        correlation of the main-effect shares over the shared hyperparameters (NaN below 2).

    References
    ----------
    C. Huang, K. Li. On the Hyperparameter Loss Landscapes of Machine Learning Models: An
    Exploratory Study. arXiv:2311.14014, 2023.
    F. Hutter, H. Hoos, K. Leyton-Brown. An Efficient Approach for Assessing Hyperparameter
    Importance. ICML 2014.
    """
    from scipy import stats

    row: dict[str, Any] = {
        "comparable": "ranks+profile+importance" if a.space == b.space else "profile+importance"
    }
    pa, pb = _profile(a, loss, epsilon), _profile(b, loss, epsilon)
    for metric in _PROFILE:
        row[f"{metric}_a"], row[f"{metric}_b"] = pa[metric], pb[metric]
    ia, ib = _main_effects(a, loss, seed), _main_effects(b, loss, seed)
    for side, shares in (("a", ia), ("b", ib)):
        top = max(shares, key=lambda k: (shares[k], k)) if shares else None
        row[f"top_hp_{side}"] = top
        row[f"top_hp_share_{side}"] = shares[top] if top is not None else math.nan
        row[f"main_effects_share_{side}"] = float(sum(shares.values()))
    common = [name for name in a.space.names if name in set(b.space.names)]
    row["common_hps"] = ",".join(common)
    rho = math.nan
    if len(common) >= 2:
        x = np.array([ia.get(n, 0.0) for n in common])
        y = np.array([ib.get(n, 0.0) for n in common])
        if np.ptp(x) > 0 and np.ptp(y) > 0:
            rho = float(stats.spearmanr(x, y).statistic)
    row["importance_spearman_common"] = rho
    return row
