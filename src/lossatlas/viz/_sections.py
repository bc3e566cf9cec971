"""Report sections that explain landscapes: HP importance and comparisons between landscapes.

They turn :func:`lossatlas.analysis._importance.importance` (functional ANOVA, Hutter, Hoos &
Leyton-Brown 2014) and :func:`lossatlas.analysis._comparison.compare_landscapes` (Spearman,
shake-up and gamma-set similarity of Huang & Li 2023) into ``(title, html)`` pairs for
:func:`lossatlas.viz._report.write_report`'s ``extra_sections``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd

from lossatlas import columns as roles
from lossatlas._pages import figure_html, plotly_figure_html, table_html
from lossatlas.errors import LossAtlasError, require
from lossatlas.landscape import Landscape

__all__ = [
    "analysis_sections",
    "comparison_section",
    "importance_bars_html",
    "importance_section",
    "similarity_heatmap_html",
]

_SIMILARITY_COLUMNS = ("a", "b", "n_common", "spearman", "shake_up", "gamma_set_similarity")


def _table(frame: pd.DataFrame) -> str:
    return table_html(frame.to_dict("records"))


def importance_bars_html(terms: pd.DataFrame, *, label: str, fig_id: str, interactive: bool) -> str:
    """Horizontal bars of the terms' variance shares (``term``, ``fraction``), largest on top."""
    names = [str(t) for t in terms["term"]]
    shares = [float(v) for v in terms["fraction"]]
    title = f"importance: {label}"
    note = "Share of the loss variance explained by each term (fANOVA); pairs are 'a:b'."
    if interactive:
        go = require("plotly.graph_objects", "viz", purpose="the interactive report")
        fig = go.Figure(go.Bar(x=shares, y=names, orientation="h", name="variance share"))
        fig.update_layout(
            title=title,
            xaxis=dict(title="share of loss variance (0-1)", rangemode="tozero"),
            yaxis=dict(title="term", autorange="reversed", type="category"),
            showlegend=True,
            legend=dict(orientation="h", y=-0.25),
            height=120 + 28 * len(names),
            template="plotly_white",
            margin=dict(l=120, r=20, t=80, b=60),
        )
        return plotly_figure_html(fig, fig_id, caption=title, note=note)
    plt = require("matplotlib.pyplot", "viz", purpose="static report figures")
    fig, ax = plt.subplots(figsize=(6, 1 + 0.35 * len(names)))
    ax.barh(names[::-1], shares[::-1], label="variance share")
    ax.set_xlabel("share of loss variance (0-1)")
    ax.set_ylabel("term")
    ax.set_title(title)
    ax.legend(loc="lower right")
    fig.tight_layout()
    out = figure_html(fig, caption=title, note=note, fig_id=fig_id)
    plt.close(fig)
    return out


def similarity_heatmap_html(
    pairs: pd.DataFrame, *, by: str, fig_id: str, interactive: bool, measure: str = "spearman"
) -> str | None:
    """A symmetric heatmap of ``measure`` between every compared pair of landscapes."""
    if measure not in pairs.columns or not len(pairs):
        return None
    names = sorted(set(pairs["a"].astype(str)) | set(pairs["b"].astype(str)))
    index = {n: i for i, n in enumerate(names)}
    z = np.full((len(names), len(names)), np.nan)
    np.fill_diagonal(z, 1.0)
    for a, b, v in zip(pairs["a"].astype(str), pairs["b"].astype(str), pairs[measure], strict=True):
        z[index[a], index[b]] = z[index[b], index[a]] = float(v)
    if not np.isfinite(z[~np.eye(len(names), dtype=bool)]).any():
        return None
    title = f"{measure} between landscapes (by {by})"
    note = (
        "Rank correlation of the losses on the configurations two landscapes share (1: same order)."
    )
    if interactive:
        go = require("plotly.graph_objects", "viz", purpose="the interactive report")
        fig = go.Figure(
            go.Heatmap(
                x=names,
                y=names,
                z=np.where(np.isfinite(z), z, None).tolist(),
                zmin=-1,
                zmax=1,
                colorscale="RdBu",
                colorbar=dict(title=measure),
            )
        )
        fig.update_layout(
            title=title,
            xaxis=dict(title="landscape", type="category"),
            yaxis=dict(title="landscape", type="category"),
            height=260 + 30 * len(names),
            template="plotly_white",
            margin=dict(l=60, r=20, t=80, b=60),
        )
        return plotly_figure_html(fig, fig_id, caption=title, note=note)
    plt = require("matplotlib.pyplot", "viz", purpose="static report figures")
    fig, ax = plt.subplots(figsize=(5, 4))
    image = ax.imshow(np.ma.masked_invalid(z), vmin=-1, vmax=1, cmap="RdBu")
    ax.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.set_xlabel("landscape")
    ax.set_ylabel("landscape")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label=measure)
    fig.tight_layout()
    out = figure_html(fig, caption=title, note=note, fig_id=fig_id)
    plt.close(fig)
    return out


def importance_section(
    landscapes: Sequence[Landscape],
    *,
    loss: str = "test",
    seed: int = 0,
    top: int = 8,
    interactive: bool = False,
) -> tuple[str, str] | None:
    """The largest fANOVA terms (main effects and pairs) of every landscape: bars and table."""
    from lossatlas.analysis._importance import importance

    parts = [
        "<p>Share of the loss variance explained by each hyperparameter and pair (functional "
        "ANOVA: exact on a complete grid, a random-forest surrogate otherwise).</p>"
    ]
    for landscape in landscapes:
        try:
            frame = importance(landscape, loss=loss, order=2, seed=seed)
        except LossAtlasError as exc:
            message = html.escape(f"{landscape.label}: {exc}")
            parts.append(f"<p class='warning'>{message}</p>")
            continue
        terms = frame[frame["term"] != "residual"].head(top)
        rest = frame[frame["term"] == "residual"]
        shown = pd.concat([terms, rest])[["term", "fraction"]]
        bars = importance_bars_html(
            terms,
            label=landscape.label,
            fig_id=f"importance-{len(parts)}",
            interactive=interactive,
        )
        parts.append(
            f"<h3>{html.escape(landscape.label)}</h3><div class='grid'>{bars}"
            f"<div>{_table(shown)}</div></div>"
        )
    return ("hyperparameter importance", "".join(parts)) if len(parts) > 1 else None


def _varying(landscapes: Sequence[Landscape], predicate) -> bool:
    keys = {k for land in landscapes for k in land.metadata if predicate(k)}
    return any(len({repr(land.metadata.get(k)) for land in landscapes}) > 1 for k in keys)


def comparison_section(
    landscapes: Sequence[Landscape], *, loss: str = "test", interactive: bool = False
) -> tuple[str, str] | None:
    """Similarity of landscapes across fidelities, datasets, models and train vs test."""
    from lossatlas.analysis._comparison import compare_landscapes

    plans = []
    if _varying(landscapes, lambda k: k.startswith(roles.FIDELITY_PREFIX)):
        plans.append("fidelity")
    if _varying(landscapes, lambda k: k == "dataset"):
        plans.append("dataset")
    if _varying(landscapes, lambda k: k == "model"):
        plans.append("model")
    if all("train" in land.losses for land in landscapes) and loss != "train":
        plans.append("split")
    parts = []
    for by in plans:
        try:
            result = compare_landscapes(landscapes, by=by, loss=loss, profiles=False)
        except LossAtlasError as exc:
            parts.append(f"<p class='warning'>by {by}: {html.escape(str(exc))}</p>")
            continue
        if result.pairs.empty:
            continue
        columns = [c for c in _SIMILARITY_COLUMNS if c in result.pairs.columns]
        heat = similarity_heatmap_html(
            result.pairs, by=by, fig_id=f"similarity-{len(parts)}", interactive=interactive
        )
        parts.append(
            f"<h3>by {by}</h3><p>{html.escape(result.summary)}</p>{heat or ''}"
            f"{_table(result.pairs[columns])}"
        )
    return ("comparisons", "".join(parts)) if parts else None


def analysis_sections(
    landscapes: Sequence[Landscape],
    *,
    loss: str = "test",
    seed: int = 0,
    interactive: bool = False,
) -> list[tuple[str, str]]:
    """Importance and comparison sections (figures next to tables), those that apply."""
    sections = [
        importance_section(landscapes, loss=loss, seed=seed, interactive=interactive),
        comparison_section(landscapes, loss=loss, interactive=interactive),
    ]
    return [s for s in sections if s is not None]
