"""The :class:`Landscape`: losses over the configurations of a search space.

A landscape holds a :class:`~lossatlas.space.SearchSpace`, the flat indices of the evaluated
configurations (sorted, unique), one or more loss columns aligned with them (``test``, ``train``,
``valid``, ...) and metadata (model, dataset, fidelity, counts of dropped rows). It is immutable:
:meth:`Landscape.select` returns a new one. Losses are minimised (Huang & Li 2023 use
``1 - accuracy``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
else:
    from lossatlas._pandas import pd

from lossatlas import columns as roles
from lossatlas.errors import InputError, SpaceError
from lossatlas.space import HPKind, SearchSpace

__all__ = ["Landscape"]

_MAX_ROWS_SHOWN = 10


def _one_value(column: pd.Series) -> bool:
    """Whether ``column`` holds a single value (cheaper than ``pd.unique`` on a long column)."""
    if len(column) == 0 or column.isna().any():
        return False
    try:
        return bool((column == column.iloc[0]).all())
    except (TypeError, ValueError):  # pragma: no cover - values that do not compare
        return False


def _in_grid_order(frame: pd.DataFrame, space: SearchSpace) -> bool:
    """Whether ``frame`` holds every configuration of ``space`` once, in flat-index order.

    The fast path of :meth:`Landscape.from_frame` for full grids (such as the tables that
    lossatlas writes): each numeric HP column is compared with its value pattern in place,
    instead of mapping every value to its code, encoding and grouping.
    """
    n = space.size
    if len(frame) != n or n == 0:
        return False
    for j, hp in enumerate(space.hyperparameters):
        column = frame[hp.name]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            return False
        grid = np.asarray(hp.values)
        if grid.dtype.kind not in "iuf":
            return False
        values = column.to_numpy()
        k, stride = hp.size, int(space.strides[j])
        blocks = values.reshape(n // (k * stride), k, stride)
        if not np.array_equal(blocks, np.broadcast_to(grid[None, :, None], blocks.shape)):
            return False
    return True


def _rows_text(rows: np.ndarray) -> str:
    shown = ", ".join(str(int(r)) for r in rows[:_MAX_ROWS_SHOWN])
    more = f" and {len(rows) - _MAX_ROWS_SHOWN} more" if len(rows) > _MAX_ROWS_SHOWN else ""
    return f"[{shown}{more}]"


class Landscape:
    """Losses of evaluated configurations of a search space.

    Parameters
    ----------
    space : SearchSpace
        The grid the configurations belong to.
    index : array of int
        Flat indices of the evaluated configurations, sorted ascending and unique.
    losses : mapping of str to array
        Loss columns aligned with ``index``; all finite.
    metadata : mapping, optional
        Free-form description (``model``, ``dataset``, ``fidelity_*``, counts, ...).

    See Also
    --------
    Landscape.from_frame : build from a table with validation and aggregation.
    Landscape.from_array : build from a loss vector or tensor over the full grid.
    """

    __slots__ = ("space", "index", "losses", "metadata", "_codes", "_cache")

    def __init__(
        self,
        space: SearchSpace,
        index: np.ndarray,
        losses: Mapping[str, np.ndarray],
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        # private copies: freezing them must not freeze (or alias) the caller's arrays
        index = np.array(index, dtype=np.int64, copy=True)
        if index.ndim != 1:
            raise InputError("landscape index must be one-dimensional")
        if len(index) == 0:
            raise InputError("a landscape needs at least one configuration (the table is empty)")
        if len(index) > 1 and not (np.diff(index) > 0).all():
            raise InputError("landscape index must be sorted and unique")
        if index[0] < 0 or index[-1] >= space.size:
            raise SpaceError("landscape index out of range of its search space")
        if not losses:
            raise InputError("a landscape needs at least one loss column")
        checked: dict[str, np.ndarray] = {}
        for name, values in losses.items():
            arr = np.array(values, dtype=np.float64, copy=True)
            if arr.shape != index.shape:
                raise InputError(
                    f"loss column {name!r} has {arr.shape} values, expected {index.shape}"
                )
            if not np.isfinite(arr).all():
                bad = np.flatnonzero(~np.isfinite(arr))
                raise InputError(
                    f"loss column {name!r} is NaN or infinite in rows {_rows_text(bad)}"
                )
            arr.setflags(write=False)
            checked[str(name)] = arr
        index.setflags(write=False)
        self.space = space
        self.index = index
        self.losses = checked
        self.metadata = dict(metadata or {})
        self._codes: np.ndarray | None = None
        # derived data (neighbour graph, optima per loss and epsilon); safe since immutable
        self._cache: dict[Any, Any] = {}

    # -- views -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.index)

    @property
    def n(self) -> int:
        """Number of evaluated configurations."""
        return len(self.index)

    @property
    def is_full(self) -> bool:
        """True when every configuration of the grid is present."""
        return len(self.index) == self.space.size

    def cached(self, key: Any, compute: Any) -> Any:
        """Return ``compute()`` once per ``key`` for this landscape (derived data cache)."""
        try:
            return self._cache[key]
        except KeyError:
            value = self._cache[key] = compute()
            return value

    @property
    def codes(self) -> np.ndarray:
        """``(n, d)`` codes of the configurations (decoded once, cached, compact dtype)."""
        if self._codes is None:
            codes = self.space.decode(self.index, compact=True)
            codes.setflags(write=False)
            self._codes = codes
        return self._codes

    @property
    def loss_names(self) -> tuple[str, ...]:
        """Names of the loss columns."""
        return tuple(self.losses)

    def loss(self, name: str = "test") -> np.ndarray:
        """The loss column ``name``; :class:`InputError` naming the available ones otherwise."""
        try:
            return self.losses[name]
        except KeyError:
            raise InputError(
                f"no loss column {name!r} in this landscape (have: {', '.join(self.losses)})"
            ) from None

    @property
    def label(self) -> str:
        """A short human-readable name from the metadata."""
        parts = [str(self.metadata[k]) for k in ("model", "dataset") if k in self.metadata]
        parts += [
            f"{k.removeprefix(roles.FIDELITY_PREFIX)}={v}"
            for k, v in self.metadata.items()
            if roles.is_group_column(k) and k.startswith(roles.FIDELITY_PREFIX)
        ]
        return " ".join(parts) or str(self.metadata.get("name", "landscape"))

    def __repr__(self) -> str:
        kind = "full" if self.is_full else f"partial {self.n}/{self.space.size}"
        return f"Landscape({self.label}; {kind}; losses={list(self.losses)}; {self.space!r})"

    def rows_of(self, flat: np.ndarray) -> np.ndarray:
        """Row positions of flat indices, ``-1`` where the configuration is not present."""
        flat = np.asarray(flat, dtype=np.int64)
        if self.is_full:
            return flat.copy()
        pos = np.searchsorted(self.index, flat)
        pos_clipped = np.minimum(pos, len(self.index) - 1)
        found = self.index[pos_clipped] == flat
        return np.where(found, pos_clipped, -1)

    def select(self, rows: np.ndarray | Sequence[int] | Sequence[bool]) -> Landscape:
        """A new landscape with only ``rows`` (boolean mask or integer positions)."""
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        rows = np.unique(rows.astype(np.int64))
        return Landscape(
            self.space,
            self.index[rows],
            {k: v[rows] for k, v in self.losses.items()},
            self.metadata,
        )

    def with_metadata(self, **metadata: Any) -> Landscape:
        """A copy with metadata updated."""
        return Landscape(self.space, self.index, self.losses, {**self.metadata, **metadata})

    # -- tables ------------------------------------------------------------------------------
    def to_frame(self, *, include_metadata: bool = False) -> pd.DataFrame:
        """HP value columns and loss columns, one row per configuration.

        With ``include_metadata`` the scalar group metadata (``model``, ``dataset``,
        ``fidelity_*``) are added as columns, so :func:`lossatlas.io.read_landscapes` splits a
        concatenation of several landscapes back into them.
        """
        frame = self.space.frame_from_codes(self.codes)
        for name, values in self.losses.items():
            frame[name] = values
        if include_metadata:
            for key, value in self.metadata.items():
                if roles.is_group_column(key):
                    frame.insert(0, key, value)
        return frame

    @classmethod
    def from_array(
        cls,
        space: SearchSpace,
        losses: Mapping[str, np.ndarray] | np.ndarray,
        *,
        index: np.ndarray | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Landscape:
        """Build from loss arrays.

        Parameters
        ----------
        space : SearchSpace
        losses : array or mapping of str to array
            A single array is the ``test`` loss. Without ``index`` each array covers the full grid
            (length ``space.size`` or shape ``space.radices``); NaN marks a missing configuration
            (rows where any loss is NaN are left out, giving a partial landscape).
        index : array of int, optional
            Flat indices the arrays refer to (any order, unique).
        metadata : mapping, optional
        """
        if not isinstance(losses, Mapping):
            losses = {"test": losses}
        arrays = {k: np.asarray(v, dtype=np.float64).reshape(-1) for k, v in losses.items()}
        if index is None:
            for name, arr in arrays.items():
                if arr.size != space.size:
                    raise InputError(
                        f"loss {name!r} has {arr.size} values but the grid has {space.size} "
                        "configurations; pass index= for a partial landscape"
                    )
            flat = np.arange(space.size, dtype=np.int64)
        else:
            flat = np.asarray(index, dtype=np.int64).reshape(-1)
            order = np.argsort(flat, kind="stable")
            flat = flat[order]
            if len(flat) > 1 and (np.diff(flat) == 0).any():
                raise InputError("index= repeats configurations")
            arrays = {k: v[order] for k, v in arrays.items()}
        keep = np.ones(len(flat), dtype=bool)
        for arr in arrays.values():
            keep &= ~np.isnan(arr)
        if not keep.all():
            flat = flat[keep]
            arrays = {k: v[keep] for k, v in arrays.items()}
        return cls(space, flat, arrays, metadata)

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        hp_columns: Sequence[str] | None = None,
        loss_columns: Sequence[str] | None = None,
        space: SearchSpace | None = None,
        kinds: Mapping[str, HPKind] | None = None,
        aggregate: Literal["mean", "median"] | None = None,
        on_invalid: Literal["raise", "drop"] = "raise",
        ignore_columns: Sequence[str] = (),
        maximize: bool = False,
        metadata: Mapping[str, Any] | None = None,
        source: str = "table",
    ) -> Landscape:
        """Build a landscape from a table with one row per configuration (or per replicate).

        Column roles follow :mod:`lossatlas.columns`: ``fold``/``seed``/``repeat`` rows are
        averaged per configuration; rows whose ``status`` is not ``"ok"`` are failed
        evaluations and left out; group columns (``model``, ``dataset``, ``fidelity_*``) must hold
        one value each and go to the metadata.

        Parameters
        ----------
        frame : DataFrame
        hp_columns : sequence of str, optional
            Hyperparameter columns; by default every column that is not reserved by name.
        loss_columns : sequence of str, optional
            Loss columns; by default ``test``, ``train``, ``valid`` and ``*_`` variants present.
        space : SearchSpace, optional
            The grid; inferred from the table when absent (numeric -> ordinal, strings ->
            categorical, bools -> boolean; ``kinds`` overrides).
        aggregate : {"mean", "median"}, optional
            How to merge rows of the same configuration beyond replicates. ``None`` averages
            over replicate columns only and raises on any other duplicate.
        on_invalid : {"raise", "drop"}, default "raise"
            What to do with NaN or infinite losses: raise naming the rows, or drop those rows.
        ignore_columns : sequence of str
            Columns to leave out silently.
        maximize : bool, default False
            The loss columns hold scores to maximise (accuracy, AUC): they are negated, so that
            every analysis minimises, and ``metadata["direction"]`` records ``"maximize"``
            (``best_loss`` is then minus the best score). Convert scores to losses yourself
            (``1 - accuracy``) to keep the losses' own units.
        metadata : mapping, optional
            Added to the metadata found in the table.
        source : str
            Name of the table in error messages (its file name).

        Raises
        ------
        InputError
            Empty table, no or non-numeric loss column, unknown columns, NaN/inf losses,
            duplicate configurations, several landscapes in one table, one-valued HPs.
        """
        if on_invalid not in ("raise", "drop"):
            raise InputError(f"on_invalid must be 'raise' or 'drop', not {on_invalid!r}")
        if aggregate not in (None, "mean", "median"):
            raise InputError(f"aggregate must be None, 'mean' or 'median', not {aggregate!r}")
        if len(frame) == 0:
            raise InputError(f"{source}: the table is empty (no rows)")
        frame = frame.drop(columns=[c for c in ignore_columns if c in frame.columns])
        all_columns = [str(c) for c in frame.columns]
        frame = frame.set_axis(all_columns, axis=1)
        meta: dict[str, Any] = {"source": source}

        # loss columns
        if loss_columns is None:
            loss_columns = roles.loss_columns(all_columns)
            if not loss_columns:
                raise InputError(
                    f"{source}: no loss column found (expected 'test', 'train', 'valid' or "
                    f"'test_*' ...; columns are {all_columns}); pass loss_columns="
                )
        loss_columns = list(loss_columns)
        for name in loss_columns:
            if name not in frame.columns:
                raise InputError(
                    f"{source}: loss column {name!r} not found (columns: {all_columns})"
                )

        # failed evaluations
        if "status" in frame.columns:
            ok = frame["status"].astype(str).str.lower().eq("ok").to_numpy()
            meta["n_failed"] = int((~ok).sum())
            frame = frame.loc[ok]
            if len(frame) == 0:
                raise InputError(f"{source}: every row has a status other than 'ok'")

        for name in loss_columns:
            column = frame[name]
            if not (
                pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
            ):
                converted = pd.to_numeric(column, errors="coerce")
                bad = np.flatnonzero(converted.isna().to_numpy() & column.notna().to_numpy())
                if len(bad):
                    raise InputError(
                        f"{source}: loss column {name!r} is not numeric: value "
                        f"{column.iloc[bad[0]]!r} in rows {_rows_text(frame.index.to_numpy()[bad])}"
                    )
                frame = frame.assign(**{name: converted})

        # group columns -> metadata
        for name in roles.group_columns(all_columns):
            if hp_columns is not None and name in hp_columns:
                continue
            column = frame[name]
            values = column.iloc[:1].to_numpy() if _one_value(column) else pd.unique(column)
            if len(values) > 1:
                raise InputError(
                    f"{source}: column {name!r} holds {len(values)} values "
                    f"({', '.join(map(repr, values[:5]))}): the table holds several landscapes; "
                    "use lossatlas.io.read_landscapes to split it"
                )
            value = values[0]
            meta[name] = value.item() if isinstance(value, np.generic) else value

        # hyperparameter columns
        if space is not None:
            hp_cols = list(space.names)
        elif hp_columns is not None:
            hp_cols = list(hp_columns)
        else:
            hp_cols = roles.hyperparameter_columns(all_columns)
        missing = [c for c in hp_cols if c not in frame.columns]
        if missing:
            raise InputError(f"{source}: hyperparameter column(s) not found: {', '.join(missing)}")
        if not hp_cols:
            raise InputError(f"{source}: no hyperparameter columns (columns: {all_columns})")
        known = set(hp_cols) | set(loss_columns)
        unknown = [c for c in all_columns if c not in known and not roles.is_reserved_column(c)]
        if unknown:
            raise InputError(
                f"{source}: unknown column(s) {', '.join(map(repr, unknown))}: neither a "
                "hyperparameter of the space nor a loss or bookkeeping column "
                "(pass ignore_columns= to leave them out)"
            )

        # invalid losses
        values = frame[loss_columns].to_numpy(dtype=np.float64)
        meta["direction"] = "maximize" if maximize else "minimize"
        if maximize:
            values = -values
        invalid = ~np.isfinite(values).all(axis=1)
        if invalid.any():
            labels = frame.index.to_numpy()[invalid]
            if on_invalid == "raise":
                cols = [c for j, c in enumerate(loss_columns) if (~np.isfinite(values[:, j])).any()]
                raise InputError(
                    f"{source}: NaN or infinite loss in column(s) {', '.join(map(repr, cols))} "
                    f"at rows {_rows_text(labels)} (pass on_invalid='drop' to leave them out)"
                )
            meta["n_invalid"] = int(invalid.sum())
            frame = frame.loc[~invalid]
            values = values[~invalid]
            if len(frame) == 0:
                raise InputError(f"{source}: no row left after dropping invalid losses")

        if space is None:
            space = SearchSpace.from_frame(frame, hp_cols, kinds=kinds, source=source)
        if _in_grid_order(frame, space):  # a full grid in flat order: no duplicate, no mapping
            meta["n_replicates"] = 1
            meta.update(metadata or {})
            return cls(
                space,
                np.arange(space.size, dtype=np.int64),
                {c: values[:, j].copy() for j, c in enumerate(loss_columns)},
                meta,
            )
        codes = space.codes_from_frame(frame, source=source)
        flat = space.encode(codes)

        # duplicates and aggregation
        replicate_cols = [c for c in roles.REPLICATE_COLUMNS if c in frame.columns]
        if aggregate is None:
            keys = pd.DataFrame({"__flat": flat})
            for c in replicate_cols:
                keys[c] = frame[c].to_numpy()
            dup = keys.duplicated(keep=False).to_numpy()
            if dup.any():
                labels = frame.index.to_numpy()[dup]
                what = f" and {'/'.join(replicate_cols)}" if replicate_cols else ""
                raise InputError(
                    f"{source}: duplicate configurations{what} at rows {_rows_text(labels)}; "
                    "pass aggregate='mean' (or 'median') to merge them"
                )
        how = aggregate or "mean"
        grouped = pd.DataFrame(values, columns=loss_columns).groupby(flat, sort=True)
        merged = grouped.mean() if how == "mean" else grouped.median()
        meta["n_replicates"] = int(round(len(flat) / max(len(merged), 1)))
        meta.update(metadata or {})
        return cls(
            space,
            merged.index.to_numpy(dtype=np.int64),
            {c: merged[c].to_numpy() for c in loss_columns},
            meta,
        )
