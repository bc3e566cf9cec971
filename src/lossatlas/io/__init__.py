"""Reading and writing landscapes: Parquet/CSV tables (and Optuna studies, :mod:`.optuna`)."""

from __future__ import annotations

from lossatlas.io._tables import read_landscapes, read_table, write_landscape, write_table

__all__ = ["read_landscapes", "read_table", "write_landscape", "write_table"]
