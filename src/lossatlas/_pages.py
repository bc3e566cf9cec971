"""Self-contained HTML pages: the page shell, embedded PNG figures and small tables.

The neutral layer both reports stand on: the hyperparameter report (:mod:`lossatlas.viz`) and
the energy-landscape report (:mod:`lossatlas.energy`) write their pages with
:func:`write_page` and share :func:`figure_html` and :func:`table_html`, so they look alike and
stay self-contained (images are ``data:`` URIs, nothing is fetched). It imports neither the
hyperparameter stack nor the energy stack; plotly is imported only for an interactive page.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from string import Template
from typing import Any

import numpy as np

from lossatlas.errors import require

__all__ = [
    "PAGE",
    "RENDER_SCRIPT",
    "figure_html",
    "format_cell",
    "png_base64",
    "table_html",
    "write_page",
]


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


# Runs before anything else: script errors, rejected promises and console.error calls show a
# visible banner and set ``data-js-errors`` on <html>, so a broken figure is never silent (and
# headless checks can read it from the DOM).
_ERROR_HOOK = """
window.lossatlasErrors = [];
function lossatlasRecord(message) {
  window.lossatlasErrors.push(String(message));
  document.documentElement.setAttribute('data-js-errors', String(window.lossatlasErrors.length));
  var banner = document.getElementById('lossatlas-errors');
  if (banner) { banner.hidden = false; banner.textContent += ' ' + message; }
}
window.addEventListener('error', function (event) { lossatlasRecord(event.message || event); });
window.addEventListener('unhandledrejection', function (event) { lossatlasRecord(event.reason); });
(function () {
  var original = console.error;
  console.error = function () {
    lossatlasRecord(Array.prototype.join.call(arguments, ' '));
    return original.apply(console, arguments);
  };
})();
"""

# Draws every figure from its JSON spec; <body data-plots-rendered="N"> once all N are drawn.
RENDER_SCRIPT = """
(function () {
  var specs = document.querySelectorAll('script.lossatlas-figure');
  var pending = [];
  specs.forEach(function (node) {
    var spec = JSON.parse(node.textContent);
    var target = document.getElementById(node.getAttribute('data-target'));
    pending.push(Plotly.newPlot(target, spec.data, spec.layout,
                                {responsive: true, displaylogo: false}));
  });
  Promise.all(pending).then(function () {
    document.body.setAttribute('data-plots-rendered', String(pending.length));
  }, lossatlasRecord);
})();
"""

PAGE = Template(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="lossatlas">
<title>$title</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1400px; padding: 1em 2em;
       color: #222; }
h1 { margin-bottom: 0.2em; }
.meta, .note { color: #555; font-size: 0.9em; }
.warning { background: #fff4d6; border-left: 4px solid #e0a800; padding: 0.4em 0.8em; }
#lossatlas-errors { background: #fde2e2; border-left: 4px solid #c00; padding: 0.4em 0.8em; }
table.profile, table.data { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
table.profile th, table.profile td, table.data th, table.data td { border-bottom: 1px solid #ddd;
       padding: 0.25em 0.6em; text-align: left; }
table.profile td.num, table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.profile td.reading { color: #555; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 1em; }
figure { margin: 0; border: 1px solid #eee; padding: 0.5em; }
figcaption { font-weight: bold; }
img.static { max-width: 100%; }
nav ul { columns: 3; }
</style>
<script>$error_hook</script>
$plotly_js
</head>
<body>
<h1>$title</h1>
<p class="meta">$settings</p>
<p id="lossatlas-errors" hidden>Some figures failed to render:</p>
$notes
<nav><ul>$toc</ul></nav>
$body
<!-- lossatlas:extra-sections:start -->
$extra_sections
<!-- lossatlas:extra-sections:end -->
<footer class="meta">$n_figures figures. Generated by lossatlas.</footer>
$render
</body>
</html>
"""
)

PAGE = Template(PAGE.safe_substitute(error_hook=_ERROR_HOOK))


def write_page(
    path: str | Path,
    *,
    title: str,
    settings: str,
    sections: Sequence[tuple[str, str]] = (),
    body: str = "",
    toc: Sequence[str] = (),
    notes: Sequence[str] = (),
    interactive: bool = False,
    n_figures: int | None = None,
) -> Path:
    """Write one self-contained report page (the template of every lossatlas report).

    Parameters
    ----------
    path : str or Path
        The ``.html`` file to write (parent folders are created).
    title : str
        Plain text (escaped).
    settings : str
        Trusted HTML: one line under the title saying how the page was made.
    sections : sequence of (title, html)
        Sections appended, in order, between the ``<!-- lossatlas:extra-sections -->`` markers,
        with anchors ``extra-0``, ``extra-1``...; titles are escaped, the HTML is inserted as
        given (trusted, from code).
    body : str
        Trusted HTML placed before ``sections`` (a report's own sections).
    toc : sequence of str
        ``<li>`` entries of the table of contents for ``body``; the sections' are added.
    notes : sequence of str
        Plain-text warnings shown under the settings line.
    interactive : bool, default False
        Embed plotly.js and the script that draws the figures' JSON specs.
    n_figures : int, optional
        Count shown in the footer (default: the ``<figure>`` elements of the page).

    Returns
    -------
    Path
    """
    toc_items = list(toc)
    extras = []
    for j, (extra_title, extra_html) in enumerate(sections):
        toc_items.append(f"<li><a href='#extra-{j}'>{html.escape(extra_title)}</a></li>")
        extras.append(
            f"<section id='extra-{j}'><h2>{html.escape(extra_title)}</h2>{extra_html}</section>"
        )
    if n_figures is None:
        n_figures = (body + "".join(extras)).count("<figure>")
    plotly_js = ""
    render = ""
    if interactive:
        offline = require("plotly.offline", "viz", purpose="the interactive report")
        plotly_js = f"<script>{offline.get_plotlyjs()}</script>"
        render = f"<script>{RENDER_SCRIPT}</script>"
    page = PAGE.substitute(
        title=html.escape(title),
        plotly_js=plotly_js,
        settings=settings,
        notes="".join(f"<p class='warning'>{html.escape(n)}</p>" for n in notes),
        toc="".join(toc_items),
        body=body,
        extra_sections="".join(extras),
        render=render,
        n_figures=n_figures,
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out
