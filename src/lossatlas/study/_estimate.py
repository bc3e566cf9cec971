"""How long a study will take, from a sample of its tasks timed in this process.

:func:`estimate_study` runs a few seeded, randomly chosen tasks of every (model, dataset,
fidelity), serially with one thread, and measures their CPU time (``time.process_time``, so
other processes on a shared machine do not inflate it). The mean CPU time per task times the
number of tasks gives each part's CPU seconds; divided by the number of worker processes, the
wall time on an otherwise idle machine. Dispatch and journal writes are added as
:data:`OVERHEAD_SECONDS` per task. Nothing is written: the journal is not touched.

Reuse-aware (as the run is, :mod:`lossatlas.evaluate._reuse`): a task whose group of nested
``n_estimators`` is trained once is timed by running its whole group, and the group's CPU
time is shared among its tasks in proportion to their own fit and predict seconds (the
trained task carries the fit, the prefixes their scoring), so every task of the group is
measured by that one run and a prefix fidelity costs its scoring only. ``reuse=False``
estimates a run that trains every task from scratch.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from lossatlas._threads import limit_threads
from lossatlas.evaluate._reuse import TaskGroup, group_tasks
from lossatlas.evaluate._tasks import Task, TaskContext, run_task
from lossatlas.study._file import StudySpec

__all__ = ["OVERHEAD_SECONDS", "estimate_study"]

#: Per-task cost outside the fit (claiming, dispatch, result pickling, the batched journal
#: commit), measured by ``benchmarks/bench_evaluate.py`` against a bare fit + predict loop.
OVERHEAD_SECONDS = 0.001


def _timed_unit(context: TaskContext, unit: Task | TaskGroup) -> dict[Task, tuple[float, bool]]:
    """Run one task or group; each of its tasks' ``(CPU seconds, failed)``."""
    start = time.process_time()
    result = run_task(context, unit)
    cpu = time.process_time() - start
    tasks = list(unit.tasks) if isinstance(unit, TaskGroup) else [unit]
    results = result if isinstance(result, list) else [result]
    own = [float(r.get("fit_seconds", 0.0)) + float(r.get("predict_seconds", 0.0)) for r in results]
    total = sum(own)
    shares = [cpu * s / total for s in own] if total > 0 else [cpu / len(tasks)] * len(tasks)
    return {
        task: (share, r["status"] != "ok")
        for task, share, r in zip(tasks, shares, results, strict=True)
    }


def estimate_study(
    study: StudySpec,
    *,
    per_fidelity: int = 3,
    seed: int = 0,
    progress: bool = False,
    reuse: bool = True,
) -> pd.DataFrame:
    """Time a sample of each (model, dataset, fidelity)'s tasks and extrapolate.

    Parameters
    ----------
    study : StudySpec
    per_fidelity : int, default 3
        Tasks timed per (model, dataset, fidelity) at least, drawn at random (configurations
        and folds); tasks measured by a group run for another fidelity count.
    seed : int, default 0
        Seed of the draw.
    progress : bool, default False
    reuse : bool, default True
        Time groups of nested ``n_estimators`` as the run trains them (once, each prefix
        scored); False times every task trained from scratch.

    Returns
    -------
    DataFrame
        One row per (model, dataset, fidelity): ``n_tasks``, ``sampled`` (tasks measured),
        ``cpu_per_task`` (their mean CPU seconds), ``cpu_seconds`` (extrapolated, overhead
        included) and ``failed`` (measured tasks that failed).
    """
    rng = np.random.default_rng(seed)
    evaluations = study.evaluations()
    rows: list[dict[str, Any]] = []
    warmed: set[str] = set()
    from tqdm.auto import tqdm

    bar = tqdm(total=len(evaluations), desc="estimate", disable=not progress)
    with limit_threads(1):
        for evaluation in evaluations:
            context = evaluation.context()
            tasks_all = list(evaluation.tasks())
            by_fidelity: dict[str, list[Task]] = defaultdict(list)
            for task in tasks_all:
                by_fidelity[task.fidelity].append(task)
            unit_of: dict[Task, Task | TaskGroup] = {}
            for unit in group_tasks(evaluation.model, tasks_all) if reuse else tasks_all:
                for task in unit.tasks if isinstance(unit, TaskGroup) else [unit]:
                    unit_of[task] = unit
            if evaluation.model.name not in warmed:  # imports and first-call costs
                run_task(context, tasks_all[0])
                warmed.add(evaluation.model.name)
            measured: dict[Task, tuple[float, bool]] = {}
            for fidelity, tasks in by_fidelity.items():
                done = [t for t in tasks if t in measured]
                rest = [t for t in tasks if t not in measured]
                want = min(max(per_fidelity - len(done), 0), len(rest))
                for i in rng.choice(len(rest), size=want, replace=False):
                    if rest[int(i)] not in measured:  # an earlier pick's group measured it
                        measured.update(_timed_unit(context, unit_of[rest[int(i)]]))
                timed = [measured[t] for t in tasks if t in measured]
                cpu = float(np.mean([seconds for seconds, _ in timed]))
                rows.append(
                    {
                        "model": evaluation.model.name,
                        "dataset": evaluation.dataset.name,
                        **{f"fidelity_{k}": v for k, v in json.loads(fidelity).items()},
                        "n_tasks": len(tasks),
                        "sampled": len(timed),
                        "cpu_per_task": cpu,
                        "cpu_seconds": (cpu + OVERHEAD_SECONDS) * len(tasks),
                        "failed": sum(failed for _, failed in timed),
                    }
                )
            bar.update()
    bar.close()
    return pd.DataFrame(rows)
