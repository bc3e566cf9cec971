"""Small offline data sets for the energy-landscape potentials.

Bundled scikit-learn sets (``iris``, ``wine``, ``breast_cancer``, ``diabetes``) and seeded
generated ones (``blobs``, ``xor``, ``relevance``, ``sine``). Inputs are standardised with the
mean and standard deviation of the training split (the reference work normalises inputs).
Nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lossatlas.errors import InputError, require

__all__ = ["EnergyDataset", "available_energy_datasets", "load_energy_dataset"]


@dataclass(frozen=True)
class EnergyDataset:
    """A train/test split ready for a potential.

    Attributes
    ----------
    name : str
        Data set name (with ``"-binary"`` appended when collapsed to two classes).
    X_train, y_train, X_test, y_test : ndarray
        Standardised inputs and targets (integer classes for classification).
    feature_names : tuple of str
        One name per input column.
    task : {"classification", "regression"}
        The learning task.
    relevant_features : tuple of int or None
        For generated sets with known signal (``relevance``), the columns that carry it.
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    task: str
    relevant_features: tuple[int, ...] | None = None

    @property
    def n_classes(self) -> int:
        """Number of classes (0 for regression)."""
        if self.task != "classification":
            return 0
        return int(max(self.y_train.max(), self.y_test.max() if self.y_test.size else 0)) + 1


_Raw = tuple[np.ndarray, np.ndarray, tuple[str, ...], str, tuple[int, ...] | None]


# iris as scikit-learn names its columns (``load_iris().feature_names``).
_IRIS_FEATURES = (
    "sepal length (cm)",
    "sepal width (cm)",
    "petal length (cm)",
    "petal width (cm)",
)


def _iris_csv() -> _Raw | None:
    """iris from the CSV file scikit-learn ships, read without importing scikit-learn (over a
    second of imports, most of the CLI's start-up); None when the file is not there."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("sklearn")  # locates the package without running it
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data" / "iris.csv"
    try:
        table = np.loadtxt(path, delimiter=",", skiprows=1)
    except (OSError, ValueError):
        return None
    if table.shape != (150, 5):
        return None
    return table[:, :4], table[:, 4].astype(int), _IRIS_FEATURES, "classification", None


def _sklearn(loader: str, task: str) -> Callable[[np.random.Generator], _Raw]:
    def load(rng: np.random.Generator) -> _Raw:
        fast = _iris_csv() if loader == "iris" else None
        if fast is not None:
            return fast
        datasets = require("sklearn.datasets", "energy", purpose=f"the {loader} data set")
        bunch = getattr(datasets, f"load_{loader}")()
        names = tuple(str(n) for n in bunch.feature_names)
        return np.asarray(bunch.data, float), np.asarray(bunch.target), names, task, None

    return load


def _blobs(rng: np.random.Generator) -> _Raw:
    centres = np.array([[0.0, 2.0], [-1.8, -1.0], [1.8, -1.0]])
    y = np.repeat(np.arange(3), 50)
    X = centres[y] + rng.normal(scale=0.8, size=(y.size, 2))
    return X, y, ("x0", "x1"), "classification", None


def _xor(rng: np.random.Generator) -> _Raw:
    X = rng.uniform(-1.0, 1.0, size=(200, 2))
    y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)
    return X + rng.normal(scale=0.1, size=X.shape), y, ("x0", "x1"), "classification", None


def _relevance(rng: np.random.Generator) -> _Raw:
    """Six features; only columns 0 and 1 carry signal (``y = [x0 - x1 + noise > 0]``)."""
    X = rng.normal(size=(300, 6))
    y = (X[:, 0] - X[:, 1] + 0.3 * rng.normal(size=300) > 0).astype(int)
    names = tuple(f"x{i}" for i in range(6))
    return X, y, names, "classification", (0, 1)


def _sine(rng: np.random.Generator) -> _Raw:
    """40 points, ``y = sin(3 x) + N(0, 0.1^2)``, ``x ~ U[-2, 2]``."""
    x = np.sort(rng.uniform(-2.0, 2.0, size=40))
    y = np.sin(3.0 * x) + 0.1 * rng.normal(size=x.size)
    return x[:, None], y, ("x",), "regression", None


_LOADERS: dict[str, Callable[[np.random.Generator], _Raw]] = {
    "iris": _sklearn("iris", "classification"),
    "wine": _sklearn("wine", "classification"),
    "breast_cancer": _sklearn("breast_cancer", "classification"),
    "diabetes": _sklearn("diabetes", "regression"),
    "blobs": _blobs,
    "xor": _xor,
    "relevance": _relevance,
    "sine": _sine,
}


def available_energy_datasets() -> list[str]:
    """Names accepted by :func:`load_energy_dataset`.

    Returns
    -------
    list of str
        Sorted names.
    """
    return sorted(_LOADERS)


def _split(
    y: np.ndarray, task: str, test_fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Seeded split, stratified by class for classification."""
    groups = (
        [np.flatnonzero(y == c) for c in np.unique(y)]
        if task == "classification"
        else [np.arange(y.size)]
    )
    train, test = [], []
    for idx in groups:
        idx = rng.permutation(idx)
        n_test = int(round(test_fraction * idx.size))
        if test_fraction > 0 and idx.size > 1:
            n_test = min(max(n_test, 1), idx.size - 1)
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def load_energy_dataset(
    name: str,
    *,
    seed: int = 0,
    test_fraction: float = 0.3,
    binary: bool = False,
    n_samples: int | None = None,
) -> EnergyDataset:
    """Load a data set, split it and standardise the inputs on the training part.

    Parameters
    ----------
    name : str
        One of :func:`available_energy_datasets`: ``iris``, ``wine``, ``breast_cancer``,
        ``diabetes`` (scikit-learn, bundled), ``blobs`` (3 Gaussian classes in 2-D), ``xor``
        (2-D, noisy XOR), ``relevance`` (6 features, signal only in columns 0 and 1),
        ``sine`` (1-D regression, 40 points).
    seed : int, default 0
        Seeds the generated data, the subsample and the split.
    test_fraction : float, default 0.3
        Fraction held out (per class for classification); 0 keeps everything for training.
    binary : bool, default False
        Collapse a classification problem to two classes: the last class (largest label) is
        positive (1), all others negative (0). Needed for appAUC.
    n_samples : int, optional
        Keep a seeded random subsample of this many rows first (e.g. ``diabetes`` for a GP).

    Returns
    -------
    EnergyDataset
    """
    if name not in _LOADERS:
        raise InputError(
            f"unknown energy data set {name!r}; choose one of {available_energy_datasets()}"
        )
    if not 0.0 <= test_fraction < 1.0:
        raise InputError(f"test_fraction must be in [0, 1), got {test_fraction!r}")
    rng = np.random.default_rng(seed)
    X, y, names, task, relevant = _LOADERS[name](rng)
    if task == "classification":
        y = np.unique(y, return_inverse=True)[1].astype(int)
    if binary:
        if task != "classification":
            raise InputError(f"binary=True needs a classification data set; {name!r} is {task}")
        y = (y == y.max()).astype(int)
        name = f"{name}-binary"
    if n_samples is not None:
        if not 2 <= int(n_samples):
            raise InputError(f"n_samples must be >= 2, got {n_samples!r}")
        if n_samples < y.size:
            keep = np.sort(rng.choice(y.size, size=int(n_samples), replace=False))
            X, y = X[keep], y[keep]
    train, test = _split(y, task, test_fraction, rng)
    mean = X[train].mean(0)
    std = X[train].std(0)
    std[std == 0] = 1.0
    Xs = (X - mean) / std
    return EnergyDataset(
        name=name,
        X_train=Xs[train],
        y_train=y[train],
        X_test=Xs[test],
        y_test=y[test],
        feature_names=names,
        task=task,
        relevant_features=relevant,
    )
