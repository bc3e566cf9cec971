"""The read side of a :class:`~lossatlas.energy._database.Database`: queries on its tables.

Everything an export or an analysis needs (the records, their counts, the metadata, a
JSON-safe dump) without touching the connection directly; the database class adds opening,
writing and the duplicate check.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np

from lossatlas.energy._records import Minimum, TransitionState
from lossatlas.errors import InputError

__all__ = ["DatabaseReader"]


def _array(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float64).copy()


class DatabaseReader:
    """Queries on the tables of an energy database (base of
    :class:`~lossatlas.energy._database.Database`, which opens the connection)."""

    path: Path
    _conn: sqlite3.Connection | None

    def integrity_check(self) -> str:
        """Result of SQLite's ``PRAGMA integrity_check`` (``"ok"`` when intact).

        Returns
        -------
        str
        """
        return str(self._conn.execute("PRAGMA integrity_check").fetchone()[0])

    def get_meta(self, key: str, default: Any = None) -> Any:
        """The JSON value stored under ``key``, or ``default``.

        Parameters
        ----------
        key : str
            Metadata key.
        default : optional
            Returned when the key is missing.

        Returns
        -------
        object
            The decoded JSON value.
        """
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    @property
    def potential_spec(self) -> dict[str, Any] | None:
        """The stored potential spec (metadata key ``potential``), or None."""
        return self.get_meta("potential")

    @staticmethod
    def _minimum(row: tuple) -> Minimum:
        return Minimum(
            id=int(row[0]),
            energy=float(row[1]),
            coords=_array(row[2]),
            fvib=row[3],
            n_positive=row[4],
            lowest_eigenvalue=row[5],
        )

    _MIN_COLUMNS = "id, energy, coords, fvib, n_positive, lowest_eigenvalue"

    def minima(self) -> list[Minimum]:
        """All minima, lowest energy first (ties by id).

        Returns
        -------
        list of Minimum
        """
        rows = self._conn.execute(
            f"SELECT {self._MIN_COLUMNS} FROM minima ORDER BY energy, id"
        ).fetchall()
        return [self._minimum(r) for r in rows]

    def get_minimum(self, id: int) -> Minimum:
        """The minimum with database id ``id``.

        Parameters
        ----------
        id : int
            Database id.

        Returns
        -------
        Minimum
        """
        row = self._conn.execute(
            f"SELECT {self._MIN_COLUMNS} FROM minima WHERE id = ?", (int(id),)
        ).fetchone()
        if row is None:
            raise InputError(f"database '{self.path}' has no minimum with id {id}")
        return self._minimum(row)

    def n_minima(self) -> int:
        """Number of stored minima.

        Returns
        -------
        int
        """
        return int(self._conn.execute("SELECT count(*) FROM minima").fetchone()[0])

    @staticmethod
    def _ts(row: tuple) -> TransitionState:
        return TransitionState(
            id=int(row[0]),
            energy=float(row[1]),
            coords=_array(row[2]),
            min1=int(row[3]),
            min2=int(row[4]),
            negative_eigenvalue=row[5],
            fvib=row[6],
        )

    _TS_COLUMNS = "id, energy, coords, min1, min2, negative_eigenvalue, fvib"

    def transition_states(self) -> list[TransitionState]:
        """All transition states, lowest energy first (ties by id).

        Returns
        -------
        list of TransitionState
        """
        rows = self._conn.execute(
            f"SELECT {self._TS_COLUMNS} FROM transition_states ORDER BY energy, id"
        ).fetchall()
        return [self._ts(r) for r in rows]

    def n_transition_states(self) -> int:
        """Number of stored transition states.

        Returns
        -------
        int
        """
        return int(self._conn.execute("SELECT count(*) FROM transition_states").fetchone()[0])

    def to_dict(self, *, coords: bool = False) -> dict[str, Any]:
        """The stored points as JSON-safe records (NaN and infinities as None).

        Parameters
        ----------
        coords : bool, default False
            Include the coordinates (read only when asked).

        Returns
        -------
        dict
            ``minima`` and ``transition_states``: lists of records (see
            :meth:`Minimum.to_dict`, :meth:`TransitionState.to_dict`), lowest energy first.
        """
        if coords:
            return {
                "minima": [m.to_dict(coords=True) for m in self.minima()],
                "transition_states": [t.to_dict(coords=True) for t in self.transition_states()],
            }
        rows = self._conn.execute(
            "SELECT id, energy, fvib, n_positive, lowest_eigenvalue FROM minima ORDER BY energy, id"
        ).fetchall()
        ts_rows = self._conn.execute(
            "SELECT id, energy, min1, min2, negative_eigenvalue, fvib FROM transition_states "
            "ORDER BY energy, id"
        ).fetchall()
        empty = np.empty(0)
        return {
            "minima": [Minimum(r[0], r[1], empty, r[2], r[3], r[4]).to_dict() for r in rows],
            "transition_states": [
                TransitionState(r[0], r[1], empty, r[2], r[3], r[4], r[5]).to_dict()
                for r in ts_rows
            ],
        }
