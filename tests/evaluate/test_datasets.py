from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossatlas.errors import InputError, LossAtlasError
from lossatlas.evaluate._datasets import list_datasets, load_dataset
from lossatlas.evaluate._tasks import fold_indices, nested_subsample


@pytest.mark.parametrize(
    ("name", "shape", "task", "n_classes"),
    [
        ("iris", (150, 4), "classification", 3),
        ("wine", (178, 13), "classification", 3),
        ("breast_cancer", (569, 30), "classification", 2),
        ("digits", (1797, 64), "classification", 10),
        ("diabetes", (442, 10), "regression", 0),
    ],
)
def test_bundled_datasets(name, shape, task, n_classes):
    ds = load_dataset(name)
    assert ds.X.shape == shape and ds.X.dtype == np.float64
    assert ds.task == task and ds.n_classes == n_classes
    if task == "classification":
        assert set(np.unique(ds.y)) == set(range(n_classes))
    assert name in list_datasets()


def test_digits_is_an_image_dataset():
    assert load_dataset("digits").image_shape == (8, 8)
    assert load_dataset("iris").image_shape is None


def test_make_classification_records_its_seed_and_is_reproducible():
    a = load_dataset("make_classification:n_samples=120,seed=3")
    b = load_dataset("make_classification:n_samples=120,seed=3")
    c = load_dataset("make_classification:n_samples=120,seed=4")
    assert a.metadata["seed"] == 3 and "seed=3" in a.name
    np.testing.assert_array_equal(a.X, b.X)
    assert a.fingerprint == b.fingerprint != c.fingerprint
    assert a.X.shape == (120, 10)


def test_unknown_dataset_and_bad_options():
    with pytest.raises(InputError, match="unknown dataset 'nope'"):
        load_dataset("nope")
    with pytest.raises(InputError, match="not key=value"):
        load_dataset("make_classification:seed")
    with pytest.raises(InputError, match="regression dataset, not classification"):
        load_dataset("diabetes", task="classification")


def test_openml_without_package_or_network_is_a_clear_error():
    # openml is not installed here, or the network is unreachable: either way one clear error
    with pytest.raises(LossAtlasError, match="openml"):
        load_dataset("openml:61")


def _write(tmp_path, frame, name="data.csv"):
    path = tmp_path / name
    if name.endswith(".csv"):
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return path


def test_user_csv_and_parquet(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"a": rng.normal(size=30), "b": rng.normal(size=30), "label": ["x", "y", "z"] * 10}
    )
    for name in ("data.csv", "data.parquet"):
        ds = load_dataset(_write(tmp_path, frame, name), target="label")
        assert ds.task == "classification" and ds.classes == ("x", "y", "z")
        assert ds.X.shape == (30, 2) and ds.feature_names == ("a", "b")
        assert len(ds.metadata["sha256"]) == 64
    frame["price"] = rng.normal(size=30) * 100
    ds = load_dataset(_write(tmp_path, frame.drop(columns="label")), target="price")
    assert ds.task == "regression" and ds.y.dtype == np.float64


def test_missing_target_column_names_file_and_column(tmp_path):
    path = _write(tmp_path, pd.DataFrame({"a": [1, 2, 3], "b": [0, 1, 0]}))
    with pytest.raises(InputError, match=r"data\.csv: target column 'y' not found.*\['a', 'b'\]"):
        load_dataset(path, target="y")
    with pytest.raises(InputError, match="name the target column"):
        load_dataset(path)


def test_non_numeric_feature_names_column_value_and_row(tmp_path):
    frame = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0, 4.0], "colour": ["1", "2", "red", "4"], "y": [0, 1, 0, 1]}
    )
    with pytest.raises(InputError, match=r"data\.csv: feature column 'colour'.*'red' in row 2"):
        load_dataset(_write(tmp_path, frame), target="y")


def test_nan_target_names_the_rows(tmp_path):
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0], "y": [0, None, 1, None, 0]})
    with pytest.raises(InputError, match=r"data\.csv: target column 'y' is empty.*2 row.*\[1, 3\]"):
        load_dataset(_write(tmp_path, frame), target="y")


def test_missing_file():
    with pytest.raises(InputError, match="no such dataset file"):
        load_dataset("/nonexistent/x.csv", target="y")


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(8, 80),
    n_classes=st.integers(2, 4),
    fractions=st.lists(st.floats(0.05, 1.0), min_size=2, max_size=4),
    seed=st.integers(0, 5),
)
def test_nested_subsample_is_nested_stratified_and_keeps_every_class(n, n_classes, fractions, seed):
    rng = np.random.default_rng(seed)
    y = np.concatenate([np.arange(n_classes), rng.integers(0, n_classes, size=n)])
    train = np.sort(rng.choice(len(y), size=len(y) - 3, replace=False))
    subsets = {f: nested_subsample(train, y, f, seed=seed, fold=1) for f in sorted(fractions)}
    previous: set[int] = set()
    for fraction, rows in subsets.items():
        assert set(rows) >= previous  # nested
        assert set(rows) <= set(train)
        assert len(rows) >= min(len(train), int(np.ceil(fraction * len(train))))
        assert set(y[rows]) == set(y[train])  # every class present
        previous = set(rows)
    np.testing.assert_array_equal(nested_subsample(train, y, 1.0, seed=seed, fold=1), train)


def test_nested_subsample_is_roughly_stratified():
    y = np.array([0] * 300 + [1] * 100)
    rows = nested_subsample(np.arange(400), y, 0.25, seed=0, fold=0)
    assert len(rows) == 100
    assert abs(np.mean(y[rows] == 1) - 0.25) <= 0.02


def test_folds_are_stratified_and_seeded():
    ds = load_dataset("iris")
    a = fold_indices(ds, 3, 0)
    b = fold_indices(ds, 3, 0)
    c = fold_indices(ds, 3, 1)
    assert all(np.array_equal(x[1], y[1]) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0][1], c[0][1])
    for _, test in a:
        assert all(count in (16, 17) for count in np.bincount(ds.y[test]))
    assert sorted(np.concatenate([t for _, t in a]).tolist()) == list(range(150))
