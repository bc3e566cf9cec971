"""lossatlas: map and explain the loss landscapes of machine-learning models."""

from __future__ import annotations

from lossatlas.errors import InputError, LossAtlasError, MissingDependencyError

__version__ = "0.1.0"

__all__ = ["InputError", "LossAtlasError", "MissingDependencyError", "__version__"]
