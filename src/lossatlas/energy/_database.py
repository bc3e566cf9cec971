"""A database of minima and transition states (SQLite).

Minima and transition states of a potential energy (loss) surface are stored in one SQLite file,
as in the PATHSAMPLE/OPTIM tool chain of the Wales group (Wales, *Energy Landscapes*, CUP 2003):
energy, coordinates (float64 blobs, never pickled), the log product of the positive Hessian
eigenvalues ``fvib``, the number of positive eigenvalues, the lowest eigenvalue and, for a
transition state, the two minima it connects and its negative eigenvalue.

The file runs in write-ahead-log mode and every write is one transaction, so a process killed
mid-write leaves the database consistent: re-opening it continues where it stopped
(``synchronous=NORMAL``: an operating-system crash or power cut may lose the last few
transactions, never the file's consistency). Several
processes may write into one file at once (``busy_timeout`` plus retries on a locked database);
the duplicate check and the insert share one ``BEGIN IMMEDIATE`` transaction, so two writers can
never store the same minimum twice.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lossatlas.energy._harmonic import hessian_summary
from lossatlas.energy._pathsample import write_pathsample
from lossatlas.errors import InputError, LossAtlasError

__all__ = [
    "Minimum",
    "TransitionState",
    "Database",
    "DatabaseError",
    "hessian_summary",
]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS minima (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    energy REAL NOT NULL,
    coords BLOB NOT NULL,
    fvib REAL,
    n_positive INTEGER,
    lowest_eigenvalue REAL
);
CREATE INDEX IF NOT EXISTS minima_energy ON minima (energy);
CREATE TABLE IF NOT EXISTS transition_states (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    energy REAL NOT NULL,
    coords BLOB NOT NULL,
    min1 INTEGER NOT NULL REFERENCES minima (id),
    min2 INTEGER NOT NULL REFERENCES minima (id),
    negative_eigenvalue REAL,
    fvib REAL
);
CREATE INDEX IF NOT EXISTS ts_energy ON transition_states (energy);
"""


class DatabaseError(LossAtlasError):
    """The database file cannot be used (not SQLite, locked for too long, wrong schema)."""


@dataclass(frozen=True)
class Minimum:
    """A stored local minimum.

    Attributes
    ----------
    id : int
        Database id (1-based, stable).
    energy : float
        Loss at the minimum.
    coords : numpy.ndarray
        Canonicalised coordinates (float64).
    fvib : float or None
        Sum of the logarithms of the positive Hessian eigenvalues.
    n_positive : int or None
        Number of positive Hessian eigenvalues.
    lowest_eigenvalue : float or None
        Lowest Hessian eigenvalue.
    """

    id: int
    energy: float
    coords: np.ndarray
    fvib: float | None = None
    n_positive: int | None = None
    lowest_eigenvalue: float | None = None


@dataclass(frozen=True)
class TransitionState:
    """A stored transition state (index-1 saddle) joining minima ``min1`` and ``min2``."""

    id: int
    energy: float
    coords: np.ndarray
    min1: int
    min2: int
    negative_eigenvalue: float | None = None
    fvib: float | None = None


def _blob(x: np.ndarray) -> bytes:
    return np.ascontiguousarray(x, dtype=np.float64).tobytes()


def _array(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float64).copy()


def _opt_float(v: float | None) -> float | None:
    return None if v is None else float(v)


class Database:
    """Minima and transition states of one potential, in a SQLite file.

    Two minima are the same when their energies differ by at most ``energy_tol`` **and** the
    distance between their canonicalised coordinates is at most ``distance_tol``: the
    Euclidean distance, or ``distance`` when given (e.g. ``Potential.symmetry_distance``, the
    exact minimum over the symmetric copies, which unlike the canonical order does not split
    one minimum in two when nearly equal biases swap places). Coordinates are canonicalised
    (e.g. MLP hidden-unit permutation and tanh sign flips) with ``canonicalise`` before they
    are compared and stored; without it they are used as given.

    Parameters
    ----------
    path : str or Path
        Database file; created when missing (unless ``create=False``).
    energy_tol : float, default 1e-4
        Energy tolerance of the duplicate check (the reference work treats minima whose losses
        differ by more than 1e-4 as distinct).
    distance_tol : float, default 1e-3
        Distance tolerance of the duplicate check, on canonicalised coordinates.
    canonicalise : callable, optional
        Maps coordinates to a canonical representative of their symmetry orbit
        (``Potential.canonicalise``).
    distance : callable, optional
        ``distance(a, b) -> float`` between two canonicalised coordinate vectors, used by the
        duplicate check of minima and transition states (``Potential.symmetry_distance``).
        It is evaluated only for stored records whose energy lies within ``energy_tol`` (an
        indexed SQL range query), so an ``O(Nh^3)`` assignment per candidate stays cheap.
        Default: the Euclidean distance.
    create : bool, default True
        When False a missing file is an :class:`~lossatlas.errors.InputError`.
    timeout : float, default 60.0
        Seconds to wait for a lock held by another writer before giving up.

    Notes
    -----
    The file uses write-ahead logging (``journal_mode=WAL``) and each ``add_*`` call is a single
    ``BEGIN IMMEDIATE`` transaction, so a crash never leaves a half-written record and concurrent
    writers serialise their duplicate check and insert. Use it as a context manager or call
    :meth:`close`.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        energy_tol: float = 1e-4,
        distance_tol: float = 1e-3,
        canonicalise: Callable[[np.ndarray], np.ndarray] | None = None,
        distance: Callable[[np.ndarray, np.ndarray], float] | None = None,
        create: bool = True,
        timeout: float = 60.0,
    ) -> None:
        self.path = Path(path)
        if energy_tol < 0 or distance_tol < 0:
            raise InputError(
                f"energy_tol and distance_tol must be >= 0, got {energy_tol} and {distance_tol}"
            )
        if not create and not self.path.is_file():
            raise InputError(f"database file '{self.path}' does not exist")
        self.energy_tol = float(energy_tol)
        self.distance_tol = float(distance_tol)
        self.canonicalise = canonicalise
        self.distance = distance
        self.timeout = float(timeout)
        self._conn: sqlite3.Connection | None = None
        try:
            self._conn = sqlite3.connect(str(self.path), timeout=self.timeout, isolation_level=None)
            self._conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # pragma: no cover - e.g. a read-only medium
                raise DatabaseError(f"database '{self.path}' cannot use WAL (mode {mode!r})")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            with self._transaction():
                for statement in filter(None, (s.strip() for s in _SCHEMA.split(";"))):
                    self._conn.execute(statement)
                row = self._conn.execute(
                    "SELECT value FROM meta WHERE key = 'schema_version'"
                ).fetchone()
                if row is None:
                    self._conn.execute(
                        "INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
                        (json.dumps(SCHEMA_VERSION),),
                    )
                elif json.loads(row[0]) != SCHEMA_VERSION:
                    raise DatabaseError(
                        f"database '{self.path}' has schema version {row[0]}, "
                        f"this lossatlas reads version {SCHEMA_VERSION}"
                    )
        except sqlite3.DatabaseError as exc:
            self.close()
            raise InputError(f"'{self.path}' is not a usable SQLite database: {exc}") from exc
        except BaseException:
            self.close()
            raise

    # -- plumbing ---------------------------------------------------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction, retried while another writer holds the lock."""
        deadline = time.monotonic() + self.timeout
        delay = 0.005
        while True:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    raise DatabaseError(
                        f"database '{self.path}' stayed locked for {self.timeout:.0f} s"
                    ) from exc
                time.sleep(delay)
                delay = min(2 * delay, 0.5)
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            self._conn.execute("COMMIT")

    def close(self) -> None:
        """Close the connection (idempotent)."""
        conn = getattr(self, "_conn", None)
        if conn is not None:
            conn.close()
            self._conn = None  # type: ignore[assignment]

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Database('{self.path}')"

    def integrity_check(self) -> str:
        """Result of SQLite's ``PRAGMA integrity_check`` (``"ok"`` when intact)."""
        return str(self._conn.execute("PRAGMA integrity_check").fetchone()[0])

    def canonical(self, coords: np.ndarray) -> np.ndarray:
        """Coordinates as float64, canonicalised when the database has a ``canonicalise``."""
        x = np.asarray(coords, dtype=np.float64).ravel()
        if self.canonicalise is not None:
            x = np.asarray(self.canonicalise(x), dtype=np.float64).ravel()
        return x

    def _same_place(self, other: np.ndarray, x: np.ndarray) -> bool:
        """Whether stored coordinates ``other`` lie within ``distance_tol`` of ``x``."""
        if other.shape != x.shape:
            return False
        if self.distance is None:
            return bool(np.linalg.norm(other - x) <= self.distance_tol)
        return bool(float(self.distance(other, x)) <= self.distance_tol)

    # -- meta -------------------------------------------------------------------------------
    def set_meta(self, key: str, value: Any) -> None:
        """Store a JSON-able ``value`` under ``key`` (e.g. the potential spec)."""
        try:
            text = json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise InputError(f"meta value for {key!r} is not JSON-able: {exc}") from exc
        with self._transaction() as c:
            c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, text))

    def get_meta(self, key: str, default: Any = None) -> Any:
        """The JSON value stored under ``key``, or ``default``."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    # -- minima -----------------------------------------------------------------------------
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

    def _point(self, energy: float, coords: np.ndarray, what: str) -> tuple[float, np.ndarray]:
        """A ``what`` to store: its energy as a finite float and its canonical coordinates."""
        energy = float(energy)
        if not math.isfinite(energy):
            raise InputError(f"{what} energy must be finite, got {energy}")
        return energy, self.canonical(coords)

    def _match_row(self, table: str, columns: str, energy: float, x: np.ndarray) -> tuple | None:
        """The row of ``table`` equal to (``energy``, canonical ``x``) under the tolerances:
        energy within ``energy_tol`` (nearest energy first, ties by id), then coordinates
        within ``distance_tol``; None when there is none. ``columns`` starts ``id, energy,
        coords``."""
        rows = self._conn.execute(
            f"SELECT {columns} FROM {table} "
            "WHERE energy BETWEEN ? AND ? ORDER BY abs(energy - ?), id",
            (energy - self.energy_tol, energy + self.energy_tol, energy),
        ).fetchall()
        for row in rows:
            if self._same_place(np.frombuffer(row[2], dtype=np.float64), x):
                return row
        return None

    def _match_minimum(self, energy: float, x: np.ndarray) -> Minimum | None:
        row = self._match_row("minima", self._MIN_COLUMNS, energy, x)
        return None if row is None else self._minimum(row)

    def find_minimum(self, energy: float, coords: np.ndarray) -> Minimum | None:
        """The stored minimum equal to (``energy``, ``coords``) under the tolerances, or None."""
        return self._match_minimum(float(energy), self.canonical(coords))

    def add_minimum(
        self,
        energy: float,
        coords: np.ndarray,
        *,
        fvib: float | None = None,
        n_positive: int | None = None,
        lowest_eigenvalue: float | None = None,
    ) -> tuple[Minimum, bool]:
        """Store a minimum unless an equal one is stored already.

        Two minima are equal when ``|E1 - E2| <= energy_tol`` and the distance between their
        canonicalised coordinates (Euclidean, or the database's ``distance``) is
        ``<= distance_tol``. The canonicalised coordinates are stored.

        Returns
        -------
        minimum : Minimum
            The stored record (the earlier one for a duplicate).
        is_new : bool
            Whether it was inserted now.
        """
        energy, x = self._point(energy, coords, "minimum")
        with self._transaction() as c:
            found = self._match_minimum(energy, x)
            if found is not None:
                return found, False
            cur = c.execute(
                "INSERT INTO minima (energy, coords, fvib, n_positive, lowest_eigenvalue) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    energy,
                    _blob(x),
                    _opt_float(fvib),
                    None if n_positive is None else int(n_positive),
                    _opt_float(lowest_eigenvalue),
                ),
            )
            new_id = int(cur.lastrowid)
        return Minimum(new_id, energy, x, _opt_float(fvib), n_positive, lowest_eigenvalue), True

    def minima(self) -> list[Minimum]:
        """All minima, lowest energy first (ties by id)."""
        rows = self._conn.execute(
            f"SELECT {self._MIN_COLUMNS} FROM minima ORDER BY energy, id"
        ).fetchall()
        return [self._minimum(r) for r in rows]

    def get_minimum(self, id: int) -> Minimum:
        """The minimum with database id ``id``."""
        row = self._conn.execute(
            f"SELECT {self._MIN_COLUMNS} FROM minima WHERE id = ?", (int(id),)
        ).fetchone()
        if row is None:
            raise InputError(f"database '{self.path}' has no minimum with id {id}")
        return self._minimum(row)

    def n_minima(self) -> int:
        """Number of stored minima."""
        return int(self._conn.execute("SELECT count(*) FROM minima").fetchone()[0])

    # -- transition states ------------------------------------------------------------------
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

    def add_transition_state(
        self,
        energy: float,
        coords: np.ndarray,
        min1: int,
        min2: int,
        *,
        negative_eigenvalue: float | None = None,
        fvib: float | None = None,
    ) -> tuple[TransitionState, bool]:
        """Store a transition state joining minima ``min1`` and ``min2`` unless already stored.

        The duplicate rule is the one of :meth:`add_minimum` (energy within ``energy_tol`` and
        canonicalised coordinates within ``distance_tol``). Both minima must exist.

        Returns
        -------
        ts : TransitionState
            The stored record (the earlier one for a duplicate).
        is_new : bool
            Whether it was inserted now.
        """
        energy, x = self._point(energy, coords, "transition-state")
        with self._transaction() as c:
            for m in (min1, min2):
                if c.execute("SELECT 1 FROM minima WHERE id = ?", (int(m),)).fetchone() is None:
                    raise InputError(f"database '{self.path}' has no minimum with id {m}")
            found = self._match_row("transition_states", self._TS_COLUMNS, energy, x)
            if found is not None:
                return self._ts(found), False
            cur = c.execute(
                "INSERT INTO transition_states "
                "(energy, coords, min1, min2, negative_eigenvalue, fvib) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    energy,
                    _blob(x),
                    int(min1),
                    int(min2),
                    _opt_float(negative_eigenvalue),
                    _opt_float(fvib),
                ),
            )
            new_id = int(cur.lastrowid)
        ts = TransitionState(
            new_id, energy, x, int(min1), int(min2), _opt_float(negative_eigenvalue), fvib
        )
        return ts, True

    def transition_states(self) -> list[TransitionState]:
        """All transition states, lowest energy first (ties by id)."""
        rows = self._conn.execute(
            f"SELECT {self._TS_COLUMNS} FROM transition_states ORDER BY energy, id"
        ).fetchall()
        return [self._ts(r) for r in rows]

    # -- export -----------------------------------------------------------------------------
    def write_pathsample(self, directory: str | Path) -> tuple[Path, Path]:
        """Write ``min.data`` and ``ts.data`` in the PATHSAMPLE layout.

        See :func:`lossatlas.energy._pathsample.write_pathsample` for the file format.

        Returns
        -------
        (min_path, ts_path) : tuple of Path
        """
        return write_pathsample(self, directory)


def potential_db_options(potential: Any) -> dict[str, Any]:
    """Database keyword options that make duplicates symmetry-aware for ``potential``.

    ``canonicalise`` (its canonical form) and ``distance`` (its ``symmetry_distance``, the
    distance minimised over hidden-unit permutations and sign flips for MLPs, when it has one).
    """
    return {
        "canonicalise": potential.canonicalise,
        "distance": getattr(potential, "symmetry_distance", None),
    }
