"""The evaluation journal: a SQLite database (WAL) of finished tasks, resumable and idempotent.

Every finished task is one row, committed on its own, keyed by
``(study, config, fold, fidelity, seed)``; an insert of a key that is already there is ignored
(its ``fits`` count goes up instead), so re-runs and racing writers never duplicate a row. A
process killed at any moment (SIGKILL included) loses at most the tasks that were still running:
SQLite's write-ahead log keeps every committed row and never a half-written one.

Several processes may work on one journal: each *claims* the tasks it is about to run (a row of
``claims`` with its owner id and a lease expiry, taken in a ``BEGIN IMMEDIATE`` transaction) and
releases the claim when it records the result, so N processes on one ``--out`` share the work.
A claim whose lease expired, or whose owner is a process of this host that no longer exists, is
taken over (see :mod:`lossatlas.evaluate._claims`).

The file is stamped as ours (``PRAGMA application_id``, ``PRAGMA user_version``; see
:mod:`lossatlas.evaluate._journal_file`); a foreign or newer file is refused, never adopted, and
``create=False`` opens read-only, so readers never create or change a file.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from lossatlas.errors import InputError
from lossatlas.evaluate._journal_file import (
    APPLICATION_ID,
    CLAIMS_SQL,
    RESULTS_SQL,
    SCHEMA_VERSION,
    STUDIES_SQL,
    UPGRADE_LEGACY_SQL,
    check_journal_file,
    new_owner,
    owner_alive,
    read_only_connection,
)

__all__ = ["JOURNAL_NAME", "Journal", "TaskKey", "new_owner", "owner_alive"]

JOURNAL_NAME = "journal.sqlite"

TaskKey = tuple[str, int, str, int]

_KEY_FIELDS = ("config", "fold", "fidelity", "seed")
_WHERE_KEY = "study = ? AND config = ? AND fold = ? AND fidelity = ? AND seed = ?"


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot store {value!r} in the journal")


def _row_values(
    study: str, result: Mapping[str, Any], now: float, owner: str | None
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """``(key values, other column values)`` of one result's row in ``results``."""
    payload = {k: v for k, v in result.items() if k not in _KEY_FIELDS + ("status", "error")}
    for key, value in payload.items():
        if isinstance(value, float) and not math.isfinite(value):
            payload[key] = None
    keys = (study, result["config"], int(result["fold"]), result["fidelity"])
    keys += (int(result["seed"]),)
    values = (
        result["status"],
        result.get("error"),
        json.dumps(payload, default=_json_default),
        now,
        owner,
    )
    return keys, values


class Journal:
    """A journal file; ``Journal(path)`` opens it for writing (created when missing).

    Parameters
    ----------
    path : str or Path
        The SQLite file, e.g. ``OUT/journal.sqlite``.
    create : bool, default True
        Open for writing, creating the file when it does not exist. ``False`` opens an existing
        journal read-only (a missing one is an :class:`InputError`): it never creates, stamps or
        changes the file.
    timeout : float, default 60
        Seconds to wait for another writer's lock.

    Raises
    ------
    InputError
        The file is not a lossatlas journal (another application's SQLite file, the energy
        database, not SQLite), has a newer schema version, or cannot be opened or written;
        one line naming the file.

    Notes
    -----
    A journal written before the files were stamped (our two tables, application id 0) opens
    read-only as it is; opening it for writing upgrades it in one transaction (the ``claims``
    table, the ``owner`` and ``fits`` columns of ``results``) and stamps it.
    """

    def __init__(self, path: str | Path, *, create: bool = True, timeout: float = 60.0) -> None:
        self.path = Path(path)
        self.readonly = not create
        kind = check_journal_file(self.path)
        if kind == "new" and not create:
            what = "an empty file" if self.path.exists() else "no journal here"
            raise InputError(f"{self.path}: {what} (run `lossatlas evaluate` first)")
        self.legacy = kind == "legacy"
        try:
            if self.readonly:
                self._db = read_only_connection(self.path, timeout=timeout)
                self._db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            else:
                self._db = self._open_writable(timeout)
        except sqlite3.DatabaseError as exc:
            action = "read" if self.readonly else "write"
            raise InputError(f"{self.path}: cannot {action} the journal ({exc})") from None

    def _open_writable(self, timeout: float) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                f"{self.path.parent}: cannot create the output directory ({exc.strerror or exc})"
            ) from None
        db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            db.execute("BEGIN IMMEDIATE")
            try:
                self._create_or_upgrade(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            db.execute("PRAGMA journal_mode=WAL")  # after the schema: a kill leaves no stub
            db.execute("PRAGMA synchronous=NORMAL")
        except BaseException:
            db.close()
            raise
        self.legacy = False
        return db

    def _create_or_upgrade(self, db: sqlite3.Connection) -> None:
        """Inside the write lock: create, upgrade a legacy journal, or check ours again."""
        app_id = int(db.execute("PRAGMA application_id").fetchone()[0])
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if app_id == APPLICATION_ID and version == SCHEMA_VERSION:
            return
        if app_id == 0 and version == 0 and tables in (set(), {"studies", "results"}):
            if tables:  # legacy: stamp on first write
                for statement in UPGRADE_LEGACY_SQL:
                    db.execute(statement)
            for statement in (STUDIES_SQL, RESULTS_SQL, CLAIMS_SQL):
                db.execute(statement)
            db.execute("CREATE INDEX IF NOT EXISTS claims_owner ON claims (owner)")
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return
        check_journal_file(self.path)  # the precise refusal (it changed under us)
        raise InputError(f"{self.path}: not a lossatlas journal; refusing to use it")

    @staticmethod
    def is_journal(path: str | Path) -> bool:
        """Whether ``path`` is an existing lossatlas evaluation journal (only reads it).

        Parameters
        ----------
        path : str or Path
            Any path.

        Returns
        -------
        bool
            True for a stamped journal of a schema version this lossatlas reads and for a
            legacy (unstamped) journal; False for a missing or empty file, a directory, and a
            file of another application or a newer version (:class:`Journal` says which).
        """
        try:
            return check_journal_file(path) in ("ours", "legacy")
        except InputError:
            return False

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
    def done(self, study: str, *, include_failed: bool = True) -> set[TaskKey]:
        """Keys ``(config, fold, fidelity, seed)`` already recorded for ``study``."""
        sql = "SELECT config, fold, fidelity, seed FROM results WHERE study = ?"
        if not include_failed:
            sql += " AND status = 'ok'"
        return {tuple(row) for row in self._db.execute(sql, (study,))}  # type: ignore[misc]

    def statuses(self, study: str) -> dict[TaskKey, tuple[str, str | None]]:
        """Key -> ``(status, error)`` of every task recorded for ``study``."""
        sql = "SELECT config, fold, fidelity, seed, status, error FROM results WHERE study = ?"
        return {tuple(r[:4]): (r[4], r[5]) for r in self._db.execute(sql, (study,))}  # type: ignore[misc]

    def record(
        self,
        study: str,
        result: Mapping[str, Any],
        *,
        replace_failed: bool = False,
        owner: str | None = None,
    ) -> bool:
        """Commit one finished task and release its claim; False when its key was there.

        Parameters
        ----------
        study : str
        result : mapping
            From :func:`~lossatlas.evaluate._tasks.run_task`.
        replace_failed : bool, default False
            Let the result overwrite a row whose status is ``failed``.
        owner : str, optional
            The claimant: stored with the row, and its claim of the key is released.

        Returns
        -------
        bool
            Whether a row was written; otherwise the key's ``fits`` count went up (the task
            was fitted again).
        """
        return self.record_many(study, [result], replace_failed=replace_failed, owner=owner)[0]

    def record_many(
        self,
        study: str,
        results: Sequence[Mapping[str, Any]],
        *,
        replace_failed: bool = False,
        owner: str | None = None,
    ) -> list[bool]:
        """Commit finished tasks of one study in one transaction, as :meth:`record` each.

        Parameters
        ----------
        study : str
        results : sequence of mapping
            From :func:`~lossatlas.evaluate._tasks.run_task`.
        replace_failed : bool, default False
            Let a result overwrite a row whose status is ``failed``.
        owner : str, optional
            The claimant: stored with the rows, and its claims of the keys are released.

        Returns
        -------
        list of bool
            Per result, whether a row was written (else its key's ``fits`` count went up).
        """
        columns = "study, config, fold, fidelity, seed, status, error, record, timestamp, owner"
        sql = f"INSERT INTO results ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        if replace_failed:
            sql += (
                "ON CONFLICT(study, config, fold, fidelity, seed) DO UPDATE SET "
                "status = excluded.status, error = excluded.error, record = excluded.record, "
                "timestamp = excluded.timestamp, owner = excluded.owner, fits = results.fits + 1 "
                "WHERE results.status = 'failed'"
            )
        else:
            sql += "ON CONFLICT DO NOTHING"
        now = time.time()
        rows = [_row_values(study, result, now, owner) for result in results]
        written: list[bool] = []
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for keys, values in rows:
                wrote = self._db.execute(sql, keys + values).rowcount > 0
                if not wrote:
                    self._db.execute(f"UPDATE results SET fits = fits + 1 WHERE {_WHERE_KEY}", keys)
                written.append(wrote)
            if owner is not None:
                self._db.executemany(
                    f"DELETE FROM claims WHERE {_WHERE_KEY} AND owner = ?",
                    [keys + (owner,) for keys, _ in rows],
                )
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return written

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

    def fit_counts(self, study: str | None = None) -> dict[tuple[str, str, int, str, int], int]:
        """``(study, config, fold, fidelity, seed)`` -> how many times its result was recorded
        (1 for a task fitted once; a legacy journal, which did not count, gives 1)."""
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(results)")}
        fits = "fits" if "fits" in columns else "1"
        sql = f"SELECT study, config, fold, fidelity, seed, {fits} FROM results"
        args: tuple[Any, ...] = () if study is None else (study,)
        if study is not None:
            sql += " WHERE study = ?"
        return {tuple(r[:5]): int(r[5]) for r in self._db.execute(sql, args)}  # type: ignore[misc]

    # -- claims ----------------------------------------------------------------------------
    def claim(
        self,
        study: str,
        keys: Sequence[TaskKey],
        *,
        owner: str,
        lease: float,
        retry_before: float | None = None,
    ) -> tuple[list[int], list[int], list[int]]:
        """Claim the tasks of ``keys`` that nobody finished or holds, in one transaction.

        Parameters
        ----------
        study : str
        keys : sequence of (config, fold, fidelity, seed)
        owner : str
            This claimant (:func:`~lossatlas.evaluate._journal_file.new_owner`).
        lease : float
            Seconds the claims last unless renewed (:meth:`renew`).
        retry_before : float, optional
            Failed results recorded before this time (``time.time()``) count as not finished
            (``--retry-failed``); by default every recorded result is finished.

        Returns
        -------
        mine, finished, held : lists of int
            Positions in ``keys`` claimed now by ``owner``; already recorded; held by a live
            claim of another owner (try again later).
        """
        mine: list[int] = []
        finished: list[int] = []
        held: list[int] = []
        now = time.time()
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for i, key in enumerate(keys):
                args = (study, *key)
                row = self._db.execute(
                    f"SELECT status, timestamp FROM results WHERE {_WHERE_KEY}", args
                ).fetchone()
                if row is not None and (
                    retry_before is None or row[0] == "ok" or row[1] >= retry_before
                ):
                    finished.append(i)
                    continue
                claim = self._db.execute(
                    f"SELECT owner, expires FROM claims WHERE {_WHERE_KEY}", args
                ).fetchone()
                if claim is None:
                    self._db.execute(
                        "INSERT INTO claims VALUES (?, ?, ?, ?, ?, ?, ?)",
                        args + (owner, now + lease),
                    )
                elif claim[0] == owner or claim[1] < now or not owner_alive(claim[0]):
                    self._db.execute(
                        f"UPDATE claims SET owner = ?, expires = ? WHERE {_WHERE_KEY}",
                        (owner, now + lease, *args),
                    )
                else:
                    held.append(i)
                    continue
                mine.append(i)
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return mine, finished, held

    def renew(self, owner: str, lease: float) -> int:
        """Extend every claim of ``owner`` by ``lease`` seconds from now; return how many."""
        cursor = self._db.execute(
            "UPDATE claims SET expires = ? WHERE owner = ?", (time.time() + lease, owner)
        )
        return cursor.rowcount

    def release(self, owner: str, keys: Iterable[tuple[str, TaskKey]] | None = None) -> None:
        """Drop the claims of ``owner`` (all, or those of ``(study, key)`` pairs)."""
        if keys is None:
            self._db.execute("DELETE FROM claims WHERE owner = ?", (owner,))
            return
        self._db.executemany(
            f"DELETE FROM claims WHERE {_WHERE_KEY} AND owner = ?",
            [(study, *key, owner) for study, key in keys],
        )

    def claims(self) -> list[tuple[str, TaskKey, str, float]]:
        """Every claim: ``(study, key, owner, expires)``."""
        sql = "SELECT study, config, fold, fidelity, seed, owner, expires FROM claims"
        return [(r[0], tuple(r[1:5]), r[5], r[6]) for r in self._db.execute(sql)]  # type: ignore[misc]

    def close(self) -> None:
        """Close the connection (the file stays consistent either way)."""
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
