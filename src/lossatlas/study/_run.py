"""Run a study: every (model, dataset, fidelity, configuration, fold, seed) task into ONE journal.

The tasks of every (model, dataset) evaluation go to the journal ``OUT/journal.sqlite``, each
committed as it finishes, so a run killed at any moment (SIGKILL included) loses at most the
tasks in flight, and running the same study again resumes. The executors are those of
``lossatlas evaluate`` (serial, local processes, a dask.distributed scheduler); a dask client
is connected once for the whole study.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lossatlas import columns as roles
from lossatlas.evaluate._claims import run_claimed
from lossatlas.evaluate._executors import connect_dask, make_executor
from lossatlas.evaluate._journal import JOURNAL_NAME, Journal
from lossatlas.evaluate._progress import ProgressReporter
from lossatlas.evaluate._runner import Evaluation, outcome, prepare_out
from lossatlas.evaluate._table import journal_frame
from lossatlas.landscape import Landscape
from lossatlas.space import SearchSpace
from lossatlas.study._file import StudySpec

__all__ = ["EvaluationRun", "evaluate_study", "study_landscapes", "study_table"]


@dataclass(frozen=True)
class EvaluationRun:
    """What :func:`evaluate_study` did.

    ``n_ok`` and ``errors`` (distinct messages with their counts, most frequent first) cover
    every task of the study recorded in the journal, by this run or an earlier one;
    ``n_by_others`` counts the tasks other processes on the same journal finished meanwhile.
    """

    n_tasks: int
    n_skipped: int
    n_run: int
    n_failed: int
    n_evaluations: int
    seconds: float
    n_ok: int = 0
    n_by_others: int = 0
    errors: tuple[tuple[str, int], ...] = ()


def evaluate_study(
    study: StudySpec,
    out: str | Path,
    *,
    jobs: int = 1,
    scheduler: Any = None,
    retry_failed: bool = False,
    progress: bool = False,
    lease: float | None = None,
) -> EvaluationRun:
    """Run the study's tasks that the journal in ``out`` does not hold yet.

    Processes running the same study on one ``out`` share its tasks through the journal's
    claims, each task fitted once (:func:`lossatlas.evaluate._claims.run_claimed`).

    Parameters
    ----------
    study : StudySpec
    out : path
        Output directory; ``journal.sqlite`` in it is created or resumed.
    jobs : int, default 1
        Local worker processes; 1 runs serially, -1 one per core.
    scheduler : str or distributed.Client, optional
        A dask.distributed scheduler address (``tcp://host:port``) or client.
    retry_failed : bool, default False
        Run again the tasks recorded as failed.
    progress : bool, default False
        One progress bar over every task of the study.
    lease : float, optional
        Seconds a claim lasts without renewal (default ``$LOSSATLAS_LEASE_SECONDS`` or 60).

    Returns
    -------
    EvaluationRun
    """
    start = time.perf_counter()
    evaluations = study.evaluations()
    for evaluation in evaluations:
        evaluation.model.check_available()
    out = prepare_out(out)
    client, own = (None, False)
    if scheduler is not None:
        client, own = connect_dask(scheduler)
    n_total = sum(e.n_tasks for e in evaluations)
    n_run = n_failed = n_others = n_ok = 0
    errors: Counter[str] = Counter()
    try:
        with Journal(out / JOURNAL_NAME) as journal:
            parts = []
            for evaluation in evaluations:
                key = evaluation.key
                journal.register_study(key, {**evaluation.spec(), "study": study.name})
                done = journal.done(key, include_failed=not retry_failed)
                todo = [t for t in evaluation.tasks() if t.key not in done]
                parts.append((key, evaluation.context(), todo))
            n_todo = sum(len(todo) for _, _, todo in parts)
            executor = make_executor(jobs=jobs, scheduler=client)
            with ProgressReporter(
                total=n_total, done=n_total - n_todo, enabled=progress, label=study.name
            ) as bar:
                for _, result in run_claimed(
                    journal,
                    parts,
                    executor,
                    retry_failed=retry_failed,
                    lease=lease,
                    batch=max(1, jobs),
                ):
                    if result is None:
                        n_others += 1
                        bar.advance()
                        continue
                    failed = result["status"] != "ok"
                    n_run += 1
                    n_failed += failed
                    bar.advance(failed=failed)
            for evaluation in evaluations:
                ok, _, messages = outcome(journal, evaluation.key, evaluation.tasks())
                n_ok += ok
                errors.update(dict(messages))
    finally:
        if own and client is not None:
            client.close()
    return EvaluationRun(
        n_tasks=n_total,
        n_skipped=n_total - n_run - n_others,
        n_run=n_run,
        n_failed=n_failed,
        n_evaluations=len(evaluations),
        seconds=time.perf_counter() - start,
        n_ok=n_ok,
        n_by_others=n_others,
        errors=tuple(errors.most_common()),
    )


def _study_rows(frame: pd.DataFrame, evaluation: Evaluation) -> pd.DataFrame:
    """Rows of the evaluation's current grid, fidelities and seeds (a journal may hold more)."""
    keep = (frame["config_id"] >= 0) & frame["seed"].isin(list(evaluation.seeds))
    fid_columns = [c for c in frame.columns if c.startswith("fidelity_")]
    match = np.zeros(len(frame), dtype=bool)
    for text in evaluation._fidelities:  # type: ignore[attr-defined]
        fidelity = json.loads(text)
        this = np.ones(len(frame), dtype=bool)
        for column in fid_columns:
            name = column.removeprefix("fidelity_")
            if name in fidelity:
                this &= (frame[column] == fidelity[name]).to_numpy()
            else:
                this &= frame[column].isna().to_numpy()
        match |= this
    return frame[keep.to_numpy() & match].reset_index(drop=True)


def study_table(
    study: StudySpec, out: str | Path
) -> tuple[pd.DataFrame, list[tuple[pd.DataFrame, SearchSpace]]]:
    """The long table of the study's tasks in the journal of ``out``.

    Returns
    -------
    table : DataFrame
        Every evaluation's rows (one per task), columns the union of theirs, sorted by model,
        dataset, fidelity, configuration, fold and seed: equal for equal journals, whatever
        the order tasks finished in.
    parts : list of (DataFrame, SearchSpace)
        Each evaluation's rows with its grid, to build its landscapes.
    """
    parts: list[tuple[pd.DataFrame, SearchSpace]] = []
    with Journal(Path(out) / JOURNAL_NAME, create=False) as journal:
        known = journal.studies()
        for evaluation in study.evaluations():
            if evaluation.key not in known:
                continue
            frame, _ = journal_frame(journal, study=evaluation.key)
            frame = _study_rows(frame, evaluation)
            if len(frame):
                parts.append((frame, evaluation.space))
    frames = [frame for frame, _ in parts]
    if not frames:
        return pd.DataFrame(), parts
    table = pd.concat(frames, ignore_index=True, sort=False)
    front = ["model", "dataset"] + sorted(
        (c for c in table.columns if c.startswith("fidelity_")),
        key=lambda c: (c != "fidelity_fraction", c),
    )
    columns = [c for c in table.columns if c not in front]
    hps = roles.hyperparameter_columns(columns)
    order = {"train": 0, "valid": 1, "test": 2}
    losses = sorted(
        roles.loss_columns(columns),
        key=lambda c: ("_" in c, order.get(c.split("_")[0], 3), c),
    )
    replicates = [c for c in roles.REPLICATE_COLUMNS if c in columns]
    rest = [c for c in columns if c not in {*hps, *losses, *replicates}]
    table = table[front + hps + replicates + losses + rest]
    sort = [*front, "config_id", "fold", "seed"]
    table = table.sort_values(sort, kind="stable", na_position="last").reset_index(drop=True)
    return table, parts


def study_landscapes(parts: Sequence[tuple[pd.DataFrame, SearchSpace]]) -> list[Landscape]:
    """One landscape per (model, dataset, fidelity), averaged over folds and seeds, on its
    model's grid; configurations whose every task failed are left out (partial landscape)."""
    from lossatlas.io import read_landscapes

    landscapes: list[Landscape] = []
    for frame, space in parts:
        frame = frame.dropna(axis=1, how="all")
        ok = frame["status"].astype(str).eq("ok")
        if not ok.any():
            continue
        landscapes += read_landscapes(frame, space=space, on_invalid="drop")
    return landscapes
