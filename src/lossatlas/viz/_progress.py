"""Progress of a report: one line per stage (landscape, figure, page) on stderr."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["Progress", "stage_printer"]

#: A report's progress callback: called with one short line per stage.
Progress = Callable[[str], None]


def _silent(message: str) -> None:
    return None


def stage_printer(
    enabled: bool = True, *, label: str = "report", stream: TextIO | None = None
) -> Progress:
    """A progress callback printing ``label [elapsed s] message`` lines (silent if disabled).

    Parameters
    ----------
    enabled : bool, default True
        False gives a callback that prints nothing (``--quiet``).
    label : str, default "report"
    stream : text stream, optional
        Where to print (default: standard error, read at each call).

    Returns
    -------
    callable
    """
    if not enabled:
        return _silent
    start = time.perf_counter()

    def say(message: str) -> None:
        out = stream if stream is not None else sys.stderr
        print(f"{label} [{time.perf_counter() - start:5.1f} s] {message}", file=out, flush=True)

    return say
