"""Plotly renderers of the slices, pairwise marginals and loss scatters (extra ``viz``).

They draw :mod:`lossatlas.viz._slices` plot data, as :mod:`lossatlas.viz._interactive` draws the
maps; each returns a ``plotly.graph_objects.Figure``.
"""

from __future__ import annotations

from typing import Any

from lossatlas.errors import require
from lossatlas.viz._interactive import COLORSCALE, LAYOUT, plotly_go
from lossatlas.viz._slices import HPSlice, LossScatter, PairMarginal

__all__ = ["hp_slice_figure", "loss_scatter_figure", "pair_marginal_figure"]


def hp_slice_figure(data: HPSlice) -> Any:
    """One-HP slice: through the global optimum, best and mean over the other HPs.

    Parameters
    ----------
    data : HPSlice
        From :func:`~lossatlas.viz.hp_slice`.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    go = plotly_go()
    labels = list(data.labels)
    fig = go.Figure()
    for values, name, dash in (
        (data.through_optimum, "others at the global optimum", "solid"),
        (data.best, "best over the other HPs", "dash"),
        (data.mean, "mean over the other HPs", "dot"),
    ):
        fig.add_trace(
            go.Scatter(x=labels, y=values, mode="lines+markers", name=name, line=dict(dash=dash))
        )
    fig.update_layout(
        title=f"slice along {data.hp}",
        xaxis=dict(title=data.hp, type="category"),
        yaxis=dict(title=f"{data.loss_name} loss"),
        height=360,
        **LAYOUT,
    )
    return fig


def pair_marginal_figure(data: PairMarginal) -> Any:
    """Two heatmaps side by side: best (minimum) and mean loss over the other HPs.

    Parameters
    ----------
    data : PairMarginal
        From :func:`~lossatlas.viz.pair_marginal`.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    go = plotly_go()
    subplots = require("plotly.subplots", "viz", purpose="interactive report figures")
    fig = subplots.make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("best over the other HPs", "mean over the other HPs"),
    )
    # one colour axis for both panels: one scale to compare them, and one colour bar right of
    # both (a bar between the panels covers the right panel's axis title and ticks)
    for col, values in ((1, data.best), (2, data.mean)):
        fig.add_trace(
            go.Heatmap(
                x=list(data.labels_x),
                y=list(data.labels_y),
                z=values,
                coloraxis="coloraxis",
            ),
            row=1,
            col=col,
        )
        fig.update_xaxes(title_text=data.hp_x, type="category", row=1, col=col)
        fig.update_yaxes(title_text=data.hp_y, type="category", row=1, col=col)
    fig.update_layout(
        title=f"{data.hp_y} x {data.hp_x} ({data.loss_name} loss)",
        coloraxis=dict(
            colorscale=COLORSCALE,
            colorbar=dict(title=f"{data.loss_name} loss", x=1.04, xanchor="left", len=0.9),
        ),
        height=380,
        **LAYOUT,
    )
    return fig


def loss_scatter_figure(data: LossScatter) -> Any:
    """Train-vs-test scatter with the diagonal.

    Parameters
    ----------
    data : LossScatter
        From :func:`~lossatlas.viz.loss_scatter`.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    go = plotly_go()
    lo = float(min(data.x.min(), data.y.min()))
    hi = float(max(data.x.max(), data.y.max()))
    fig = go.Figure(
        [
            go.Scatter(
                x=data.x,
                y=data.y,
                mode="markers",
                marker=dict(size=4, opacity=0.5),
                name="configuration",
            ),
            go.Scatter(
                x=[lo, hi],
                y=[lo, hi],
                mode="lines",
                name="y = x",
                line=dict(color="#999", dash="dash"),
            ),
        ]
    )
    fig.update_layout(
        title=f"{data.y_name} vs {data.x_name} loss (Spearman {data.spearman:.2f}, "
        f"Pearson {data.pearson:.2f})",
        xaxis=dict(title=f"{data.x_name} loss"),
        yaxis=dict(title=f"{data.y_name} loss"),
        height=420,
        **LAYOUT,
    )
    return fig
