"""Plot data along hyperparameters: one-HP slices, pairwise marginals and loss scatters.

Plain arrays in frozen dataclasses, no drawing (see :mod:`lossatlas.viz._plotdata`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lossatlas.analysis._stats import pearson, spearman
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape

__all__ = ["HPSlice", "LossScatter", "PairMarginal", "hp_slice", "loss_scatter", "pair_marginal"]


def _labels(landscape: Landscape, j: int) -> tuple[str, ...]:
    return tuple(str(v) for v in landscape.space.hyperparameters[j].values)


def _hp_index(landscape: Landscape, hp: str) -> int:
    names = landscape.space.names
    if hp not in names:
        raise InputError(f"no hyperparameter {hp!r} (have: {', '.join(names)})")
    return names.index(hp)


def _group_stats(keys: np.ndarray, values: np.ndarray, size: int):
    count = np.bincount(keys, minlength=size)
    total = np.bincount(keys, weights=values, minlength=size)
    best = np.full(size, np.inf)
    np.minimum.at(best, keys, values)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
    best[count == 0] = np.nan
    return best, mean, count


@dataclass(frozen=True)
class HPSlice:
    """Loss along one hyperparameter.

    ``through_optimum``: the other HPs fixed at the global optimum's values (NaN where that
    configuration was not evaluated); ``best`` / ``mean``: minimum / mean over all values of
    the other HPs (marginal), ``count`` configurations each.

    Attributes
    ----------
    hp : str
        The hyperparameter.
    labels : tuple of str
        Its values as text.
    through_optimum, best, mean : ndarray
        One value per HP value (see above).
    count : ndarray
        Configurations behind each ``best``/``mean``.
    log : bool
        The HP is log-scaled.
    loss_name : str
    """

    hp: str
    labels: tuple[str, ...]
    through_optimum: np.ndarray
    best: np.ndarray
    mean: np.ndarray
    count: np.ndarray
    log: bool
    loss_name: str


def hp_slice(landscape: Landscape, hp: str, *, loss: str = "test") -> HPSlice:
    """One-HP slice through the global optimum, and best/mean marginals over the other HPs.

    Parameters
    ----------
    landscape : Landscape
    hp : str
        Name of the hyperparameter.
    loss : str, default "test"

    Returns
    -------
    HPSlice
    """
    j = _hp_index(landscape, hp)
    values = landscape.loss(loss)
    codes = landscape.codes
    radix = int(landscape.space.radices[j])
    best, mean, count = _group_stats(codes[:, j].astype(np.int64), values, radix)
    g = int(np.flatnonzero(values == values.min())[0])
    probe = np.repeat(codes[g : g + 1].astype(np.int64), radix, axis=0)
    probe[:, j] = np.arange(radix)
    rows = landscape.rows_of(landscape.space.encode(probe))
    through = np.where(rows >= 0, values[np.maximum(rows, 0)], np.nan)
    return HPSlice(
        hp=hp,
        labels=_labels(landscape, j),
        through_optimum=through,
        best=best,
        mean=mean,
        count=count,
        log=bool(landscape.space.hyperparameters[j].log),
        loss_name=loss,
    )


@dataclass(frozen=True)
class PairMarginal:
    """Loss over a pair of HPs: ``best[i, j]`` / ``mean[i, j]`` over the other HPs.

    Rows index ``hp_y``'s values and columns ``hp_x``'s (image order); NaN where no
    configuration has that pair of values.

    Attributes
    ----------
    hp_x, hp_y : str
        Column and row hyperparameters.
    labels_x, labels_y : tuple of str
        Their values as text.
    best, mean : ndarray of shape (len(labels_y), len(labels_x))
    count : ndarray
        Configurations behind each cell.
    loss_name : str
    """

    hp_x: str
    hp_y: str
    labels_x: tuple[str, ...]
    labels_y: tuple[str, ...]
    best: np.ndarray
    mean: np.ndarray
    count: np.ndarray
    loss_name: str


def pair_marginal(
    landscape: Landscape, hp_x: str, hp_y: str, *, loss: str = "test"
) -> PairMarginal:
    """Pairwise marginal of the loss: minimum and mean over every other HP, per value pair.

    Parameters
    ----------
    landscape : Landscape
    hp_x, hp_y : str
        Column and row hyperparameters.
    loss : str, default "test"

    Returns
    -------
    PairMarginal
    """
    jx, jy = _hp_index(landscape, hp_x), _hp_index(landscape, hp_y)
    if jx == jy:
        raise InputError(f"pair_marginal needs two different hyperparameters, got {hp_x!r} twice")
    rx, ry = int(landscape.space.radices[jx]), int(landscape.space.radices[jy])
    codes = landscape.codes
    keys = codes[:, jy].astype(np.int64) * rx + codes[:, jx].astype(np.int64)
    best, mean, count = _group_stats(keys, landscape.loss(loss), rx * ry)
    return PairMarginal(
        hp_x=hp_x,
        hp_y=hp_y,
        labels_x=_labels(landscape, jx),
        labels_y=_labels(landscape, jy),
        best=best.reshape(ry, rx),
        mean=mean.reshape(ry, rx),
        count=count.reshape(ry, rx),
        loss_name=loss,
    )


@dataclass(frozen=True)
class LossScatter:
    """Two loss columns of the same configurations, with their rank and linear correlation.

    Attributes
    ----------
    x, y : ndarray
        The two losses of the returned points.
    x_name, y_name : str
    spearman, pearson : float
        Over every configuration (NaN when undefined, e.g. a constant loss).
    """

    x: np.ndarray
    y: np.ndarray
    x_name: str
    y_name: str
    spearman: float
    pearson: float


def loss_scatter(
    landscape: Landscape, *, x: str = "train", y: str = "test", rows: np.ndarray | None = None
) -> LossScatter:
    """Train-vs-test (or any two losses): correlations over every configuration.

    ``rows`` limits the *points* returned (e.g. a map's subsample), not the correlations.

    Parameters
    ----------
    landscape : Landscape
    x, y : str, default "train", "test"
        Loss columns.
    rows : ndarray, optional
        Rows of the points returned (default: all).

    Returns
    -------
    LossScatter
    """
    xs, ys = landscape.loss(x), landscape.loss(y)
    # the package's one Spearman/Pearson: NaN for sides constant up to round-off
    ok = len(xs) > 2
    rho = spearman(xs, ys) if ok else float("nan")
    r = pearson(xs, ys) if ok else float("nan")
    pick = slice(None) if rows is None else np.asarray(rows, dtype=np.int64)
    return LossScatter(
        x=xs[pick].copy(), y=ys[pick].copy(), x_name=x, y_name=y, spearman=rho, pearson=r
    )
