"""Tests of lossatlas.space: hyperparameters, mixed-radix codes, grid distance, inference."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossatlas.errors import InputError, SpaceError
from lossatlas.space import Hyperparameter, SearchSpace


@pytest.fixture
def mixed() -> SearchSpace:
    return SearchSpace(
        [
            Hyperparameter("lr", (0.3, 0.01, 0.1), "ordinal", log=True),
            Hyperparameter("booster", ("gbtree", "dart"), "categorical"),
            Hyperparameter("shrink", (False, True), "boolean"),
            Hyperparameter("depth", (2, 4, 8, 16), "ordinal"),
        ]
    )


# -- Hyperparameter --------------------------------------------------------------------------------
def test_ordinal_values_are_sorted_and_categorical_keep_their_order():
    assert Hyperparameter("lr", (0.3, 0.01, 0.1)).values == (0.01, 0.1, 0.3)
    assert Hyperparameter("b", ("z", "a", "m"), "categorical").values == ("z", "a", "m")


def test_numpy_scalars_become_python_scalars():
    hp = Hyperparameter("n", tuple(np.array([3, 1, 2])))
    assert hp.values == (1, 2, 3)
    assert all(type(v) is int for v in hp.values)
    assert hp.code_of(np.int64(2)) == 1


def test_boolean_defaults_to_false_true():
    hp = Hyperparameter("flag", (), "boolean")
    assert hp.values == (False, True)
    assert hp.size == 2
    assert not hp.is_ordinal


def test_code_of_and_its_error_names_value_and_hp():
    hp = Hyperparameter("depth", (2, 4, 8))
    assert [hp.code_of(v) for v in (2, 4, 8)] == [0, 1, 2]
    with pytest.raises(SpaceError, match=r"value 5 .*'depth'"):
        hp.code_of(5)
    with pytest.raises(SpaceError, match="depth"):
        hp.code_of([1, 2])  # unhashable


@pytest.mark.parametrize(
    ("values", "kind", "match"),
    [
        ((1,), "ordinal", r"'x' has 1 value"),
        ((), "ordinal", r"'x' has 0 value"),
        ((1, 2, 1), "ordinal", r"'x' repeats values 1"),
        (("a", "b"), "nominal", r"unknown kind 'nominal'"),
        ((1, "a"), "ordinal", r"cannot be sorted; declare it categorical"),
    ],
)
def test_bad_hyperparameters(values, kind, match):
    with pytest.raises(SpaceError, match=match):
        Hyperparameter("x", values, kind)


def test_space_errors_are_input_errors_and_value_errors():
    with pytest.raises(InputError):
        Hyperparameter("x", (1,))
    with pytest.raises(ValueError):
        Hyperparameter("x", (1,))


# -- SearchSpace -----------------------------------------------------------------------------------
def test_radices_strides_size(mixed):
    assert mixed.names == ("lr", "booster", "shrink", "depth")
    assert mixed.radices.tolist() == [3, 2, 2, 4]
    assert mixed.strides.tolist() == [16, 8, 4, 1]
    assert mixed.size == 48
    assert len(mixed) == 4
    assert mixed.is_ordinal.tolist() == [True, False, False, True]
    assert mixed.radices.dtype == np.int64 and mixed.strides.dtype == np.int64
    assert mixed["booster"].values == ("gbtree", "dart")
    with pytest.raises(SpaceError, match="no hyperparameter named 'gamma'"):
        mixed["gamma"]


def test_encode_decode_match_numpy_ravel(mixed):
    codes = np.array(list(itertools.product(*(range(r) for r in mixed.radices))))
    flat = mixed.encode(codes)
    assert flat.tolist() == list(range(mixed.size))  # C order: last HP fastest
    assert np.array_equal(flat, np.ravel_multi_index(codes.T, mixed.radices))
    assert np.array_equal(mixed.decode(flat), codes)
    assert mixed.encode(np.array([2, 1, 0, 3])).tolist() == [2 * 16 + 8 + 3]
    for j in range(len(mixed)):
        assert np.array_equal(mixed.code_column(flat, j), codes[:, j])


def test_encode_rejects_bad_codes(mixed):
    with pytest.raises(SpaceError, match=r"code 3 of row 1 .*'lr' \(3 values\)"):
        mixed.encode(np.array([[0, 0, 0, 0], [3, 0, 0, 0]]))
    with pytest.raises(SpaceError, match="out of range"):
        mixed.encode(np.array([[0, -1, 0, 0]]))
    with pytest.raises(SpaceError, match="3 columns"):
        mixed.encode(np.zeros((2, 3), dtype=int))


def test_duplicate_names_and_empty_space():
    with pytest.raises(SpaceError, match="names repeat: a"):
        SearchSpace([Hyperparameter("a", (1, 2)), Hyperparameter("a", (3, 4))])
    with pytest.raises(SpaceError, match="at least one hyperparameter"):
        SearchSpace([])


def test_equality_and_hash():
    a = SearchSpace.from_dict({"x": [1, 2], "y": ["u", "v"]})
    b = SearchSpace.from_dict({"x": [2, 1], "y": ["u", "v"]})
    c = SearchSpace.from_dict({"x": [1, 2], "y": ["v", "u"]})
    assert a == b and hash(a) == hash(b)
    assert a != c
    assert "x[ord x2]" in repr(a) and "4 configurations" in repr(a)


def test_distance_is_manhattan_plus_hamming(mixed):
    a = np.array([0, 0, 0, 0])
    b = np.array([2, 1, 1, 3])
    # lr: |0-2| = 2, booster differs: 1, shrink differs: 1, depth |0-3| = 3
    assert mixed.distance(a, b) == 7
    assert mixed.distance(b, a) == 7
    assert mixed.distance(a, a) == 0
    # categorical distance is 0/1 however far apart the codes are
    space = SearchSpace([Hyperparameter("c", ("a", "b", "c", "d"), "categorical")])
    assert space.distance(np.array([[0]]), np.array([[3]])).tolist() == [1]
    # broadcasts over leading dimensions
    many = mixed.decode(np.arange(mixed.size))
    assert mixed.distance(many, a).shape == (mixed.size,)
    assert mixed.distance(many[:, None, :], many[None, :, :]).shape == (48, 48)


def test_max_degree(mixed):
    # lr: 2 (middle value), booster: 1, shrink: 1, depth: 2
    assert mixed.max_degree == 6
    assert SearchSpace.from_dict({"c": ["a", "b", "c", "d"]}).max_degree == 3
    assert SearchSpace.from_dict({"o": [1, 2]}).max_degree == 1


def test_dict_round_trip(mixed):
    described = mixed.to_dict()
    assert described["lr"] == {"values": [0.01, 0.1, 0.3], "kind": "ordinal", "log": True}
    assert described["shrink"]["kind"] == "boolean"
    again = SearchSpace.from_dict(described)
    assert again == mixed
    assert again["lr"].log


def test_from_dict_infers_kinds():
    space = SearchSpace.from_dict({"n": [3, 1, 2], "c": ["b", "a"], "f": [True, False]})
    assert [hp.kind for hp in space.hyperparameters] == ["ordinal", "categorical", "boolean"]
    assert space["n"].values == (1, 2, 3)
    with pytest.raises(SpaceError, match="'values'"):
        SearchSpace.from_dict({"n": {"kind": "ordinal"}})


def test_codes_from_frame_and_back(mixed):
    codes = mixed.decode(np.arange(mixed.size))
    frame = mixed.frame_from_codes(codes)
    assert list(frame.columns) == list(mixed.names)
    assert frame["lr"].dtype == np.float64
    assert frame["depth"].dtype == np.int64
    assert frame["shrink"].dtype == bool
    assert frame.loc[5].tolist() == [0.01, "gbtree", True, 4]  # 5 = 0*16 + 0*8 + 1*4 + 1
    assert np.array_equal(mixed.codes_from_frame(frame), codes)
    shuffled = frame.sample(frac=1.0, random_state=0)
    assert np.array_equal(mixed.codes_from_frame(shuffled), codes[shuffled.index])


def test_codes_from_frame_names_column_value_and_rows(mixed):
    frame = mixed.frame_from_codes(mixed.decode(np.arange(6)))
    frame.loc[[2, 4], "depth"] = 32
    with pytest.raises(
        SpaceError, match=r"results.csv: column 'depth' holds value 32 \(rows \[2, 4\]\)"
    ):
        mixed.codes_from_frame(frame, source="results.csv")
    with pytest.raises(SpaceError, match="missing: booster"):
        mixed.codes_from_frame(frame.drop(columns="booster"))


def test_frame_from_no_codes(mixed):
    frame = mixed.frame_from_codes(np.empty((0, 4), dtype=np.int64))
    assert len(frame) == 0 and list(frame.columns) == list(mixed.names)


def test_from_frame_infers_kinds_and_sorted_values():
    frame = pd.DataFrame(
        {
            "lr": [0.1, 0.01, 0.1, 1.0],
            "depth": [3, 1, 2, 3],
            "booster": ["gbtree", "dart", "gbtree", "linear"],
            "flag": [True, False, True, True],
        }
    )
    space = SearchSpace.from_frame(frame, ["lr", "depth", "booster", "flag"])
    kinds = {hp.name: hp.kind for hp in space.hyperparameters}
    assert kinds == {
        "lr": "ordinal",
        "depth": "ordinal",
        "booster": "categorical",
        "flag": "boolean",
    }
    assert space["lr"].values == (0.01, 0.1, 1.0)
    assert space["booster"].values == ("dart", "gbtree", "linear")
    assert space["flag"].values == (False, True)
    override = SearchSpace.from_frame(frame, ["depth", "booster"], kinds={"depth": "categorical"})
    assert override["depth"].kind == "categorical"
    assert override["depth"].values == (1, 2, 3)


def test_from_frame_errors_name_the_column():
    frame = pd.DataFrame({"a": [1, 1, 1], "b": [1.0, None, 2.0], "c": [1, 2, 3]})
    with pytest.raises(
        SpaceError, match=r"t.csv: hyperparameter column 'a' has only one value \(1\)"
    ):
        SearchSpace.from_frame(frame, ["a"], source="t.csv")
    with pytest.raises(SpaceError, match=r"column 'b' is empty in rows \[1\]"):
        SearchSpace.from_frame(frame, ["b"])
    with pytest.raises(SpaceError, match="not hyperparameters: z"):
        SearchSpace.from_frame(frame, ["c"], kinds={"z": "ordinal"})


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(2, 4), min_size=1, max_size=4), st.data())
def test_encode_decode_round_trip_on_random_spaces(radices, data):
    space = SearchSpace([Hyperparameter(f"h{j}", tuple(range(r))) for j, r in enumerate(radices)])
    flat = np.asarray(
        data.draw(st.lists(st.integers(0, space.size - 1), max_size=20)), dtype=np.int64
    )
    codes = space.decode(flat)
    assert codes.shape == (len(flat), len(radices))
    assert np.array_equal(space.encode(codes), flat)
    if len(flat):
        assert np.array_equal(codes, np.stack(np.unravel_index(flat, radices), axis=1))
