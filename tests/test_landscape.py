"""Tests of lossatlas.landscape.Landscape: construction, views, tables and validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lossatlas.errors import InputError, SpaceError
from lossatlas.landscape import Landscape
from lossatlas.space import Hyperparameter, SearchSpace


@pytest.fixture
def space() -> SearchSpace:
    return SearchSpace(
        [
            Hyperparameter("lr", (0.01, 0.1, 1.0), "ordinal"),
            Hyperparameter("booster", ("gbtree", "dart"), "categorical"),
        ]
    )


@pytest.fixture
def full(space) -> Landscape:
    return Landscape.from_array(
        space,
        {"test": np.arange(6) / 10, "train": np.arange(6) / 20},
        metadata={"model": "xgb", "dataset": "iris", "fidelity_fraction": 0.25},
    )


def long_table() -> pd.DataFrame:
    """Two folds per configuration of a 2 x 2 grid, one failed evaluation."""
    rows = []
    for fold in (0, 1):
        for lr in (0.1, 0.01):
            for booster in ("gbtree", "dart"):
                rows.append(
                    {
                        "model": "xgb",
                        "dataset": "iris",
                        "fidelity_fraction": 1.0,
                        "lr": lr,
                        "booster": booster,
                        "fold": fold,
                        "test": lr + (booster == "dart") + fold / 10,
                        "train": lr / 2,
                        "status": "ok",
                        "fit_seconds": 0.5,
                    }
                )
    return pd.DataFrame(rows)


# -- construction ----------------------------------------------------------------------------------
def test_from_array_full(full, space):
    assert full.n == len(full) == 6
    assert full.is_full
    assert full.index.tolist() == list(range(6))
    assert full.loss_names == ("test", "train")
    assert np.array_equal(full.loss("test").reshape(space.radices), np.arange(6).reshape(3, 2) / 10)
    assert np.array_equal(full.codes, space.decode(np.arange(6)))
    assert full.codes is full.codes  # cached
    assert full.metadata["dataset"] == "iris"
    assert full.label == "xgb iris fraction=0.25"
    assert "full" in repr(full)


def test_from_array_accepts_a_tensor_and_a_bare_array(space):
    tensor = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    landscape = Landscape.from_array(space, tensor)
    assert landscape.loss_names == ("test",)
    assert landscape.loss().tolist() == [1, 2, 3, 4, 5, 6]


def test_from_array_nan_makes_a_partial_landscape(space):
    values = np.array([0.5, np.nan, 0.2, 0.3, np.nan, 0.1])
    landscape = Landscape.from_array(space, {"test": values, "train": np.zeros(6)})
    assert not landscape.is_full
    assert landscape.index.tolist() == [0, 2, 3, 5]
    assert landscape.loss("test").tolist() == [0.5, 0.2, 0.3, 0.1]
    assert landscape.loss("train").tolist() == [0, 0, 0, 0]
    assert "partial 4/6" in repr(landscape)


def test_from_array_with_index_sorts_rows(space):
    landscape = Landscape.from_array(space, np.array([0.4, 0.0, 0.2]), index=np.array([4, 0, 2]))
    assert landscape.index.tolist() == [0, 2, 4]
    assert landscape.loss().tolist() == [0.0, 0.2, 0.4]
    assert landscape.rows_of(np.array([4, 1, 0, 5])).tolist() == [2, -1, 0, -1]
    with pytest.raises(InputError, match="repeats configurations"):
        Landscape.from_array(space, np.zeros(2), index=np.array([1, 1]))


def test_from_array_wrong_size_is_explained(space):
    with pytest.raises(InputError, match=r"'test' has 5 values but the grid has 6 .*index="):
        Landscape.from_array(space, np.zeros(5))


def test_rows_of_on_a_full_grid(full):
    assert full.rows_of(np.array([5, 0])).tolist() == [5, 0]


def test_constructor_validation(space):
    with pytest.raises(InputError, match="empty"):
        Landscape(space, np.array([], dtype=np.int64), {"test": np.array([])})
    with pytest.raises(InputError, match="sorted and unique"):
        Landscape(space, np.array([2, 1]), {"test": np.zeros(2)})
    with pytest.raises(SpaceError, match="out of range"):
        Landscape(space, np.array([0, 6]), {"test": np.zeros(2)})
    with pytest.raises(InputError, match="at least one loss column"):
        Landscape(space, np.array([0, 1]), {})
    with pytest.raises(InputError, match=r"'test' has \(3,\) values, expected \(2,\)"):
        Landscape(space, np.array([0, 1]), {"test": np.zeros(3)})
    with pytest.raises(InputError, match=r"'test' is NaN or infinite in rows \[1, 2\]"):
        Landscape(space, np.array([0, 1, 2]), {"test": np.array([0.0, np.inf, np.nan])})


def test_landscape_is_immutable(full):
    with pytest.raises(ValueError):
        full.loss("test")[0] = 9.0
    with pytest.raises(ValueError):
        full.index[0] = 3
    with pytest.raises(ValueError):
        full.codes[0, 0] = 1


def test_caller_arrays_are_not_frozen_or_aliased(space):
    # an immutable landscape must neither freeze the caller's arrays nor change with them
    values = np.arange(6, dtype=np.float64)
    index = np.arange(6, dtype=np.int64)
    landscape = Landscape(space, index, {"test": values})
    assert values.flags.writeable and index.flags.writeable
    values[0] = 99.0
    index[0] = 0
    assert landscape.loss()[0] == 0.0


def test_loss_error_names_the_available_columns(full):
    with pytest.raises(InputError, match=r"no loss column 'valid' .*have: test, train"):
        full.loss("valid")


def test_select_mask_and_rows(full):
    by_mask = full.select(full.loss("test") < 0.25)
    assert by_mask.index.tolist() == [0, 1, 2]
    by_rows = full.select([4, 1, 4])
    assert by_rows.index.tolist() == [1, 4]
    assert by_rows.loss("train").tolist() == [0.05, 0.2]
    assert by_rows.metadata == full.metadata
    assert full.n == 6  # unchanged


def test_with_metadata(full):
    other = full.with_metadata(dataset="wine", seed=3)
    assert other.metadata["dataset"] == "wine" and other.metadata["seed"] == 3
    assert full.metadata["dataset"] == "iris"


# -- tables ----------------------------------------------------------------------------------------
def test_frame_round_trip_with_space(full, space):
    frame = full.to_frame()
    assert list(frame.columns) == ["lr", "booster", "test", "train"]
    assert frame["booster"].tolist() == ["gbtree", "dart"] * 3
    again = Landscape.from_frame(frame, space=space)
    assert again.space == space
    assert np.array_equal(again.index, full.index)
    for name in ("test", "train"):
        assert np.array_equal(again.loss(name), full.loss(name))


def test_to_frame_with_metadata_has_group_columns(full):
    frame = full.to_frame(include_metadata=True)
    assert {"model", "dataset", "fidelity_fraction"} <= set(frame.columns)
    again = Landscape.from_frame(frame)
    assert again.metadata["model"] == "xgb"
    assert again.metadata["fidelity_fraction"] == 0.25


def test_from_frame_infers_space_and_averages_folds():
    landscape = Landscape.from_frame(long_table())
    assert landscape.space.names == ("lr", "booster")
    assert landscape.space["lr"].values == (0.01, 0.1)
    assert landscape.space["booster"].values == ("dart", "gbtree")
    assert landscape.is_full
    # test = lr + [dart] + fold/10, averaged over folds 0 and 1 -> + 0.05
    expected = {
        (0.01, "dart"): 1.06,
        (0.01, "gbtree"): 0.06,
        (0.1, "dart"): 1.15,
        (0.1, "gbtree"): 0.15,
    }
    frame = landscape.to_frame()
    for row in frame.itertuples():
        assert row.test == pytest.approx(expected[(row.lr, row.booster)])
    assert landscape.metadata["model"] == "xgb"
    assert landscape.metadata["fidelity_fraction"] == 1.0
    assert landscape.metadata["n_replicates"] == 2
    assert landscape.loss_names == ("test", "train")


def test_failed_rows_are_missing_configurations():
    table = long_table()
    failed = (table["lr"] == 0.1) & (table["booster"] == "dart")
    table.loc[failed, "status"] = "failed"
    table.loc[failed, "test"] = np.nan  # a failed row may hold no loss at all
    landscape = Landscape.from_frame(table)
    assert landscape.n == 3 and not landscape.is_full
    assert landscape.metadata["n_failed"] == 2
    assert landscape.space.size == 4  # the space still knows both values
    table["status"] = "failed"
    with pytest.raises(InputError, match="every row has a status other than 'ok'"):
        Landscape.from_frame(table)


def test_duplicates_name_rows_and_aggregate_fixes_them():
    table = long_table().drop(columns="fold")
    with pytest.raises(InputError) as info:
        Landscape.from_frame(table, source="runs.csv")
    message = str(info.value)
    assert "runs.csv" in message and "duplicate configurations" in message
    assert "[0, 1, 2, 3, 4, 5, 6, 7]" in message
    assert "aggregate='mean'" in message
    mean = Landscape.from_frame(table, aggregate="mean")
    assert mean.n == 4
    assert sorted(mean.loss()) == pytest.approx([0.06, 0.15, 1.06, 1.15])
    # (0.1, gbtree) gets a third replicate: 0.1, 0.2, 5.0 -> median 0.2, mean 1.7667
    three = pd.concat([table, table.iloc[[0]].assign(test=5.0)], ignore_index=True)
    median = Landscape.from_frame(three, aggregate="median").to_frame()
    mean = Landscape.from_frame(three, aggregate="mean").to_frame()
    pick = (median["lr"] == 0.1) & (median["booster"] == "gbtree")
    assert median.loc[pick, "test"].tolist() == pytest.approx([0.2])
    assert mean.loc[pick, "test"].tolist() == pytest.approx([5.3 / 3])


def test_duplicate_fold_is_a_duplicate():
    table = pd.concat([long_table(), long_table().iloc[[3]]], ignore_index=True)
    with pytest.raises(InputError, match=r"duplicate configurations and fold at rows \[3, 8\]"):
        Landscape.from_frame(table)


def test_invalid_losses_raise_or_drop():
    table = long_table()
    table.loc[2, "test"] = np.nan
    table.loc[5, "train"] = np.inf
    with pytest.raises(InputError) as info:
        Landscape.from_frame(table, source="runs.csv")
    message = str(info.value)
    assert "'test'" in message and "'train'" in message and "[2, 5]" in message
    assert "on_invalid='drop'" in message
    dropped = Landscape.from_frame(table, on_invalid="drop")
    assert dropped.metadata["n_invalid"] == 2
    assert dropped.n == 4  # the other fold still covers every configuration
    assert np.isfinite(dropped.loss("train")).all()
    every = long_table().assign(test=np.nan)
    with pytest.raises(InputError, match="no row left"):
        Landscape.from_frame(every, on_invalid="drop")


def test_unknown_columns_are_named():
    table = long_table().assign(notes="x", comment=1)
    with pytest.raises(InputError, match=r"unknown column\(s\) 'notes', 'comment'"):
        Landscape.from_frame(table, hp_columns=["lr", "booster"])
    landscape = Landscape.from_frame(
        table, hp_columns=["lr", "booster"], ignore_columns=["notes", "comment"]
    )
    assert landscape.space.names == ("lr", "booster")


def test_non_numeric_loss_column_is_named():
    table = long_table()
    table["test"] = table["test"].astype(object)
    table.loc[3, "test"] = "n/a"
    with pytest.raises(
        InputError, match=r"loss column 'test' is not numeric: value 'n/a' in rows \[3\]"
    ):
        Landscape.from_frame(table)
    as_text = long_table().assign(test=lambda f: f["test"].astype(str))
    landscape = Landscape.from_frame(as_text)  # numbers written as text are fine
    assert landscape.loss().dtype == np.float64


def test_one_valued_hyperparameter_is_named():
    table = long_table()
    table["max_bin"] = 256
    with pytest.raises(SpaceError, match=r"column 'max_bin' has only one value \(256\)"):
        Landscape.from_frame(table)


def test_empty_table_and_missing_loss_columns():
    with pytest.raises(InputError, match="empty"):
        Landscape.from_frame(long_table().iloc[:0])
    with pytest.raises(InputError, match="no loss column found"):
        Landscape.from_frame(long_table().drop(columns=["test", "train"]))
    with pytest.raises(InputError, match="loss column 'valid' not found"):
        Landscape.from_frame(long_table(), loss_columns=["valid"])
    with pytest.raises(InputError, match="on_invalid"):
        Landscape.from_frame(long_table(), on_invalid="ignore")
    with pytest.raises(InputError, match="aggregate"):
        Landscape.from_frame(long_table(), aggregate="max")


def test_several_landscapes_in_one_frame_are_refused():
    table = pd.concat([long_table(), long_table().assign(dataset="wine")], ignore_index=True)
    with pytest.raises(InputError, match=r"'dataset' holds 2 values .*read_landscapes"):
        Landscape.from_frame(table)


def test_value_outside_a_given_space_is_named(space):
    table = long_table().assign(lr=lambda f: f["lr"].replace(0.1, 0.5))
    with pytest.raises(SpaceError, match=r"column 'lr' holds value 0.5"):
        Landscape.from_frame(table, space=space)


def test_the_input_frame_is_not_modified():
    table = long_table()
    table.loc[1, "test"] = np.nan
    before = table.copy()
    Landscape.from_frame(table, on_invalid="drop")
    pd.testing.assert_frame_equal(table, before)
