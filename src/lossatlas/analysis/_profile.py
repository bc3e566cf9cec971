"""Any landscape metrics of one or many landscapes as one tidy table.

One row per landscape, one column per metric of the registry
(:mod:`lossatlas.analysis._registry`, filled by :mod:`lossatlas.analysis._catalogue`), plus the
parameters used (``loss``, ``epsilon``, random-walk settings, basin rules) and the landscape's
metadata (``model``, ``dataset``, ``fidelity_*``). Which metrics: the default profile (every
metric of cost ``"default"``), or those named by ``metrics=``/``families=``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from lossatlas import columns as roles
from lossatlas.analysis import _catalogue, _catalogue_graphfla  # noqa: F401 -- registration
from lossatlas.analysis._neighbourhood import Neighbourhood, resolve_neighbourhood
from lossatlas.analysis._registry import (
    REGISTRY,
    MetricContext,
    list_metrics,
    metric_readings,
    select_metrics,
)
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["METRICS", "list_metrics", "profile", "profile_one", "profile_rows"]

#: ``{key: reading}`` of the default profile, derived from the registry.
METRICS: dict[str, str] = metric_readings([m for m in REGISTRY.values() if m.cost == "default"])


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
    metrics: str | Iterable[str] | None = None,
    families: str | Iterable[str] | None = None,
    descent: str = "stop",
    plateau_exit: str = "lowest",
    neighbourhood: Neighbourhood | None = None,
) -> dict[str, Any]:
    """The selected metrics of one landscape as a flat dict (see :func:`list_metrics`).

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
        Loss column to analyse.
    epsilon : float, default 0.0
        Neutrality threshold for every epsilon-dependent metric (``n_local_optima``, basins,
        ``neutrality``, ``ndc``, plateaus, improving moves). The study uses 0.01 on an error rate.
    relative_epsilon : bool, default False
        Read ``epsilon`` as a fraction of the loss range.
    n_walks, walk_length, seed : int
        Random-walk settings of the autocorrelation.
    metrics, families : str or sequence of str, optional
        What to compute (see :func:`~lossatlas.analysis._registry.select_metrics`); default: the
        default profile.
    descent, plateau_exit : str
        Basin rules (see :func:`~lossatlas.analysis.local_optima`).
    neighbourhood : Neighbourhood, optional
        Which one-HP changes are moves, and the matching grid distance, for every metric that
        uses the graph; default the 1-edit neighbourhood.

    Returns
    -------
    dict
        Metric key -> value, in registry order.

    References
    ----------
    Huang, C. & Li, K. (2023). On the hyperparameter loss landscapes of machine learning
    models: an exploratory study. arXiv:2311.14014. GraphFLA 0.4.0 (COLA-Laboratory/GraphFLA)
    for the metrics under its keys.
    """
    values = landscape.loss(loss)
    context = MetricContext(
        landscape,
        loss=loss,
        epsilon=_absolute_epsilon(values, epsilon, relative_epsilon),
        n_walks=n_walks,
        walk_length=walk_length,
        seed=seed,
        descent=descent,
        plateau_exit=plateau_exit,
        neighbourhood=resolve_neighbourhood(neighbourhood),
    )
    return {m.name: m.compute(context) for m in select_metrics(metrics, families)}


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
    metrics: str | Iterable[str] | None = None,
    families: str | Iterable[str] | None = None,
    descent: str = "stop",
    plateau_exit: str = "lowest",
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
    metrics, families : str or sequence of str, optional
        What to compute (:func:`~lossatlas.analysis._registry.select_metrics`); default the
        default profile (every metric of cost ``"default"``).
    descent, plateau_exit : str
        Basin rules (see :func:`~lossatlas.analysis.local_optima`).
    neighbourhood : Neighbourhood, optional
        Which one-HP changes are moves, and the matching grid distance, for every metric
        (:func:`~lossatlas.analysis.one_edit` by default, or
        :func:`~lossatlas.analysis.ordinal_radius`, :func:`~lossatlas.analysis.custom`).

    Returns
    -------
    DataFrame
        One row per landscape: its label and group metadata (``model``, ``dataset``,
        ``fidelity_*``), ``grid_size`` and ``is_full``, the selected metrics (default: every
        metric of cost ``"default"``, whose readings are :data:`METRICS`), and the parameters
        (``loss``, ``epsilon``, ``epsilon_absolute``, ``relative_epsilon``, ``n_walks``,
        ``walk_length``, ``seed``, ``descent``, ``plateau_exit``, ``neighbourhood``).

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
    import pandas as pd

    return pd.DataFrame(
        profile_rows(
            landscapes,
            loss=loss,
            epsilon=epsilon,
            relative_epsilon=relative_epsilon,
            n_walks=n_walks,
            walk_length=walk_length,
            seed=seed,
            progress=progress,
            metrics=metrics,
            families=families,
            descent=descent,
            plateau_exit=plateau_exit,
            neighbourhood=neighbourhood,
        )
    )


def profile_rows(
    landscapes: Landscape | Sequence[Landscape],
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    relative_epsilon: bool = False,
    n_walks: int = 1000,
    walk_length: int = 20,
    seed: int = 0,
    progress: bool = False,
    metrics: str | Iterable[str] | None = None,
    families: str | Iterable[str] | None = None,
    descent: str = "stop",
    plateau_exit: str = "lowest",
    neighbourhood: Neighbourhood | None = None,
) -> list[dict[str, Any]]:
    """The rows of :func:`profile` as dicts, one per landscape, in its column order.

    The same parameters as :func:`profile`; no DataFrame is built (so pandas is not
    imported: the quick path of ``lossatlas analyze``).

    Returns
    -------
    list of dict
    """
    nb = resolve_neighbourhood(neighbourhood)
    items = [landscapes] if isinstance(landscapes, Landscape) else list(landscapes)
    if not items:
        raise InputError("profile needs at least one landscape")
    select_metrics(metrics, families)  # unknown names fail before any work
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
            metrics=metrics,
            families=families,
            descent=descent,
            plateau_exit=plateau_exit,
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
                "descent": descent,
                "plateau_exit": plateau_exit,
                "neighbourhood": nb.name,
            }
        )
    return rows
