"""Evaluation tasks: one configuration on one fold at one fidelity with one seed.

This module holds what a worker process runs (:func:`run_task`): it rebuilds the split from the
seed, draws the nested training subsample for the data fraction, fits the estimator and
measures its losses. Results are plain dicts; the parent process writes them to the journal.

Protocol (after Huang & Li 2023, arXiv 2311.14014: an 80/20 split, then k-fold CV):

- held-out test split (``test_size > 0``): a seeded (stratified for classification) split
  made once per dataset and seed, before the folds, and the same for every configuration and
  fidelity (:func:`holdout_split`); the folds partition the remaining rows;
- folds: ``StratifiedKFold`` (classification) or ``KFold`` (regression), shuffled with the seed;
  every fidelity uses the same folds, so landscapes at different fidelities are comparable;
- data fraction alpha: the first ``ceil(alpha * n)`` rows of one seeded ordering of the training
  fold (seeded by seed and fold only), so a smaller fraction is a subset of a larger one. The
  ordering puts one row of each class first and then interleaves the classes by their
  within-class rank, so every subsample is stratified and holds every class;
- losses: classification 1 - accuracy and ``*_logloss`` (when the estimator has
  ``predict_proba``); regression RMSE. ``train`` is measured on the (subsampled) rows the model
  was fitted on. With a held-out split, ``valid`` is the fold's validation rows and ``test`` the
  held-out rows; with ``test_size == 0`` there is no ``valid`` and ``test`` is the validation
  fold (the protocol before the held-out split existed).
"""

from __future__ import annotations

import json
import math
import time
import traceback
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lossatlas.errors import require
from lossatlas.evaluate._datasets import Dataset
from lossatlas.evaluate._models import ModelContext, ModelSpec

__all__ = [
    "Task",
    "TaskContext",
    "canonical",
    "evaluation_splits",
    "fold_indices",
    "holdout_split",
    "losses_of",
    "PreparedFit",
    "failure_message",
    "fit_prepared",
    "nested_subsample",
    "prepare_fit",
    "result_header",
    "run_task",
    "score_prepared",
    "scored_rows",
]


def canonical(mapping: Mapping[str, Any]) -> str:
    """Canonical JSON of a mapping (sorted keys, no spaces): the journal's key text.

    Parameters
    ----------
    mapping : mapping of str to value
        A configuration or fidelity (numpy scalars become Python numbers).

    Returns
    -------
    str
    """
    return json.dumps(
        {str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in mapping.items()},
        sort_keys=True,
        separators=(",", ":"),
    )


@dataclass(frozen=True)
class Task:
    """One unit of work; ``config`` and ``fidelity`` are canonical JSON texts."""

    config_id: int
    config: str
    fold: int
    fidelity: str
    seed: int

    @property
    def key(self) -> tuple[str, int, str, int]:
        """The journal key within a study."""
        return (self.config, self.fold, self.fidelity, self.seed)


@dataclass(frozen=True, eq=False)
class TaskContext:
    """What every task of a study shares (sent once to each worker)."""

    study: str
    model: ModelSpec
    dataset: Dataset
    folds: int
    params: Mapping[str, Any]
    test_size: float = 0.0


def fold_indices(
    dataset: Dataset, folds: int, seed: int, *, rows: np.ndarray | None = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Seeded (stratified for classification) k-fold train/validation row indices.

    ``rows`` restricts the folds to those rows of the dataset (default: every row); the
    returned indices are rows of the dataset either way.

    Parameters
    ----------
    dataset : Dataset
    folds : int
        Number of folds.
    seed : int
        Seed of the shuffle.
    rows : ndarray, optional
        Dataset rows to split (the rest after a held-out test split).

    Returns
    -------
    list of (ndarray, ndarray)
        ``(train_rows, validation_rows)`` per fold, rows of the dataset.
    """
    selection = require("sklearn.model_selection", "models", purpose="cross-validation folds")
    KFold, StratifiedKFold = selection.KFold, selection.StratifiedKFold  # noqa: N806
    rows = np.arange(dataset.n_samples) if rows is None else np.asarray(rows, dtype=np.int64)
    X = dataset.X[rows]
    if dataset.task == "classification":
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        parts = splitter.split(X, dataset.y[rows])
    else:
        parts = KFold(n_splits=folds, shuffle=True, random_state=seed).split(X)
    return [(rows[train], rows[valid]) for train, valid in parts]


def holdout_split(dataset: Dataset, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The held-out test split of a dataset: ``(rest, test)`` sorted row indices.

    Seeded by ``seed`` only (not by configuration, fold or fidelity) and stratified for
    classification, so every configuration and fidelity is scored on the same test rows.

    Parameters
    ----------
    dataset : Dataset
    test_size : float
        Fraction of the rows held out, in (0, 1).
    seed : int

    Returns
    -------
    rest, test : ndarray
        Sorted row indices of the rows left for the folds and of the held-out rows.
    """
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must lie in (0, 1), not {test_size}")
    selection = require("sklearn.model_selection", "models", purpose="the held-out test split")
    rows = np.arange(dataset.n_samples)
    stratify = dataset.y if dataset.task == "classification" else None
    rest, test = selection.train_test_split(
        rows, test_size=test_size, random_state=seed, shuffle=True, stratify=stratify
    )
    return np.sort(rest), np.sort(test)


def evaluation_splits(
    dataset: Dataset, folds: int, seed: int, *, test_size: float = 0.0
) -> tuple[np.ndarray | None, list[tuple[np.ndarray, np.ndarray]]]:
    """The held-out test rows (None when ``test_size == 0``) and the k folds of the rest.

    Parameters
    ----------
    dataset : Dataset
    folds : int
        Number of cross-validation folds of the rest.
    seed : int
        Seed of the split and of the folds.
    test_size : float, default 0.0
        Fraction of the rows held out (0: no held-out split, the folds cover every row).

    Returns
    -------
    test : ndarray or None
        Held-out rows.
    folds : list of (ndarray, ndarray)
        ``(train_rows, validation_rows)`` of each fold, rows of the dataset.

    References
    ----------
    C. Huang, K. Li. On the Hyperparameter Loss Landscapes of Machine Learning Models: An
    Exploratory Study. arXiv:2311.14014, 2023 (80/20 split, then 5-fold CV).
    """
    if test_size <= 0.0:
        return None, fold_indices(dataset, folds, seed)
    rest, test = holdout_split(dataset, test_size, seed)
    return test, fold_indices(dataset, folds, seed, rows=rest)


def nested_subsample(
    train: np.ndarray, y: np.ndarray | None, fraction: float, *, seed: int, fold: int
) -> np.ndarray:
    """Rows of ``train`` for the data fraction ``fraction``; nested across fractions.

    Parameters
    ----------
    train : ndarray
        Training-fold row indices.
    y : ndarray, optional
        Class codes of all rows (classification) for a stratified ordering; None for regression.
    fraction : float
        In (0, 1]; at least one row per class (or 2 rows) is kept.
    seed, fold : int
        Seed the ordering; it does not depend on ``fraction``.

    Returns
    -------
    ndarray
        The kept rows of ``train``: the rows of a smaller fraction are a subset of a larger's.
    """
    n = len(train)
    if fraction >= 1.0:  # every row: the sorted ordering's first n rows are train itself
        return np.array(train)
    rng = np.random.default_rng([int(seed), int(fold), 7919])
    u = rng.random(n)
    if y is None:
        order = np.argsort(u, kind="stable")
        minimum = 2
    else:
        labels = y[train]
        rank = np.empty(n, dtype=np.float64)
        classes = np.unique(labels)
        for c in classes:
            rows = np.flatnonzero(labels == c)
            within = np.empty(len(rows), dtype=np.float64)
            within[np.argsort(u[rows], kind="stable")] = np.arange(len(rows))
            # first row of each class at the front; the rest interleaved by relative rank
            rank[rows] = np.where(within == 0, -1.0, (within + 0.5) / len(rows))
        order = np.lexsort((u, rank))
        minimum = len(classes)
    m = n if fraction >= 1.0 else min(n, max(math.ceil(fraction * n), minimum))
    return train[np.sort(order[:m])]


_Splits = tuple[np.ndarray | None, list[tuple[np.ndarray, np.ndarray]]]
_SPLITS: dict[tuple[str, int], _Splits] = {}


def _splits(context: TaskContext, seed: int) -> _Splits:
    key = (context.study, seed)
    if key not in _SPLITS:
        if len(_SPLITS) > 32:
            _SPLITS.clear()
        _SPLITS[key] = evaluation_splits(
            context.dataset, context.folds, seed, test_size=context.test_size
        )
    return _SPLITS[key]


def _log_loss(y: np.ndarray, proba: np.ndarray, classes: np.ndarray, n_classes: int) -> float:
    full = np.zeros((len(y), n_classes), dtype=np.float64)
    full[:, np.asarray(classes, dtype=np.int64)] = proba
    p = np.clip(full[np.arange(len(y)), y], 1e-15, 1.0)
    return float(-np.mean(np.log(p)))


def scored_rows(parts: Mapping[str, np.ndarray]) -> np.ndarray:
    """The dataset rows of every scored part (``train``, ``valid``, ``test``), concatenated in
    order: the rows one prediction call covers."""
    return np.concatenate(list(parts.values()))


def losses_of(
    dataset: Dataset,
    parts: Mapping[str, np.ndarray],
    *,
    pred: np.ndarray | None = None,
    proba: np.ndarray | None = None,
    classes: np.ndarray | None = None,
) -> dict[str, float]:
    """Loss columns of each part from predictions over :func:`scored_rows` of ``parts``.

    Parameters
    ----------
    dataset : Dataset
    parts : mapping of str to ndarray
        Named row sets, in the order of the predictions.
    pred : ndarray, optional
        Predicted values (regression) or labels (classification; default: the arg-max of
        ``proba``).
    proba : ndarray, optional
        Class probabilities (classification), columns in the order of ``classes``.
    classes : ndarray, optional
        The estimator's classes (default: ``0 .. n_classes - 1``).

    Returns
    -------
    dict of str to float
        ``<part>`` (RMSE or error rate) and, for classification, ``<part>_logloss`` (NaN
        without ``proba``).
    """
    y = dataset.y[scored_rows(parts)]
    bounds = np.cumsum([0] + [len(r) for r in parts.values()])
    spans = [(name, lo, hi) for name, lo, hi in zip(parts, bounds[:-1], bounds[1:], strict=True)]
    out: dict[str, float] = {}
    if dataset.task == "regression":
        assert pred is not None, "a regression is scored from its predictions"
        pred = np.asarray(pred, dtype=np.float64).reshape(-1)
        for name, lo, hi in spans:
            out[name] = float(np.sqrt(np.mean((pred[lo:hi] - y[lo:hi]) ** 2)))
        return out
    classes = np.asarray(classes if classes is not None else np.arange(dataset.n_classes))
    if pred is None:
        assert proba is not None, "a classification is scored from labels or probabilities"
        pred = classes[np.argmax(proba, axis=1)]
    for name, lo, hi in spans:
        out[name] = float(np.mean(pred[lo:hi] != y[lo:hi]))
        out[f"{name}_logloss"] = (
            _log_loss(y[lo:hi], proba[lo:hi], classes, dataset.n_classes)
            if proba is not None
            else math.nan
        )
    return out


def _losses(
    spec: ModelSpec, estimator: Any, dataset: Dataset, parts: Mapping[str, np.ndarray]
) -> dict[str, float]:
    """Loss columns for each named part (``train``, ``valid``, ``test``) of the rows, predicted
    in one call."""
    X = dataset.X[scored_rows(parts)]
    if dataset.task == "regression":
        return losses_of(dataset, parts, pred=estimator.predict(X))
    proba = None
    if hasattr(estimator, "predict_proba"):
        proba = np.asarray(estimator.predict_proba(X), dtype=np.float64)
    classes = np.asarray(getattr(estimator, "classes_", np.arange(dataset.n_classes)))
    pred = None
    if not (spec.predict_from_proba and proba is not None):
        pred = np.asarray(estimator.predict(X)).reshape(-1)
    return losses_of(dataset, parts, pred=pred, proba=proba, classes=classes)


def failure_message(exc: BaseException) -> str:
    """One line naming a failing configuration's exception and where it was raised."""
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" (at {last[0].filename}:{last[0].lineno})" if last else ""
    return f"{type(exc).__name__}: {exc}{where}"[:2000]


def result_header(task: Task) -> dict[str, Any]:
    """The key fields of ``task``'s result, status ``ok`` until something fails."""
    return {
        "config": task.config,
        "fold": task.fold,
        "fidelity": task.fidelity,
        "seed": task.seed,
        "status": "ok",
        "error": None,
    }


@dataclass(frozen=True)
class PreparedFit:
    """What fitting one task needs: its rows, parameters and the model context."""

    train: np.ndarray
    parts: dict[str, np.ndarray]
    params: dict[str, Any]
    model_context: ModelContext


def prepare_fit(context: TaskContext, task: Task) -> PreparedFit:
    """The training rows, scored parts, parameters and model context of ``task``.

    Parameters
    ----------
    context : TaskContext
    task : Task

    Returns
    -------
    PreparedFit
    """
    dataset = context.dataset
    fidelity = json.loads(task.fidelity)
    held_out, folds = _splits(context, task.seed)
    train, valid = folds[task.fold]
    train = nested_subsample(
        train,
        dataset.y if dataset.task == "classification" else None,
        float(fidelity.get("fraction", 1.0)),
        seed=task.seed,
        fold=task.fold,
    )
    knobs = {k: v for k, v in fidelity.items() if k != "fraction"}
    params = {**context.params, **json.loads(task.config), **knobs}
    model_context = ModelContext(
        task=dataset.task,
        seed=task.seed,
        n_features=dataset.X.shape[1],
        n_classes=dataset.n_classes,
        image_shape=dataset.image_shape,
    )
    if held_out is None:
        parts = {"train": train, "test": valid}
    else:
        parts = {"train": train, "valid": valid, "test": held_out}
    return PreparedFit(train, parts, params, model_context)


def fit_prepared(context: TaskContext, prepared: PreparedFit) -> tuple[Any, float]:
    """Build and fit the estimator of a prepared task: ``(estimator, fit_seconds)``.

    Parameters
    ----------
    context : TaskContext
    prepared : PreparedFit

    Returns
    -------
    estimator : object
    fit_seconds : float
    """
    dataset = context.dataset
    estimator = context.model.make(prepared.params, prepared.model_context)
    start = time.perf_counter()
    estimator.fit(dataset.X[prepared.train], dataset.y[prepared.train])
    return estimator, time.perf_counter() - start


def score_prepared(context: TaskContext, prepared: PreparedFit, estimator: Any) -> dict[str, Any]:
    """Loss columns, ``predict_seconds``, ``n_train`` and ``n_test`` of a fitted estimator.

    Parameters
    ----------
    context : TaskContext
    prepared : PreparedFit
    estimator : object
        Fitted (or a prefix view of a fitted ensemble, :mod:`lossatlas.evaluate._reuse`).

    Returns
    -------
    dict
    """
    start = time.perf_counter()
    losses = _losses(context.model, estimator, context.dataset, prepared.parts)
    return {
        **losses,
        "predict_seconds": time.perf_counter() - start,
        "n_train": len(prepared.train),
        "n_test": len(prepared.parts["test"]),
    }


def run_task(context: TaskContext, task: Any) -> Any:
    """Fit and score one task; never raises for a failing configuration.

    Parameters
    ----------
    context : TaskContext
        The model, dataset and fixed parameters shared by every task.
    task : Task or TaskGroup
        One configuration x fold x fidelity x seed, or a
        :class:`~lossatlas.evaluate._reuse.TaskGroup` of tasks that differ only in a nested
        number of rounds or trees (trained once, each prefix scored).

    Returns
    -------
    dict or list of dict
        ``config``, ``fold``, ``fidelity``, ``seed``, ``status`` ("ok"/"failed"), ``error``,
        the loss columns, ``fit_seconds``, ``predict_seconds``, ``n_train``, ``n_test``; a
        list of such dicts (one per task) for a group.
    """
    if not isinstance(task, Task):
        from lossatlas.evaluate._reuse import run_group

        return run_group(context, task)
    result = result_header(task)
    try:
        prepared = prepare_fit(context, task)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            estimator, fit_seconds = fit_prepared(context, prepared)
            scores = score_prepared(context, prepared, estimator)
        result.update(scores, fit_seconds=fit_seconds)
    except Exception as exc:  # a failing configuration is data, not a crash
        result.update(status="failed", error=failure_message(exc))
    return result
