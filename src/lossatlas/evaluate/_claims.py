"""Share the tasks of a journal among processes: claim, run, record, and retake the abandoned.

:func:`run_claimed` is how :func:`~lossatlas.evaluate.evaluate` and
:func:`~lossatlas.study.run_study` run their tasks on any executor (serial, loky, dask): the
executor pulls tasks lazily from a generator that claims them in the journal a few at a time
(``BEGIN IMMEDIATE``), so N processes on one ``--out`` each fit a share of the tasks and every
task once. A :class:`Heartbeat` thread renews this process's leases while it works; a process
that dies stops renewing, and its claims are taken over when their lease expires (at once when
the owner was a process of this host that no longer exists). A process that runs out of tasks
to claim while others still hold some waits for them (recorded, or abandoned and retaken), so
every process ends with the whole table; it never waits inside the executor, so two processes
cannot wait for each other.

The lease lasts :data:`DEFAULT_LEASE_SECONDS` unless ``lease`` or the environment variable
``LOSSATLAS_LEASE_SECONDS`` says otherwise.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from lossatlas.errors import InputError
from lossatlas.evaluate._buffer import ResultBuffer
from lossatlas.evaluate._executors import Executor
from lossatlas.evaluate._journal import Journal, new_owner
from lossatlas.evaluate._reuse import TaskGroup, group_tasks
from lossatlas.evaluate._tasks import Task, TaskContext

__all__ = ["DEFAULT_LEASE_SECONDS", "Heartbeat", "lease_seconds", "run_claimed"]

#: Seconds a claim lasts without renewal (renewed every third of it while the claimant lives).
DEFAULT_LEASE_SECONDS = 60.0
LEASE_ENV = "LOSSATLAS_LEASE_SECONDS"
#: A claimed chunk run within this many seconds doubles the next (up to
#: :data:`MAX_CLAIM_FACTOR` times ``batch``); a slower one resets it to ``batch``.
FAST_CLAIM_SECONDS = 0.05
MAX_CLAIM_FACTOR = 8


def lease_seconds(lease: float | None = None) -> float:
    """``lease``, else ``$LOSSATLAS_LEASE_SECONDS``, else :data:`DEFAULT_LEASE_SECONDS`."""
    if lease is None:
        text = os.environ.get(LEASE_ENV)
        if text is None:
            return DEFAULT_LEASE_SECONDS
        try:
            lease = float(text)
        except ValueError:
            raise InputError(f"{LEASE_ENV}={text!r} is not a number of seconds") from None
    if not lease > 0 or lease != lease:
        raise InputError(f"the lease must be a positive number of seconds, not {lease}")
    return float(lease)


class Heartbeat:
    """A daemon thread renewing ``owner``'s claims in ``path`` every ``lease / 3`` seconds.

    Parameters
    ----------
    path : Path
        The journal (opened by the thread on its own connection).
    owner : str
    lease : float
    """

    def __init__(self, path: Any, owner: str, lease: float) -> None:
        self.path, self.owner, self.lease = path, owner, lease
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="lossatlas-lease", daemon=True)

    def _beat(self) -> None:
        db = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
        try:
            while not self._stop.wait(self.lease / 3):
                try:
                    db.execute(
                        "UPDATE claims SET expires = ? WHERE owner = ?",
                        (time.time() + self.lease, self.owner),
                    )
                except sqlite3.OperationalError:  # pragma: no cover - busy past the timeout
                    continue
        finally:
            db.close()

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


Part = tuple[str, TaskContext, Sequence[Task]]


def run_claimed(
    journal: Journal,
    parts: Sequence[Part],
    executor: Executor,
    *,
    retry_failed: bool = False,
    lease: float | None = None,
    batch: int = 1,
    reuse: bool = True,
) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """Run the tasks of ``parts`` that no other process runs; record their results.

    Results are committed a batch per transaction
    (:class:`~lossatlas.evaluate._buffer.ResultBuffer`: within half a second of fast work, a
    slow task's at once) and every buffered result on any exit, so a ``kill -9`` loses at
    most the tasks in flight and the buffered results; their claims are retaken.

    Parameters
    ----------
    journal : Journal
        Open for writing.
    parts : sequence of (study key, context, tasks)
        The tasks still to run of each evaluation.
    executor : Executor
    retry_failed : bool, default False
        Failed results recorded before this call are run again.
    lease : float, optional
        Lease seconds (:func:`lease_seconds`).
    batch : int, default 1
        Tasks (or groups of nested ``n_estimators``) claimed per transaction; up to
        :data:`MAX_CLAIM_FACTOR` times as many while they run fast.
    reuse : bool, default True
        Train a group of tasks that differ only in a nested ``n_estimators`` once and score
        each prefix (:mod:`lossatlas.evaluate._reuse`); each is still its own journal row.

    Yields
    ------
    (int, dict or None)
        The part's index and a result this process recorded, or None for a task of that part
        that another process finished meanwhile.
    """
    lease = lease_seconds(lease)
    owner = new_owner()
    since = time.time() if retry_failed else None
    poll = min(1.0, max(0.05, lease / 10))
    pending = [list(tasks) for _, _, tasks in parts]
    buffer = ResultBuffer(journal, owner=owner, replace_failed=retry_failed)
    with Heartbeat(journal.path, owner, lease):
        try:
            while any(pending):
                progressed = False
                for index, (key, context, _) in enumerate(parts):
                    if not pending[index]:
                        continue
                    held: list[Task] = []
                    elsewhere = [0]
                    candidates = pending[index]

                    def claimed(
                        candidates: list[Task] = candidates,
                        held: list[Task] = held,
                        elsewhere: list[int] = elsewhere,
                        key: str = key,
                        model: Any = context.model,
                    ) -> Iterator[Any]:
                        # a group of nested n_estimators is claimed whole and trained once
                        units = group_tasks(model, candidates) if reuse else list(candidates)
                        start, size = 0, batch
                        while start < len(units):
                            began = time.monotonic()
                            chunk = [
                                t
                                for unit in units[start : start + size]
                                for t in (unit.tasks if isinstance(unit, TaskGroup) else [unit])
                            ]
                            start += size
                            mine, finished, busy = journal.claim(
                                key,
                                [t.key for t in chunk],
                                owner=owner,
                                lease=lease,
                                retry_before=since,
                            )
                            elsewhere[0] += len(finished)
                            held.extend(chunk[i] for i in busy)
                            owned = [chunk[i] for i in mine]
                            yield from (group_tasks(model, owned) if reuse else owned)
                            # fast tasks: claim more per transaction (its cost is per call)
                            fast = time.monotonic() - began < FAST_CLAIM_SECONDS
                            size = min(2 * size, MAX_CLAIM_FACTOR * batch) if fast else batch

                    for item in executor.run(context, claimed()):
                        for result in item if isinstance(item, list) else [item]:
                            buffer.add(key, result)
                            progressed = True
                            yield index, result
                            while elsewhere[0]:
                                elsewhere[0] -= 1
                                yield index, None
                    progressed |= elsewhere[0] > 0
                    for _ in range(elsewhere[0]):
                        yield index, None
                    pending[index] = held
                buffer.flush()  # before waiting for others (or leaving): commit ours
                if any(pending) and not progressed:
                    time.sleep(poll)  # the rest is held by live claimants: wait for them
        finally:
            try:
                buffer.flush()  # on every exit, Ctrl-C included
            finally:
                journal.release(owner)
