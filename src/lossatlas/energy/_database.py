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

The file is stamped as ours (``PRAGMA application_id``, ``PRAGMA user_version``; see
:mod:`lossatlas.energy._dbfile`); a foreign SQLite file is refused, never adopted, and
:meth:`Database.open` opens read-only by default (SQLite ``mode=ro``), so a command that only
reads can neither create nor change a file.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lossatlas.energy._dbfile import (
    DatabaseError,
    check_database_file,
    connect_writable,
    create_schema,
    immediate_transaction,
    is_database,
    read_only_connection,
)
from lossatlas.energy._dbread import DatabaseReader
from lossatlas.energy._pathsample import write_pathsample
from lossatlas.energy._records import Minimum, TransitionState
from lossatlas.energy.potentials import potential_from_spec
from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.energy.potentials import Potential

__all__ = [
    "Database",
    "DatabaseError",
    "Minimum",
    "TransitionState",
    "potential_db_options",
]


def _blob(x: np.ndarray) -> bytes:
    return np.ascontiguousarray(x, dtype=np.float64).tobytes()


def _array(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float64).copy()


def _norm_bounded(distance: Callable[..., Any]) -> bool:
    """Whether ``distance(a, b) >= | |a| - |b| |`` is declared (attribute ``norm_bounded``, as
    on the MLPs' ``symmetry_distance``: a minimum over permutations and sign flips)."""
    return bool(getattr(distance, "norm_bounded", False))


def _opt_float(v: float | None) -> float | None:
    return None if v is None else float(v)


class Database(DatabaseReader):
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
        Database file; created when missing (unless ``create=False`` or ``read_only``). An
        existing file must be an energy database (:func:`~lossatlas.energy._dbfile.
        check_database_file`): a foreign SQLite file is refused, never adopted.
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
    read_only : bool, default False
        Open with SQLite ``mode=ro``: the file must exist and every write raises
        :class:`DatabaseError`.
    timeout : float, default 60.0
        Seconds to wait for a lock held by another writer before giving up.

    Attributes
    ----------
    potential : Potential or None
        The potential rebuilt from the stored spec by :meth:`open`; None otherwise.

    See Also
    --------
    Database.open : open an existing database with its stored potential and tolerances.

    Notes
    -----
    The file uses write-ahead logging (``journal_mode=WAL``) and each ``add_*`` call is a single
    ``BEGIN IMMEDIATE`` transaction, so a crash never leaves a half-written record and concurrent
    writers serialise their duplicate check and insert. A legacy database (written before the
    application id existed) is read as it is and stamped when opened for writing. Use it as a
    context manager or call :meth:`close`.
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
        read_only: bool = False,
        timeout: float = 60.0,
    ) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        if energy_tol < 0 or distance_tol < 0:
            raise InputError(
                f"energy_tol and distance_tol must be >= 0, got {energy_tol} and {distance_tol}"
            )
        kind = check_database_file(self.path)
        if kind == "new" and (read_only or not create):
            if self.path.exists():
                raise InputError(
                    f"database '{self.path}' is empty (holds no minima); "
                    "run 'lossatlas energy explore'"
                )
            raise InputError(
                f"database file '{self.path}' does not exist; "
                "create it with 'lossatlas energy explore'"
            )
        self.energy_tol = float(energy_tol)
        self.distance_tol = float(distance_tol)
        self.canonicalise = canonicalise
        self.distance = distance
        self.timeout = float(timeout)
        self.read_only = bool(read_only)
        self.potential: Potential | None = None
        try:
            if self.read_only:
                self._conn = read_only_connection(self.path, timeout=self.timeout)
            else:
                self._connect_writable()
        except sqlite3.DatabaseError as exc:
            self.close()
            raise InputError(f"'{self.path}' is not a usable SQLite database: {exc}") from exc
        except BaseException:
            self.close()
            raise

    def _connect_writable(self) -> None:
        self._conn = connect_writable(self.path, timeout=self.timeout)
        with self._transaction():
            create_schema(self._conn, self.path)

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        writable: bool = False,
        rebuild: bool = True,
        allow_empty: bool = False,
        timeout: float = 60.0,
    ) -> Database:
        """Open an existing energy database with the options it was built with.

        The duplicate tolerances come from the stored metadata (``energy_tol``,
        ``distance_tol``) and, with ``rebuild``, the potential is rebuilt from its stored spec
        (key ``potential``) and makes duplicates symmetry-aware (:func:`potential_db_options`).

        Parameters
        ----------
        path : str or Path
            The database file; it is never created.
        writable : bool, default False
            Open for writing; by default the file is opened read-only (SQLite ``mode=ro``).
        rebuild : bool, default True
            Rebuild the stored potential (``db.potential``; None when no spec is stored).
        allow_empty : bool, default False
            Accept a database that holds no minima.
        timeout : float, default 60.0
            Seconds to wait for another writer's lock.

        Returns
        -------
        Database
            Open; use it as a context manager.

        Raises
        ------
        InputError
            A missing or empty file, a foreign file, a newer schema version, or (unless
            ``allow_empty``) no stored minima; one line naming the file.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from lossatlas.energy import Database, potential_spec
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "mb.sqlite"
        >>> with Database(path) as db:
        ...     db.set_meta("potential", potential_spec("muller-brown"))
        ...     _ = db.add_minimum(-146.699, [-0.558, 1.442])
        >>> with Database.open(path) as db:
        ...     print(db.n_minima(), type(db.potential).__name__, db.read_only)
        1 MullerBrown True
        """
        db = cls(path, create=False, read_only=not writable, timeout=timeout)
        try:
            db.energy_tol = float(db.get_meta("energy_tol", 1e-4))
            db.distance_tol = float(db.get_meta("distance_tol", 1e-3))
            if not allow_empty and db.n_minima() == 0:
                raise InputError(
                    f"database '{db.path}' holds no minima; run 'lossatlas energy explore'"
                )
            spec = db.potential_spec
            if rebuild and spec is not None:
                db.potential = potential_from_spec(spec)
                options = potential_db_options(db.potential)
                db.canonicalise, db.distance = options["canonicalise"], options["distance"]
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def is_database(path: str | Path) -> bool:
        """Whether ``path`` is an existing, non-empty energy database (the file is only read).

        Parameters
        ----------
        path : str or Path
            Any path.

        Returns
        -------
        bool
            True for a stamped or legacy lossatlas energy database of a readable schema.
        """
        return is_database(path)

    # -- plumbing ---------------------------------------------------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction, retried while another writer holds the lock."""
        if self._conn is None:
            raise DatabaseError(f"database '{self.path}' is closed")
        if self.read_only:
            raise DatabaseError(f"database '{self.path}' was opened read-only")
        with immediate_transaction(self._conn, self.path, timeout=self.timeout) as conn:
            yield conn

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

    def canonical(self, coords: np.ndarray) -> np.ndarray:
        """Coordinates as float64, canonicalised when the database has a ``canonicalise``.

        Parameters
        ----------
        coords : array_like
            Coordinates.

        Returns
        -------
        numpy.ndarray
            Flat float64.
        """
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
        """Store a JSON-able ``value`` under ``key`` (e.g. the potential spec).

        Parameters
        ----------
        key : str
            Metadata key.
        value : JSON-able
            Stored as JSON.
        """
        try:
            text = json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise InputError(f"meta value for {key!r} is not JSON-able: {exc}") from exc
        with self._transaction() as c:
            c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, text))

    # -- minima -----------------------------------------------------------------------------

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
        coords = [np.frombuffer(row[2], dtype=np.float64) for row in rows]
        candidates = [i for i, c in enumerate(coords) if c.shape == x.shape]
        if len(candidates) > 1 and (self.distance is None or _norm_bounded(self.distance)):
            # |(|a| - |b|)| <= d(a, b) (the distance is Euclidean, or minimised over
            # isometries): one vectorised test rules most candidates out
            norms = np.linalg.norm(np.stack([coords[i] for i in candidates]), axis=1)
            gap = np.abs(norms - float(np.linalg.norm(x)))
            candidates = [i for i, g in zip(candidates, gap, strict=True) if g <= self.distance_tol]
        for i in candidates:
            if self._same_place(coords[i], x):
                return rows[i]
        return None

    def _match_minimum(self, energy: float, x: np.ndarray) -> Minimum | None:
        row = self._match_row("minima", self._MIN_COLUMNS, energy, x)
        return None if row is None else self._minimum(row)

    def find_minimum(self, energy: float, coords: np.ndarray) -> Minimum | None:
        """The stored minimum equal to (``energy``, ``coords``) under the tolerances, or None.

        Parameters
        ----------
        energy : float
            Loss of the candidate.
        coords : array_like
            Its coordinates (canonicalised here).

        Returns
        -------
        Minimum or None
        """
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

        Parameters
        ----------
        energy : float
            Loss at the minimum (finite).
        coords : array_like
            Its coordinates.
        fvib : float, optional
            Log product of the positive Hessian eigenvalues.
        n_positive : int, optional
            Number of positive Hessian eigenvalues.
        lowest_eigenvalue : float, optional
            Lowest Hessian eigenvalue.

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

    # -- transition states ------------------------------------------------------------------

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

        Parameters
        ----------
        energy : float
            Loss at the saddle (finite).
        coords : array_like
            Its coordinates.
        min1, min2 : int
            Ids of the minima it joins.
        negative_eigenvalue : float, optional
            Its negative Hessian eigenvalue.
        fvib : float, optional
            Log product of its positive Hessian eigenvalues.

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

    # -- export -----------------------------------------------------------------------------

    # -- export -----------------------------------------------------------------------------
    def write_pathsample(self, directory: str | Path) -> tuple[Path, Path]:
        """Write ``min.data`` and ``ts.data`` in the PATHSAMPLE layout.

        See :func:`lossatlas.energy._pathsample.write_pathsample` for the file format.

        Parameters
        ----------
        directory : str or Path
            Created when missing.

        Returns
        -------
        (min_path, ts_path) : tuple of Path
        """
        return write_pathsample(self, directory)


def potential_db_options(potential: Potential) -> dict[str, Any]:
    """Database keyword options that make duplicates symmetry-aware for ``potential``.

    ``canonicalise`` (its canonical form) and ``distance`` (its ``symmetry_distance``, the
    distance minimised over hidden-unit permutations and sign flips for MLPs, when it has one).

    Parameters
    ----------
    potential : Potential
        Any potential (``canonicalise``; ``symmetry_distance`` optional).

    Returns
    -------
    dict
        ``{"canonicalise": ..., "distance": ...}`` for :class:`Database`.
    """
    return {
        "canonicalise": potential.canonicalise,
        "distance": getattr(potential, "symmetry_distance", None),
    }
