"""Similarity between two landscapes over the same configurations.

The measures of Huang & Li (2023, "On the Hyperparameter Loss Landscapes of Machine Learning
Models") for comparing fidelities, datasets and train vs test: Spearman rank correlation (all
configurations and the top of the first landscape), the leaderboard shake-up, and the gamma-set
similarity of Watanabe et al. (2023); plus Kendall's tau and the top-k overlap.

Conventions
-----------
- Losses are minimised: rank 1 is the best configuration.
- Ties: two losses tie when equal up to a round-off tolerance of ``1e-9 * max(1, max |L|)``
  (:func:`~lossatlas.analysis._stats.tie_groups`, shared with every rank correlation of the
  package). Ranks are the *average* rank of tied losses; Spearman is the Pearson correlation of
  those ranks and Kendall's tau is tau-b, so both treat ties alike.
- A top set is *tie-inclusive*: it holds the best ``ceil(gamma * n)`` configurations (at least
  one) plus every configuration tied with the last of them, so it may be larger than
  ``gamma * n``; the same rule picks the top ``k`` and the top fraction of landscape ``a``.
  :class:`Similarity` reports the sizes of the sets it used.
- Hence every measure depends only on the (configuration, loss) pairs: it is invariant to the
  order of the rows and to relabelling the configurations.
- Array functions take two aligned, finite loss vectors. :func:`similarity` aligns two
  (possibly partial) landscapes on the flat indices they share and reports how many.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from lossatlas.analysis import _stats
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
    """Ranks 1..n of a loss vector (1 = lowest loss); ties get their average rank.

    Parameters
    ----------
    loss : ndarray of shape (n,)

    Returns
    -------
    ndarray of shape (n,), float64
        Losses equal up to round-off tie (see the module notes).
    """
    return _stats.average_ranks(np.asarray(loss, dtype=float))


def top_set(loss: np.ndarray, *, gamma: float | None = None, k: int | None = None) -> np.ndarray:
    """Rows of the best ``k`` (or ``ceil(gamma * n)``) configurations and everything tied.

    The set is tie-inclusive: every configuration whose loss ties (up to round-off) with the
    ``k``-th best is in it, so it can hold more than ``k`` rows and does not depend on the
    order of the rows.

    Parameters
    ----------
    loss : ndarray of shape (n,)
    gamma : float, optional
        Top fraction in ``(0, 1]``; ``k = max(1, ceil(gamma * n))``.
    k : int, optional
        Number of best configurations (capped at ``n``). Give exactly one of ``gamma``, ``k``.

    Returns
    -------
    ndarray of int64
        The rows, sorted by loss, then row.
    """
    loss = np.asarray(loss, dtype=float)
    if (gamma is None) == (k is None):
        raise InputError("give exactly one of gamma and k")
    if k is None:
        k = _top_count(loss.size, float(gamma))  # type: ignore[arg-type]
    if k < 1:
        raise InputError(f"k must be >= 1, got {k}")
    order = np.lexsort((np.arange(loss.size), loss))
    if loss.size == 0:
        return order
    groups = _stats.tie_groups(loss)
    cut = groups[order[min(k, loss.size) - 1]]
    return order[groups[order] <= cut]


def spearman(a: np.ndarray, b: np.ndarray, *, top_k: int | None = None) -> float:
    """Spearman rank correlation of two aligned loss vectors.

    Parameters
    ----------
    a, b : ndarray of shape (n,)
        Aligned finite losses.
    top_k : int, optional
        Only the tie-inclusive ``top_k`` best configurations of ``a`` enter (:func:`top_set`),
        with ranks recomputed within them.

    Returns
    -------
    float
        Pearson correlation of the average ranks (:func:`~lossatlas.analysis._stats.spearman`);
        NaN when fewer than two configurations enter or one side is constant up to round-off.

    References
    ----------
    Huang, C. & Li, K. (2023). arXiv:2311.14014.
    """
    a, b = _pair(a, b)
    if top_k is not None:
        rows = top_set(a, k=top_k)
        a, b = a[rows], b[rows]
    return _stats.spearman(a, b)


def kendall_tau(a: np.ndarray, b: np.ndarray) -> float:
    """Kendall's tau-b of two aligned loss vectors.

    Parameters
    ----------
    a, b : ndarray of shape (n,)
        Aligned finite losses; values equal up to round-off tie.

    Returns
    -------
    float
        NaN with fewer than two configurations or a constant side.
    """
    a, b = _pair(a, b)
    ga, gb = _stats.tie_groups(a), _stats.tie_groups(b)
    if a.size < 2 or ga.max() == 0 or gb.max() == 0:
        return float("nan")
    from scipy import stats  # lazily: scipy.stats costs ~2 s to import

    return float(stats.kendalltau(ga, gb).statistic)


def shake_up(a: np.ndarray, b: np.ndarray, *, top_fraction: float | None = None) -> float:
    """Leaderboard shake-up between two aligned loss vectors.

    ``mean_x |rank_a(x) - rank_b(x)| / n`` with average ranks over all ``n`` configurations (as
    in the Kaggle public-to-private leaderboard shake-up). With ``top_fraction`` the mean runs
    over the tie-inclusive top ``ceil(top_fraction * n)`` configurations of ``a`` only
    (:func:`top_set`), keeping the normaliser ``n`` (Huang & Li 2023).

    Parameters
    ----------
    a, b : ndarray of shape (n,)
    top_fraction : float, optional

    Returns
    -------
    float
        0 for identical rankings; at most about 1/2 (reversed ranking).

    References
    ----------
    Huang, C. & Li, K. (2023). arXiv:2311.14014.
    """
    a, b = _pair(a, b)
    shift = np.abs(ranks(a) - ranks(b)) / a.size
    if top_fraction is not None:
        shift = shift[top_set(a, gamma=top_fraction)]
    return float(shift.mean())


def gamma_set_similarity(a: np.ndarray, b: np.ndarray, *, gamma: float = 0.1) -> float:
    """Intersection over union of the two top-gamma sets (Watanabe et al. 2023).

    Parameters
    ----------
    a, b : ndarray of shape (n,)
    gamma : float, default 0.1

    Returns
    -------
    float
        ``|S_a & S_b| / |S_a | S_b|`` with ``S`` the tie-inclusive best ``ceil(gamma * n)``
        configurations (:func:`top_set`).

    References
    ----------
    Watanabe, S., Awad, N., Onishi, M. & Hutter, F. (2023). IJCAI.
    """
    a, b = _pair(a, b)
    sa, sb = top_set(a, gamma=gamma), top_set(b, gamma=gamma)
    common = np.intersect1d(sa, sb).size
    return common / (sa.size + sb.size - common)


def gamma_set_overlap(a: np.ndarray, b: np.ndarray, *, gamma: float = 0.1) -> float:
    """Fraction of the top-gamma set of ``a`` also in that of ``b``.

    Parameters
    ----------
    a, b : ndarray of shape (n,)
    gamma : float, default 0.1

    Returns
    -------
    float
        ``|S_a & S_b| / |S_a|`` with tie-inclusive sets (:func:`top_set`).
    """
    a, b = _pair(a, b)
    sa, sb = top_set(a, gamma=gamma), top_set(b, gamma=gamma)
    return np.intersect1d(sa, sb).size / sa.size


def top_k_overlap(a: np.ndarray, b: np.ndarray, *, k: int = 10) -> float:
    """Fraction of the ``k`` best configurations of ``a`` among the ``k`` best of ``b``.

    Parameters
    ----------
    a, b : ndarray of shape (n,)
    k : int, default 10
        Capped at ``n``; both sets are tie-inclusive (:func:`top_set`).

    Returns
    -------
    float
        ``|S_a & S_b| / |S_a|``.
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
    gamma_set_size_a, gamma_set_size_b : int
        Sizes of the tie-inclusive top-gamma sets (at least ``ceil(gamma * n_common)``).
    top_size : int
        Size of the top-``top_fraction`` set of ``a`` behind ``spearman_top`` and
        ``shake_up_top``.
    top_k_size_a, top_k_size_b : int
        Sizes of the tie-inclusive top-``k`` sets.
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
    gamma_set_size_a: int = 0
    gamma_set_size_b: int = 0
    top_size: int = 0
    top_k_size_a: int = 0
    top_k_size_b: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The measures as a flat dict (a table row).

        Returns
        -------
        dict
            Field name -> value.
        """
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

    Parameters
    ----------
    a, b : ndarray of shape (n,)
        Aligned losses (NaN for a missing evaluation).
    gamma : float, default 0.1
        Top fraction of the gamma-set measures.
    top_fraction : float, default 0.1
        Top fraction of ``a`` for ``spearman_top`` and ``shake_up_top``.
    top_k : int, default 10
        ``k`` of the top-k overlap.

    Returns
    -------
    Similarity
        Every measure, the parameters and the sizes of the tie-inclusive sets used.
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
    top_a = top_set(a, k=k_top)
    return Similarity(
        n_common=int(a.size),
        n_a=n_a,
        n_b=n_b,
        spearman=spearman(a, b),
        spearman_top=_stats.spearman(a[top_a], b[top_a]),
        kendall_tau=kendall_tau(a, b),
        shake_up=shake_up(a, b),
        shake_up_top=shake_up(a, b, top_fraction=top_fraction),
        gamma_set_similarity=gamma_set_similarity(a, b, gamma=gamma),
        gamma_set_overlap=gamma_set_overlap(a, b, gamma=gamma),
        top_k_overlap=top_k_overlap(a, b, k=top_k),
        gamma=gamma,
        top_fraction=top_fraction,
        top_k=top_k,
        gamma_set_size_a=int(top_set(a, gamma=gamma).size),
        gamma_set_size_b=int(top_set(b, gamma=gamma).size),
        top_size=int(top_a.size),
        top_k_size_a=int(top_set(a, k=top_k).size),
        top_k_size_b=int(top_set(b, k=top_k).size),
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

    Parameters
    ----------
    landscape_a, landscape_b : Landscape
        Two landscapes over the same search space.
    loss : str, default "test"
    loss_b : str, optional
        Loss column of ``landscape_b`` (default ``loss``).

    Returns
    -------
    loss_a, loss_b, index : ndarray
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
    top k) are taken among the common configurations, tie-inclusive (see the module notes).

    Parameters
    ----------
    landscape_a, landscape_b : Landscape
    loss : str, default "test"
    loss_b : str, optional
        Loss column of ``landscape_b`` (default ``loss``).
    gamma, top_fraction : float, default 0.1
    top_k : int, default 10

    Returns
    -------
    Similarity

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
