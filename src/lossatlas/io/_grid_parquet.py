"""The quick read of a full grid that lossatlas wrote to Parquet: pyarrow and numpy, no pandas.

A table written by :func:`~lossatlas.io.write_landscape` of a full grid carries its search
space in the schema metadata and holds every configuration once, in flat-index order, with one
value per group column. Such a table is read column by column with pyarrow, checked against
the value pattern of the grid in place, and becomes a :class:`~lossatlas.landscape.Landscape`
directly -- the landscape, losses and metadata that :meth:`Landscape.from_frame` builds from
the same table. Anything else (a partial grid, other row orders, failed rows, NaN losses,
several landscapes, unknown columns, options) returns ``None`` and is read by the general path,
which also gives every error message.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from lossatlas import columns as roles
from lossatlas.landscape import Landscape
from lossatlas.space import SearchSpace

__all__ = ["read_grid_parquet"]

#: ``read_landscapes`` options the quick read handles (at these values).
_DEFAULTS = {"on_invalid": ("raise", "drop"), "maximize": (False, True)}


#: Arrow type names of the numeric columns read here -> numpy dtypes.
_NUMERIC = {
    **{f"{sign}int{bits}": f"{sign}int{bits}" for sign in ("", "u") for bits in (8, 16, 32, 64)},
    "halffloat": "float16",
    "float": "float32",
    "double": "float64",
}


def _chunk_numpy(chunk: Any) -> np.ndarray | None:
    """A null-free numeric arrow array as numpy, from its data buffer.

    Not ``to_numpy()``: pyarrow imports pandas (~0.3 s) on the first conversion to numpy.
    """
    dtype = _NUMERIC.get(str(chunk.type))
    if dtype is None or chunk.null_count:
        return None
    data = np.frombuffer(chunk.buffers()[1], dtype=dtype)
    return data[chunk.offset : chunk.offset + len(chunk)]


def _numeric(column: Any) -> np.ndarray | None:
    """A null-free integer or float column as numpy, else ``None``."""
    parts = [_chunk_numpy(chunk) for chunk in column.chunks]
    if not parts or any(p is None for p in parts):
        return None
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _one_value(column: Any) -> tuple[bool, Any]:
    """``(True, value)`` when a column holds one non-null value (as pandas would read it)."""
    import pyarrow as pa

    if column.null_count or len(column) == 0:
        return False, None
    value = None
    for chunk in column.chunks:
        if pa.types.is_dictionary(chunk.type):
            indices = _chunk_numpy(chunk.indices)
            if indices is None or not (indices == indices[0]).all():
                return False, None
            scalar = chunk.dictionary[int(indices[0])].as_py()
        else:
            values = _chunk_numpy(chunk)  # other types: the general path compares them
            if values is None or not (values == values[0]).all():
                return False, None
            scalar = values[0].item()
        if value is not None and scalar != value:
            return False, None
        value = scalar
    return value is not None and not isinstance(value, bytes), value


def in_grid_order(columns: Mapping[str, np.ndarray], space: SearchSpace) -> bool:
    """Whether numeric HP columns hold every configuration of ``space`` once, in flat order.

    Parameters
    ----------
    columns : mapping of str to ndarray
        One column per hyperparameter of ``space``.
    space : SearchSpace

    Returns
    -------
    bool
    """
    n = space.size
    for j, hp in enumerate(space.hyperparameters):
        values = columns[hp.name]
        grid = np.asarray(hp.values)
        if len(values) != n or values.dtype.kind not in "iuf" or grid.dtype.kind not in "iuf":
            return False
        k, stride = hp.size, int(space.strides[j])
        blocks = values.reshape(n // (k * stride), k, stride)
        if not np.array_equal(blocks, np.broadcast_to(grid[None, :, None], blocks.shape)):
            return False
    return True


def read_grid_parquet(
    path: Path, space: SearchSpace, options: Mapping[str, Any], *, name: str | None = None
) -> Landscape | None:
    """The landscape of a full-grid Parquet table in flat order, or ``None`` (general path).

    Parameters
    ----------
    path : Path
        A Parquet file.
    space : SearchSpace
        Its space (from the schema metadata).
    options : mapping
        The ``read_landscapes`` options; only ``on_invalid`` and ``maximize`` are handled.
    name : str, optional
        The ``source`` metadata (default: the path).

    Returns
    -------
    Landscape or None
    """
    if any(k not in _DEFAULTS or options[k] not in _DEFAULTS[k] for k in options):
        return None
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except (OSError, ValueError):
        return None
    names = [str(c) for c in schema.names]
    losses = roles.loss_columns(names)
    groups = roles.group_columns(names)
    hps = list(space.names)
    if (
        not losses
        or "status" in names
        or len(set(names)) != len(names)
        or any(c.startswith("__index") for c in names)
        or any(g in hps for g in groups)
        or any(h not in names for h in hps)
        or any(c not in hps and not roles.is_reserved_column(c) for c in names)
    ):
        return None
    try:
        texts = [
            g
            for g in groups
            if pa.types.is_string(schema.field(g).type)
            or pa.types.is_large_string(schema.field(g).type)
        ]
        # ParquetFile, not read_table: that one imports pyarrow.dataset, which imports pandas
        # no thread pool: one small read, where starting the pool costs more CPU than it saves
        table = pq.ParquetFile(path, read_dictionary=texts).read(
            columns=[*groups, *hps, *losses], use_threads=False
        )
    except (OSError, ValueError):
        return None
    if table.num_rows != space.size:
        return None
    source = name or str(path)
    meta: dict[str, Any] = {"source": source}
    for group in groups:
        single, value = _one_value(table.column(group))
        if not single:
            return None
        meta[group] = value
    if groups:  # as read_landscapes names the landscape of each group
        meta["source"] = f"{source} [{', '.join(f'{g}={meta[g]}' for g in groups)}]"
    hp_values: dict[str, np.ndarray] = {}
    for name in hps:
        values = _numeric(table.column(name))
        if values is None:
            return None
        hp_values[name] = values
    loss_values: dict[str, np.ndarray] = {}
    for name in losses:
        values = _numeric(table.column(name))
        if values is None:
            return None
        values = values.astype(np.float64)
        if not np.isfinite(values).all():
            return None
        loss_values[name] = -values if options.get("maximize") else values
    if not in_grid_order(hp_values, space):
        return None
    meta["direction"] = "maximize" if options.get("maximize") else "minimize"
    meta["n_replicates"] = 1
    return Landscape(space, np.arange(space.size, dtype=np.int64), loss_values, meta)
