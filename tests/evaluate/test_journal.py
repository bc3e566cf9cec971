"""The journal file: stamped as ours, foreign and newer files refused unchanged, legacy journals
read as they are and upgraded on first write, readers read-only; claims and fit counts."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time

import pytest

from lossatlas.cli import main
from lossatlas.errors import InputError
from lossatlas.evaluate import Journal
from lossatlas.evaluate._journal import new_owner, owner_alive
from lossatlas.evaluate._journal_file import APPLICATION_ID, SCHEMA_VERSION

EVALUATE = ["evaluate", "-m", "dt", "-d", "iris", "--grid", "tiny", "--folds", "2", "-q"]
LEGACY_SCHEMA = """
CREATE TABLE studies (study TEXT PRIMARY KEY, spec TEXT NOT NULL, created REAL NOT NULL,
    updated REAL NOT NULL);
CREATE TABLE results (study TEXT NOT NULL, config TEXT NOT NULL, fold INTEGER NOT NULL,
    fidelity TEXT NOT NULL, seed INTEGER NOT NULL, status TEXT NOT NULL, error TEXT,
    record TEXT NOT NULL, timestamp REAL NOT NULL,
    PRIMARY KEY (study, config, fold, fidelity, seed)) WITHOUT ROWID;
"""


def _pragmas(path) -> tuple[int, int]:
    db = sqlite3.connect(path)
    try:
        return (
            db.execute("PRAGMA application_id").fetchone()[0],
            db.execute("PRAGMA user_version").fetchone()[0],
        )
    finally:
        db.close()


def _sqlite(path, *statements: str) -> bytes:
    db = sqlite3.connect(path)
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()
    return path.read_bytes()


def _one_error_line(err: str, *needles: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def test_a_new_journal_is_stamped_and_is_a_journal(tmp_path):
    path = tmp_path / "journal.sqlite"
    with Journal(path) as journal:
        journal.register_study("s", {"model": "dt"})
    assert _pragmas(path) == (APPLICATION_ID, SCHEMA_VERSION) == (0x4C414A4E, 1)
    assert Journal.is_journal(path)
    # distinct from the energy database's id
    from lossatlas.energy._dbfile import APPLICATION_ID as ENERGY_ID

    assert APPLICATION_ID != ENERGY_ID


def test_is_journal_is_false_for_what_is_not_ours(tmp_path):
    (tmp_path / "empty").write_bytes(b"")
    (tmp_path / "text").write_text("hello")
    foreign = tmp_path / "foreign.sqlite"
    _sqlite(foreign, "CREATE TABLE trials (id INTEGER)")
    energy = tmp_path / "energy.sqlite"
    _sqlite(energy, "PRAGMA application_id = 1279349836", "CREATE TABLE minima (id INTEGER)")
    newer = tmp_path / "newer.sqlite"
    Journal(newer).close()
    _sqlite(newer, "PRAGMA user_version = 7")
    for name in ("missing", "empty", "text", "foreign.sqlite", "energy.sqlite", "newer.sqlite"):
        assert not Journal.is_journal(tmp_path / name), name
    assert not Journal.is_journal(tmp_path)


@pytest.mark.parametrize(
    "make, needle",
    [
        (lambda p: _sqlite(p, "CREATE TABLE trials (id INTEGER)"), "another application"),
        (lambda p: _sqlite(p, "PRAGMA application_id = 4242"), "application_id 0x1092"),
        (
            lambda p: _sqlite(p, "PRAGMA application_id = 1279349836", "CREATE TABLE m (x)"),
            "energy database",
        ),
        (lambda p: p.write_bytes(b"\x00\xffbinary, not sqlite" * 40) and p.read_bytes(), "SQLite"),
    ],
    ids=["other-tables", "other-application-id", "energy-database", "not-sqlite"],
)
def test_evaluate_and_export_refuse_a_foreign_journal_unchanged(tmp_path, capsys, make, needle):
    out = tmp_path / "out"
    out.mkdir()
    path = out / "journal.sqlite"
    before = make(path)
    listing = sorted(p.name for p in out.iterdir())
    assert main([*EVALUATE, "--out", str(out)]) == 2
    _one_error_line(capsys.readouterr().err, str(path), needle)
    assert main(["export", str(out)]) == 2
    _one_error_line(capsys.readouterr().err, str(path), needle)
    assert path.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == listing  # no table, no side file left


def test_a_newer_schema_version_is_refused_unchanged(tmp_path, capsys):
    out = tmp_path / "out"
    assert main([*EVALUATE, "--out", str(out)]) == 0
    capsys.readouterr()
    path = out / "journal.sqlite"
    before = _sqlite(path, "PRAGMA user_version = 99")
    for argv in (
        [*EVALUATE, "--out", str(out)],
        ["export", str(out), "-o", str(tmp_path / "t.csv")],
    ):
        assert main(argv) == 2
        _one_error_line(capsys.readouterr().err, str(path), "schema version 99", "upgrade")
    assert path.read_bytes() == before
    assert not (tmp_path / "t.csv").exists()


def test_evaluate_never_adopts_a_foreign_journal_through_a_subprocess(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    path = out / "journal.sqlite"
    before = _sqlite(path, "CREATE TABLE notes (text TEXT)", "INSERT INTO notes VALUES ('mine')")
    proc = subprocess.run(
        [sys.executable, "-m", "lossatlas.cli", *EVALUATE, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2
    _one_error_line(proc.stderr, str(path), "not a lossatlas journal")
    assert path.read_bytes() == before


def _legacy_journal(path) -> None:
    """A journal as lossatlas wrote it before the stamp: one ok row of study 's'."""
    db = sqlite3.connect(path)
    db.executescript(LEGACY_SCHEMA)
    spec = {"model": "dt", "dataset": "iris", "metric": "error_rate", "space": {}}
    db.execute("INSERT INTO studies VALUES ('s', ?, 1.0, 1.0)", (json.dumps(spec),))
    record = json.dumps({"train": 0.1, "test": 0.2})
    db.execute(
        "INSERT INTO results VALUES ('s', '{}', 0, '{\"fraction\":1.0}', 0, 'ok', NULL, ?, 2.0)",
        (record,),
    )
    db.commit()
    db.close()


def test_a_legacy_journal_reads_unchanged_and_is_stamped_on_first_write(tmp_path):
    path = tmp_path / "journal.sqlite"
    _legacy_journal(path)
    before = path.read_bytes()
    assert Journal.is_journal(path)
    with Journal(path, create=False) as journal:
        assert journal.legacy and journal.readonly
        assert journal.counts() == {"ok": 1}
        assert set(journal.fit_counts().values()) == {1}
        with pytest.raises(sqlite3.OperationalError):  # read-only: no write gets through
            journal.register_study("t", {})
    assert path.read_bytes() == before
    assert _pragmas(path) == (0, 0)
    with Journal(path) as journal:  # first write: upgraded and stamped, rows kept
        assert not journal.legacy
        assert journal.done("s") == {("{}", 0, '{"fraction":1.0}', 0)}
        assert journal.fit_counts() == {("s", "{}", 0, '{"fraction":1.0}', 0): 1}
        assert journal.claims() == []
    assert _pragmas(path) == (APPLICATION_ID, SCHEMA_VERSION)


def test_legacy_journal_of_an_evaluation_resumes(tmp_path, capsys):
    """An evaluation journal stripped back to the legacy format resumes with nothing re-run."""
    out = tmp_path / "out"
    assert main([*EVALUATE, "--out", str(out)]) == 0
    path = out / "journal.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        "DROP TABLE claims; ALTER TABLE results DROP COLUMN owner; "
        "ALTER TABLE results DROP COLUMN fits; PRAGMA application_id = 0; PRAGMA user_version = 0;"
    )
    db.close()
    assert Journal.is_journal(path) and _pragmas(path) == (0, 0)
    capsys.readouterr()
    assert main([*EVALUATE, "--out", str(out)]) == 0
    assert "0 task(s) run, 8 already done" in capsys.readouterr().out
    assert _pragmas(path) == (APPLICATION_ID, SCHEMA_VERSION)


def test_export_never_creates_a_journal(tmp_path, capsys):
    empty_dir = tmp_path / "nothing"
    empty_dir.mkdir()
    assert main(["export", str(empty_dir)]) == 2
    _one_error_line(capsys.readouterr().err, "no journal here")
    assert list(empty_dir.iterdir()) == []
    (empty_dir / "journal.sqlite").write_bytes(b"")
    assert main(["export", str(empty_dir)]) == 2
    _one_error_line(capsys.readouterr().err, "empty file")
    assert [p.name for p in empty_dir.iterdir()] == ["journal.sqlite"]
    assert (empty_dir / "journal.sqlite").read_bytes() == b""
    with pytest.raises(InputError, match="no journal here"):
        Journal(tmp_path / "absent.sqlite", create=False)
    assert not (tmp_path / "absent.sqlite").exists()


def test_export_opens_read_only(tmp_path, capsys):
    out = tmp_path / "out"
    assert main([*EVALUATE, "--out", str(out)]) == 0
    path = out / "journal.sqlite"
    before = path.read_bytes()
    assert main(["export", str(out), "-o", str(tmp_path / "t.parquet")]) == 0
    assert path.read_bytes() == before


# -- claims ---------------------------------------------------------------------------------
KEYS = [("{}", fold, '{"fraction":1.0}', 0) for fold in range(4)]


def test_claims_are_exclusive_until_released_expired_or_their_owner_is_dead(tmp_path):
    path = tmp_path / "journal.sqlite"
    with Journal(path) as a, Journal(path) as b:
        mine, finished, held = a.claim("s", KEYS[:2], owner="A-host:1:x", lease=60)
        assert (mine, finished, held) == ([0, 1], [], [])
        # another host's live claim is held; an expired one is taken over
        assert b.claim("s", KEYS[:3], owner="B-host:2:y", lease=60) == ([2], [], [0, 1])
        a._db.execute("UPDATE claims SET expires = 0 WHERE config = '{}' AND fold = 0")
        assert b.claim("s", KEYS[:2], owner="B-host:2:y", lease=60) == ([0], [], [1])
        # recording releases the claim; a recorded task is finished for everyone
        result = {"config": "{}", "fold": 1, "fidelity": '{"fraction":1.0}', "seed": 0}
        assert a.record("s", {**result, "status": "ok", "test": 0.5}, owner="A-host:1:x")
        assert ("s", KEYS[1], "A-host:1:x") not in [c[:3] for c in a.claims()]
        assert b.claim("s", KEYS[1:2], owner="B-host:2:y", lease=60) == ([], [0], [])
        # a second record of the same key is counted, not duplicated
        assert not b.record("s", {**result, "status": "ok", "test": 0.4}, owner="B-host:2:y")
        assert b.fit_counts()[("s", *KEYS[1])] == 2
        assert b.rows("s")[0]["test"] == 0.5
        b.release("B-host:2:y")
        assert {c[2] for c in b.claims()} == set()


def test_a_claim_of_a_dead_local_process_is_taken_at_once(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # reaped: the pid no longer exists
    dead = new_owner().split(":")[0] + f":{proc.pid}:dead"
    assert not owner_alive(dead) and owner_alive(new_owner())
    assert owner_alive(f"elsewhere:{os.getpid() + 10**7}:x")  # other hosts: trust the lease
    with Journal(tmp_path / "journal.sqlite") as journal:
        assert journal.claim("s", KEYS, owner=dead, lease=600)[0] == [0, 1, 2, 3]
        assert journal.claim("s", KEYS, owner=new_owner(), lease=600)[0] == [0, 1, 2, 3]


def test_retry_before_reclaims_only_failures_recorded_before_it(tmp_path):
    with Journal(tmp_path / "journal.sqlite") as journal:
        base = {"config": "{}", "fidelity": '{"fraction":1.0}', "seed": 0}
        journal.record("s", {**base, "fold": 0, "status": "failed", "error": "boom"})
        journal.record("s", {**base, "fold": 1, "status": "ok"})
        stamp = max(r["timestamp"] for r in journal.rows("s")) + 1e-6
        mine, finished, _ = journal.claim("s", KEYS[:2], owner="o", lease=60, retry_before=stamp)
        assert (mine, finished) == ([0], [1])
        mine, finished, _ = journal.claim("s", KEYS[:2], owner="p", lease=60, retry_before=0.0)
        assert (mine, finished) == ([], [0, 1])


def test_study_never_adopts_a_foreign_journal(tmp_path, capsys):
    study = tmp_path / "study.yaml"
    study.write_text("name: s\nmodels:\n  - {model: dt, grid: tiny}\ndatasets: [iris]\nfolds: 2\n")
    out = tmp_path / "out"
    out.mkdir()
    path = out / "journal.sqlite"
    before = _sqlite(
        path, "CREATE TABLE version_info (v INTEGER)", "INSERT INTO version_info VALUES (3)"
    )
    assert main(["study", str(study), "-q", "--out", str(out)]) == 2
    _one_error_line(capsys.readouterr().err, str(path), "another application")
    assert path.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["journal.sqlite"]


def test_the_heartbeat_keeps_a_lease_alive_and_a_stopped_one_expires(tmp_path):
    from lossatlas.evaluate._claims import Heartbeat

    path = tmp_path / "journal.sqlite"
    mine, other = "elsewhere-a:1:x", "elsewhere-b:2:y"  # other hosts: only leases count
    with Journal(path) as journal:
        assert journal.claim("s", KEYS[:1], owner=mine, lease=0.6)[0] == [0]
        with Heartbeat(path, mine, 0.6):
            time.sleep(1.5)  # past the first lease: renewed meanwhile
            assert journal.claim("s", KEYS[:1], owner=other, lease=60)[2] == [0]
        time.sleep(0.8)  # no renewal any more: the lease runs out
        assert journal.claim("s", KEYS[:1], owner=other, lease=60)[0] == [0]
