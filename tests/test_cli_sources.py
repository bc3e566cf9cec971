"""Every command reads its source through the one loader: tables of several models with
different hyperparameters, directories and Optuna storage URLs work the same everywhere."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from lossatlas.cli import main
from lossatlas.io import read_landscapes, to_optuna, write_table

sys.path.insert(0, str(Path(__file__).parent / "io"))
from test_loader import one_model, two_models  # noqa: E402


@pytest.fixture
def mixed(tmp_path) -> Path:
    return write_table(two_models(), tmp_path / "mixed.parquet")


def test_analyze_a_table_of_two_models(mixed, capsys):
    assert main(["analyze", str(mixed), "--format", "json", "--walks", "20"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 8
    sizes = {r["landscape"].split()[0]: r["n_configs"] for r in records}
    assert sizes == {"xgb": 6, "svm": 12}


@pytest.mark.parametrize("by", ["dataset", "fidelity", "split"])
def test_compare_a_table_of_two_models(mixed, tmp_path, by, capsys):
    out = tmp_path / f"cmp_{by}"
    args = ["compare", str(mixed), "--by", by, "-o", str(out), "--walks", "20", "--no-figures"]
    assert main(args) == 0, capsys.readouterr().err
    pairs = pd.read_parquet(out / "pairs.parquet")
    # per model: 2 fidelities x (1 pair of datasets) / 2 datasets x 1 pair of fidelities / 4 splits
    assert len(pairs) == {"dataset": 4, "fidelity": 4, "split": 8}[by]
    assert set(pairs["model"]) == {"xgb", "svm"} if by != "split" else True
    assert pairs["spearman"].notna().all()


def test_compare_by_model_of_two_models_does_not_crash(mixed, tmp_path, capsys):
    out = tmp_path / "cmp_model"
    assert main(["compare", str(mixed), "--by", "model", "-o", str(out), "--walks", "20"]) == 0
    assert "different search spaces" in capsys.readouterr().out


def test_importance_of_a_table_of_two_models(mixed, capsys):
    assert main(["importance", str(mixed), "--format", "json", "--order", "1"]) == 0
    records = json.loads(capsys.readouterr().out)
    terms = {(r["model"], r["term"]) for r in records}
    assert ("xgb", "lr") in terms and ("svm", "kernel") in terms and ("xgb", "C") not in terms
    for label in {r["landscape"] for r in records}:
        total = sum(r["fraction"] for r in records if r["landscape"] == label)
        assert total == pytest.approx(1.0)


@pytest.mark.slow
def test_report_of_a_table_of_two_models(tmp_path, capsys):
    path = write_table(two_models(datasets=("iris",), fractions=(1.0,)), tmp_path / "t.csv")
    out = tmp_path / "r.html"
    assert main(["report", str(path), "-o", str(out), "--projection", "pca", "--static"]) == 0
    page = out.read_text()
    assert "slice: kernel" in page and "slice: lr" in page


@pytest.fixture
def storage(tmp_path) -> str:
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    (land,) = read_landscapes(one_model())
    url = f"sqlite:///{tmp_path / 'opt.db'}"
    to_optuna(land, storage=url, study_name="grid")
    return url


def test_optuna_url_in_analyze(storage, capsys):
    assert main(["analyze", storage, "--format", "json", "--walks", "20"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["n_configs"] == 6


def test_optuna_url_in_importance_keeps_its_slashes(storage, capsys):
    assert main(["importance", storage, "--format", "json", "--order", "1"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert {r["term"] for r in records} == {"lr", "depth", "residual"}


def test_optuna_url_in_compare(storage, tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", storage, "--by", "split", "-o", str(out), "--no-figures"]) == 0
    # the exported study keeps 'train' beside the objective: one train-vs-test pair
    assert len(pd.read_parquet(out / "pairs.parquet")) == 1


@pytest.mark.slow
def test_optuna_url_in_report(storage, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", storage, "-o", str(out), "--projection", "pca", "--static"]) == 0
    assert "slice: depth" in out.read_text()


def test_missing_optuna_file_is_one_line_and_not_created(tmp_path, capsys):
    pytest.importorskip("optuna")
    target = tmp_path / "none.db"
    for command in ("analyze", "importance", "compare", "report"):
        assert main([command, f"sqlite:///{target}"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and "no such file" in err and err.count("\n") == 1
    assert not target.exists()


def test_neighbourhood_options_reach_every_metric(tmp_path, capsys):
    from lossatlas.analysis import ordinal_radius, profile
    from lossatlas.examples import example_table_path

    args = ["analyze", "--example", "--format", "json", "--walks", "30", "--radius", "2"]
    assert main(args) == 0
    record = json.loads(capsys.readouterr().out)
    (land,) = read_landscapes(example_table_path())
    expected = profile(land, n_walks=30, neighbourhood=ordinal_radius(2)).iloc[0]
    assert record["neighbourhood"] == "ordinal_radius(2)"
    assert record["n_local_optima"] == expected["n_local_optima"]
    assert record["fdc"] == pytest.approx(expected["fdc"])
    default = profile(land, n_walks=30).iloc[0]
    assert default["n_local_optima"] != expected["n_local_optima"]
    mixed = write_table(two_models(datasets=("iris",)), tmp_path / "m.csv")
    out = tmp_path / "cmp"
    args = ["compare", str(mixed), "-o", str(out), "--walks", "20", "--no-figures"]
    assert main([*args, "--categorical", "kernel", "--radius", "3"]) == 2
    assert "kernel" in capsys.readouterr().err  # the xgb landscapes have no kernel
    assert main([*args, "--categorical", "lr"]) == 2  # svm has no lr
    assert "'lr'" in capsys.readouterr().err
    assert main(["analyze", "--example", "--radius", "0"]) == 2
    assert "--radius must be >= 1" in capsys.readouterr().err


def test_every_command_reads_a_study_directory_the_same_way(tmp_path, capsys):
    """A study directory holds results.parquet plus derived tables: every command reads only
    the results (the old compare concatenated every table, report read results.parquet)."""
    study = tmp_path / "study"
    write_table(two_models(datasets=("iris",), fractions=(1.0,)), study / "results.parquet")
    write_table(pd.DataFrame({"landscape": ["x"], "fdc": [0.5]}), study / "profiles.parquet")
    write_table(pd.DataFrame({"a": ["x"], "b": ["y"]}), study / "similarity.parquet")
    assert main(["analyze", str(study), "--format", "json", "--walks", "20"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["landscape"] for r in records] == ["xgb iris fraction=1.0", "svm iris fraction=1.0"]
    assert [r["n_configs"] for r in records] == [6, 12]
    assert main(["importance", str(study), "--format", "json", "--order", "1"]) == 0
    assert {r["model"] for r in json.loads(capsys.readouterr().out)} == {"xgb", "svm"}
    out = tmp_path / "cmp"
    args = ["compare", str(study), "--by", "split", "-o", str(out), "--no-figures"]
    assert main([*args, "--walks", "20"]) == 0
    assert len(pd.read_parquet(out / "pairs.parquet")) == 2
    assert (study / "profiles.parquet").is_file()  # inputs untouched
