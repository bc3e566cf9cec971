"""``lossatlas compare`` (many landscapes side by side) and ``lossatlas importance`` (fANOVA)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lossatlas import columns as roles
from lossatlas.commands._options import CATEGORICAL_HELP, RADIUS_HELP, neighbourhood_option
from lossatlas.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from lossatlas.landscape import Landscape

BY = ("fidelity", "dataset", "model", "split")
IMPORTANCE_FORMATS = ("table", "json")
TABLE_FORMATS = ("parquet", "csv")


def _load(source: str, on_invalid: str, loss: str) -> list[Landscape]:
    """Landscapes of any source (see :func:`lossatlas.io.load_landscapes`)."""
    from lossatlas.io import load_landscapes

    return load_landscapes(source, loss=loss, on_invalid=on_invalid)


def _default_output(source: str, by: str) -> Path:
    from lossatlas.io import is_storage_url

    stem = Path(source.split("?", 1)[0]).stem if is_storage_url(source) else Path(source).stem
    return Path.cwd() / f"{stem or 'study'}_compare_{by}"


def compare(
    study: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE",
            help="Long table (Parquet/CSV) of many landscapes, a directory of tables, an "
            "evaluation or study directory, or an Optuna storage URL.",
        ),
    ],
    by: Annotated[str, typer.Option(help="fidelity | dataset | model | split")] = "fidelity",
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Output directory (default: ./<STUDY>_compare_<by>)."),
    ] = None,
    loss: Annotated[str, typer.Option(help="Loss column to compare.")] = "test",
    gamma: Annotated[float, typer.Option(help="Top fraction of the gamma-set similarity.")] = 0.1,
    epsilon: Annotated[float, typer.Option(help="Neutrality threshold of the profiles.")] = 0.0,
    walks: Annotated[int, typer.Option(help="Random walks per profile.")] = 1000,
    table_format: Annotated[str, typer.Option("--table-format", help="parquet | csv")] = "parquet",
    figures: Annotated[bool, typer.Option("--figures/--no-figures", help="Write heatmaps.")] = True,
    on_invalid: Annotated[
        str, typer.Option(help="raise | drop rows with NaN/inf losses")
    ] = "raise",
    radius: Annotated[int, typer.Option(help=RADIUS_HELP)] = 1,
    categorical: Annotated[
        list[str] | None, typer.Option("--categorical", help=CATEGORICAL_HELP)
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="Do not print how the columns were read (nor progress)."
        ),
    ] = False,
) -> None:
    """Compare the landscapes of STUDY pairwise and profile each.

    Writes the pairs, profiles and median matrices (Parquet or CSV), heatmaps, headline.json and
    summary.txt to the output directory, and prints the summary.
    """
    from lossatlas.analysis._comparison import compare_landscapes

    if by not in BY:
        raise InputError(f"--by must be one of {', '.join(BY)}, not {by!r}")
    if table_format not in TABLE_FORMATS:
        raise InputError(f"--table-format must be parquet or csv, not {table_format!r}")
    out = output if output is not None else _default_output(study, by)
    for parent in (out, *out.parents):
        if parent.exists() and not parent.is_dir():
            raise InputError(f"--output {out}: {parent} is a file, not a directory")
    neighbourhood = neighbourhood_option(radius, categorical)  # refused before reading
    landscapes = _load(study, on_invalid, loss)
    from lossatlas.io._roles import check_loss

    check_loss(landscapes, loss, source=str(study))
    if not quiet:
        from lossatlas.io._roles import role_lines, source_columns

        for line in role_lines(landscapes, source_columns(study), source=str(study)):
            typer.echo(line, err=True)
    result = compare_landscapes(
        landscapes,
        by=by,  # type: ignore[arg-type]
        loss=loss,
        gamma=gamma,
        top_fraction=gamma,
        profile_options={
            "epsilon": epsilon,
            "n_walks": walks,
            "neighbourhood": neighbourhood,
        },
        progress=not quiet,
    )
    from lossatlas.io import write_comparison

    written = write_comparison(result, out, format=table_format)  # type: ignore[arg-type]
    if figures:
        from lossatlas.viz import save_similarity_heatmaps

        written += save_similarity_heatmaps(result, out)
    typer.echo(result.summary)
    typer.echo(f"wrote {len(written)} files to {out}")


def _fraction(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def importance_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Terms by decreasing fraction with the residual last."""
    terms = table[table["term"] != "residual"].sort_values(
        "fraction", ascending=False, kind="stable"
    )
    import pandas as pd

    return pd.concat([terms, table[table["term"] == "residual"]], ignore_index=True)


def importance(
    table: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE",
            help="Parquet or CSV table of one or more landscapes, a directory of tables, an "
            "evaluation or study directory, or an Optuna storage URL.",
        ),
    ],
    loss: Annotated[str, typer.Option(help="Loss column to decompose.")] = "test",
    order: Annotated[int, typer.Option(help="Highest interaction order (1 = main effects).")] = 2,
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
    method: Annotated[str, typer.Option(help="auto | exact | trees | grid")] = "auto",
    seed: Annotated[int, typer.Option(help="Seed of the random-forest surrogate.")] = 0,
    on_invalid: Annotated[
        str, typer.Option(help="raise | drop rows with NaN/inf losses")
    ] = "raise",
) -> None:
    """fANOVA importance of every hyperparameter and interaction (fractions sum to 1).

    Exact on complete grids; a random-forest surrogate on partial landscapes.
    """
    from lossatlas.analysis._importance import importance as fanova_importance

    if fmt not in IMPORTANCE_FORMATS:
        raise InputError(f"--format must be table or json, not {fmt!r}")
    if method not in ("auto", "exact", "trees", "grid"):
        raise InputError(f"--method must be auto, exact, trees or grid, not {method!r}")
    if order < 1:
        raise InputError(f"--order must be >= 1, not {order}")
    landscapes = _load(table, on_invalid, loss)
    records: list[dict[str, Any]] = []
    for land in landscapes:
        result = importance_rows(
            fanova_importance(
                land,
                loss=loss,
                order=order,
                method=method,  # type: ignore[arg-type]
                seed=seed,
                progress=fmt == "table",
            )
        )
        ident: dict[str, Any] = {}
        if len(landscapes) > 1:
            ident = {"landscape": land.label}
            ident.update({k: v for k, v in land.metadata.items() if roles.is_group_column(k)})
        if fmt == "json":
            records += [
                {**ident, "term": row.term, "fraction": _fraction(row.fraction)}
                for row in result.itertuples()
            ]
        else:
            _print_table(result, land.label, loss)
    if fmt == "json":
        typer.echo(json.dumps(records, indent=2))


def _print_table(result: pd.DataFrame, label: str, loss: str) -> None:
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"fANOVA importance of {loss!r}: {label}")
    for column, justify in (
        ("term", "left"),
        ("order", "right"),
        ("variance", "right"),
        ("fraction", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in result.itertuples():
        order = "" if pd.isna(row.order) else str(row.order)
        table.add_row(row.term, order, f"{row.variance:.4g}", f"{row.fraction:.4f}")
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Add ``compare`` and ``importance`` to the CLI."""
    app.command("compare")(compare)
    app.command("importance")(importance)
