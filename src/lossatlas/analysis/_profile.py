"""All landscape metrics of one or many landscapes as one tidy table.

One row per landscape, one column per metric (the profile keys of Huang & Li 2023,
arXiv 2311.14014, as listed in the reference), plus the parameters used (``loss``, ``epsilon``,
random-walk settings) and the landscape's metadata (``model``, ``dataset``, ``fidelity_*``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from lossatlas import columns as roles
from lossatlas.analysis._modality import basin_statistics, n_local_optima
from lossatlas.analysis._neighbourhood import Neighbourhood, resolve_neighbourhood
from lossatlas.analysis._neutrality import ndc, neutrality, plateau_statistics
from lossatlas.analysis._smoothness import assortativity, autocorrelation, correlation_length, fdc
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape

__all__ = ["METRICS", "list_metrics", "profile", "profile_one"]

METRICS: dict[str, str] = {
    "n_configs": "number of evaluated configurations",
    "best_loss": "lowest loss L*",
    "mean_loss": "mean loss",
    "loss_std": "standard deviation of the loss",
    "n_local_optima": "local-optimum plateaus (neutral neighbours merged at epsilon)",
    "local_optima_ratio": "n_local_optima / n_configs",
    "global_basin_size": "fraction of configurations whose descent reaches the global optimum",
    "mean_basin_size": "mean configurations per basin of attraction",
    "basin_fitness_corr": (
        "Spearman of basin size vs optimum loss (negative: better optima, bigger basins)"
    ),
    "mean_climb_length": "mean best-improvement moves to a local optimum",
    "fdc": "fitness-distance correlation (Pearson of loss vs distance to the optimum)",
    "fdc_spearman": "fitness-distance correlation (Spearman)",
    "assortativity": "correlation of the loss across neighbour pairs",
    "autocorrelation": "median lag-1 autocorrelation of the loss along random walks",
    "autocorrelation_pooled": "pooled lag-1 autocorrelation along random walks",
    "correlation_length": "-1 / ln|autocorrelation|",
    "neutrality": "fraction of neighbour pairs with |dL| <= epsilon",
    "ndc": "Spearman of neutral-neighbour share vs distance to the optimum",
    "n_plateaus": "plateaus (components of neutral neighbours)",
    "largest_plateau": "configurations in the largest plateau",
    "global_plateau_size": "configurations in the global optimum's plateau",
}


def list_metrics() -> dict[str, str]:
    """Profile keys and a one-line reading of each.

    Returns
    -------
    dict of str to str
        A copy of :data:`METRICS`.
    """
    return dict(METRICS)


def _absolute_epsilon(values: np.ndarray, epsilon: float, relative: bool) -> float:
    if not np.isfinite(epsilon) or epsilon < 0:
        raise InputError(f"epsilon must be a finite number >= 0, not {epsilon}")
    if not relative:
        return float(epsilon)
    return float(epsilon * (values.max() - values.min()))


def profile_one(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    relative_epsilon: bool = False,
    n_walks: int = 1000,
    walk_length: int = 20,
    seed: int = 0,
    neighbourhood: Neighbourhood | None = None,
) -> dict[str, Any]:
    """Every metric of one landscape as a flat dict (see :data:`METRICS`).

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
        Loss column to analyse.
    epsilon : float, default 0.0
        Neutrality threshold for every epsilon-dependent metric (``n_local_optima``, basins,
        ``neutrality``, ``ndc``, plateaus). The study uses 0.01 on an error rate.
    relative_epsilon : bool, default False
        Read ``epsilon`` as a fraction of the loss range.
    n_walks, walk_length, seed : int
        Random-walk settings of the autocorrelation.
    neighbourhood : Neighbourhood, optional
        Which one-HP changes are moves, and the matching grid distance, for every metric;
        default the 1-edit neighbourhood.

    Returns
    -------
    dict
        Metric name -> value, the keys of :data:`METRICS`.

    References
    ----------
    Huang, C. & Li, K. (2023). On the hyperparameter loss landscapes of machine learning
    models: an exploratory study. arXiv:2311.14014.
    """
    nb = resolve_neighbourhood(neighbourhood)
    values = landscape.loss(loss)
    eps = _absolute_epsilon(values, epsilon, relative_epsilon)
    walks = {"n_walks": n_walks, "walk_length": walk_length, "seed": seed, "neighbourhood": nb}
    rho = autocorrelation(landscape, loss=loss, **walks)
    n_opt = n_local_optima(landscape, loss=loss, epsilon=eps, neighbourhood=nb)
    row: dict[str, Any] = {
        "n_configs": landscape.n,
        "best_loss": float(values.min()),
        "mean_loss": float(values.mean()),
        "loss_std": float(values.std()),
        "n_local_optima": n_opt,
        "local_optima_ratio": n_opt / landscape.n,
        **basin_statistics(landscape, loss=loss, epsilon=eps, neighbourhood=nb),
        "fdc": fdc(landscape, loss=loss, neighbourhood=nb),
        "fdc_spearman": fdc(landscape, loss=loss, method="spearman", neighbourhood=nb),
        "assortativity": assortativity(landscape, loss=loss, neighbourhood=nb),
        "autocorrelation": rho,
        "autocorrelation_pooled": autocorrelation(
            landscape, loss=loss, estimator="pooled", **walks
        ),
        "correlation_length": correlation_length(rho),
        "neutrality": neutrality(landscape, loss=loss, epsilon=eps, neighbourhood=nb),
        "ndc": ndc(landscape, loss=loss, epsilon=eps, neighbourhood=nb),
        **plateau_statistics(landscape, loss=loss, epsilon=eps, neighbourhood=nb),
    }
    return row


def profile(
    landscapes: Landscape | Sequence[Landscape],
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    relative_epsilon: bool = False,
    n_walks: int = 1000,
    walk_length: int = 20,
    seed: int = 0,
    progress: bool = False,
    neighbourhood: Neighbourhood | None = None,
) -> pd.DataFrame:
    """Profile one or many landscapes as a tidy table.

    Parameters
    ----------
    landscapes : Landscape or sequence of Landscape
    loss : str, default "test"
        Loss column to analyse.
    epsilon : float, default 0.0
        Neutrality threshold of every epsilon-dependent metric.
    relative_epsilon : bool, default False
        Read ``epsilon`` as a fraction of each landscape's loss range.
    n_walks, walk_length, seed : int
        Random-walk settings of the autocorrelation.
    progress : bool, default False
        Show a progress bar over several landscapes.
    neighbourhood : Neighbourhood, optional
        Which one-HP changes are moves, and the matching grid distance, for every metric
        (:func:`~lossatlas.analysis.one_edit` by default, or
        :func:`~lossatlas.analysis.ordinal_radius`, :func:`~lossatlas.analysis.custom`).

    Returns
    -------
    DataFrame
        One row per landscape: its label and group metadata (``model``, ``dataset``,
        ``fidelity_*``), ``grid_size`` and ``is_full``, every metric of :data:`METRICS`, and the
        parameters (``loss``, ``epsilon``, ``epsilon_absolute``, ``relative_epsilon``,
        ``n_walks``, ``walk_length``, ``seed``, ``neighbourhood``).

    References
    ----------
    Huang, C. & Li, K. (2023). On the hyperparameter loss landscapes of machine learning
    models: an exploratory study. arXiv:2311.14014.

    Examples
    --------
    >>> import numpy as np
    >>> from lossatlas.space import SearchSpace
    >>> from lossatlas.landscape import Landscape
    >>> space = SearchSpace.from_dict({"a": [0, 1, 2], "b": [0, 1, 2]})
    >>> bowl = Landscape.from_array(space, [4, 3, 4, 3, 0, 3, 4, 3, 4])
    >>> int(profile(bowl)["n_local_optima"].iloc[0])
    1

    With ordinal steps of up to two, the corners become neighbours of each other:

    >>> from lossatlas.analysis import ordinal_radius
    >>> wide = profile(bowl, neighbourhood=ordinal_radius(2))
    >>> wide["neighbourhood"].iloc[0]
    'ordinal_radius(2)'
    """
    nb = resolve_neighbourhood(neighbourhood)
    items = [landscapes] if isinstance(landscapes, Landscape) else list(landscapes)
    if not items:
        raise InputError("profile needs at least one landscape")
    iterator: Any = items
    if progress and len(items) > 1:
        from tqdm.auto import tqdm

        iterator = tqdm(items, desc="profile", unit="landscape")
    rows = []
    for landscape in iterator:
        meta = {k: v for k, v in landscape.metadata.items() if roles.is_group_column(k)}
        values = landscape.loss(loss)
        metrics = profile_one(
            landscape,
            loss=loss,
            epsilon=epsilon,
            relative_epsilon=relative_epsilon,
            n_walks=n_walks,
            walk_length=walk_length,
            seed=seed,
            neighbourhood=nb,
        )
        rows.append(
            {
                "landscape": landscape.label,
                **meta,
                "grid_size": landscape.space.size,
                "is_full": landscape.is_full,
                **metrics,
                "loss": loss,
                "direction": landscape.metadata.get("direction", "minimize"),
                "epsilon": float(epsilon),
                "epsilon_absolute": _absolute_epsilon(values, epsilon, relative_epsilon),
                "relative_epsilon": relative_epsilon,
                "n_walks": n_walks,
                "walk_length": walk_length,
                "seed": seed,
                "neighbourhood": nb.name,
            }
        )
    return pd.DataFrame(rows)
