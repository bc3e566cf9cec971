"""``lossatlas study``: evaluate every task of a study, then analyse it and write its outputs.

evaluate (one journal, resumable) -> landscapes per (model, dataset, fidelity) -> profiles ->
similarity along fidelity / dataset / model / split -> importance -> ``summary.json`` and
``study.html``. The only place above evaluate, analysis and viz at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lossatlas.errors import InputError
from lossatlas.evaluate._journal import JOURNAL_NAME
from lossatlas.evaluate._journal_file import fold_write_ahead_log
from lossatlas.evaluate._runner import NoTaskSucceededError
from lossatlas.landscape import Landscape
from lossatlas.study._analysis import StudyAnalysis, analyse_study
from lossatlas.study._file import StudySpec
from lossatlas.study._outputs import write_json, write_parquet
from lossatlas.study._page import write_study_report_page
from lossatlas.study._run import EvaluationRun, evaluate_study, study_landscapes, study_table

__all__ = ["StudyResult", "run_study"]


@dataclass(frozen=True)
class StudyResult:
    """What :func:`run_study` did and wrote.

    Attributes
    ----------
    out : Path
    evaluation : EvaluationRun
    analysis : StudyAnalysis
    summary : dict
        The content of ``summary.json``.
    paths : dict of str to Path
        The files written, by name.
    seconds : float
    landscapes : list of Landscape
        One per (model, dataset, fidelity).
    """

    out: Path
    evaluation: EvaluationRun
    analysis: StudyAnalysis
    summary: dict[str, Any]
    paths: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0
    landscapes: list[Landscape] = field(default_factory=list)


def run_study(
    study: StudySpec,
    out: str | Path,
    *,
    jobs: int = 1,
    scheduler: Any = None,
    retry_failed: bool = False,
    progress: bool = False,
) -> StudyResult:
    """Evaluate (or resume) a study in ``out``, then analyse everything and write its outputs.

    Parameters
    ----------
    study : StudySpec
        From :func:`lossatlas.study.load_study` or :func:`lossatlas.study.builtin_study`.
    out : path
        ``journal.sqlite`` and the outputs: ``results.parquet``, ``profiles.parquet``,
        ``similarity.parquet``, ``importance.parquet``, ``summary.json``, ``study.html``.
    jobs, scheduler, retry_failed, progress
        As for :func:`lossatlas.evaluate.evaluate`.

    References
    ----------
    C. Huang, K. Li. On the Hyperparameter Loss Landscapes of Machine Learning Models: An
    Exploratory Study. arXiv:2311.14014, 2023.
    """
    start = time.perf_counter()
    out = Path(out)
    evaluation = evaluate_study(
        study, out, jobs=jobs, scheduler=scheduler, retry_failed=retry_failed, progress=progress
    )
    if evaluation.n_ok == 0 and evaluation.errors:
        raise NoTaskSucceededError(f"study {study.name}", evaluation.errors)
    table, parts = study_table(study, out)
    fold_write_ahead_log(out / JOURNAL_NAME)
    if not len(table):
        raise InputError(f"{out}: the journal holds no result of this study")
    landscapes = study_landscapes(parts)
    if not landscapes:
        raise InputError(f"{out}: every task of the study failed (see the error column)")
    analysis_start = time.perf_counter()
    analysis = analyse_study(
        landscapes, loss=study.loss, epsilon=study.epsilon, gamma=study.gamma, progress=progress
    )
    spaces = {f"{frame['model'].iloc[0]}": space.to_dict() for frame, space in parts if len(frame)}
    paths = {
        "results": write_parquet(
            table, out / "results.parquet", metadata={"lossatlas.spaces": spaces}
        ),
        "profiles": write_parquet(analysis.profiles, out / "profiles.parquet"),
        "similarity": write_parquet(analysis.similarity, out / "similarity.parquet"),
        "importance": write_parquet(analysis.importance, out / "importance.parquet"),
    }
    failed = int((table["status"] != "ok").sum())
    summary = {
        "study": study.settings(),
        "evaluation": {
            "n_tasks": evaluation.n_tasks,
            "n_run": evaluation.n_run,
            "n_resumed": evaluation.n_skipped,
            "n_failed": failed,
            "n_rows": int(len(table)),
            "evaluate_seconds": evaluation.seconds,
            "task_cpu_seconds": float(table["fit_seconds"].sum() + table["predict_seconds"].sum()),
        },
        "n_landscapes": analysis.headline["n_landscapes"],
        "pairs_per_axis": analysis.headline["pairs_per_axis"],
        "headline": {
            k: v
            for k, v in analysis.headline.items()
            if k in ("fidelity", "dataset", "split", "model", "gamma")
        },
        "notes": list(analysis.notes),
    }
    summary["analysis_seconds"] = time.perf_counter() - analysis_start
    summary["seconds"] = time.perf_counter() - start
    paths["summary"] = write_json(summary, out / "summary.json")
    report_start = time.perf_counter()
    paths["html"] = write_study_report_page(
        out,
        landscapes=landscapes,
        progress=progress,
        title=f"lossatlas study: {study.name}",
        settings=study.settings(),
        headline=summary["headline"],
        profiles=analysis.profiles,
        similarity=analysis.similarity,
        importance=analysis.importance,
        notes=analysis.notes,
    )
    summary["report_seconds"] = time.perf_counter() - report_start
    summary["seconds"] = time.perf_counter() - start
    paths["summary"] = write_json(summary, out / "summary.json")
    return StudyResult(
        out, evaluation, analysis, summary, paths, time.perf_counter() - start, landscapes
    )
