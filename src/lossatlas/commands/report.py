"""``lossatlas report``: one self-contained HTML report of a table, evaluation or study."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lossatlas.errors import InputError

PROJECTIONS = ("auto", "umap", "pca")


def report(
    table_or_study: Annotated[
        str,
        typer.Argument(
            metavar="TABLE_OR_STUDY",
            help="Parquet/CSV table, an evaluation output directory holding results.parquet, "
            "or an Optuna storage URL (sqlite:///study.db).",
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path(
        "report.html"
    ),
    loss: Annotated[str, typer.Option(help="Loss column to analyse.")] = "test",
    epsilon: Annotated[float, typer.Option(help="Neutrality threshold (absolute).")] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed of every embedding, sample and walk.")] = 0,
    projection: Annotated[
        str, typer.Option(help="2-D projection of the map: auto | umap | pca.")
    ] = "auto",
    max_nodes: Annotated[
        int, typer.Option(help="Most configurations drawn on a map (seeded subsample).")
    ] = 5000,
    static: Annotated[
        bool, typer.Option("--static", help="PNG figures (matplotlib) instead of plotly.")
    ] = False,
) -> None:
    """Write an HTML report (profile, maps, surfaces, optima) of every landscape."""
    from lossatlas.viz.report import write_report

    if projection not in PROJECTIONS:
        raise InputError(
            f"--projection must be one of {', '.join(PROJECTIONS)}, not {projection!r}"
        )
    if "://" not in table_or_study and not Path(table_or_study).exists():
        raise InputError(f"{table_or_study}: no such file or directory")
    path = write_report(
        table_or_study,
        output,
        loss=loss,
        epsilon=epsilon,
        seed=seed,
        projection=projection,  # type: ignore[arg-type]
        max_nodes=max_nodes,
        interactive=False if static else None,
        progress=True,
    )
    size = path.stat().st_size / 1e6
    typer.echo(f"wrote {path} ({size:.1f} MB)")


def register(app: typer.Typer) -> None:
    """Add ``report`` to the CLI."""
    app.command("report")(report)
