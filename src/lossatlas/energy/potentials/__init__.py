"""Potentials: loss functions seen as energy landscapes, with their derivatives.

See :class:`Potential` for the protocol and :func:`make_potential` for the built-ins by name
(:func:`potential_spec` and :func:`potential_from_spec` rebuild one from its JSON spec, as a
database stores it). :class:`TorchPotential` wraps any torch module; torch itself is imported
only when one is made (extra ``torch``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lossatlas.energy.potentials._analytic import DoubleWell, MullerBrown
from lossatlas.energy.potentials._auc import MLPAppAUC
from lossatlas.energy.potentials._base import BasePotential, CallablePotential, Potential
from lossatlas.energy.potentials._mlp import MLPCrossEntropy, TanhNetworkPotential
from lossatlas.energy.potentials._registry import (
    available_potentials,
    make_potential,
    potential_from_spec,
    potential_spec,
)
from lossatlas.energy.potentials._torch_module import TorchPotential

if TYPE_CHECKING:
    from lossatlas.energy.potentials._gp import GaussianProcessNLL, matern_correlation

__all__ = [
    "BasePotential",
    "CallablePotential",
    "DoubleWell",
    "GaussianProcessNLL",
    "MLPAppAUC",
    "MLPCrossEntropy",
    "MullerBrown",
    "Potential",
    "TanhNetworkPotential",
    "TorchPotential",
    "available_potentials",
    "make_potential",
    "matern_correlation",
    "potential_from_spec",
    "potential_spec",
]


def __getattr__(name: str) -> Any:
    """The Gaussian-process names, imported on first use (scipy.linalg and scipy.special)."""
    if name in ("GaussianProcessNLL", "matern_correlation"):
        import importlib

        return getattr(importlib.import_module("lossatlas.energy.potentials._gp"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
