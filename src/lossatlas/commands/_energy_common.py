"""What the ``lossatlas energy`` command modules share: options and opening a stored landscape.

A private helper of :mod:`lossatlas.commands.energy` and
:mod:`lossatlas.commands.energy_analysis`; it defines no ``register``, so the CLI adds no
commands from it.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from lossatlas.errors import InputError

__all__ = ["DbOption", "FormatOption", "OutputFormat", "QuietOption", "open_database"]

DbOption = Annotated[Path, typer.Option("--db", help="SQLite database of minima and saddles.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


class OutputFormat(StrEnum):
    json = "json"
    table = "table"


FormatOption = Annotated[OutputFormat, typer.Option("--format", help="json or table.")]


def open_database(db_path: Path, *, with_potential: bool = False) -> tuple[Any, Any]:
    """Open an existing, non-empty database (and rebuild its potential from the stored spec).

    The duplicate tolerances come from the database's metadata (``energy_tol``,
    ``distance_tol``); with the potential, duplicates are symmetry-aware
    (:func:`lossatlas.energy._database.potential_db_options`). Returns ``(db, potential)``,
    ``potential`` None unless ``with_potential``.
    """
    from lossatlas.energy._database import Database, potential_db_options

    if not db_path.is_file():
        raise InputError(f"database file '{db_path}' does not exist; create it with 'explore'")
    with Database(db_path, create=False) as probe:
        spec = probe.get_meta("potential")
        energy_tol = probe.get_meta("energy_tol", 1e-4)
        distance_tol = probe.get_meta("distance_tol", 1e-3)
        if probe.n_minima() == 0:
            raise InputError(
                f"database '{db_path}' holds no minima; run 'lossatlas energy explore'"
            )
    potential = None
    if with_potential:
        if spec is None:
            raise InputError(
                f"database '{db_path}' has no potential spec in its metadata (key 'potential'); "
                "it was not made by 'lossatlas energy explore'"
            )
        from lossatlas.energy.potentials import potential_from_spec

        potential = potential_from_spec(spec)
    db = Database(
        db_path,
        create=False,
        energy_tol=energy_tol,
        distance_tol=distance_tol,
        **({} if potential is None else potential_db_options(potential)),
    )
    return db, potential
