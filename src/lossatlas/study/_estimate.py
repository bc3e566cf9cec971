"""How long a study will take, from a sample of its tasks timed in this process.

:func:`estimate_study` runs a few seeded, randomly chosen tasks of every (model, dataset,
fidelity), serially with one thread, and measures their CPU time (``time.process_time``, so
other processes on a shared machine do not inflate it). The mean CPU time per task times the
number of tasks gives each part's CPU seconds; divided by the number of worker processes, the
wall time on an otherwise idle machine. Dispatch and journal writes (a few milliseconds per
task) are added as :data:`OVERHEAD_SECONDS`. Nothing is written: the journal is not touched.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from lossatlas._threads import limit_threads
from lossatlas.evaluate._tasks import Task, run_task
from lossatlas.study._file import StudySpec

__all__ = ["OVERHEAD_SECONDS", "estimate_study"]

#: Per-task cost outside the fit (process dispatch, result pickling, one journal commit).
OVERHEAD_SECONDS = 0.004


def estimate_study(
    study: StudySpec, *, per_fidelity: int = 3, seed: int = 0, progress: bool = False
) -> pd.DataFrame:
    """Time a sample of each (model, dataset, fidelity)'s tasks and extrapolate.

    Parameters
    ----------
    study : StudySpec
    per_fidelity : int, default 3
        Tasks timed per (model, dataset, fidelity), drawn at random (configurations and folds).
    seed : int, default 0
        Seed of the draw.
    progress : bool, default False

    Returns
    -------
    DataFrame
        One row per (model, dataset, fidelity): ``n_tasks``, ``sampled``, ``cpu_per_task``
        (mean CPU seconds of the sampled tasks), ``cpu_seconds`` (extrapolated, overhead
        included) and ``failed`` (sampled tasks that failed).
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
            by_fidelity: dict[str, list[Task]] = defaultdict(list)
            for task in evaluation.tasks():
                by_fidelity[task.fidelity].append(task)
            if evaluation.model.name not in warmed:  # imports and first-call costs
                run_task(context, next(iter(by_fidelity.values()))[0])
                warmed.add(evaluation.model.name)
            for fidelity, tasks in by_fidelity.items():
                pick = rng.choice(len(tasks), size=min(per_fidelity, len(tasks)), replace=False)
                seconds, failed = [], 0
                for i in pick:
                    start = time.process_time()
                    result = run_task(context, tasks[int(i)])
                    seconds.append(time.process_time() - start)
                    failed += result["status"] != "ok"
                cpu = float(np.mean(seconds))
                rows.append(
                    {
                        "model": evaluation.model.name,
                        "dataset": evaluation.dataset.name,
                        **{f"fidelity_{k}": v for k, v in json.loads(fidelity).items()},
                        "n_tasks": len(tasks),
                        "sampled": len(pick),
                        "cpu_per_task": cpu,
                        "cpu_seconds": (cpu + OVERHEAD_SECONDS) * len(tasks),
                        "failed": failed,
                    }
                )
            bar.update()
    bar.close()
    return pd.DataFrame(rows)
