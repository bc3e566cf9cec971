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


def test_muller_brown_explore_and_connect_emit_no_runtime_warning(tmp_path: Path) -> None:
    """Far band images and hops no longer overflow exp (the potential caps its exponent)."""
    import warnings

    db = tmp_path / "mb_hot.sqlite"
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        argv = ["energy", "explore", "--potential", "muller-brown", "--db", str(db), "-q"]
        assert main([*argv, "--steps", "60", "--temperature", "50", "--step-size", "3"]) == 0
        assert main(["energy", "connect", "--db", str(db), "--lowest", "3", "-q"]) == 0
    with Database.open(db) as opened:
        assert opened.n_transition_states() >= 1


def test_muller_brown_far_out_is_finite_and_box_is_unchanged() -> None:
    import warnings

    import numpy as np

    from lossatlas.energy.potentials import MullerBrown

    mb = MullerBrown()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        e, g = mb.energy_gradient(np.array([40.0, 40.0]))  # exp(0.7*41^2+...) overflows
        h = mb.hessian(np.array([-40.0, 45.0]))
    assert np.isfinite(e) and e > 1e80 and np.all(np.isfinite(g)) and np.all(np.isfinite(h))
    rng = np.random.default_rng(0)
    for _ in range(50):  # the uncapped formula inside (a margin around) the box
        x = rng.uniform([-3.0, -2.0], [3.0, 4.0])
        dx, dy = x[0] - mb.x0, x[1] - mb.y0
        plain = np.sum(mb.A * np.exp(mb.a * dx**2 + mb.b * dx * dy + mb.c * dy**2))
        assert mb.energy(x) == plain
