"""Limit the thread pools of native libraries (BLAS, OpenMP) for a block of code.

Small dense products, diagonalisations and L-BFGS steps make many tiny BLAS calls; a
multi-threaded OpenBLAS spends far longer waking its threads than computing (40x slower
measured on a 2-core machine), and worker processes that each run N threads oversubscribe the
cores. Limits go through ``threadpoolctl`` (a scikit-learn dependency); without it every
context here is a no-op.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Any

__all__ = ["limit_blas", "limit_threads"]

# (number of imported modules when built, controller); building a controller scans the loaded
# shared libraries (~1 ms), a limit on a built one costs ~15 us and minimize takes one per quench.
_CONTROLLER: tuple[int, Any] | None = None


def _controller() -> Any:
    """A ``ThreadpoolController``, rebuilt whenever a module was imported since the last one
    (a new import may have loaded a new native library); None without threadpoolctl."""
    global _CONTROLLER
    n_modules = len(sys.modules)
    if _CONTROLLER is not None and _CONTROLLER[0] == n_modules:
        return _CONTROLLER[1]
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return None
    controller = ThreadpoolController()
    _CONTROLLER = (len(sys.modules), controller)
    return controller


def limit_threads(
    threads: int | None = 1, *, user_api: str | None = None
) -> contextlib.AbstractContextManager[Any]:
    """Limit the thread pools of ``user_api`` (``"blas"``, ``"openmp"`` or None for all) to
    ``threads`` threads.

    The limit applies at once and is undone when the returned context exits; ``threads=None``
    or a missing threadpoolctl gives a no-op context.
    """
    if threads is None:
        return contextlib.nullcontext()
    controller = _controller()
    if controller is None:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return controller.limit(limits=int(threads), user_api=user_api)


def limit_blas(threads: int | None = 1) -> contextlib.AbstractContextManager[Any]:
    """Limit the BLAS thread pools to ``threads`` threads (None: leave them alone)."""
    return limit_threads(threads, user_api="blas")
