"""``lossatlas report``: one self-contained HTML report of a table, evaluation, study or energy
database (a ``.sqlite``/``.db`` file made by ``lossatlas energy explore``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lossatlas.commands._options import CATEGORICAL_HELP, RADIUS_HELP, neighbourhood_option
from lossatlas.errors import InputError

PROJECTIONS = ("auto", "umap", "pca")


def report(
    table_or_study: Annotated[
        str,
        typer.Argument(
            metavar="TABLE_OR_STUDY",
            help="Parquet/CSV table, an evaluation output directory holding results.parquet, "
            "an Optuna storage URL (sqlite:///study.db), or an energy database "
            "(*.sqlite/*.db from 'lossatlas energy explore').",
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
    """Write an HTML report (profile, maps, surfaces, optima) of every landscape, or the energy
    report (disconnectivity, heat capacity, ensembles...) of an energy database."""
    from lossatlas.energy._report import ENERGY_DB_SUFFIXES, is_energy_database
    from lossatlas.viz._report import write_report

    if projection not in PROJECTIONS:
        raise InputError(
            f"--projection must be one of {', '.join(PROJECTIONS)}, not {projection!r}"
        )
    from lossatlas.io import is_storage_url
    from lossatlas.io._tables import check_output_path

    check_output_path(output, what="--output")  # before any work, not after it
    if not is_storage_url(table_or_study):
        source = Path(table_or_study)
        if not source.exists():
            raise InputError(f"{table_or_study}: no such file or directory")
        if is_energy_database(source) or (
            source.suffix.lower() in ENERGY_DB_SUFFIXES and source.stat().st_size == 0
        ):
            run_energy_report(source, output, seed=seed)
            return
    from lossatlas.io import load_landscapes

    neighbourhood = neighbourhood_option(radius, categorical)  # refused before reading
    landscapes = load_landscapes(table_or_study, loss=loss)
    from lossatlas.io._roles import check_loss

    check_loss(landscapes, loss, source=str(table_or_study))
    if not quiet:
        from lossatlas.io._roles import role_lines, source_columns

        for line in role_lines(
            landscapes, source_columns(table_or_study), source=str(table_or_study)
        ):
            typer.echo(line, err=True)
    path = write_report(
        landscapes,
        output,
        loss=loss,
        epsilon=epsilon,
        seed=seed,
        projection=projection,  # type: ignore[arg-type]
        max_nodes=max_nodes,
        interactive=False if static else None,
        progress=not quiet,
        neighbourhood=neighbourhood,
    )
    size = path.stat().st_size / 1e6
    typer.echo(f"wrote {path} ({size:.1f} MB)")


def run_energy_report(db: Path, output: Path, *, seed: int, lowest: int = 20) -> None:
    """Write the energy report of ``db`` and say where (shared with ``lossatlas energy report``)."""
    from lossatlas.energy._report import write_energy_report

    path = write_energy_report(db, output, seed=seed, lowest=lowest)
    size = path.stat().st_size / 1e6
    typer.echo(f"wrote {path} ({size:.1f} MB)")


def register(app: typer.Typer) -> None:
    """Add ``report`` to the CLI."""
    app.command("report")(report)
