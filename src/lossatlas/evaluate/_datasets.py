"""Dataset registry: offline datasets for building landscapes.

A dataset is named by a string (a *dataset spec*) so that it can be recorded in the journal and
loaded again in a worker process:

- ``iris``, ``wine``, ``breast_cancer``, ``digits`` (classification) and ``diabetes``
  (regression): scikit-learn's bundled sets, no network;
- offline sets of realistic size, generated with fixed seeds (:data:`PRESETS`): ``hastie_10_2``
  (12,000 rows), ``classification_*`` presets of 5,000-20,000 rows with label noise and class
  imbalance, ``moons``/``circles`` with noise, ``friedman1``-``friedman3`` (regression);
- ``make_classification`` with optional ``key=value`` arguments after a colon, e.g.
  ``make_classification:n_samples=500,n_features=20,seed=3`` (generated; the seed is recorded);
- a CSV or Parquet file path, with ``target=`` naming the target column;
- ``openml:ID``: read from the local cache (``$LOSSATLAS_CACHE/openml``, default
  ``~/.cache/lossatlas/openml``) after the first download; downloading needs the ``openml``
  package (or scikit-learn's ``fetch_openml``) and a server that answers within a few seconds,
  otherwise one clear error (never a hang).

Suites name several datasets at once (``suite:offline-classification``, :data:`SUITES`); a
study file expands them with :func:`expand_datasets`.

Features are float64; classification targets are encoded as ``0..K-1`` (the original labels are
kept in :attr:`Dataset.classes`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from lossatlas.errors import InputError, require

__all__ = [
    "PRESETS",
    "SUITES",
    "Dataset",
    "TaskKind",
    "expand_datasets",
    "list_datasets",
    "list_suites",
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
    n_redundant: int | None = None,
    flip_y: float | None = None,
    class_sep: float | None = None,
    imbalance: float | None = None,
) -> Dataset:
    """``make_classification``; ``imbalance`` r in (0, 1] gives class k the weight r^k."""
    datasets = require("sklearn.datasets", "models", purpose="generated datasets")
    extra: dict[str, Any] = {}
    for key, value in (("n_redundant", n_redundant), ("flip_y", flip_y), ("class_sep", class_sep)):
        if value is not None:
            extra[key] = value
    weights = None
    if imbalance is not None:
        if not 0.0 < float(imbalance) <= 1.0:
            raise InputError(f"make_classification: imbalance must lie in (0, 1], not {imbalance}")
        w = float(imbalance) ** np.arange(int(n_classes))
        weights = (w / w.sum()).tolist()
        extra["imbalance"] = imbalance
    X, y = datasets.make_classification(
        n_samples=int(n_samples),
        n_features=int(n_features),
        n_informative=int(n_informative),
        n_redundant=int(n_redundant) if n_redundant is not None else 2,
        n_classes=int(n_classes),
        flip_y=float(flip_y) if flip_y is not None else 0.01,
        class_sep=float(class_sep) if class_sep is not None else 1.0,
        weights=weights,
        random_state=int(seed),
    )
    options = dict(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_informative,
        n_classes=n_classes,
        seed=seed,
        **extra,
    )
    spec = "make_classification:" + ",".join(f"{k}={v}" for k, v in options.items())
    return _from_arrays(
        spec, X, y, "classification", metadata={"source": "sklearn make_classification", **options}
    )


def _generated(name: str, task: TaskKind, function: str, **kwargs: Any) -> _Loader:
    """A loader of a fixed, seeded scikit-learn generator call (a preset)."""

    def load(**options: Any) -> Dataset:
        if options:
            raise InputError(f"dataset {name!r} takes no options (got {sorted(options)})")
        if function == "make_classification":
            data = _make_classification(**kwargs)
            return Dataset(
                name, data.X, data.y, task, data.feature_names, data.classes,
                metadata={**data.metadata, "preset": name},
            )  # fmt: skip
        datasets = require("sklearn.datasets", "models", purpose="generated datasets")
        X, y = getattr(datasets, function)(**kwargs)
        return _from_arrays(
            name, X, y, task, metadata={"source": f"sklearn {function}", **kwargs, "preset": name}
        )

    return load


#: Offline datasets of realistic size: name -> (task, generator, arguments, description).
PRESETS: dict[str, tuple[TaskKind, str, dict[str, Any], str]] = {
    "hastie_10_2": (
        "classification",
        "make_hastie_10_2",
        {"n_samples": 12000, "random_state": 0},
        "12000 x 10, 2 classes (Hastie et al. 10.2, generated)",
    ),
    "classification_noisy": (
        "classification",
        "make_classification",
        {"n_samples": 10000, "n_features": 20, "n_informative": 8, "flip_y": 0.1, "seed": 1},
        "10000 x 20, 2 classes, 10 % label noise (generated)",
    ),
    "classification_imbalanced": (
        "classification",
        "make_classification",
        {
            "n_samples": 8000,
            "n_features": 20,
            "n_informative": 6,
            "flip_y": 0.03,
            "imbalance": 0.2,
            "seed": 2,
        },
        "8000 x 20, 2 classes 83/17 %, 3 % label noise (generated)",
    ),
    "classification_multiclass": (
        "classification",
        "make_classification",
        {
            "n_samples": 20000,
            "n_features": 30,
            "n_informative": 12,
            "n_classes": 5,
            "flip_y": 0.05,
            "imbalance": 0.7,
            "seed": 3,
        },
        "20000 x 30, 5 imbalanced classes, 5 % label noise (generated)",
    ),
    "classification_hard": (
        "classification",
        "make_classification",
        {
            "n_samples": 5000,
            "n_features": 10,
            "n_informative": 4,
            "class_sep": 0.6,
            "flip_y": 0.05,
            "seed": 4,
        },
        "5000 x 10, 2 overlapping classes, 5 % label noise (generated)",
    ),
    "moons": (
        "classification",
        "make_moons",
        {"n_samples": 5000, "noise": 0.3, "random_state": 0},
        "5000 x 2, two interleaved half-moons, noise 0.3 (generated)",
    ),
    "circles": (
        "classification",
        "make_circles",
        {"n_samples": 5000, "noise": 0.2, "factor": 0.5, "random_state": 0},
        "5000 x 2, two noisy concentric circles (generated)",
    ),
    "friedman1": (
        "regression",
        "make_friedman1",
        {"n_samples": 5000, "n_features": 10, "noise": 1.0, "random_state": 0},
        "5000 x 10, Friedman #1 regression, noise 1 (generated)",
    ),
    "friedman2": (
        "regression",
        "make_friedman2",
        {"n_samples": 5000, "noise": 50.0, "random_state": 0},
        "5000 x 4, Friedman #2 regression, noise 50 (generated)",
    ),
    "friedman3": (
        "regression",
        "make_friedman3",
        {"n_samples": 5000, "noise": 0.1, "random_state": 0},
        "5000 x 4, Friedman #3 regression, noise 0.1 (generated)",
    ),
}

#: Named groups of datasets for study files (``suite:NAME``).
SUITES: dict[str, tuple[str, ...]] = {
    "offline-classification": (
        "hastie_10_2",
        "classification_noisy",
        "classification_imbalanced",
        "classification_multiclass",
        "classification_hard",
        "moons",
        "circles",
        "digits",
    ),
    "offline-regression": ("friedman1", "friedman2", "friedman3"),
    "offline-images": ("digits",),
    "offline-small": ("iris", "wine", "breast_cancer", "diabetes"),
}
SUITES["offline"] = SUITES["offline-classification"] + SUITES["offline-regression"]


def list_suites() -> dict[str, tuple[str, ...]]:
    """Suite names and the datasets each expands to.

    Returns
    -------
    dict of str to tuple of str
    """
    return dict(sorted(SUITES.items()))


def expand_datasets(specs: Any, *, source: str = "datasets") -> list[str]:
    """Dataset specs with every ``suite:NAME`` replaced by its datasets (first mention kept).

    Parameters
    ----------
    specs : iterable of str
        Dataset specs (names, files, ``openml:ID``) and ``suite:NAME`` entries.
    source : str, default "datasets"
        Named in error messages (the study file's key).

    Returns
    -------
    list of str
        The specs, suites expanded, each once.

    Raises
    ------
    InputError
        An unknown suite (the message lists the suites).
    """
    out: list[str] = []
    for spec in specs:
        text = str(spec)
        if text.startswith("suite:"):
            name = text.removeprefix("suite:")
            if name not in SUITES:
                raise InputError(
                    f"{source}: unknown suite {text!r} (suites: "
                    f"{', '.join('suite:' + s for s in sorted(SUITES))})"
                )
            members = list(SUITES[name])
        else:
            members = [text]
        out += [m for m in members if m not in out]
    return out


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
    "n_classes=2,seed=0 (also n_redundant, flip_y, class_sep, imbalance)",
)
for _name, (_task, _function, _kwargs, _desc) in PRESETS.items():
    register_dataset(_name, _generated(_name, _task, _function, **_kwargs), description=_desc)


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


#: Seconds to wait for the OpenML server (name lookup and connection) before giving up.
OPENML_TIMEOUT = 3.0


def openml_cache_dir() -> Path:
    """Where downloaded OpenML datasets are kept (``$LOSSATLAS_CACHE/openml``)."""
    root = os.environ.get("LOSSATLAS_CACHE") or Path.home() / ".cache" / "lossatlas"
    return Path(root) / "openml"


def _reachable(host: str, timeout: float) -> str | None:
    """None when ``host:443`` accepts a connection within ``timeout`` seconds, else why not.

    The lookup runs in a daemon thread, so a resolver that never answers cannot hang us.
    """
    import socket
    import threading

    outcome: list[str | None] = []

    def probe() -> None:
        try:
            socket.create_connection((host, 443), timeout=timeout).close()
            outcome.append(None)
        except OSError as exc:
            outcome.append(str(exc) or type(exc).__name__)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        return f"no answer within {timeout:g} s"
    return outcome[0]


def _download_openml(spec: str, data_id: int) -> tuple[pd.DataFrame, pd.Series]:
    try:
        import openml
    except ImportError:
        openml = None
    try:
        if openml is not None:
            ds = openml.datasets.get_dataset(data_id, download_data=True)
            X, y, _, _ = ds.get_data(target=ds.default_target_attribute, dataset_format="dataframe")
            return X, y
        datasets = require("sklearn.datasets", "models", purpose=f"dataset {spec!r}")
        bunch = datasets.fetch_openml(
            data_id=data_id, as_frame=True, data_home=str(openml_cache_dir() / "sklearn")
        )
        return bunch.data, bunch.target
    except Exception as exc:  # network and server errors of any kind
        raise InputError(f"dataset {spec!r}: OpenML download failed: {exc}") from None


def _load_openml(spec: str, data_id: str, task: TaskKind | None) -> Dataset:
    """An OpenML dataset from the local cache, or downloaded once (with a timeout) and cached."""
    cache = openml_cache_dir() / f"{int(data_id)}.parquet"
    if cache.is_file():
        try:
            frame = pd.read_parquet(cache)
        except (OSError, ValueError) as exc:
            raise InputError(
                f"dataset {spec!r}: the cached copy {cache} is unreadable: {exc}"
            ) from None
        if "__target__" not in frame.columns:
            raise InputError(f"dataset {spec!r}: the cached copy {cache} has no target column")
        X, y = frame.drop(columns=["__target__"]), frame["__target__"]
    else:
        why = _reachable("www.openml.org", OPENML_TIMEOUT)
        if why is not None:
            raise InputError(
                f"dataset {spec!r}: the OpenML server cannot be reached ({why}) and there is "
                f"no cached copy at {cache}; use an offline dataset or a local CSV/Parquet file"
            )
        X, y = _download_openml(spec, int(data_id))
        X = X.apply(pd.to_numeric, errors="coerce")
        frame = X.set_axis([str(c) for c in X.columns], axis=1).assign(__target__=y.to_numpy())
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, cache)
    X = X.apply(pd.to_numeric, errors="coerce")
    task = task or _infer_task(y)
    return _from_arrays(
        spec,
        X.to_numpy(np.float64),
        y.to_numpy(),
        task,
        feature_names=tuple(map(str, X.columns)),
        metadata={"source": f"openml {data_id}", "cache": str(cache)},
    )


def _check_classes(dataset: Dataset, spec: str) -> Dataset:
    """A classification target needs two classes at least (one class: nothing to learn)."""
    if dataset.task == "classification" and dataset.n_classes < 2:
        where = (
            f"target column {dataset.metadata['target']!r}"
            if "target" in dataset.metadata
            else "the target"
        )
        value = dataset.classes[0] if dataset.classes else None
        raise InputError(
            f"dataset {spec!r}: {where} has a single class ({value!r}); classification needs "
            "at least 2 (or use --task regression)"
        )
    return dataset


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
        except InputError:
            raise
        except (TypeError, ValueError, OverflowError) as exc:
            # a non-numeric option (n_samples=abc) or values the generator refuses
            reason = " ".join(str(exc).split())
            raise InputError(f"dataset {text!r}: invalid option(s): {reason}") from None
        if task is not None and task != dataset.task:
            raise InputError(f"dataset {text!r} is a {dataset.task} dataset, not {task}")
        return _check_classes(dataset, text)
    path = Path(text)
    if path.suffix.lower() in (".csv", ".parquet", ".pq") or path.exists():
        return _check_classes(_load_file(path, target, task), text)
    raise InputError(
        f"unknown dataset {text!r}: use one of {sorted(_REGISTRY)}, a .csv/.parquet file or "
        "openml:ID"
    )
