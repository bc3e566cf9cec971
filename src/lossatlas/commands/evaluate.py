"""CLI: ``lossatlas evaluate`` and ``lossatlas export``."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.evaluate._models import ModelSpec
    from lossatlas.space import SearchSpace

__all__ = ["check_out_dir", "failure_lines", "register", "report_failures"]


def _parse_fidelities(
    items: list[str], known: tuple[str, ...] | None = None
) -> dict[str, tuple[Any, ...]] | None:
    """``--fidelity NAME=V1,V2`` options; a name not in ``known`` is refused first."""
    if not items:
        return None
    out: dict[str, tuple[Any, ...]] = {}
    for item in items:
        name, sep, values = item.partition("=")
        name = name.strip()
        if not sep or not name or not values.strip():
            raise InputError(f"--fidelity {item!r}: use NAME=V1,V2 (e.g. fraction=0.1,0.25,1)")
        if known is not None and name not in known:
            hint = difflib.get_close_matches(name, known, n=1)
            also = f"; did you mean {hint[0]!r}?" if hint else ""
            raise InputError(
                f"--fidelity {item!r}: unknown fidelity {name!r} (known: {', '.join(known)}){also}"
            )
        if name in out:
            raise InputError(f"--fidelity {item!r}: fidelity {name!r} is given twice")
        parsed = []
        for text in values.split(","):
            try:
                parsed.append(float(text) if name == "fraction" else int(text))
            except ValueError:
                kind = "a number" if name == "fraction" else "an integer"
                raise InputError(f"--fidelity {item!r}: {text.strip()!r} is not {kind}") from None
        out[name] = tuple(parsed)
    return out


def check_out_dir(out: Path) -> None:
    """Refuse an output directory that is a file, lies under a file or holds a foreign journal."""
    from lossatlas.evaluate._journal import JOURNAL_NAME
    from lossatlas.io._sqlite import is_evaluation_journal

    for parent in (out, *out.parents):
        if parent.exists() and not parent.is_dir():
            raise InputError(f"--out {out}: {parent} is a file, not a directory")
    journal = out / JOURNAL_NAME
    if not journal.exists():
        return
    if not journal.is_file():
        raise InputError(f"--out {out}: {journal} is not a file")
    if not is_evaluation_journal(journal):
        raise InputError(f"--out {out}: {journal} is not a lossatlas journal; refusing to adopt it")


def _resolve_grid(
    model_name: str | None, grid: str | None
) -> tuple[ModelSpec, SearchSpace, dict[str, Any], dict[str, tuple[Any, ...]] | None]:
    """(model spec, space, fixed params, file fidelities) from --model and --grid."""
    from lossatlas.evaluate._grids import load_grid
    from lossatlas.evaluate._models import get_model

    if grid is not None and (Path(grid).is_file() or Path(grid).suffix):
        spec = load_grid(grid)
        model = spec.model
        if model is not None and model_name is not None and model.name != model_name:
            raise InputError(f"{grid}: the file is for model {model.name!r}, not {model_name!r}")
        if model is None:
            if model_name is None:
                raise InputError(f"{grid}: name the model with --model or 'model:'/'estimator:'")
            model = get_model(model_name)
        return model, spec.space, spec.params, spec.fidelities
    if model_name is None:
        raise InputError("--model is required (or a --grid file with 'model:' or 'estimator:')")
    model = get_model(model_name)
    return model, model.space(grid or "default"), {}, None


def evaluate_command(
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="Registered model name.")
    ] = None,
    dataset: Annotated[
        str | None, typer.Option("--dataset", "-d", help="Dataset name, file or openml:ID.")
    ] = None,
    grid: Annotated[
        str | None,
        typer.Option(
            "--grid",
            help="Grid file (YAML/TOML) or a grid name of the model (tiny, default, study).",
        ),
    ] = None,
    folds: Annotated[int, typer.Option("--folds", help="Cross-validation folds.")] = 5,
    test_size: Annotated[
        float,
        typer.Option(
            "--test-size",
            help="Fraction held out once per dataset and seed, scored as 'test' (folds as "
            "'valid'); 0: none, 'test' is the validation fold.",
        ),
    ] = 0.0,
    fidelity: Annotated[
        list[str] | None,
        typer.Option(
            "--fidelity", help="NAME=V1,V2 (fraction=0.1,0.25,1; epochs=10,50); repeatable."
        ),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Local worker processes.")] = 1,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="dask.distributed scheduler address, tcp://host:port."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory (resumable).")] = Path(
        "lossatlas-evaluate"
    ),
    target: Annotated[str | None, typer.Option("--target", help="Target column of a file.")] = None,
    task: Annotated[
        str | None,
        typer.Option("--task", help="classification or regression (files; default inferred)."),
    ] = None,
    seed: Annotated[list[int] | None, typer.Option("--seed", help="Seed(s); repeatable.")] = None,
    sample: Annotated[
        int | None,
        typer.Option(
            "--sample", help="Evaluate this many configurations drawn at random (seeded)."
        ),
    ] = None,
    max_configs: Annotated[
        int | None,
        typer.Option(
            "--max-configs",
            help="Refuse a grid above this many configurations (default "
            "1,000,000; --sample lifts the limit).",
        ),
    ] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Re-run failed tasks.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    list_registry: Annotated[
        bool, typer.Option("--list", help="List the models (grids, fidelities) and datasets.")
    ] = False,
) -> None:
    """Evaluate a model's grid on a dataset by k-fold CV at each fidelity; re-run to resume.

    Several processes on one --out share the tasks (each fitted once); a killed process's
    tasks are taken over when its lease expires ($LOSSATLAS_LEASE_SECONDS, default 60).
    Exits non-zero when no task succeeded.
    """
    import numpy as np

    if list_registry:
        typer.echo(_registry_text())
        return

    from lossatlas.evaluate._datasets import load_dataset
    from lossatlas.evaluate._grids import check_grid_size
    from lossatlas.evaluate._runner import Evaluation, evaluate

    if dataset is None:
        raise InputError("--dataset is required (see `lossatlas evaluate --list`)")
    if jobs < 1:
        raise InputError(f"--jobs must be at least 1, not {jobs}")
    if folds < 2:
        raise InputError(f"--folds must be at least 2, not {folds}")
    if sample is not None and sample < 1:
        raise InputError(f"--sample must be positive, not {sample}")
    spec, space, params, file_fidelities = _resolve_grid(model, grid)
    check_grid_size(space, max_configs=max_configs, sample=sample, source=grid or spec.name)
    fidelities = _parse_fidelities(fidelity or [], ("fraction", *spec.knobs)) or file_fidelities
    check_out_dir(out)
    seeds = tuple(seed or (0,))
    configs = None
    if sample is not None:
        rng = np.random.default_rng(seeds[0])
        configs = np.sort(_sample_configs(rng, space.size, min(sample, space.size)))
    study = Evaluation(
        model=spec,
        dataset=load_dataset(dataset, target=target, task=task),  # type: ignore[arg-type]
        space=space,
        folds=folds,
        fidelities=fidelities,
        seeds=seeds,
        configs=configs,
        params=params,
        test_size=test_size,
    )
    summary = evaluate(
        study, out, jobs=jobs, scheduler=scheduler, retry_failed=retry_failed, progress=not quiet
    )
    others = f", {summary.n_by_others} by other processes" if summary.n_by_others else ""
    typer.echo(
        f"{spec.name} on {study.dataset.name}: {summary.n_run} task(s) run, "
        f"{summary.n_skipped} already done{others}, {summary.n_failed} failed, "
        f"{summary.seconds:.1f} s -> {summary.table}"
    )
    report_failures(
        f"{spec.name} on {study.dataset.name}", n_ok=summary.n_ok, errors=summary.errors
    )


def failure_lines(errors: tuple[tuple[str, int], ...], *, limit: int = 3) -> list[str]:
    """The first ``limit`` distinct error messages with their counts, one line each."""
    lines = [
        f"  {count} x {message.splitlines()[0] if message else ''}"
        for message, count in errors[:limit]
    ]
    if len(errors) > limit:
        rest = sum(count for _, count in errors[limit:])
        lines.append(f"  ... and {len(errors) - limit} other message(s) ({rest} task(s))")
    return lines


def report_failures(what: str, *, n_ok: int, errors: tuple[tuple[str, int], ...]) -> None:
    """Say on stderr how many tasks failed and why; raise :class:`NoTaskSucceededError` (exit 2)
    when none succeeded.

    Partial failure keeps exit code 0 (the failed configurations are data, in the table).
    """
    from lossatlas.evaluate._runner import NoTaskSucceededError

    n_failed = sum(count for _, count in errors)
    if not n_failed:
        return
    if n_ok:
        typer.echo(f"warning: {n_failed} of {n_ok + n_failed} task(s) of {what} failed:", err=True)
        for line in failure_lines(errors):
            typer.echo(line, err=True)
        return
    typer.echo(f"{what}: every recorded task failed; distinct errors:", err=True)
    for line in failure_lines(errors):
        typer.echo(line, err=True)
    raise NoTaskSucceededError(what, errors)


def _sample_configs(rng: Any, size: int, n: int) -> Any:
    """``n`` distinct flat indices of ``range(size)``; memory ~ ``n`` even for a 10^12 grid."""
    import numpy as np

    if size <= 10 * n:
        return rng.choice(size, size=n, replace=False)
    if size >= 2**63:
        raise InputError(f"the grid has {size:,} configurations, too many to index")
    picked: set[int] = set()
    while len(picked) < n:
        picked.update(int(v) for v in rng.integers(0, size, size=n - len(picked)))
    return np.fromiter(picked, dtype=np.int64, count=n)


def _registry_text() -> str:
    from lossatlas.evaluate._datasets import list_datasets
    from lossatlas.evaluate._models import list_models

    lines = ["models (grid: configurations):"]
    for name, spec in list_models().items():
        grids = ", ".join(f"{g}: {spec.space(g).size:,}" for g in spec.grids)
        fids = ", ".join(f"{k}={list(v)}" for k, v in spec.fidelities.items())
        knobs = ", ".join(["fraction", *spec.knobs])
        lines.append(f"  {name:9s} {spec.description}")
        lines.append(f"  {'':9s} grids {grids}; fidelities {knobs} (default {fids})")
    lines.append("datasets (or a .csv/.parquet file with --target, or openml:ID):")
    lines += [f"  {name:20s} {desc}" for name, desc in list_datasets().items()]
    return "\n".join(lines)


def export_command(
    directory: Annotated[Path, typer.Argument(help="Output directory of `lossatlas evaluate`.")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Table to write (.parquet or .csv); default DIR/results.parquet."
        ),
    ] = None,
    study: Annotated[str | None, typer.Option("--study", help="Only this study key.")] = None,
) -> None:
    """Write the journal of DIR as the long results table."""
    from lossatlas.evaluate._journal import JOURNAL_NAME
    from lossatlas.evaluate._table import export
    from lossatlas.io._sqlite import is_evaluation_journal

    journal = directory / JOURNAL_NAME if directory.is_dir() or not directory.suffix else directory
    if not journal.is_file():
        raise InputError(f"{journal}: no journal here (run `lossatlas evaluate` first)")
    if not is_evaluation_journal(journal):
        raise InputError(f"{journal}: not a lossatlas evaluation journal; nothing exported")

    path = export(directory, output, study=study)
    typer.echo(f"wrote {path}")


def register(app: typer.Typer) -> None:
    """Add ``evaluate`` and ``export`` to the ``lossatlas`` command (``run``: commands.study)."""
    app.command("evaluate")(evaluate_command)
    app.command("export")(export_command)
