"""Prefix views of fitted ensembles: the first k trees of a forest, the first k boosting rounds.

Used by :mod:`lossatlas.evaluate._reuse` to score every nested ``n_estimators`` from one fit;
see there for why each view equals a separately trained model.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

__all__ = ["boosting_prefix", "forest_prefix", "forest_prefix_outputs"]


def forest_prefix(estimator: Any, k: int) -> Any:
    """A shallow copy of a fitted scikit-learn forest holding only its first ``k`` trees.

    Parameters
    ----------
    estimator : RandomForestClassifier or RandomForestRegressor
        Fitted.
    k : int
        Number of trees kept.

    Returns
    -------
    estimator
        Predicts exactly as a ``k``-tree forest with the same ``random_state`` would.
    """
    view = copy.copy(estimator)
    view.estimators_ = estimator.estimators_[:k]
    view.n_estimators = k
    return view


def forest_prefix_outputs(
    estimator: Any, X: Any, values: Sequence[int]
) -> Iterator[tuple[int, np.ndarray]] | None:
    """The outputs of every prefix ``values[i]`` of a fitted forest, its trees run once.

    scikit-learn's forest ``predict_proba`` (``predict`` of a regressor) sums its trees'
    outputs one after the other into a float64 array of zeros and divides by the number of
    trees. This does the same over the first ``max(values)`` trees, in order, and hands out
    the sum divided by ``k`` each time ``k`` trees are in it: the same floating-point
    operations as a ``k``-tree forest's prediction, hence the same numbers, at the cost of
    ``max(values)`` tree predictions instead of ``sum(values)``.

    Parameters
    ----------
    estimator : RandomForestClassifier or RandomForestRegressor
        Fitted, single-output.
    X : array-like
        Rows to predict (validated and cast to float32 once, as the forest does).
    values : sequence of int
        Prefix lengths, ascending, each at most the number of trees.

    Returns
    -------
    iterator of (int, ndarray) or None
        ``(k, probabilities)`` (classifier, ``(n, n_classes)``) or ``(k, predictions)``
        (regressor, ``(n,)``) per value, lazily; None for a forest this cannot mirror
        (multi-output, or no ``estimators_``), which is then scored through
        :func:`forest_prefix` views.
    """
    trees = getattr(estimator, "estimators_", None)
    if not trees or getattr(estimator, "n_outputs_", 1) != 1 or max(values) > len(trees):
        return None
    X = estimator._validate_X_predict(X)
    if hasattr(estimator, "predict_proba"):
        total = np.zeros((X.shape[0], int(estimator.n_classes_)), dtype=np.float64)
        methods = [tree.predict_proba for tree in trees]
    else:
        total = np.zeros(X.shape[0], dtype=np.float64)
        methods = [tree.predict for tree in trees]

    def outputs() -> Iterator[tuple[int, np.ndarray]]:
        done = 0
        for k in values:
            for method in methods[done:k]:
                np.add(total, method(X, check_input=False), out=total)  # the forest's +=
            done = k
            yield k, total / k

    return outputs()


class _BoostingPrefix:
    """Predictions of the first ``k`` rounds of a fitted XGBoost or LightGBM model."""

    def __init__(self, estimator: Any, k: int) -> None:
        self._estimator = estimator
        module = type(estimator).__module__
        self._kwargs: dict[str, Any] = (
            {"iteration_range": (0, k)} if module.startswith("xgboost") else {"num_iteration": k}
        )
        if hasattr(estimator, "classes_"):
            self.classes_ = estimator.classes_
        if hasattr(estimator, "predict_proba"):
            self.predict_proba = self._predict_proba

    def predict(self, X: Any) -> Any:
        return self._estimator.predict(X, **self._kwargs)

    def _predict_proba(self, X: Any) -> Any:
        return self._estimator.predict_proba(X, **self._kwargs)


def boosting_prefix(estimator: Any, k: int) -> Any:
    """A view of a fitted XGBoost/LightGBM model predicting with its first ``k`` rounds.

    Parameters
    ----------
    estimator : XGBModel or LGBMModel
        Fitted, without early stopping.
    k : int
        Number of boosting rounds used.

    Returns
    -------
    object
        ``predict`` (and ``predict_proba``, ``classes_`` for a classifier) through
        ``iteration_range=(0, k)`` (XGBoost) or ``num_iteration=k`` (LightGBM).
    """
    return _BoostingPrefix(estimator, k)
