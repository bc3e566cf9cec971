"""The one loader: whatever a source is, the landscapes it holds.

Every command that reads landscapes (``analyze``, ``compare``, ``importance``, ``report``) calls
:func:`load_landscapes`, so a table, a directory, an evaluation or study output and an Optuna
storage URL are read the same way everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from lossatlas._pandas import is_dataframe

if TYPE_CHECKING:
    import pandas as pd
else:
    from lossatlas._pandas import pd

from lossatlas.errors import InputError
from lossatlas.io._tables import TABLE_SUFFIXES, read_landscapes, read_table
from lossatlas.landscape import Landscape

__all__ = [
    "JOURNAL_NAME",
    "RESULTS_NAME",
    "Source",
    "is_storage_url",
    "load_landscapes",
    "source_kind",
]

#: The long table of an evaluation or study output directory.
RESULTS_NAME = "results.parquet"
#: The journal of an evaluation output directory (read when no results table was exported).
JOURNAL_NAME = "journal.sqlite"

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_SQLITE_MAGIC = b"SQLite format 3\x00"

#: What :func:`load_landscapes` reads.
Source = Union[Landscape, Iterable[Landscape], "pd.DataFrame", str, Path]  # noqa: UP007


def is_storage_url(source: object) -> bool:
    """True for a database URL such as ``"sqlite:///study.db"`` (an Optuna storage).

    Parameters
    ----------
    source : object
        Anything; only strings can be URLs.

    Returns
    -------
    bool
    """
    return isinstance(source, str) and _URL.match(source) is not None


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError:
        return False


def source_kind(source: str | Path) -> str:
    """What a path or URL is, as :func:`load_landscapes` reads it.

    Parameters
    ----------
    source : str or Path
        A table file, a directory, an Optuna storage URL or an SQLite Optuna storage file.

    Returns
    -------
    str
        ``"optuna"`` (a storage URL or an SQLite file), ``"table"`` (a ``.parquet``/``.csv``
        file), ``"results"`` (a directory holding ``results.parquet``: an evaluation or study
        output), ``"journal"`` (an evaluation directory with ``journal.sqlite`` only) or
        ``"tables"`` (a directory of tables, read as one long table).

    Raises
    ------
    InputError
        When the path does not exist or holds nothing lossatlas can read.
    """
    if is_storage_url(source):
        return "optuna"
    path = Path(source)
    if path.is_dir():
        if (path / RESULTS_NAME).is_file():
            return "results"
        if (path / JOURNAL_NAME).is_file():
            return "journal"
        if any(p.suffix.lower() in TABLE_SUFFIXES for p in path.iterdir() if p.is_file()):
            return "tables"
        raise InputError(
            f"{path}: no {RESULTS_NAME}, {JOURNAL_NAME} or .parquet/.csv table in this directory"
        )
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if path.suffix.lower() in TABLE_SUFFIXES:
        return "table"
    if _is_sqlite(path):
        return "optuna"
    raise InputError(
        f"{path}: unsupported file type {path.suffix.lower()!r} (use a .parquet or .csv table, "
        "a directory of them, an evaluation directory or an Optuna storage URL)"
    )


def _directory_frame(path: Path) -> pd.DataFrame:
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in TABLE_SUFFIXES)
    return pd.concat([read_table(p) for p in files], ignore_index=True)


def _journal_frame(path: Path) -> pd.DataFrame:
    from lossatlas.evaluate._journal import Journal
    from lossatlas.evaluate._table import journal_frame
    from lossatlas.io._sqlite import is_evaluation_journal

    if not is_evaluation_journal(path):
        raise InputError(f"{path}: not a lossatlas evaluation journal")
    with Journal(path, create=False) as journal:
        frame, _ = journal_frame(journal)
    if frame.empty:
        raise InputError(f"{path}: the journal has no results yet")
    return frame


def load_landscapes(
    source: Source,
    *,
    loss: str = "test",
    study_name: str | None = None,
    **read_options: Any,
) -> list[Landscape]:
    """Read every landscape a source holds, whatever the source is.

    Parameters
    ----------
    source : Landscape, sequence of Landscape, DataFrame, str or Path
        One of:

        - a landscape or a sequence of them (returned as a list);
        - a long table as a DataFrame, or a ``.parquet``/``.csv`` file;
        - a directory holding ``results.parquet`` (an evaluation output, or a study output
          whose other tables are derived results): that table is read;
        - an evaluation directory holding only ``journal.sqlite``: its results are read;
        - any other directory: its ``.parquet``/``.csv`` tables are read as one long table;
        - an Optuna storage URL (``"sqlite:///study.db"``) or an SQLite Optuna storage file,
          read with :func:`~lossatlas.io.from_optuna`, one landscape per study (opened
          read-only: a missing file is an error, never created; a file that is not an Optuna
          storage is refused).
    loss : str, default "test"
        Name of the loss column an Optuna objective becomes.
    study_name : str, optional
        Read only this study of an Optuna storage (default: every study).
    **read_options
        Passed to :func:`~lossatlas.io.read_landscapes` for tables (``on_invalid``,
        ``maximize``, ``losses``, ``kinds`` ...); ignored by Optuna sources except
        ``on_invalid``/``maximize``, which do not apply to them.

    Returns
    -------
    list of Landscape
        One per (model, dataset, fidelity) group. A table of several models whose
        hyperparameter columns differ is split by the columns each model uses before the
        spaces are inferred, so each landscape's space holds only its model's hyperparameters.

    Raises
    ------
    InputError
        When the source does not exist or cannot be read, naming it.

    Examples
    --------
    >>> import pandas as pd
    >>> from lossatlas.io import load_landscapes
    >>> table = pd.DataFrame({"lr": [0.1, 0.1, 1.0, 1.0], "depth": [1, 2, 1, 2],
    ...                       "test": [0.3, 0.2, 0.25, 0.4]})
    >>> (landscape,) = load_landscapes(table)
    >>> landscape.space.names, landscape.n
    (('lr', 'depth'), 4)
    """
    if isinstance(source, Landscape):
        return [source]
    if is_dataframe(source):
        return read_landscapes(source, **read_options)
    if isinstance(source, str | Path):
        kind = source_kind(source)
        if kind == "optuna":
            from lossatlas.io._optuna import from_optuna, study_names

            url = str(source) if is_storage_url(source) else f"sqlite:///{Path(source)}"
            names = [study_name] if study_name is not None else study_names(url)
            if not names:
                raise InputError(f"{source}: the Optuna storage holds no study")
            return [from_optuna(url, study_name=name, loss=loss) for name in names]
        path = Path(source)
        if kind == "table":
            return read_landscapes(path, **read_options)
        if kind == "results":
            return read_landscapes(path / RESULTS_NAME, **read_options)
        if kind == "journal":
            frame = _journal_frame(path / JOURNAL_NAME)
        else:
            frame = _directory_frame(path)
        return read_landscapes(frame, name=str(path), **read_options)
    try:
        items = list(source)
    except TypeError:
        items = []
    if not items or not all(isinstance(x, Landscape) for x in items):
        raise InputError(
            "expected landscapes, a DataFrame, a table or directory path, or an Optuna storage "
            f"URL, not {type(source).__name__}"
        )
    return items
