"""The one loader: every kind of source, tables of several models, Optuna storages read-only."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pandas as pd
import pytest

from lossatlas.errors import InputError
from lossatlas.io import (
    is_storage_url,
    load_landscapes,
    read_landscapes,
    source_kind,
    write_landscape,
    write_table,
)
from lossatlas.landscape import Landscape
from lossatlas.space import SearchSpace


def one_model(model: str = "xgb", dataset: str = "iris", fraction: float = 1.0) -> pd.DataFrame:
    rows = []
    for lr in (0.01, 0.1, 1.0):
        for depth in (2, 4):
            test = lr + 0.1 * depth + (dataset == "wine") + 0.5 * (1 - fraction)
            rows.append(
                {
                    "model": model,
                    "dataset": dataset,
                    "fidelity_fraction": fraction,
                    "lr": lr,
                    "depth": depth,
                    "test": test,
                    "train": test - 0.05,
                }
            )
    return pd.DataFrame(rows)


def two_models(datasets=("iris", "wine"), fractions=(0.5, 1.0)) -> pd.DataFrame:
    """xgb uses lr and depth; svm uses C, kernel and shrinking: each model's HP columns are
    empty in the other model's rows."""
    parts = [one_model("xgb", d, f) for d in datasets for f in fractions]
    for dataset in datasets:
        for fraction in fractions:
            rows = []
            for c in (0.1, 1.0, 10.0):
                for kernel in ("rbf", "linear"):
                    for shrinking in (True, False):
                        test = np.log10(c) ** 2 + (kernel == "rbf") + 0.1 * shrinking
                        test += 0.3 * (dataset == "wine") + 0.2 * (1 - fraction)
                        rows.append(
                            {
                                "model": "svm",
                                "dataset": dataset,
                                "fidelity_fraction": fraction,
                                "C": c,
                                "kernel": kernel,
                                "shrinking": shrinking,
                                "test": test,
                                "train": test - 0.1,
                            }
                        )
            parts.append(pd.DataFrame(rows))
    return pd.concat(parts, ignore_index=True)


def test_storage_urls_are_recognised():
    assert is_storage_url("sqlite:///study.db")
    assert is_storage_url("postgresql+psycopg2://u@h/db")
    assert not is_storage_url("results.parquet")
    assert not is_storage_url("C:/data/results.parquet")


def test_a_landscape_a_list_and_a_frame(tmp_path):
    (land,) = read_landscapes(one_model())
    assert load_landscapes(land) == [land]
    assert load_landscapes([land, land]) == [land, land]
    (again,) = load_landscapes(one_model())
    assert again.space == land.space and np.allclose(again.loss("test"), land.loss("test"))
    with pytest.raises(InputError, match="expected landscapes"):
        load_landscapes(42)  # type: ignore[arg-type]


def test_table_file_and_missing_paths(tmp_path):
    path = write_table(one_model(), tmp_path / "one.csv")
    assert source_kind(path) == "table"
    (land,) = load_landscapes(path)
    assert land.n == 6 and land.space.names == ("lr", "depth")
    with pytest.raises(InputError, match="no such file or directory"):
        load_landscapes(tmp_path / "missing.parquet")
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(InputError, match=r"unsupported file type '\.txt'"):
        load_landscapes(other)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="results.parquet"):
        load_landscapes(empty)


def test_directory_of_tables_is_one_long_table(tmp_path):
    write_table(one_model(dataset="iris"), tmp_path / "a.parquet")
    write_table(one_model(dataset="wine"), tmp_path / "b.csv")
    assert source_kind(tmp_path) == "tables"
    lands = load_landscapes(tmp_path)
    assert [x.metadata["dataset"] for x in lands] == ["iris", "wine"]
    assert lands[0].space == lands[1].space
    assert np.allclose(lands[1].loss("test") - lands[0].loss("test"), 1.0)


def test_results_directory_reads_only_the_results_table(tmp_path):
    # a study directory: results.parquet is the long table, the others are derived results
    write_table(one_model(dataset="iris"), tmp_path / "results.parquet")
    write_table(pd.DataFrame({"landscape": ["x"], "n": [6]}), tmp_path / "profiles.parquet")
    write_table(pd.DataFrame({"a": ["x"], "spearman": [1.0]}), tmp_path / "similarity.parquet")
    assert source_kind(tmp_path) == "results"
    (land,) = load_landscapes(tmp_path)
    assert land.metadata["dataset"] == "iris" and land.n == 6
    assert "results.parquet" in land.metadata["source"]


def test_evaluation_directory_with_only_a_journal(tmp_path):
    from lossatlas.evaluate._journal import Journal

    space = SearchSpace.from_dict({"lr": [0.1, 1.0], "depth": [2, 4]})
    with Journal(tmp_path / "journal.sqlite") as journal:
        journal.register_study(
            "rf/iris", {"model": "rf", "dataset": "iris", "space": space.to_dict()}
        )
        for lr in (0.1, 1.0):
            for depth in (2, 4):
                for fold in (0, 1):
                    journal.record(
                        "rf/iris",
                        {
                            "config": json.dumps({"lr": lr, "depth": depth}),
                            "fold": fold,
                            "fidelity": json.dumps({"fraction": 1.0}),
                            "seed": 0,
                            "status": "ok",
                            "test": lr * depth + fold,
                        },
                    )
    assert source_kind(tmp_path) == "journal"
    (land,) = load_landscapes(tmp_path)
    assert land.metadata["model"] == "rf" and land.n == 4
    frame = land.to_frame()
    assert np.allclose(frame["test"], frame["lr"] * frame["depth"] + 0.5)  # mean of 2 folds


def test_two_models_with_different_hyperparameters_split_before_inference(tmp_path):
    path = write_table(two_models(), tmp_path / "results.parquet")
    lands = load_landscapes(path)
    assert len(lands) == 8
    by_model = {}
    for land in lands:
        by_model.setdefault(land.metadata["model"], []).append(land)
    assert {m: len(v) for m, v in by_model.items()} == {"xgb": 4, "svm": 4}
    xgb, svm = by_model["xgb"][0], by_model["svm"][0]
    assert xgb.space.names == ("lr", "depth") and svm.space.names == ("C", "kernel", "shrinking")
    # integer columns that the other model's empty cells made float are integers again
    assert xgb.space["depth"].values == (2, 4)
    assert all(isinstance(v, int) for v in xgb.space["depth"].values)
    assert svm.space["shrinking"].kind == "boolean" and svm.space["kernel"].kind == "categorical"
    assert all(x.is_full for x in lands)
    # one space per model, shared by its datasets and fidelities
    assert len({x.space for x in by_model["svm"]}) == 1
    frame = xgb.to_frame()
    expected = frame["lr"] + 0.1 * frame["depth"] + (xgb.metadata["dataset"] == "wine")
    expected += 0.5 * (1 - xgb.metadata["fidelity_fraction"])
    assert np.allclose(frame["test"], expected)


def test_models_that_share_their_columns_share_one_space():
    table = pd.concat([one_model("a"), one_model("b").iloc[:4]], ignore_index=True)
    lands = read_landscapes(table)
    assert len({x.space for x in lands}) == 1 and [x.n for x in lands] == [6, 4]


def _optuna_storage(tmp_path, landscape: Landscape) -> str:
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    from lossatlas.io import to_optuna

    url = f"sqlite:///{tmp_path / 'opt.db'}"
    to_optuna(landscape, storage=url, study_name="grid")
    return url


def test_optuna_url_and_file(tmp_path):
    (land,) = read_landscapes(one_model())
    url = _optuna_storage(tmp_path, land)
    assert source_kind(url) == "optuna"
    (back,) = load_landscapes(url)
    assert back.space == land.space and np.allclose(back.loss("test"), land.loss("test"))
    (same,) = load_landscapes(tmp_path / "opt.db")  # the SQLite file itself
    assert np.allclose(same.loss("test"), land.loss("test"))


def test_optuna_url_never_creates_a_missing_file(tmp_path):
    pytest.importorskip("optuna")
    target = tmp_path / "nothing.db"
    with pytest.raises(InputError, match="no such file"):
        load_landscapes(f"sqlite:///{target}")
    assert not target.exists()


def test_optuna_url_leaves_a_foreign_sqlite_file_untouched(tmp_path):
    pytest.importorskip("optuna")
    target = tmp_path / "other.db"
    con = sqlite3.connect(target)
    con.execute("CREATE TABLE things (x INTEGER)")
    con.commit()
    con.close()
    before = target.read_bytes()
    with pytest.raises(InputError, match="not an Optuna storage"):
        load_landscapes(f"sqlite:///{target}")
    with pytest.raises(InputError, match="not an Optuna storage"):
        load_landscapes(target)
    assert target.read_bytes() == before
    con = sqlite3.connect(target)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    con.close()
    assert tables == {"things"}


def test_partial_landscape_keeps_its_grid_through_a_results_directory(tmp_path):
    (land,) = read_landscapes(one_model())
    partial = land.select(np.array([0, 2, 3]))
    write_landscape(partial, tmp_path / "results.parquet")
    (again,) = load_landscapes(tmp_path)
    assert again.space == land.space and again.n == 3


def test_directory_of_one_table_per_model(tmp_path):
    table = two_models(datasets=("iris",), fractions=(1.0,))
    for model, part in table.groupby("model"):
        write_table(part.dropna(axis=1, how="all"), tmp_path / f"{model}.csv")
    lands = load_landscapes(tmp_path)
    assert sorted(x.metadata["model"] for x in lands) == ["svm", "xgb"]
    spaces = {x.metadata["model"]: x.space.names for x in lands}
    assert spaces == {"xgb": ("lr", "depth"), "svm": ("C", "kernel", "shrinking")}
    assert all(str(tmp_path) in x.metadata["source"] for x in lands)


def test_a_partly_empty_column_within_one_model_is_still_an_error(tmp_path):
    table = two_models(datasets=("iris",), fractions=(1.0,))
    table.loc[table.index[table["model"] == "xgb"][0], "lr"] = np.nan
    with pytest.raises(InputError, match="'lr' is empty in rows"):
        load_landscapes(table)


def test_an_optuna_storage_of_several_studies_gives_one_landscape_each(tmp_path):
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    from lossatlas.io import study_names, to_optuna

    url = f"sqlite:///{tmp_path / 'many.db'}"
    for dataset in ("iris", "wine"):
        (land,) = read_landscapes(one_model(dataset=dataset))
        to_optuna(land, storage=url, study_name=f"xgb-{dataset}")
    assert sorted(study_names(url)) == ["xgb-iris", "xgb-wine"]
    lands = load_landscapes(url)
    assert sorted(x.label for x in lands) == ["xgb iris fraction=1.0", "xgb wine fraction=1.0"]
    by_name = {x.metadata["study_name"]: x for x in lands}
    diff = by_name["xgb-wine"].loss("test") - by_name["xgb-iris"].loss("test")
    assert np.allclose(diff, 1.0)
    (one,) = load_landscapes(url, study_name="xgb-wine")
    assert one.metadata["study_name"] == "xgb-wine"
    bare = Landscape.from_array(one.space, {"test": one.loss("test")}, index=one.index)
    to_optuna(bare, storage=url, study_name="plain")
    (plain,) = load_landscapes(url, study_name="plain")
    assert plain.label == "plain"  # a study without model/dataset is named by its study


def test_kinds_apply_to_the_model_that_has_the_column():
    lands = load_landscapes(
        two_models(datasets=("iris",), fractions=(1.0,)), kinds={"C": "categorical"}
    )
    svm = next(x for x in lands if x.metadata["model"] == "svm")
    xgb = next(x for x in lands if x.metadata["model"] == "xgb")
    assert svm.space["C"].kind == "categorical" and xgb.space["lr"].kind == "ordinal"
    with pytest.raises(InputError, match="unknown column"):
        load_landscapes(two_models(), kinds={"nope": "categorical"})


def test_to_optuna_refuses_to_write_into_a_foreign_sqlite_file(tmp_path):
    pytest.importorskip("optuna")
    from lossatlas.io import to_optuna

    target = tmp_path / "other.db"
    con = sqlite3.connect(target)
    con.execute("CREATE TABLE things (x INTEGER)")
    con.commit()
    con.close()
    before = target.read_bytes()
    (land,) = read_landscapes(one_model())
    with pytest.raises(InputError, match="not an Optuna storage"):
        to_optuna(land, storage=f"sqlite:///{target}", study_name="x")
    assert target.read_bytes() == before
