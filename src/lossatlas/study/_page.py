"""``study.html``: the study report (:func:`lossatlas.viz._study_report.write_study_report`),
or, without plotly, a plain self-contained page of the study's tables.

The plain page: the headline medians next to the reference's, the settings, the profiles, the
median similarity per axis and group, and the top importance terms per landscape.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from lossatlas.study._outputs import atomic_write

__all__ = ["write_study_page", "write_study_report_page"]

_PROFILE_COLUMNS = (
    "landscape",
    "split",
    "n_configs",
    "best_loss",
    "mean_loss",
    "n_local_optima",
    "global_basin_size",
    "fdc",
    "assortativity",
    "autocorrelation",
    "neutrality",
    "n_plateaus",
)
_PAIR_MEASURES = ("spearman", "gamma_set_similarity", "gamma_set_overlap", "shake_up")


def _rows(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
    if frame is None or not len(frame):
        return []
    keep = [c for c in (columns or frame.columns) if c in frame.columns]
    return frame[keep].to_dict("records")


def _headline_rows(headline: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for axis in ("fidelity", "dataset", "split", "model"):
        entry = headline.get(axis) or {}
        reference = entry.get("reference") or {}
        rows.append(
            {
                "axis": axis,
                "scope": entry.get("scope", ""),
                "pairs": entry.get("n_pairs", 0),
                "median Spearman": entry.get("spearman"),
                "reference Spearman": reference.get("spearman", ""),
                "median top-gamma overlap": entry.get("gamma_set_overlap"),
                "reference overlap": reference.get("gamma_set_overlap", ""),
                "median gamma-set IoU": entry.get("gamma_set_similarity"),
                "median shake-up": entry.get("shake_up"),
            }
        )
    return rows


def _pair_medians(similarity: pd.DataFrame) -> pd.DataFrame:
    if not len(similarity):
        return similarity
    measures = [m for m in _PAIR_MEASURES if m in similarity.columns]
    grouped = similarity.groupby(["axis", "value_a", "value_b"], sort=True, dropna=False)
    table = grouped[measures].median().reset_index()
    table.insert(3, "pairs", grouped.size().to_numpy())
    return table


def _top_terms(importance: pd.DataFrame, k: int = 5) -> pd.DataFrame:
    if not len(importance) or "fraction" not in importance.columns:
        return importance
    terms = importance[importance["term"] != "residual"]
    top = terms.sort_values(["landscape", "fraction"], ascending=[True, False], kind="stable")
    return top.groupby("landscape", sort=True).head(k)


def write_study_page(
    path: str | Path,
    *,
    title: str,
    settings: Mapping[str, Any],
    headline: Mapping[str, Any],
    profiles: pd.DataFrame,
    similarity: pd.DataFrame,
    importance: pd.DataFrame,
    notes: Sequence[str] = (),
) -> Path:
    """Write the study page (atomically) and return its path."""
    from lossatlas._pages import table_html, write_page

    protocol = (
        f"{len(settings.get('models', []))} model(s), {len(settings.get('datasets', []))} "
        f"dataset(s), fidelities {html.escape(str(settings.get('fidelities')))}, "
        f"{settings.get('folds')}-fold CV, test_size {settings.get('test_size')}, seeds "
        f"{settings.get('seeds')}; loss <code>{html.escape(str(settings.get('loss')))}</code>, "
        f"epsilon {settings.get('epsilon')}, gamma {settings.get('gamma')}"
    )
    sections = [
        (
            "headline medians",
            "<p class='note'>Medians over the pairs of each axis, next to Huang &amp; Li "
            "(2023).</p>" + table_html(_headline_rows(headline)),
        ),
        (
            "models",
            table_html([dict(m) for m in settings.get("models", [])]),
        ),
        ("profiles", table_html(_rows(profiles, _PROFILE_COLUMNS))),
        (
            "similarity by axis",
            "<p class='note'>Median of each measure per compared pair of values "
            "(fidelities, datasets, models, train vs test).</p>"
            + table_html(_rows(_pair_medians(similarity))),
        ),
        (
            "importance (top 5 terms per landscape)",
            table_html(_rows(_top_terms(importance), ("landscape", "term", "order", "fraction"))),
        ),
    ]
    return atomic_write(
        path,
        lambda tmp: write_page(
            tmp, title=title, settings=protocol, sections=sections, notes=list(notes)
        ),
    )


def write_study_report_page(
    out: str | Path,
    *,
    landscapes: Sequence[Any] | None = None,
    progress: bool = False,
    **plain: Any,
) -> Path:
    """Write ``out/study.html`` (atomically): the study report, or the plain page (keyword
    arguments of :func:`write_study_page`) when plotly is not installed."""
    try:
        import plotly  # noqa: F401
    except ImportError:
        return write_study_page(Path(out) / "study.html", **plain)
    from lossatlas.viz._progress import stage_printer
    from lossatlas.viz._study_report import write_study_report

    say = stage_printer(progress, label="study report")
    return atomic_write(
        Path(out) / "study.html",
        lambda tmp: write_study_report(out, tmp, landscapes=landscapes, progress=say),
    )
