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
    records = db.to_dict()
    minima = sorted(records["minima"], key=lambda r: r["id"])
    line_of = {int(r["id"]): i + 1 for i, r in enumerate(minima)}
    min_path, ts_path = out / "min.data", out / "ts.data"
    with min_path.open("w") as fh:
        for r in minima:
            fh.write(f"{r['energy']:.12f} {(r['fvib'] or 0.0):.12f} 1 0.0 0.0 0.0\n")
    with ts_path.open("w") as fh:
        for r in sorted(records["transition_states"], key=lambda r: r["id"]):
            fh.write(
                f"{r['energy']:.12f} {(r['fvib'] or 0.0):.12f} 1 "
                f"{line_of[r['min1']]} {line_of[r['min2']]} 0.0 0.0 0.0\n"
            )
    return min_path, ts_path
