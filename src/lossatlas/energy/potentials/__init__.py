"""Potentials: loss functions seen as energy landscapes, with their derivatives.

See :class:`Potential` for the protocol and :func:`make_potential` for the built-ins by name
(:func:`potential_spec` and :func:`potential_from_spec` rebuild one from its JSON spec, as a
database stores it). :class:`TorchPotential` wraps any torch module; torch itself is imported
only when one is made (extra ``torch``).
"""

from __future__ import annotations

from lossatlas.energy.potentials._analytic import DoubleWell, MullerBrown
from lossatlas.energy.potentials._auc import MLPAppAUC
from lossatlas.energy.potentials._base import BasePotential, CallablePotential, Potential
from lossatlas.energy.potentials._gp import GaussianProcessNLL, matern_correlation
from lossatlas.energy.potentials._mlp import MLPCrossEntropy, TanhNetworkPotential
from lossatlas.energy.potentials._registry import (
    available_potentials,
    make_potential,
    potential_from_spec,
    potential_spec,
)
from lossatlas.energy.potentials._torch_module import TorchPotential

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
