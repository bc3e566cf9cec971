"""What the ``lossatlas energy`` command modules share: options, opening a database, saving.

A private helper of :mod:`lossatlas.commands.energy` and
:mod:`lossatlas.commands.energy_analysis`; it defines no ``register``, so the CLI adds no
commands from it.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.energy import Database

__all__ = [
    "DbOption",
    "FormatOption",
    "OutputFormat",
    "QuietOption",
    "figure_path",
    "open_database",
    "save_figure",
]

DbOption = Annotated[Path, typer.Option("--db", help="SQLite database of minima and saddles.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


class OutputFormat(StrEnum):
    json = "json"
    table = "table"


FormatOption = Annotated[OutputFormat, typer.Option("--format", help="json or table.")]

_FIGURE_SUFFIXES = (".png", ".pdf", ".svg", ".jpg", ".jpeg", ".eps", ".ps", ".tif", ".tiff")


def open_database(
    db_path: Path, *, with_potential: bool = False, writable: bool = False
) -> Database:
    """Open an existing, non-empty database (read-only unless ``writable``).

    With ``with_potential`` the stored potential is rebuilt (``db.potential``; a database
    without a stored spec is refused) and duplicates are symmetry-aware
    (:meth:`lossatlas.energy.Database.open`).
    """
    from lossatlas.energy import Database

    db = Database.open(db_path, writable=writable, rebuild=with_potential)
    if with_potential and db.potential is None:
        db.close()
        raise InputError(
            f"database '{db_path}' has no potential spec in its metadata (key 'potential'); "
            "it was not made by 'lossatlas energy explore'"
        )
    return db


def figure_path(output: Path, *, default_name: str) -> Path:
    """The file a figure asked for with ``-o OUTPUT`` goes to, exactly.

    An existing directory gets ``default_name`` inside it; a name without a suffix gets
    ``.png``; a suffix matplotlib cannot write is refused.
    """
    if output.is_dir():
        return output / default_name
    if not output.suffix:
        return output.with_name(output.name + ".png")
    if output.suffix.lower() not in _FIGURE_SUFFIXES:
        raise InputError(
            f"--output '{output}': unknown image type {output.suffix!r}; "
            f"use one of {', '.join(_FIGURE_SUFFIXES)}"
        )
    return output


def save_figure(fig: Any, output: Path, *, default_name: str) -> Path:
    """Save ``fig`` where :func:`figure_path` says and return that path."""
    path = figure_path(output, default_name=default_name)
    fig.savefig(path, dpi=150, bbox_inches="tight")
    return path


def energy_group(app: typer.Typer) -> typer.Typer:
    """The ``energy`` group registered by :mod:`lossatlas.commands.energy`, or a new one (so
    these verbs stay reachable should that module be missing)."""
    for group in app.registered_groups:
        name = group.name or (group.typer_instance.info.name if group.typer_instance else None)
        if name == "energy" and group.typer_instance is not None:
            return group.typer_instance
    group = typer.Typer(name="energy", help="Weight-space energy landscapes.", no_args_is_help=True)
    app.add_typer(group, name="energy")
    return group


def print_table(title: str, rows: list[dict[str, Any]]) -> None:
    """Print ``rows`` (dicts with the same keys) as a rich table titled ``title``."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    keys = list(rows[0]) if rows else []
    for k in keys:
        table.add_column(str(k), justify="right")
    for row in rows:
        table.add_row(
            *(
                ""
                if row[k] is None
                else f"{row[k]:.6g}"
                if isinstance(row[k], float)
                else str(row[k])
                for k in keys
            )
        )
    Console().print(table)
