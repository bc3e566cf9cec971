"""Studies: many landscapes (models x datasets x fidelities) as one unit, from one file.

- :func:`load_study` / :func:`parse_study`: the study file (YAML/TOML), validated before any
  work starts;
- :func:`run_study`: evaluate every task into one resumable journal, then profile, compare
  along fidelity / dataset / model / split, decompose importance and write the outputs
  (``results.parquet``, ``profiles.parquet``, ``similarity.parquet``, ``importance.parquet``,
  ``summary.json``, ``study.html``);
- :func:`builtin_study`: the built-in studies ``run`` (``lossatlas run``) and ``paper``.
"""

from __future__ import annotations

from lossatlas.study._analysis import REFERENCE, StudyAnalysis, analyse_study
from lossatlas.study._builtin import builtin_path, builtin_study, list_builtin
from lossatlas.study._file import (
    MAX_CONFIGS,
    MAX_TASKS,
    ModelEntry,
    StudySpec,
    load_study,
    parse_study,
)
from lossatlas.study._pipeline import StudyResult, run_study
from lossatlas.study._run import EvaluationRun, evaluate_study, study_landscapes, study_table

__all__ = [
    "MAX_CONFIGS",
    "MAX_TASKS",
    "REFERENCE",
    "EvaluationRun",
    "ModelEntry",
    "StudyAnalysis",
    "StudyResult",
    "StudySpec",
    "analyse_study",
    "builtin_path",
    "builtin_study",
    "evaluate_study",
    "list_builtin",
    "load_study",
    "parse_study",
    "run_study",
    "study_landscapes",
    "study_table",
]
