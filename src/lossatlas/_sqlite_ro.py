"""Read-only SQLite connections shared by our two file owners (the evaluation journal and the
energy database); imports neither the HP nor the energy stack."""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["read_only_connection"]


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
