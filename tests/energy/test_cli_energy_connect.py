"""``lossatlas energy connect --strategy ...`` with the band and tolerance settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from lossatlas.cli import main
from lossatlas.energy import Database


@pytest.fixture()
def mb_db(tmp_path: Path) -> Path:
    db = tmp_path / "mb.sqlite"
    argv = ["energy", "explore", "--potential", "muller-brown", "--steps", "40", "--db", str(db)]
    assert main([*argv, "--temperature", "20", "--quiet"]) == 0
    return db


def test_unconnected_with_band_settings(mb_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    argv = ["energy", "connect", "--db", str(mb_db), "--strategy", "unconnected", "--lowest", "3"]
    argv += ["--images", "12", "--spring", "30", "--band-tol", "1e-3", "--cycles", "4", "-q"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "2 new transition states" in out and "unconnected: 1/1 pairs joined" in out
    with Database.open(mb_db) as db:
        assert sorted(round(t.energy, 4) for t in db.transition_states()) == [-72.2489, -40.6648]


def test_pairs_strategy_and_its_errors(
    mb_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Database.open(mb_db) as db:
        ids = [m.id for m in db.minima()]  # by energy: -146.70, -108.17, -80.77
    pairs = tmp_path / "pairs.txt"
    pairs.write_text(f"{ids[0]} {ids[2]}\n")
    base = ["energy", "connect", "--db", str(mb_db), "-q"]
    capsys.readouterr()
    assert main([*base, "--strategy", "pairs", "--pairs", str(pairs)]) == 0
    assert "1 new transition states" in capsys.readouterr().out
    assert main([*base, "--strategy", "pairs"]) == 2
    assert "--strategy pairs needs --pairs FILE" in capsys.readouterr().err
    assert main([*base, "--pairs", str(pairs)]) == 2
    assert "only used with --strategy pairs" in capsys.readouterr().err
    assert main([*base, "--strategy", "pairs", "--pairs", str(tmp_path / "none.txt")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main([*base, "--images", "1"]) == 2
    assert "--images must be >= 3" in capsys.readouterr().err
