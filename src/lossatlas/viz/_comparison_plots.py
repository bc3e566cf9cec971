"""Heatmaps of landscape comparisons: plot data, a matplotlib and a plotly renderer.

:func:`similarity_heatmap` turns one median matrix of a
:class:`~lossatlas.analysis.LandscapeComparison` (Spearman, gamma-set similarity, shake-up ...
across fidelities, datasets, models or splits, after Huang & Li 2023) into a
:class:`SimilarityHeatmap`; :func:`plot_similarity_heatmap` (matplotlib) and
:func:`similarity_heatmap_figure` (plotly) only draw it; :func:`save_similarity_heatmaps`
writes the PNG files of ``lossatlas compare``.

References
----------
C. Huang, K. Li. On the Hyperparameter Loss Landscapes of Machine Learning Models: An
Exploratory Study. arXiv:2311.14014, 2023.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lossatlas.errors import require

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from lossatlas.analysis._comparison import LandscapeComparison

__all__ = [
    "HEATMAP_METRICS",
    "SimilarityHeatmap",
    "plot_similarity_heatmap",
    "save_similarity_heatmaps",
    "similarity_heatmap",
    "similarity_heatmap_figure",
]

#: The matrices ``lossatlas compare`` draws.
HEATMAP_METRICS = ("spearman", "gamma_set_similarity", "shake_up")
_SIGNED = ("spearman", "spearman_top", "kendall_tau")


@dataclass(frozen=True)
class SimilarityHeatmap:
    """One median similarity matrix, ready to draw.

    Attributes
    ----------
    metric : str
        The similarity measure.
    by : str
        What was compared (``"fidelity"``, ``"dataset"``, ``"model"``, ``"split"``).
    loss : str
        The compared loss.
    labels : tuple of str
        Rows and columns, in the comparison's order.
    values : ndarray of shape (n, n)
        Median over groups; NaN for pairs never compared.
    limits : tuple of float
        Colour range: ``(-1, 1)`` for correlations, ``(0, 0.5)`` for shake-up, else ``(0, 1)``.
    """

    metric: str
    by: str
    loss: str
    labels: tuple[str, ...]
    values: np.ndarray
    limits: tuple[float, float]

    @property
    def title(self) -> str:
        """``median <metric> by <by> (<loss>)``."""
        return f"median {self.metric} by {self.by} ({self.loss})"


def _limits(metric: str) -> tuple[float, float]:
    if metric.startswith("shake_up"):
        return (0.0, 0.5)
    if metric in _SIGNED:
        return (-1.0, 1.0)
    return (0.0, 1.0)


def similarity_heatmap(
    comparison: LandscapeComparison, metric: str = "spearman"
) -> SimilarityHeatmap:
    """The plot data of one median matrix of a comparison.

    Parameters
    ----------
    comparison : LandscapeComparison
        A result of :func:`lossatlas.analysis.compare_landscapes`.
    metric : str, default "spearman"
        One of the comparison's similarity measures.

    Returns
    -------
    SimilarityHeatmap
    """
    matrix = comparison.matrix(metric)
    return SimilarityHeatmap(
        metric=metric,
        by=comparison.by,
        loss=comparison.loss,
        labels=tuple(str(x) for x in matrix.index),
        values=matrix.to_numpy(dtype=float),
        limits=_limits(metric),
    )


def plot_similarity_heatmap(data: SimilarityHeatmap, *, ax: Axes | None = None) -> Figure:
    """Draw a similarity matrix with matplotlib (values written in cells up to 12 x 12).

    Parameters
    ----------
    data : SimilarityHeatmap
        From :func:`similarity_heatmap`.
    ax : Axes, optional
        Draw into this axes; a new headless figure otherwise.

    Returns
    -------
    Figure
    """
    require("matplotlib", "viz", purpose="comparison heatmaps")
    if ax is None:
        from matplotlib.figure import Figure

        size = max(3.0, 0.6 * len(data.labels) + 2)
        fig = Figure(figsize=(size + 1, size))
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    low, high = data.limits
    image = ax.imshow(data.values, vmin=low, vmax=high, cmap="viridis")
    ax.set_xticks(range(len(data.labels)), data.labels, rotation=45, ha="right")
    ax.set_yticks(range(len(data.labels)), data.labels)
    if len(data.labels) <= 12:
        for (i, j), value in np.ndenumerate(data.values):
            if np.isfinite(value):
                colour = "black" if (value - low) / (high - low) > 0.6 else "white"
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", color=colour)
    ax.set_title(data.title)
    fig.colorbar(image, ax=ax)
    fig.tight_layout()
    return fig


def similarity_heatmap_figure(data: SimilarityHeatmap) -> Any:
    """Draw a similarity matrix with plotly.

    Parameters
    ----------
    data : SimilarityHeatmap
        From :func:`similarity_heatmap`.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    go = require("plotly.graph_objects", "viz", purpose="interactive comparison heatmaps")
    values = np.where(np.isfinite(data.values), data.values, None)
    text = [[("" if v is None else f"{v:.2f}") for v in row] for row in values]
    fig = go.Figure(
        go.Heatmap(
            z=values.tolist(),
            x=list(data.labels),
            y=list(data.labels),
            zmin=data.limits[0],
            zmax=data.limits[1],
            colorscale="Viridis",
            text=text,
            texttemplate="%{text}",
            hovertemplate="a=%{y}<br>b=%{x}<br>%{z:.3f}<extra></extra>",
        )
    )
    fig.update_layout(title=data.title, yaxis={"autorange": "reversed"})
    return fig


def save_similarity_heatmaps(
    comparison: LandscapeComparison,
    directory: str | Path,
    *,
    metrics: Sequence[str] = HEATMAP_METRICS,
    dpi: int = 100,
) -> list[Path]:
    """Write ``heatmap_<metric>.png`` of each metric's matrix into ``directory``.

    Parameters
    ----------
    comparison : LandscapeComparison
        A result of :func:`lossatlas.analysis.compare_landscapes`.
    directory : str or Path
        Created when missing.
    metrics : sequence of str
        Which matrices (default: Spearman, gamma-set similarity, shake-up).
    dpi : int, default 100

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for metric in metrics:
        fig = plot_similarity_heatmap(similarity_heatmap(comparison, metric))
        path = out / f"heatmap_{metric}.png"
        fig.savefig(path, dpi=dpi)
        written.append(path)
    return written
