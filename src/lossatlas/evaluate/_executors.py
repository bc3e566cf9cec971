"""Executors: run tasks serially, in local processes (loky) or on a dask.distributed cluster.

Each executor yields task results as they finish (in any order) and keeps a bounded number of
tasks in flight, so the parent can write the results to the journal as they come and a killed
run loses at most the tasks in flight. Local worker processes are one loky pool kept warm
across tasks and runs; each run writes its shared :class:`TaskContext` (model, dataset, fixed
parameters) to a file once, and each worker loads it once and keeps it for the run's tasks,
which travel alone, several per message when they are fast (:class:`LokyExecutor`). On dask
the context is scattered (broadcast) once. Workers pin the inner threads of BLAS/OpenMP,
XGBoost, LightGBM and torch to one, so N workers do not oversubscribe N cores.
"""

from __future__ import annotations

import atexit
import os
import pickle
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, wait
from typing import Any, Protocol

from lossatlas._threads import limit_threads
from lossatlas.errors import InputError, require
from lossatlas.evaluate._tasks import Task, TaskContext, run_task

__all__ = [
    "DaskExecutor",
    "Executor",
    "LokyExecutor",
    "SerialExecutor",
    "connect_dask",
    "make_executor",
]

_THREAD_ENV = {
    name: "1"
    for name in (
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
        "NUMEXPR_NUM_THREADS",
    )
}


class Executor(Protocol):
    """Runs tasks and yields their results as they finish."""

    def run(self, context: TaskContext, tasks: Iterable[Task]) -> Iterator[dict[str, Any]]: ...


_LIMITS: Any = None


def pin_threads() -> None:
    """Limit this process's BLAS/OpenMP pools and torch to one thread (idempotent)."""
    global _LIMITS
    if _LIMITS is not None:
        return
    _LIMITS = limit_threads(1)
    import sys

    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)


class SerialExecutor:
    """Run every task in this process, one after the other (inner threads pinned to one)."""

    def run(self, context: TaskContext, tasks: Iterable[Task]) -> Iterator[dict[str, Any]]:
        with limit_threads(1):
            for task in tasks:
                yield run_task(context, task)


#: Contexts a worker keeps (the latest runs'), by token.
_WORKER_CONTEXTS: dict[str, TaskContext] = {}
_KEEP_CONTEXTS = 2


def _worker_context(token: str, path: str) -> TaskContext:
    """The run's context in this process: loaded from ``path`` the first time only."""
    context = _WORKER_CONTEXTS.get(token)
    if context is None:
        with open(path, "rb") as handle:
            context = pickle.load(handle)
        while len(_WORKER_CONTEXTS) >= _KEEP_CONTEXTS:
            del _WORKER_CONTEXTS[next(iter(_WORKER_CONTEXTS))]
        _WORKER_CONTEXTS[token] = context
    return context


def _run_shipped(token: str, path: str, units: list[Any]) -> tuple[list[dict[str, Any]], float]:
    """Run ``units`` (tasks or groups) on the run's context; ``(results, seconds)``."""
    pin_threads()
    context = _worker_context(token, path)
    start = time.perf_counter()
    results: list[dict[str, Any]] = []
    for unit in units:
        result = run_task(context, unit)
        results.extend(result if isinstance(result, list) else [result])
    return results, time.perf_counter() - start


def _bounded(submit: Any, tasks: Iterable[Any], in_flight: int, done_of: Any) -> Iterator[Any]:
    """Keep at most ``in_flight`` futures pending; yield results as they complete."""
    pending: set[Any] = set()
    iterator = iter(tasks)
    exhausted = False
    try:
        while True:
            while not exhausted and len(pending) < in_flight:
                try:
                    pending.add(submit(next(iterator)))
                except StopIteration:
                    exhausted = True
            if not pending:
                return
            finished, pending = done_of(pending)
            for future in finished:
                yield future.result()
    finally:
        for future in pending:  # interrupted: do not start what is still queued
            future.cancel()


_POOL: Any = None


def _shared_pool(jobs: int) -> Any:
    """A loky pool of ``jobs`` workers kept for later runs (not joblib's global one)."""
    global _POOL
    from joblib.externals.loky import ProcessPoolExecutor

    if _POOL is not None:
        flags = _POOL._flags
        if _POOL._max_workers == jobs and not (flags.broken or flags.shutdown):
            return _POOL
        _POOL.shutdown(wait=False, kill_workers=True)
    _POOL = ProcessPoolExecutor(max_workers=jobs, initializer=pin_threads, env=dict(_THREAD_ENV))
    atexit.register(_POOL.shutdown, wait=False, kill_workers=True)
    return _POOL


#: Seconds of work a message to a worker carries at most when tasks are fast (more units are
#: sent together while each takes less).
CHUNK_SECONDS = 0.05
#: Units (tasks or groups) per message at most.
MAX_CHUNK = 32


class _Chunks:
    """Take units from an iterator a chunk at a time, sized to :data:`CHUNK_SECONDS` of work
    from the seconds per unit measured so far (one unit until something was measured)."""

    def __init__(self, units: Iterable[Any]) -> None:
        self._units = iter(units)
        self._seconds = 0.0
        self._count = 0

    def measured(self, n_units: int, seconds: float) -> None:
        self._count += n_units
        self._seconds += seconds

    def size(self) -> int:
        if not self._count:
            return 1
        per_unit = self._seconds / self._count
        return max(1, min(MAX_CHUNK, int(CHUNK_SECONDS / per_unit) if per_unit > 0 else MAX_CHUNK))

    def __iter__(self) -> Iterator[list[Any]]:
        while True:
            chunk = []
            for unit in self._units:
                chunk.append(unit)
                if len(chunk) >= self.size():
                    break
            if not chunk:
                return
            yield chunk


class LokyExecutor:
    """Local worker processes through joblib's loky (robust to worker crashes).

    One pool of ``jobs`` processes is kept across runs. A run writes its context to a
    temporary file once; each worker loads it on its first task of the run and keeps it, so
    the dataset is not sent with every task. Fast tasks travel several per message
    (about :data:`CHUNK_SECONDS` of work), at most ``2 * jobs`` messages in flight.

    Parameters
    ----------
    jobs : int
        Number of worker processes.
    """

    def __init__(self, jobs: int) -> None:
        if jobs < 1:
            raise InputError(f"--jobs must be at least 1, not {jobs}")
        self.jobs = jobs

    def run(self, context: TaskContext, tasks: Iterable[Task]) -> Iterator[list[dict[str, Any]]]:
        try:
            from joblib.externals import cloudpickle  # joblib < 1.5 vendors it
        except ImportError:
            import cloudpickle  # loky's own dependency

        def done_of(pending: set[Any]) -> tuple[set[Any], set[Any]]:
            return wait(pending, return_when=FIRST_COMPLETED)  # type: ignore[return-value]

        pool = _shared_pool(self.jobs)
        token = uuid.uuid4().hex
        handle, path = tempfile.mkstemp(prefix="lossatlas-context-", suffix=".pkl")
        try:
            with os.fdopen(handle, "wb") as file:
                cloudpickle.dump(context, file)
            chunks = _Chunks(tasks)
            sizes: dict[Any, int] = {}

            def submit(chunk: list[Any]) -> Any:
                future = pool.submit(_run_shipped, token, path, chunk)
                sizes[future] = len(chunk)
                return future

            def finished(pending: set[Any]) -> tuple[set[Any], set[Any]]:
                done, rest = done_of(pending)
                for future in done:
                    n_units = sizes.pop(future)
                    if not future.cancelled() and future.exception() is None:
                        chunks.measured(n_units, future.result()[1])
                return done, rest

            for results, _seconds in _bounded(submit, chunks, 2 * self.jobs, finished):
                yield results
        finally:
            os.unlink(path)


def _run_on_dask(context: TaskContext, task: Task) -> dict[str, Any]:
    pin_threads()
    return run_task(context, task)


class DaskExecutor:
    """Tasks on a dask.distributed cluster (the ``dask`` extra).

    Parameters
    ----------
    scheduler : str or distributed.Client
        Scheduler address such as ``tcp://host:8786``, or a connected client.
    in_flight : int, optional
        Tasks submitted ahead (default: twice the cluster's threads).
    timeout : float, default 10
        Seconds to wait for the scheduler before giving up with a clear error.
    """

    def __init__(
        self, scheduler: Any, *, in_flight: int | None = None, timeout: float = 10.0
    ) -> None:
        self.scheduler = scheduler
        self.in_flight = in_flight
        self.timeout = timeout

    def run(self, context: TaskContext, tasks: Iterable[Task]) -> Iterator[dict[str, Any]]:
        distributed = require("distributed", "dask", purpose="--scheduler")
        client, own = connect_dask(self.scheduler, timeout=self.timeout)
        try:
            threads = sum(client.nthreads().values()) or 1
            shared = client.scatter(context, broadcast=True)
            completed = distributed.as_completed()

            def submit(task: Task) -> Any:
                future = client.submit(_run_on_dask, shared, task, pure=False)
                completed.add(future)
                return future

            def done_of(pending: set[Any]) -> tuple[set[Any], set[Any]]:
                first = next(completed)
                return {first}, pending - {first}

            yield from _bounded(submit, tasks, self.in_flight or 2 * threads, done_of)
        finally:
            if own:
                client.close()


def connect_dask(scheduler: Any, *, timeout: float = 10.0) -> tuple[Any, bool]:
    """``(client, owned)``: a connected dask.distributed client for ``scheduler`` (an address,
    or a client returned as is with ``owned`` False); a clear error when it cannot be reached.

    Parameters
    ----------
    scheduler : str or distributed.Client
        A scheduler address (``tcp://host:port``) or a connected client.
    timeout : float, default 10.0
        Seconds to wait for the scheduler.

    Returns
    -------
    client : distributed.Client
    owned : bool
        True when this function made the client (the caller closes it).
    """
    distributed = require("distributed", "dask", purpose="--scheduler")
    if isinstance(scheduler, distributed.Client):
        return scheduler, False
    try:
        return distributed.Client(scheduler, timeout=f"{timeout}s"), True
    except (OSError, TimeoutError) as exc:
        raise InputError(f"cannot reach the dask scheduler {scheduler!r}: {exc}") from None


def make_executor(*, jobs: int = 1, scheduler: Any = None) -> Executor:
    """Serial for ``jobs == 1``, loky processes for ``jobs > 1`` (``-1``: one per core), dask
    for a ``scheduler``.

    Parameters
    ----------
    jobs : int, default 1
        Worker processes; ``-1`` (or 0) for one per core.
    scheduler : str or distributed.Client, optional
        A dask.distributed scheduler address (``tcp://host:port``) or client; overrides ``jobs``.

    Returns
    -------
    Executor
        :class:`SerialExecutor`, :class:`LokyExecutor` or :class:`DaskExecutor`.
    """
    if scheduler is not None:
        return DaskExecutor(scheduler)
    if jobs <= 0:  # -1 (or 0): one worker per core
        jobs = os.cpu_count() or 1
    if jobs == 1:
        return SerialExecutor()
    return LokyExecutor(jobs)
