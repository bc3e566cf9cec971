"""Export of a :class:`~lossatlas.energy._database.Database` in the PATHSAMPLE layout.

PATHSAMPLE (Wales group; D. J. Wales, "Discrete path sampling", Mol. Phys. 100, 3285 (2002) and
*Energy Landscapes*, CUP 2003) reads the stationary points of a landscape from two text files:
``min.data`` (one line per minimum) and ``ts.data`` (one line per transition state, naming the
two minima it joins by their line numbers in ``min.data``). This module writes them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lossatlas.energy._database import Database

__all__ = ["write_pathsample"]


def write_pathsample(db: Database, directory: str | Path) -> tuple[Path, Path]:
    """Write ``min.data`` and ``ts.data`` of ``db`` in the PATHSAMPLE layout.

    ``min.data``: one line per minimum, ``E fvib order Ix Iy Iz`` with point-group order 1
    and zero moments of inertia (they have no meaning for a loss). ``ts.data``: one line per
    transition state, ``E fvib order min1 min2 Ix Iy Iz``, where ``min1``/``min2`` are the
    1-based line numbers of the minima in ``min.data`` (minima are written in id order). A
    missing ``fvib`` is written as 0. Only the energy, ``fvib`` and connectivity columns are
    read, not the coordinates.

    Parameters
    ----------
    db : Database
        The open database to export.
    directory : str or Path
        Where the two files go; created when missing.

    Returns
    -------
    (min_path, ts_path) : tuple of Path
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    rows = db._conn.execute("SELECT id, energy, fvib FROM minima ORDER BY id").fetchall()
    line_of = {int(r[0]): i + 1 for i, r in enumerate(rows)}
    min_path, ts_path = out / "min.data", out / "ts.data"
    with min_path.open("w") as fh:
        for _, e, fvib in rows:
            fh.write(f"{e:.12f} {(fvib or 0.0):.12f} 1 0.0 0.0 0.0\n")
    ts_rows = db._conn.execute(
        "SELECT energy, fvib, min1, min2 FROM transition_states ORDER BY id"
    ).fetchall()
    with ts_path.open("w") as fh:
        for e, fvib, m1, m2 in ts_rows:
            fh.write(f"{e:.12f} {(fvib or 0.0):.12f} 1 {line_of[m1]} {line_of[m2]} 0.0 0.0 0.0\n")
    return min_path, ts_path
