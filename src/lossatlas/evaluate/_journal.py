"""The evaluation journal: a SQLite database (WAL) of finished tasks, resumable and idempotent.

Every finished task is one row, committed on its own, keyed by
``(study, config, fold, fidelity, seed)``; an insert of a key that is already there is ignored,
so re-runs and racing writers never duplicate a row. A process killed at any moment (SIGKILL
included) loses at most the tasks that were still running: SQLite's write-ahead log keeps every
committed row and never a half-written one.

Only the parent process writes (workers return results), so SQLite sees one writer per run.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lossatlas.errors import InputError

__all__ = ["JOURNAL_NAME", "Journal"]

JOURNAL_NAME = "journal.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS studies (
    study TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
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
    PRIMARY KEY (study, config, fold, fidelity, seed)
) WITHOUT ROWID;
"""

_KEY_FIELDS = ("config", "fold", "fidelity", "seed")


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot store {value!r} in the journal")


class Journal:
    """A journal file; open it with ``Journal(path)`` (created when missing).

    Parameters
    ----------
    path : str or Path
        The SQLite file, e.g. ``OUT/journal.sqlite``.
    create : bool, default True
        Create the file when it does not exist (``False``: :class:`InputError` instead).
    """

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise InputError(f"{self.path}: no journal here (run `lossatlas evaluate` first)")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{self.path}: not a lossatlas journal ({exc})") from None

    # -- studies ---------------------------------------------------------------------------
    def register_study(self, study: str, spec: Mapping[str, Any]) -> None:
        """Store (or update) the description of a study."""
        now = time.time()
        text = json.dumps(spec, default=_json_default)  # keep HP order
        self._db.execute(
            "INSERT INTO studies (study, spec, created, updated) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(study) DO UPDATE SET spec = excluded.spec, updated = excluded.updated",
            (study, text, now, now),
        )

    def studies(self) -> dict[str, dict[str, Any]]:
        """Evaluation key -> spec, in creation order."""
        rows = self._db.execute("SELECT study, spec FROM studies ORDER BY created, study")
        return {key: json.loads(spec) for key, spec in rows}

    # -- results ---------------------------------------------------------------------------
    def done(self, study: str, *, include_failed: bool = True) -> set[tuple[str, int, str, int]]:
        """Keys ``(config, fold, fidelity, seed)`` already recorded for ``study``."""
        sql = "SELECT config, fold, fidelity, seed FROM results WHERE study = ?"
        if not include_failed:
            sql += " AND status = 'ok'"
        return {tuple(row) for row in self._db.execute(sql, (study,))}  # type: ignore[misc]

    def record(
        self, study: str, result: Mapping[str, Any], *, replace_failed: bool = False
    ) -> bool:
        """Commit one finished task; return False when its key was already there.

        ``replace_failed`` lets a new result overwrite a row whose status is ``failed``.
        """
        payload = {k: v for k, v in result.items() if k not in _KEY_FIELDS + ("status", "error")}
        for key, value in payload.items():
            if isinstance(value, float) and not math.isfinite(value):
                payload[key] = None
        values = (
            study,
            result["config"],
            int(result["fold"]),
            result["fidelity"],
            int(result["seed"]),
            result["status"],
            result.get("error"),
            json.dumps(payload, default=_json_default),
            time.time(),
        )
        if replace_failed:
            sql = (
                "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(study, config, fold, fidelity, seed) DO UPDATE SET "
                "status = excluded.status, error = excluded.error, record = excluded.record, "
                "timestamp = excluded.timestamp WHERE results.status = 'failed'"
            )
        else:
            sql = "INSERT OR IGNORE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        return self._db.execute(sql, values).rowcount > 0

    def rows(self, study: str | None = None) -> list[dict[str, Any]]:
        """All recorded tasks (of one study), as dicts with the record fields unpacked."""
        sql = (
            "SELECT study, config, fold, fidelity, seed, status, error, record, timestamp "
            "FROM results"
        )
        args: tuple[Any, ...] = ()
        if study is not None:
            sql += " WHERE study = ?"
            args = (study,)
        out = []
        for key, config, fold, fidelity, seed, status, error, record, stamp in self._db.execute(
            sql, args
        ):
            row = json.loads(record)
            row.update(
                study=key,
                config=config,
                fold=fold,
                fidelity=fidelity,
                seed=seed,
                status=status,
                error=error,
                timestamp=stamp,
            )
            out.append(row)
        return out

    def counts(self, study: str | None = None) -> dict[str, int]:
        """Number of rows per status."""
        sql = "SELECT status, COUNT(*) FROM results"
        args: tuple[Any, ...] = ()
        if study is not None:
            sql += " WHERE study = ?"
            args = (study,)
        return dict(self._db.execute(sql + " GROUP BY status", args).fetchall())

    def close(self) -> None:
        """Close the connection (the file stays consistent either way)."""
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
