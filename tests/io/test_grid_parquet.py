"""The quick Parquet read of full grids (io._grid_parquet) against the general pandas path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lossatlas.io import read_landscapes, read_table, write_landscape, write_table
from lossatlas.io._grid_parquet import read_grid_parquet
from lossatlas.io._tables import _space_from_parquet
from lossatlas.landscape import Landscape
from lossatlas.space import Hyperparameter, SearchSpace

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@st.composite
def grids(draw: st.DrawFn) -> Landscape:
    d = draw(st.integers(1, 3))
    hps = []
    for j in range(d):
        k = draw(st.integers(2, 4))
        values = draw(st.lists(st.integers(-20, 20), min_size=k, max_size=k, unique=True))
        if draw(st.booleans()):
            values = [v / 4 for v in values]
        kind = draw(st.sampled_from(["ordinal", "categorical"]))
        hps.append(Hyperparameter(f"h{j}", tuple(values), kind))
    space = SearchSpace(hps)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    losses = {"test": rng.integers(0, 5, space.size) / 8, "train": rng.random(space.size)}
    meta = draw(
        st.sampled_from([{}, {"dataset": "d"}, {"model": "m", "dataset": "d", "fidelity_n": 3}])
    )
    return Landscape.from_array(space, losses, metadata=meta)


def _general(path, **options) -> list[Landscape]:
    return read_landscapes(
        read_table(path), space=_space_from_parquet(path), name=str(path), **options
    )


def _same(a: Landscape, b: Landscape) -> None:
    assert a.space == b.space
    assert np.array_equal(a.index, b.index)
    assert a.losses.keys() == b.losses.keys()
    for name in a.losses:
        assert np.array_equal(a.losses[name], b.losses[name])
    assert list(a.metadata.items()) == list(b.metadata.items())


@SETTINGS
@given(grids(), st.booleans())
def test_quick_read_is_the_general_read(tmp_path, landscape, maximize):
    path = tmp_path / "grid.parquet"
    write_landscape(landscape, path)
    quick = read_grid_parquet(path, landscape.space, {"maximize": maximize})
    assert quick is not None
    (general,) = _general(path, maximize=maximize)
    _same(quick, general)
    (loaded,) = read_landscapes(path, maximize=maximize)
    _same(loaded, general)


@SETTINGS
@given(grids())
def test_anything_but_a_clean_full_grid_goes_the_general_way(tmp_path, landscape):
    space = landscape.space
    frame = landscape.to_frame(include_metadata=True)
    cases = {
        "partial": frame.iloc[1:],
        "shuffled": frame.iloc[::-1],
        "failed rows": frame.assign(status="ok"),
        "nan loss": frame.assign(test=np.r_[np.nan, frame["test"].to_numpy()[1:]]),
        "two datasets": frame.assign(
            dataset=["a", "b"] * (len(frame) // 2) + ["a"] * (len(frame) % 2)
        ),
        "unknown column": frame.assign(other=1),
    }
    for label, case in cases.items():
        path = tmp_path / f"{label}.parquet"
        write_table(case, path, space=space)
        assert read_grid_parquet(path, space, {}) is None, label
    path = tmp_path / "grid.parquet"
    write_table(frame, path, space=space)
    assert read_grid_parquet(path, space, {"aggregate": "mean"}) is None


def test_categorical_text_values_go_the_general_way(tmp_path):
    space = SearchSpace(
        [Hyperparameter("c", ("a", "b"), "categorical"), Hyperparameter("x", (1, 2), "ordinal")]
    )
    landscape = Landscape.from_array(space, np.arange(4.0))
    path = tmp_path / "t.parquet"
    write_landscape(landscape, path)
    assert read_grid_parquet(path, space, {}) is None
    (loaded,) = read_landscapes(path)
    assert np.array_equal(loaded.loss(), landscape.loss())


@pytest.mark.parametrize("groups", [{"dataset": "d"}, {"fidelity_epochs": 5}])
def test_group_values_read_as_pandas_reads_them(tmp_path, groups):
    space = SearchSpace.from_dict({"x": [0, 1, 2]})
    frame = pd.DataFrame({**groups, "x": [0, 1, 2], "test": [0.3, 0.1, 0.2]})
    path = tmp_path / "g.parquet"
    write_table(frame, path, space=space)
    quick = read_grid_parquet(path, space, {})
    assert quick is not None
    (general,) = _general(path)
    _same(quick, general)
    for key, value in groups.items():
        assert type(quick.metadata[key]) is type(value)
