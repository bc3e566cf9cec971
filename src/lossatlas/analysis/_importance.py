"""Hyperparameter importance: functional ANOVA of a landscape, and importance for the top set.

- :func:`importance`: fANOVA variance fractions of one loss of a landscape (Hutter, Hoos &
  Leyton-Brown 2014). A complete landscape is decomposed exactly (:func:`fanova_grid`); a partial
  or sampled one through a random-forest surrogate (:func:`surrogate_fanova`).
- :func:`top_set_importance`: how much each hyperparameter matters for reaching the top-gamma
  set (PED-ANOVA, Watanabe, Bansal & Hutter 2023).

Every table has the columns ``term, order, variance, fraction``; interaction terms join the
hyperparameter names with ``":"`` in the space's HP order (``"lr:depth"``) and a final
``"residual"`` row makes the fractions sum to 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from lossatlas.analysis._fanova import (
    fanova_partition,
    fanova_table,
    fanova_tensor,
    terms_up_to,
    tree_partition,
)
from lossatlas.errors import InputError, require

if TYPE_CHECKING:
    from lossatlas.landscape import Landscape

__all__ = [
    "encode_codes",
    "fanova_grid",
    "fit_forest",
    "importance",
    "ped_anova",
    "surrogate_fanova",
    "top_set_importance",
]

SurrogateMethod = Literal["trees", "grid"]


def fanova_grid(
    loss: np.ndarray, radices: Sequence[int], names: Sequence[str], *, order: int = 2
) -> pd.DataFrame:
    """Exact fANOVA of a complete grid's loss vector (rows in flat-index order).

    See :func:`lossatlas.analysis._fanova.fanova_tensor`; the vector is reshaped with
    ``loss.reshape(radices)`` (C order: the last hyperparameter varies fastest).

    Parameters
    ----------
    loss : ndarray of shape (prod(radices),)
        Loss of every configuration, in flat-index order.
    radices : sequence of int
        Number of values of each hyperparameter.
    names : sequence of str
        Hyperparameter names, in space order.
    order : int, default 2
        Highest interaction order decomposed.

    Returns
    -------
    DataFrame
        ``term, order, variance, fraction`` rows and a final ``"residual"`` row.

    References
    ----------
    Hutter, F., Hoos, H. & Leyton-Brown, K. (2014). An efficient approach for assessing
    hyperparameter importance. ICML.
    """
    loss = np.asarray(loss, dtype=float)
    radices = [int(r) for r in radices]
    if loss.size != int(np.prod(radices)):
        raise InputError(
            f"a complete grid of radices {radices} has {int(np.prod(radices))} configurations, "
            f"got {loss.size} losses"
        )
    variances, total = fanova_tensor(loss.reshape(radices), order=order)
    return fanova_table(variances, total, names)


def encode_codes(
    codes: np.ndarray, radices: Sequence[int], categorical: Sequence[bool]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features for the surrogate: ordinal codes, and one-hot columns for categorical HPs.

    An ordinal (or boolean, or two-valued categorical) hyperparameter is one column holding its
    integer code: a tree split on it is a threshold on the ordered values. A categorical one
    with three or more values becomes one 0/1 column per value, so that a split separates one
    value from the rest instead of imposing an order.

    Parameters
    ----------
    codes : ndarray of shape (n, d)
        Value codes of the configurations.
    radices : sequence of int
        Number of values of each hyperparameter.
    categorical : sequence of bool
        Which hyperparameters are unordered.

    Returns
    -------
    features : ndarray
        ``(n, n_features)`` float array.
    feature_hp : ndarray
        HP position of each feature column.
    feature_value : ndarray
        The value code a one-hot column stands for, or ``-1`` for a code column.
    """
    codes = np.asarray(codes, dtype=np.int64)
    columns, feature_hp, feature_value = [], [], []
    for d, (radix, is_cat) in enumerate(zip(radices, categorical, strict=True)):
        if is_cat and radix >= 3:
            for value in range(int(radix)):
                columns.append(codes[:, d] == value)
                feature_hp.append(d)
                feature_value.append(value)
        else:
            columns.append(codes[:, d])
            feature_hp.append(d)
            feature_value.append(-1)
    features = np.column_stack(columns).astype(float) if columns else np.empty((len(codes), 0))
    return features, np.array(feature_hp), np.array(feature_value)


def fit_forest(
    features: np.ndarray,
    target: np.ndarray,
    *,
    n_trees: int = 64,
    max_depth: int | None = 64,
    min_samples_leaf: int = 1,
    seed: int | None = 0,
    n_jobs: int | None = None,
) -> Any:
    """Fit the random-forest surrogate (scikit-learn ``RandomForestRegressor``).

    The defaults follow Optuna's fANOVA evaluator (64 fully grown trees of depth at most 64,
    bootstrap samples, all features at each split).

    Parameters
    ----------
    features : ndarray of shape (n, n_features)
    target : ndarray of shape (n,)
    n_trees : int, default 64
    max_depth : int or None, default 64
    min_samples_leaf : int, default 1
    seed : int or None, default 0
    n_jobs : int or None, optional
        Parallel jobs of scikit-learn.

    Returns
    -------
    sklearn.ensemble.RandomForestRegressor
        The fitted forest.
    """
    ensemble = require("sklearn.ensemble", "models", purpose="the fANOVA surrogate")
    forest = ensemble.RandomForestRegressor(
        n_estimators=n_trees,
        max_depth=max_depth,
        min_samples_leaf=min_samples_leaf,
        random_state=seed,
        n_jobs=n_jobs,
    )
    return forest.fit(features, target)


def surrogate_fanova(
    codes: np.ndarray,
    loss: np.ndarray,
    radices: Sequence[int],
    names: Sequence[str],
    *,
    categorical: Sequence[bool] | None = None,
    order: int = 2,
    method: SurrogateMethod = "trees",
    n_trees: int = 64,
    max_depth: int | None = 64,
    seed: int | None = 0,
    n_jobs: int | None = None,
    max_grid_size: int = 1_000_000,
    progress: bool = False,
) -> pd.DataFrame:
    """fANOVA of a partial landscape through a random-forest surrogate.

    Parameters
    ----------
    codes : ndarray
        ``(n, d)`` integer codes of the evaluated configurations.
    loss : ndarray
        ``(n,)`` their losses (finite).
    radices, names
        The grid: values per hyperparameter and their names, in HP order.
    categorical : sequence of bool, optional
        Which hyperparameters are categorical (one-hot encoded when they have >= 3 values).
    order : int, default 2
        Terms of at most this many hyperparameters.
    method : {"trees", "grid"}, default "trees"
        ``"trees"``: Hutter et al. (2014): each tree's leaves are boxes of the grid
        (:func:`tree_partition`); each tree is decomposed exactly over the uniform grid
        (:func:`~lossatlas.analysis._fanova.fanova_partition`), and the table reports the mean
        over trees of the per-tree variance fractions (``fraction``; ``fraction_std`` their
        standard deviation) and of the per-tree variances. Cost: linear in the leaves, independent
        of the grid size. ``"grid"``: predict the forest's mean on every configuration of the grid
        and decompose that tensor exactly (:func:`~lossatlas.analysis._fanova.fanova_tensor`);
        only for grids of at most ``max_grid_size`` configurations. The forest mean is smoother
        than its trees, so ``"grid"`` attributes less variance to interactions.
    n_trees, max_depth, seed, n_jobs
        Forest settings (:func:`fit_forest`).
    max_grid_size : int, default 1_000_000
        Largest grid ``"grid"`` predicts on.
    progress : bool, default False
        Show a progress bar over the trees.

    Returns
    -------
    DataFrame
        ``term, order, variance, fraction`` (+ ``fraction_std`` for ``"trees"``) and the residual.

    References
    ----------
    F. Hutter, H. Hoos, K. Leyton-Brown. An Efficient Approach for Assessing Hyperparameter
    Importance. ICML 2014.
    """
    codes = np.asarray(codes, dtype=np.int64)
    loss = np.asarray(loss, dtype=float)
    radices = [int(r) for r in radices]
    if codes.ndim != 2 or codes.shape != (loss.size, len(radices)):
        raise InputError(f"codes of shape {codes.shape} do not match {loss.size} losses")
    if loss.size < 2:
        raise InputError(
            f"the surrogate needs at least 2 evaluated configurations, got {loss.size}"
        )
    if not np.all(np.isfinite(loss)):
        raise InputError("the losses handed to the surrogate must be finite")
    categorical = [False] * len(radices) if categorical is None else list(categorical)
    features, feature_hp, feature_value = encode_codes(codes, radices, categorical)
    forest = fit_forest(
        features, loss, n_trees=n_trees, max_depth=max_depth, seed=seed, n_jobs=n_jobs
    )
    if method == "grid":
        size = int(np.prod(radices))
        if size > max_grid_size:
            raise InputError(
                f"method 'grid' predicts on all {size} configurations, more than "
                f"max_grid_size={max_grid_size}: use method 'trees'"
            )
        grid_codes = np.stack(np.unravel_index(np.arange(size), radices), axis=1)
        grid_features, _, _ = encode_codes(grid_codes, radices, categorical)
        predicted = forest.predict(grid_features)
        return fanova_grid(predicted, radices, names, order=order)
    if method != "trees":
        raise InputError(f"unknown surrogate method {method!r}: use 'trees' or 'grid'")
    from tqdm.auto import tqdm

    terms = terms_up_to(len(radices), order)
    per_tree_var, per_tree_frac, per_tree_total = [], [], []
    for estimator in tqdm(forest.estimators_, desc="fANOVA trees", disable=not progress):
        partition = tree_partition(estimator, feature_hp, feature_value, radices)
        variances, total = fanova_partition(partition, terms=terms)
        if total <= 0:  # a constant tree explains nothing (Hutter et al. skip it too)
            continue
        var = np.array([variances[t] for t in terms])
        per_tree_var.append(var)
        per_tree_frac.append(var / total)
        per_tree_total.append(total)
    if not per_tree_frac:
        table = fanova_table(dict.fromkeys(terms, 0.0), 0.0, names)
        table["fraction_std"] = np.nan
        return table
    fractions = np.array(per_tree_frac)
    table = fanova_table(
        dict(zip(terms, np.mean(per_tree_var, axis=0), strict=True)),
        float(np.mean(per_tree_total)),
        names,
    )
    mean_fraction = fractions.mean(axis=0)
    residual = 1.0 - float(mean_fraction.sum())
    table["fraction"] = np.append(mean_fraction, 0.0 if abs(residual) < 1e-12 else residual)
    residual_std = float(np.std(1.0 - fractions.sum(axis=1)))
    table["fraction_std"] = np.append(fractions.std(axis=0), residual_std)
    return table


def importance(
    landscape: Landscape,
    *,
    loss: str = "test",
    order: int = 2,
    method: Literal["auto", "exact", "trees", "grid"] = "auto",
    seed: int | None = 0,
    n_trees: int = 64,
    progress: bool = False,
) -> pd.DataFrame:
    """fANOVA hyperparameter importance of one loss of a landscape.

    Parameters
    ----------
    landscape : Landscape
        The landscape.
    loss : str, default "test"
        Loss column to decompose.
    order : int, default 2
        Main effects and all interactions of at most ``order`` hyperparameters.
    method : {"auto", "exact", "trees", "grid"}, default "auto"
        ``"auto"`` is ``"exact"`` on a complete grid (the loss tensor is decomposed exactly)
        and ``"trees"`` on a partial landscape: Hutter et al.'s per-tree marginalisation, whose
        cost does not grow with the grid. ``"grid"`` predicts the forest on every configuration
        (grids of at most 10^6) and decomposes that tensor exactly; see
        :func:`surrogate_fanova`.
    seed, n_trees, progress
        Surrogate settings.

    Returns
    -------
    DataFrame
        ``term, order, variance, fraction`` rows and a final ``"residual"`` row.

    References
    ----------
    Hutter, F., Hoos, H. & Leyton-Brown, K. (2014). An efficient approach for assessing
    hyperparameter importance. ICML.

    Examples
    --------
    A loss that depends on ``a`` only: all of the variance is ``a``'s main effect.

    >>> from lossatlas.space import SearchSpace
    >>> from lossatlas.landscape import Landscape
    >>> space = SearchSpace.from_dict({"a": [0, 1, 2], "b": [0, 1]})
    >>> landscape = Landscape.from_array(space, [0.0, 0.0, 1.0, 1.0, 2.0, 2.0])
    >>> table = importance(landscape)
    >>> table.set_index("term")["fraction"].round(3).to_dict()
    {'a': 1.0, 'b': 0.0, 'a:b': 0.0, 'residual': 0.0}
    """
    values = landscape.loss(loss)
    space = landscape.space
    finite = np.isfinite(values)
    complete = bool(landscape.is_full and finite.all())
    if method == "auto":
        method = "exact" if complete else "trees"
    if method == "exact":
        if not complete:
            raise InputError(
                f"exact fANOVA of loss {loss!r} needs all {space.size} configurations with a "
                f"finite loss, the landscape has {int(finite.sum())}: use a surrogate method"
            )
        return fanova_grid(values, space.radices, space.names, order=order)
    return surrogate_fanova(
        landscape.codes[finite],
        values[finite],
        space.radices,
        space.names,
        categorical=~np.asarray(space.is_ordinal, dtype=bool),
        order=order,
        method=method,  # type: ignore[arg-type]
        n_trees=n_trees,
        seed=seed,
        progress=progress,
    )


def top_set_importance(
    landscape: Landscape, *, loss: str = "test", gamma: float = 0.1
) -> pd.DataFrame:
    """Importance of each hyperparameter for reaching the top-gamma set of a landscape.

    :func:`ped_anova` on the configurations with a finite ``loss``.

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
    gamma : float, default 0.1
        Top fraction; the set is tie-inclusive (:func:`~lossatlas.analysis.top_set`).

    Returns
    -------
    DataFrame
        ``term, divergence, variance, fraction`` (see :func:`ped_anova`).

    References
    ----------
    S. Watanabe, A. Bansal, F. Hutter. PED-ANOVA: Efficiently Quantifying Hyperparameter
    Importance in Arbitrary Subspaces. IJCAI 2023.
    """
    values = landscape.loss(loss)
    finite = np.isfinite(values)
    space = landscape.space
    return ped_anova(
        landscape.codes[finite], values[finite], space.radices, space.names, gamma=gamma
    )


def ped_anova(
    codes: np.ndarray,
    loss: np.ndarray,
    radices: Sequence[int],
    names: Sequence[str],
    *,
    gamma: float = 0.1,
) -> pd.DataFrame:
    """Importance of each hyperparameter for reaching the top-gamma set (PED-ANOVA).

    The top-gamma set holds the ``ceil(gamma * n)`` best configurations and every configuration
    tied with the last of them (:func:`~lossatlas.analysis.top_set`). For hyperparameter ``d``
    with value distribution ``p`` over the evaluated configurations (uniform on a complete grid)
    and ``p_gamma`` over the top set, the importance is the Pearson divergence
    ``D_d = sum_v (p_gamma(v) - p(v))^2 / p(v)``. On a complete grid ``gamma_eff^2 * D_d``
    (``gamma_eff = |top set| / n``) is exactly the fANOVA main-effect variance of the indicator
    of the top set, so ``D_d`` ranks the HPs by how much fixing them
    decides membership of the top set.

    Parameters
    ----------
    codes : ndarray of shape (n, d)
        Value codes of the configurations.
    loss : ndarray of shape (n,)
    radices : sequence of int
    names : sequence of str
    gamma : float, default 0.1

    Returns
    -------
    DataFrame
        ``term, divergence, variance, fraction``: ``variance = gamma_eff^2 * D_d`` and
        ``fraction`` its share of the indicator's variance ``gamma_eff (1 - gamma_eff)``.

    References
    ----------
    S. Watanabe, A. Bansal, F. Hutter. PED-ANOVA: Efficiently Quantifying Hyperparameter
    Importance in Arbitrary Subspaces. IJCAI 2023.
    """
    from lossatlas.analysis._similarity import top_set

    codes = np.asarray(codes, dtype=np.int64)
    loss = np.asarray(loss, dtype=float)
    if codes.shape != (loss.size, len(radices)):
        raise InputError(f"codes of shape {codes.shape} do not match {loss.size} losses")
    top = top_set(loss, gamma=gamma)
    share = top.size / loss.size
    rows = []
    for d, radix in enumerate(radices):
        p = np.bincount(codes[:, d], minlength=int(radix)) / loss.size
        p_top = np.bincount(codes[top, d], minlength=int(radix)) / top.size
        seen = p > 0
        divergence = float(np.sum((p_top[seen] - p[seen]) ** 2 / p[seen]))
        rows.append((names[d], divergence))
    frame = pd.DataFrame(rows, columns=["term", "divergence"])
    frame["variance"] = share**2 * frame["divergence"]
    indicator_variance = share * (1 - share)
    frame["fraction"] = frame["variance"] / indicator_variance if indicator_variance else np.nan
    return frame
