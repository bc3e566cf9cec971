"""Potentials: loss functions seen as energy landscapes, with their derivatives.

See :class:`~lossatlas.energy.potentials._base.Potential` for the protocol and
:func:`~lossatlas.energy.potentials._registry.make_potential` for the built-ins by name.
:class:`~lossatlas.energy.potentials._torch_module.TorchPotential` (needs torch) is imported from
its module.
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
