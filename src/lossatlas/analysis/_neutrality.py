"""Neutrality metrics: how flat the landscape is at a threshold epsilon.

Huang & Li (2023, arXiv 2311.14014) found that most one-step moves change the loss by at most 1 %
and that the landscape is flatter near the optimum.
"""

from __future__ import annotations

from lossatlas.analysis._graph import neighbour_scan
from lossatlas.analysis._neighbourhood import Neighbourhood
from lossatlas.analysis._optima import distances_to_global, global_optimum, local_optima
from lossatlas.analysis._stats import spearman
from lossatlas.landscape import Landscape

__all__ = ["neutrality", "ndc", "plateau_statistics"]


def neutrality(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> float:
    """Fraction of neighbour pairs whose losses differ by at most ``epsilon``.

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
    epsilon : float, default 0.0
        Neutrality threshold (absolute).
    neighbourhood : Neighbourhood, optional
        Which one-HP changes are moves; default the 1-edit neighbourhood.

    Returns
    -------
    float
        In ``[0, 1]``; NaN when the graph has no edges.

    References
    ----------
    Huang, C. & Li, K. (2023). On the hyperparameter loss landscapes of machine learning
    models: an exploratory study. arXiv:2311.14014.
    """
    scan = neighbour_scan(landscape, loss=loss, epsilon=epsilon, neighbourhood=neighbourhood)
    edges = scan.degree.sum()
    return float(scan.neutral_count.sum() / edges) if edges else float("nan")


def ndc(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> float:
    """Neutrality-distance correlation.

    Spearman correlation between each configuration's share of neutral neighbours and its grid
    distance to the global optimum, over configurations with at least one neighbour. Negative
    values mean the landscape is flatter near the optimum. (A reconstruction of the study's
    measure; the reference marks it (?).)

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
    epsilon : float, default 0.0
    neighbourhood : Neighbourhood, optional
        Gives both the neighbours and the distance.

    Returns
    -------
    float
        In ``[-1, 1]``, NaN when either side is constant.

    References
    ----------
    Huang, C. & Li, K. (2023). arXiv:2311.14014.
    """
    scan = neighbour_scan(landscape, loss=loss, epsilon=epsilon, neighbourhood=neighbourhood)
    has = scan.degree > 0
    share = scan.neutral_count[has] / scan.degree[has]
    dist = distances_to_global(landscape, loss=loss, neighbourhood=neighbourhood)
    return spearman(share, dist[has])


def plateau_statistics(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> dict[str, int]:
    """Plateau counts and sizes.

    The global plateau is the one holding the lowest-index configuration of best loss.

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
    epsilon : float, default 0.0
    neighbourhood : Neighbourhood, optional

    Returns
    -------
    dict
        ``n_plateaus``, ``largest_plateau`` (size) and ``global_plateau_size``.
    """
    optima = local_optima(landscape, loss=loss, epsilon=epsilon, neighbourhood=neighbourhood)
    best_row = global_optimum(landscape, loss=loss)[0]
    return {
        "n_plateaus": optima.n_plateaus,
        "largest_plateau": int(optima.plateau_size.max()),
        "global_plateau_size": int(optima.plateau_size[optima.plateau[best_row]]),
    }
