"""Tests of ``lossatlas energy ...`` run in-process through ``lossatlas.cli.main``."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from lossatlas.cli import main
from lossatlas.energy import Database

MB_ENERGIES = [-146.6995, -108.1667, -80.7678]


@pytest.fixture()
def mb_db(tmp_path: Path) -> Path:
    db = tmp_path / "mb.sqlite"
    argv = ["energy", "explore", "--potential", "muller-brown", "--steps", "40", "--db", str(db)]
    assert main([*argv, "--temperature", "20", "--quiet"]) == 0
    return db


def test_explore_and_summary_json(mb_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["energy", "summary", "--db", str(mb_db), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"minima", "transition_states"}
    assert [round(m["energy"], 4) for m in data["minima"]] == MB_ENERGIES
    for m in data["minima"]:
        assert {"id", "energy", "fvib", "n_positive", "lowest_eigenvalue"} <= set(m)
        assert m["n_positive"] == 2
    assert data["transition_states"] == []
    with Database(mb_db) as db:
        assert db.get_meta("potential") == {"name": "muller-brown", "options": {}}


def test_rerun_continues_and_keeps_potential(
    mb_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # no --potential: the database's own potential is used; nothing new on Mueller-Brown
    assert main(["energy", "explore", "--db", str(mb_db), "--steps", "5", "--quiet"]) == 0
    assert "0 new minima (3 in" in capsys.readouterr().out
    # asking for another potential on the same file is refused
    assert main(["energy", "explore", "--db", str(mb_db), "--potential", "mlp", "-q"]) == 2
    assert "holds minima of potential" in capsys.readouterr().err


def test_summary_table(mb_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["energy", "summary", "--db", str(mb_db), "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert "3 minima" in out and "-146.69951" in out and "muller-brown" in out


def test_dgraph_writes_png(mb_db: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    with Database(mb_db) as db:  # join the minima by hand so the tree has branches
        ids = [m.id for m in db.minima()]
        db.add_transition_state(-40.6648, np.array([-0.822, 0.6243]), ids[0], ids[2])
        db.add_transition_state(-72.2489, np.array([0.2124, 0.2930]), ids[2], ids[1])
    out = tmp_path / "tree.png"
    argv = ["energy", "dgraph", "--db", str(mb_db), "-o", str(out), "--levels", "8"]
    assert main([*argv, "--colour-by", "fvib", "--label-minima"]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    values = tmp_path / "acc.csv"
    values.write_text("id,accuracy\n1,0.5\n2,0.75\n")
    out2 = tmp_path / "tree2.png"
    argv = ["energy", "dgraph", "--db", str(mb_db), "-o", str(out2), "--colour-by", str(values)]
    assert main(argv) == 0 and out2.stat().st_size > 0
    values.write_text("id,accuracy\n1,high\n")
    assert main(argv) == 2


def test_pathsample_export(mb_db: Path, tmp_path: Path) -> None:
    assert main(["energy", "pathsample", "--db", str(mb_db), "-d", str(tmp_path / "ps")]) == 0
    lines = (tmp_path / "ps" / "min.data").read_text().splitlines()
    assert len(lines) == 3


def test_errors_on_missing_or_empty_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.sqlite"
    for cmd in (["summary", "--format", "json"], ["dgraph", "-o", str(tmp_path / "t.png")]):
        assert main(["energy", *cmd, "--db", str(missing)]) == 2
        err = capsys.readouterr().err
        assert "nope.sqlite" in err and "does not exist" in err
    assert not missing.exists()  # a read command never creates the file
    empty = tmp_path / "empty.sqlite"
    Database(empty).close()
    assert main(["energy", "summary", "--db", str(empty)]) == 2
    assert "holds no minima" in capsys.readouterr().err
    assert (
        main(["energy", "explore", "--potential", "nope", "--db", str(tmp_path / "x.sqlite")]) == 2
    )
    assert "unknown potential" in capsys.readouterr().err


@pytest.mark.skipif(
    importlib.util.find_spec("lossatlas.energy._connect") is None, reason="connect not there yet"
)
def test_connect_finds_both_saddles(mb_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["energy", "connect", "--db", str(mb_db), "--lowest", "3", "--quiet"]) == 0
    assert "2 new transition states" in capsys.readouterr().out
    with Database(mb_db) as db:
        energies = sorted(t.energy for t in db.transition_states())
    assert energies == pytest.approx([-72.2489, -40.6648], abs=1e-4)


def test_dgraph_says_exactly_what_it_wrote(
    mb_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "figures"
    folder.mkdir()
    capsys.readouterr()
    assert main(["energy", "dgraph", "--db", str(mb_db), "-o", str(folder)]) == 0
    assert (folder / "tree.png").stat().st_size > 0
    assert f"wrote '{folder / 'tree.png'}'" in capsys.readouterr().out
    bare = tmp_path / "graph"
    assert main(["energy", "dgraph", "--db", str(mb_db), "-o", str(bare)]) == 0
    assert not bare.exists() and (tmp_path / "graph.png").stat().st_size > 0
    assert f"wrote '{tmp_path / 'graph.png'}'" in capsys.readouterr().out
    assert main(["energy", "dgraph", "--db", str(mb_db), "-o", str(tmp_path / "g.xyz")]) == 2
    assert "unknown image type '.xyz'" in capsys.readouterr().err
    assert not (tmp_path / "g.xyz").exists()


@pytest.mark.slow
def test_two_explores_on_one_database_count_only_their_own_minima(tmp_path: Path) -> None:
    import os
    import re
    import subprocess
    import sys

    db = tmp_path / "shared.sqlite"
    argv = ["energy", "explore", "--potential", "muller-brown", "--db", str(db), "--quiet"]
    argv += ["--steps", "800", "--temperature", "20", "--step-size", "0.6"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "lossatlas.cli", *argv, "--seed", str(seed)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for seed in (1, 2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e for _, e in outs]
    counts = [re.search(r"(\d+) new minima \((\d+) in", out) for out, _ in outs]
    assert all(counts), outs
    new = [int(m.group(1)) for m in counts]
    with Database(db) as opened:
        total = opened.n_minima()
        assert opened.integrity_check() == "ok"
    assert total == 3  # the three Mueller-Brown minima, each stored once
    assert sum(new) == total  # each minimum counted by the process that inserted it
