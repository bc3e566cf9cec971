"""Results held briefly and committed to the journal a batch per transaction.

One SQLite transaction per result costs more than fitting a fast model (a decision tree on a
small dataset); :class:`ResultBuffer` gathers results and commits them together
(:meth:`~lossatlas.evaluate._journal.Journal.record_many`) when it holds
:data:`MAX_RESULTS`, when its oldest result has waited :data:`MAX_SECONDS`, or when results
arrive slowly (more than :data:`MAX_SECONDS` since the previous one: batching would gain
nothing, so each is committed at once). :func:`~lossatlas.evaluate._claims.run_claimed`
flushes it on every exit, Ctrl-C included.

What a kill loses: a ``kill -9`` loses the tasks in flight and the results still in the
buffer, which are at most :data:`MAX_RESULTS` results of fast tasks finished in the last
:data:`MAX_SECONDS` (a slow task's result is committed as it arrives). Their claims die with
the process and are retaken, so a resumed or concurrent run fits them again; nothing
committed is ever lost or duplicated.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from lossatlas.evaluate._journal import Journal

__all__ = ["MAX_RESULTS", "MAX_SECONDS", "ResultBuffer"]

#: Results committed together at most.
MAX_RESULTS = 64
#: Seconds a result waits in the buffer at most while results keep arriving.
MAX_SECONDS = 0.5


class ResultBuffer:
    """Results waiting for one journal transaction.

    Parameters
    ----------
    journal : Journal
        Open for writing.
    owner : str
        The claimant (stored with the rows; its claims of the keys are released).
    replace_failed : bool, default False
        Let a result overwrite a row whose status is ``failed``.
    max_results : int, optional
        Default :data:`MAX_RESULTS`.
    max_seconds : float, optional
        Default :data:`MAX_SECONDS`.
    """

    def __init__(
        self,
        journal: Journal,
        *,
        owner: str,
        replace_failed: bool = False,
        max_results: int | None = None,
        max_seconds: float | None = None,
    ) -> None:
        self.journal, self.owner, self.replace_failed = journal, owner, replace_failed
        self.max_results = MAX_RESULTS if max_results is None else max_results
        self.max_seconds = MAX_SECONDS if max_seconds is None else max_seconds
        self._pending: list[tuple[str, Mapping[str, Any]]] = []
        self._first = self._last = time.monotonic()
        self.n_commits = 0

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, study: str, result: Mapping[str, Any]) -> None:
        """Hold ``result`` of ``study``; commit the buffer when it is full, old or slow."""
        now = time.monotonic()
        slow = now - self._last >= self.max_seconds
        self._last = now
        if not self._pending:
            self._first = now
        self._pending.append((study, result))
        if slow or len(self._pending) >= self.max_results or now - self._first >= self.max_seconds:
            self.flush()

    def flush(self) -> None:
        """Commit every held result (one transaction per run of results of one study)."""
        pending, self._pending = self._pending, []
        start = 0
        while start < len(pending):
            study = pending[start][0]
            stop = start
            while stop < len(pending) and pending[stop][0] == study:
                stop += 1
            try:
                self.journal.record_many(
                    study,
                    [result for _, result in pending[start:stop]],
                    replace_failed=self.replace_failed,
                    owner=self.owner,
                )
            except BaseException:
                self._pending = pending[start:] + self._pending  # not committed: still held
                raise
            self.n_commits += 1
            start = stop
