"""Prefix views of fitted ensembles: the first k trees of a forest, the first k boosting rounds.

Used by :mod:`lossatlas.evaluate._reuse` to score every nested ``n_estimators`` from one fit;
see there for why each view equals a separately trained model.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["boosting_prefix", "forest_prefix"]


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
