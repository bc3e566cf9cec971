"""The ``lossatlas energy cv|msb|sweep|ensemble|relevance|compare-losses`` verbs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lossatlas.cli import main
from lossatlas.energy import Database, hessian_summary, minimize
from lossatlas.energy.potentials import MullerBrown, potential_spec


@pytest.fixture()
def mb_db(tmp_path):
    """The Mueller-Brown fixture: 3 minima, 2 saddles, spec stored as 'explore' does."""
    pot = MullerBrown()
    path = tmp_path / "mb.sqlite"
    with Database(path) as db:
        db.set_meta("potential", potential_spec("muller-brown"))
        ids = []
        for x, y, _ in pot.REFERENCE_MINIMA:
            res = minimize(pot, np.array([x, y]), rms_tol=1e-9)
            f, n, low = hessian_summary(pot, res.x)
            ids.append(
                db.add_minimum(res.energy, res.x, fvib=f, n_positive=n, lowest_eigenvalue=low)[0].id
            )
        (s1, s2) = pot.REFERENCE_SADDLES
        db.add_transition_state(s1[2], np.array(s1[:2]), ids[0], ids[2])
        db.add_transition_state(s2[2], np.array(s2[:2]), ids[2], ids[1])
    return path, ids


def _json(capsys, argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_cv_json_has_exactly_the_documented_shape(mb_db, capsys) -> None:
    path, _ = mb_db
    argv = f"energy cv --db {path} --tmin 1 --tmax 200 --points 300 --format json".split()
    out = _json(capsys, argv)
    assert set(out) == {"T", "C", "peaks"}
    assert len(out["T"]) == len(out["C"]) == 300
    assert out["T"][0] == pytest.approx(1.0) and out["T"][-1] == pytest.approx(200.0)
    assert len(out["peaks"]) == 1 and set(out["peaks"][0]) == {"T", "C"}
    assert 17.0 < out["peaks"][0]["T"] < 21.0
    assert min(out["C"]) >= 1.0  # kappa/2 with kappa = 2
    kinetic = _json(capsys, [*argv, "--kinetic"])
    np.testing.assert_allclose(np.subtract(kinetic["C"], out["C"]), 1.0)


def test_cv_table_and_plot(mb_db, capsys, tmp_path) -> None:
    path, _ = mb_db
    assert main(["energy", "cv", "--db", str(path), "-o", str(tmp_path / "cv.png")]) == 0
    assert (tmp_path / "cv.png").stat().st_size > 0
    assert "1 peak" in capsys.readouterr().out


def test_msb(mb_db, capsys, tmp_path) -> None:
    path, ids = mb_db
    out = _json(capsys, f"energy msb --db {path} --format json -o {tmp_path / 'msb.png'}".split())
    assert out["bottoms"] == [ids[0], ids[1]]
    assert out["ambiguous"] == [ids[2]]
    row = {m["id"]: m for m in out["minima"]}[ids[2]]
    # -80.77 reaches -108.17 over the lower saddle (-72.25), -146.70 is the lower neighbour
    assert row["msb_barrier"] == ids[1] and row["msb_neighbour"] == ids[0]
    assert (tmp_path / "msb.png").is_file()


def test_sweep_finds_the_double_well_fold(capsys) -> None:
    argv = (
        "energy sweep --potential double-well --parameter tilt --start 0.5 --stop 2.0 "
        "--points 4 --random-starts 5 --format json -q"
    )
    out = _json(capsys, argv.split())
    assert out["counts"][0] == [2, 1] and out["counts"][-1] == [1, 0]
    assert len(out["folds"]) == 1 and out["folds"][0]["kind"] == "annihilation"
    lo, hi = out["folds"][0]["bracket"]
    assert lo <= 8 / (3 * np.sqrt(3)) <= hi
    assert out["optimal_nu"] is None


def test_sweep_rejects_an_unknown_parameter(capsys) -> None:
    assert main(["energy", "sweep", "--potential", "double-well", "--parameter", "nu"]) == 2
    assert "no option 'nu'" in capsys.readouterr().err


def test_network_verbs(tmp_path, capsys) -> None:
    db = str(tmp_path / "x.sqlite")
    explore = (
        "energy explore --potential mlp --dataset xor --hidden 2 --steps 6 --step-size 2 "
        f"--db {db} -q"
    )
    assert main(explore.split()) == 0
    capsys.readouterr()
    ens = _json(capsys, ["energy", "ensemble", "--db", db, "--format", "json"])
    methods = {
        "best_single",
        "best_single_on_test",
        "oracle",
        "average",
        "occupation_weighted",
        "selector",
    }
    assert set(ens["summary"]) == methods
    assert ens["summary"]["oracle"]["accuracy"] >= ens["summary"]["best_single"]["accuracy"]
    n = len(ens["minima"])
    assert np.array(ens["overlap"]).shape == (n, n)
    rel = _json(capsys, ["energy", "relevance", "--db", db, "--format", "json"])
    assert sorted(f["name"] for f in rel["features"]) == ["x0", "x1"]
    assert sum(f["relevance"] for f in rel["features"]) == pytest.approx(1.0)


def test_compare_losses(capsys) -> None:
    argv = "energy compare-losses --dataset xor --hidden 2 --steps 3 --format json -q"
    out = _json(capsys, argv.split())
    assert set(out["losses"]) == {"cross-entropy", "appAUC"}
    assert out["losses"]["appAUC"]["n_minima"] >= 1
    assert out["settings"]["score"] == "probability" and out["settings"]["beta"] == 100.0


def test_compare_losses_score_and_beta(capsys) -> None:
    argv = "energy compare-losses --dataset xor --hidden 2 --steps 3 --format json -q"
    out = _json(capsys, [*argv.split(), "--score", "logit", "--beta", "5"])
    assert out["settings"]["score"] == "logit" and out["settings"]["beta"] == 5.0
    for stats in out["losses"].values():
        # the largest eigenvalue bounds the mean one
        assert stats["max_hessian_eigenvalue"] >= stats["mean_largest_hessian_eigenvalue"]
        assert stats["mean_largest_hessian_eigenvalue"] >= stats["mean_hessian_eigenvalue"]
    assert main([*argv.split(), "--score", "margin"]) == 2


def test_missing_database_is_one_error_line(tmp_path, capsys) -> None:
    assert main(["energy", "cv", "--db", str(tmp_path / "nope.sqlite")]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "Traceback" not in err


def test_register_adds_the_verbs_to_the_energy_group() -> None:
    import typer

    from lossatlas.cli import app
    from lossatlas.commands import energy_analysis

    (group,) = [g for g in app.registered_groups if g.name == "energy"]
    names = {c.name or c.callback.__name__ for c in group.typer_instance.registered_commands}
    assert {"cv", "msb", "sweep", "ensemble", "relevance", "compare-losses", "explore"} <= names
    # without the core's group the verbs still get one
    fresh = typer.Typer()
    energy_analysis.register(fresh)
    (only,) = fresh.registered_groups
    assert only.name == "energy" and len(only.typer_instance.registered_commands) == 6
