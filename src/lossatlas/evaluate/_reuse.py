"""Train once, score every nested fidelity: prefixes of boosted ensembles and forests.

Where a fidelity knob or a hyperparameter of the grid is a number of boosting rounds or trees
(``n_estimators`` of ``rf`` and ``xgboost``), the tasks that differ only in that
number (same other hyperparameters, fold, data fraction and seed) form a :class:`TaskGroup`:
one estimator is trained at the largest value and each smaller value is scored on a prefix of
it. Each scored prefix is still a task of its own with its own journal row, so resume and dedup
work as before (a group whose tasks are partly done trains at the largest value still to do).

The prefixes equal separately trained models exactly (``tests/evaluate/test_reuse.py``):

- scikit-learn forests draw each tree's seed sequentially from ``random_state``, so the first
  k trees of a forest are the trees of a k-tree forest with the same seed;
- XGBoost (``iteration_range=(0, k)``) grows round i the same way whatever the total number
  of rounds (no early stopping, seeded row/column sampling drawn round by round).

Models whose shorter runs are *not* prefixes of a longer one are not grouped: LightGBM (with
bagging, ``subsample < 1``, a k-round run may differ from the first k rounds of a longer run:
on iris, half the rows, ``subsample=0.6``, 5 rounds give 12 trees where the first 5 rounds of
a 9-round run give 15, and probabilities differ by up to 0.09; without bagging they agree
exactly, and :func:`boosting_prefix` supports ``num_iteration`` for a user who registers such
a model with ``prefix=boosting_prefix``), the torch
networks' ``epochs`` (FCNet's cosine schedule anneals over the total number of epochs, so an
epoch-k checkpoint of a longer run is not a k-epoch run; with a constant learning rate it would
be one, as the seeded shuffles are drawn epoch by epoch, but epoch-checkpoint scoring is not
implemented yet), SVMs and decision trees (no nested axis).

Fit time is accounted once: the task trained at the largest value carries the group's
``fit_seconds``; the prefix tasks carry 0 and name it in ``prefix_of`` (the value trained).
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from lossatlas.evaluate._models import ModelSpec
from lossatlas.evaluate._prefixes import boosting_prefix, forest_prefix, forest_prefix_outputs
from lossatlas.evaluate._tasks import (
    PreparedFit,
    Task,
    TaskContext,
    canonical,
    failure_message,
    fit_prepared,
    losses_of,
    prepare_fit,
    result_header,
    score_prepared,
    scored_rows,
)

__all__ = [
    "TaskGroup",
    "boosting_prefix",
    "forest_prefix",
    "group_tasks",
    "run_group",
]


@dataclass(frozen=True)
class TaskGroup:
    """Tasks that differ only in the nested number ``values[i]`` of the knob ``axis``.

    Attributes
    ----------
    tasks : tuple of Task
        Sorted by ``values``, smallest first; the last is trained, the others are its prefixes.
    axis : str
        The knob (``n_estimators``).
    values : tuple of int
        The knob's value in each task.
    """

    tasks: tuple[Task, ...]
    axis: str
    values: tuple[int, ...]


def _axis(spec: ModelSpec, task: Task) -> tuple[str, int] | None:
    """``("config" | "fidelity", value)`` of the model's nested knob in ``task``."""
    knob = spec.prefix_knob
    config, fidelity = json.loads(task.config), json.loads(task.fidelity)
    if knob in config:
        return "config", int(config[knob])
    if knob in fidelity:
        return "fidelity", int(fidelity[knob])
    return None


def _group_key(spec: ModelSpec, task: Task, where: str) -> tuple[Any, ...]:
    knob = spec.prefix_knob
    config, fidelity = json.loads(task.config), json.loads(task.fidelity)
    (config if where == "config" else fidelity).pop(knob, None)
    return (where, canonical(config), task.fold, canonical(fidelity), task.seed)


def group_tasks(spec: ModelSpec, tasks: Iterable[Task]) -> list[Task | TaskGroup]:
    """Gather the tasks that differ only in the model's nested knob into groups.

    Parameters
    ----------
    spec : ModelSpec
        A model with a ``prefix`` view and its ``prefix_knob``; other models' tasks are
        returned as they are.
    tasks : iterable of Task

    Returns
    -------
    list of Task or TaskGroup
        In the order of each group's first task; a group of one is returned as its task.
    """
    tasks = list(tasks)
    if spec.prefix is None or not spec.prefix_knob:
        return list(tasks)
    groups: dict[tuple[Any, ...], list[tuple[int, Task]]] = {}
    order: list[Task | tuple[Any, ...]] = []
    for task in tasks:
        axis = _axis(spec, task)
        if axis is None:
            order.append(task)
            continue
        key = _group_key(spec, task, axis[0])
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append((axis[1], task))
    out: list[Task | TaskGroup] = []
    for item in order:
        if isinstance(item, Task):
            out.append(item)
            continue
        members = sorted(groups[item], key=lambda pair: pair[0])
        if len(members) == 1:
            out.append(members[0][1])
        else:
            out.append(
                TaskGroup(
                    tasks=tuple(task for _, task in members),
                    axis=spec.prefix_knob,
                    values=tuple(value for value, _ in members),
                )
            )
    return out


def run_group(context: TaskContext, group: TaskGroup) -> list[dict[str, Any]]:
    """Train the group's largest task once and score every prefix; never raises.

    Parameters
    ----------
    context : TaskContext
    group : TaskGroup

    Returns
    -------
    list of dict
        One result per task of the group, as :func:`lossatlas.evaluate._tasks.run_task`
        returns; the prefix tasks have ``fit_seconds`` 0 and ``prefix_of`` the trained value.
    """
    prefix = context.model.prefix
    assert prefix is not None, f"model {context.model.name!r} has no prefix view"
    largest = group.tasks[-1]
    results = [result_header(task) for task in group.tasks]
    try:
        prepared = prepare_fit(context, largest)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            estimator, fit_seconds = fit_prepared(context, prepared)
    except Exception as exc:  # the shared fit failed: every task of the group fails with it
        error = failure_message(exc)
        for result in results:
            result.update(status="failed", error=error)
        return results
    top = group.values[-1]
    if prefix is forest_prefix and _score_forest_prefixes(
        context, group, prepared, estimator, results
    ):
        _account_fit(results, group.values, fit_seconds)
        return results
    for result, value in zip(results, group.values, strict=True):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                view = estimator if value == top else prefix(estimator, value)
                scores = score_prepared(context, prepared, view)
            result.update(scores)
        except Exception as exc:
            result.update(status="failed", error=failure_message(exc))
    _account_fit(results, group.values, fit_seconds)
    return results


def _account_fit(results: list[dict[str, Any]], values: tuple[int, ...], seconds: float) -> None:
    """The trained (largest) task carries the fit time; the prefixes 0 and ``prefix_of``."""
    top = values[-1]
    for result, value in zip(results, values, strict=True):
        if result["status"] != "ok":
            continue
        result["fit_seconds"] = seconds if value == top else 0.0
        if value != top:
            result["prefix_of"] = top


def _score_forest_prefixes(
    context: TaskContext,
    group: TaskGroup,
    prepared: PreparedFit,
    estimator: Any,
    results: list[dict[str, Any]],
) -> bool:
    """Score every prefix of a forest from one pass over its trees
    (:func:`~lossatlas.evaluate._prefixes.forest_prefix_outputs`); False (nothing scored)
    where the forest is not one it mirrors."""
    dataset, parts = context.dataset, prepared.parts
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            outputs = forest_prefix_outputs(estimator, dataset.X[scored_rows(parts)], group.values)
        except Exception:  # noqa: BLE001 - the views below fail with the same error, per task
            return False
        if outputs is None:
            return False
        classification = dataset.task == "classification"
        classes = np.asarray(estimator.classes_) if classification else None
        scored = 0
        try:
            for result, (_, output) in zip(results, outputs, strict=True):
                if classification:
                    losses = losses_of(dataset, parts, proba=output, classes=classes)
                else:
                    losses = losses_of(dataset, parts, pred=output)
                now = time.perf_counter()
                result.update(
                    losses,
                    predict_seconds=now - start,
                    n_train=len(prepared.train),
                    n_test=len(parts["test"]),
                )
                start = now
                scored += 1
        except Exception as exc:  # the tasks not scored yet fail with it
            for result in results[scored:]:
                result.update(status="failed", error=failure_message(exc))
    return True
