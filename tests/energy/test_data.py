"""Offline energy data sets: splits, standardisation, binary collapse, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from lossatlas.energy import EnergyDataset, available_energy_datasets, load_energy_dataset
from lossatlas.errors import InputError


@pytest.mark.parametrize("name", available_energy_datasets())
def test_every_dataset_loads_standardised(name: str) -> None:
    ds = load_energy_dataset(name, seed=1)
    assert isinstance(ds, EnergyDataset)
    assert ds.X_train.shape[1] == ds.X_test.shape[1] == len(ds.feature_names)
    assert ds.X_train.shape[0] == ds.y_train.shape[0] and ds.X_test.shape[0] == ds.y_test.shape[0]
    n = ds.X_train.shape[0] + ds.X_test.shape[0]
    assert ds.X_test.shape[0] == pytest.approx(0.3 * n, abs=len(np.unique(ds.y_train)) + 1)
    np.testing.assert_allclose(ds.X_train.mean(0), 0.0, atol=1e-10)
    np.testing.assert_allclose(ds.X_train.std(0), 1.0, atol=1e-10)
    assert ds.task in ("classification", "regression")
    if ds.task == "classification":
        assert ds.y_train.dtype.kind == "i"
        assert set(np.unique(ds.y_train)) == set(range(ds.n_classes))


def test_known_sizes_and_stratification() -> None:
    ds = load_energy_dataset("iris")
    assert ds.X_train.shape == (105, 4) and ds.X_test.shape == (45, 4)
    assert np.bincount(ds.y_train).tolist() == [35, 35, 35]
    assert ds.n_classes == 3 and ds.task == "classification"
    assert load_energy_dataset("diabetes").task == "regression"
    assert load_energy_dataset("sine").X_train.shape[1] == 1


def test_seeded_and_reproducible() -> None:
    a = load_energy_dataset("xor", seed=4)
    b = load_energy_dataset("xor", seed=4)
    c = load_energy_dataset("xor", seed=5)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_train, c.X_train)


def test_binary_collapse() -> None:
    ds = load_energy_dataset("iris", binary=True)
    assert ds.name == "iris-binary" and ds.n_classes == 2
    assert np.bincount(ds.y_train).tolist() == [70, 35]  # last class against the rest
    with pytest.raises(InputError):
        load_energy_dataset("diabetes", binary=True)


def test_relevance_signal_is_in_the_known_features() -> None:
    ds = load_energy_dataset("relevance", test_fraction=0.0)
    assert ds.relevant_features == (0, 1) and ds.X_test.shape[0] == 0
    corr = [abs(np.corrcoef(ds.X_train[:, k], ds.y_train)[0, 1]) for k in range(6)]
    assert min(corr[0], corr[1]) > 0.3 > max(corr[2:])


def test_subsample_and_errors() -> None:
    ds = load_energy_dataset("diabetes", n_samples=50, test_fraction=0.2)
    assert ds.X_train.shape[0] + ds.X_test.shape[0] == 50
    with pytest.raises(InputError, match="iris"):
        load_energy_dataset("mnist")
    with pytest.raises(InputError):
        load_energy_dataset("iris", test_fraction=1.0)
    with pytest.raises(InputError):
        load_energy_dataset("iris", n_samples=1)
