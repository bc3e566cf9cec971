"""``lossatlas energy slice|spectrum`` in-process: databases, torch modules and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lossatlas.cli import main
from lossatlas.energy._database import Database
from lossatlas.energy.potentials import MullerBrown

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def mb_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Mueller-Brown minima and saddles (the reference table, relaxed by the database's points)."""
    mb = MullerBrown()
    path = tmp_path_factory.mktemp("mb") / "mb.sqlite"
    with Database(path) as db:
        db.set_meta("potential", {"name": "muller-brown", "options": {}})
        ids = [
            db.add_minimum(mb.energy([x, y]), np.array([x, y]))[0].id
            for x, y, _ in mb.REFERENCE_MINIMA
        ]
        (x1, y1, _), (x2, y2, _) = mb.REFERENCE_SADDLES
        db.add_transition_state(mb.energy([x1, y1]), np.array([x1, y1]), ids[0], ids[2])
        db.add_transition_state(mb.energy([x2, y2]), np.array([x2, y2]), ids[2], ids[1])
    return path


@pytest.fixture(scope="module")
def mlp_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mlp") / "mlp.sqlite"
    argv = ["energy", "explore", "--potential", "mlp", "--dataset", "iris", "--hidden", "2"]
    assert main([*argv, "--steps", "2", "--db", str(path), "--quiet"]) == 0
    return path


def _json(capsys: pytest.CaptureFixture[str]) -> dict:
    return json.loads(capsys.readouterr().out)


def test_slice_2d_json_and_figure(mlp_db: Path, tmp_path: Path, capsys) -> None:
    capsys.readouterr()
    fig = tmp_path / "slice.png"
    argv = ["energy", "slice", "--db", str(mlp_db), "--minimum", "1", "--dims", "2"]
    assert main([*argv, "--points", "9", "-o", str(fig), "--format", "json"]) == 0
    out = _json(capsys)
    assert fig.read_bytes()[:8] == PNG
    assert out["kind"] == "slice" and out["centre"] == "minimum 1" and out["norm"] == "filter"
    train = np.array(out["train"])
    assert train.shape == (9, 9) and np.array(out["heldout"]).shape == (9, 9)
    with Database(mlp_db) as db:
        e1 = db.get_minimum(1).energy
    assert out["centre_energy"] == pytest.approx(e1, rel=1e-9)
    assert train[4, 4] == pytest.approx(e1, rel=1e-9)  # the grid's centre is the minimum
    assert len(out["merge_tree"]["saddles"]) == len(out["merge_tree"]["minima"]) - 1
    # the same seed gives the same slice
    assert main([*argv, "--points", "9", "-o", str(fig), "--format", "json"]) == 0
    assert _json(capsys)["train"] == out["train"]


def test_slice_1d_hessian_table(mlp_db: Path, tmp_path: Path, capsys) -> None:
    capsys.readouterr()
    fig = tmp_path / "s1.png"
    argv = ["energy", "slice", "--db", str(mlp_db), "--dims", "1", "--directions", "hessian"]
    assert main([*argv, "--points", "11", "-o", str(fig)]) == 0
    text = capsys.readouterr().out
    assert "1-D slice of minimum 1 (hessian directions" in text and fig.stat().st_size > 0


def test_line_vs_path(mb_db: Path, tmp_path: Path, capsys) -> None:
    capsys.readouterr()
    fig = tmp_path / "path.png"
    with Database(mb_db) as db:
        low, high = db.minima()[0].id, db.minima()[1].id
    argv = ["energy", "slice", "--db", str(mb_db), "--path", f"{low},{high}", "-o", str(fig)]
    assert main([*argv, "--format", "json"]) == 0
    out = _json(capsys)
    assert out["method"] == "stored" and len(out["chain"]) == 5
    assert out["path_barrier"] == pytest.approx(-40.6648 + 108.1667, abs=0.05)
    assert out["line_barrier"] > out["path_barrier"] + 20
    assert fig.read_bytes()[:8] == PNG
    assert main(argv) == 0
    assert "straight-line barrier" in capsys.readouterr().out


def test_spectrum_json_all_minima_and_one(mb_db: Path, tmp_path: Path, capsys) -> None:
    capsys.readouterr()
    argv = ["energy", "spectrum", "--db", str(mb_db), "--format", "json"]
    assert main([*argv, "--top", "1", "--bottom", "1"]) == 0
    rows = _json(capsys)["minima"]
    assert [r["energy"] for r in rows] == sorted(r["energy"] for r in rows) and len(rows) == 3
    mb = MullerBrown()
    with Database(mb_db) as db:
        for r in rows:
            eig = np.linalg.eigvalsh(mb.hessian(db.get_minimum(r["id"]).coords))
            assert r["top"] == pytest.approx([eig[1]]) and r["bottom"] == pytest.approx([eig[0]])
            assert r["trace"] == pytest.approx(eig.sum())
    fig = tmp_path / "density.png"
    one = [*argv, "--minimum", str(rows[0]["id"]), "--method", "lanczos", "-o", str(fig)]
    assert main(one) == 0
    (r,) = _json(capsys)["minima"]
    grid, dens = np.array(r["density"]["grid"]), np.array(r["density"]["density"])
    assert np.trapezoid(dens, grid) == pytest.approx(1.0)
    assert fig.read_bytes()[:8] == PNG


def test_spectrum_table_on_mlp(mlp_db: Path, capsys) -> None:
    capsys.readouterr()
    argv = ["energy", "spectrum", "--db", str(mlp_db), "--top", "3", "--bottom", "2"]
    assert main([*argv, "--method", "lanczos", "--probes", "20"]) == 0
    out = capsys.readouterr().out
    assert "Hessian spectra (19 coordinates)" in out and "lanczos" in out


MODULE = """
import torch

class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.body = torch.nn.Sequential(
            torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2)
        )

    def forward(self, x):
        return self.body(x)
"""


@pytest.fixture()
def module_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    torch = pytest.importorskip("torch")
    mod = tmp_path / "net.py"
    mod.write_text(MODULE)
    ns: dict = {}
    exec(compile(MODULE, str(mod), "exec"), ns)
    torch.manual_seed(0)
    net = ns["Net"]()
    weights = tmp_path / "w.pt"
    torch.save(net.state_dict(), weights)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = (X[:, 0] > 0).astype(int)
    data = tmp_path / "d.csv"
    data.write_text(
        "a,b,label\n" + "".join(f"{p},{q},{t}\n" for (p, q), t in zip(X, y, strict=True))
    )
    return mod, weights, data


def test_torch_module_slice_and_spectrum(module_files, tmp_path: Path, capsys) -> None:
    mod, weights, data = module_files
    common = ["--module", f"{mod}:Net", "--weights", str(weights), "--data", str(data)]
    common += ["--target", "label"]
    capsys.readouterr()
    fig = tmp_path / "t.png"
    argv = ["energy", "slice", *common, "--points", "5", "--test-fraction", "0.3", "-o", str(fig)]
    assert main([*argv, "--format", "json"]) == 0
    out = _json(capsys)
    assert np.array(out["train"]).shape == (5, 5) and out["heldout"] is not None
    assert fig.read_bytes()[:8] == PNG
    assert main(["energy", "spectrum", *common, "--format", "json", "--top", "2"]) == 0
    (r,) = _json(capsys)["minima"]
    assert r["id"] is None and r["ndim"] == 2 * 3 + 3 + 3 * 2 + 2 and len(r["top"]) == 2


def test_bad_input_is_one_error_line(mb_db: Path, module_files, tmp_path: Path, capsys) -> None:
    mod, weights, data = module_files
    fig = tmp_path / "never.png"
    cases = [
        (["energy", "slice", "--db", str(mb_db), "--path", "1,x", "-o", str(fig)], "--path"),
        (["energy", "slice", "--db", str(mb_db), "--minimum", "99", "-o", str(fig)], "id 99"),
        (["energy", "slice", "--db", str(mb_db), "--dims", "3", "-o", str(fig)], "--dims"),
        (["energy", "slice", "--db", str(tmp_path / "no.sqlite"), "-o", str(fig)], "exist"),
        (["energy", "slice", "-o", str(fig)], "either --db"),
        (["energy", "slice", "--db", str(mb_db), "-o", str(tmp_path / "x.txt")], "image type"),
        (["energy", "spectrum", "--db", str(mb_db), "--top", "-1"], "--top"),
        (["energy", "spectrum", "--module", "nofile.py:Net", "--data", str(data)], "Python file"),
        (["energy", "spectrum", "--module", f"{mod}:Nope", "--data", str(data)], "'Nope'"),
        (
            ["energy", "spectrum", "--module", f"{mod}:Net", "--data", str(data)],
            "target column 'y'",
        ),
    ]
    bad_weights = tmp_path / "bad.pt"
    bad_weights.write_bytes(b"not a torch file")
    cases.append(
        (
            ["energy", "spectrum", "--module", f"{mod}:Net", "--weights", str(bad_weights)]
            + ["--data", str(data), "--target", "label"],
            "cannot load it safely",
        )
    )
    for argv, needle in cases:
        capsys.readouterr()
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("error: ") and needle in err and err.count("\n") == 1, (argv, err)
        assert "Traceback" not in err
    assert not fig.exists()
