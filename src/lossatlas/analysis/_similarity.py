"""Similarity between two landscapes over the same configurations.

The measures of Huang & Li (2023, "On the Hyperparameter Loss Landscapes of Machine Learning
Models") for comparing fidelities, datasets and train vs test: Spearman rank correlation (all
configurations and the top of the first landscape), the leaderboard shake-up, and the gamma-set
similarity of Watanabe et al. (2023); plus Kendall's tau and the top-k overlap.

Conventions
-----------
- Losses are minimised: rank 1 is the best configuration.
- Ranks use the *average* rank of tied losses (``scipy.stats.rankdata(method="average")``), so
  every measure is symmetric in relabelling the configurations; Spearman and Kendall use the
  same tie treatment (Kendall's tau-b).
- A top set holds exactly ``ceil(gamma * n)`` configurations (at least one); ties at its
  boundary go to the lower row, i.e. the lower flat index since landscape rows are sorted by
  flat index. The same rule picks the top ``k`` and the top fraction of landscape ``a``.
- Array functions take two aligned, finite loss vectors. :func:`similarity` aligns two
  (possibly partial) landscapes on the flat indices they share and reports how many.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import stats

from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.landscape import Landscape

__all__ = [
    "Similarity",
    "align",
    "gamma_set_overlap",
    "gamma_set_similarity",
    "kendall_tau",
    "loss_similarity",
    "ranks",
    "shake_up",
    "similarity",
    "spearman",
    "top_k_overlap",
    "top_set",
]


def _pair(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(a, dtype=float).ravel()
    b = np.asarray(b, dtype=float).ravel()
    if a.size != b.size:
        raise InputError(f"the two loss vectors differ in length: {a.size} and {b.size}")
    if a.size == 0:
        raise InputError("the two loss vectors are empty: no common configuration")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise InputError("the loss vectors must be finite (drop missing configurations first)")
    return a, b


def _top_count(n: int, fraction: float) -> int:
    if not 0 < fraction <= 1:
        raise InputError(f"a top fraction must lie in (0, 1], got {fraction}")
    # the small tolerance keeps ceil(0.1 * 30) at 3 despite 0.1 * 30 == 3.0000000000000004
    return max(1, math.ceil(fraction * n - 1e-9))


def ranks(loss: np.ndarray) -> np.ndarray:
    """Ranks 1..n of a loss vector (1 = lowest loss); ties get their average rank."""
    return stats.rankdata(np.asarray(loss, dtype=float), method="average")


def top_set(loss: np.ndarray, *, gamma: float | None = None, k: int | None = None) -> np.ndarray:
    """Rows of the best ``k`` (or ``ceil(gamma * n)``) configurations, ties by row order.

    Exactly one of ``gamma`` and ``k`` is given. Returns the rows sorted by loss, then row.
    """
    loss = np.asarray(loss, dtype=float)
    if (gamma is None) == (k is None):
        raise InputError("give exactly one of gamma and k")
    if k is None:
        k = _top_count(loss.size, float(gamma))  # type: ignore[arg-type]
    if k < 1:
        raise InputError(f"k must be >= 1, got {k}")
    return np.argsort(loss, kind="stable")[: min(k, loss.size)]


def spearman(a: np.ndarray, b: np.ndarray, *, top_k: int | None = None) -> float:
    """Spearman rank correlation of two aligned loss vectors.

    With ``top_k`` only the ``top_k`` best configurations of ``a`` enter (ranks recomputed
    within them). NaN when fewer than two configurations or one side is constant.
    """
    a, b = _pair(a, b)
    if top_k is not None:
        rows = top_set(a, k=top_k)
        a, b = a[rows], b[rows]
    if a.size < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(stats.spearmanr(a, b).statistic)


def kendall_tau(a: np.ndarray, b: np.ndarray) -> float:
    """Kendall's tau-b of two aligned loss vectors (NaN when undefined)."""
    a, b = _pair(a, b)
    if a.size < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(stats.kendalltau(a, b).statistic)


def shake_up(a: np.ndarray, b: np.ndarray, *, top_fraction: float | None = None) -> float:
    """Leaderboard shake-up between two aligned loss vectors.

    ``mean_x |rank_a(x) - rank_b(x)| / n`` with ranks over all ``n`` configurations (as in the
    Kaggle public-to-private leaderboard shake-up). With ``top_fraction`` the mean runs over the
    best ``ceil(top_fraction * n)`` configurations of ``a`` only, keeping the normaliser ``n``
    (Huang & Li 2023). 0 for identical rankings; at most about 1/2 (reversed ranking).
    """
    a, b = _pair(a, b)
    shift = np.abs(ranks(a) - ranks(b)) / a.size
    if top_fraction is not None:
        shift = shift[top_set(a, gamma=top_fraction)]
    return float(shift.mean())


def gamma_set_similarity(a: np.ndarray, b: np.ndarray, *, gamma: float = 0.1) -> float:
    """Intersection over union of the two top-gamma sets (Watanabe et al. 2023).

    ``|S_a & S_b| / |S_a | S_b|`` where ``S`` holds the ``ceil(gamma * n)`` best configurations.
    """
    a, b = _pair(a, b)
    sa, sb = top_set(a, gamma=gamma), top_set(b, gamma=gamma)
    common = np.intersect1d(sa, sb).size
    return common / (sa.size + sb.size - common)


def gamma_set_overlap(a: np.ndarray, b: np.ndarray, *, gamma: float = 0.1) -> float:
    """Fraction of the top-gamma set of ``a`` also in that of ``b``: ``|S_a & S_b| / |S_a|``."""
    a, b = _pair(a, b)
    sa, sb = top_set(a, gamma=gamma), top_set(b, gamma=gamma)
    return np.intersect1d(sa, sb).size / sa.size


def top_k_overlap(a: np.ndarray, b: np.ndarray, *, k: int = 10) -> float:
    """Fraction of the ``k`` best configurations of ``a`` among the ``k`` best of ``b``.

    ``k`` is capped at ``n``; the fraction is over the capped ``k``.
    """
    a, b = _pair(a, b)
    sa, sb = top_set(a, k=k), top_set(b, k=k)
    return np.intersect1d(sa, sb).size / sa.size


@dataclass(frozen=True)
class Similarity:
    """All similarity measures between two landscapes (or loss vectors).

    Attributes
    ----------
    n_common : int
        Configurations both sides evaluated with a finite loss (the ones compared).
    n_a, n_b : int
        Configurations of each side.
    spearman, spearman_top : float
        Spearman over all common configurations / over the best ``top_fraction`` of ``a``.
    kendall_tau : float
        Kendall's tau-b.
    shake_up, shake_up_top : float
        :func:`shake_up` over all / over the best ``top_fraction`` of ``a``.
    gamma_set_similarity, gamma_set_overlap : float
        IoU of the top-gamma sets and ``|S_a & S_b| / |S_a|``.
    top_k_overlap : float
        :func:`top_k_overlap` with ``top_k``.
    gamma, top_fraction, top_k
        The parameters used.
    """

    n_common: int
    n_a: int
    n_b: int
    spearman: float
    spearman_top: float
    kendall_tau: float
    shake_up: float
    shake_up_top: float
    gamma_set_similarity: float
    gamma_set_overlap: float
    top_k_overlap: float
    gamma: float
    top_fraction: float
    top_k: int

    def as_dict(self) -> dict[str, Any]:
        """The measures as a flat dict (a table row)."""
        return asdict(self)


def loss_similarity(
    a: np.ndarray,
    b: np.ndarray,
    *,
    gamma: float = 0.1,
    top_fraction: float = 0.1,
    top_k: int = 10,
) -> Similarity:
    """Every similarity measure between two aligned loss vectors.

    Pairs where either loss is not finite (a missing evaluation) are dropped first;
    ``n_common`` counts the pairs kept.
    """
    a = np.asarray(a, dtype=float).ravel()
    b = np.asarray(b, dtype=float).ravel()
    if a.size != b.size:
        raise InputError(f"the two loss vectors differ in length: {a.size} and {b.size}")
    n_a, n_b = int(np.isfinite(a).sum()), int(np.isfinite(b).sum())
    keep = np.isfinite(a) & np.isfinite(b)
    a, b = a[keep], b[keep]
    if a.size == 0:
        raise InputError("the two landscapes share no configuration with a finite loss")
    k_top = _top_count(a.size, top_fraction)
    return Similarity(
        n_common=int(a.size),
        n_a=n_a,
        n_b=n_b,
        spearman=spearman(a, b),
        spearman_top=spearman(a, b, top_k=k_top),
        kendall_tau=kendall_tau(a, b),
        shake_up=shake_up(a, b),
        shake_up_top=shake_up(a, b, top_fraction=top_fraction),
        gamma_set_similarity=gamma_set_similarity(a, b, gamma=gamma),
        gamma_set_overlap=gamma_set_overlap(a, b, gamma=gamma),
        top_k_overlap=top_k_overlap(a, b, k=top_k),
        gamma=gamma,
        top_fraction=top_fraction,
        top_k=top_k,
    )


def align(
    landscape_a: Landscape,
    landscape_b: Landscape,
    *,
    loss: str = "test",
    loss_b: str | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Losses of two landscapes on the configurations both evaluated.

    Returns ``(loss_a, loss_b, index)``: the two loss vectors on the common flat indices
    ``index`` (ascending). ``loss_b`` defaults to ``loss``; for train vs test of one landscape
    pass the same landscape twice with ``loss="train", loss_b="test"``.
    """
    if landscape_a.space != landscape_b.space:
        raise InputError(
            "the two landscapes have different search spaces "
            f"({list(landscape_a.space.names)} vs {list(landscape_b.space.names)}): "
            "similarity compares configurations of one space"
        )
    index, rows_a, rows_b = np.intersect1d(
        landscape_a.index, landscape_b.index, assume_unique=True, return_indices=True
    )
    values_a = landscape_a.loss(loss)[rows_a]
    values_b = landscape_b.loss(loss if loss_b is None else loss_b)[rows_b]
    return values_a, values_b, index


def similarity(
    landscape_a: Landscape,
    landscape_b: Landscape,
    *,
    loss: str = "test",
    loss_b: str | None = None,
    gamma: float = 0.1,
    top_fraction: float = 0.1,
    top_k: int = 10,
) -> Similarity:
    """Every similarity measure between two landscapes over the same search space.

    The landscapes are aligned on the flat indices they share (:func:`align`); configurations
    missing on either side or with a non-finite loss are left out and ``n_common`` says how
    many remain, ``n_a`` and ``n_b`` how many each side has. The top sets (gamma, top fraction,
    top k) are taken among the common configurations.

    References
    ----------
    C. Huang, K. Li. On the Hyperparameter Loss Landscapes of Machine Learning Models: An
    Exploratory Study. arXiv:2311.14014, 2023.
    S. Watanabe, N. Awad, M. Onishi, F. Hutter. Speeding Up Multi-Objective Hyperparameter
    Optimization by Task Similarity-Based Meta-Learning for the Tree-Structured Parzen
    Estimator. IJCAI 2023 (the gamma-set intersection over union).
    """
    a, b, _ = align(landscape_a, landscape_b, loss=loss, loss_b=loss_b)
    result = loss_similarity(a, b, gamma=gamma, top_fraction=top_fraction, top_k=top_k)
    n_a = int(np.isfinite(landscape_a.loss(loss)).sum())
    n_b = int(np.isfinite(landscape_b.loss(loss if loss_b is None else loss_b)).sum())
    return Similarity(**{**result.as_dict(), "n_a": n_a, "n_b": n_b})
