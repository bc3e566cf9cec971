"""Modality metrics: how many local optima, and how their basins divide the landscape.

Huang & Li (2023, arXiv 2311.14014) count local optima after merging neutral neighbours and
describe basins of attraction of best-improvement local search (Ochoa et al. 2008).
"""

from __future__ import annotations

import numpy as np

from lossatlas.analysis._neighbourhood import Neighbourhood
from lossatlas.analysis._optima import local_optima
from lossatlas.analysis._stats import spearman
from lossatlas.landscape import Landscape

__all__ = ["n_local_optima", "local_optima_ratio", "basin_statistics"]


def n_local_optima(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> int:
    """Number of local-optimum plateaus.

    A plateau (component of neighbours with ``|dL| <= epsilon``) is a local optimum when no
    member has a neighbour lower than the plateau's best loss by more than ``epsilon``.

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
    epsilon : float, default 0.0
    neighbourhood : Neighbourhood, optional
        Which one-HP changes are moves; default the 1-edit neighbourhood.

    Returns
    -------
    int

    References
    ----------
    Huang, C. & Li, K. (2023). arXiv:2311.14014.
    """
    return local_optima(landscape, loss=loss, epsilon=epsilon, neighbourhood=neighbourhood).n_optima


def local_optima_ratio(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> float:
    """``n_local_optima / n_configs``.

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
    epsilon : float, default 0.0
    descent : {"stop", "through", "graphfla"}, default "stop"
    plateau_exit : {"lowest", "first"}, default "lowest"
        The descent rules of :func:`~lossatlas.analysis.local_optima`.
    neighbourhood : Neighbourhood, optional

    Returns
    -------
    float
    """
    count = n_local_optima(landscape, loss=loss, epsilon=epsilon, neighbourhood=neighbourhood)
    return count / landscape.n


def basin_statistics(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    descent: str = "stop",
    plateau_exit: str = "lowest",
    neighbourhood: Neighbourhood | None = None,
) -> dict[str, float]:
    """Basin-of-attraction statistics of best-improvement descent.

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
    epsilon : float, default 0.0
    descent : {"stop", "through", "graphfla"}, default "stop"
    plateau_exit : {"lowest", "first"}, default "lowest"
        The descent rules of :func:`~lossatlas.analysis.local_optima`.
    neighbourhood : Neighbourhood, optional

    Returns
    -------
    dict
        ``global_basin_size``: fraction of configurations whose descent ends at a plateau holding
        the global best loss; ``mean_basin_size``: mean number of configurations per basin;
        ``basin_fitness_corr``: Spearman correlation of basin size with the optimum's loss over
        all local optima (NaN with fewer than 3 optima; negative means better optima have larger
        basins); ``mean_climb_length``: mean number of moves to the optimum. The study's
        "basin size" s_B is read either as the basin size or as this climb length (a choice the
        reference leaves open), so both are reported.

    References
    ----------
    Ochoa, G., Tomassini, M., Verel, S. & Darabos, C. (2008). A study of NK landscapes' basins and
    local optima networks. GECCO. Huang, C. & Li, K. (2023). arXiv:2311.14014.
    """
    optima = local_optima(
        landscape,
        loss=loss,
        epsilon=epsilon,
        descent=descent,
        plateau_exit=plateau_exit,
        neighbourhood=neighbourhood,
    )
    best = landscape.loss(loss).min()
    global_optima = optima.optima_loss == best
    corr = spearman(optima.basin_size, optima.optima_loss) if optima.n_optima >= 3 else float("nan")
    return {
        "global_basin_size": float(optima.basin_size[global_optima].sum() / landscape.n),
        "mean_basin_size": float(np.mean(optima.basin_size)),
        "basin_fitness_corr": corr,
        "mean_climb_length": float(np.mean(optima.climb_length)),
    }
