"""Energy landscapes of machine-learning losses: potentials, minimisation and exploration.

A loss is treated as a potential energy surface over the model's parameters (network weights,
Gaussian-process hyperparameters), explored with the tools of chemical physics (Wales,
*Energy Landscapes*, CUP 2003).
"""

from __future__ import annotations

from lossatlas.energy._data import EnergyDataset, available_energy_datasets, load_energy_dataset
from lossatlas.energy._minimize import MinimizeResult, minimize, rms_gradient
from lossatlas.energy.potentials import (
    BasePotential,
    CallablePotential,
    DoubleWell,
    GaussianProcessNLL,
    MLPAppAUC,
    MLPCrossEntropy,
    MullerBrown,
    Potential,
    TorchPotential,
    available_potentials,
    make_potential,
    potential_from_spec,
    potential_spec,
)

__all__ = [
    "BasePotential",
    "CallablePotential",
    "DoubleWell",
    "EnergyDataset",
    "GaussianProcessNLL",
    "MLPAppAUC",
    "MLPCrossEntropy",
    "MinimizeResult",
    "MullerBrown",
    "Potential",
    "TorchPotential",
    "available_energy_datasets",
    "available_potentials",
    "load_energy_dataset",
    "make_potential",
    "minimize",
    "potential_from_spec",
    "potential_spec",
    "rms_gradient",
]
