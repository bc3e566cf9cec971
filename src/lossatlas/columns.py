"""Column roles of the long results table (see DESIGN.md, "Data model").

A column's role follows from its name: landscape-identity (group) columns, replicate columns that
a landscape averages over, loss columns, bookkeeping columns, and hyperparameters (the rest).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "GROUP_COLUMNS",
    "REPLICATE_COLUMNS",
    "BOOKKEEPING_COLUMNS",
    "LOSS_PREFIXES",
    "is_group_column",
    "is_loss_column",
    "is_reserved_column",
    "group_columns",
    "loss_columns",
    "hyperparameter_columns",
    "RESERVED_NAMES",
    "close_reserved_name",
]

GROUP_COLUMNS = ("model", "dataset")
FIDELITY_PREFIX = "fidelity_"
REPLICATE_COLUMNS = ("fold", "seed", "repeat")
BOOKKEEPING_COLUMNS = (
    "status",
    "error",
    "fit_seconds",
    "predict_seconds",
    "config_id",
    "task_id",
    "timestamp",
    "n_train",
    "n_test",
    "metric",
)
LOSS_PREFIXES = ("test", "train", "valid")


def is_group_column(name: str) -> bool:
    """``model``, ``dataset`` and every ``fidelity_*`` column identify a landscape."""
    return name in GROUP_COLUMNS or name.startswith(FIDELITY_PREFIX)


def is_loss_column(name: str) -> bool:
    """``test``, ``train``, ``valid`` and ``test_*``/``train_*``/``valid_*`` are losses."""
    return any(name == p or name.startswith(p + "_") for p in LOSS_PREFIXES)


def is_reserved_column(name: str) -> bool:
    """True for every column that is not a hyperparameter by its name."""
    return (
        is_group_column(name)
        or is_loss_column(name)
        or name in REPLICATE_COLUMNS
        or name in BOOKKEEPING_COLUMNS
    )


def group_columns(columns: Iterable[str]) -> list[str]:
    """The landscape-identity columns among ``columns``, in their order."""
    return [c for c in columns if is_group_column(c)]


def loss_columns(columns: Iterable[str]) -> list[str]:
    """The loss columns among ``columns``, in their order."""
    return [c for c in columns if is_loss_column(c)]


def hyperparameter_columns(columns: Iterable[str]) -> list[str]:
    """The columns that are hyperparameters by elimination."""
    return [c for c in columns if not is_reserved_column(c)]


#: Every reserved name as written (``fidelity_*`` columns by their common prefix).
RESERVED_NAMES = (
    *GROUP_COLUMNS,
    *REPLICATE_COLUMNS,
    *BOOKKEEPING_COLUMNS,
    *LOSS_PREFIXES,
    "fidelity_fraction",
    "fidelity_epochs",
)


def close_reserved_name(name: str, *, cutoff: float = 0.75) -> str | None:
    """The reserved name that ``name`` (a hyperparameter by its name) looks like a typo of.

    ``folds`` is close to ``fold``, ``tset`` to ``test``, ``Test`` to ``test``: such a column
    becomes a hyperparameter silently, so the commands that read tables warn about it.

    Parameters
    ----------
    name : str
        A column name.
    cutoff : float, default 0.75
        The least :class:`difflib.SequenceMatcher` ratio counted as close.

    Returns
    -------
    str or None
        The closest reserved name, or ``None`` when ``name`` is reserved itself or close to none.
    """
    if is_reserved_column(name):
        return None
    lowered = name.lower()
    if is_reserved_column(lowered):
        return lowered
    close = difflib.get_close_matches(lowered, RESERVED_NAMES, n=1, cutoff=cutoff)
    return close[0] if close else None
