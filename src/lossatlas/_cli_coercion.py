"""Plain-Python coercion of simple command-line values, before typer's Pydantic adapters.

Typer (>= 0.20) coerces every parameter through a Pydantic ``TypeAdapter``: importing pydantic
and building one adapter per parameter is ~0.25 s of every command's start-up. Values that are
already of the parameter's type, and canonical spellings of integers and decimals (``"20"``,
``"-3"``, ``"0.01"``, ``"1e-3"``), convert here exactly as Pydantic converts them; anything
else (other spellings, errors, ranges, choices, paths, files, custom parsers) goes to typer's
own adapter, so its results and its error messages are unchanged.

:func:`install` patches typer's ``build_runtime_param`` once (a no-op on typer versions
without it).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

__all__ = ["install", "quick_coercer"]

_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\Z")
#: Returned by a coercer that leaves the value to typer's adapter.
MISS: Any = object()


def _as_str(value: Any) -> Any:
    return value if type(value) is str else MISS


def _as_int(value: Any) -> Any:
    if type(value) is int:
        return value
    if type(value) is str and _INT.match(value):
        return int(value)
    return MISS


def _as_float(value: Any) -> Any:
    if type(value) is float:
        return value
    if type(value) is str and _FLOAT.match(value):
        number = float(value)
        return number if math.isfinite(number) else MISS
    return MISS


def _as_bool(value: Any) -> Any:
    return value if type(value) is bool else MISS


def _as_path(value: Any) -> Any:
    if isinstance(value, Path):
        return value
    return Path(value) if type(value) is str and value else MISS


_LEAVES: dict[Any, Callable[[Any], Any]] = {
    str: _as_str,
    int: _as_int,
    float: _as_float,
    bool: _as_bool,
}


def quick_coercer(annotation: Any) -> Callable[[Any], Any] | None:
    """The plain coercer of ``annotation`` (``str``, ``int``, ``float``, ``bool``, a ``list``
    or an optional (``X | None``) of one of them, or ``Path``), or ``None`` when only typer's
    adapter can coerce it.

    Parameters
    ----------
    annotation : type

    Returns
    -------
    callable or None
        ``coerce(value)``, which returns :data:`MISS` for a value it leaves to the adapter.
    """
    leaf = _LEAVES.get(annotation)
    if leaf is not None:
        return leaf
    if annotation is Path:
        return _as_path
    if get_origin(annotation) in (Union, UnionType):
        args = get_args(annotation)
        inner_leaf = [a for a in args if a is not type(None)]
        if len(args) == 2 and len(inner_leaf) == 1 and inner_leaf[0] in _LEAVES:
            some = _LEAVES[inner_leaf[0]]

            def coerce_optional(value: Any) -> Any:
                return None if value is None else some(value)

            return coerce_optional
        return None
    if get_origin(annotation) is list:
        (item,) = get_args(annotation) or (None,)
        inner = _LEAVES.get(item)
        if inner is None:
            return None

        def coerce_list(value: Any) -> Any:
            if not isinstance(value, list | tuple):
                return MISS
            items = [inner(v) for v in value]
            return MISS if any(i is MISS for i in items) else items

        return coerce_list
    return None


#: A path option's settings under which typer's adapter only turns the text into a Path.
_PLAIN_PATH = dict(
    exists=False,
    file_okay=True,
    dir_okay=True,
    writable=False,
    readable=True,
    resolve_path=False,
    allow_dash=False,
    path_type=None,
)


def _plain(descriptor: Any) -> bool:
    """Whether the parameter has no constraint the adapter would check."""
    from typer._param_types import routes_to_path

    info = descriptor.parameter_info
    plain = (
        descriptor.file_annotation is None
        and getattr(info, "parser", None) is None
        and getattr(info, "click_type", None) is None
        and getattr(info, "min", None) is None
        and getattr(info, "max", None) is None
    )
    if descriptor.annotation is Path:
        return plain and all(getattr(info, k, v) == v for k, v in _PLAIN_PATH.items())
    return plain and not routes_to_path(descriptor.annotation, info)


def install() -> None:
    """Route typer's coercion of plain parameters through :func:`quick_coercer`."""
    try:
        from typer import _coercion, core
    except ImportError:  # pragma: no cover - a typer without the adapter layer
        return
    original = getattr(core, "build_runtime_param", None)
    if original is None or getattr(original, "_lossatlas", False):
        return

    @dataclass(frozen=True)
    class QuickRuntimeParam(_coercion.RuntimeParam):  # type: ignore[misc,name-defined]
        """Coerce by :func:`quick_coercer`, else by typer's adapter (built on first need)."""

        quick: Callable[[Any], Any] = _as_str
        descriptor: Any = None

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            out = self.quick(value)
            if out is MISS:
                return original(self.descriptor)._coerce_value(value, param=param, ctx=ctx)
            return out

    def build_runtime_param(descriptor: Any) -> Any:
        quick = quick_coercer(descriptor.annotation)
        if quick is None or not _plain(descriptor):
            return original(descriptor)
        return QuickRuntimeParam(
            parameter_info=descriptor.parameter_info,
            annotation=descriptor.annotation,
            quick=quick,
            descriptor=descriptor,
        )

    build_runtime_param._lossatlas = True  # type: ignore[attr-defined]
    core.build_runtime_param = build_runtime_param  # type: ignore[attr-defined]
