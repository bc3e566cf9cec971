"""The shared thread-pool limits of :mod:`lossatlas._threads`."""

from __future__ import annotations

import sys

import pytest

from lossatlas import _threads
from lossatlas._threads import limit_blas, limit_threads

threadpoolctl = pytest.importorskip("threadpoolctl")


def _blas_threads() -> list[int]:
    return [p["num_threads"] for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]


def test_limit_blas_sets_and_restores_the_blas_pools():
    import numpy  # noqa: F401  (loads a BLAS)

    before = _blas_threads()
    assert before, "numpy should load a BLAS that threadpoolctl sees"
    with limit_blas(1):
        assert _blas_threads() == [1] * len(before)
        with limit_threads(1, user_api="blas"):  # nested limits restore the outer one
            assert _blas_threads() == [1] * len(before)
        assert _blas_threads() == [1] * len(before)
    assert _blas_threads() == before


def test_none_leaves_the_pools_alone():
    before = _blas_threads()
    with limit_blas(None):
        assert _blas_threads() == before
    with limit_threads(None):
        assert _blas_threads() == before


def test_controller_is_reused_until_a_module_is_imported(monkeypatch):
    first = _threads._controller()
    assert _threads._controller() is first
    monkeypatch.setitem(sys.modules, "lossatlas_fake_module_for_test", object())
    assert _threads._controller() is not first
