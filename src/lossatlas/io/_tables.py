"""Read and write landscape tables (Parquet and CSV) with validation.

A Parquet file written by lossatlas carries the search space as JSON in its schema metadata
(key ``lossatlas.space``), so partial landscapes keep grid values that no row uses. CSV files
carry values only; their space is inferred unless given.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from lossatlas import columns as roles
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape
from lossatlas.space import SearchSpace

__all__ = ["read_table", "write_table", "read_landscapes", "write_landscape", "SPACE_KEY"]

SPACE_KEY = b"lossatlas.space"
_SUFFIXES = (".parquet", ".pq", ".csv")


def _check_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise InputError(f"{path}: unsupported file type {suffix!r} (use .parquet or .csv)")
    return "csv" if suffix == ".csv" else "parquet"


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a Parquet or CSV table; clear :class:`InputError` when it cannot be read."""
    path = Path(path)
    kind = _check_suffix(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        if kind == "csv":
            return pd.read_csv(path)
        return pd.read_parquet(path)
    except (ValueError, OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: cannot be read as {kind}: {exc}") from exc


def _space_from_parquet(path: Path) -> SearchSpace | None:
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path).metadata or {}
    except (OSError, ValueError):
        return None
    raw = meta.get(SPACE_KEY)
    if raw is None:
        return None
    return SearchSpace.from_dict(json.loads(raw))


def write_table(frame: pd.DataFrame, path: str | Path, *, space: SearchSpace | None = None) -> Path:
    """Write ``frame`` as Parquet or CSV (by suffix); Parquet also stores ``space``.

    The file is written to a temporary name and renamed, so a crash never leaves half a table.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    kind = _check_suffix(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    if kind == "csv":
        frame.to_csv(tmp, index=False)
    else:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if space is not None:
            meta = dict(table.schema.metadata or {})
            meta[SPACE_KEY] = json.dumps(space.to_dict()).encode()
            table = table.replace_schema_metadata(meta)
        pq.write_table(table, tmp)
    tmp.replace(path)
    return path


def write_landscape(landscape: Landscape, path: str | Path) -> Path:
    """Write one landscape (HP values, losses and group metadata) to Parquet or CSV."""
    return write_table(landscape.to_frame(include_metadata=True), path, space=landscape.space)


def read_landscapes(
    source: str | Path | pd.DataFrame,
    *,
    losses: Sequence[str] | None = None,
    space: SearchSpace | None = None,
    **from_frame_options: Any,
) -> list[Landscape]:
    """Read a table and return one landscape per group.

    Groups are the distinct values of the group columns (``model``, ``dataset``, ``fidelity_*``).
    All landscapes of one table share one search space (inferred from the whole table, or read
    from the Parquet metadata), so they can be compared configuration by configuration.

    Parameters
    ----------
    source : path or DataFrame
        A ``.parquet``/``.csv`` file (the long table of ``lossatlas evaluate``/``export`` or a
        user table) or a DataFrame.
    losses : sequence of str, optional
        Loss columns to keep (default: every loss column).
    space : SearchSpace, optional
    **from_frame_options
        Passed to :meth:`Landscape.from_frame` (``on_invalid``, ``aggregate``, ``kinds`` ...).
    """
    if isinstance(source, pd.DataFrame):
        frame, name = source, "table"
    else:
        path = Path(source)
        frame, name = read_table(path), str(path)
        if space is None and _check_suffix(path) == "parquet":
            space = _space_from_parquet(path)
    if len(frame) == 0:
        raise InputError(f"{name}: the table is empty (no rows)")
    frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    if losses is not None:
        missing = [c for c in losses if c not in frame.columns]
        if missing:
            raise InputError(
                f"{name}: loss column(s) {missing} not found (columns: {list(frame.columns)})"
            )
        drop = [c for c in roles.loss_columns(frame.columns) if c not in losses]
        frame = frame.drop(columns=drop)
        from_frame_options.setdefault("loss_columns", list(losses))
    hp_columns = from_frame_options.pop("hp_columns", None)
    if space is None:
        named_losses = set(from_frame_options.get("loss_columns") or ())
        ignored = set(from_frame_options.get("ignore_columns") or ())
        cols = (
            list(hp_columns)
            if hp_columns is not None
            else [
                c
                for c in roles.hyperparameter_columns(frame.columns)
                if c not in named_losses and c not in ignored
            ]
        )
        if "status" in frame.columns:
            usable = frame[frame["status"].astype(str).str.lower().eq("ok")]
            usable = usable if len(usable) else frame
        else:
            usable = frame
        space = SearchSpace.from_frame(
            usable, cols, kinds=from_frame_options.pop("kinds", None), source=name
        )
    else:
        from_frame_options.pop("kinds", None)
    groups = [c for c in roles.group_columns(frame.columns) if c not in space.names]
    if not groups:
        return [Landscape.from_frame(frame, space=space, source=name, **from_frame_options)]
    landscapes = []
    for key, part in frame.groupby(groups, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        label = ", ".join(f"{g}={k}" for g, k in zip(groups, key, strict=True))
        landscapes.append(
            Landscape.from_frame(
                part, space=space, source=f"{name} [{label}]", **from_frame_options
            )
        )
    return landscapes
