"""Build HP landscapes: evaluate grids of real models on real datasets, resumable and parallel.

- :mod:`.datasets`: offline datasets (scikit-learn's bundled sets, generated sets of realistic
  size, suites, user CSV/Parquet, cached OpenML);
- :mod:`.models`: the model registry (``rf``, ``dt``, ``svm``, ``xgboost``, ``lightgbm``,
  ``fcnet``, ``cnn``) with study, default and tiny grids; :mod:`.user_models` for your own
  estimators;
- :mod:`.grids`: YAML/TOML grid files;
- :mod:`.runner`: :class:`Evaluation` and :func:`evaluate` (tasks = config x fold x fidelity
  x seed, with an optional held-out test split, ``test_size``);
- :mod:`.journal`: the SQLite (WAL) journal that makes runs resumable and idempotent;
- :mod:`.executors`: serial, local processes (loky) and dask.distributed;
- :mod:`.table`: the long results table (:func:`export`).

Scikit-learn is the ``models`` extra; xgboost, lightgbm and torch are imported only when their
model is used.
"""

from __future__ import annotations

from lossatlas.evaluate._datasets import (
    Dataset,
    expand_datasets,
    list_datasets,
    list_suites,
    load_dataset,
    register_dataset,
)
from lossatlas.evaluate._defaults import default_evaluation
from lossatlas.evaluate._grids import GridFile, grid_to_space, load_grid, write_grid
from lossatlas.evaluate._journal import Journal
from lossatlas.evaluate._models import (
    ModelContext,
    ModelSpec,
    get_model,
    list_models,
    register_model,
)
from lossatlas.evaluate._runner import Evaluation, EvaluationSummary, evaluate
from lossatlas.evaluate._table import export, journal_frame
from lossatlas.evaluate._user_models import model_from_estimator, model_from_path

__all__ = [
    "Dataset",
    "EvaluationSummary",
    "GridFile",
    "Journal",
    "ModelContext",
    "ModelSpec",
    "Evaluation",
    "default_evaluation",
    "evaluate",
    "expand_datasets",
    "export",
    "get_model",
    "grid_to_space",
    "journal_frame",
    "list_datasets",
    "list_models",
    "list_suites",
    "load_dataset",
    "load_grid",
    "model_from_estimator",
    "model_from_path",
    "register_dataset",
    "register_model",
    "write_grid",
]
