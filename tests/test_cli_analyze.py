"""The ``lossatlas analyze`` command."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from lossatlas.analysis._profile import METRICS
from lossatlas.cli import main


def _grid_table(model: str, shift: float) -> pd.DataFrame:
    rows = []
    for a in range(3):
        for b in ("x", "y"):
            rows.append({"model": model, "a": a, "b": b, "test": abs(a - 1) + shift + (b == "y")})
    return pd.DataFrame(rows)


def test_example_json_has_profile_keys_at_top_level(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--example", "--format", "json", "--epsilon", "0.01"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert isinstance(record, dict)
    assert set(METRICS) <= set(record)
    assert record["epsilon"] == 0.01
    assert record["n_configs"] == 160
    assert record["model"] == "decision_tree"


def test_several_landscapes_give_a_list(tmp_path, capsys) -> None:
    path = tmp_path / "two.csv"
    pd.concat([_grid_table("m1", 0.0), _grid_table("m2", 1.0)]).to_csv(path, index=False)
    assert main(["analyze", str(path), "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["model"] for r in records] == ["m1", "m2"]
    assert [r["best_loss"] for r in records] == [0.0, 1.0]
    # a bowl in a with an additive categorical step: one optimum, a=1, b=x
    assert all(r["n_local_optima"] == 1 for r in records)


def test_csv_format(tmp_path, capsys) -> None:
    path = tmp_path / "one.parquet"
    _grid_table("m", 0.0).to_parquet(path)
    assert main(["analyze", str(path), "--format", "csv"]) == 0
    frame = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    assert len(frame) == 1
    assert np.isclose(frame["mean_loss"].iloc[0], _grid_table("m", 0.0)["test"].mean())


def test_table_format_prints_metrics(capsys) -> None:
    assert main(["analyze", "--example"]) == 0
    out = capsys.readouterr().out
    assert "n_local_optima" in out and "fdc_spearman" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze", "missing.csv"], "no such file"),
        (["analyze", "--example", "--format", "xml"], "--format"),
        (["analyze"], "no table given"),
        (["analyze", "--example", "--loss", "valid"], "no loss column 'valid'"),
        (["analyze", "--example", "--epsilon", "-1"], "epsilon"),
    ],
)
def test_errors_are_one_line_and_exit_2(args, message, capsys) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_bad_table_names_the_rows(tmp_path, capsys) -> None:
    frame = _grid_table("m", 0.0)
    frame.loc[3, "test"] = np.nan
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    assert main(["analyze", str(path)]) == 2
    err = capsys.readouterr().err
    assert "'test'" in err and "[3]" in err
    assert main(["analyze", str(path), "--on-invalid", "drop", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_configs"] == 5


def test_maximize_negates_scores_and_says_so(tmp_path, capsys) -> None:
    frame = _grid_table("m", 0.0).rename(columns={"test": "accuracy"})
    frame["accuracy"] = 1.0 - frame["accuracy"] / 10
    path = tmp_path / "scores.csv"
    frame.to_csv(path, index=False)
    args = ["analyze", str(path), "--format", "json"]
    assert main(args) == 2  # no loss column by name: scores are never taken silently
    assert "no loss column" in capsys.readouterr().err
    from lossatlas.analysis import profile
    from lossatlas.io import read_landscapes

    (land,) = read_landscapes(path, loss_columns=["accuracy"], maximize=True)
    row = profile(land, loss="accuracy").iloc[0]
    assert row["direction"] == "maximize"
    assert row["best_loss"] == -1.0  # minus the best accuracy (a=1, b=x)
    assert row["n_local_optima"] == 1


def test_version(capsys) -> None:
    from lossatlas import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"lossatlas {__version__}"


def test_analyze_warns_when_epsilon_makes_one_plateau(capsys):
    from lossatlas.cli import main

    assert main(["analyze", "--example", "--epsilon", "1", "--format", "json", "-q"]) == 0
    err = capsys.readouterr().err
    assert "makes the whole landscape one plateau" in err
    assert main(["analyze", "--example", "--epsilon", "0", "--format", "json", "-q"]) == 0
    assert "one plateau" not in capsys.readouterr().err


def _records() -> list[dict]:
    return [
        {"landscape": "rf iris", "model": "rf", "n_configs": 12, "fdc": 0.123456, "ok": True},
        {"landscape": "svm iris", "model": "svm", "n_configs": 9, "fdc": float("nan")},
    ]


def test_plain_table_holds_every_cell_as_the_rich_table_does(capsys) -> None:
    from lossatlas.commands.analyze import render_profile

    records = _records()
    plain = render_profile(records, "table", terminal=False)
    assert render_profile(records, "table", terminal=True) is None  # rich printed it
    rich = capsys.readouterr().out
    lines = plain.splitlines()
    assert lines[0] == "landscape profile"
    assert lines[1].split() == ["metric", "rf", "iris", "svm", "iris"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[3:]}
    # pandas' column types, as before: a column with a gap is float (the rich table agrees)
    assert rows == {
        "model": ["rf", "svm"],
        "n_configs": ["12", "9"],
        "fdc": ["0.1235", "nan"],
        "ok": ["True", "nan"],
    }
    for name, cells in rows.items():
        rich_line = next(line for line in rich.splitlines() if f" {name} " in line)
        assert [c for c in rich_line.replace("│", " ").split()] == [name, *cells]


def test_plain_table_of_one_landscape_keeps_integers() -> None:
    from lossatlas.commands.analyze import plain_table

    table = plain_table([_records()[0]])
    assert [line.split() for line in table.splitlines()[3:]] == [
        ["model", "rf"],
        ["n_configs", "12"],
        ["fdc", "0.1235"],
        ["ok", "True"],
    ]
