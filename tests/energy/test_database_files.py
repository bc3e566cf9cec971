"""The database owns its files: identity, schema version, read-only opens, refusals via the CLI.

Every refusal is checked through the command line: exit code 2, one ``error:`` line naming the
file, no traceback, and the file byte-for-byte unchanged (no side files made next to it).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lossatlas.cli import main
from lossatlas.energy import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    Database,
    DatabaseError,
    potential_spec,
)
from lossatlas.energy._dbfile import check_database_file
from lossatlas.errors import InputError

MB_MINIMA = [(-0.5582, 1.4417, -146.6995), (0.6235, 0.0280, -108.1667)]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _our_db(path: Path) -> Path:
    with Database(path) as db:
        db.set_meta("potential", potential_spec("muller-brown"))
        for x, y, e in MB_MINIMA:
            db.add_minimum(e, [x, y], fvib=1.0, n_positive=2, lowest_eigenvalue=1.0)
    return path


def _foreign_db(path: Path, *, application_id: int = 0) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE trials (id INTEGER, value REAL)")
    conn.execute("INSERT INTO trials VALUES (1, 0.5)")
    if application_id:
        conn.execute(f"PRAGMA application_id = {application_id}")
    conn.commit()
    conn.close()
    return path


def _legacy_db(path: Path) -> Path:
    """A database as lossatlas wrote it before the stamp: our tables, no application id."""
    _our_db(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 0")
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    conn.close()
    return path


def _future_db(path: Path) -> Path:
    _our_db(path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    return path


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str], path: Path, needle: str) -> None:
    """``argv`` exits 2 with one ``error:`` line naming ``path``; the folder is unchanged."""
    folder = sorted(p.name for p in path.parent.iterdir())
    before = _digest(path) if path.exists() else None
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert str(path) in lines[0] and needle in lines[0], lines[0]
    assert "Traceback" not in err
    assert sorted(p.name for p in path.parent.iterdir()) == folder
    if before is not None:
        assert _digest(path) == before


READ_VERBS = [
    ["energy", "summary"],
    ["energy", "dgraph"],
    ["energy", "cv"],
    ["energy", "msb"],
    ["energy", "pathsample"],
    ["energy", "report"],
    ["energy", "sweep"],
]
WRITE_VERBS = [["energy", "explore", "--steps", "1", "--quiet"], ["energy", "connect"]]


@pytest.mark.parametrize("verb", READ_VERBS + WRITE_VERBS, ids=lambda v: v[1])
def test_a_foreign_sqlite_file_is_refused_and_untouched(tmp_path, capsys, verb) -> None:
    path = _foreign_db(tmp_path / "other.sqlite")
    out = ["-o", str(tmp_path / "x.png")] if verb[1] == "dgraph" else []
    _refused(capsys, [*verb, "--db", str(path), *out], path, "not an energy database")


@pytest.mark.parametrize("verb", [READ_VERBS[0], WRITE_VERBS[0]], ids=lambda v: v[1])
def test_another_applications_id_is_refused(tmp_path, capsys, verb) -> None:
    path = _foreign_db(tmp_path / "app.db", application_id=0x12345678)
    _refused(capsys, [*verb, "--db", str(path)], path, "application_id 0x12345678")


@pytest.mark.parametrize("verb", [READ_VERBS[0], READ_VERBS[2], WRITE_VERBS[0]], ids=str)
def test_a_future_schema_version_is_refused(tmp_path, capsys, verb) -> None:
    path = _future_db(tmp_path / "future.sqlite")
    _refused(capsys, [*verb, "--db", str(path)], path, f"schema version {SCHEMA_VERSION + 1}")


def test_report_of_a_future_database_says_why(tmp_path, capsys) -> None:
    path = _future_db(tmp_path / "future.sqlite")
    out = tmp_path / "r.html"
    _refused(capsys, ["report", str(path), "-o", str(out)], path, "schema version")
    assert not out.exists()


def test_a_text_file_is_refused(tmp_path, capsys) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("not a database\n")
    _refused(capsys, ["energy", "summary", "--db", str(path)], path, "not a SQLite file")
    _refused(capsys, ["energy", "explore", "--db", str(path)], path, "not a SQLite file")


@pytest.mark.parametrize("verb", READ_VERBS + [WRITE_VERBS[1]], ids=lambda v: v[1])
def test_reading_never_creates_a_missing_file(tmp_path, capsys, verb) -> None:
    path = tmp_path / "missing.sqlite"
    _refused(capsys, [*verb, "--db", str(path)], path, "does not exist")
    assert not path.exists()


def test_read_only_commands_leave_the_database_unchanged(tmp_path, capsys) -> None:
    path = _our_db(tmp_path / "mb.sqlite")
    before = _digest(path)
    for argv in (
        ["energy", "summary", "--format", "json"],
        ["energy", "cv", "--format", "json"],
        ["energy", "msb", "--format", "json"],
        ["energy", "pathsample", "-d", str(tmp_path / "ps")],
        ["energy", "dgraph", "-o", str(tmp_path / "tree.png")],
    ):
        assert main([*argv, "--db", str(path)]) == 0, argv
        assert _digest(path) == before, argv
    summary = json.loads(capsys.readouterr().out.splitlines()[0])
    assert [round(m["energy"], 4) for m in summary["minima"]] == [e for *_, e in MB_MINIMA]


def test_a_legacy_database_is_read_as_it_is_and_stamped_when_written(tmp_path, capsys) -> None:
    path = _legacy_db(tmp_path / "legacy.sqlite")
    assert check_database_file(path) == "legacy" and Database.is_database(path)
    before = _digest(path)
    capsys.readouterr()
    assert main(["energy", "summary", "--db", str(path), "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["minima"]) == 2
    assert _digest(path) == before  # reading does not stamp
    with Database.open(path, writable=True) as db:
        assert db.n_minima() == 2
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    stamp = [conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("application_id", "user_version")]
    conn.close()
    assert stamp == [APPLICATION_ID, SCHEMA_VERSION]
    assert check_database_file(path) == "ours"


def test_new_databases_carry_the_stamp(tmp_path) -> None:
    path = _our_db(tmp_path / "new.sqlite")
    header = path.read_bytes()[:100]
    assert int.from_bytes(header[68:72], "big") == APPLICATION_ID == 0x4C41544C
    assert int.from_bytes(header[60:64], "big") == SCHEMA_VERSION


def test_open_rebuilds_potential_and_tolerances_read_only(tmp_path) -> None:
    path = tmp_path / "tol.sqlite"
    with Database(path, energy_tol=0.5, distance_tol=0.25) as db:
        db.set_meta("potential", potential_spec("muller-brown"))
        db.set_meta("energy_tol", 0.5)
        db.set_meta("distance_tol", 0.25)
        db.add_minimum(-146.6995, [-0.5582, 1.4417])
    with Database.open(path) as db:
        assert (db.energy_tol, db.distance_tol, db.read_only) == (0.5, 0.25, True)
        assert type(db.potential).__name__ == "MullerBrown"
        assert db.potential_spec == potential_spec("muller-brown")
        with pytest.raises(DatabaseError, match="read-only"):
            db.add_minimum(0.0, [0.0, 0.0])
        with pytest.raises(DatabaseError, match="read-only"):
            db.set_meta("x", 1)
    with Database.open(path, rebuild=False) as db:
        assert db.potential is None and db.canonicalise is None
    with Database.open(path, writable=True) as db:
        _, is_new = db.add_minimum(-108.1667, [0.6235, 0.0280])
        assert is_new and not db.read_only


def test_open_refuses_an_empty_database_unless_allowed(tmp_path) -> None:
    path = tmp_path / "empty.sqlite"
    Database(path).close()
    with pytest.raises(InputError, match="holds no minima"):
        Database.open(path)
    with Database.open(path, allow_empty=True) as db:
        assert db.n_minima() == 0
    zero = tmp_path / "zero.sqlite"
    zero.write_bytes(b"")
    with pytest.raises(InputError, match="is empty"):
        Database.open(zero)
    assert zero.read_bytes() == b""


def test_database_refuses_to_adopt_a_foreign_file(tmp_path) -> None:
    path = _foreign_db(tmp_path / "other.db")
    before = _digest(path)
    with pytest.raises(InputError, match="not an energy database"):
        Database(path)
    assert _digest(path) == before and not Database.is_database(path)


def test_to_dict_matches_the_records(tmp_path) -> None:
    path = _our_db(tmp_path / "d.sqlite")
    with Database.open(path) as db:
        data = db.to_dict()
        full = db.to_dict(coords=True)
        minima = db.minima()
    assert [m["id"] for m in data["minima"]] == [m.id for m in minima]
    assert [m["energy"] for m in data["minima"]] == [m.energy for m in minima]
    assert "coords" not in data["minima"][0]
    np.testing.assert_array_equal(full["minima"][0]["coords"], minima[0].coords)
    assert data["transition_states"] == []


def test_refusal_from_a_fresh_process_prints_no_traceback(tmp_path) -> None:
    path = _foreign_db(tmp_path / "other.sqlite")
    before = _digest(path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run(
        [sys.executable, "-m", "lossatlas.cli", "energy", "summary", "--db", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().startswith("error: ") and len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr and str(path) in proc.stderr
    assert _digest(path) == before
