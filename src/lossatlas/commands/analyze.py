"""``lossatlas analyze``: print the landscape profile of a table."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lossatlas.commands._options import CATEGORICAL_HELP, RADIUS_HELP, neighbourhood_option
from lossatlas.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("table", "json", "csv")


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def profile_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Profile rows as JSON-able dicts (NaN -> null)."""
    return [{k: _jsonable(v) for k, v in row.items()} for row in frame.to_dict("records")]


def render_profile(frame: pd.DataFrame, fmt: str) -> str | None:
    """Render a profile table as JSON or CSV text; ``None`` for the rich table (printed)."""
    if fmt == "json":
        records = profile_records(frame)
        return json.dumps(records[0] if len(records) == 1 else records, indent=2)
    if fmt == "csv":
        return frame.to_csv(index=False).rstrip("\n")
    from rich.console import Console
    from rich.table import Table

    from lossatlas.analysis._profile import METRICS

    table = Table(title="landscape profile", show_lines=False)
    table.add_column("metric", style="bold")
    for label in frame["landscape"]:
        table.add_column(str(label), justify="right")
    for column in frame.columns:
        if column == "landscape":
            continue
        cells = []
        for value in frame[column]:
            if isinstance(value, float):
                cells.append(f"{value:.4g}")
            else:
                cells.append(str(value))
        name = column if column not in METRICS else f"{column}"
        table.add_row(name, *cells)
    Console().print(table)
    return None


def _metric_selection(text: str | None) -> dict[str, list[str] | None]:
    """Split ``--metrics a,b,family`` into the profile's ``metrics=`` and ``families=``."""
    if text is None:
        return {"metrics": None, "families": None}
    from lossatlas.analysis._registry import REGISTRY

    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise InputError("--metrics needs at least one metric name")
    families = {m.family for m in REGISTRY.values()}
    return {
        "metrics": [n for n in names if n not in families] or [],
        "families": [n for n in names if n in families] or None,
    }


def analyze(
    table: Annotated[
        str | None,
        typer.Argument(
            metavar="SOURCE",
            help="Parquet or CSV table (long table or one row per config), a directory of "
            "tables, an evaluation or study directory, or an Optuna storage URL "
            "(sqlite:///study.db).",
        ),
    ] = None,
    loss: Annotated[str, typer.Option(help="Loss column to analyse.")] = "test",
    epsilon: Annotated[float, typer.Option(help="Neutrality threshold for every metric.")] = 0.0,
    relative_epsilon: Annotated[
        bool,
        typer.Option("--relative-epsilon", help="Read epsilon as a fraction of the loss range."),
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="table | json | csv")] = "table",
    example: Annotated[
        bool, typer.Option("--example", help="Analyse the built-in example landscape.")
    ] = False,
    walks: Annotated[int, typer.Option(help="Random walks for the autocorrelation.")] = 1000,
    walk_length: Annotated[int, typer.Option(help="Steps per random walk.")] = 20,
    radius: Annotated[int, typer.Option(help=RADIUS_HELP)] = 1,
    categorical: Annotated[
        list[str] | None, typer.Option("--categorical", help=CATEGORICAL_HELP)
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the random walks.")] = 0,
    on_invalid: Annotated[
        str, typer.Option(help="raise | drop rows with NaN/inf losses")
    ] = "raise",
    maximize: Annotated[
        bool, typer.Option("--maximize", help="The loss columns are scores to maximise.")
    ] = False,
    metrics: Annotated[
        str | None,
        typer.Option(
            "--metrics",
            help="Comma-separated metric keys, groups or families, or 'all' "
            "(default: the default profile; see lossatlas.analysis.list_metrics()).",
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="Do not print how the columns were read (nor progress)."
        ),
    ] = False,
) -> None:
    """Print the fitness-landscape profile of every landscape in SOURCE."""
    from lossatlas.analysis._profile import profile
    from lossatlas.io import load_landscapes

    if fmt not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if example:
        from lossatlas.examples import EXAMPLE_DESCRIPTION, example_table_path

        if table is not None:
            raise InputError("give either TABLE or --example, not both")
        table = str(example_table_path())
        if fmt == "table":
            typer.echo(f"example: {EXAMPLE_DESCRIPTION}", err=True)
    if table is None:
        raise InputError("no table given: lossatlas analyze TABLE (or --example)")
    neighbourhood = neighbourhood_option(radius, categorical)  # refused before reading
    landscapes = load_landscapes(table, loss=loss, on_invalid=on_invalid, maximize=maximize)
    from lossatlas.io._roles import check_loss

    check_loss(landscapes, loss, source=str(table))
    if not quiet:
        from lossatlas.io._roles import role_lines, source_columns

        for line in role_lines(landscapes, source_columns(table), source=str(table)):
            typer.echo(line, err=True)
    frame = profile(
        landscapes,
        loss=loss,
        epsilon=epsilon,
        relative_epsilon=relative_epsilon,
        neighbourhood=neighbourhood,
        n_walks=walks,
        walk_length=walk_length,
        seed=seed,
        progress=fmt == "table" and not quiet,
        **_metric_selection(metrics),
    )
    from lossatlas.analysis._epsilon import one_plateau_warning

    for row in frame.to_dict("records"):
        label = " ".join(str(row[k]) for k in ("model", "dataset") if k in row) or str(table)
        warning = one_plateau_warning(row, label=label, epsilon=epsilon)
        if warning is not None:
            typer.echo(f"warning: {warning}", err=True)
    text = render_profile(frame, fmt)
    if text is not None:
        typer.echo(text)


def register(app: typer.Typer) -> None:
    """Add ``analyze`` to the CLI."""
    app.command("analyze")(analyze)
