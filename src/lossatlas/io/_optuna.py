"""Optuna interop: an Optuna study as a landscape, and a landscape as an Optuna study.

Optuna (Akiba et al. 2019) is an extra (``pip install optuna``), imported only inside these
functions. :func:`from_optuna` reads a study (in memory, or by storage URL) into a
:class:`~lossatlas.landscape.Landscape`; :func:`to_optuna` writes a landscape into a study so
that Optuna's own plots and importance evaluators apply to it.

The search space of an imported study is, in order of preference:

1. the ``space`` argument;
2. the space a lossatlas export stored in the study's user attribute ``"lossatlas_space"``
   (an exact round trip);
3. the grid of a ``GridSampler`` study (its ``"search_space"`` trial system attribute): every
   grid value is kept exactly;
4. otherwise the trials' distributions, discretised: a categorical distribution keeps its
   choices (numbers become ordinal, strings categorical, booleans boolean); an integer or
   stepped float distribution keeps its values when there are at most ``max_values`` of them;
   any other numeric distribution becomes ``n_bins`` equal-width bins (on a log scale for a
   log distribution) represented by their centres (geometric centres when log; rounded for
   integers), and each trial goes to the bin it falls in. A sampled study therefore gives a
   *partial* landscape on that grid; trials that land on the same configuration are averaged.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, unquote

import numpy as np

from lossatlas.errors import InputError, SpaceError, require
from lossatlas.landscape import Landscape
from lossatlas.space import Hyperparameter, SearchSpace

if TYPE_CHECKING:
    import optuna

__all__ = ["from_optuna", "read_only_storage", "study_names", "to_optuna"]

_SPACE_ATTR = "lossatlas_space"
_LOSSES_ATTR = "lossatlas_losses"
_OPTUNA_TABLES = frozenset({"studies", "trials", "version_info"})


def _optuna() -> Any:
    return require("optuna", "optuna", purpose="Optuna study import and export")


def _sqlite_file(url: str) -> Path | None:
    """The file of an ``sqlite:///`` URL (``None`` for other databases and in-memory ones)."""
    match = re.match(r"^sqlite(\+\w+)?:///(.*)$", url)
    if match is None:
        return None
    rest = match.group(2).split("?", 1)[0]
    if not rest or rest == ":memory:" or rest.startswith("file:"):
        return None
    return Path(unquote(rest))


def read_only_storage(url: str) -> str:
    """Check that an ``sqlite:///`` URL names an existing Optuna storage; open it read-only.

    Opening a storage with Optuna creates a missing SQLite file and adds Optuna's tables to any
    SQLite file; a reader must do neither.

    Parameters
    ----------
    url : str
        An Optuna storage URL.

    Returns
    -------
    str
        A read-only URL of the same file for SQLite, ``url`` itself for other databases.

    Raises
    ------
    InputError
        The file is missing, is not SQLite, or holds no Optuna tables.
    """
    path = _sqlite_file(url)
    if path is None:
        return url
    if not path.is_file():
        raise InputError(f"{url}: no such file {str(path)!r} (an Optuna storage is never created)")
    try:
        con = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{url}: {path} is not an SQLite database ({exc})") from None
    if not _OPTUNA_TABLES <= tables:
        raise InputError(
            f"{url}: {path} is an SQLite file but not an Optuna storage (no "
            f"{', '.join(sorted(_OPTUNA_TABLES - tables))} table); it was left untouched"
        )
    return f"sqlite:///file:{quote(str(path.resolve()))}?mode=ro&uri=true"


def study_names(url: str) -> list[str]:
    """The names of the studies in an Optuna storage, opened read-only.

    Parameters
    ----------
    url : str
        An Optuna storage URL (an SQLite file must exist and be an Optuna storage).

    Returns
    -------
    list of str
    """
    optuna = _optuna()
    try:
        return list(optuna.get_all_study_names(storage=read_only_storage(url)))
    except InputError:
        raise
    except Exception as exc:  # storage errors come from sqlalchemy and friends
        raise InputError(f"cannot open Optuna storage {url!r}: {exc}") from exc


def _load(source: Any, study_name: str | None) -> Any:
    optuna = _optuna()
    if isinstance(source, optuna.Study):
        return source
    if not isinstance(source, str):
        raise InputError(f"expected an optuna.Study or a storage URL, got {type(source).__name__}")
    shown = source
    source = read_only_storage(source)
    if study_name is None:
        try:
            names = optuna.get_all_study_names(storage=source)
        except Exception as exc:  # storage errors come from sqlalchemy and friends
            raise InputError(f"cannot open Optuna storage {shown!r}: {exc}") from exc
        if len(names) != 1:
            raise InputError(
                f"Optuna storage {shown!r} holds {len(names)} studies "
                f"({', '.join(names) or 'none'}): pass study_name="
            )
        study_name = names[0]
    try:
        return optuna.load_study(study_name=study_name, storage=source)
    except KeyError as exc:
        raise InputError(f"no study {study_name!r} in Optuna storage {shown!r}") from exc


def _kind_of(values: list[Any]) -> str:
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "ordinal"
    return "categorical"


def _discretise(
    name: str, dist: Any, *, n_bins: int, max_values: int
) -> tuple[Hyperparameter, Any]:
    """A hyperparameter for an Optuna distribution and a function value -> code."""
    optuna = _optuna()
    d = optuna.distributions
    if isinstance(dist, d.CategoricalDistribution):
        values = list(dist.choices)
        hp = Hyperparameter(name, tuple(values), _kind_of(values))  # type: ignore[arg-type]
        return hp, hp.code_of
    is_int = isinstance(dist, d.IntDistribution)
    low, high, step, log = dist.low, dist.high, dist.step, dist.log
    if step is not None and (high - low) / step + 1 <= max_values + 1e-9:
        count = int(round((high - low) / step)) + 1
        values = [low + i * step for i in range(count)]
        values = [int(v) for v in values] if is_int else [round(v, 12) for v in values]
        hp = Hyperparameter(name, tuple(values), "ordinal", log)
        grid = np.asarray(values, dtype=float)
        return hp, lambda x: int(np.abs(grid - float(x)).argmin())
    to_axis = np.log if log else (lambda x: np.asarray(x, dtype=float))
    lo, hi = float(to_axis(low)), float(to_axis(high))
    centres = lo + (np.arange(n_bins) + 0.5) * (hi - lo) / n_bins
    values = np.exp(centres) if log else centres
    if is_int:
        values = np.unique(np.round(values).astype(int))
        grid = to_axis(values.astype(float))
        hp = Hyperparameter(name, tuple(int(v) for v in values), "ordinal", log)
        return hp, lambda x: int(np.abs(grid - to_axis(float(x))).argmin())
    hp = Hyperparameter(name, tuple(float(f"{v:.6g}") for v in values), "ordinal", log)

    def code(x: float) -> int:
        position = (float(to_axis(float(x))) - lo) / (hi - lo) * n_bins
        return int(min(max(math.floor(position), 0), n_bins - 1))

    return hp, code


def from_optuna(
    study: optuna.Study | str,
    *,
    study_name: str | None = None,
    loss: str = "test",
    objective: int | None = None,
    space: SearchSpace | None = None,
    n_bins: int = 10,
    max_values: int = 32,
    score_to_loss: Literal["negate", "one_minus"] = "negate",
) -> Landscape:
    """Read an Optuna study as a landscape.

    Parameters
    ----------
    study : optuna.Study or str
        A study, or an Optuna storage URL (``"sqlite:///study.db"``).
    study_name : str, optional
        Study to load from the storage; needed when it holds several.
    loss : str, default "test"
        Name of the loss column the objective value becomes.
    objective : int, optional
        Which objective of a multi-objective study.
    space : SearchSpace, optional
        The grid to place trials on (their parameter values must be grid values).
    n_bins, max_values : int
        Discretisation of continuous distributions (see the module notes).
    score_to_loss : {"negate", "one_minus"}, default "negate"
        How a maximised objective becomes a loss (``-v`` or ``1 - v``); recorded in the metadata.

    Returns
    -------
    Landscape
        Full for a complete grid study, partial otherwise; only COMPLETE trials count, the others
        are reported as ``n_failed`` in the metadata. Trials missing a parameter of the space
        (conditional parameters) are left out and counted as ``n_incomplete``.
    """
    optuna = _optuna()
    study = _load(study, study_name)
    directions = study.directions
    if objective is None:
        if len(directions) > 1:
            raise InputError(
                f"study {study.study_name!r} has {len(directions)} objectives: "
                "pass objective= (0-based)"
            )
        objective = 0
    if not 0 <= objective < len(directions):
        raise InputError(f"objective {objective} out of range for {len(directions)} objectives")
    trials = study.get_trials(deepcopy=False)
    complete = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    if not complete:
        raise InputError(f"study {study.study_name!r} has no complete trial")
    coders: dict[str, Any] = {}
    how = "given"
    if space is None and _SPACE_ATTR in study.user_attrs:
        space, how = SearchSpace.from_dict(study.user_attrs[_SPACE_ATTR]), "lossatlas"
    if space is None and "search_space" in complete[0].system_attrs:
        space, how = SearchSpace.from_dict(complete[0].system_attrs["search_space"]), "grid"
    if space is None:
        dists: dict[str, Any] = {}
        for trial in complete:
            for name, dist in trial.distributions.items():
                dists.setdefault(name, dist)
        hps = []
        for name, dist in dists.items():
            try:
                hp, coder = _discretise(name, dist, n_bins=n_bins, max_values=max_values)
            except SpaceError:
                continue  # a one-valued parameter is constant, not a hyperparameter
            hps.append(hp)
            coders[name] = coder
        space, how = SearchSpace(hps), "discretised"
    for hp in space.hyperparameters:
        coders.setdefault(hp.name, hp.code_of)

    codes, values, extra, incomplete = [], [], [], 0
    for trial in complete:
        if any(name not in trial.params for name in space.names):
            incomplete += 1
            continue
        try:
            codes.append([coders[name](trial.params[name]) for name in space.names])
        except SpaceError as exc:
            raise InputError(f"study {study.study_name!r}, trial {trial.number}: {exc}") from exc
        values.append(trial.values[objective])
        stored = trial.user_attrs.get(_LOSSES_ATTR)
        extra.append(stored if isinstance(stored, Mapping) else {})
    if not codes:
        raise InputError(f"study {study.study_name!r}: no complete trial sets every parameter")
    extra_names = sorted(set.intersection(*(set(e) for e in extra)) - {loss})
    direction = directions[objective]
    value = np.asarray(values, dtype=float)
    if direction == optuna.study.StudyDirection.MAXIMIZE:
        value = -value if score_to_loss == "negate" else 1.0 - value
    flat = space.encode(np.asarray(codes, dtype=np.int64))
    columns = {loss: value, **{n: np.array([e[n] for e in extra], float) for n in extra_names}}
    unique, inverse = np.unique(flat, return_inverse=True)
    merged = {
        name: np.bincount(inverse, weights=col) / np.bincount(inverse)
        for name, col in columns.items()
    }
    metadata = {
        "source": f"optuna:{study.study_name}",
        "study_name": study.study_name,
        "space_from": how,
        "direction": "maximize"
        if direction == optuna.study.StudyDirection.MAXIMIZE
        else "minimize",
        "n_trials": len(trials),
        "n_failed": len(trials) - len(complete),
        "n_incomplete": incomplete,
        "n_merged": len(flat) - len(unique),
    }
    if metadata["direction"] == "maximize":
        metadata["score_to_loss"] = score_to_loss
    stored_meta = study.user_attrs.get("lossatlas_metadata")
    if isinstance(stored_meta, Mapping):
        metadata = {**stored_meta, **metadata}
    metadata.setdefault("name", study.study_name)  # the label of a study without model/dataset
    return Landscape.from_array(space, merged, index=unique, metadata=metadata)


def _plain(value: Any) -> Any:
    value = value.item() if isinstance(value, np.generic) else value
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def _distribution(hp: Hyperparameter) -> Any:
    d = _optuna().distributions
    values = [_plain(v) for v in hp.values]
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    if hp.kind != "ordinal" or not numeric:
        return d.CategoricalDistribution(values)
    if all(isinstance(v, int) for v in values):
        steps = set(np.diff(values).tolist())
        if len(steps) == 1 and not hp.log:
            return d.IntDistribution(values[0], values[-1], step=int(steps.pop()))
        return d.IntDistribution(values[0], values[-1], log=hp.log and values[0] >= 1)
    return d.FloatDistribution(float(values[0]), float(values[-1]), log=hp.log and values[0] > 0)


def _json_safe(metadata: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in metadata.items():
        value = _plain(value) if not isinstance(value, list | tuple | dict) else value
        try:
            json.dumps(value)
        except TypeError:
            continue
        out[str(key)] = value
    return out


def to_optuna(
    landscape: Landscape,
    *,
    loss: str = "test",
    study_name: str | None = None,
    storage: str | None = None,
    load_if_exists: bool = False,
) -> optuna.Study:
    """Write a landscape into an Optuna study (minimised), one COMPLETE trial per configuration.

    Each hyperparameter gets the Optuna distribution matching its kind: categorical and
    boolean hyperparameters a ``CategoricalDistribution`` of their values; ordinal integers an
    ``IntDistribution`` (stepped when evenly spaced, log when the HP is log-scaled); other
    ordinal numbers a ``FloatDistribution`` over their range (log when log-scaled); ordinal
    non-numbers a ``CategoricalDistribution``. Trials are built with
    ``optuna.trial.create_trial`` (value = ``loss``; the other loss columns go to the
    ``"lossatlas_losses"`` user attribute) and added with ``Study.add_trials``. The study's user
    attributes keep the space and metadata so :func:`from_optuna` restores the landscape exactly.

    Parameters
    ----------
    landscape : Landscape
        The landscape to write.
    loss : str, default "test"
        The loss column that becomes the trials' objective value.
    study_name : str, optional
        Name of the new study (Optuna picks one when absent).
    storage : str, optional
        Optuna storage URL (in memory when absent). A new SQLite file is created; an existing
        one must already be an Optuna storage (any other file is refused, left untouched).
    load_if_exists : bool, default False
        Add the trials to an existing study of that name.

    Returns
    -------
    optuna.Study
        The study, one COMPLETE trial per evaluated configuration.
    """
    optuna = _optuna()
    if storage is not None:
        target = _sqlite_file(storage)
        if target is not None and target.is_file() and target.stat().st_size > 0:
            read_only_storage(storage)  # refuses an SQLite file that is not an Optuna storage
    values = landscape.loss(loss)
    space = landscape.space
    dists = {hp.name: _distribution(hp) for hp in space.hyperparameters}
    study = optuna.create_study(
        study_name=study_name,
        storage=storage,
        direction="minimize",
        load_if_exists=load_if_exists,
    )
    study.set_user_attr(_SPACE_ATTR, space.to_dict())
    study.set_user_attr("lossatlas_metadata", _json_safe(landscape.metadata))
    study.set_user_attr("lossatlas_loss", loss)
    others = {n: v for n, v in landscape.losses.items() if n != loss}
    trials = []
    for row, config in enumerate(landscape.codes):
        params = {
            hp.name: _plain(hp.values[c])
            for hp, c in zip(space.hyperparameters, config, strict=True)
        }
        trials.append(
            optuna.trial.create_trial(
                params=params,
                distributions=dists,
                value=float(values[row]),
                user_attrs={_LOSSES_ATTR: {n: float(v[row]) for n, v in others.items()}},
            )
        )
    study.add_trials(trials)
    return study
