"""Grid files: a search space (and optionally a model) in YAML or TOML.

A grid file is data, never code: YAML is read with ``yaml.safe_load``, TOML with ``tomllib``. ::

    model: rf                      # a registered model, or (instead) an estimator:
    # estimator: sklearn.ensemble.ExtraTreesClassifier
    # regressor: sklearn.ensemble.ExtraTreesRegressor   # optional, for regression datasets
    # name: extra_trees                                  # the model column (default: class name)
    params: {n_estimators: 100}    # fixed parameters (not part of the landscape)
    fidelities: {fraction: [0.25, 1.0]}
    grid:
      max_depth: [2, 4, 8]                   # numbers -> ordinal, strings -> categorical
      max_features: {values: [0.3, 1.0], log: false, kind: ordinal}
      min_impurity_decrease: {linspace: [0.0, 0.1, 3]}
      ccp_alpha: {logspace: [-4, -1, 4]}     # 10^-4 ... 10^-1, 4 values, log scale
      min_samples_leaf: {range: [1, 9, 2]}   # Python's range: 1, 3, 5, 7

An estimator is named by a dotted path that must start with one of
:data:`~lossatlas.evaluate._user_models.ALLOWED_ESTIMATOR_PREFIXES`; it is imported, never
evaluated.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lossatlas.columns import is_reserved_column
from lossatlas.errors import InputError, require
from lossatlas.evaluate._models import ModelSpec, get_model
from lossatlas.evaluate._user_models import model_from_path
from lossatlas.space import SearchSpace

__all__ = [
    "MAX_GRID_CONFIGS",
    "GridFile",
    "check_grid_size",
    "grid_to_space",
    "load_grid",
    "write_grid",
]

#: The most configurations ``lossatlas evaluate`` runs without ``--sample`` or ``--max-configs``
#: (a grid of many values grows as a product: refuse it before any work, never hang on it).
MAX_GRID_CONFIGS = 1_000_000

_KEYS = {"model", "estimator", "regressor", "name", "params", "fidelities", "grid"}


@dataclass(frozen=True)
class GridFile:
    """The content of a grid file.

    Attributes
    ----------
    space : SearchSpace
    model : ModelSpec, optional
        The registered model named by ``model:``, or a model built from ``estimator:``.
    params : dict
        Fixed parameters.
    fidelities : dict of str to tuple, optional
    source : str
    """

    space: SearchSpace
    model: ModelSpec | None = None
    params: dict[str, Any] = field(default_factory=dict)
    fidelities: dict[str, tuple[Any, ...]] | None = None
    source: str = "grid"


def grid_to_space(grid: Mapping[str, Any], *, source: str = "grid") -> SearchSpace:
    """Build a :class:`SearchSpace` from a grid mapping (lists, ``values`` mappings, ranges).

    The values are parsed by :meth:`SearchSpace.from_dict` (the one grid parser); names the
    results table reserves are refused.

    Parameters
    ----------
    grid : mapping
        A grid file's ``grid``: name -> list of values, ``{values: [...], kind:, log:}`` or a
        ``linspace``/``logspace``/``range`` shorthand.
    source : str, default "grid"
        Prefixed to error messages (the file name).

    Returns
    -------
    SearchSpace

    Raises
    ------
    SpaceError
        A name reserved by the long table (``model``, ``fold``, ``test`` ...), a one-valued
        entry (put fixed values under ``params``), repeated values, unsortable ordinal values.
    """
    if not isinstance(grid, Mapping) or not grid:
        raise InputError(f"{source}: 'grid' must be a non-empty mapping of name -> values")
    return SearchSpace.from_dict(grid, source=source, reserved=is_reserved_column)


def check_grid_size(
    space: SearchSpace,
    *,
    max_configs: int | None = None,
    sample: int | None = None,
    source: str = "grid",
) -> None:
    """Refuse a grid above the limit before any work is done.

    Parameters
    ----------
    space : SearchSpace
        The grid.
    max_configs : int, optional
        An explicit limit (default :data:`MAX_GRID_CONFIGS`).
    sample : int, optional
        Configurations drawn at random: a sampled grid of any size is accepted.
    source : str, default "grid"
        Names the grid in the message.

    Raises
    ------
    InputError
        When the grid has more configurations than the limit and is not sampled.
    """
    if max_configs is not None and max_configs < 1:
        raise InputError(f"--max-configs must be positive, not {max_configs}")
    if sample is not None:
        return
    limit = MAX_GRID_CONFIGS if max_configs is None else max_configs
    if space.size > limit:
        raise InputError(
            f"{source}: the grid has {space.size:,} configurations, more than the limit of "
            f"{limit:,}; evaluate a random subset with --sample N or raise the limit with "
            "--max-configs N"
        )


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError(f"{path}: no such grid file")
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text grid file (not UTF-8; binary?)") from None
    if "\x00" in text:
        raise InputError(f"{path}: not a text grid file (it holds NUL bytes; binary?)")
    try:
        if suffix in (".yaml", ".yml"):
            yaml = require("yaml", "models", purpose="YAML grid files")
            data = yaml.safe_load(text)
        elif suffix == ".toml":
            data = tomllib.loads(text)
        elif suffix == ".json":
            data = json.loads(text)
        else:
            raise InputError(f"{path}: unsupported grid file type {suffix!r} (.yaml, .toml, .json)")
    except InputError:
        raise
    except Exception as exc:  # yaml.YAMLError, tomllib.TOMLDecodeError, JSONDecodeError
        raise InputError(f"{path}: cannot be parsed: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: a grid file holds a mapping with a 'grid' key")
    return data


def load_grid(path: str | Path) -> GridFile:
    """Read a YAML/TOML/JSON grid file (see the module docstring).

    Parameters
    ----------
    path : str or Path
        ``.yaml``/``.yml`` (read with ``yaml.safe_load``), ``.toml`` or ``.json``.

    Returns
    -------
    GridFile
    """
    path = Path(path)
    data = _read(path)
    source = str(path)
    unknown = set(data) - _KEYS
    if unknown:
        raise InputError(f"{source}: unknown key(s) {sorted(unknown)} (allowed: {sorted(_KEYS)})")
    if "grid" not in data:
        raise InputError(f"{source}: no 'grid' mapping")
    space = grid_to_space(data["grid"], source=source)
    params = data.get("params") or {}
    if not isinstance(params, dict):
        raise InputError(f"{source}: 'params' must be a mapping")
    clash = set(params) & set(space.names)
    if clash:
        raise InputError(f"{source}: {sorted(clash)} are both fixed params and grid entries")
    fidelities = None
    if data.get("fidelities") is not None:
        raw = data["fidelities"]
        if not isinstance(raw, dict) or not all(isinstance(v, list) and v for v in raw.values()):
            raise InputError(f"{source}: 'fidelities' maps a name to a non-empty list of values")
        fidelities = {str(k): tuple(v) for k, v in raw.items()}
    model = None
    if data.get("estimator") is not None:
        if data.get("model") is not None:
            raise InputError(f"{source}: give either 'model' or 'estimator', not both")
        model = model_from_path(
            data["estimator"],
            regressor=data.get("regressor"),
            name=data.get("name"),
            source=source,
        )
    elif data.get("model") is not None:
        model = get_model(str(data["model"]))
    return GridFile(space, model, dict(params), fidelities, source)


_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(key: str) -> str:
    return key if _BARE.match(key) else json.dumps(key)


def _toml_value(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v, where) for v in value) + "]"
    raise InputError(f"{where}: value {value!r} cannot be written to TOML")


def _toml_table(lines: list[str], name: str, mapping: Mapping[str, Any]) -> None:
    lines.append(f"\n[{name}]")
    for key, value in mapping.items():
        lines.append(f"{_toml_key(str(key))} = {_toml_value(value, name)}")


def write_grid(
    path: str | Path,
    space: SearchSpace,
    *,
    model: str | None = None,
    params: Mapping[str, Any] | None = None,
    fidelities: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``space`` (with kinds and log flags) as a YAML or TOML grid file by suffix.

    :func:`load_grid` reads it back to an equal space.

    Parameters
    ----------
    path : str or Path
        ``.yaml``/``.yml``, ``.toml`` or ``.json``.
    space : SearchSpace
        The grid.
    model : str, optional
        A registered model name.
    params, fidelities : mapping, optional
        Fixed parameters and fidelity values.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    grid = {
        hp.name: {"values": list(hp.values), "kind": hp.kind, "log": hp.log}
        for hp in space.hyperparameters
    }
    doc: dict[str, Any] = {}
    if model is not None:
        doc["model"] = model
    if params:
        doc["params"] = dict(params)
    if fidelities:
        doc["fidelities"] = {k: list(v) for k, v in fidelities.items()}
    doc["grid"] = grid
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        yaml = require("yaml", "models", purpose="YAML grid files")
        text = yaml.safe_dump(doc, sort_keys=False)
    elif suffix == ".toml":
        lines = [f"model = {_toml_value(model, 'model')}"] if model is not None else []
        for table in ("params", "fidelities"):
            if table in doc:
                _toml_table(lines, table, doc[table])
        for name, entry in grid.items():
            _toml_table(lines, f"grid.{_toml_key(name)}", entry)
        text = "\n".join(lines).lstrip("\n") + "\n"
    elif suffix == ".json":
        text = json.dumps(doc, indent=2)
    else:
        raise InputError(f"{path}: unsupported grid file type {suffix!r} (.yaml, .toml, .json)")
    path.write_text(text, encoding="utf-8")
    return path
