"""What makes a SQLite file an evaluation journal of lossatlas: its identity and schema version.

Every journal :class:`~lossatlas.evaluate._journal.Journal` creates carries
``PRAGMA application_id = 0x4C414A4E`` (the bytes ``"LAJN"``, distinct from the energy
database's ``"LATL"``) and ``PRAGMA user_version =`` :data:`SCHEMA_VERSION`, so a file is
recognised without guessing from its table names.

Journals written before the stamp existed (application id 0, user version 0, exactly the tables
``studies`` and ``results``) are *legacy* journals: they are read as they are and upgraded (the
``claims`` table, the ``owner`` and ``fits`` columns) and stamped the first time they are opened
for writing. Anything else (another application's id, the energy database's, other tables, a
schema version newer than this lossatlas reads, a file that is not SQLite) is refused with one
line naming the file, and never written to: the check reads the 100-byte header and, only when a
write-ahead log may hold a newer header, opens a read-only connection.
"""

from __future__ import annotations

import os
import socket
import sqlite3
from pathlib import Path
from typing import Literal

from lossatlas._sqlite_ro import NotSqliteError, read_identity, read_only_connection
from lossatlas.errors import InputError

__all__ = [
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "check_journal_file",
    "fold_write_ahead_log",
    "new_owner",
    "owner_alive",
    "read_only_connection",
]

#: ``PRAGMA application_id`` of every evaluation journal: the bytes ``"LAJN"``.
APPLICATION_ID = 0x4C414A4E
#: ``PRAGMA user_version`` this code writes; it reads every version up to this one.
SCHEMA_VERSION = 1
_ENERGY_ID = 0x4C41544C  # lossatlas.energy's databases ("LATL")
_LEGACY_TABLES = frozenset({"studies", "results"})
_TABLES = frozenset({"studies", "results", "claims"})

Kind = Literal["new", "ours", "legacy"]
_HOST = socket.gethostname()

#: The tables of schema version 1 (``claims``: the leases of tasks being run).
STUDIES_SQL = """
CREATE TABLE IF NOT EXISTS studies (
    study TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL
)"""
RESULTS_SQL = """
CREATE TABLE IF NOT EXISTS results (
    study TEXT NOT NULL,
    config TEXT NOT NULL,
    fold INTEGER NOT NULL,
    fidelity TEXT NOT NULL,
    seed INTEGER NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    record TEXT NOT NULL,
    timestamp REAL NOT NULL,
    owner TEXT,
    fits INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (study, config, fold, fidelity, seed)
) WITHOUT ROWID"""
CLAIMS_SQL = """
CREATE TABLE IF NOT EXISTS claims (
    study TEXT NOT NULL,
    config TEXT NOT NULL,
    fold INTEGER NOT NULL,
    fidelity TEXT NOT NULL,
    seed INTEGER NOT NULL,
    owner TEXT NOT NULL,
    expires REAL NOT NULL,
    PRIMARY KEY (study, config, fold, fidelity, seed)
) WITHOUT ROWID"""
UPGRADE_LEGACY_SQL = (
    "ALTER TABLE results ADD COLUMN owner TEXT",
    "ALTER TABLE results ADD COLUMN fits INTEGER NOT NULL DEFAULT 1",
)


def new_owner() -> str:
    """A claimant id unique to this process and call: ``host:pid:random``."""
    return f"{_HOST}:{os.getpid()}:{os.urandom(4).hex()}"


def owner_alive(owner: str) -> bool:
    """False only when ``owner`` is a process of this host that no longer exists."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != _HOST or not pid_text.isdigit():
        return True  # another host: only its lease can tell
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but not ours to signal
        return True
    return True


def _foreign(path: Path, app_id: int) -> InputError:
    if app_id == _ENERGY_ID:
        return InputError(f"{path}: an energy database of lossatlas, not an evaluation journal")
    return InputError(
        f"{path}: not a lossatlas journal (SQLite application_id {app_id:#x}, lossatlas "
        f"journals carry {APPLICATION_ID:#x}); refusing to use a file of another application"
    )


def _check_version(path: Path, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise InputError(
            f"{path}: journal schema version {version} is newer than this lossatlas reads "
            f"(up to {SCHEMA_VERSION}); upgrade lossatlas"
        )


def check_journal_file(path: str | Path) -> Kind:
    """Say what ``path`` is, or refuse it with an :class:`~lossatlas.errors.InputError`.

    Parameters
    ----------
    path : str or Path
        A file that may exist.

    Returns
    -------
    {"new", "ours", "legacy"}
        ``"new"``: missing or empty (0 bytes); ``"ours"``: a stamped journal of a schema
        version this code reads; ``"legacy"``: written by lossatlas before the stamp.

    Raises
    ------
    InputError
        A directory, a file that is not SQLite, a SQLite file of another application, or a
        newer schema version. The file is only read, never changed.
    """
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p}: a directory where the journal file should be")
    try:
        found = read_identity(p, ours=APPLICATION_ID)
    except OSError as exc:
        raise InputError(f"{p}: cannot read the journal ({exc.strerror or exc})") from None
    except NotSqliteError:
        raise InputError(f"{p}: not a lossatlas journal (not a SQLite file)") from None
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{p}: not a usable SQLite journal ({exc})") from None
    if found is None:
        return "new"
    if found.application_id == APPLICATION_ID:
        _check_version(p, found.user_version)
        if found.tables is not None and not _TABLES <= found.tables:
            missing = sorted(_TABLES - found.tables)
            raise InputError(f"{p}: a lossatlas journal lacking tables {missing}")
        return "ours"
    if found.application_id != 0:
        raise _foreign(p, found.application_id)
    tables = found.tables or frozenset()
    if tables == _LEGACY_TABLES and found.user_version == 0:
        return "legacy"
    raise InputError(
        f"{p}: not a lossatlas journal (a SQLite file of another application: tables "
        f"{sorted(tables)}, no lossatlas application_id); refusing to use it"
    )


def fold_write_ahead_log(path: str | Path) -> None:
    """Fold the write-ahead log into the journal at the end of a run that wrote it.

    The run's last reader is read-only (the export of ``results.parquet``), and a read-only
    connection cannot remove ``journal.sqlite-wal``/``-shm`` when it closes; this read-write
    open and close, on a journal of ours only, lets SQLite remove them when no other process
    has the file open (with one open, nothing changes: the log is checkpointed, not lost).
    """
    p = Path(path)
    if not p.with_name(p.name + "-wal").exists():
        return
    try:
        if check_journal_file(p) != "ours":
            return
        conn = sqlite3.connect(p, timeout=5.0, isolation_level=None)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    except (InputError, sqlite3.Error):  # busy or refused: the side files stay, harmless
        return
