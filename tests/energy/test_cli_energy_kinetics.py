"""``lossatlas energy rates`` and ``energy dgraph --free-energy`` on a connected Mueller-Brown
database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lossatlas.cli import main
from lossatlas.energy import Database, free_energy_tree, rates_from_database


@pytest.fixture(scope="module")
def mb_connected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("mb") / "mb.sqlite"
    argv = ["energy", "explore", "--potential", "muller-brown", "--steps", "40", "--db", str(db)]
    assert main([*argv, "--temperature", "20", "--quiet"]) == 0
    assert main(["energy", "connect", "--db", str(db), "--lowest", "3", "--quiet"]) == 0
    return db


def test_rates_json_equals_the_library(
    mb_connected: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Database.open(mb_connected) as db:
        ids = [m.id for m in db.minima()]  # by energy
        ref = rates_from_database(db, [ids[-1]], [ids[0]], temperature=10.0)
    capsys.readouterr()
    argv = ["energy", "rates", "--db", str(mb_connected)]
    argv += ["--from", str(ids[-1]), "--to", str(ids[0])]
    assert main([*argv, "--temperature", "10", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rate"] == pytest.approx(ref.rate)
    assert out["from"] == [ids[-1]] and out["to"] == [ids[0]]
    assert out["n_minima"] == 3 and out["n_transition_states"] == 2
    # out of the highest minimum into the global one is faster than back up
    assert out["reverse_rate"] < out["rate"]
    assert main([*argv, "--temperature", "10"]) == 0
    assert f"mean first passage time from {ids[-1]}" in capsys.readouterr().out


def test_rates_bad_ids_are_one_line_errors(
    mb_connected: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    base = ["energy", "rates", "--db", str(mb_connected), "--temperature", "1"]
    assert main([*base, "--from", "a,b", "--to", "1"]) == 2
    assert "expected minimum ids" in capsys.readouterr().err
    assert main([*base, "--from", "1", "--to", "1"]) == 2
    assert "both --from and --to" in capsys.readouterr().err
    assert main([*base, "--from", "1", "--to", "7"]) == 2
    assert "not in the database" in capsys.readouterr().err


def test_free_energy_dgraph(
    mb_connected: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    out = tmp_path / "free.png"
    argv = ["energy", "dgraph", "--db", str(mb_connected), "-o", str(out), "--free-energy"]
    assert main([*argv, "--temperature", "5"]) == 0
    assert out.stat().st_size > 0
    with Database.open(mb_connected) as db:
        _, net = free_energy_tree(db, temperature=5.0)
    assert f"{len(net.groups)} free-energy groups at T=5" in capsys.readouterr().out
    assert main(argv) == 2
    assert "--free-energy needs --temperature" in capsys.readouterr().err
