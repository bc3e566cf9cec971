"""Energy landscapes of machine-learning losses: potentials, exploration and what they say.

A loss is treated as a potential energy surface over the model's parameters (network weights,
Gaussian-process hyperparameters), explored with the tools of chemical physics (Wales,
*Energy Landscapes*, CUP 2003): basin-hopping into a database of minima, DNEB and
eigenvector-following for the transition states between them, disconnectivity graphs, the heat
capacity C(T), monotonic sequence basins, catastrophes, ensembles of minima, feature relevance
and the PATHSAMPLE export. Figures are computed as plot data and drawn by the ``plot_*``
renderers (matplotlib, imported only when drawing).

This package imports nothing from :mod:`lossatlas.analysis`, :mod:`lossatlas.evaluate` or
:mod:`lossatlas.viz`.

Examples
--------
>>> import tempfile, pathlib
>>> from lossatlas.energy import Database, MullerBrown, basin_hopping, tree_from_database
>>> with Database(pathlib.Path(tempfile.mkdtemp()) / "mb.sqlite") as db:
...     _ = basin_hopping(MullerBrown(), db, steps=30, step_size=0.6, temperature=20.0, seed=0)
...     print(db.n_minima(), len(tree_from_database(db).leaf_of))
3 3
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lossatlas._lazy import lazy_exports

if TYPE_CHECKING:
    from lossatlas.energy._basinhopping import BasinHoppingResult, basin_hopping, refine_minimum
    from lossatlas.energy._batch import (
        batch_energies,
        heldout_potential,
    )
    from lossatlas.energy._catastrophe import find_stationary_points, sweep_nu, sweep_parameter
    from lossatlas.energy._connect import (
        ConnectResult,
        connect_lowest,
        connect_minima,
        transition_state_path,
    )
    from lossatlas.energy._connect_strategies import (
        CONNECT_STRATEGIES,
        connect_with_strategy,
        read_pairs,
    )
    from lossatlas.energy._data import EnergyDataset, available_energy_datasets, load_energy_dataset
    from lossatlas.energy._database import Database, DatabaseError, potential_db_options
    from lossatlas.energy._dbfile import APPLICATION_ID, ENERGY_DB_SUFFIXES, SCHEMA_VERSION
    from lossatlas.energy._density import (
        SpectralDensity,
        broadened_density,
        spectral_density,
    )
    from lossatlas.energy._disconnectivity import (
        DisconnectivityTree,
        TreeNode,
        disconnectivity_plot_data,
        disconnectivity_tree,
        tree_from_database,
    )
    from lossatlas.energy._distributed import connect_scheduler, distributed_basin_hopping
    from lossatlas.energy._eigenfollow import (
        SaddleResult,
        count_negative,
        hybrid_eigenvector_following,
        lowest_eigenvector,
    )
    from lossatlas.energy._ensembles import (
        EnsembleReport,
        ensemble_from_database,
        ensemble_of_minima,
        specialisation_plot_data,
    )
    from lossatlas.energy._free_energy import (
        FreeEnergyNetwork,
        free_energy_network,
        free_energy_tree,
    )
    from lossatlas.energy._harmonic import hessian_summary
    from lossatlas.energy._hvp import (
        dense_hessian,
        hessian_operator,
    )
    from lossatlas.energy._interpolation import (
        InterpolationProfile,
        align_chain,
        line_and_path,
        line_and_path_from_database,
    )
    from lossatlas.energy._losscompare import (
        LossComparison,
        LossLandscapeStats,
        compare_losses,
        landscape_statistics,
    )
    from lossatlas.energy._minimize import MinimizeResult, minimize, rms_gradient
    from lossatlas.energy._msb import (
        MonotonicSequenceBasins,
        monotonic_sequence_basins,
        msb_colour_map,
        msb_from_database,
        msb_plot_data,
    )
    from lossatlas.energy._neb import (
        BandResult,
        band_gradient,
        doubly_nudged_elastic_band,
        initial_band,
    )
    from lossatlas.energy._optimal_nu import OptimalNu, optimal_nu
    from lossatlas.energy._options import BasinHoppingOptions, ConnectOptions, DNEBOptions
    from lossatlas.energy._parallel import parallel_basin_hopping
    from lossatlas.energy._pathsample import write_pathsample
    from lossatlas.energy._plotdata import (
        DisconnectivityPlotData,
        HeatCapacityPlotData,
        SpecialisationPlotData,
        StationaryBranch,
        StationaryPointsPlotData,
    )
    from lossatlas.energy._plots import (
        plot_disconnectivity,
        plot_heat_capacity,
        plot_msb_disconnectivity,
        plot_specialisation,
        plot_stationary_points,
    )
    from lossatlas.energy._rates import (
        RateResult,
        harmonic_rate_constants,
        ngt_rates,
        rates_from_database,
    )
    from lossatlas.energy._records import Minimum, TransitionState
    from lossatlas.energy._relevance import (
        FeatureRelevance,
        align_hidden_units,
        feature_relevance,
        relevance_from_database,
    )
    from lossatlas.energy._report import (
        energy_sections,
        is_energy_database,
        minima_test_accuracy,
        write_energy_report,
    )
    from lossatlas.energy._slice_topology import (
        GridMinimum,
        GridSaddle,
        SliceMergeTree,
        slice_merge_tree,
        to_disconnectivity,
    )
    from lossatlas.energy._slices import (
        LossSlice,
        ParameterGroup,
        hessian_directions,
        loss_slice,
        normalise_direction,
        parameter_groups,
        random_directions,
    )
    from lossatlas.energy._spectrum import (
        HessianSpectrum,
        MinimumSpectrum,
        TraceEstimate,
        extreme_eigenvalues,
        hessian_spectrum,
        hutchinson_trace,
        spectra_from_database,
    )
    from lossatlas.energy._stationary import (
        Fold,
        ParameterSweep,
        StationaryPoint,
        stationary_points_plot_data,
    )
    from lossatlas.energy._thermo import (
        HeatCapacity,
        HeatCapacityPeak,
        default_temperatures,
        heat_capacity,
        heat_capacity_from_database,
        heat_capacity_plot_data,
        occupation_probabilities,
    )
    from lossatlas.energy._torch_inputs import (
        torch_potential_from_files,
    )
    from lossatlas.energy._transition import (
        SaddleConnection,
        TransitionStateSearch,
        align_to,
        find_transition_states,
        orbit_distance,
        push_off,
    )
    from lossatlas.energy._views_plots import (
        plot_line_vs_path,
        plot_slice,
        plot_slice_contour,
        plot_slice_merge_tree,
        plot_slice_surface,
        plot_spectral_density,
    )
    from lossatlas.energy._views_report import (
        view_section_builders,
    )
    from lossatlas.energy.potentials import (
        BasePotential,
        CallablePotential,
        DoubleWell,
        GaussianProcessNLL,
        MLPAppAUC,
        MLPCrossEntropy,
        MullerBrown,
        Potential,
        TanhNetworkPotential,
        TorchPotential,
        available_potentials,
        make_potential,
        matern_correlation,
        potential_from_spec,
        potential_spec,
    )

# Public name -> the module that defines it; imported on first access (PEP 562), so that
# ``import lossatlas.energy`` (which every ``lossatlas energy`` command pays) stays cheap.
_LAZY: dict[str, str] = {
    "BasinHoppingResult": "lossatlas.energy._basinhopping",
    "basin_hopping": "lossatlas.energy._basinhopping",
    "refine_minimum": "lossatlas.energy._basinhopping",
    "batch_energies": "lossatlas.energy._batch",
    "heldout_potential": "lossatlas.energy._batch",
    "find_stationary_points": "lossatlas.energy._catastrophe",
    "sweep_nu": "lossatlas.energy._catastrophe",
    "sweep_parameter": "lossatlas.energy._catastrophe",
    "ConnectResult": "lossatlas.energy._connect",
    "connect_lowest": "lossatlas.energy._connect",
    "connect_minima": "lossatlas.energy._connect",
    "transition_state_path": "lossatlas.energy._connect",
    "CONNECT_STRATEGIES": "lossatlas.energy._connect_strategies",
    "connect_with_strategy": "lossatlas.energy._connect_strategies",
    "read_pairs": "lossatlas.energy._connect_strategies",
    "EnergyDataset": "lossatlas.energy._data",
    "available_energy_datasets": "lossatlas.energy._data",
    "load_energy_dataset": "lossatlas.energy._data",
    "Database": "lossatlas.energy._database",
    "DatabaseError": "lossatlas.energy._database",
    "potential_db_options": "lossatlas.energy._database",
    "APPLICATION_ID": "lossatlas.energy._dbfile",
    "ENERGY_DB_SUFFIXES": "lossatlas.energy._dbfile",
    "SCHEMA_VERSION": "lossatlas.energy._dbfile",
    "SpectralDensity": "lossatlas.energy._density",
    "broadened_density": "lossatlas.energy._density",
    "spectral_density": "lossatlas.energy._density",
    "DisconnectivityTree": "lossatlas.energy._disconnectivity",
    "TreeNode": "lossatlas.energy._disconnectivity",
    "disconnectivity_plot_data": "lossatlas.energy._disconnectivity",
    "disconnectivity_tree": "lossatlas.energy._disconnectivity",
    "tree_from_database": "lossatlas.energy._disconnectivity",
    "SaddleResult": "lossatlas.energy._eigenfollow",
    "count_negative": "lossatlas.energy._eigenfollow",
    "hybrid_eigenvector_following": "lossatlas.energy._eigenfollow",
    "lowest_eigenvector": "lossatlas.energy._eigenfollow",
    "EnsembleReport": "lossatlas.energy._ensembles",
    "ensemble_from_database": "lossatlas.energy._ensembles",
    "ensemble_of_minima": "lossatlas.energy._ensembles",
    "specialisation_plot_data": "lossatlas.energy._ensembles",
    "FreeEnergyNetwork": "lossatlas.energy._free_energy",
    "free_energy_network": "lossatlas.energy._free_energy",
    "free_energy_tree": "lossatlas.energy._free_energy",
    "hessian_summary": "lossatlas.energy._harmonic",
    "dense_hessian": "lossatlas.energy._hvp",
    "hessian_operator": "lossatlas.energy._hvp",
    "InterpolationProfile": "lossatlas.energy._interpolation",
    "align_chain": "lossatlas.energy._interpolation",
    "line_and_path": "lossatlas.energy._interpolation",
    "line_and_path_from_database": "lossatlas.energy._interpolation",
    "LossComparison": "lossatlas.energy._losscompare",
    "LossLandscapeStats": "lossatlas.energy._losscompare",
    "compare_losses": "lossatlas.energy._losscompare",
    "landscape_statistics": "lossatlas.energy._losscompare",
    "MinimizeResult": "lossatlas.energy._minimize",
    "minimize": "lossatlas.energy._minimize",
    "rms_gradient": "lossatlas.energy._minimize",
    "MonotonicSequenceBasins": "lossatlas.energy._msb",
    "monotonic_sequence_basins": "lossatlas.energy._msb",
    "msb_colour_map": "lossatlas.energy._msb",
    "msb_from_database": "lossatlas.energy._msb",
    "msb_plot_data": "lossatlas.energy._msb",
    "BandResult": "lossatlas.energy._neb",
    "band_gradient": "lossatlas.energy._neb",
    "doubly_nudged_elastic_band": "lossatlas.energy._neb",
    "initial_band": "lossatlas.energy._neb",
    "OptimalNu": "lossatlas.energy._optimal_nu",
    "optimal_nu": "lossatlas.energy._optimal_nu",
    "BasinHoppingOptions": "lossatlas.energy._options",
    "ConnectOptions": "lossatlas.energy._options",
    "DNEBOptions": "lossatlas.energy._options",
    "parallel_basin_hopping": "lossatlas.energy._parallel",
    "connect_scheduler": "lossatlas.energy._distributed",
    "distributed_basin_hopping": "lossatlas.energy._distributed",
    "write_pathsample": "lossatlas.energy._pathsample",
    "DisconnectivityPlotData": "lossatlas.energy._plotdata",
    "HeatCapacityPlotData": "lossatlas.energy._plotdata",
    "SpecialisationPlotData": "lossatlas.energy._plotdata",
    "StationaryBranch": "lossatlas.energy._plotdata",
    "StationaryPointsPlotData": "lossatlas.energy._plotdata",
    "plot_disconnectivity": "lossatlas.energy._plots",
    "plot_heat_capacity": "lossatlas.energy._plots",
    "plot_msb_disconnectivity": "lossatlas.energy._plots",
    "plot_specialisation": "lossatlas.energy._plots",
    "plot_stationary_points": "lossatlas.energy._plots",
    "RateResult": "lossatlas.energy._rates",
    "harmonic_rate_constants": "lossatlas.energy._rates",
    "ngt_rates": "lossatlas.energy._rates",
    "rates_from_database": "lossatlas.energy._rates",
    "Minimum": "lossatlas.energy._records",
    "TransitionState": "lossatlas.energy._records",
    "FeatureRelevance": "lossatlas.energy._relevance",
    "align_hidden_units": "lossatlas.energy._relevance",
    "feature_relevance": "lossatlas.energy._relevance",
    "relevance_from_database": "lossatlas.energy._relevance",
    "energy_sections": "lossatlas.energy._report",
    "is_energy_database": "lossatlas.energy._report",
    "minima_test_accuracy": "lossatlas.energy._report",
    "write_energy_report": "lossatlas.energy._report",
    "GridMinimum": "lossatlas.energy._slice_topology",
    "GridSaddle": "lossatlas.energy._slice_topology",
    "SliceMergeTree": "lossatlas.energy._slice_topology",
    "slice_merge_tree": "lossatlas.energy._slice_topology",
    "to_disconnectivity": "lossatlas.energy._slice_topology",
    "LossSlice": "lossatlas.energy._slices",
    "ParameterGroup": "lossatlas.energy._slices",
    "hessian_directions": "lossatlas.energy._slices",
    "loss_slice": "lossatlas.energy._slices",
    "normalise_direction": "lossatlas.energy._slices",
    "parameter_groups": "lossatlas.energy._slices",
    "random_directions": "lossatlas.energy._slices",
    "HessianSpectrum": "lossatlas.energy._spectrum",
    "MinimumSpectrum": "lossatlas.energy._spectrum",
    "TraceEstimate": "lossatlas.energy._spectrum",
    "extreme_eigenvalues": "lossatlas.energy._spectrum",
    "hessian_spectrum": "lossatlas.energy._spectrum",
    "hutchinson_trace": "lossatlas.energy._spectrum",
    "spectra_from_database": "lossatlas.energy._spectrum",
    "Fold": "lossatlas.energy._stationary",
    "ParameterSweep": "lossatlas.energy._stationary",
    "StationaryPoint": "lossatlas.energy._stationary",
    "stationary_points_plot_data": "lossatlas.energy._stationary",
    "HeatCapacity": "lossatlas.energy._thermo",
    "HeatCapacityPeak": "lossatlas.energy._thermo",
    "default_temperatures": "lossatlas.energy._thermo",
    "heat_capacity": "lossatlas.energy._thermo",
    "heat_capacity_from_database": "lossatlas.energy._thermo",
    "heat_capacity_plot_data": "lossatlas.energy._thermo",
    "occupation_probabilities": "lossatlas.energy._thermo",
    "torch_potential_from_files": "lossatlas.energy._torch_inputs",
    "SaddleConnection": "lossatlas.energy._transition",
    "TransitionStateSearch": "lossatlas.energy._transition",
    "align_to": "lossatlas.energy._transition",
    "find_transition_states": "lossatlas.energy._transition",
    "orbit_distance": "lossatlas.energy._transition",
    "push_off": "lossatlas.energy._transition",
    "plot_line_vs_path": "lossatlas.energy._views_plots",
    "plot_slice": "lossatlas.energy._views_plots",
    "plot_slice_contour": "lossatlas.energy._views_plots",
    "plot_slice_merge_tree": "lossatlas.energy._views_plots",
    "plot_slice_surface": "lossatlas.energy._views_plots",
    "plot_spectral_density": "lossatlas.energy._views_plots",
    "view_section_builders": "lossatlas.energy._views_report",
    "BasePotential": "lossatlas.energy.potentials",
    "CallablePotential": "lossatlas.energy.potentials",
    "DoubleWell": "lossatlas.energy.potentials",
    "GaussianProcessNLL": "lossatlas.energy.potentials",
    "MLPAppAUC": "lossatlas.energy.potentials",
    "MLPCrossEntropy": "lossatlas.energy.potentials",
    "MullerBrown": "lossatlas.energy.potentials",
    "Potential": "lossatlas.energy.potentials",
    "TanhNetworkPotential": "lossatlas.energy.potentials",
    "TorchPotential": "lossatlas.energy.potentials",
    "available_potentials": "lossatlas.energy.potentials",
    "make_potential": "lossatlas.energy.potentials",
    "matern_correlation": "lossatlas.energy.potentials",
    "potential_from_spec": "lossatlas.energy.potentials",
    "potential_spec": "lossatlas.energy.potentials",
}

__all__ = [
    "batch_energies",
    "heldout_potential",
    "SpectralDensity",
    "broadened_density",
    "spectral_density",
    "dense_hessian",
    "hessian_operator",
    "InterpolationProfile",
    "align_chain",
    "line_and_path",
    "line_and_path_from_database",
    "GridMinimum",
    "GridSaddle",
    "SliceMergeTree",
    "slice_merge_tree",
    "to_disconnectivity",
    "LossSlice",
    "ParameterGroup",
    "hessian_directions",
    "loss_slice",
    "normalise_direction",
    "parameter_groups",
    "random_directions",
    "HessianSpectrum",
    "MinimumSpectrum",
    "TraceEstimate",
    "extreme_eigenvalues",
    "hessian_spectrum",
    "hutchinson_trace",
    "spectra_from_database",
    "torch_potential_from_files",
    "plot_line_vs_path",
    "plot_slice",
    "plot_slice_contour",
    "plot_slice_merge_tree",
    "plot_slice_surface",
    "plot_spectral_density",
    "view_section_builders",
    # potentials and data
    "BasePotential",
    "CallablePotential",
    "DoubleWell",
    "EnergyDataset",
    "GaussianProcessNLL",
    "MLPAppAUC",
    "MLPCrossEntropy",
    "MullerBrown",
    "Potential",
    "TanhNetworkPotential",
    "TorchPotential",
    "available_energy_datasets",
    "available_potentials",
    "load_energy_dataset",
    "make_potential",
    "matern_correlation",
    "potential_from_spec",
    "potential_spec",
    # minimisation and exploration
    "BasinHoppingOptions",
    "BasinHoppingResult",
    "MinimizeResult",
    "basin_hopping",
    "minimize",
    "parallel_basin_hopping",
    "connect_scheduler",
    "distributed_basin_hopping",
    "refine_minimum",
    "rms_gradient",
    # the database
    "APPLICATION_ID",
    "Database",
    "DatabaseError",
    "ENERGY_DB_SUFFIXES",
    "Minimum",
    "SCHEMA_VERSION",
    "TransitionState",
    "hessian_summary",
    "potential_db_options",
    "write_pathsample",
    # transition states
    "BandResult",
    "CONNECT_STRATEGIES",
    "ConnectOptions",
    "ConnectResult",
    "DNEBOptions",
    "SaddleConnection",
    "SaddleResult",
    "TransitionStateSearch",
    "align_to",
    "band_gradient",
    "connect_lowest",
    "connect_minima",
    "connect_with_strategy",
    "count_negative",
    "doubly_nudged_elastic_band",
    "find_transition_states",
    "hybrid_eigenvector_following",
    "initial_band",
    "lowest_eigenvector",
    "orbit_distance",
    "push_off",
    "read_pairs",
    "transition_state_path",
    # what a landscape says
    "DisconnectivityTree",
    "EnsembleReport",
    "FeatureRelevance",
    "Fold",
    "FreeEnergyNetwork",
    "HeatCapacity",
    "HeatCapacityPeak",
    "LossComparison",
    "LossLandscapeStats",
    "MonotonicSequenceBasins",
    "OptimalNu",
    "ParameterSweep",
    "RateResult",
    "StationaryPoint",
    "TreeNode",
    "align_hidden_units",
    "compare_losses",
    "default_temperatures",
    "disconnectivity_tree",
    "ensemble_from_database",
    "ensemble_of_minima",
    "feature_relevance",
    "find_stationary_points",
    "free_energy_network",
    "free_energy_tree",
    "harmonic_rate_constants",
    "heat_capacity",
    "heat_capacity_from_database",
    "landscape_statistics",
    "monotonic_sequence_basins",
    "ngt_rates",
    "msb_colour_map",
    "msb_from_database",
    "occupation_probabilities",
    "optimal_nu",
    "rates_from_database",
    "relevance_from_database",
    "sweep_nu",
    "sweep_parameter",
    "tree_from_database",
    # plot data and renderers
    "DisconnectivityPlotData",
    "HeatCapacityPlotData",
    "SpecialisationPlotData",
    "StationaryBranch",
    "StationaryPointsPlotData",
    "disconnectivity_plot_data",
    "heat_capacity_plot_data",
    "msb_plot_data",
    "plot_disconnectivity",
    "plot_heat_capacity",
    "plot_msb_disconnectivity",
    "plot_specialisation",
    "plot_stationary_points",
    "specialisation_plot_data",
    "stationary_points_plot_data",
    # report
    "energy_sections",
    "is_energy_database",
    "minima_test_accuracy",
    "write_energy_report",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
