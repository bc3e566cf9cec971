"""Read and write landscape tables (Parquet and CSV) with validation.

A Parquet file written by lossatlas carries the search space as JSON in its schema metadata
(key ``lossatlas.space``), so partial landscapes keep grid values that no row uses. CSV files
carry values only; their space is inferred unless given.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lossatlas._pandas import is_dataframe

if TYPE_CHECKING:
    import pandas as pd
else:
    from lossatlas._pandas import pd

from lossatlas import columns as roles
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape
from lossatlas.space import SearchSpace

__all__ = [
    "SPACE_KEY",
    "TABLE_SUFFIXES",
    "read_landscapes",
    "read_table",
    "write_landscape",
    "write_table",
]

SPACE_KEY = b"lossatlas.space"
#: File suffixes read as tables.
TABLE_SUFFIXES = (".parquet", ".pq", ".csv")


def _check_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise InputError(f"{path}: unsupported file type {suffix!r} (use .parquet or .csv)")
    return "csv" if suffix == ".csv" else "parquet"


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a Parquet or CSV table; clear :class:`InputError` when it cannot be read.

    Parameters
    ----------
    path : str or Path
        A ``.parquet``/``.pq`` or ``.csv`` file.

    Returns
    -------
    DataFrame
    """
    path = Path(path)
    kind = _check_suffix(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        if kind == "csv":
            return pd.read_csv(path)
        return pd.read_parquet(path)
    except PermissionError as exc:
        raise InputError(f"{path}: cannot be read: permission denied") from exc
    except (
        ValueError,
        OSError,
        KeyError,
        TypeError,
        UnicodeDecodeError,
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
    ) as exc:
        # a damaged file or damaged pandas metadata (e.g. without 'columns'): one line
        reason = " ".join(str(exc).split()) or type(exc).__name__
        if isinstance(exc, KeyError):
            reason = f"damaged metadata (missing key {exc})"
        raise InputError(f"{path}: cannot be read as {kind}: {reason}") from None


def _space_from_parquet(path: Path) -> SearchSpace | None:
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path).metadata or {}
    except (OSError, ValueError):
        return None
    raw = meta.get(SPACE_KEY)
    if raw is None:
        return None
    try:
        spec = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InputError(
            f"{path}: the Parquet metadata {SPACE_KEY.decode()!r} is not valid JSON"
        ) from None
    if not isinstance(spec, dict):
        raise InputError(f"{path}: the Parquet metadata {SPACE_KEY.decode()!r} is not a mapping")
    try:
        return SearchSpace.from_dict(spec, source=f"{path} ({SPACE_KEY.decode()})")
    except InputError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise InputError(
            f"{path}: the Parquet metadata {SPACE_KEY.decode()!r} is not a search space ({exc})"
        ) from None


def check_output_path(path: str | Path, *, what: str = "output") -> None:
    """Refuse, before any work, an output file that is a directory or lies under a file.

    Parameters
    ----------
    path : str or Path
        The file to write.
    what : str, default "output"
        Names the path in the message (an option such as ``-o``).

    Raises
    ------
    InputError
        When ``path`` is a directory, or one of its parents exists and is not a directory.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{what} {path}: is a directory, not a file")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(f"{what} {path}: {parent} is a file, not a directory")
            break


def write_table(frame: pd.DataFrame, path: str | Path, *, space: SearchSpace | None = None) -> Path:
    """Write ``frame`` as Parquet or CSV (by suffix); Parquet also stores ``space``.

    The file is written to a temporary name and renamed, so a crash never leaves half a table.

    Parameters
    ----------
    frame : DataFrame
        The table.
    path : str or Path
        ``.parquet``/``.pq`` or ``.csv``; parent folders are created.
    space : SearchSpace, optional
        Stored as JSON in the Parquet schema metadata (key ``lossatlas.space``).

    Returns
    -------
    Path
        ``path``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    kind = _check_suffix(path)
    check_output_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # a unique temporary name beside the target (concurrent writers never share one; not
    # mkstemp, whose 0600 mode the renamed table would keep)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        if kind == "csv":
            frame.to_csv(tmp, index=False)
        else:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if space is not None:
                meta = dict(table.schema.metadata or {})
                meta[SPACE_KEY] = json.dumps(space.to_dict()).encode()
                table = table.replace_schema_metadata(meta)
            pq.write_table(table, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_landscape(landscape: Landscape, path: str | Path) -> Path:
    """Write one landscape (HP values, losses and group metadata) to Parquet or CSV.

    Parameters
    ----------
    landscape : Landscape
        The landscape; Parquet also keeps its space.
    path : str or Path
        ``.parquet`` or ``.csv``.

    Returns
    -------
    Path
        ``path``.
    """
    return write_table(landscape.to_frame(include_metadata=True), path, space=landscape.space)


def read_landscapes(
    source: str | Path | pd.DataFrame,
    *,
    losses: Sequence[str] | None = None,
    space: SearchSpace | None = None,
    name: str | None = None,
    **from_frame_options: Any,
) -> list[Landscape]:
    """Read a table and return one landscape per group.

    Groups are the distinct values of the group columns (``model``, ``dataset``, ``fidelity_*``).
    All landscapes of models that use the same hyperparameter columns share one search space
    (inferred from all their rows, or read from the Parquet metadata), so they can be compared
    configuration by configuration. A table of several models whose columns differ (each
    model's HP columns empty in the other models' rows) is first split by the columns each
    model uses; each part's space holds only its columns.

    Parameters
    ----------
    source : path or DataFrame
        A ``.parquet``/``.csv`` file (the long table of ``lossatlas evaluate``/``export`` or a
        user table) or a DataFrame.
    losses : sequence of str, optional
        Loss columns to keep (default: every loss column).
    space : SearchSpace, optional
        The grid of every landscape (default: the Parquet metadata's, else inferred).
    name : str, optional
        How messages and the ``source`` metadata name a DataFrame (default ``"table"``).
    **from_frame_options
        Passed to :meth:`Landscape.from_frame` (``on_invalid``, ``aggregate``, ``kinds`` ...).

    Returns
    -------
    list of Landscape
        One per group, sorted by group within each part.
    """
    if is_dataframe(source):
        frame, name = source, name or "table"
    else:
        path = Path(source)
        if _check_suffix(path) == "parquet" and path.is_file():
            given = space
            space = space or _space_from_parquet(path)
            if given is None and space is not None and losses is None:
                from lossatlas.io._grid_parquet import read_grid_parquet

                quick = read_grid_parquet(path, space, from_frame_options, name=name)
                if quick is not None:
                    return [quick]
        frame, name = read_table(path), name or str(path)
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
    if space is None and hp_columns is None:
        parts = _split_by_columns_used(frame, from_frame_options)
        if len(parts) > 1:
            kinds = dict(from_frame_options.pop("kinds", None) or {})
            unknown = set(kinds) - {c for part in parts for c in part.columns}
            if unknown:
                raise InputError(f"{name}: kinds given for unknown column(s) {sorted(unknown)}")
            landscapes = []
            for part in parts:
                options = dict(from_frame_options)
                options["kinds"] = {k: v for k, v in kinds.items() if k in part.columns}
                landscapes += _read_frame(part, name, None, None, options)
            return landscapes
    return _read_frame(frame, name, space, hp_columns, from_frame_options)


def _candidate_columns(frame: pd.DataFrame, options: Mapping[str, Any]) -> list[str]:
    named_losses = set(options.get("loss_columns") or ())
    ignored = set(options.get("ignore_columns") or ())
    return [
        c
        for c in roles.hyperparameter_columns(frame.columns)
        if c not in named_losses and c not in ignored
    ]


def _split_by_columns_used(frame: pd.DataFrame, options: Mapping[str, Any]) -> list[pd.DataFrame]:
    """Split a table of several models by the hyperparameter columns each model uses.

    A long table of several models holds every model's HP columns, empty in the rows of the
    models that do not use them. Models that use the same columns share one part (and so one
    inferred space, comparable configuration by configuration); each part keeps only its
    columns. A table of one model, or of models that all use the same columns, is one part.
    """
    if "model" not in frame.columns:
        return [frame]
    models = pd.unique(frame["model"])
    if len(models) < 2:
        return [frame]
    candidates = _candidate_columns(frame, options)
    if not candidates:
        return [frame]
    used = frame[candidates].notna().groupby(frame["model"], sort=False, dropna=False).any()
    signatures: dict[tuple[str, ...], list[Any]] = {}
    for model, row in used.iterrows():
        signatures.setdefault(tuple(c for c in candidates if row[c]), []).append(model)
    if len(signatures) == 1:
        return [frame]
    parts = []
    for columns, members in signatures.items():
        unused = [c for c in candidates if c not in columns]
        part = frame[frame["model"].isin(members)].drop(columns=unused)
        parts.append(_restore_integers(part, [c for c in columns if frame[c].isna().any()]))
    return parts


def _restore_integers(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Integer HP columns that other models' empty cells turned into floats become integers."""
    frame = frame.copy()
    for name in columns:
        column = frame[name]
        if column.dtype.kind == "f" and column.notna().all():
            values = column.to_numpy()
            if np.all(np.isfinite(values)) and np.all(values == np.round(values)):
                frame[name] = values.astype(np.int64)
    return frame


def _read_frame(
    frame: pd.DataFrame,
    name: str,
    space: SearchSpace | None,
    hp_columns: Sequence[str] | None,
    from_frame_options: dict[str, Any],
) -> list[Landscape]:
    """Landscapes of one table whose rows share one search space (inferred when not given)."""
    if space is None:
        cols = (
            list(hp_columns)
            if hp_columns is not None
            else _candidate_columns(frame, from_frame_options)
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
