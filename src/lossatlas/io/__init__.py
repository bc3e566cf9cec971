"""Reading and writing landscapes: the one loader, Parquet/CSV tables and Optuna studies.

:func:`load_landscapes` reads any source (a table, a directory of tables, an evaluation or
study output directory, an Optuna storage URL); :func:`read_landscapes` reads one table;
:func:`from_optuna`/:func:`to_optuna` convert Optuna studies (the ``optuna`` extra).
"""

from __future__ import annotations

from lossatlas.io._comparison import write_comparison
from lossatlas.io._loader import is_storage_url, load_landscapes, source_kind
from lossatlas.io._optuna import from_optuna, read_only_storage, study_names, to_optuna
from lossatlas.io._tables import read_landscapes, read_table, write_landscape, write_table

__all__ = [
    "from_optuna",
    "is_storage_url",
    "load_landscapes",
    "read_landscapes",
    "read_only_storage",
    "read_table",
    "source_kind",
    "study_names",
    "to_optuna",
    "write_comparison",
    "write_landscape",
    "write_table",
]
