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
import re
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
    "plotly_figure_html",
    "png_base64",
    "table_html",
    "write_page",
    "write_plotly_script",
]

#: Top margin (px) of an embedded plotly figure: the strip the modebar floats in, above the
#: plot area (the figure's title is moved to the page's caption, so nothing else goes there).
MODEBAR_MARGIN = 36


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


def _layout_title(fig: Any) -> str:
    title = getattr(fig.layout, "title", None)
    text = getattr(title, "text", None)
    return str(text) if text else ""


_FILLER_WORDS = frozenset({"a", "an", "the", "of", "on", "in", "at", "loss", "vs", "by", "and"})


def _says_more(title: str, caption: str) -> bool:
    """Whether ``title`` has a word (other than filler) that ``caption`` lacks."""

    def words(text: str) -> set[str]:
        return set(re.findall(r"[a-z0-9]+", text.lower()))

    return bool(words(title) - words(caption) - _FILLER_WORDS)


def plotly_figure_html(
    fig: Any,
    fig_id: str,
    *,
    caption: str,
    note: str | None = None,
    data_key: str | None = None,
) -> str:
    """A ``<figure>`` drawing the plotly figure ``fig`` from its JSON spec (by the page's
    render script).

    The figure's own title moves to the caption, so a figure never repeats its card's title
    and the modebar (plotly's toolbar, top right) never covers it: the caption reads
    ``caption`` and, when the title says more than the caption, the title after a dash. The
    figure keeps its title for standalone use; only the embedded spec loses it, and its top
    margin shrinks to the modebar's strip (:data:`MODEBAR_MARGIN`) unless subplot titles sit
    there.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
    fig_id : str
        Id of the ``<div>`` the figure is drawn into (unique on the page).
    caption : str
        Plain text (escaped): the card's title.
    note : str, optional
        Plain text (escaped): one or two sentences saying how to read the figure.
    data_key : str, optional
        A ``data-key`` attribute on the ``<figure>`` (tests and scripts find figures by it).

    Returns
    -------
    str
    """
    pio = require("plotly.io", "viz", purpose="the interactive report")
    title = _layout_title(fig)
    head = html.escape(caption)
    if _says_more(title, caption):
        head += f" <span class='detail'>&mdash; {html.escape(title)}</span>"
    spec = fig.to_dict()
    layout = spec.setdefault("layout", {})
    layout.pop("title", None)
    margin = dict(layout.get("margin") or {})
    # subplot titles (annotations above the plot) keep the figure's margin: they sit below
    # the modebar's strip only with it
    above = any(
        a.get("yref") == "paper" and float(a.get("y", 0)) >= 1
        for a in layout.get("annotations", ())
    )
    if not above:
        margin["t"] = MODEBAR_MARGIN
    layout["margin"] = margin
    text = pio.to_json(spec, validate=False, pretty=False).replace("</", "<\\/")
    key = f" data-key='{html.escape(data_key)}'" if data_key else ""
    note_html = f"<p class='note'>{html.escape(note)}</p>" if note else ""
    return (
        f"<figure{key}><figcaption>{head}</figcaption>{note_html}"
        f"<div id='{html.escape(fig_id)}' class='plot'></div>"
        "<script type='application/json' class='lossatlas-figure' "
        f"data-target='{html.escape(fig_id)}'>{text}</script></figure>"
    )


def write_plotly_script(directory: str | Path) -> str:
    """Write plotly.js once into ``directory`` (if not there yet) and return its file name.

    Pages of one folder (a study's landscape pages) load this one file with
    ``write_page(..., plotly_script=name)`` instead of each embedding its ~4.7 MB copy; the
    folder stays offline as a whole (nothing is fetched).
    """
    plotly = require("plotly", "viz", purpose="the interactive report")
    offline = require("plotly.offline", "viz", purpose="the interactive report")
    name = f"plotly-{plotly.__version__}.min.js"
    target = Path(directory) / name
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{name}.tmp")
        tmp.write_text(offline.get_plotlyjs(), encoding="utf-8")
        tmp.replace(target)
    return name


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
figcaption .detail { font-weight: normal; color: #555; }
img.static { max-width: 100%; }
table.maps { table-layout: fixed; width: 100%; border-collapse: collapse; }
table.maps th[scope='row'] { width: 7em; }
table.maps thead th:first-child { width: 7em; }
table.maps td { vertical-align: top; padding: 0.2em; }
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
    plotly_script: str | None = None,
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
    plotly_script : str, optional
        With ``interactive``: load plotly.js from this file, relative to the page (see
        :func:`write_plotly_script`), instead of embedding it; a missing file shows the page's
        error banner.

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
        if plotly_script:
            src = html.escape(plotly_script)
            missing = html.escape(f"{plotly_script} not found: keep it next to this page")
            plotly_js = f"<script src='{src}' onerror=\"lossatlasRecord('{missing}')\"></script>"
        else:
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
