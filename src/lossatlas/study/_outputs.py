"""A study's outputs in ``--out``, each written atomically (a unique temporary name, then
``os.replace``), so a crash never leaves half a file and readers never see one.

``results.parquet`` (the long table), ``profiles.parquet``, ``similarity.parquet``,
``importance.parquet``, ``summary.json`` and ``study.html``.
"""

from __future__ import annotations

import json
import math
import os
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["OUTPUTS", "atomic_write", "parquet_safe", "write_json", "write_parquet"]

OUTPUTS = (
    "results.parquet",
    "profiles.parquet",
    "similarity.parquet",
    "importance.parquet",
    "summary.json",
    "study.html",
)


def atomic_write(path: str | Path, write: Callable[[Path], Any]) -> Path:
    """Call ``write(tmp)`` on a unique temporary name beside ``path``, then rename it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def parquet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns made storable: all-bool ones to nullable booleans, mixed ones to text."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype != object:
            continue
        values = column.dropna()
        kinds = {type(v) for v in values}
        if kinds and kinds <= {bool, np.bool_}:
            out[name] = column.astype("boolean")
        elif len(kinds) > 1:
            out[name] = column.map(lambda v: v if v is None or v is pd.NA else str(v))
    return out


def write_parquet(
    frame: pd.DataFrame, path: str | Path, *, metadata: Mapping[str, Any] = {}
) -> Path:
    """Write ``frame`` to Parquet atomically; ``metadata`` goes to the schema as JSON."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(parquet_safe(frame), preserve_index=False)
    if metadata:
        meta = dict(table.schema.metadata or {})
        meta.update({k.encode(): json.dumps(v).encode() for k, v in metadata.items()})
        table = table.replace_schema_metadata(meta)
    return atomic_write(path, lambda tmp: pq.write_table(table, tmp))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(data: Mapping[str, Any], path: str | Path) -> Path:
    """Write ``data`` as indented JSON atomically (NaN and infinities become null)."""
    text = json.dumps(_jsonable(data), indent=2) + "\n"
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
