"""Benchmark: configurations per second of ``lossatlas evaluate`` vs scikit-learn's GridSearchCV.

Same grid (a random forest, 36 configurations), same dataset (breast_cancer) and the same
5 stratified folds for every contestant:

- GridSearchCV, ``n_jobs=1`` (also with ``return_train_score``) and ``n_jobs=2`` (one fidelity);
- lossatlas serial and ``--jobs 2`` at one fidelity (train and test error and log loss,
  timings, one committed journal row per task);
- lossatlas ``--jobs 2`` at two fidelities (data fractions 0.25 and 1.0);
- an executor check with tasks that sleep 50 ms (dispatch overhead free of CPU contention).

Targets: ``--jobs 2`` at least 1.7x serial; lossatlas no slower than GridSearchCV for the same
work. Run: ``python benchmarks/bench_evaluate.py [--estimators 30] [--repeats 1]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from lossatlas.evaluate import Evaluation, evaluate, get_model, load_dataset, model_from_estimator


def _cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and its live children (worker pools)."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with dask; otherwise own CPU only
        return time.process_time()
    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.Error:
            pass
    return total


def _measure(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one call."""
    cpu, wall = _cpu_seconds(), time.perf_counter()
    fn()
    return time.perf_counter() - wall, _cpu_seconds() - cpu


def _lossatlas(study: Evaluation, jobs: int) -> None:
    with tempfile.TemporaryDirectory() as out:
        summary = evaluate(study, Path(out), jobs=jobs)
        assert summary.n_failed == 0 and summary.n_run == study.n_tasks


def _grid_search(
    study: Evaluation, jobs: int, n_estimators: int, train_score: bool = False
) -> None:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    grid = {hp.name: list(hp.values) for hp in study.space.hyperparameters}
    search = GridSearchCV(
        RandomForestClassifier(n_estimators=n_estimators, n_jobs=1, random_state=0),
        grid,
        cv=StratifiedKFold(n_splits=study.folds, shuffle=True, random_state=0),
        n_jobs=jobs,
        refit=False,
        return_train_score=train_score,
    )
    search.fit(study.dataset.X, study.dataset.y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--estimators", type=int, default=30)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=1, help="best of N timings")
    args = parser.parse_args()

    spec = get_model("rf")
    dataset = load_dataset("breast_cancer")
    params = {"n_estimators": args.estimators}

    def study(fractions: tuple[float, ...]) -> Evaluation:
        return Evaluation(
            spec,
            dataset,
            spec.space("default"),
            folds=args.folds,
            fidelities={"fraction": fractions},
            params=params,
        )

    one, two = study((1.0,)), study((0.25, 1.0))
    n = one.n_configs
    k = args.estimators

    def best(fn) -> tuple[float, float]:
        runs = [_measure(fn) for _ in range(args.repeats)]
        return min(runs)

    # warm-up: imports and the worker pools are not what we measure
    _grid_search(one, 2, 2)
    _lossatlas(
        Evaluation(spec, dataset, spec.space("tiny"), folds=2, params={"n_estimators": 2}), 2
    )

    rows = {
        "GridSearchCV n_jobs=1": best(lambda: _grid_search(one, 1, k)),
        "GridSearchCV n_jobs=1 +train score": best(lambda: _grid_search(one, 1, k, True)),
        "lossatlas serial": best(lambda: _lossatlas(one, 1)),
        "GridSearchCV n_jobs=2": best(lambda: _grid_search(one, 2, k)),
        "lossatlas --jobs 2": best(lambda: _lossatlas(one, 2)),
        "lossatlas --jobs 2, 2 fidelities": best(lambda: _lossatlas(two, 2)),
    }
    print(
        f"random forest ({k} trees), {n} configurations x {args.folds} folds, breast_cancer; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"  {'':36s} {'wall s':>7s} {'CPU s':>7s} {'configs/s':>9s} {'configs/CPU-s':>13s}")
    for name, (wall, cpu) in rows.items():
        print(f"  {name:36s} {wall:7.2f} {cpu:7.2f} {n / wall:9.2f} {n / cpu:13.2f}")
    wall = {name: w for name, (w, _) in rows.items()}
    cpu = {name: c for name, (_, c) in rows.items()}

    def ratio(label: str, a: str, b: str, table: dict[str, float], target: str) -> None:
        print(f"{label:52s} {table[a] / table[b]:5.2f}x ({target})")

    ratio(
        "speed-up --jobs 2 / serial (wall)",
        "lossatlas serial",
        "lossatlas --jobs 2",
        wall,
        "target >= 1.7",
    )
    ratio(
        "  same for GridSearchCV n_jobs 2 / 1 (wall)",
        "GridSearchCV n_jobs=1",
        "GridSearchCV n_jobs=2",
        wall,
        "what this machine allows",
    )
    ratio(
        "lossatlas serial vs GridSearchCV n_jobs=1 (wall)",
        "GridSearchCV n_jobs=1",
        "lossatlas serial",
        wall,
        "target >= 1.0",
    )
    ratio(
        "lossatlas serial vs GridSearchCV n_jobs=1 (CPU)",
        "GridSearchCV n_jobs=1",
        "lossatlas serial",
        cpu,
        "target >= 1.0",
    )
    ratio(
        "lossatlas serial vs GridSearchCV +train score (CPU)",
        "GridSearchCV n_jobs=1 +train score",
        "lossatlas serial",
        cpu,
        "same work",
    )
    ratio(
        "lossatlas --jobs 2 vs GridSearchCV n_jobs=2 (wall)",
        "GridSearchCV n_jobs=2",
        "lossatlas --jobs 2",
        wall,
        "target >= 1.0",
    )
    ratio(
        "two fidelities / one fidelity, --jobs 2 (wall)",
        "lossatlas --jobs 2, 2 fidelities",
        "lossatlas --jobs 2",
        wall,
        "cost of the extra fraction 0.25",
    )

    # the executor itself, free of CPU contention: tasks that wait instead of compute
    sleepy = model_from_estimator(
        "sleep", SleepingClassifier(), {"seconds": [0.05, 0.051, 0.052, 0.053]}
    )
    waiting = Evaluation(sleepy, load_dataset("iris"), sleepy.space(), folds=5)
    (w1, _), (w2, _) = (
        _measure(lambda: _lossatlas(waiting, 1)),
        _measure(lambda: _lossatlas(waiting, 2)),
    )
    print(
        f"executor check, {waiting.n_tasks} tasks of 50 ms sleep: serial {w1:.2f} s, --jobs 2 "
        f"{w2:.2f} s, speed-up {w1 / w2:.2f}x (ideal 2.0; measures dispatch, not CPU)"
    )


class SleepingClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the majority class after sleeping: a task with a known, load-free duration."""

    def __init__(self, seconds: float = 0.05) -> None:
        self.seconds = seconds

    def fit(self, X, y):
        time.sleep(self.seconds)
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


if __name__ == "__main__":
    main()
