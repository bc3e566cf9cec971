"""Evaluate a grid: every configuration x k folds x each fidelity x seed, into a journal.

:class:`Evaluation` describes the work (model, dataset, grid, folds, fidelities, seeds) and
enumerates its tasks; :func:`evaluate` runs the tasks not yet in the journal of an output
directory on an executor, records the results as they finish (a batch per transaction,
:mod:`lossatlas.evaluate._buffer`), and writes the long table at the end.
The protocol follows Huang & Li (2023, arXiv 2311.14014): exhaustive grids, k-fold
cross-validation, train and test loss, several fidelities on the same folds.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lossatlas.errors import InputError, LossAtlasError
from lossatlas.evaluate._datasets import Dataset
from lossatlas.evaluate._executors import make_executor
from lossatlas.evaluate._journal import JOURNAL_NAME, Journal
from lossatlas.evaluate._journal_file import fold_write_ahead_log
from lossatlas.evaluate._models import ModelSpec
from lossatlas.evaluate._tasks import Task, TaskContext, canonical
from lossatlas.space import SearchSpace

__all__ = [
    "EvaluationSummary",
    "Evaluation",
    "NoTaskSucceededError",
    "evaluate",
    "outcome",
    "prepare_out",
]


def _fidelity_grid(
    fidelities: Mapping[str, Sequence[Any]], model: ModelSpec, space: SearchSpace
) -> list[str]:
    names = list(fidelities)
    for name in names:
        if name != "fraction" and name not in model.knobs:
            raise InputError(
                f"model {model.name!r} has no fidelity {name!r} (fidelities: "
                f"{['fraction', *model.knobs]})"
            )
        if name in space.names:
            raise InputError(f"{name!r} is a hyperparameter of the grid and cannot be a fidelity")
        if not fidelities[name]:
            raise InputError(f"fidelity {name!r} has no values")
    values: list[list[Any]] = []
    for name in names:
        if name == "fraction":
            vals = [float(v) for v in fidelities[name]]
            bad = [v for v in vals if not 0.0 < v <= 1.0]
            if bad:
                raise InputError(f"fidelity fraction values must lie in (0, 1], not {bad}")
        else:
            vals = [int(v) for v in fidelities[name]]
            if any(v < 1 for v in vals):
                raise InputError(f"fidelity {name!r} values must be positive integers")
        values.append(sorted(set(vals)))
    if "fraction" not in names:
        names.insert(0, "fraction")
        values.insert(0, [1.0])
    return [canonical(dict(zip(names, combo, strict=True))) for combo in itertools.product(*values)]


@dataclass(frozen=True, eq=False)
class Evaluation:
    """A model, a dataset and a grid evaluated by k-fold CV at some fidelities.

    Parameters
    ----------
    model : ModelSpec
    dataset : Dataset
    space : SearchSpace
    folds : int, default 5
    fidelities : mapping of str to sequence, optional
        ``fraction`` (training-data fraction alpha in (0, 1]) and model knobs (``n_estimators``,
        ``epochs``); the cross product is evaluated. Default: the model's.
    seeds : sequence of int, default (0,)
        Each seed gives its own folds, subsamples and model seed (a replicate).
    configs : array of int, optional
        Flat indices of the configurations to evaluate (default: the full grid).
    params : mapping, optional
        Fixed parameters on top of the model's.
    test_size : float, default 0.0
        Fraction of the rows held out once per dataset and seed (stratified, seeded) before the
        folds: each fold's model is then scored on ``train`` (its training rows), ``valid`` (its
        validation fold) and ``test`` (the held-out rows), as in Huang & Li (2023). 0 keeps no
        held-out split: ``test`` is the validation fold and there is no ``valid``.
    """

    model: ModelSpec
    dataset: Dataset
    space: SearchSpace
    folds: int = 5
    fidelities: Mapping[str, Sequence[Any]] | None = None
    seeds: Sequence[int] = (0,)
    configs: np.ndarray | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    test_size: float = 0.0

    def __post_init__(self) -> None:
        test_size = float(self.test_size)
        if not (test_size == 0.0 or 0.0 < test_size < 1.0) or not np.isfinite(test_size):
            raise InputError(f"test_size must be 0 or lie in (0, 1), not {self.test_size}")
        object.__setattr__(self, "test_size", test_size)
        if self.dataset.task not in self.model.tasks:
            raise InputError(
                f"model {self.model.name!r} does not support {self.dataset.task} datasets "
                f"({self.dataset.name!r})"
            )
        if self.folds < 2:
            raise InputError(f"folds must be at least 2, not {self.folds}")
        kept = 1.0 - test_size
        if self.dataset.task == "classification":
            smallest = int(np.bincount(self.dataset.y).min())
            if int(smallest * kept) < self.folds or (test_size and smallest * test_size < 1):
                raise InputError(
                    f"dataset {self.dataset.name!r}: the smallest class has {smallest} rows, "
                    f"too few for {self.folds} folds"
                    + (f" and a test split of {test_size:g}" if test_size else "")
                )
        elif int(self.dataset.n_samples * kept) < self.folds:
            raise InputError(f"dataset {self.dataset.name!r} has fewer rows than folds")
        clash = (set(self.params) | set(self.model.params)) & set(self.space.names)
        object.__setattr__(
            self,
            "params",
            {k: v for k, v in {**self.model.params, **self.params}.items() if k not in clash},
        )
        fidelities = self.fidelities if self.fidelities is not None else self.model.fidelities
        object.__setattr__(self, "_fidelities", _fidelity_grid(fidelities, self.model, self.space))
        if self.configs is not None:
            configs = np.unique(np.asarray(self.configs, dtype=np.int64))
            if configs.size and (configs[0] < 0 or configs[-1] >= self.space.size):
                raise InputError(f"config indices must lie in [0, {self.space.size})")
            object.__setattr__(self, "configs", configs)

    @property
    def metric(self) -> str:
        """``error_rate`` (1 - accuracy) for classification, ``rmse`` for regression."""
        return "error_rate" if self.dataset.task == "classification" else "rmse"

    @property
    def key(self) -> str:
        """Journal key: hash of everything that changes a result except grid, fidelity, seed."""
        identity = {
            "model": self.model.name,
            "build": getattr(self.model.build, "__qualname__", repr(self.model.build)),
            "params": canonical(self.params),
            "dataset": self.dataset.name,
            "data": self.dataset.fingerprint,
            "task": self.dataset.task,
            "folds": self.folds,
        }
        if self.test_size:  # absent at 0, so journals written before the split keep their keys
            identity["test_size"] = self.test_size
        text = json.dumps(identity, sort_keys=True, default=repr)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def spec(self) -> dict[str, Any]:
        """JSON description stored in the journal."""
        return {
            "model": self.model.name,
            "dataset": self.dataset.name,
            "task": self.dataset.task,
            "metric": self.metric,
            "folds": self.folds,
            "test_size": self.test_size,
            "params": json.loads(canonical(self.params)),
            "space": self.space.to_dict(),
            "fidelities": [json.loads(f) for f in self._fidelities],  # type: ignore[attr-defined]
            "seeds": list(self.seeds),
            "dataset_metadata": self.dataset.metadata,
        }

    @property
    def n_configs(self) -> int:
        """Number of configurations to evaluate."""
        return self.space.size if self.configs is None else int(len(self.configs))

    @property
    def n_tasks(self) -> int:
        """configurations x folds x fidelities x seeds."""
        fids = len(self._fidelities)  # type: ignore[attr-defined]
        return self.n_configs * self.folds * fids * len(self.seeds)

    def config_values(self, flat: int) -> dict[str, Any]:
        """The hyperparameter values of the configuration with flat index ``flat``."""
        codes = self.space.decode(np.array([flat]))[0]
        return {
            hp.name: hp.values[c] for hp, c in zip(self.space.hyperparameters, codes, strict=True)
        }

    def tasks(self) -> Iterator[Task]:
        """All tasks, fidelity-major then configuration, fold and seed."""
        flats = range(self.space.size) if self.configs is None else self.configs.tolist()
        configs = [(int(f), canonical(self.config_values(int(f)))) for f in flats]
        for fidelity in self._fidelities:  # type: ignore[attr-defined]
            for seed in self.seeds:
                for flat, config in configs:
                    for fold in range(self.folds):
                        yield Task(flat, config, fold, fidelity, int(seed))

    def context(self) -> TaskContext:
        """The shared part of every task."""
        return TaskContext(
            self.key, self.model, self.dataset, self.folds, dict(self.params), self.test_size
        )


@dataclass(frozen=True)
class EvaluationSummary:
    """What a call of :func:`evaluate` did.

    Attributes
    ----------
    out : Path
    study : str
        The evaluation's journal key.
    n_tasks : int
        Tasks of the evaluation.
    n_skipped : int
        Already in the journal when the call started.
    n_run : int
        Run by this call.
    n_failed : int
        Of those, failed.
    seconds : float
    table : Path or None
    n_ok : int
        Tasks of the evaluation recorded as ok in the journal at the end (by any run).
    n_by_others : int
        Tasks another process sharing the journal finished during the call.
    errors : tuple of (str, int)
        The distinct error messages of the evaluation's failed tasks in the journal, with their
        counts, most frequent first.
    """

    out: Path
    study: str
    n_tasks: int
    n_skipped: int
    n_run: int
    n_failed: int
    seconds: float
    table: Path | None
    n_ok: int = 0
    n_by_others: int = 0
    errors: tuple[tuple[str, int], ...] = ()


class NoTaskSucceededError(LossAtlasError):
    """No task of an evaluation or study succeeded; ``errors`` holds the distinct messages of
    its failed tasks with their counts, most frequent first."""

    def __init__(self, what: str, errors: tuple[tuple[str, int], ...]) -> None:
        self.what, self.errors = what, errors
        n_failed = sum(count for _, count in errors)
        first = (errors[0][0] if errors else "") or "no message"
        first = re.sub(r" \(at [^()]*:\d+\)$", "", first.splitlines()[0])
        super().__init__(f"no task of {what} succeeded ({n_failed} failed; most often: {first})")


def prepare_out(out: str | Path) -> Path:
    """``out`` as a directory (created when missing), or one line saying why it cannot be."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: --out is an existing file, not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"{out}: cannot create the output directory ({exc.strerror or exc})"
        ) from None
    return out


def outcome(
    journal: Journal, study: str, tasks: Iterator[Task]
) -> tuple[int, int, tuple[tuple[str, int], ...]]:
    """``(n_ok, n_failed, errors)`` of ``tasks`` in the journal (errors: distinct messages with
    their counts, most frequent first)."""
    statuses = journal.statuses(study)
    n_ok = n_failed = 0
    errors: Counter[str] = Counter()
    for task in tasks:
        status = statuses.get(task.key)
        if status is None:
            continue
        if status[0] == "ok":
            n_ok += 1
        else:
            n_failed += 1
            errors[status[1] or "unknown error"] += 1
    return n_ok, n_failed, tuple(errors.most_common())


def evaluate(
    study: Evaluation,
    out: str | Path,
    *,
    jobs: int = 1,
    scheduler: Any = None,
    retry_failed: bool = False,
    progress: bool = False,
    write_table: bool = True,
    lease: float | None = None,
    reuse: bool = True,
) -> EvaluationSummary:
    """Run the study's tasks that the journal in ``out`` does not hold yet.

    Several processes may run the same evaluation on one ``out`` at once: they claim the tasks
    through the journal and share them, each task fitted once; a killed process's tasks are
    taken over (:mod:`lossatlas.evaluate._claims`).

    Parameters
    ----------
    study : Evaluation
    out : path
        Output directory: ``journal.sqlite`` (resumable) and ``results.parquet``.
    jobs : int, default 1
        Local worker processes (loky); 1 runs serially in this process.
    scheduler : str or distributed.Client, optional
        A dask.distributed scheduler (``tcp://host:port``); overrides ``jobs``.
    retry_failed : bool, default False
        Run again the tasks recorded as failed.
    progress : bool, default False
        Show a rich progress bar (done/total, failures, ETA).
    write_table : bool, default True
        Export the journal to ``out/results.parquet`` at the end.
    reuse : bool, default True
        Train once and score every nested ``n_estimators`` (forests' first k trees, XGBoost
        prefixes; :mod:`lossatlas.evaluate._reuse`); each prefix is still its own journal row.
    lease : float, optional
        Seconds a claim lasts without renewal (default ``$LOSSATLAS_LEASE_SECONDS`` or 60).

    Returns
    -------
    EvaluationSummary
        Tasks run, skipped (already in the journal), run by other processes and failed, the
        seconds taken, the path of the results table, and the journal's outcome of the
        evaluation (``n_ok == 0`` when no task succeeded; the distinct error messages).

    Examples
    --------
    >>> import tempfile
    >>> from lossatlas.evaluate import Evaluation, evaluate, get_model, load_dataset
    >>> from lossatlas.io import load_landscapes
    >>> rf = get_model("rf")
    >>> study = Evaluation(model=rf, dataset=load_dataset("iris"), space=rf.space("tiny"),
    ...                    folds=2, params={"n_estimators": 5})
    >>> summary = evaluate(study, tempfile.mkdtemp())
    >>> summary.n_run, summary.n_failed
    (16, 0)
    >>> (landscape,) = load_landscapes(summary.table)
    >>> landscape.n == rf.space("tiny").size
    True
    """
    from lossatlas.evaluate._claims import run_claimed
    from lossatlas.evaluate._progress import ProgressReporter
    from lossatlas.evaluate._table import export

    study.model.check_available()
    out = prepare_out(out)
    start = time.perf_counter()
    key = study.key
    with Journal(out / JOURNAL_NAME) as journal:
        journal.register_study(key, study.spec())
        done = journal.done(key, include_failed=not retry_failed)
        todo = [task for task in study.tasks() if task.key not in done]
        n_total = study.n_tasks
        executor = make_executor(jobs=jobs, scheduler=scheduler)
        n_run = n_failed = n_others = 0
        with ProgressReporter(
            total=n_total,
            done=n_total - len(todo),
            enabled=progress,
            label=f"{study.model.name} on {study.dataset.name}",
        ) as bar:
            parts = [(key, study.context(), todo)]
            for _, result in run_claimed(
                journal,
                parts,
                executor,
                retry_failed=retry_failed,
                lease=lease,
                batch=max(1, jobs),
                reuse=reuse,
            ):
                if result is None:
                    n_others += 1
                    bar.advance()
                    continue
                failed = result["status"] != "ok"
                n_run += 1
                n_failed += failed
                bar.advance(failed=failed)
        n_ok, _, errors = outcome(journal, key, study.tasks())
    table = export(out) if write_table else None
    fold_write_ahead_log(out / JOURNAL_NAME)
    return EvaluationSummary(
        out=out,
        study=key,
        n_tasks=n_total,
        n_skipped=n_total - len(todo),
        n_run=n_run,
        n_failed=n_failed,
        seconds=time.perf_counter() - start,
        table=table,
        n_ok=n_ok,
        n_by_others=n_others,
        errors=errors,
    )
