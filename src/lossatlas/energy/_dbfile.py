"""What makes a SQLite file an energy database of lossatlas: its identity and its schema version.

Every database :class:`~lossatlas.energy._database.Database` creates carries
``PRAGMA application_id = 0x4C41544C`` (``"LATL"``) and ``PRAGMA user_version =``
:data:`SCHEMA_VERSION`, so a file can be recognised without guessing from its table names.

Files written before the stamp existed (application id 0, tables ``meta``, ``minima`` and
``transition_states``, ``meta.schema_version`` 1) are *legacy* databases: they are read as they
are and stamped the first time they are opened for writing. Anything else (another
application's id, other tables, a schema version newer than this lossatlas reads) is refused
with one line naming the file, and never written to.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from lossatlas._sqlite_ro import (
    NotSqliteError,
    header_stamp,
    read_identity,
    read_only_connection,
)
from lossatlas.errors import InputError, LossAtlasError

__all__ = [
    "APPLICATION_ID",
    "DatabaseError",
    "ENERGY_DB_SUFFIXES",
    "SCHEMA_VERSION",
    "check_database_file",
    "connect_writable",
    "create_schema",
    "has_our_stamp",
    "immediate_transaction",
    "is_database",
    "read_only_connection",
]

#: ``PRAGMA application_id`` of every energy database: the bytes ``"LATL"``.
APPLICATION_ID = 0x4C41544C
#: Schema version (``PRAGMA user_version`` and ``meta.schema_version``) this code writes and reads.
SCHEMA_VERSION = 1
#: File suffixes ``lossatlas report`` treats as candidate energy databases.
ENERGY_DB_SUFFIXES = (".sqlite", ".sqlite3", ".db")
_TABLES = frozenset({"meta", "minima", "transition_states"})

Kind = Literal["new", "ours", "legacy"]

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


def connect_writable(path: str | Path, *, timeout: float = 60.0) -> sqlite3.Connection:
    """A read-write connection in write-ahead-log mode (``synchronous=NORMAL``, foreign keys).

    Only call it on a file :func:`check_database_file` accepted: SQLite creates a missing file.
    """
    conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":  # pragma: no cover - e.g. a read-only medium
        conn.close()
        raise DatabaseError(f"database '{path}' cannot use WAL (mode {mode!r})")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def create_schema(conn: sqlite3.Connection, path: str | Path) -> None:
    """Create the tables when missing and stamp the file (application id, schema version).

    Call it inside a transaction; a legacy database gets its stamp here.
    """
    for statement in filter(None, (s.strip() for s in _SCHEMA.split(";"))):
        conn.execute(statement)
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
            (json.dumps(SCHEMA_VERSION),),
        )
    elif json.loads(row[0]) != SCHEMA_VERSION:
        raise DatabaseError(
            f"database '{path}' has schema version {row[0]}, "
            f"this lossatlas reads version {SCHEMA_VERSION}"
        )
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


@contextmanager
def immediate_transaction(
    conn: sqlite3.Connection, path: str | Path, *, timeout: float = 60.0
) -> Iterator[sqlite3.Connection]:
    """One ``BEGIN IMMEDIATE`` transaction, retried while another writer holds the lock."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise DatabaseError(f"database '{path}' stayed locked for {timeout:.0f} s") from exc
            time.sleep(delay)
            delay = min(2 * delay, 0.5)
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def _meta_version(conn: sqlite3.Connection, tables: frozenset[str]) -> str | None:
    """``meta.schema_version`` of a file with a ``meta`` table (legacy databases have it)."""
    if "meta" not in tables:
        return None
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return None if row is None else row[0]


def _check_version(path: Path, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise InputError(
            f"database '{path}' has schema version {version}; this lossatlas reads versions up "
            f"to {SCHEMA_VERSION} (upgrade lossatlas)"
        )


def check_database_file(path: str | Path) -> Kind:
    """Say what ``path`` is, or refuse it with an :class:`~lossatlas.errors.InputError`.

    Parameters
    ----------
    path : str or Path
        A file that may exist.

    Returns
    -------
    {"new", "ours", "legacy"}
        ``"new"``: missing or empty (0 bytes), a database may be created there; ``"ours"``: a
        stamped energy database of a schema version this code reads; ``"legacy"``: written by
        lossatlas before the stamp (our tables, application id 0).

    Raises
    ------
    InputError
        A directory, a file that is not SQLite, a SQLite file of another application, or a
        schema version newer than :data:`SCHEMA_VERSION`. The file is only read (its 100-byte
        header, then a read-only connection), never changed.
    """
    p = Path(path)
    if p.is_dir():
        raise InputError(f"database '{p}' is a directory, not a file")
    try:
        found = read_identity(p, ours=APPLICATION_ID, extra=_meta_version)
    except OSError as exc:
        raise InputError(f"database '{p}' cannot be read ({exc.strerror or exc})") from None
    except NotSqliteError:
        raise InputError(f"'{p}' is not an energy database (not a SQLite file)") from None
    except sqlite3.DatabaseError as exc:
        raise InputError(f"'{p}' is not a usable SQLite database: {exc}") from None
    if found is None:
        return "new"
    if found.application_id == APPLICATION_ID:
        _check_version(p, found.user_version)
        if found.tables is not None and not _TABLES <= found.tables:
            raise InputError(f"database '{p}' lacks tables {sorted(_TABLES - found.tables)}")
        return "ours"
    if found.application_id != 0:
        raise InputError(
            f"'{p}' is not an energy database (SQLite application_id "
            f"{found.application_id:#x}, lossatlas writes {APPLICATION_ID:#x})"
        )
    tables = found.tables or frozenset()
    meta_version = found.extra
    if _TABLES <= tables and meta_version is not None:
        if str(meta_version) != str(SCHEMA_VERSION):
            raise InputError(
                f"database '{p}' has schema version {meta_version}; this lossatlas reads "
                f"version {SCHEMA_VERSION}"
            )
        return "legacy"
    raise InputError(
        f"'{p}' is not an energy database (a SQLite file of another application: tables "
        f"{sorted(tables)}, no lossatlas application_id)"
    )


def has_our_stamp(path: str | Path) -> bool:
    """Whether the file's SQLite header carries the lossatlas application id (read-only).

    Parameters
    ----------
    path : str or Path
        Any path.

    Returns
    -------
    bool
        True also for a stamped database this lossatlas cannot read (a newer schema), so that
        a caller can route it to :meth:`Database.open` and its precise error.
    """
    p = Path(path)
    if not p.is_file():
        return False
    try:
        return header_stamp(p)[0] == APPLICATION_ID
    except (OSError, NotSqliteError):
        return False


def is_database(path: str | Path) -> bool:
    """Whether ``path`` is an existing, non-empty energy database this lossatlas can read.

    The file is only read. Legacy databases (written before the application id existed) count.
    """
    p = Path(path)
    if not p.is_file() or p.stat().st_size == 0:
        return False
    try:
        return check_database_file(p) in ("ours", "legacy")
    except InputError:
        return False
