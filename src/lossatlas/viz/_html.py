"""HTML fragments shared by every lossatlas report: embedded PNG figures and small tables.

One place for the markup, so the hyperparameter report (:mod:`lossatlas.viz._report`) and the
energy-landscape report (:mod:`lossatlas.energy._report`) look alike and both stay
self-contained (images are ``data:`` URIs, nothing is fetched).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["figure_html", "format_cell", "png_base64", "table_html"]


def png_base64(fig: Any, *, dpi: int = 72, tight: bool = False) -> str:
    """A matplotlib figure as base64-encoded PNG bytes (no timestamp, so output is stable)."""
    buf = io.BytesIO()
    options: dict[str, Any] = {"bbox_inches": "tight"} if tight else {}
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None}, **options)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def figure_html(
    fig: Any,
    *,
    caption: str | None = None,
    note: str | None = None,
    fig_id: str | None = None,
    dpi: int = 72,
    tight: bool = False,
) -> str:
    """A ``<figure>`` holding ``fig`` (a matplotlib Figure) as an embedded PNG image.

    ``caption`` and ``note`` are plain text (escaped); the image's ``alt`` is the caption.
    """
    title = html.escape(caption or "figure")
    head = f"<figcaption>{title}</figcaption>" if caption else ""
    if note:
        head += f"<p class='note'>{html.escape(note)}</p>"
    ident = f"id='{html.escape(fig_id)}' " if fig_id else ""
    return (
        f"<figure>{head}<img {ident}class='static' alt='{title}' "
        f"src='data:image/png;base64,{png_base64(fig, dpi=dpi, tight=tight)}'></figure>"
    )


def format_cell(value: Any) -> str:
    """One table cell's text: floats to 4 significant digits, NaN/None empty, escaped."""
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}" if np.isfinite(value) else ""
    return html.escape(str(value))


def table_html(rows: Sequence[Mapping[str, Any]], *, empty: str = "(none)") -> str:
    """A ``<table class='data'>`` of ``rows`` (dicts sharing the first row's keys).

    Numbers are right-aligned (``td.num``); an empty ``rows`` gives ``<p>{empty}</p>``.
    """
    if not rows:
        return f"<p class='note'>{html.escape(empty)}</p>"
    keys = list(rows[0])
    head = "".join(f"<th>{html.escape(str(k))}</th>" for k in keys)
    body = []
    for row in rows:
        cells = []
        for k in keys:
            v = row.get(k)
            numeric = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(
                v, (bool, np.bool_)
            )
            cls = " class='num'" if numeric else ""
            cells.append(f"<td{cls}>{format_cell(v)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f"<table class='data'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
