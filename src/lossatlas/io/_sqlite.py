"""Look at an SQLite file without changing it: is it SQLite, which tables, is it our journal.

Every look opens the file read-only (``mode=ro``), so a command pointed at a file that is not
ours (another tool's database, an energy database, an empty file) leaves it byte-for-byte as it
was and never adds a table to it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["SQLITE_MAGIC", "is_sqlite_file", "sqlite_tables", "is_evaluation_journal"]

SQLITE_MAGIC = b"SQLite format 3\x00"

# the evaluation journal's tables (and the ones its newer versions may add)
_JOURNAL_TABLES = {"studies", "results"}
_JOURNAL_EXTRA = {"leases", "claims", "meta", "schema"}


def is_sqlite_file(path: str | Path) -> bool:
    """True when ``path`` is a file that starts with the SQLite header (an empty file is not).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    bool
    """
    try:
        with Path(path).open("rb") as handle:
            return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def sqlite_tables(path: str | Path) -> set[str] | None:
    """The table names of an SQLite file, read-only; ``None`` when it is not SQLite.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    set of str or None
    """
    path = Path(path)
    if not is_sqlite_file(path):
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return {str(r[0]) for r in rows}


def is_evaluation_journal(path: str | Path) -> bool:
    """True when ``path`` is an evaluation journal (``journal.sqlite``) written by lossatlas.

    The journal's own check (``Journal.is_journal``: application id and schema version) is
    used when the journal module has one; otherwise the file must be SQLite holding the
    journal's tables and no table of another tool.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    bool
    """
    from lossatlas.evaluate._journal import Journal

    check = getattr(Journal, "is_journal", None)
    if check is not None:
        return bool(check(path))
    tables = sqlite_tables(path)
    if tables is None:
        return False
    return _JOURNAL_TABLES <= tables and tables <= _JOURNAL_TABLES | _JOURNAL_EXTRA
