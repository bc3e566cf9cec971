"""Benchmark: configurations per second of ``lossatlas evaluate`` vs scikit-learn's GridSearchCV.

Two grids with an ``n_estimators`` axis, 3 stratified folds, one offline dataset
(``breast_cancer``), the same folds and model seeds for every contestant:

- a random forest, ``max_depth`` x ``n_estimators`` {50, 100, 200, 400};
- the study's XGBoost grid scaled to fit (``learning_rate`` x ``n_estimators`` {100, 200, 300,
  500}, ``max_depth`` 4).

GridSearchCV trains every (configuration, fold) from scratch; lossatlas trains each (other
hyperparameters, fold) once at the largest ``n_estimators`` and scores the prefixes
(:mod:`lossatlas.evaluate._reuse`), so reuse alone bounds its speed-up at 750/400 = 1.875x
(forest) and 1100/500 = 2.2x (XGBoost). lossatlas also measures train loss and log loss and
commits one journal row per task. The losses are checked equal fold by fold (accuracy of every
configuration, GridSearchCV's ``split<k>_test_score`` against 1 - lossatlas's ``test``).

Per-task overhead: a decision-tree grid (144 configurations x 3 folds) through lossatlas serial
against a bare fit + predict loop over the same folds.

Rounds are interleaved (every contestant once per round) and medians reported, since the
machine is shared. Wall seconds are the measure; the serial contestants, which run in this
process, are also given in CPU seconds (``time.process_time``), which other processes on a
loaded machine inflate less. Targets at equal losses: forest >= 1.7x GridSearchCV, XGBoost
>= 2.0x, ``--jobs 2`` >= 1.8x serial.

    python benchmarks/bench_evaluate.py [--rounds 3] [--quick] [--skip-xgboost]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from lossatlas.evaluate import Evaluation, evaluate, get_model, load_dataset
from lossatlas.evaluate._journal import JOURNAL_NAME, Journal
from lossatlas.evaluate._tasks import fold_indices
from lossatlas.space import SearchSpace

FOLDS = 3


def _lossatlas(study: Evaluation, jobs: int) -> dict[tuple[str, int], float]:
    """Run the study; return {(config JSON, fold): test error}."""
    with tempfile.TemporaryDirectory() as out:
        summary = evaluate(study, Path(out), jobs=jobs, write_table=False)
        assert summary.n_failed == 0 and summary.n_run == study.n_tasks
        with Journal(Path(out) / JOURNAL_NAME) as journal:
            return {(row["config"], int(row["fold"])): float(row["test"]) for row in journal.rows()}


def _grid_search(estimator: Any, study: Evaluation, jobs: int) -> dict[tuple[str, int], float]:
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    grid = {hp.name: list(hp.values) for hp in study.space.hyperparameters}
    search = GridSearchCV(
        estimator,
        grid,
        cv=StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=0),
        n_jobs=jobs,
        refit=False,
    )
    search.fit(study.dataset.X, study.dataset.y)
    out = {}
    for i, params in enumerate(search.cv_results_["params"]):
        key = json.dumps(
            {k: (v.item() if hasattr(v, "item") else v) for k, v in params.items()},
            sort_keys=True,
            separators=(",", ":"),
        )
        for fold in range(FOLDS):
            out[(key, fold)] = 1.0 - float(search.cv_results_[f"split{fold}_test_score"][i])
    return out


def _timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """``(wall seconds, CPU seconds of this process, result)``."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - start, time.process_time() - cpu, result


def _spin(n: int = 10_000_000) -> float:
    """Wall seconds of a pure-Python busy loop."""
    start, x = time.perf_counter(), 0
    for i in range(n):
        x += i
    return time.perf_counter() - start


def _parallel_ceiling() -> float:
    """The speed-up two processes get on this machine now: the same busy loop alone and in two
    processes at once (2.0 on two idle cores; less where other work holds them). The ceiling of
    ``--jobs 2 / serial`` at the time."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_spin, [10_000, 10_000]))  # started
        alone = _spin()
        both = max(pool.map(_spin, [10_000_000, 10_000_000]))
    return 2 * alone / both


def _bare_loop(study: Evaluation) -> None:
    """Fit + predict every (configuration, fold) with no journal, processes or losses."""
    from sklearn.tree import DecisionTreeClassifier

    data = study.dataset
    folds = fold_indices(data, FOLDS, 0)
    for flat in range(study.space.size):
        params = study.config_values(flat)
        for train, valid in folds:
            model = DecisionTreeClassifier(**params, random_state=0).fit(
                data.X[train], data.y[train]
            )
            model.predict_proba(data.X[valid])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians)")
    parser.add_argument("--skip-xgboost", action="store_true")
    parser.add_argument("--quick", action="store_true", help="one round (a smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.rounds = 1

    from sklearn.ensemble import RandomForestClassifier

    data = load_dataset("breast_cancer")
    rf, dt = get_model("rf"), get_model("dt")
    rf_space = SearchSpace.from_dict({"max_depth": [4, 8], "n_estimators": [50, 100, 200, 400]})
    studies: dict[str, tuple[Evaluation, Any, float]] = {
        "forest": (
            Evaluation(rf, data, rf_space, folds=FOLDS),
            RandomForestClassifier(n_jobs=1, random_state=0),
            1.7,
        )
    }
    if not args.skip_xgboost:
        import xgboost

        xgb = get_model("xgboost")
        space = SearchSpace.from_dict(
            {"learning_rate": [0.1, 0.3], "n_estimators": [100, 200, 300, 500]}
        )
        studies["xgboost"] = (
            Evaluation(xgb, data, space, folds=FOLDS, params={"max_depth": 4}),
            xgboost.XGBClassifier(
                max_depth=4, tree_method="hist", n_jobs=1, random_state=0, verbosity=0
            ),
            2.0,
        )
    dt_study = Evaluation(dt, data, dt.space("default"), folds=FOLDS)

    # warm-up: imports and the worker pool are not what we measure
    warm = [Evaluation(rf, data, rf.space("tiny"), folds=2, params={"n_estimators": 2})]
    if not args.skip_xgboost:
        xgb_tiny = SearchSpace.from_dict({"max_depth": [2, 3]})
        warm.append(Evaluation(xgb, data, xgb_tiny, folds=2, params={"n_estimators": 2}))
    for tiny in warm:  # the workers import the model's library once
        _lossatlas(tiny, 1)
        _lossatlas(tiny, 2)

    runs: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    losses: dict[str, dict[str, dict[tuple[str, int], float]]] = {}

    def measure(name: str, fn: Callable[[], Any]) -> Any:
        seconds, cpu, result = _timed(fn)
        runs.setdefault(name, []).append(seconds)
        cpus.setdefault(name, []).append(cpu)
        return result

    loads: list[float] = []
    ceilings: list[float] = []
    for _ in range(args.rounds):
        for name, (study, estimator, _target) in studies.items():
            contestants: dict[str, Callable[[], Any]] = {
                "GridSearchCV n_jobs=1": lambda s=study, e=estimator: _grid_search(e, s, 1),
                "lossatlas serial": lambda s=study: _lossatlas(s, 1),
                "GridSearchCV n_jobs=2": lambda s=study, e=estimator: _grid_search(e, s, 2),
                "lossatlas --jobs 2": lambda s=study: _lossatlas(s, 2),
            }
            for label, fn in contestants.items():
                losses.setdefault(name, {})[label] = measure(f"{name}: {label}", fn)
                loads.append(os.getloadavg()[0])
        measure("dt: bare fit+predict loop", lambda: _bare_loop(dt_study))
        measure("dt: lossatlas serial", lambda: _lossatlas(dt_study, 1))
        measure("dt: lossatlas --jobs 2", lambda: _lossatlas(dt_study, 2))
        ceilings.append(_parallel_ceiling())

    med = {name: float(np.median(times)) for name, times in runs.items()}
    cpu = {name: float(np.median(times)) for name, times in cpus.items()}
    print(
        f"breast_cancer, {FOLDS} folds, medians of {args.rounds} interleaved rounds; "
        f"load average (1 min) {min(loads):.1f}-{max(loads):.1f} during the run, "
        f"{os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores; two processes "
        f"at once ran {np.median(ceilings):.2f}x one alone (the ceiling of --jobs 2 / serial)"
    )
    for name, (study, _estimator, target) in studies.items():
        n = study.n_configs
        print(f"\n{name}: {n} configurations x {FOLDS} folds ({study.space})")
        for label in ("GridSearchCV n_jobs=1", "lossatlas serial"):
            seconds = med[f"{name}: {label}"]
            print(
                f"  {label:24s} {seconds:7.2f} s {n / seconds:8.2f} configs/s"
                f"   ({cpu[f'{name}: {label}']:6.2f} CPU s)"
            )
        for label in ("GridSearchCV n_jobs=2", "lossatlas --jobs 2"):
            seconds = med[f"{name}: {label}"]
            print(f"  {label:24s} {seconds:7.2f} s {n / seconds:8.2f} configs/s")
        reference = losses[name]["GridSearchCV n_jobs=1"]
        worst = max(
            max(abs(result[key] - reference[key]) for key in reference)
            for result in losses[name].values()
        )
        same_keys = all(set(result) == set(reference) for result in losses[name].values())
        equal = same_keys and worst < 1e-12
        print(f"  losses equal (every config and fold): {equal} (max |diff| {worst:.2g})")
        serial = med[f"{name}: GridSearchCV n_jobs=1"] / med[f"{name}: lossatlas serial"]
        serial_cpu = cpu[f"{name}: GridSearchCV n_jobs=1"] / cpu[f"{name}: lossatlas serial"]
        parallel = med[f"{name}: GridSearchCV n_jobs=2"] / med[f"{name}: lossatlas --jobs 2"]
        jobs = med[f"{name}: lossatlas serial"] / med[f"{name}: lossatlas --jobs 2"]
        print(
            f"  lossatlas serial / GridSearchCV n_jobs=1: {serial:5.2f}x wall, "
            f"{serial_cpu:5.2f}x CPU (target >= {target})"
        )
        print(f"  lossatlas --jobs 2 / GridSearchCV n_jobs=2: {parallel:5.2f}x")
        print(f"  lossatlas --jobs 2 / serial: {jobs:5.2f}x (target >= 1.8)")
    n_tasks = dt_study.n_tasks
    print(f"\nper-task overhead (decision tree, {n_tasks} tasks, lossatlas vs a bare loop):")
    for what, times in (("wall", med), ("CPU", cpu)):
        bare, ours = times["dt: bare fit+predict loop"], times["dt: lossatlas serial"]
        print(
            f"  {what:4s}: bare loop {1e3 * bare / n_tasks:.2f} ms/task, lossatlas serial "
            f"{1e3 * ours / n_tasks:.2f} ms/task, overhead {1e3 * (ours - bare) / n_tasks:.2f} "
            f"ms/task ({ours / bare:.2f}x)"
        )
    jobs2 = med["dt: lossatlas --jobs 2"]
    print(
        f"  lossatlas --jobs 2: {1e3 * jobs2 / n_tasks:.2f} ms/task wall "
        f"({med['dt: lossatlas serial'] / jobs2:.2f}x serial)"
    )


if __name__ == "__main__":
    main()
