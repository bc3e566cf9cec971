"""Executors: run tasks serially, in local processes (loky) or on a dask.distributed cluster.

Each executor yields task results as they finish (in any order) and keeps a bounded number of
tasks in flight, so the parent can write every result to the journal at once and a killed run
loses at most the tasks in flight. Local worker processes are kept warm between runs and get the
shared :class:`TaskContext` with each task when its dataset is small (up to
:data:`SHARE_LIMIT_BYTES`), or once per worker of a pool made for the run otherwise; on dask the
context is scattered (broadcast) once. Workers pin the inner threads of BLAS/OpenMP, XGBoost,
LightGBM and torch to one, so N workers do not oversubscribe N cores.
"""

from __future__ import annotations

import atexit
import os
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


_WORKER_CONTEXT: TaskContext | None = None


def _init_worker(context: TaskContext) -> None:
    global _WORKER_CONTEXT
    pin_threads()
    _WORKER_CONTEXT = context


def _run_in_worker(task: Task) -> dict[str, Any]:
    assert _WORKER_CONTEXT is not None, "worker not initialised"
    return run_task(_WORKER_CONTEXT, task)


def _bounded(submit: Any, tasks: Iterable[Task], in_flight: int, done_of: Any) -> Iterator[Any]:
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


#: Datasets up to this size travel with every task to a process pool kept between runs;
#: larger ones go once to each worker of a pool made for the run.
SHARE_LIMIT_BYTES = 8 * 2**20


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


class LokyExecutor:
    """Local worker processes through joblib's loky (robust to worker crashes).

    Parameters
    ----------
    jobs : int
        Number of worker processes.
    """

    def __init__(self, jobs: int) -> None:
        if jobs < 1:
            raise InputError(f"--jobs must be at least 1, not {jobs}")
        self.jobs = jobs

    def run(self, context: TaskContext, tasks: Iterable[Task]) -> Iterator[dict[str, Any]]:
        from joblib.externals.loky import ProcessPoolExecutor

        def done_of(pending: set[Any]) -> tuple[set[Any], set[Any]]:
            return wait(pending, return_when=FIRST_COMPLETED)  # type: ignore[return-value]

        if context.dataset.X.nbytes + context.dataset.y.nbytes <= SHARE_LIMIT_BYTES:
            # a warm pool survives between runs; the small context rides along with each task
            pool = _shared_pool(self.jobs)
            yield from _bounded(
                lambda task: pool.submit(run_task, context, task), tasks, 2 * self.jobs, done_of
            )
            return
        pool = ProcessPoolExecutor(
            max_workers=self.jobs,
            initializer=_init_worker,
            initargs=(context,),
            env=dict(_THREAD_ENV),
        )
        try:
            yield from _bounded(
                lambda task: pool.submit(_run_in_worker, task), tasks, 2 * self.jobs, done_of
            )
        finally:
            pool.shutdown(wait=True, kill_workers=True)


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
