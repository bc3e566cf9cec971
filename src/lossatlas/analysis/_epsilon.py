"""Choosing epsilon from the evaluation's own noise: the spread of the loss across folds/seeds.

Two configurations whose losses differ by less than the noise of one evaluation cannot be told
apart, so that noise is a natural neutrality threshold (Huang & Li 2023 use an absolute 1 % on
an error rate, the same order as the fold spread of their evaluations).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from lossatlas import columns as roles
from lossatlas.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["one_plateau_warning", "suggest_epsilon"]


def suggest_epsilon(
    table: pd.DataFrame,
    *,
    loss: str = "test",
    replicates: Sequence[str] = ("fold", "seed"),
    statistic: str = "median",
) -> float:
    """An absolute epsilon from the spread of ``loss`` across replicates of each configuration.

    For every configuration (the hyperparameter, model, dataset and fidelity columns) the
    standard deviation of ``loss`` over its replicate rows (folds, seeds); the ``statistic``
    (median or mean) of those deviations over configurations is returned.

    Parameters
    ----------
    table : DataFrame
        A long table with one row per replicate (``results.parquet`` of an evaluation or a
        study, with its ``fold``/``seed`` columns).
    loss : str, default "test"
    replicates : sequence of str, default ("fold", "seed")
        Columns that tell replicates apart (those absent are ignored).
    statistic : {"median", "mean"}, default "median"

    Returns
    -------
    float
        The suggested absolute epsilon (same unit as ``loss``).

    References
    ----------
    C. Huang, K. Li. On the Hyperparameter Loss Landscapes of Machine Learning Models: An
    Exploratory Study. arXiv:2311.14014, 2023.
    """
    if loss not in table.columns:
        raise InputError(f"no loss column {loss!r} in the table")
    if statistic not in ("median", "mean"):
        raise InputError(f"statistic must be 'median' or 'mean', not {statistic!r}")
    frame = table
    if "status" in frame.columns:
        frame = frame[frame["status"].astype(str) == "ok"]
    present = [c for c in replicates if c in frame.columns]
    if not present:
        raise InputError(
            f"no replicate column ({', '.join(replicates)}): one row per configuration has no "
            "spread to estimate epsilon from"
        )
    columns = list(frame.columns)
    keys = [c for c in roles.hyperparameter_columns(columns) if c not in present]
    keys += [c for c in columns if roles.is_group_column(c) and c not in keys]
    keys = [c for c in keys if c in columns and c != "config_id"] or ["config_id"]
    # one text key per configuration: missing values (hyperparameters a model lacks) included
    config = frame[keys].astype(object).where(frame[keys].notna(), "").astype(str)
    config = config.agg("\x1f".join, axis=1)
    import pandas as pd

    values = pd.to_numeric(frame[loss], errors="coerce")
    spread = values.groupby(config.to_numpy(), sort=False).std(ddof=1).dropna()
    if not len(spread):
        raise InputError("no configuration has two replicates: cannot estimate epsilon")
    return float(np.median(spread) if statistic == "median" else np.mean(spread))


def one_plateau_warning(row: Any, *, label: str, epsilon: float) -> str | None:
    """A warning when ``epsilon`` merges the whole landscape into one plateau, else None.

    Parameters
    ----------
    row : mapping
        One row of :func:`~lossatlas.analysis.profile` (``n_configs``, ``largest_plateau``,
        ``neutrality``, ``ndc``).
    label : str
        Names the landscape in the message.
    epsilon : float
        The neutrality threshold the profile used.

    Returns
    -------
    str or None
        One sentence saying that every neighbour pair is neutral and what to do, or None when
        the landscape has more than one plateau.
    """

    def fmt(value: Any) -> str:
        try:
            return f"{float(value):.3g}"
        except (TypeError, ValueError):
            return str(value)

    n = int(row.get("n_configs", 0) or 0)
    largest = row.get("largest_plateau")
    if n > 1 and largest is not None and np.isfinite(largest) and int(largest) >= n:
        return (
            f"{label}: epsilon {epsilon:g} makes the whole landscape one plateau (neutrality "
            f"{fmt(row.get('neutrality'))}; ndc {fmt(row.get('ndc'))}): every neighbour is "
            "within epsilon. Choose a smaller epsilon (see the docs: choosing epsilon)."
        )
    return None
