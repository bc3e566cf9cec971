"""The full-grid fast path of Landscape.from_frame gives what the general path gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossatlas.errors import LossAtlasError
from lossatlas.landscape import Landscape, _in_grid_order
from lossatlas.space import SearchSpace


def _grid_frame(sizes: list[int], seed: int, *, floats: bool) -> tuple[SearchSpace, pd.DataFrame]:
    grid = {
        f"h{j}": [round(0.5 * v + 0.25, 3) if floats else 3 * v - 2 for v in range(k)]
        for j, k in enumerate(sizes)
    }
    space = SearchSpace.from_dict(grid)
    frame = space.frame_from_codes(space.decode(np.arange(space.size)))
    rng = np.random.default_rng(seed)
    frame["test"] = rng.normal(size=space.size)
    frame["train"] = rng.integers(0, 3, size=space.size).astype(float)  # ties
    frame["dataset"] = "d"
    return space, frame


def _same(a: Landscape, b: Landscape) -> None:
    assert a.space == b.space
    np.testing.assert_array_equal(a.index, b.index)
    for name in ("test", "train"):
        np.testing.assert_array_equal(a.losses[name], b.losses[name])
    assert a.metadata == b.metadata


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(2, 5), min_size=1, max_size=4),
    seed=st.integers(0, 10_000),
    floats=st.booleans(),
)
def test_fast_path_equals_the_general_path(sizes, seed, floats):
    space, frame = _grid_frame(sizes, seed, floats=floats)
    assert _in_grid_order(frame, space)
    shuffled = frame.sample(frac=1.0, random_state=seed)
    if space.size > 1 and not shuffled.index.equals(frame.index):
        assert not _in_grid_order(shuffled.reset_index(drop=True), space)
    fast = Landscape.from_frame(frame, space=space)
    slow = Landscape.from_frame(shuffled, space=space)
    _same(fast, slow)
    inferred = Landscape.from_frame(frame)  # space inferred from the table, fast path too
    _same(inferred, slow)
    assert fast.metadata["dataset"] == "d" and fast.metadata["n_replicates"] == 1


def test_fast_path_is_not_taken_for_a_value_off_the_grid_or_a_partial_table():
    space, frame = _grid_frame([3, 4], 0, floats=False)
    bad = frame.copy()
    bad.loc[5, "h1"] = 99
    assert not _in_grid_order(bad, space)
    with pytest.raises(LossAtlasError, match="99"):
        Landscape.from_frame(bad, space=space)
    assert not _in_grid_order(frame.iloc[:-1], space)
    partial = Landscape.from_frame(frame.iloc[:-1], space=space)
    assert partial.n == space.size - 1
    # a duplicated configuration replacing another is still caught by the general path
    dup = frame.copy()
    dup.loc[1, ["h0", "h1"]] = dup.loc[0, ["h0", "h1"]].to_numpy()
    assert not _in_grid_order(dup, space)
    with pytest.raises(LossAtlasError, match="duplicate"):
        Landscape.from_frame(dup, space=space)
