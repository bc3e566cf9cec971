"""Plotly renderers of the landscape figures (extra ``viz``; plotly imported lazily).

The same plot data as :mod:`lossatlas.viz._plots`, drawn as interactive ``plotly`` figures for
the HTML report. Each function returns a ``plotly.graph_objects.Figure``; the slices, pairwise
marginals and loss scatters are drawn by :mod:`lossatlas.viz._interactive_slices`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lossatlas.errors import require
from lossatlas.viz._landscape_map import LandscapeMap
from lossatlas.viz._plotdata import (
    Autocorrelation,
    BasinSizes,
    OptimaNetwork,
    Surface,
)

__all__ = [
    "COLORSCALE",
    "LAYOUT",
    "autocorrelation_figure",
    "basin_sizes_figure",
    "contour_figure",
    "map_figure",
    "optima_network_figure",
    "plotly_go",
    "surface_3d_figure",
]

#: Colour scale of every loss-coloured plotly figure.
COLORSCALE = "Viridis"
#: Layout shared by every plotly figure; t=80 puts the title below the modebar (plotly's
#: toolbar floats over the top ~40 px of a figure).
LAYOUT: dict[str, Any] = dict(template="plotly_white", margin=dict(l=50, r=20, t=80, b=50))
# Layout of the 2-D embeddings (map, contours, optima network): the axes have no units.
_PLANE_LAYOUT: dict[str, Any] = dict(
    xaxis=dict(showticklabels=False),
    yaxis=dict(showticklabels=False),
    legend=dict(orientation="h", y=-0.05),
    **LAYOUT,
)


def plotly_go() -> Any:
    """``plotly.graph_objects``, or an error that names the ``viz`` extra."""
    return require("plotly.graph_objects", "viz", purpose="interactive report figures")


def _optima_traces(go: Any, coords: np.ndarray, local: np.ndarray, glob: np.ndarray) -> list:
    only_local = local & ~glob
    return [
        go.Scatter(
            x=coords[only_local, 0],
            y=coords[only_local, 1],
            mode="markers",
            name="local optimum",
            marker=dict(symbol="triangle-up", size=9, color="white", line=dict(width=1.5)),
        ),
        _global_trace(go, coords[glob]),
    ]


def _global_trace(go: Any, xy: np.ndarray) -> Any:
    """Red stars at the global optima ``xy`` (shape (n, 2)); several are tied configurations."""
    n = len(xy)
    return go.Scatter(
        x=xy[:, 0],
        y=xy[:, 1],
        mode="markers",
        name=f"global optimum ({n} tied configurations)" if n > 1 else "global optimum",
        marker=dict(symbol="star", size=16, color="red", line=dict(width=1)),
    )


def map_figure(lmap: LandscapeMap, *, surface: Surface | None = None) -> Any:
    """The landscape map: points coloured by loss rank over the rank contours; optima marked.

    Parameters
    ----------
    lmap : LandscapeMap
        From :func:`~lossatlas.viz.landscape_map`.
    surface : Surface, optional
        Drawn as contours underneath.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    go = plotly_go()
    fig = go.Figure()
    if surface is not None:
        fig.add_trace(
            go.Contour(
                x=surface.x,
                y=surface.y,
                z=surface.z,
                colorscale=COLORSCALE,
                opacity=0.4,
                showscale=False,
                hoverinfo="skip",
                contours=dict(showlines=False),
                name="surface",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=lmap.coords[:, 0],
            y=lmap.coords[:, 1],
            mode="markers",
            name="configuration",
            marker=dict(
                size=5,
                color=lmap.rank,
                colorscale=COLORSCALE,
                colorbar=dict(title="loss rank"),
            ),
            customdata=np.column_stack([lmap.rows, lmap.loss]),
            hovertemplate="row %{customdata[0]}<br>loss %{customdata[1]:.4g}"
            "<br>rank %{marker.color}<extra></extra>",
        )
    )
    for trace in _optima_traces(go, lmap.coords, lmap.is_local_optimum, lmap.is_global_optimum):
        fig.add_trace(trace)
    fallback = " (fallback: umap-learn missing)" if lmap.fallback else ""
    sub = f", {len(lmap.rows)} of {lmap.n_configs} configs" if lmap.subsampled else ""
    fig.update_layout(
        title=f"landscape map ({lmap.method}{fallback}{sub}; epsilon {lmap.epsilon:g})",
        height=560,
        **_PLANE_LAYOUT,
    )
    return fig


def contour_figure(surface: Surface, *, lmap: LandscapeMap | None = None) -> Any:
    """Filled contours of the interpolated rank surface.

    Parameters
    ----------
    surface : Surface
        From :func:`~lossatlas.viz.interpolated_surface`.
    lmap : LandscapeMap, optional
        Its optima are marked.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    go = plotly_go()
    fig = go.Figure(
        go.Contour(
            x=surface.x,
            y=surface.y,
            z=surface.z,
            colorscale=COLORSCALE,
            ncontours=20,
            colorbar=dict(title=surface.value),
            name="surface",
        )
    )
    if lmap is not None:
        for trace in _optima_traces(go, lmap.coords, lmap.is_local_optimum, lmap.is_global_optimum):
            fig.add_trace(trace)
    fig.update_layout(
        title=f"interpolated {surface.value} (linear, 100 x 100)",
        height=480,
        **_PLANE_LAYOUT,
    )
    return fig


def surface_3d_figure(surface: Surface) -> Any:
    """The rank surface in 3-D.

    Parameters
    ----------
    surface : Surface
        From :func:`~lossatlas.viz.interpolated_surface`.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    go = plotly_go()
    fig = go.Figure(
        go.Surface(x=surface.x, y=surface.y, z=surface.z, colorscale=COLORSCALE, showscale=False)
    )
    fig.update_layout(
        title=f"{surface.value} surface (3-D)",
        height=520,
        scene=dict(zaxis=dict(title=surface.value), xaxis=dict(title=""), yaxis=dict(title="")),
        **LAYOUT,
    )
    return fig


def optima_network_figure(net: OptimaNetwork, *, max_optima: int = 300) -> Any:
    """Local-optima network: markers sized by basin, lines = best escapes (arrowheads omitted).

    Parameters
    ----------
    net : OptimaNetwork
        From :func:`~lossatlas.viz.optima_network`.
    max_optima : int, default 300
        Most optima drawn (the largest basins).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    go = plotly_go()
    order = np.lexsort((net.loss, -net.basin_size))[:max_optima]
    shown = np.union1d(order, np.flatnonzero(net.is_global))
    keep = np.isin(net.source, shown) & np.isin(net.target, shown)
    xs: list[float | None] = []
    ys: list[float | None] = []
    for s, t in zip(net.source[keep], net.target[keep], strict=True):
        xs += [float(net.position[s, 0]), float(net.position[t, 0]), None]
        ys += [float(net.position[s, 1]), float(net.position[t, 1]), None]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            line=dict(color="#999", width=1),
            name="best escape",
            hoverinfo="skip",
        )
    )
    size = 8 + 40 * np.sqrt(net.basin_size[shown] / max(int(net.basin_size.max()), 1))
    # one optimum (or equal losses) has no loss range: a colour bar would invent one
    spread = len(shown) > 1 and float(np.ptp(net.loss[shown])) > 0
    fig.add_trace(
        go.Scatter(
            x=net.position[shown, 0],
            y=net.position[shown, 1],
            mode="markers",
            name="local optimum",
            marker=dict(
                size=size,
                color=net.loss[shown] if spread else "#1f77b4",
                colorscale=COLORSCALE if spread else None,
                showscale=spread,
                colorbar=dict(title="loss") if spread else None,
                line=dict(width=1, color="black"),
            ),
            customdata=np.column_stack([net.basin_size[shown], net.loss[shown]]),
            hovertemplate="basin %{customdata[0]}<br>loss %{customdata[1]:.4g}<extra></extra>",
        )
    )
    glob = shown[net.is_global[shown]]
    fig.add_trace(_global_trace(go, net.position[glob]))
    fig.update_layout(
        title=f"local-optima network ({len(net.loss)} optim{'um' if len(net.loss) == 1 else 'a'})",
        height=480,
        **_PLANE_LAYOUT,
    )
    return fig


def basin_sizes_figure(data: BasinSizes) -> Any:
    """Basin sizes, largest first; the global optimum's in red.

    Parameters
    ----------
    data : BasinSizes
        From :func:`~lossatlas.viz.basin_sizes`.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    go = plotly_go()
    rank = np.arange(1, len(data.size) + 1)
    fig = go.Figure(
        go.Bar(
            x=rank,
            y=data.size,
            marker=dict(color=np.where(data.is_global, "red", "#1f77b4")),
            customdata=data.loss,
            hovertemplate="basin %{y}<br>optimum loss %{customdata:.4g}<extra></extra>",
        )
    )
    log = len(data.size) and data.size.max() / max(data.size.min(), 1) > 50
    fig.update_layout(
        title=f"basin sizes ({len(data.size)} optima, epsilon {data.epsilon:g}; red = global)",
        xaxis=dict(title="local optimum (largest basin first)"),
        yaxis=dict(title="basin size", type="log" if log else "linear"),
        height=360,
        **LAYOUT,
    )
    return fig


def autocorrelation_figure(data: Autocorrelation) -> Any:
    """Random-walk autocorrelation against lag, with ``r(1)^s``.

    Parameters
    ----------
    data : Autocorrelation
        From :func:`~lossatlas.viz.autocorrelation_curve`.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    go = plotly_go()
    fig = go.Figure(
        [
            go.Scatter(x=data.lags, y=data.r, mode="lines+markers", name="random walks"),
            go.Scatter(
                x=data.lags,
                y=data.ar1,
                mode="lines",
                name="r(1)^s (AR(1))",
                line=dict(dash="dash", color="#999"),
            ),
        ]
    )
    fig.update_layout(
        title=f"autocorrelation ({data.n_walks} walks x {data.walk_length} steps)",
        xaxis=dict(title="lag s"),
        yaxis=dict(title="r(s)"),
        height=360,
        **LAYOUT,
    )
    return fig
