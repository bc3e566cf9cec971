"""Lazy public names of a package (PEP 562): imported from their module on first access.

``lossatlas``, ``lossatlas.analysis`` and ``lossatlas.energy`` list every public name with the
private module that defines it; ``import lossatlas.energy`` then costs nothing until a name is
used, and a name once imported is kept in the package (later look-ups skip the hook).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, names: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package whose public names load lazily.

    Parameters
    ----------
    package : str
        The package's ``__name__`` (for the error message).
    names : mapping of str to str
        Public name -> module defining it.
    namespace : dict
        The package's ``globals()``: an imported name is stored there.

    Returns
    -------
    (__getattr__, __dir__)
    """

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module), name)
        namespace[name] = value  # later look-ups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(namespace.get("__all__", ())))

    return __getattr__, __dir__
