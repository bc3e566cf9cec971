"""Build HP landscapes: evaluate grids of real models on real datasets, resumable and parallel.

- datasets: offline datasets (scikit-learn's bundled sets, generated sets of realistic size,
  suites, user CSV/Parquet, cached OpenML): :func:`load_dataset`, :func:`list_datasets`,
  :func:`list_suites`, :func:`expand_datasets`, :func:`register_dataset`;
- models: the registry (``rf``, ``dt``, ``svm``, ``xgboost``, ``lightgbm``, ``fcnet``,
  ``cnn``) with study, default and tiny grids: :func:`get_model`, :func:`register_model`; your
  own estimators with :func:`model_from_estimator` and :func:`model_from_path`;
- grids: YAML/TOML/JSON grid files (:func:`load_grid`, :func:`write_grid`), parsed by
  :meth:`lossatlas.SearchSpace.from_dict`;
- running: :class:`Evaluation` and :func:`evaluate` (tasks = config x fold x fidelity x seed,
  with an optional held-out test split, ``test_size``: :func:`holdout_split`,
  :func:`evaluation_splits`) on an executor (:class:`SerialExecutor`, :class:`LokyExecutor`,
  :class:`DaskExecutor`), with the SQLite (WAL) :class:`Journal` that makes runs resumable and
  idempotent (stamped as ours; processes on one output directory share its tasks through
  leases); :class:`NoTaskSucceededError` when every task failed;
- the long results table: :func:`export`, :func:`journal_frame`.

Constants: :data:`RESULTS_NAME` (``results.parquet``) and :data:`JOURNAL_NAME`
(``journal.sqlite``) name the files of an evaluation directory, :data:`DEFAULT_OUT` its default
location; :data:`ALLOWED_ESTIMATOR_PREFIXES` the modules a grid file may name an estimator
from; :data:`PRESETS` and :data:`SUITES` the built-in dataset presets and suites;
:data:`TaskKind` is ``"classification"`` or ``"regression"``.

Scikit-learn is the ``models`` extra; xgboost, lightgbm and torch are imported only when their
model is used.
"""

from __future__ import annotations

from lossatlas.evaluate._datasets import (
    PRESETS,
    SUITES,
    Dataset,
    TaskKind,
    expand_datasets,
    list_datasets,
    list_suites,
    load_dataset,
    register_dataset,
)
from lossatlas.evaluate._defaults import DEFAULT_OUT, default_evaluation
from lossatlas.evaluate._executors import (
    DaskExecutor,
    Executor,
    LokyExecutor,
    SerialExecutor,
    connect_dask,
    make_executor,
)
from lossatlas.evaluate._grids import GridFile, grid_to_space, load_grid, write_grid
from lossatlas.evaluate._journal import JOURNAL_NAME, Journal
from lossatlas.evaluate._models import (
    ModelContext,
    ModelSpec,
    get_model,
    list_models,
    register_model,
)
from lossatlas.evaluate._progress import ProgressReporter
from lossatlas.evaluate._runner import (
    Evaluation,
    EvaluationSummary,
    NoTaskSucceededError,
    evaluate,
)
from lossatlas.evaluate._table import RESULTS_NAME, export, journal_frame
from lossatlas.evaluate._tasks import (
    Task,
    TaskContext,
    canonical,
    evaluation_splits,
    fold_indices,
    holdout_split,
    nested_subsample,
    run_task,
)
from lossatlas.evaluate._torch_models import FCNet, SmallCNN
from lossatlas.evaluate._user_models import (
    ALLOWED_ESTIMATOR_PREFIXES,
    EstimatorFactory,
    ImportedEstimatorFactory,
    model_from_estimator,
    model_from_path,
)

__all__ = [
    "ALLOWED_ESTIMATOR_PREFIXES",
    "DEFAULT_OUT",
    "DaskExecutor",
    "Dataset",
    "EstimatorFactory",
    "Evaluation",
    "EvaluationSummary",
    "Executor",
    "FCNet",
    "GridFile",
    "ImportedEstimatorFactory",
    "JOURNAL_NAME",
    "Journal",
    "LokyExecutor",
    "ModelContext",
    "ModelSpec",
    "NoTaskSucceededError",
    "PRESETS",
    "ProgressReporter",
    "RESULTS_NAME",
    "SUITES",
    "SerialExecutor",
    "SmallCNN",
    "Task",
    "TaskContext",
    "TaskKind",
    "canonical",
    "connect_dask",
    "default_evaluation",
    "evaluate",
    "evaluation_splits",
    "expand_datasets",
    "export",
    "fold_indices",
    "get_model",
    "grid_to_space",
    "holdout_split",
    "journal_frame",
    "list_datasets",
    "list_models",
    "list_suites",
    "load_dataset",
    "load_grid",
    "make_executor",
    "model_from_estimator",
    "model_from_path",
    "nested_subsample",
    "register_dataset",
    "register_model",
    "run_task",
    "write_grid",
]
