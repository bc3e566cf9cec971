"""Report sections that explain landscapes: HP importance and comparisons between landscapes.

They turn :func:`lossatlas.analysis._importance.importance` (functional ANOVA, Hutter, Hoos &
Leyton-Brown 2014) and :func:`lossatlas.analysis._comparison.compare_landscapes` (Spearman,
shake-up and gamma-set similarity of Huang & Li 2023) into ``(title, html)`` pairs for
:func:`lossatlas.viz._report.write_report`'s ``extra_sections``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd

from lossatlas import columns as roles
from lossatlas._pages import table_html
from lossatlas.errors import LossAtlasError
from lossatlas.landscape import Landscape

__all__ = ["analysis_sections", "importance_section", "comparison_section"]

_SIMILARITY_COLUMNS = ("a", "b", "n_common", "spearman", "shake_up", "gamma_set_similarity")


def _table(frame: pd.DataFrame) -> str:
    return table_html(frame.to_dict("records"))


def importance_section(
    landscapes: Sequence[Landscape], *, loss: str = "test", seed: int = 0, top: int = 8
) -> tuple[str, str] | None:
    """The largest fANOVA terms (main effects and pairs) of every landscape."""
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
        parts.append(f"<h3>{html.escape(landscape.label)}</h3>{_table(shown)}")
    return ("hyperparameter importance", "".join(parts)) if len(parts) > 1 else None


def _varying(landscapes: Sequence[Landscape], predicate) -> bool:
    keys = {k for land in landscapes for k in land.metadata if predicate(k)}
    return any(len({repr(land.metadata.get(k)) for land in landscapes}) > 1 for k in keys)


def comparison_section(
    landscapes: Sequence[Landscape], *, loss: str = "test"
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
        parts.append(
            f"<h3>by {by}</h3><p>{html.escape(result.summary)}</p>{_table(result.pairs[columns])}"
        )
    return ("comparisons", "".join(parts)) if parts else None


def analysis_sections(
    landscapes: Sequence[Landscape], *, loss: str = "test", seed: int = 0
) -> list[tuple[str, str]]:
    """Importance and comparison sections, those that apply to ``landscapes``."""
    sections = [
        importance_section(landscapes, loss=loss, seed=seed),
        comparison_section(landscapes, loss=loss),
    ]
    return [s for s in sections if s is not None]
