"""CLI: ``lossatlas study`` (a study file, or a built-in study) and ``lossatlas run``."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from lossatlas.errors import InputError

__all__ = ["register", "summary_lines"]


def _num(value: Any) -> str:
    return (
        "n/a"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{value:.3f}"
    )


def summary_lines(summary: dict[str, Any], out: Path) -> list[str]:
    """The short summary printed at the end of a study (from ``summary.json``)."""
    ev = summary["evaluation"]
    study = summary["study"]
    pairs = summary["pairs_per_axis"]
    lines = [
        f"study {study['name']}: {ev['n_tasks']} tasks ({ev['n_run']} run, {ev['n_resumed']} "
        f"resumed, {ev['n_failed']} failed) in {ev['evaluate_seconds']:.1f} s; analysis "
        f"{summary['analysis_seconds']:.1f} s",
        f"{summary['n_landscapes']} landscapes; pairs: "
        + ", ".join(f"{axis} {n}" for axis, n in pairs.items()),
    ]
    head = summary["headline"]
    gamma = head.get("gamma", 0.1)
    for axis, words in (
        ("fidelity", "low vs full fidelity"),
        ("dataset", "across datasets"),
        ("split", "train vs test"),
    ):
        entry = head.get(axis) or {}
        if not entry.get("n_pairs"):
            continue
        ref = entry.get("reference", {})
        lines.append(
            f"{words}: median Spearman {_num(entry.get('spearman'))} (reference "
            f"{ref.get('spearman', '?')}), top-{gamma:.0%} overlap "
            f"{_num(entry.get('gamma_set_overlap'))} ({ref.get('gamma_set_overlap', '?')}) "
            f"over {entry['n_pairs']} pairs"
        )
    model = head.get("model") or {}
    if pairs.get("model"):
        lines.append(
            f"models: {pairs['model']} pairs compared through profiles and importance "
            f"({model.get('n_pairs', 0)} on one search space also by rank similarity)"
        )
        best = model.get("median_best_loss_by_model") or {}
        top = model.get("top_hp_by_model") or {}
        if best:
            lines.append(
                "best loss at full fidelity (median over datasets): "
                + "; ".join(f"{m} {_num(v)} (top HP {top.get(m)})" for m, v in best.items())
            )
    lines.append(
        f"wrote {out}/: results, profiles, similarity, importance, summary.json, study.html"
    )
    return lines


def estimate_lines(study: Any, *, jobs: int, sample: int, quiet: bool) -> list[str]:
    """The ``--estimate`` report: CPU time per model and the wall time on ``jobs`` cores."""
    from lossatlas.study._estimate import estimate_study

    if sample < 1:
        raise InputError(f"--sample must be at least 1, not {sample}")
    cores = jobs if jobs > 0 else (os.cpu_count() or 1)
    table = estimate_study(study, per_fidelity=sample, progress=not quiet)
    per_model = table.groupby("model", sort=False)[["n_tasks", "cpu_seconds"]].sum()
    lines = [
        f"study {study.name}: {int(table['n_tasks'].sum()):,} tasks, estimated from "
        f"{int(table['sampled'].sum())} timed (CPU seconds, one thread each)"
    ]
    for model, row in per_model.iterrows():
        lines.append(
            f"  {model:10s} {int(row['n_tasks']):>8,} tasks  {row['cpu_seconds'] / 60:8.1f} CPU min"
        )
    total = float(table["cpu_seconds"].sum())
    lines.append(
        f"total {total / 60:.1f} CPU min: about {total / cores / 60:.1f} min on {cores} "
        f"core(s) (--jobs {cores}) of an otherwise idle machine"
    )
    return lines


def _run(
    study: Any,
    out: Path,
    *,
    jobs: int,
    scheduler: str | None,
    quiet: bool,
    retry_failed: bool = False,
) -> Any:
    from lossatlas.commands.evaluate import failure_lines, report_failures
    from lossatlas.evaluate._runner import NoTaskSucceededError
    from lossatlas.study import run_study

    try:
        result = run_study(
            study,
            out,
            jobs=jobs,
            scheduler=scheduler,
            retry_failed=retry_failed,
            progress=not quiet,
        )
    except NoTaskSucceededError as exc:
        typer.echo(f"{exc.what}: every recorded task failed; distinct errors:", err=True)
        for line in failure_lines(exc.errors):
            typer.echo(line, err=True)
        raise
    for line in summary_lines(result.summary, out):
        typer.echo(line)
    ev = result.evaluation
    report_failures(f"study {study.name}", n_ok=ev.n_ok, errors=ev.errors)
    return result


def study_command(
    study_file: Annotated[
        Path | None,
        typer.Argument(metavar="STUDY", help="Study file (YAML or TOML)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output directory (resumable; default lossatlas-NAME)."),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Local worker processes.")] = 1,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="dask.distributed scheduler address, tcp://host:port."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    builtin: Annotated[
        str | None,
        typer.Option("--builtin", help="A built-in study instead of a file (run, paper)."),
    ] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Re-run failed tasks.")
    ] = False,
    estimate: Annotated[
        bool,
        typer.Option(
            "--estimate",
            help="Only time a sample of each part's tasks and print how long the study takes "
            "on --jobs cores (writes nothing).",
        ),
    ] = False,
    sample: Annotated[
        int, typer.Option("--sample", help="Tasks timed per model, dataset and fidelity.")
    ] = 3,
) -> None:
    """Evaluate every landscape of a study into one resumable journal, then profile, compare
    (fidelity, dataset, model, split) and decompose importance; re-run to resume."""
    from lossatlas.commands.evaluate import check_out_dir
    from lossatlas.study import builtin_study, load_study

    if (study_file is None) == (builtin is None):
        raise InputError("give a study file or --builtin NAME (one of them)")
    if jobs < 1:
        raise InputError(f"--jobs must be at least 1, not {jobs}")
    if sample < 1:
        raise InputError(f"--sample must be positive, not {sample}")
    study = builtin_study(builtin) if builtin is not None else load_study(study_file)  # type: ignore[arg-type]
    if not estimate:
        check_out_dir(out if out is not None else Path(f"lossatlas-{study.name}"))
    if estimate:
        for line in estimate_lines(study, jobs=jobs, sample=sample, quiet=quiet):
            typer.echo(line)
        return
    out = out if out is not None else Path(f"lossatlas-{study.name}")
    _run(study, out, jobs=jobs, scheduler=scheduler, quiet=quiet, retry_failed=retry_failed)


def run_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = Path(
        "lossatlas-run"
    ),
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", help="Worker processes (default: cores).")
    ] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    report: Annotated[
        bool,
        typer.Option(
            "--report/--no-report", help="Also write OUT/report.html (one model on one dataset)."
        ),
    ] = True,
) -> None:
    """The built-in study: 3 models x 3 offline datasets x 3 data fractions with a held-out
    test split; prints its headline findings and writes study.html (and report.html)."""
    from lossatlas.commands.evaluate import check_out_dir
    from lossatlas.study import builtin_study

    if jobs < 0:
        raise InputError(f"--jobs must be 0 (every core) or positive, not {jobs}")
    check_out_dir(out)
    study = builtin_study("run")
    jobs = jobs if jobs > 0 else max(1, min(os.cpu_count() or 1, 8))
    result = _run(study, out, jobs=jobs, scheduler=None, quiet=quiet)
    if report:
        from lossatlas.viz import write_report

        lands = result.landscapes
        first = (lands[0].metadata.get("model"), lands[0].metadata.get("dataset"))
        chosen = [
            land
            for land in lands
            if (land.metadata.get("model"), land.metadata.get("dataset")) == first
        ]
        path = write_report(chosen, Path(out) / "report.html", loss=study.loss, seed=0)
        typer.echo(f"report of {first[0]} on {first[1]} -> {path}")


def register(app: typer.Typer) -> None:
    """Add ``study`` and ``run`` to the ``lossatlas`` command."""
    app.command("study")(study_command)
    app.command("run")(run_command)
