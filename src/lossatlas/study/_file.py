"""The study file: many landscapes (models x datasets x fidelities) described in YAML or TOML.

A study file is data, never code (``yaml.safe_load``, ``tomllib``)::

    name: trees                     # optional, shown in the report
    models:
      - rf                          # a registered model on its default grid
      - {model: xgboost, grid: tiny}
      - model: dt                   # an inline grid (the format of grid files)
        grid: {max_depth: [2, 4, 8], min_samples_leaf: [1, 8]}
        params: {max_features: 0.5}
      - {estimator: sklearn.ensemble.ExtraTreesClassifier, name: et, grid: {max_depth: [2, 8]}}
    datasets: [moons, suite:offline-regression, {file: data.csv, target: y}, openml:61]
    fidelities: {fraction: [0.1, 0.25, 1.0], epochs: [10, 25]}
    folds: 5
    test_size: 0.2                  # held out once per dataset and seed; 0: none
    seeds: [0]
    epsilon: 0.01                   # analysis settings
    gamma: 0.1
    loss: test

Each model runs on every dataset it fits (its tasks; the CNN on image datasets only), or on the
datasets of its own ``datasets:`` list. A fidelity applies to the models that have it
(``fraction`` to all; ``epochs`` to the networks; a knob that is a hyperparameter of a model's
grid is left out for that model).

Everything is checked before any work starts: syntax, unknown keys (named with the file), unknown
models and datasets, empty lists, and sizes: a grid above :data:`MAX_CONFIGS` configurations or a
study above :data:`MAX_TASKS` tasks is refused.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lossatlas.errors import InputError, require
from lossatlas.evaluate._datasets import Dataset, expand_datasets, load_dataset
from lossatlas.evaluate._grids import grid_to_space
from lossatlas.evaluate._models import ModelSpec, get_model
from lossatlas.evaluate._runner import Evaluation
from lossatlas.space import SearchSpace

__all__ = [
    "MAX_CONFIGS",
    "MAX_TASKS",
    "ModelEntry",
    "StudySpec",
    "load_study",
    "parse_study",
]

#: The largest grid a study file may name (configurations of one model).
MAX_CONFIGS = 1_000_000
#: The most tasks (configuration x fold x fidelity x seed, over every model and dataset).
MAX_TASKS = 50_000_000

_KEYS = {
    "name",
    "description",
    "models",
    "datasets",
    "fidelities",
    "folds",
    "test_size",
    "seeds",
    "epsilon",
    "gamma",
    "loss",
}
_MODEL_KEYS = {"model", "estimator", "regressor", "name", "grid", "params", "datasets"}
_DATASET_KEYS = {"file", "name", "target", "task"}


@dataclass(frozen=True, eq=False)
class ModelEntry:
    """One model of a study: its spec, grid, fixed parameters and (optional) own datasets."""

    spec: ModelSpec
    space: SearchSpace
    grid_name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    datasets: tuple[str, ...] | None = None


@dataclass(frozen=True, eq=False)
class StudySpec:
    """A validated study: what to evaluate and how to analyse it.

    Attributes
    ----------
    name : str
    models : tuple of ModelEntry
    datasets : dict of str to Dataset
        Loaded datasets by their key in the study (suites expanded).
    fidelities : dict of str to tuple
        ``fraction`` and knobs; each model gets those it has (:meth:`fidelities_of`).
    folds, test_size, seeds
        The evaluation protocol.
    epsilon, gamma, loss
        Analysis settings (neutrality threshold, top fraction of set similarities, loss).
    source : str
        The file (for messages).
    """

    name: str
    models: tuple[ModelEntry, ...]
    datasets: Mapping[str, Dataset]
    fidelities: Mapping[str, tuple[Any, ...]]
    folds: int = 5
    test_size: float = 0.2
    seeds: tuple[int, ...] = (0,)
    epsilon: float = 0.01
    gamma: float = 0.1
    loss: str = "test"
    source: str = "study"
    description: str = ""

    def fidelities_of(self, entry: ModelEntry) -> dict[str, tuple[Any, ...]]:
        """The fidelities that apply to one model (``fraction``, and the knobs it has)."""
        return {
            k: v
            for k, v in self.fidelities.items()
            if k == "fraction" or (k in entry.spec.knobs and k not in entry.space.names)
        }

    def evaluations(self) -> list[Evaluation]:
        """One :class:`Evaluation` per (model, dataset) pair that fits, in file order."""
        out = []
        for entry in self.models:
            for key, dataset in self.datasets.items():
                if entry.datasets is not None and key not in entry.datasets:
                    continue
                if not _fits(entry.spec, dataset):
                    continue
                out.append(
                    Evaluation(
                        model=entry.spec,
                        dataset=dataset,
                        space=entry.space,
                        folds=self.folds,
                        fidelities=self.fidelities_of(entry),
                        seeds=self.seeds,
                        params=entry.params,
                        test_size=self.test_size,
                    )
                )
        return out

    def settings(self) -> dict[str, Any]:
        """The protocol and analysis settings as plain data (``summary.json``)."""
        return {
            "name": self.name,
            "source": self.source,
            "models": [
                {"model": e.spec.name, "grid": e.grid_name, "configurations": e.space.size}
                for e in self.models
            ],
            "datasets": list(self.datasets),
            "fidelities": {k: list(v) for k, v in self.fidelities.items()},
            "folds": self.folds,
            "test_size": self.test_size,
            "seeds": list(self.seeds),
            "epsilon": self.epsilon,
            "gamma": self.gamma,
            "loss": self.loss,
        }


def _fits(spec: ModelSpec, dataset: Dataset) -> bool:
    return dataset.task in spec.tasks and (not spec.needs_images or dataset.image_shape is not None)


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError(f"{path}: no such study file")
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8")
        if suffix in (".yaml", ".yml"):
            data = require("yaml", "models", purpose="YAML study files").safe_load(text)
        elif suffix == ".toml":
            data = tomllib.loads(text)
        elif suffix == ".json":
            data = json.loads(text)
        else:
            raise InputError(
                f"{path}: unsupported study file type {suffix!r} (.yaml, .yml, .toml, .json)"
            )
    except InputError:
        raise
    except Exception as exc:  # yaml.YAMLError, TOMLDecodeError, JSONDecodeError, UnicodeError
        first = " ".join(str(exc).split())
        raise InputError(f"{path}: cannot be parsed: {first}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: a study file holds a mapping (models:, datasets:, ...)")
    return data


def _list(data: Mapping[str, Any], key: str, source: str, *, required: bool = True) -> list[Any]:
    if key not in data or data[key] is None:
        if required:
            raise InputError(f"{source}: '{key}' is missing (a non-empty list)")
        return []
    value = data[key]
    if isinstance(value, str | Mapping) or not isinstance(value, Sequence):
        value = [value]
    if not value:
        raise InputError(f"{source}: '{key}' is an empty list")
    return list(value)


def _number(data: Mapping[str, Any], key: str, default: Any, kind: type, source: str) -> Any:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{source}: '{key}' must be a number, not {value!r}")
    if kind is int and value != int(value):
        raise InputError(f"{source}: '{key}' must be an integer, not {value!r}")
    return kind(value)


def _named(where: str, source: str, build: Any, *args: Any) -> Any:
    """``build(*args)``, with an error that does not name the file prefixed by ``where``."""
    try:
        return build(*args)
    except InputError as exc:
        if source in str(exc):
            raise
        raise InputError(f"{where}: {exc}") from None


def _model_entry(item: Any, position: int, source: str) -> ModelEntry:
    return _named(f"{source}: models[{position}]", source, _model, item, position, source)


def _model(item: Any, position: int, source: str) -> ModelEntry:
    from lossatlas.evaluate._user_models import model_from_path

    where = f"{source}: models[{position}]"
    if isinstance(item, str):
        item = {"model": item}
    if not isinstance(item, Mapping):
        raise InputError(f"{where}: a model is a name or a mapping, not {item!r}")
    unknown = sorted(set(item) - _MODEL_KEYS)
    if unknown:
        raise InputError(
            f"{where}: unknown key(s) {unknown} (allowed: {sorted(_MODEL_KEYS)}) in {source}"
        )
    if ("model" in item) == ("estimator" in item):
        raise InputError(f"{where}: give exactly one of 'model' (a registered name) or 'estimator'")
    grid = item.get("grid")
    if "model" in item:
        spec = get_model(str(item["model"]))
        if grid is None or isinstance(grid, str):
            grid_name = grid or "default"
            space = spec.space(grid_name)
        else:
            grid_name, space = "inline", grid_to_space(grid, source=where)
    else:
        if not isinstance(grid, Mapping):
            raise InputError(f"{where}: an 'estimator' model needs an inline 'grid' mapping")
        spec = model_from_path(
            item["estimator"], regressor=item.get("regressor"), name=item.get("name"), source=where
        )
        grid_name, space = "inline", grid_to_space(grid, source=where)
    if space.size > MAX_CONFIGS:
        raise InputError(
            f"{where}: the grid of model {spec.name!r} has {space.size:,} configurations, more "
            f"than the limit of {MAX_CONFIGS:,} (sample it with `lossatlas evaluate --sample`)"
        )
    params = item.get("params") or {}
    if not isinstance(params, Mapping):
        raise InputError(f"{where}: 'params' must be a mapping")
    clash = sorted(set(params) & set(space.names))
    if clash:
        raise InputError(f"{where}: {clash} are both fixed params and grid entries")
    own = None
    if item.get("datasets") is not None:
        own = tuple(expand_datasets(_list(item, "datasets", where), source=where))
    return ModelEntry(spec, space, grid_name, dict(params), own)


def _dataset(item: Any, position: int, source: str) -> tuple[str, Dataset]:
    return _named(f"{source}: datasets[{position}]", source, _load, item, position, source)


def _load(item: Any, position: int, source: str) -> tuple[str, Dataset]:
    where = f"{source}: datasets[{position}]"
    if isinstance(item, str):
        return item, load_dataset(item)
    if not isinstance(item, Mapping):
        raise InputError(f"{where}: a dataset is a name or a mapping, not {item!r}")
    unknown = sorted(set(item) - _DATASET_KEYS)
    if unknown:
        raise InputError(
            f"{where}: unknown key(s) {unknown} (allowed: {sorted(_DATASET_KEYS)}) in {source}"
        )
    if "file" not in item and "name" not in item:
        raise InputError(f"{where}: give 'file' (with 'target') or 'name'")
    spec = str(item.get("file", item.get("name")))
    if "file" in item and not Path(spec).is_absolute():
        spec = str(Path(source).parent / spec) if Path(source).is_file() else spec
    dataset = load_dataset(spec, target=item.get("target"), task=item.get("task"))
    return str(item.get("file", item.get("name"))), dataset


def _fidelities(data: Mapping[str, Any], models: Sequence[ModelEntry], source: str) -> dict:
    raw = data.get("fidelities", {"fraction": [1.0]})
    if not isinstance(raw, Mapping) or not raw:
        raise InputError(f"{source}: 'fidelities' maps a name to a non-empty list of values")
    out: dict[str, tuple[Any, ...]] = {}
    for name, values in raw.items():
        name = str(name)
        if isinstance(values, str) or not isinstance(values, Sequence) or not values:
            raise InputError(f"{source}: fidelity {name!r} needs a non-empty list of values")
        if name != "fraction" and not any(name in e.spec.knobs for e in models):
            knobs = sorted({k for e in models for k in e.spec.knobs})
            raise InputError(
                f"{source}: unknown fidelity {name!r}: no model of the study has it (fidelities: "
                f"{['fraction', *knobs]})"
            )
        for v in values:
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise InputError(f"{source}: fidelity {name!r} value {v!r} is not a number")
        if name == "fraction":
            bad = [v for v in values if not 0.0 < float(v) <= 1.0]
            if bad:
                raise InputError(
                    f"{source}: fidelity fraction values must lie in (0, 1], not {bad}"
                )
        out[name] = tuple(values)
    return out


def parse_study(data: Mapping[str, Any], *, source: str = "study") -> StudySpec:
    """Validate a study mapping (the content of a study file) and load its datasets.

    Raises
    ------
    InputError
        One line naming the file and the problem: an unknown key, an unknown model or dataset,
        an empty list, a bad number, a grid or study above the size limits.
    """
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise InputError(
            f"{source}: unknown key(s) {unknown} (allowed: {sorted(_KEYS)}) in {source}"
        )
    models = [_model_entry(m, i, source) for i, m in enumerate(_list(data, "models", source))]
    names = [m.spec.name for m in models]
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise InputError(f"{source}: model(s) {dupes} listed twice (give one a 'name')")
    datasets: dict[str, Dataset] = {}
    for position, item in enumerate(_list(data, "datasets", source)):
        items = expand_datasets([item], source=source) if isinstance(item, str) else [item]
        for sub in items:
            key, dataset = _dataset(sub, position, source)
            datasets.setdefault(key, dataset)
    if not datasets:
        raise InputError(f"{source}: 'datasets' names no dataset")
    folds = _number(data, "folds", 5, int, source)
    if folds < 2:
        raise InputError(f"{source}: 'folds' must be at least 2, not {folds}")
    test_size = _number(data, "test_size", 0.2, float, source)
    if not (test_size == 0.0 or 0.0 < test_size < 1.0):
        raise InputError(f"{source}: 'test_size' must be 0 or lie in (0, 1), not {test_size}")
    seeds = tuple(
        _number({"seeds": s}, "seeds", 0, int, source)
        for s in _list(data, "seeds", source, required=False)
    ) or (0,)
    if len(set(seeds)) != len(seeds):
        raise InputError(f"{source}: 'seeds' repeats a seed: {list(seeds)}")
    epsilon = _number(data, "epsilon", 0.01, float, source)
    gamma = _number(data, "gamma", 0.1, float, source)
    if epsilon < 0:
        raise InputError(f"{source}: 'epsilon' must be >= 0, not {epsilon}")
    if not 0.0 < gamma <= 1.0:
        raise InputError(f"{source}: 'gamma' must lie in (0, 1], not {gamma}")
    loss = str(data.get("loss", "test"))
    if loss not in ("test", "valid", "train") and not loss.startswith(("test_", "valid_")):
        raise InputError(f"{source}: 'loss' must be a loss column (test, valid, train ...)")
    if loss.startswith("valid") and test_size == 0:
        raise InputError(f"{source}: loss {loss!r} needs a held-out split (test_size > 0)")
    for entry in models:
        if entry.datasets is not None:
            missing = [d for d in entry.datasets if d not in datasets]
            if missing:
                raise InputError(
                    f"{source}: model {entry.spec.name!r} names dataset(s) {missing} that are "
                    "not in 'datasets'"
                )
    study = StudySpec(
        name=str(data.get("name") or Path(source).stem),
        models=tuple(models),
        datasets=datasets,
        fidelities=_fidelities(data, models, source),
        folds=folds,
        test_size=test_size,
        seeds=seeds,
        epsilon=epsilon,
        gamma=gamma,
        loss=loss,
        source=source,
        description=str(data.get("description") or ""),
    )
    evaluations = study.evaluations()
    if not evaluations:
        raise InputError(f"{source}: no model fits any dataset of the study (check their tasks)")
    n_tasks = sum(e.n_tasks for e in evaluations)
    if n_tasks > MAX_TASKS:
        raise InputError(
            f"{source}: the study has {n_tasks:,} tasks, more than the limit of {MAX_TASKS:,}"
        )
    return study


def load_study(path: str | Path) -> StudySpec:
    """Read and validate a YAML/TOML/JSON study file (see the module docstring)."""
    path = Path(path)
    return parse_study(_read(path), source=str(path))
