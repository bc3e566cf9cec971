"""The long results table from a journal (DESIGN.md, "Data model"; column roles in
:mod:`lossatlas.columns`).

One row per (model, dataset, fidelity..., configuration, fold, seed): ``model``, ``dataset``,
``fidelity_*``, the hyperparameter columns with their real values, ``fold``, ``seed``, the loss
columns (``train``, ``test``, ``train_logloss``, ``test_logloss``), then bookkeeping
(``status``, ``error``, ``fit_seconds``, ``predict_seconds``, ``n_train``, ``n_test``,
``metric``, ``config_id``, ``timestamp``). Rows are sorted, so two journals with the same
results give equal tables whatever order the tasks finished in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lossatlas.columns import is_loss_column
from lossatlas.errors import InputError, SpaceError
from lossatlas.evaluate._journal import JOURNAL_NAME, Journal
from lossatlas.space import SearchSpace

__all__ = ["RESULTS_NAME", "export", "journal_frame"]

RESULTS_NAME = "results.parquet"
_TAIL = (
    "status",
    "error",
    "fit_seconds",
    "predict_seconds",
    "n_train",
    "n_test",
    "metric",
    "config_id",
    "timestamp",
)
_LOSSES = ("train", "test", "train_logloss", "test_logloss")


def _config_id(space: SearchSpace, config: dict[str, Any]) -> int:
    try:
        if set(config) != set(space.names):
            return -1
        codes = np.array([[space[name].code_of(config[name]) for name in space.names]])
    except SpaceError:
        return -1
    return int(space.encode(codes)[0])


def journal_frame(
    journal: Journal, *, study: str | None = None
) -> tuple[pd.DataFrame, SearchSpace | None]:
    """The long table of a journal (of one study, or of all).

    Parameters
    ----------
    journal : Journal
        An open journal.
    study : str, optional
        The evaluation key (``model/dataset``) to export; all when absent.

    Returns
    -------
    frame : DataFrame
    space : SearchSpace or None
        The study's grid when the table holds one study whose configurations all lie on it
        (written into the Parquet metadata so partial landscapes keep their grid).
    """
    studies = journal.studies()
    if study is not None and study not in studies:
        raise InputError(f"{journal.path}: no study {study!r} (studies: {sorted(studies)})")
    keys = [study] if study is not None else list(studies)
    records: list[dict[str, Any]] = []
    hp_order: list[str] = []
    fid_order: list[str] = []
    spaces: list[SearchSpace] = []
    all_on_grid = True
    for key in keys:
        spec = studies[key]
        space = SearchSpace.from_dict(spec["space"])
        spaces.append(space)
        hp_order += [n for n in space.names if n not in hp_order]
        cache: dict[str, int] = {}
        for row in journal.rows(key):
            config = json.loads(row["config"])
            fidelity = json.loads(row["fidelity"])
            if row["config"] not in cache:
                cache[row["config"]] = _config_id(space, config)
            config_id = cache[row["config"]]
            all_on_grid &= config_id >= 0
            record: dict[str, Any] = {"model": spec["model"], "dataset": spec["dataset"]}
            for name, value in fidelity.items():
                record[f"fidelity_{name}"] = value
                if f"fidelity_{name}" not in fid_order:
                    fid_order.append(f"fidelity_{name}")
            for name in config:
                if name not in hp_order:
                    hp_order.append(name)
            record.update(config)
            record.update(fold=row["fold"], seed=row["seed"])
            for name, value in row.items():
                if is_loss_column(name) or name in _TAIL:
                    record[name] = value
            record.update(metric=spec.get("metric"), config_id=config_id)
            records.append(record)
    fid_order.sort(key=lambda c: (c != "fidelity_fraction", c))
    losses = [c for c in _LOSSES if any(c in r for r in records)]
    losses += sorted({c for r in records for c in r if is_loss_column(c)} - set(losses))
    columns = ["model", "dataset", *fid_order, *hp_order, "fold", "seed", *losses, *_TAIL]
    frame = pd.DataFrame.from_records(records, columns=columns)
    for name in losses + ["fit_seconds", "predict_seconds"]:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(np.float64)
    for name in hp_order:
        frame[name] = frame[name].infer_objects()
    # a loss no estimator could give (no predict_proba) would only read as NaN
    empty = [c for c in losses if frame[c].isna().all() and len(frame)]
    frame = frame.drop(columns=empty)
    sort = ["model", "dataset", *fid_order, "config_id", "fold", "seed"]
    frame = frame.sort_values(sort, kind="stable", na_position="last").reset_index(drop=True)
    single = spaces[0] if len(spaces) == 1 and all_on_grid else None
    return frame, single


def export(out: str | Path, path: str | Path | None = None, *, study: str | None = None) -> Path:
    """Write the long table of the journal in ``out`` to ``path`` (default
    ``out/results.parquet``); Parquet or CSV by suffix.

    Parameters
    ----------
    out : str or Path
        An evaluation directory (holding ``journal.sqlite``) or the journal file itself.
    path : str or Path, optional
        The table to write, ``.parquet`` or ``.csv``.
    study : str, optional
        Export one evaluation key only.

    Returns
    -------
    Path
        The table written (its Parquet metadata keeps the grid of a single study).
    """
    from lossatlas.io import write_table

    out = Path(out)
    journal_path = out / JOURNAL_NAME if out.is_dir() or not out.suffix else out
    with Journal(journal_path, create=False) as journal:
        frame, space = journal_frame(journal, study=study)
    if frame.empty:
        raise InputError(f"{journal_path}: the journal has no results yet")
    target = Path(path) if path is not None else journal_path.parent / RESULTS_NAME
    return write_table(frame, target, space=space)
