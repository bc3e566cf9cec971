"""Read-only SQLite access shared by our two file owners (the evaluation journal and the
energy database): a read-only connection, and the identity of a file (application id, schema
version, tables) read without ever writing it. Imports neither the HP nor the energy stack."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "FileIdentity",
    "NotSqliteError",
    "header_stamp",
    "read_identity",
    "read_only_connection",
]

_MAGIC = b"SQLite format 3\x00"


class NotSqliteError(Exception):
    """The file does not start with the SQLite header."""


@dataclass(frozen=True)
class FileIdentity:
    """What a SQLite file says it is.

    Attributes
    ----------
    application_id, user_version : int
        ``PRAGMA application_id`` and ``PRAGMA user_version``.
    tables : frozenset of str or None
        The file's tables; ``None`` when the header alone decided (a file stamped with the
        expected id and no write-ahead log, or another application's id).
    extra : object
        What the caller's ``extra`` query returned (``None`` without one).
    """

    application_id: int
    user_version: int
    tables: frozenset[str] | None = None
    extra: Any = None


def read_only_connection(path: str | Path, *, timeout: float = 60.0) -> sqlite3.Connection:
    """A read-only connection (``mode=ro``, ``query_only``): it never creates nor changes the file.

    Parameters
    ----------
    path : str or Path
        An existing SQLite file.
    timeout : float, default 60.0
        Seconds to wait for a lock held by a writer.

    Returns
    -------
    sqlite3.Connection
        In autocommit mode, with ``busy_timeout`` set; every write raises.
    """
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    conn.execute("PRAGMA query_only = 1")
    return conn


def header_stamp(path: str | Path) -> tuple[int, int]:
    """``(application_id, user_version)`` as the file's 100-byte SQLite header records them.

    Raises
    ------
    OSError
        The file cannot be read.
    NotSqliteError
        It does not start with the SQLite header.
    """
    with Path(path).open("rb") as fh:
        header = fh.read(100)
    if not header.startswith(_MAGIC):
        raise NotSqliteError(str(path))
    app_id = int.from_bytes(header[68:72], "big", signed=True)
    return app_id, int.from_bytes(header[60:64], "big", signed=True)


def read_identity(
    path: str | Path,
    *,
    ours: int,
    extra: Callable[[sqlite3.Connection, frozenset[str]], Any] | None = None,
) -> FileIdentity | None:
    """Read a file's SQLite identity without changing it (``None``: missing or 0 bytes).

    The 100-byte header decides when it can: another application's id, or the id ``ours``
    with no write-ahead log beside the file (a read-only connection to a WAL-mode file would
    leave ``-wal``/``-shm`` side files). Otherwise a read-only connection reads the id, the
    version and the tables (the header may lag behind a log not yet checkpointed), and runs
    ``extra(conn, tables)``.

    Parameters
    ----------
    path : str or Path
    ours : int
        The application id our files carry.
    extra : callable, optional
        A further read on the open connection.

    Returns
    -------
    FileIdentity or None

    Raises
    ------
    OSError
        The file cannot be read.
    NotSqliteError
        Not a SQLite file.
    sqlite3.DatabaseError
        A SQLite header over a file SQLite cannot open.
    """
    p = Path(path)
    if not p.exists() or p.stat().st_size == 0:
        return None
    app_id, version = header_stamp(p)
    if app_id not in (0, ours) or (app_id == ours and not p.with_name(p.name + "-wal").exists()):
        return FileIdentity(app_id, version)
    conn = read_only_connection(p, timeout=5.0)
    try:
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = frozenset(
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        )
        more = extra(conn, tables) if extra is not None else None
    finally:
        conn.close()
    return FileIdentity(app_id, version, tables, more)
