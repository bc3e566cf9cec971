"""The distribution of the objective values: GraphFLA's ``fitness_distribution``.

Keys ``fitness.skewness``, ``fitness.kurtosis`` (Pearson, normal = 3), ``fitness.cv`` (sample
standard deviation / |mean|), ``fitness.quartile_coefficient`` (IQR / |median|),
``fitness.median_mean_ratio``, ``fitness.relative_range`` (range / |median|) and
``fitness.cauchy_loc`` (location of a fitted Cauchy distribution). They are computed on the
values in the user's units (:func:`~lossatlas.analysis._improving.objective`: the score of a
``maximize`` landscape, the loss otherwise), as GraphFLA does on the values it is given.

References
----------
GraphFLA 0.4.0 (COLA-Laboratory/GraphFLA), ``analysis/fitness.py``.
Pearson, K. (1905). "Das Fehlergesetz und seine Verallgemeinerungen durch Fechner und Pearson."
Biometrika 4, 169-212 (moment skewness and kurtosis).
"""

from __future__ import annotations

import numpy as np

from lossatlas.analysis._improving import objective
from lossatlas.landscape import Landscape

__all__ = ["fitness_distribution", "fitness_cauchy_location"]

DISTRIBUTION_KEYS = (
    "skewness",
    "kurtosis",
    "cv",
    "quartile_coefficient",
    "median_mean_ratio",
    "relative_range",
)


def _ratio(num: float, den: float) -> float:
    return float("nan") if den == 0 else float(num / den)


def fitness_distribution(landscape: Landscape, *, loss: str = "test") -> dict[str, float]:
    """Shape statistics of the objective values (GraphFLA's ``fitness_distribution``).

    Returns
    -------
    dict
        The keys of :data:`DISTRIBUTION_KEYS`. Skewness and kurtosis are the biased moment
        ratios ``m3 / m2^1.5`` and ``m4 / m2^2`` (``scipy.stats`` defaults), NaN when the values
        are constant; ``cv`` uses the sample standard deviation (``ddof=1``); quartiles are
        linear-interpolation percentiles. A ratio with a zero denominator is NaN. On a constant
        landscape the dispersion ratios are exactly 0 and ``median_mean_ratio`` exactly 1.

    References
    ----------
    GraphFLA 0.4.0, ``analysis/fitness.py``; Pearson (1905).
    """
    x = objective(landscape, loss)
    n = len(x)
    constant = bool(np.all(x == x[0]))
    mean = float(x[0]) if constant else float(x.mean())  # no round-off on a constant landscape
    q1, median, q3 = (float(v) for v in np.percentile(x, [25, 50, 75]))
    if constant:
        skew = kurt = float("nan")
        std = iqr = spread = 0.0
        median = mean
    else:
        centred = x - mean
        square = centred * centred
        m2 = float(square.sum()) / n
        skew = float((square * centred).sum()) / n / m2**1.5
        kurt = float((square * square).sum()) / n / m2**2
        std = float(np.sqrt(m2 * n / (n - 1)))
        iqr = q3 - q1
        spread = float(x.max() - x.min())
    return {
        "skewness": skew,
        "kurtosis": kurt,
        "cv": _ratio(std, abs(mean)),
        "quartile_coefficient": _ratio(iqr, abs(median)),
        "median_mean_ratio": _ratio(median, mean),
        "relative_range": _ratio(spread, abs(median)),
    }


def fitness_cauchy_location(landscape: Landscape, *, loss: str = "test") -> float:
    """Location of a Cauchy distribution fitted by maximum likelihood (``scipy.stats.cauchy``).

    NaN on a constant landscape (no scale to fit) or when the fit fails. Costly: an iterative
    fit over every value.

    References
    ----------
    GraphFLA 0.4.0, ``analysis/fitness.py`` (``cauchy_loc``).
    """
    from scipy.stats import cauchy

    x = objective(landscape, loss)
    if np.all(x == x[0]):
        return float("nan")
    try:
        loc, _ = cauchy.fit(x)
    except (ValueError, RuntimeError):
        return float("nan")
    return float(loc)
