"""Functional ANOVA of a function on a grid: exact on a loss tensor, exact on tree partitions.

The functional ANOVA (Hutter, Hoos & Leyton-Brown 2014, following Hooker 2007) writes a function
``f`` of ``d`` hyperparameters, under the uniform distribution over the grid, as a sum of
orthogonal components ``f(x) = sum_S f_S(x_S)`` over the subsets ``S`` of the hyperparameters:
``f_S(x_S) = m_S(x_S) - sum_{T proper subset of S} f_T(x_T)``, where ``m_S`` is the marginal mean
of ``f`` with the hyperparameters outside ``S`` averaged out (``f_{} = mean f``). The components
are orthogonal, so the variance ``V = sum_S V_S`` with ``V_S = mean(f_S ** 2)`` over the grid of
``S``; ``V_S / V`` is the importance of the term ``S``.

Two sources of marginals share one decomposition (:func:`decompose_marginals`):

- :func:`fanova_tensor`: the loss tensor of a complete grid (``loss.reshape(space.radices)``);
  every marginal is a mean over axes, so the decomposition is exact.
- :func:`fanova_partition`: a function that is constant on the leaves of a partition of the grid
  into boxes (a regression tree: each leaf allows a set of values per hyperparameter). Its
  marginals are sums over leaves weighted by the fraction of each box outside ``S``, Hutter et
  al.'s (2014) linear-time marginalisation over a tree, here on a discrete grid.

Terms are tuples of hyperparameter positions in increasing order (the space's HP order).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lossatlas.errors import InputError

__all__ = [
    "LeafPartition",
    "decompose_marginals",
    "fanova_partition",
    "fanova_table",
    "fanova_tensor",
    "term_name",
    "terms_up_to",
    "tree_partition",
]

Term = tuple[int, ...]


def terms_up_to(n_dims: int, order: int) -> list[Term]:
    """All non-empty terms of at most ``order`` hyperparameters, by order then HP order.

    Parameters
    ----------
    n_dims : int
        Number of hyperparameters.
    order : int
        Highest interaction order (>= 1; capped at ``n_dims``).

    Returns
    -------
    list of tuple of int
        Each term as the sorted positions of its hyperparameters.
    """
    if order < 1:
        raise InputError(f"order must be >= 1, got {order}")
    order = min(order, n_dims)
    return [t for k in range(1, order + 1) for t in itertools.combinations(range(n_dims), k)]


def term_name(term: Term, names: Sequence[str]) -> str:
    """Name of a term: its hyperparameter names joined by ``":"`` in HP order (``"lr:depth"``).

    Parameters
    ----------
    term : tuple of int
        Positions of the term's hyperparameters.
    names : sequence of str
        Hyperparameter names, in space order.

    Returns
    -------
    str
    """
    return ":".join(names[i] for i in term)


def _effect_shape(term: Term, radices: Sequence[int], sub: Term) -> tuple[int, ...]:
    """Shape that broadcasts the effect of ``sub`` (a subset of ``term``) onto ``term``'s grid."""
    return tuple(int(radices[i]) if i in sub else 1 for i in term)


def decompose_marginals(
    marginals: Mapping[Term, np.ndarray], mean: float, radices: Sequence[int], terms: Sequence[Term]
) -> dict[Term, float]:
    """Variance of every fANOVA component from the marginal means.

    Parameters
    ----------
    marginals : mapping of term to ndarray
        ``m_S`` for every requested term and every subset of it, each an array over the grid
        of ``S`` with axes in HP order.
    mean : float
        ``f_{}``, the mean of the function over the grid.
    radices : sequence of int
        Number of values per hyperparameter.
    terms : sequence of terms
        The terms whose variance is wanted; every subset of a term must also be a key of
        ``marginals`` (``terms_up_to`` lists subset-closed families).

    Returns
    -------
    dict
        ``V_S`` for each term: the mean of ``f_S ** 2`` over the grid of ``S``, where
        ``f_S = m_S - sum_{T < S} f_T`` (inclusion-exclusion, computed recursively by order).
    """
    effects: dict[Term, np.ndarray] = {(): np.asarray(mean, dtype=float)}
    variances: dict[Term, float] = {}
    for term in sorted(terms, key=lambda t: (len(t), t)):
        effect = np.array(marginals[term], dtype=float, copy=True)
        for k in range(len(term)):
            for sub in itertools.combinations(term, k):
                effect -= effects[sub].reshape(_effect_shape(term, radices, sub))
        effects[term] = effect
        variances[term] = float(np.mean(effect * effect))
    return variances


def fanova_tensor(
    tensor: np.ndarray, *, order: int = 2, terms: Sequence[Term] | None = None
) -> tuple[dict[Term, float], float]:
    """Exact functional ANOVA of a loss tensor over its complete grid.

    Parameters
    ----------
    tensor : ndarray
        The loss of every configuration, one axis per hyperparameter (``loss.reshape(radices)``);
        all values finite.
    order : int, default 2
        Decompose all terms of at most this many hyperparameters.
    terms : sequence of terms, optional
        Explicit subset-closed family of terms instead of ``order``.

    Returns
    -------
    variances : dict
        ``V_S`` per term.
    total : float
        The variance of the tensor (population variance over the grid).

    Notes
    -----
    The marginal ``m_S`` is the mean over the axes outside ``S``. All pairwise marginals come
    from shared prefix and suffix sums (:func:`_pair_marginals`, a few passes over the tensor in
    all rather than one per pair); every other marginal is reduced from the smallest already
    computed marginal of a superset, so main effects reuse the pairs. Terms of order three and
    more cost one pass over the tensor each.

    References
    ----------
    F. Hutter, H. Hoos, K. Leyton-Brown. An Efficient Approach for Assessing Hyperparameter
    Importance. ICML 2014.
    """
    tensor = np.asarray(tensor, dtype=float)
    if tensor.size == 0:
        raise InputError("cannot decompose an empty loss tensor")
    if not np.all(np.isfinite(tensor)):
        raise InputError("the loss tensor has non-finite values: exact fANOVA needs every value")
    d = tensor.ndim
    terms = list(terms) if terms is not None else terms_up_to(d, order)
    family = _closure(terms)
    mean = float(tensor.mean())
    total = float(np.mean((tensor - mean) ** 2))
    marginals: dict[Term, np.ndarray] = {tuple(range(d)): tensor}
    if d > 2 and all(t in family for t in itertools.combinations(range(d), 2)):
        marginals.update(_pair_marginals(tensor))
    for term in sorted(family, key=lambda t: (-len(t), t)):
        if term in marginals:
            continue
        source = min((s for s in marginals if set(term) <= set(s)), key=lambda s: marginals[s].size)
        axes = tuple(k for k, i in enumerate(source) if i not in term)
        marginals[term] = marginals[source].mean(axis=axes)
    return decompose_marginals(marginals, mean, tensor.shape, family), total


def _pair_marginals(tensor: np.ndarray) -> dict[Term, np.ndarray]:
    """Means of the tensor over all axes but ``i`` and ``j``, for every pair ``i < j``.

    For each ``i`` the tensor summed over the axes before ``i`` (a running prefix sum) is summed
    over its trailing axes one at a time (suffix sums ``U_k`` keep axes ``i..k``); the pair
    ``(i, j)`` then only sums ``U_j`` over the axes strictly between ``i`` and ``j``. The work
    is about ``2 * size * sum_i 1 / prod_{k < i} r_k``: a few passes over the tensor for all
    ``d (d - 1) / 2`` pairs.
    """
    d = tensor.ndim
    radices = tensor.shape
    size = tensor.size
    out: dict[Term, np.ndarray] = {}
    prefix = tensor
    for i in range(d - 1):
        suffix = {d - 1: prefix}
        current = prefix
        for k in range(d - 1, i + 1, -1):
            current = current.sum(axis=-1)
            suffix[k - 1] = current
        for j in range(i + 1, d):
            sums = suffix[j]
            if j - i > 1:
                sums = sums.sum(axis=tuple(range(1, j - i)))
            out[(i, j)] = sums / (size / (radices[i] * radices[j]))
        prefix = prefix.sum(axis=0)
    return out


def _closure(terms: Sequence[Term]) -> list[Term]:
    """The terms plus all their non-empty subsets."""
    family: set[Term] = set()
    for term in terms:
        term = tuple(sorted(term))
        for k in range(1, len(term) + 1):
            family.update(itertools.combinations(term, k))
    return sorted(family, key=lambda t: (len(t), t))


@dataclass(frozen=True)
class LeafPartition:
    """A function constant on boxes of a grid: the leaves of one regression tree.

    Attributes
    ----------
    masks : tuple of ndarray
        Per hyperparameter a ``(n_leaves, radix)`` boolean array: the values each leaf allows.
    values : ndarray
        ``(n_leaves,)`` the function's value on each leaf.
    """

    masks: tuple[np.ndarray, ...]
    values: np.ndarray


def fanova_partition(
    partition: LeafPartition, *, order: int = 2, terms: Sequence[Term] | None = None
) -> tuple[dict[Term, float], float]:
    """Exact functional ANOVA of a function that is constant on the leaves of a partition.

    Parameters
    ----------
    partition : LeafPartition
        Leaves as boxes (one allowed value set per hyperparameter) that partition the grid.
    order, terms
        As in :func:`fanova_tensor`.

    Returns
    -------
    variances : dict
        ``V_S`` per term.
    total : float
        The variance of the function over the uniform grid.

    Notes
    -----
    With ``p_ld`` the fraction of hyperparameter ``d``'s values that leaf ``l`` allows and
    ``P_l = prod_d p_ld`` its share of the grid, the marginal is
    ``m_S(x_S) = sum_l v_l (P_l / prod_{d in S} p_ld) prod_{d in S} [x_d in A_ld]``: an
    ``einsum`` over the leaves (a matrix product for a pair), linear in the number of leaves
    (Hutter et al. 2014, Sec. 3.1, on a discrete grid).
    """
    masks = [np.asarray(m, dtype=float) for m in partition.masks]
    values = np.asarray(partition.values, dtype=float)
    radices = [m.shape[1] for m in masks]
    share = np.stack([m.mean(axis=1) for m in masks], axis=1)  # (L, d)
    if np.any(share <= 0):
        raise InputError("a leaf of the partition allows no value of some hyperparameter")
    volume = share.prod(axis=1)
    mean = float(volume @ values)
    total = float(volume @ (values - mean) ** 2)
    terms = list(terms) if terms is not None else terms_up_to(len(masks), order)
    family = _closure(terms)
    marginals: dict[Term, np.ndarray] = {}
    for term in family:
        weight = values * volume / share[:, list(term)].prod(axis=1)
        if len(term) == 1:
            marginals[term] = weight @ masks[term[0]]
        elif len(term) == 2:
            marginals[term] = (masks[term[0]] * weight[:, None]).T @ masks[term[1]]
        else:
            letters = "abcdefghijklmnopqrstuvwxyz"[: len(term)]
            spec = "l," + ",".join(f"l{c}" for c in letters) + "->" + letters
            marginals[term] = np.einsum(spec, weight, *(masks[i] for i in term), optimize=True)
    return decompose_marginals(marginals, mean, radices, family), total


def fanova_table(
    variances: Mapping[Term, float], total: float, names: Sequence[str]
) -> pd.DataFrame:
    """Tidy table of a decomposition: ``term, order, variance, fraction`` plus a residual row.

    Rows are the terms by order, then in HP order; ``fraction = variance / total``. The last row,
    ``"residual"`` (``order`` missing), holds the variance of all terms above the requested order,
    ``total - sum(variance)``, and the fraction ``1 - sum(fraction)``, so the fractions sum to 1
    (a rounding residual below ``1e-12`` is reported as 0). A constant function
    (``total == 0``) has no variance to share: every fraction is NaN.

    Parameters
    ----------
    variances : mapping of term to float
        Variance ``V_S`` of each term.
    total : float
        Total variance of the function.
    names : sequence of str
        Hyperparameter names, in space order.

    Returns
    -------
    DataFrame
        ``term, order, variance, fraction``.
    """
    terms = sorted(variances, key=lambda t: (len(t), t))
    var = np.array([variances[t] for t in terms], dtype=float)
    if total > 0:
        fractions = var / total
        residual_fraction = 1.0 - float(fractions.sum())
        if abs(residual_fraction) < 1e-12:
            residual_fraction = 0.0
    else:
        fractions = np.full(len(terms), np.nan)
        residual_fraction = np.nan
    return pd.DataFrame(
        {
            "term": [term_name(t, names) for t in terms] + ["residual"],
            "order": pd.array([len(t) for t in terms] + [None], dtype="Int64"),
            "variance": np.append(var, max(total - float(var.sum()), 0.0)),
            "fraction": np.append(fractions, residual_fraction),
        }
    )


def tree_partition(
    tree: Any, feature_hp: np.ndarray, feature_value: np.ndarray, radices: Sequence[int]
) -> LeafPartition:
    """The leaves of a fitted scikit-learn regression tree as boxes of the grid.

    Each node's allowed values per hyperparameter are its parent's, intersected with the split
    condition: ``code <= threshold`` (left) or ``> threshold`` (right) for a code column;
    ``value != c`` (left) or ``== c`` (right) for the one-hot column of value ``c``. Nodes are
    processed one depth level at a time, vectorised over the level.

    Parameters
    ----------
    tree : sklearn.tree.DecisionTreeRegressor
        A fitted tree.
    feature_hp, feature_value : ndarray
        Per feature column: its hyperparameter and one-hot value (``-1``: a code column), as
        returned by :func:`~lossatlas.analysis.encode_codes`.
    radices : sequence of int

    Returns
    -------
    LeafPartition
        Per leaf, the allowed values of every hyperparameter and the leaf's prediction.
    """
    t = tree.tree_
    left, right = t.children_left, t.children_right
    feature, threshold = t.feature, t.threshold
    radices = [int(r) for r in radices]
    value_hp = np.repeat(np.arange(len(radices)), radices)
    value_code = np.concatenate([np.arange(r) for r in radices])
    masks = np.zeros((t.node_count, value_hp.size), dtype=bool)
    masks[0] = True
    frontier = np.array([0])
    while frontier.size:
        inner = frontier[left[frontier] != -1]
        if inner.size == 0:
            break
        f = feature[inner]
        hp, cat = feature_hp[f], feature_value[f]
        in_block = value_hp[None, :] == hp[:, None]
        goes_left = np.where(
            cat[:, None] >= 0,
            value_code[None, :] != cat[:, None],
            value_code[None, :] <= threshold[inner][:, None],
        )
        masks[left[inner]] = masks[inner] & (~in_block | goes_left)
        masks[right[inner]] = masks[inner] & (~in_block | ~goes_left)
        frontier = np.concatenate([left[inner], right[inner]])
    leaves = np.flatnonzero(left == -1)
    bounds = np.cumsum([0, *radices])
    per_hp = tuple(masks[leaves, bounds[d] : bounds[d + 1]] for d in range(len(radices)))
    return LeafPartition(masks=per_hp, values=t.value[leaves, 0, 0].astype(float))
