"""What each column of a source is read as: the lines the table commands print first.

A table's roles follow from its column names (:mod:`lossatlas.columns`), so a misspelt reserved
name (``folds``, ``tset``) silently becomes a hyperparameter. :func:`role_lines` says how every
column was read (hyperparameters with their kinds and sizes, loss, replicate and fidelity
columns) and warns about names close to a reserved one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lossatlas import columns as roles
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape

__all__ = ["check_loss", "source_columns", "role_lines"]


def _header(path: Path) -> list[str] | None:
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            import pandas as pd

            return [str(c) for c in pd.read_csv(path, nrows=0).columns]
        if suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            return [str(c) for c in pq.read_schema(path).names if not c.startswith("__index")]
    except Exception:  # the loader reports unreadable files in one line of its own
        return None
    return None


def source_columns(source: object) -> list[str] | None:
    """The column names of a table source, read from its header only (``None``: not a table).

    Parameters
    ----------
    source : object
        What :func:`~lossatlas.io.load_landscapes` accepts; only table files, directories of
        tables and evaluation or study directories (``results.parquet``) have columns here.

    Returns
    -------
    list of str or None
    """
    from lossatlas._pandas import is_dataframe

    if is_dataframe(source):
        return [str(c) for c in source.columns]
    if not isinstance(source, str | Path) or "://" in str(source):
        return None
    path = Path(source)
    if path.is_file():
        return _header(path)
    if path.is_dir():
        if (path / "results.parquet").is_file():
            return _header(path / "results.parquet")
        names: list[str] = []
        for file in sorted(p for p in path.iterdir() if p.is_file()):
            for name in _header(file) or []:
                if name not in names:
                    names.append(name)
        return names or None
    return None


def role_lines(
    landscapes: Sequence[Landscape], columns: Sequence[str] | None, *, source: str
) -> list[str]:
    """How ``source`` was read: one line of column roles, one per distinct search space, and
    one warning per column whose name is close to a reserved name.

    Parameters
    ----------
    landscapes : sequence of Landscape
        The landscapes read from ``source``.
    columns : sequence of str, optional
        The source's columns (:func:`source_columns`); ``None`` for sources without a table.
    source : str
        Names the source.

    Returns
    -------
    list of str
        Lines to print (on stderr); warnings start with ``warning:``.
    """
    lines: list[str] = []
    spaces: list[str] = []
    for land in landscapes:
        hps = ", ".join(f"{hp.name} ({hp.kind}, {hp.size})" for hp in land.space.hyperparameters)
        text = f"hyperparameters: {hps} -> {land.space.size:,} configurations"
        if text not in spaces:
            spaces.append(text)
    n = len(landscapes)
    lines.append(f"{source}: {n} landscape{'s' if n != 1 else ''}")
    lines += [f"  {text}" for text in spaces]
    losses = sorted({name for land in landscapes for name in land.loss_names})
    if columns is not None:
        hp_names = {hp.name for land in landscapes for hp in land.space.hyperparameters}
        parts = [
            ("losses", roles.loss_columns(columns)),
            ("replicates (averaged)", [c for c in columns if c in roles.REPLICATE_COLUMNS]),
            ("fidelity", [c for c in columns if c.startswith(roles.FIDELITY_PREFIX)]),
            ("landscape", [c for c in columns if c in roles.GROUP_COLUMNS]),
        ]
        text = "; ".join(f"{what}: {', '.join(cols) or '-'}" for what, cols in parts)
        lines.append(f"  {text}")
        for name in columns:
            close = roles.close_reserved_name(name) if name in hp_names else None
            if close is not None:
                lines.append(
                    f"warning: {source}: column {name!r} is read as a hyperparameter; "
                    f"did you mean the reserved column {close!r}?"
                )
    else:
        lines.append(f"  losses: {', '.join(losses) or '-'}")
    return lines


def check_loss(landscapes: Sequence[Landscape], loss: str, *, source: str) -> None:
    """Refuse a ``--loss`` that a landscape of ``source`` lacks, naming the losses it has.

    Parameters
    ----------
    landscapes : sequence of Landscape
    loss : str
        The loss column asked for.
    source : str
        Names the source in the message.

    Raises
    ------
    InputError
        When some landscape has no loss column ``loss``.
    """
    for land in landscapes:
        if loss not in land.loss_names:
            raise InputError(
                f"{source}: no loss column {loss!r} (losses: {', '.join(land.loss_names) or '-'})"
            )
