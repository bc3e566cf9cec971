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


def test_openml_without_package_or_network_is_a_clear_error(tmp_path, monkeypatch):
    # openml is not installed here, or the network is unreachable: either way one clear error,
    # quickly (the lookup is bounded by a timeout, never a hang)
    import time

    monkeypatch.setenv("LOSSATLAS_CACHE", str(tmp_path))
    start = time.monotonic()
    with pytest.raises(LossAtlasError, match="openml") as info:
        load_dataset("openml:61")
    assert time.monotonic() - start < 10
    assert "\n" not in str(info.value)


def test_openml_reads_its_local_cache_without_network(tmp_path, monkeypatch):
    import lossatlas.evaluate._datasets as datasets

    monkeypatch.setenv("LOSSATLAS_CACHE", str(tmp_path))
    monkeypatch.setattr(datasets, "_reachable", lambda host, timeout: pytest.fail("no network"))
    cache = datasets.openml_cache_dir() / "61.parquet"
    cache.parent.mkdir(parents=True)
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [0.5, 0.1, 0.2, 0.3]})
    frame.assign(__target__=["x", "y", "x", "y"]).to_parquet(cache)
    ds = load_dataset("openml:61")
    assert ds.X.shape == (4, 2) and ds.classes == ("x", "y") and ds.task == "classification"
    assert ds.metadata["cache"] == str(cache)


@pytest.mark.parametrize(
    ("name", "rows", "task", "n_classes"),
    [
        ("hastie_10_2", 12000, "classification", 2),
        ("classification_noisy", 10000, "classification", 2),
        ("classification_imbalanced", 8000, "classification", 2),
        ("classification_multiclass", 20000, "classification", 5),
        ("classification_hard", 5000, "classification", 2),
        ("moons", 5000, "classification", 2),
        ("circles", 5000, "classification", 2),
        ("friedman1", 5000, "regression", 0),
        ("friedman2", 5000, "regression", 0),
        ("friedman3", 5000, "regression", 0),
    ],
)
def test_offline_datasets_of_realistic_size(name, rows, task, n_classes):
    ds = load_dataset(name)
    assert ds.n_samples == rows and ds.task == task and ds.n_classes == n_classes
    assert ds.name == name and ds.metadata["preset"] == name
    again = load_dataset(name)
    assert ds.fingerprint == again.fingerprint  # seeded: the same data every time
    if name == "classification_imbalanced":
        share = np.bincount(ds.y) / rows
        assert 0.1 < share.min() < 0.25


def test_suites_expand_in_order_without_repeats():
    from lossatlas.evaluate._datasets import SUITES, expand_datasets

    names = expand_datasets(["moons", "suite:offline-classification", "suite:offline-images"])
    assert names[0] == "moons" and len(names) == len(set(names))
    assert names[1:] == [n for n in SUITES["offline-classification"] if n != "moons"]
    for suite in SUITES.values():
        assert all(name in list_datasets() for name in suite)
    with pytest.raises(InputError, match="unknown suite 'suite:nope'"):
        expand_datasets(["suite:nope"])


def test_make_classification_noise_and_imbalance_options():
    ds = load_dataset("make_classification:n_samples=2000,seed=1,imbalance=0.25,flip_y=0.0")
    share = np.bincount(ds.y) / 2000
    assert share[1] == pytest.approx(0.2, abs=0.02)
    assert "imbalance=0.25" in ds.name and ds.metadata["flip_y"] == 0.0


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


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(40, 300),
    n_classes=st.integers(2, 4),
    folds=st.integers(2, 5),
    test_size=st.sampled_from([0.1, 0.2, 0.33]),
    seed=st.integers(0, 10_000),
    regression=st.booleans(),
)
def test_held_out_split_never_leaks_into_the_folds(
    n, n_classes, folds, test_size, seed, regression
):
    from lossatlas.evaluate._datasets import Dataset
    from lossatlas.evaluate._tasks import evaluation_splits

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    if regression:
        ds = Dataset("r", X, rng.normal(size=n), "regression")
    else:
        y = np.arange(n) % n_classes
        ds = Dataset("c", X, y, "classification", classes=tuple(range(n_classes)))
    test, parts = evaluation_splits(ds, folds, seed, test_size=test_size)
    again, _ = evaluation_splits(ds, folds, seed, test_size=test_size)
    np.testing.assert_array_equal(test, again)  # seeded
    assert len(test) == pytest.approx(test_size * n, abs=n_classes + 1)
    valid_rows = np.concatenate([valid for _, valid in parts])
    # the folds partition exactly the rows that are not held out
    np.testing.assert_array_equal(np.sort(valid_rows), np.setdiff1d(np.arange(n), test))
    for train, valid in parts:
        assert not np.intersect1d(train, test).size and not np.intersect1d(valid, test).size
        assert not np.intersect1d(train, valid).size
        for fraction in (0.1, 0.5):  # fidelity subsamples come from the training part only
            sub = nested_subsample(train, None if regression else ds.y, fraction, seed=seed, fold=0)
            assert np.isin(sub, train).all()
    if not regression:  # stratified: every class in the held-out split
        assert set(ds.y[test]) == set(range(n_classes)) or len(test) < n_classes


def test_no_test_size_keeps_the_folds_of_before():
    from lossatlas.evaluate._tasks import evaluation_splits

    ds = load_dataset("iris")
    test, parts = evaluation_splits(ds, 3, 7)
    assert test is None
    for (a_train, a_valid), (b_train, b_valid) in zip(parts, fold_indices(ds, 3, 7), strict=True):
        np.testing.assert_array_equal(a_train, b_train)
        np.testing.assert_array_equal(a_valid, b_valid)
