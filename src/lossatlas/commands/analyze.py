"""``lossatlas analyze``: print the landscape profile of a table."""

from __future__ import annotations

import json
import math
import sys
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


def _cell(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _table_rows(records: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """``(metric, cells)`` per column of the profile, the ``landscape`` column left out."""
    columns = list(dict.fromkeys(k for row in records for k in row))
    return [
        (column, [_cell(row.get(column, float("nan"))) for row in records])
        for column in columns
        if column != "landscape"
    ]


def plain_table(records: list[dict[str, Any]]) -> str:
    """The profile as an aligned plain-text table (metrics as rows, landscapes as columns).

    What ``--format table`` prints when standard output is not a terminal: the rich table's
    content without its box, and without importing rich.
    """
    header = ["metric", *(str(row.get("landscape", "")) for row in records)]
    body = [[name, *cells] for name, cells in _table_rows(records)]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join(["landscape profile", line(header), rule, *(line(b) for b in body)])


def _rich_table(records: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="landscape profile", show_lines=False)
    table.add_column("metric", style="bold")
    for row in records:
        table.add_column(str(row.get("landscape", "")), justify="right")
    for name, cells in _table_rows(records):
        table.add_row(name, *cells)
    Console().print(table)


def _frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(records)


def render_profile(
    profile: pd.DataFrame | list[dict[str, Any]], fmt: str, *, terminal: bool | None = None
) -> str | None:
    """Render a profile as JSON, CSV or a table; ``None`` when the rich table was printed.

    Parameters
    ----------
    profile : DataFrame or list of dict
        The profile (:func:`~lossatlas.analysis.profile`) or its rows
        (:func:`~lossatlas.analysis._profile.profile_rows`).
    fmt : {"table", "json", "csv"}
    terminal : bool, optional
        Whether standard output is a terminal (default: ask it). A terminal gets the rich
        table (printed here); anything else the plain-text :func:`plain_table`.

    Returns
    -------
    str or None
    """
    if isinstance(profile, list):
        if fmt != "table" or len(profile) > 1:  # pandas' column types, as the table had
            profile = _frame(profile)
        records = profile if isinstance(profile, list) else profile.to_dict("records")
    else:
        records = profile.to_dict("records") if fmt == "table" else []
    if fmt == "json":
        rows = profile_records(profile)  # type: ignore[arg-type]
        return json.dumps(rows[0] if len(rows) == 1 else rows, indent=2)
    if fmt == "csv":
        return profile.to_csv(index=False).rstrip("\n")  # type: ignore[union-attr]
    if terminal is None:
        terminal = sys.stdout.isatty()
    if not terminal:
        return plain_table(records)
    _rich_table(records)
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
    from lossatlas.analysis._profile import profile_rows
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
    rows = profile_rows(
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

    for row in rows:
        label = " ".join(str(row[k]) for k in ("model", "dataset") if k in row) or str(table)
        warning = one_plateau_warning(row, label=label, epsilon=epsilon)
        if warning is not None:
            typer.echo(f"warning: {warning}", err=True)
    text = render_profile(rows, fmt)
    if text is not None:
        typer.echo(text)


def register(app: typer.Typer) -> None:
    """Add ``analyze`` to the CLI."""
    app.command("analyze")(analyze)
