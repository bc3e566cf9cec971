"""Dataset registry: offline datasets for building landscapes.

A dataset is named by a string (a *dataset spec*) so that it can be recorded in the journal and
loaded again in a worker process:

- ``iris``, ``wine``, ``breast_cancer``, ``digits`` (classification) and ``diabetes``
  (regression): scikit-learn's bundled sets, no network;
- ``make_classification`` with optional ``key=value`` arguments after a colon, e.g.
  ``make_classification:n_samples=500,n_features=20,seed=3`` (generated; the seed is recorded);
- a CSV or Parquet file path, with ``target=`` naming the target column;
- ``openml:ID``: only when the ``openml`` package is importable and its server answers within a
  few seconds; otherwise a clear error (never a hang).

Features are float64; classification targets are encoded as ``0..K-1`` (the original labels are
kept in :attr:`Dataset.classes`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from lossatlas.errors import InputError, require

__all__ = [
    "Dataset",
    "TaskKind",
    "list_datasets",
    "load_dataset",
    "register_dataset",
]

TaskKind = Literal["classification", "regression"]


@dataclass(frozen=True, eq=False)
class Dataset:
    """A supervised dataset held in memory.

    Attributes
    ----------
    name : str
        The spec it was loaded from (a registry name, a file path, ``openml:ID``).
    X : ndarray of shape (n, p), float64
    y : ndarray of shape (n,)
        Class codes ``0..K-1`` (int64) for classification, float64 for regression.
    task : {"classification", "regression"}
    feature_names : tuple of str
    classes : tuple
        Original class labels (classification); empty for regression.
    image_shape : tuple of int, optional
        ``(height, width)`` when each row is a flattened single-channel image (``digits``).
    metadata : dict
        Provenance: source, seed of generated data, SHA-256 of a user file.
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    task: TaskKind
    feature_names: tuple[str, ...] = ()
    classes: tuple[Any, ...] = ()
    image_shape: tuple[int, int] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def n_samples(self) -> int:
        """Number of rows."""
        return int(self.X.shape[0])

    @property
    def n_classes(self) -> int:
        """Number of classes (0 for regression)."""
        return len(self.classes)

    @property
    def fingerprint(self) -> str:
        """A short hash of the data and task, to key studies in the journal."""
        digest = hashlib.sha256()
        digest.update(self.task.encode())
        digest.update(np.ascontiguousarray(self.X).tobytes())
        digest.update(np.ascontiguousarray(self.y).tobytes())
        return digest.hexdigest()[:16]


_Loader = Callable[..., Dataset]
_REGISTRY: dict[str, tuple[_Loader, str]] = {}


def register_dataset(name: str, loader: _Loader, *, description: str = "") -> None:
    """Register a dataset loader under ``name``.

    ``loader(**options)`` returns a :class:`Dataset`; options come from the spec's ``key=value``
    list (``name:key=value,...``), with numbers parsed.

    Parameters
    ----------
    name : str
        The dataset name (``--dataset NAME``).
    loader : callable
        ``loader(**options) -> Dataset``.
    description : str, optional
        One line for ``lossatlas evaluate --list``.
    """
    if ":" in name or "/" in name:
        raise InputError(f"dataset name {name!r} may not contain ':' or '/'")
    _REGISTRY[name] = (loader, description)


def list_datasets() -> dict[str, str]:
    """Registered dataset names and their one-line descriptions.

    Returns
    -------
    dict of str to str
    """
    return {name: desc for name, (_, desc) in sorted(_REGISTRY.items())}


def _from_arrays(name: str, X: Any, y: Any, task: TaskKind, **extra: Any) -> Dataset:
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    classes: tuple[Any, ...] = ()
    if task == "classification":
        uniques, codes = np.unique(y, return_inverse=True)
        classes = tuple(u.item() if isinstance(u, np.generic) else u for u in uniques)
        y = codes.astype(np.int64)
    else:
        y = y.astype(np.float64)
    names = tuple(extra.pop("feature_names", None) or ()) or tuple(
        f"x{i}" for i in range(X.shape[1])
    )
    return Dataset(name, X, y, task, tuple(map(str, names)), classes, **extra)


def _sklearn_loader(loader_name: str, task: TaskKind, image_shape: tuple[int, int] | None = None):
    def load(**options: Any) -> Dataset:
        if options:
            raise InputError(f"dataset {loader_name!r} takes no options (got {sorted(options)})")
        datasets = require("sklearn.datasets", "models", purpose="bundled datasets")
        bunch = getattr(datasets, f"load_{loader_name}")()
        return _from_arrays(
            loader_name,
            bunch.data,
            bunch.target,
            task,
            feature_names=tuple(
                getattr(bunch, "feature_names", None)
                if getattr(bunch, "feature_names", None) is not None
                else ()
            ),
            image_shape=image_shape,
            metadata={"source": f"sklearn.datasets.load_{loader_name}"},
        )

    return load


def _make_classification(
    *,
    n_samples: int = 300,
    n_features: int = 10,
    n_informative: int = 5,
    n_classes: int = 2,
    seed: int = 0,
) -> Dataset:
    datasets = require("sklearn.datasets", "models", purpose="generated datasets")
    X, y = datasets.make_classification(
        n_samples=int(n_samples),
        n_features=int(n_features),
        n_informative=int(n_informative),
        n_classes=int(n_classes),
        random_state=int(seed),
    )
    options = dict(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_informative,
        n_classes=n_classes,
        seed=seed,
    )
    spec = "make_classification:" + ",".join(f"{k}={v}" for k, v in options.items())
    return _from_arrays(
        spec, X, y, "classification", metadata={"source": "sklearn make_classification", **options}
    )


for _name, _task, _shape, _desc in [
    ("iris", "classification", None, "150 x 4, 3 classes (scikit-learn)"),
    ("wine", "classification", None, "178 x 13, 3 classes (scikit-learn)"),
    ("breast_cancer", "classification", None, "569 x 30, 2 classes (scikit-learn)"),
    ("digits", "classification", (8, 8), "1797 x 64 (8x8 images), 10 classes (scikit-learn)"),
    ("diabetes", "regression", None, "442 x 10, regression (scikit-learn)"),
]:
    register_dataset(_name, _sklearn_loader(_name, _task, _shape), description=_desc)
register_dataset(
    "make_classification",
    _make_classification,
    description="generated: make_classification:n_samples=300,n_features=10,n_informative=5,"
    "n_classes=2,seed=0",
)


def _parse_options(text: str, spec: str) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InputError(f"dataset {spec!r}: option {item!r} is not key=value")
        for cast in (int, float):
            try:
                options[key.strip()] = cast(value)
                break
            except ValueError:
                continue
        else:
            options[key.strip()] = value.strip()
    return options


def _infer_task(y: pd.Series) -> TaskKind:
    if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        return "classification"
    values = y.to_numpy(dtype=np.float64)
    integral = np.all(values == np.round(values))
    return "classification" if integral and len(np.unique(values)) <= 20 else "regression"


def _load_file(path: Path, target: str | None, task: TaskKind | None) -> Dataset:
    if not path.is_file():
        raise InputError(f"{path}: no such dataset file (or a name not in {sorted(_REGISTRY)})")
    if target is None:
        raise InputError(f"{path}: name the target column (--target COLUMN / target=...)")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path)
        elif suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        else:
            raise InputError(f"{path}: unsupported dataset file type {suffix!r} (.csv, .parquet)")
    except (ValueError, OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{path}: cannot be read: {exc}") from exc
    if target not in frame.columns:
        raise InputError(
            f"{path}: target column {target!r} not found (columns: {list(map(str, frame.columns))})"
        )
    if len(frame) < 2:
        raise InputError(f"{path}: needs at least 2 rows, has {len(frame)}")
    y = frame[target]
    missing = np.flatnonzero(y.isna().to_numpy())
    if len(missing):
        raise InputError(
            f"{path}: target column {target!r} is empty (NaN) in {len(missing)} row(s), "
            f"first rows {missing[:5].tolist()}"
        )
    features = frame.drop(columns=[target])
    if features.shape[1] == 0:
        raise InputError(f"{path}: no feature columns besides the target {target!r}")
    for column in features.columns:
        values = features[column]
        if pd.api.types.is_bool_dtype(values):
            continue
        if not pd.api.types.is_numeric_dtype(values):
            converted = pd.to_numeric(values, errors="coerce")
            bad = np.flatnonzero(converted.isna().to_numpy() & values.notna().to_numpy())
            if len(bad):
                raise InputError(
                    f"{path}: feature column {column!r} is not numeric: value "
                    f"{values.iloc[bad[0]]!r} in row {int(bad[0])} (encode it as numbers or "
                    "drop the column)"
                )
    task = task or _infer_task(y)
    if task == "regression" and not pd.api.types.is_numeric_dtype(y):
        bad = pd.to_numeric(y, errors="coerce").isna().to_numpy()
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"{path}: target column {target!r} is not numeric for regression: value "
                f"{y.iloc[row]!r} in row {row}"
            )
        y = pd.to_numeric(y)
    X = features.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return _from_arrays(
        str(path),
        X,
        y.to_numpy(),
        task,
        feature_names=tuple(map(str, features.columns)),
        metadata={"source": str(path), "target": target, "sha256": digest},
    )


def _load_openml(spec: str, data_id: str, task: TaskKind | None) -> Dataset:
    import socket

    try:
        import openml
    except ImportError:
        raise InputError(
            f"dataset {spec!r} needs the openml package (pip install openml) and network "
            "access; use a bundled dataset or a local CSV/Parquet file"
        ) from None
    try:
        socket.create_connection(("www.openml.org", 443), timeout=3).close()
    except OSError as exc:
        raise InputError(
            f"dataset {spec!r}: the OpenML server cannot be reached ({exc}); use a bundled "
            "dataset or a local CSV/Parquet file"
        ) from None
    try:
        ds = openml.datasets.get_dataset(int(data_id), download_data=True)
        X, y, _, names = ds.get_data(target=ds.default_target_attribute, dataset_format="dataframe")
    except Exception as exc:  # network and server errors of any kind
        raise InputError(f"dataset {spec!r}: OpenML download failed: {exc}") from None
    X = X.apply(pd.to_numeric, errors="coerce")
    task = task or _infer_task(y)
    return _from_arrays(
        spec,
        X.to_numpy(np.float64),
        y.to_numpy(),
        task,
        feature_names=tuple(names),
        metadata={"source": f"openml {data_id}"},
    )


def load_dataset(
    spec: str | Path,
    *,
    target: str | None = None,
    task: TaskKind | None = None,
) -> Dataset:
    """Load a dataset by name, ``name:key=value,...``, file path or ``openml:ID``.

    Parameters
    ----------
    spec : str or Path
        See the module docstring.
    target : str, optional
        Target column of a CSV/Parquet file (required for files).
    task : {"classification", "regression"}, optional
        Override the task of a file (default: inferred: a numeric target with more than 20
        distinct or non-integer values is regression).

    Returns
    -------
    Dataset

    Raises
    ------
    InputError
        Unknown name, unreadable file, missing target column, NaN in the target, non-numeric
        features (the message names file, column and value or rows).
    """
    if task not in (None, "classification", "regression"):
        raise InputError(f"task must be 'classification' or 'regression', not {task!r}")
    text = str(spec)
    name, _, rest = text.partition(":")
    if name == "openml":
        if not rest.strip().isdigit():
            raise InputError(f"dataset {text!r}: use openml:ID with a numeric id")
        return _load_openml(text, rest.strip(), task)
    if name in _REGISTRY and not Path(text).is_file():
        loader, _ = _REGISTRY[name]
        try:
            dataset = loader(**_parse_options(rest, text))
        except TypeError as exc:
            raise InputError(f"dataset {text!r}: {exc}") from None
        if task is not None and task != dataset.task:
            raise InputError(f"dataset {text!r} is a {dataset.task} dataset, not {task}")
        return dataset
    path = Path(text)
    if path.suffix.lower() in (".csv", ".parquet", ".pq") or path.exists():
        return _load_file(path, target, task)
    raise InputError(
        f"unknown dataset {text!r}: use one of {sorted(_REGISTRY)}, a .csv/.parquet file or "
        "openml:ID"
    )
