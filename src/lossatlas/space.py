"""Search spaces: hyperparameters with ordered values, mixed-radix codes and grid distances.

A configuration is a vector of integer codes, one per hyperparameter, each indexing that
hyperparameter's ordered values. A full grid needs no stored codes: the flat index of a
configuration is its mixed-radix number in C order (the last hyperparameter varies fastest), so a
loss vector sorted by flat index reshapes to the loss tensor with ``loss.reshape(space.radices)``.

The neighbourhood and distance follow Pushak & Hoos (2022) as used by Huang & Li (2023,
arXiv 2311.14014): an ordinal hyperparameter moves one step to an adjacent value; a categorical or
boolean one may change to any other value. The distance counts grid steps (Manhattan on ordinal
codes, Hamming on categorical ones).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
else:
    from lossatlas._pandas import pd

from lossatlas.errors import SpaceError

__all__ = ["HPKind", "Hyperparameter", "SearchSpace"]

HPKind = Literal["ordinal", "categorical", "boolean"]
_KINDS = ("ordinal", "categorical", "boolean")


def _plain(value: Any) -> Any:
    """Turn numpy scalars into Python scalars so values compare, hash and serialise simply."""
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass(frozen=True)
class Hyperparameter:
    """One hyperparameter: a name, its ordered values and its kind.

    Parameters
    ----------
    name : str
        Column name of the hyperparameter.
    values : tuple
        The grid values in order. Ordinal values are sorted ascending on construction.
    kind : {"ordinal", "categorical", "boolean"}, default "ordinal"
        Ordinal values are ordered and only adjacent values are neighbours; categorical and
        boolean values are unordered and every other value is a neighbour.
    log : bool, default False
        Whether the values are spaced on a log scale (for plots and surrogates only).
    """

    name: str
    values: tuple[Any, ...]
    kind: HPKind = "ordinal"
    log: bool = False
    _lookup: dict[Any, int] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise SpaceError(
                f"hyperparameter {self.name!r}: unknown kind {self.kind!r} (use one of {_KINDS})"
            )
        values = tuple(_plain(v) for v in self.values)
        if self.kind == "boolean" and not values:
            values = (False, True)
        if len(values) < 2:
            raise SpaceError(
                f"hyperparameter {self.name!r} has {len(values)} value(s) {list(values)}: "
                "a hyperparameter needs at least two values (drop constant columns or pass "
                "them as metadata)"
            )
        if len(set(values)) != len(values):
            dupes = sorted({repr(v) for v in values if values.count(v) > 1})
            raise SpaceError(f"hyperparameter {self.name!r} repeats values {', '.join(dupes)}")
        if self.kind == "ordinal":
            try:
                values = tuple(sorted(values))
            except TypeError as exc:
                raise SpaceError(
                    f"hyperparameter {self.name!r} is ordinal but its values {list(values)} "
                    "cannot be sorted; declare it categorical"
                ) from exc
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "_lookup", {v: i for i, v in enumerate(values)})

    @property
    def size(self) -> int:
        """Number of values."""
        return len(self.values)

    @property
    def is_ordinal(self) -> bool:
        """True for ordinal hyperparameters (adjacent-value neighbourhood)."""
        return self.kind == "ordinal"

    def code_of(self, value: Any) -> int:
        """Return the integer code of ``value``; :class:`SpaceError` if it is not in the grid."""
        try:
            return self._lookup[_plain(value)]
        except (KeyError, TypeError):
            raise SpaceError(
                f"value {_plain(value)!r} is not in the grid of hyperparameter {self.name!r} "
                f"(values: {list(self.values)})"
            ) from None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able description."""
        return {"name": self.name, "values": list(self.values), "kind": self.kind, "log": self.log}


class SearchSpace:
    """An ordered set of hyperparameters and the mixed-radix grid they span.

    Parameters
    ----------
    hyperparameters : sequence of Hyperparameter
        In the order that defines codes, flat indices and the names of interaction terms.

    Notes
    -----
    Flat index ``i = sum_j code_j * stride_j`` with ``stride_j = prod_{k > j} radix_k`` (C order),
    identical to ``np.ravel_multi_index(codes.T, radices)``.
    """

    def __init__(self, hyperparameters: Sequence[Hyperparameter]) -> None:
        hps = tuple(hyperparameters)
        if not hps:
            raise SpaceError("a search space needs at least one hyperparameter")
        names = tuple(hp.name for hp in hps)
        if len(set(names)) != len(names):
            dupes = sorted({n for n in names if names.count(n) > 1})
            raise SpaceError(f"hyperparameter names repeat: {', '.join(dupes)}")
        self.hyperparameters = hps
        self.names = names
        self.radices = np.array([hp.size for hp in hps], dtype=np.int64)
        strides = np.ones(len(hps), dtype=np.int64)
        for j in range(len(hps) - 2, -1, -1):
            strides[j] = strides[j + 1] * self.radices[j + 1]
        self.strides = strides
        self.size = math.prod(int(r) for r in self.radices)
        self.is_ordinal = np.array([hp.is_ordinal for hp in hps], dtype=bool)

    # -- basic protocol -------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.hyperparameters)

    def __getitem__(self, name: str) -> Hyperparameter:
        for hp in self.hyperparameters:
            if hp.name == name:
                return hp
        raise SpaceError(f"no hyperparameter named {name!r} (have: {', '.join(self.names)})")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SearchSpace) and self.hyperparameters == other.hyperparameters

    def __hash__(self) -> int:
        return hash(self.hyperparameters)

    def __repr__(self) -> str:
        parts = ", ".join(f"{hp.name}[{hp.kind[:3]} x{hp.size}]" for hp in self.hyperparameters)
        return f"SearchSpace({parts}; {self.size} configurations)"

    # -- codes <-> flat index --------------------------------------------------------------
    def encode(self, codes: np.ndarray) -> np.ndarray:
        """Flat indices of configurations given as an ``(n, d)`` array of codes."""
        codes = np.asarray(codes, dtype=np.int64)
        if codes.ndim == 1:
            codes = codes[None, :]
        if codes.shape[1] != len(self):
            raise SpaceError(f"codes have {codes.shape[1]} columns, the space has {len(self)} HPs")
        if codes.size and ((codes < 0).any() or (codes >= self.radices).any()):
            bad = np.argwhere((codes < 0) | (codes >= self.radices))[0]
            raise SpaceError(
                f"code {codes[bad[0], bad[1]]} of row {bad[0]} is out of range for "
                f"hyperparameter {self.names[bad[1]]!r} ({self.radices[bad[1]]} values)"
            )
        return codes @ self.strides

    @property
    def code_dtype(self) -> np.dtype:
        """Smallest signed integer type that holds every code and code difference."""
        top = int(self.radices.max())
        for dtype in (np.int8, np.int16, np.int32):
            if top <= np.iinfo(dtype).max:
                return np.dtype(dtype)
        return np.dtype(np.int64)

    def decode(self, flat: np.ndarray, *, compact: bool = False) -> np.ndarray:
        """Codes, an ``(n, d)`` array, of flat indices (int64, or :attr:`code_dtype` if compact)."""
        flat = np.asarray(flat, dtype=np.int64)
        dtype = self.code_dtype if compact else np.dtype(np.int64)
        codes = np.empty((len(flat), len(self)), dtype=dtype)
        for j in range(len(self)):
            codes[:, j] = self.code_column(flat, j)
        return codes

    def code_column(self, flat: np.ndarray, j: int) -> np.ndarray:
        """Codes of hyperparameter ``j`` only (cheaper than a full :meth:`decode`)."""
        return (np.asarray(flat, dtype=np.int64) // self.strides[j]) % self.radices[j]

    # -- tables ------------------------------------------------------------------------------
    def codes_from_frame(self, frame: pd.DataFrame, *, source: str = "table") -> np.ndarray:
        """Codes of the configurations in the HP columns of ``frame``.

        Raises
        ------
        SpaceError
            Naming the column, the value and the first rows that hold a value not in the grid.
        """
        missing = [n for n in self.names if n not in frame.columns]
        if missing:
            raise SpaceError(f"{source}: hyperparameter column(s) missing: {', '.join(missing)}")
        codes = np.empty((len(frame), len(self)), dtype=np.int64)
        for j, hp in enumerate(self.hyperparameters):
            column = frame[hp.name]
            uniques = pd.unique(column)
            mapping: dict[Any, int] = {}
            for value in uniques:
                if _plain(value) in hp._lookup:
                    mapping[value] = hp._lookup[_plain(value)]
                    continue
                rows = np.flatnonzero((column == value).to_numpy())[:5].tolist()
                if pd.isna(value):
                    rows = np.flatnonzero(column.isna().to_numpy())[:5].tolist()
                raise SpaceError(
                    f"{source}: column {hp.name!r} holds value {_plain(value)!r} (rows {rows}) "
                    f"that is not in its grid {list(hp.values)}"
                )
            codes[:, j] = column.map(mapping).to_numpy(dtype=np.int64)
        return codes

    def frame_from_codes(self, codes: np.ndarray) -> pd.DataFrame:
        """Typed HP value columns for an ``(n, d)`` array of codes."""
        codes = np.asarray(codes, dtype=np.int64)
        data: dict[str, Any] = {}
        for j, hp in enumerate(self.hyperparameters):
            values = np.asarray(hp.values, dtype=object)
            column = pd.Series(values[codes[:, j]]) if len(codes) else pd.Series([], dtype=object)
            data[hp.name] = column.infer_objects()
        return pd.DataFrame(data)

    # -- geometry ----------------------------------------------------------------------------
    def distance(self, codes_a: np.ndarray, codes_b: np.ndarray) -> np.ndarray:
        """Grid distance: sum of |code difference| over ordinal HPs plus mismatches elsewhere.

        Broadcasts over leading dimensions; on a full grid it equals the shortest-path length
        in the neighbourhood graph.
        """
        diff = np.abs(np.asarray(codes_a, dtype=np.int64) - np.asarray(codes_b, dtype=np.int64))
        diff = np.where(self.is_ordinal, diff, diff > 0)
        return diff.sum(axis=-1)

    @property
    def max_degree(self) -> int:
        """Largest number of neighbours a configuration can have."""
        return int(
            np.where(self.is_ordinal, np.minimum(self.radices - 1, 2), self.radices - 1).sum()
        )

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def from_dict(
        cls,
        grid: Mapping[str, Any],
        *,
        source: str | None = None,
        reserved: Callable[[str], bool] | None = None,
    ) -> SearchSpace:
        """Build from ``{"lr": [0.1, 0.3], "booster": ["gbtree", "dart"]}``: the one grid parser.

        A value may also be a mapping ``{"values": [...], "kind": "categorical", "log": true}``
        or a range shorthand: ``{"linspace": [start, stop, n]}``,
        ``{"logspace": [start, stop, n]}`` (``10**start`` ... ``10**stop``, log scale) or
        ``{"range": [start, stop, step]}`` (Python's range), with ``kind``/``log`` beside it.
        Kinds are inferred as in :meth:`from_frame` when not given.

        Parameters
        ----------
        grid : mapping of str to list or mapping
            Name -> values, in the order that defines codes.
        source : str, optional
            Where the grid comes from (a file name), prefixed to every error message.
        reserved : callable, optional
            ``reserved(name)`` is True for names a hyperparameter may not take (the long
            table's columns: :func:`lossatlas.columns.is_reserved_column`).

        Returns
        -------
        SearchSpace

        Raises
        ------
        SpaceError
            A malformed entry, a reserved name, a null value, fewer than two or repeated
            values, unsortable ordinal values.

        Examples
        --------
        >>> grid = {"C": {"logspace": [-1, 1, 3]}, "kernel": ["rbf", "poly"]}
        >>> space = SearchSpace.from_dict(grid)
        >>> space["C"].values, space["C"].log, space["kernel"].kind
        ((0.1, 1.0, 10.0), True, 'categorical')
        """
        where = f"{source}: " if source else ""
        hps = []
        for name, spec in grid.items():
            name = str(name)
            if reserved is not None and reserved(name):
                raise SpaceError(
                    f"{where}hyperparameter name {name!r} is reserved by the results table "
                    "(model, dataset, fidelity_*, fold, seed, test*, train*, status ...); rename it"
                )
            values, kind, log = _grid_entry(name, spec, where)
            try:
                hps.append(Hyperparameter(name, tuple(values), kind or _infer_kind(values), log))
            except SpaceError as exc:
                raise SpaceError(f"{where}{exc}") from None
        return cls(hps)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """JSON-able description, accepted by :meth:`from_dict`."""
        return {
            hp.name: {k: v for k, v in hp.to_dict().items() if k != "name"}
            for hp in self.hyperparameters
        }

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        columns: Sequence[str],
        *,
        kinds: Mapping[str, HPKind] | None = None,
        source: str = "table",
    ) -> SearchSpace:
        """Infer a space from the distinct values of ``columns`` in ``frame``.

        Numeric columns become ordinal, strings categorical, bools boolean; ``kinds`` overrides.
        """
        kinds = dict(kinds or {})
        unknown = set(kinds) - set(columns)
        if unknown:
            raise SpaceError(
                f"{source}: kinds given for column(s) that are not hyperparameters: "
                f"{', '.join(sorted(unknown))}"
            )
        hps = []
        for name in columns:
            column = frame[name]
            if column.isna().any():
                rows = np.flatnonzero(column.isna().to_numpy())[:5].tolist()
                raise SpaceError(
                    f"{source}: hyperparameter column {name!r} is empty in rows {rows}"
                )
            values = list(pd.unique(column))
            kind = kinds.get(name) or _infer_kind(values)
            if len(values) < 2:
                raise SpaceError(
                    f"{source}: hyperparameter column {name!r} has only one value "
                    f"({_plain(values[0])!r}); a landscape needs at least two values per HP "
                    "(drop the column or pass it as metadata)"
                )
            if kind in ("categorical", "boolean"):
                try:
                    values = sorted(values)
                except TypeError:
                    values = sorted(values, key=repr)
            hps.append(Hyperparameter(name, tuple(values), kind))
        return cls(hps)


_SHORTHANDS = ("linspace", "logspace", "range")
_ENTRY_KEYS = {"values", "kind", "log", "name"}


def _grid_entry(name: str, spec: Any, where: str) -> tuple[list[Any], Any, bool]:
    """Values, kind (or None) and log flag of one grid entry (list, mapping or shorthand)."""
    if not isinstance(spec, Mapping):
        if isinstance(spec, str | bytes) or not hasattr(spec, "__iter__"):
            raise SpaceError(
                f"{where}grid entry {name!r} must be a list of values or a mapping, not {spec!r}"
            )
        values, kind, log = list(spec), None, False
    else:
        spec = dict(spec)
        shorthand = [k for k in _SHORTHANDS if k in spec]
        if len(shorthand) > 1 or (shorthand and "values" in spec):
            raise SpaceError(f"{where}grid entry {name!r} mixes {shorthand + ['values']}")
        extra = set(spec) - _ENTRY_KEYS - set(_SHORTHANDS)
        if extra:
            raise SpaceError(f"{where}grid entry {name!r} has unknown keys {sorted(extra)}")
        if shorthand:
            values = _expand_range(name, shorthand[0], spec[shorthand[0]], where)
            log = bool(spec.get("log", shorthand[0] == "logspace"))
        elif "values" in spec:
            values, log = list(spec["values"]), bool(spec.get("log", False))
        else:
            raise SpaceError(
                f"{where}grid entry {name!r} needs 'values' (or linspace/logspace/range)"
            )
        kind = spec.get("kind")
    if len(values) < 2:
        raise SpaceError(
            f"{where}grid entry {name!r} has {len(values)} value(s) {values}; a hyperparameter "
            "needs at least two (put fixed values under 'params')"
        )
    if any(v is None for v in values):
        raise SpaceError(
            f"{where}grid entry {name!r} holds a null value; use a sentinel the estimator "
            "understands (e.g. a large max_depth) instead"
        )
    return values, kind, log


def _expand_range(name: str, key: str, args: Any, where: str) -> list[Any]:
    if not isinstance(args, list | tuple) or len(args) != 3:
        raise SpaceError(f"{where}grid entry {name!r}: {key} takes [start, stop, n]")
    try:
        if key == "range":
            return list(range(*(int(a) for a in args)))
        points = np.linspace(float(args[0]), float(args[1]), int(args[2]))
        if key == "linspace":
            return [float(f"{v:.12g}") for v in points]
        return [float(f"{10.0**e:.12g}") for e in points]
    except (TypeError, ValueError) as exc:
        raise SpaceError(f"{where}grid entry {name!r}: bad {key} {list(args)!r}: {exc}") from None


def _infer_kind(values: Sequence[Any]) -> HPKind:
    plain = [_plain(v) for v in values]
    if all(isinstance(v, bool) for v in plain):
        return "boolean"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in plain):
        return "ordinal"
    return "categorical"
