"""Errors raised by lossatlas.

Every error a user can cause is a :class:`LossAtlasError`; its message names the file, column
and value at fault. The CLI prints the message on one line and exits non-zero.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = [
    "LossAtlasError",
    "InputError",
    "SpaceError",
    "MissingDependencyError",
    "require",
]


class LossAtlasError(Exception):
    """Base class of every error lossatlas raises on purpose."""


class InputError(LossAtlasError, ValueError):
    """A table, file or argument handed in by the user is not valid."""


class SpaceError(InputError):
    """A search space or a configuration does not fit its search space."""


class MissingDependencyError(LossAtlasError, ImportError):
    """An optional dependency (an *extra*) is not installed."""


def require(module: str, extra: str, *, purpose: str | None = None) -> ModuleType:
    """Import an optional dependency or say which extra installs it.

    Parameters
    ----------
    module : str
        Importable module name, e.g. ``"umap"``.
    extra : str
        The lossatlas extra that provides it, e.g. ``"viz"``.
    purpose : str, optional
        What needs it, for the message.

    Returns
    -------
    module : ModuleType
        The imported module.

    Raises
    ------
    MissingDependencyError
        When the module cannot be imported.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        what = f" for {purpose}" if purpose else ""
        raise MissingDependencyError(
            f"{module!r} is needed{what} but is not installed: pip install 'lossatlas[{extra}]'"
        ) from exc
