"""Tests of lossatlas.io._tables: Parquet/CSV round trips, splitting, and bad input files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lossatlas.errors import InputError, SpaceError
from lossatlas.io import read_landscapes, read_table, write_landscape, write_table
from lossatlas.landscape import Landscape
from lossatlas.space import Hyperparameter, SearchSpace


@pytest.fixture
def space() -> SearchSpace:
    return SearchSpace(
        [
            Hyperparameter("lr", (0.001, 0.01, 0.1), "ordinal", log=True),
            Hyperparameter("booster", ("dart", "gbtree", "linear"), "categorical"),
            Hyperparameter("shrink", (False, True), "boolean"),
        ]
    )


@pytest.fixture
def landscape(space) -> Landscape:
    rng = np.random.default_rng(0)
    return Landscape.from_array(
        space,
        {"test": rng.random(space.size), "train": rng.random(space.size)},
        metadata={"model": "xgb", "dataset": "iris", "fidelity_fraction": 0.25},
    )


def assert_same_landscape(a: Landscape, b: Landscape, *, log_flags: bool = True) -> None:
    if log_flags:
        assert a.space == b.space
    else:  # a CSV holds values only: names, values and kinds come back, the log flag cannot
        assert [(h.name, h.values, h.kind) for h in a.space.hyperparameters] == [
            (h.name, h.values, h.kind) for h in b.space.hyperparameters
        ]
    assert np.array_equal(a.index, b.index)
    assert a.loss_names == b.loss_names
    for name in a.loss_names:
        assert np.allclose(a.loss(name), b.loss(name), rtol=0, atol=1e-15)


def long_table() -> pd.DataFrame:
    """2 datasets x 2 fidelities x a 2 x 2 grid x 2 folds."""
    rows = []
    for dataset in ("iris", "wine"):
        for fraction in (0.1, 1.0):
            for lr in (0.01, 0.1):
                for booster in ("dart", "gbtree"):
                    for fold in (0, 1):
                        rows.append(
                            {
                                "model": "xgb",
                                "dataset": dataset,
                                "fidelity_fraction": fraction,
                                "lr": lr,
                                "booster": booster,
                                "fold": fold,
                                "test": lr + fraction + (dataset == "wine") + fold / 10,
                                "status": "ok",
                            }
                        )
    return pd.DataFrame(rows)


def simple_table() -> pd.DataFrame:
    return pd.DataFrame(
        {"lr": [0.01, 0.01, 0.1, 0.1], "depth": [2, 4, 2, 4], "test": [0.3, 0.2, 0.25, 0.1]}
    )


# -- round trips -----------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_round_trip(tmp_path, landscape, suffix):
    path = write_landscape(landscape, tmp_path / f"land{suffix}")
    assert path.is_file()
    assert not list(tmp_path.glob("*.tmp"))  # written atomically, nothing left behind
    (again,) = read_landscapes(path)
    assert_same_landscape(landscape, again, log_flags=suffix == ".parquet")
    for key in ("model", "dataset", "fidelity_fraction"):
        assert again.metadata[key] == landscape.metadata[key]


def test_parquet_keeps_the_space_of_a_partial_landscape(tmp_path, landscape, space):
    # no evaluated row uses lr = 0.1 or booster = "linear": only the stored space knows them
    codes = landscape.codes
    partial = landscape.select((codes[:, 0] < 2) & (codes[:, 1] < 2))
    assert partial.n == 8
    (again,) = read_landscapes(write_landscape(partial, tmp_path / "p.parquet"))
    assert again.space == space
    assert again.space.size == 18
    assert_same_landscape(partial, again)
    # CSV carries values only: the space is inferred from the rows unless given
    csv = write_landscape(partial, tmp_path / "p.csv")
    (inferred,) = read_landscapes(csv)
    assert inferred.space.size == 8
    assert inferred.is_full
    (given,) = read_landscapes(csv, space=space)
    assert_same_landscape(partial, given)


def test_unsorted_categorical_order_survives_parquet(tmp_path):
    space = SearchSpace(
        [
            Hyperparameter("opt", ("sgd", "adam", "lbfgs"), "categorical"),
            Hyperparameter("n", (1, 2)),
        ]
    )
    landscape = Landscape.from_array(space, np.arange(6.0))
    (again,) = read_landscapes(write_landscape(landscape, tmp_path / "o.parquet"))
    assert again.space["opt"].values == ("sgd", "adam", "lbfgs")
    assert_same_landscape(landscape, again)


def test_write_table_and_read_table(tmp_path):
    frame = simple_table()
    for name in ("t.parquet", "t.pq", "t.csv", "T.CSV"):
        path = write_table(frame, tmp_path / "sub" / name)
        pd.testing.assert_frame_equal(read_table(path), frame)


def test_read_landscapes_splits_by_group_columns(tmp_path):
    path = write_table(long_table(), tmp_path / "runs.parquet")
    landscapes = read_landscapes(path)
    assert len(landscapes) == 4
    keys = [(x.metadata["dataset"], x.metadata["fidelity_fraction"]) for x in landscapes]
    assert keys == [("iris", 0.1), ("iris", 1.0), ("wine", 0.1), ("wine", 1.0)]
    spaces = {x.space for x in landscapes}
    assert len(spaces) == 1  # one shared space: comparable configuration by configuration
    for x in landscapes:
        assert x.is_full and x.metadata["model"] == "xgb"
        frame = x.to_frame()
        extra = x.metadata["fidelity_fraction"] + (x.metadata["dataset"] == "wine") + 0.05
        assert np.allclose(frame["test"], frame["lr"] + extra)
    same = read_landscapes(long_table())  # a DataFrame works as well
    assert [x.label for x in same] == [x.label for x in landscapes]


def test_read_landscapes_splits_by_model_and_a_second_fidelity(tmp_path):
    table = pd.concat(
        [long_table().assign(fidelity_epochs=e, model=m) for e in (10, 50) for m in ("rf", "xgb")],
        ignore_index=True,
    )
    path = write_table(table, tmp_path / "runs.csv")
    landscapes = read_landscapes(path)
    assert len(landscapes) == 16
    keys = {
        (
            x.metadata["model"],
            x.metadata["dataset"],
            x.metadata["fidelity_fraction"],
            x.metadata["fidelity_epochs"],
        )
        for x in landscapes
    }
    assert len(keys) == 16
    assert {k[0] for k in keys} == {"rf", "xgb"} and {k[3] for k in keys} == {10, 50}
    assert all(x.n == 4 and x.metadata["n_replicates"] == 2 for x in landscapes)
    assert all(str(path) in x.metadata["source"] for x in landscapes)


def test_split_table_with_a_failed_row(tmp_path):
    table = long_table()
    table.loc[(table["dataset"] == "wine") & (table["lr"] == 0.1), "status"] = "failed"
    landscapes = read_landscapes(table)
    sizes = {(x.metadata["dataset"], x.metadata["fidelity_fraction"]): x.n for x in landscapes}
    assert sizes == {("iris", 0.1): 4, ("iris", 1.0): 4, ("wine", 0.1): 2, ("wine", 1.0): 2}
    assert all(x.space.size == 4 for x in landscapes)


def test_losses_option(tmp_path, landscape):
    path = write_landscape(landscape, tmp_path / "l.parquet")
    (only,) = read_landscapes(path, losses=["train"])
    assert only.loss_names == ("train",)
    assert np.array_equal(only.loss("train"), landscape.loss("train"))
    with pytest.raises(InputError, match=r"loss column\(s\) \['valid'\] not found"):
        read_landscapes(path, losses=["valid"])


# -- bad input -------------------------------------------------------------------------------------
def write_csv(path: Path, frame: pd.DataFrame) -> tuple[Path, bytes]:
    frame.to_csv(path, index=False)
    return path, path.read_bytes()


def test_duplicate_configurations(tmp_path):
    table = pd.concat([simple_table(), simple_table().iloc[[1]]], ignore_index=True)
    path, before = write_csv(tmp_path / "dup.csv", table)
    with pytest.raises(InputError) as info:
        read_landscapes(path)
    message = str(info.value)
    assert "dup.csv" in message and "duplicate configurations" in message
    assert "rows [1, 4]" in message and "aggregate='mean'" in message
    (fixed,) = read_landscapes(path, aggregate="mean")
    assert fixed.n == 4 and fixed.loss().tolist() == pytest.approx([0.3, 0.2, 0.25, 0.1])
    assert path.read_bytes() == before


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_invalid_losses(tmp_path, bad):
    table = simple_table()
    table.loc[2, "test"] = bad
    path, before = write_csv(tmp_path / "nan.csv", table)
    with pytest.raises(InputError) as info:
        read_landscapes(path)
    message = str(info.value)
    assert "nan.csv" in message and "'test'" in message and "rows [2]" in message
    assert "on_invalid='drop'" in message
    (dropped,) = read_landscapes(path, on_invalid="drop")
    assert dropped.n == 3 and dropped.metadata["n_invalid"] == 1
    assert dropped.loss().tolist() == [0.3, 0.2, 0.1]
    assert path.read_bytes() == before


def test_unknown_columns(tmp_path, landscape, space):
    frame = landscape.to_frame().assign(notes="tuned by hand")
    path, before = write_csv(tmp_path / "extra.csv", frame)
    with pytest.raises(InputError, match=r"extra.csv.*unknown column\(s\) 'notes'"):
        read_landscapes(path, space=space)
    with pytest.raises(InputError, match=r"unknown column\(s\) 'notes'"):
        read_landscapes(path, hp_columns=["lr", "booster", "shrink"])
    (ok,) = read_landscapes(path, space=space, ignore_columns=["notes"])
    assert_same_landscape(landscape, ok)
    assert path.read_bytes() == before


def test_non_numeric_loss(tmp_path):
    table = simple_table().astype({"test": object})
    table.loc[3, "test"] = "oops"
    path, before = write_csv(tmp_path / "text.csv", table)
    with pytest.raises(
        InputError, match=r"text.csv.*loss column 'test' is not numeric: value 'oops'"
    ):
        read_landscapes(path)
    assert path.read_bytes() == before


def test_one_valued_hyperparameter(tmp_path):
    path, before = write_csv(tmp_path / "const.csv", simple_table().assign(max_bin=256))
    with pytest.raises(SpaceError, match=r"const.csv.*'max_bin' has only one value"):
        read_landscapes(path)
    assert path.read_bytes() == before


def test_empty_tables(tmp_path):
    path, before = write_csv(tmp_path / "empty.csv", simple_table().iloc[:0])
    with pytest.raises(InputError, match=r"empty.csv.*empty"):
        read_landscapes(path)
    assert path.read_bytes() == before
    blank = tmp_path / "blank.csv"
    blank.write_bytes(b"")
    with pytest.raises(InputError, match="blank.csv"):
        read_landscapes(blank)
    empty_parquet = write_table(simple_table().iloc[:0], tmp_path / "empty.parquet")
    with pytest.raises(InputError, match=r"empty.parquet.*empty"):
        read_landscapes(empty_parquet)


def test_unsupported_suffix(tmp_path):
    path = tmp_path / "runs.xlsx"
    path.write_bytes(b"not a spreadsheet")
    with pytest.raises(InputError, match=r"runs.xlsx: unsupported file type '.xlsx'"):
        read_landscapes(path)
    with pytest.raises(InputError, match="unsupported file type"):
        read_table(path)
    with pytest.raises(InputError, match=r"out.json: unsupported file type '.json'"):
        write_table(simple_table(), tmp_path / "out.json")
    assert not (tmp_path / "out.json").exists()
    assert path.read_bytes() == b"not a spreadsheet"


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"nowhere.parquet: no such file"):
        read_landscapes(tmp_path / "nowhere.parquet")
    with pytest.raises(InputError, match=r"nowhere.csv: no such file"):
        read_table(tmp_path / "nowhere.csv")
    assert not (tmp_path / "nowhere.csv").exists()


def test_corrupt_parquet(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputError, match=r"broken.parquet: cannot be read as parquet"):
        read_landscapes(path)
    assert path.read_bytes() == b"PAR1 this is not parquet"


def test_failed_write_keeps_the_old_file(tmp_path, landscape):
    path = write_landscape(landscape, tmp_path / "keep.parquet")
    before = path.read_bytes()
    with pytest.raises(Exception):  # noqa: B017 -- any failure; the point is the file after it
        write_table(pd.DataFrame({"a": [object()]}), path)
    assert path.read_bytes() == before
    (again,) = read_landscapes(path)
    assert_same_landscape(landscape, again)
