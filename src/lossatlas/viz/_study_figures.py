"""Plotly renderers of the study report: they draw :mod:`lossatlas.viz._study_plotdata` records
and compute nothing."""

from __future__ import annotations

from typing import Any

import numpy as np

from lossatlas.errors import require
from lossatlas.viz._landscape_map import LandscapeMap
from lossatlas.viz._study_plotdata import Distribution, GapScatter, ImportanceBars

__all__ = ["distribution_figure", "gap_figure", "importance_figure", "map_tile_figure"]

# Room above the plot for the title and below the modebar, which floats at the top right.
_LAYOUT = dict(template="plotly_white", margin=dict(l=60, r=20, t=70, b=60))
_LEGEND = dict(orientation="h", yanchor="top", y=-0.22, x=0)


def _go() -> Any:
    return require("plotly.graph_objects", "viz", purpose="the study report")


def distribution_figure(data: Distribution) -> Any:
    """Grouped box plots with every point shown."""
    go = _go()
    fig = go.Figure()
    for s in data.series:
        fig.add_trace(
            go.Box(
                x=list(s.x),
                y=list(s.y),
                name=s.name,
                text=list(s.text),
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                hovertemplate="%{text}<br>%{y:.4g}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(
        title=data.title,
        boxmode="group",
        xaxis=dict(title=data.x_label, type="category"),
        yaxis=dict(title=data.y_label),
        legend=dict(title="fidelity" if data.key.startswith("metric") else "group", **_LEGEND),
        height=420,
        **_LAYOUT,
    )
    return fig


def importance_figure(data: ImportanceBars) -> Any:
    """Horizontal bars of the median share, whiskers from the minimum to the maximum."""
    go = _go()
    med = np.asarray(data.median)
    fig = go.Figure(
        go.Bar(
            y=list(data.terms),
            x=med.tolist(),
            orientation="h",
            name=f"median over {data.n_datasets} dataset(s)",
            error_x=dict(
                type="data",
                symmetric=False,
                array=(np.asarray(data.high) - med).tolist(),
                arrayminus=(med - np.asarray(data.low)).tolist(),
            ),
        )
    )
    kind = "hyperparameters" if data.order == 1 else "hyperparameter pairs"
    fig.update_layout(
        title=f"{data.model}: top {len(data.terms)} {kind}",
        xaxis=dict(title="share of loss variance (fANOVA, 0-1)", rangemode="tozero"),
        yaxis=dict(title="term", autorange="reversed", type="category"),
        showlegend=True,
        legend=_LEGEND,
        height=360,
        **_LAYOUT,
    )
    return fig


def gap_figure(data: GapScatter) -> Any:
    """Train vs test scatter, one colour per value of the gap's main driver, with y = x."""
    go = _go()
    fig = go.Figure()
    colours = np.asarray(data.colour)
    for value in sorted(set(data.colour), key=_natural):
        keep = colours == value
        fig.add_trace(
            go.Scatter(
                x=data.train[keep].tolist(),
                y=data.test[keep].tolist(),
                mode="markers",
                name=f"{data.driver} = {value}" if data.driver else "configuration",
                text=[t for t, k in zip(data.text, keep, strict=True) if k],
                marker=dict(size=6, opacity=0.7),
                hovertemplate="%{text}<br>train %{x:.4g}<br>test %{y:.4g}<extra></extra>",
            )
        )
    both = np.concatenate([data.train, data.test])
    both = both[np.isfinite(both)]
    lo, hi = (float(both.min()), float(both.max())) if len(both) else (0.0, 1.0)
    fig.add_trace(
        go.Scatter(
            x=[lo, hi], y=[lo, hi], mode="lines", name="y = x", line=dict(dash="dash", color="#999")
        )
    )
    fig.update_layout(
        title=f"{data.model}: {data.test_name} vs {data.train_name} loss",
        xaxis=dict(title=f"{data.train_name} loss (mean over folds)"),
        yaxis=dict(title=f"{data.test_name} loss (mean over folds)"),
        legend=_LEGEND,
        height=460,
        **_LAYOUT,
    )
    return fig


def map_tile_figure(lmap: LandscapeMap, *, title: str) -> Any:
    """A small landscape map: points coloured by loss rank, the global optima starred."""
    go = _go()
    glob = lmap.is_global_optimum
    fig = go.Figure(
        [
            go.Scatter(
                x=lmap.coords[:, 0].tolist(),
                y=lmap.coords[:, 1].tolist(),
                mode="markers",
                name="configuration",
                marker=dict(
                    size=6,
                    color=lmap.rank.tolist(),
                    colorscale="Viridis",
                    colorbar=dict(title="rank", thickness=10),
                ),
                hovertemplate="loss %{customdata:.4g}<extra></extra>",
                customdata=lmap.loss.tolist(),
            ),
            go.Scatter(
                x=lmap.coords[glob, 0].tolist(),
                y=lmap.coords[glob, 1].tolist(),
                mode="markers",
                name=f"best ({int(glob.sum())} tied)" if glob.sum() > 1 else "best",
                marker=dict(symbol="star", size=12, color="red"),
            ),
        ]
    )
    fig.update_layout(
        title=dict(text=title, font=dict(size=12)),
        xaxis=dict(title="map x", showticklabels=False),
        yaxis=dict(title="map y", showticklabels=False),
        showlegend=False,
        height=280,
        template="plotly_white",
        margin=dict(l=30, r=10, t=50, b=30),
    )
    return fig


def _natural(value: str) -> tuple:
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)
