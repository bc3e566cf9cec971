"""A rich progress bar for evaluations: done/total, failures and ETA; silent when disabled."""

from __future__ import annotations

from typing import Any

__all__ = ["ProgressReporter"]


class ProgressReporter:
    """Context manager around a rich progress bar (no output when ``enabled`` is False).

    Parameters
    ----------
    total : int
        Number of tasks of the study.
    done : int
        Tasks already in the journal (the bar starts there).
    enabled : bool
    label : str
    """

    def __init__(self, *, total: int, done: int = 0, enabled: bool = True, label: str = "") -> None:
        self.total, self.done, self.failed = total, done, 0
        self.enabled, self.label = enabled, label
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> ProgressReporter:
        if self.enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("failed {task.fields[failed]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task(
                self.label, total=self.total, completed=self.done, failed=0
            )
        return self

    def advance(self, *, failed: bool = False) -> None:
        """One more task finished."""
        self.done += 1
        self.failed += int(failed)
        if self._progress is not None:
            self._progress.update(self._task, advance=1, failed=self.failed)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
