"""``study.html``: the study report, figures that compare every landscape of a study at once.

Reads a study's output directory (``profiles.parquet``, ``similarity.parquet``,
``importance.parquet``, ``results.parquet``, ``summary.json``), computes the plot data
(:mod:`lossatlas.viz._study_plotdata`) and draws it with plotly
(:mod:`lossatlas.viz._study_figures`) into one self-contained page; each full-fidelity landscape
also gets its own one-landscape report under ``landscapes/``, linked from the map grid.

References
----------
C. Huang, K. Li. On the Hyperparameter Loss Landscapes of Machine Learning Models: An
Exploratory Study. arXiv:2311.14014, 2023.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from lossatlas._pages import plotly_figure_html, table_html, write_page, write_plotly_script
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape
from lossatlas.viz import _study_figures as figs
from lossatlas.viz import _study_plotdata as sp

__all__ = ["STUDY_TABLES", "is_study_directory", "study_landscapes_from", "write_study_report"]

STUDY_TABLES = ("profiles.parquet", "similarity.parquet", "importance.parquet", "summary.json")
LANDSCAPE_DIR = "landscapes"

Progress = Callable[[str], None]


def is_study_directory(path: str | Path) -> bool:
    """True when ``path`` is a directory holding a study's tables."""
    path = Path(path)
    return path.is_dir() and all((path / name).is_file() for name in STUDY_TABLES)


def _read(out: Path, name: str) -> pd.DataFrame:
    path = out / name
    if not path.is_file():
        return pd.DataFrame()
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several kinds on a damaged file
        raise InputError(f"{path}: not a readable Parquet table ({exc})") from None


def study_landscapes_from(out: str | Path) -> list[Landscape]:
    """The landscapes of a study rebuilt from its ``results.parquet`` (grids in its metadata)."""
    import pyarrow.parquet as pq

    from lossatlas.io import read_landscapes
    from lossatlas.space import SearchSpace

    path = Path(out) / "results.parquet"
    if not path.is_file():
        return []
    meta = pq.read_schema(path).metadata or {}
    spaces = json.loads(meta.get(b"lossatlas.spaces", b"{}"))
    table = pd.read_parquet(path)
    landscapes: list[Landscape] = []
    for model, frame in table.groupby("model", sort=False):
        if str(model) not in spaces or not frame["status"].astype(str).eq("ok").any():
            continue
        space = SearchSpace.from_dict(spaces[str(model)])
        frame = frame.dropna(axis=1, how="all")
        landscapes += read_landscapes(frame, space=space, on_invalid="drop")
    return landscapes


def _slug(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", label).strip("_") or "landscape"


class _Figures:
    def __init__(self, progress: Progress) -> None:
        self.count = 0
        self.progress = progress

    def add(self, fig: Any, title: str, note: str, key: str) -> str:
        self.progress(f"figure {self.count + 1}: {title}")
        out = plotly_figure_html(fig, f"fig-{self.count}", caption=title, note=note, data_key=key)
        self.count += 1
        return out


def _findings_table(rows: Sequence[sp.Finding]) -> str:
    def verdict(agrees: bool | None) -> str:
        return "n/a" if agrees is None else ("yes" if agrees else "no")

    return table_html(
        [
            {
                "finding (Huang & Li 2023)": r.finding,
                "reference": r.reference,
                "this study": r.measured,
                "n": r.pairs,
                "agrees": verdict(r.agrees),
            }
            for r in rows
        ]
    )


def _map_grid(
    landscapes: Sequence[Landscape],
    out: Path,
    figures: _Figures,
    *,
    loss: str,
    epsilon: float,
    seed: int,
    pages: bool,
    progress: Progress,
) -> tuple[str, list[str]]:
    from lossatlas.study._analysis import full_fidelity_labels
    from lossatlas.viz._landscape_map import landscape_map
    from lossatlas.viz._report import write_report

    full = full_fidelity_labels(landscapes)
    chosen = sorted(
        (land for land in landscapes if land.label in full),
        key=lambda land: (str(land.metadata.get("model")), str(land.metadata.get("dataset"))),
    )
    models = list(dict.fromkeys(str(land.metadata.get("model")) for land in chosen))
    datasets = sorted({str(land.metadata.get("dataset")) for land in chosen})
    cells = {(str(x.metadata.get("model")), str(x.metadata.get("dataset"))): x for x in chosen}
    methods: set[str] = set()
    # the landscape pages share one plotly.js next to them (each would embed ~4.7 MB)
    script = write_plotly_script(out / LANDSCAPE_DIR) if pages and chosen else None
    rows = []
    for model in models:
        tds = [f"<th scope='row'>{html.escape(model)}</th>"]
        for dataset in datasets:
            land = cells.get((model, dataset))
            if land is None:
                tds.append("<td></td>")
                continue
            progress(f"map of {land.label}")
            lmap = landscape_map(land, loss=loss, epsilon=epsilon, seed=seed)
            methods.add(lmap.method)
            link = ""
            if pages:
                name = f"{LANDSCAPE_DIR}/{_slug(land.label)}.html"
                progress(f"landscape page {name}")
                write_report(
                    land,
                    out / name,
                    loss=loss,
                    epsilon=epsilon,
                    seed=seed,
                    title=f"lossatlas report: {land.label}",
                    progress=progress,
                    plotly_script=script,
                )
                link = f"<a href='{html.escape(name)}'>open the landscape's report</a>"
            tile = figures.add(
                figs.map_tile_figure(lmap, title=f"{model} on {dataset}"),
                land.label,
                f"{land.n} configurations; colour = loss rank (1 = best).",
                f"map:{land.label}",
            )
            tds.append(f"<td class='tile'>{tile}{link}</td>")
        rows.append(f"<tr>{''.join(tds)}</tr>")
    head = "".join(f"<th>{html.escape(d)}</th>" for d in datasets)
    table = (
        f"<table class='maps'><thead><tr><th>model \\ dataset</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return table, sorted(methods)


def write_study_report(
    out: str | Path,
    path: str | Path | None = None,
    *,
    landscapes: Sequence[Landscape] | None = None,
    title: str | None = None,
    seed: int = 0,
    landscape_pages: bool = True,
    progress: Progress | None = None,
) -> Path:
    """Write the study report of the study output directory ``out`` and return its path.

    Parameters
    ----------
    out : str or Path
        A study's ``--out`` directory (see :data:`STUDY_TABLES`).
    path : str or Path, optional
        The page to write (default ``out/study.html``).
    landscapes : sequence of Landscape, optional
        The study's landscapes (default: rebuilt from ``results.parquet``), for the map grid.
    title : str, optional
    seed : int, default 0
        Seed of the maps.
    landscape_pages : bool, default True
        Write each full-fidelity landscape's own report under ``out/landscapes/`` and link it.
    progress : callable, optional
        Called with one line per stage (each figure, map and landscape page).

    Returns
    -------
    Path

    References
    ----------
    C. Huang, K. Li. On the Hyperparameter Loss Landscapes of Machine Learning Models: An
    Exploratory Study. arXiv:2311.14014, 2023.
    """
    out = Path(out)
    say: Progress = progress or (lambda message: None)
    if not is_study_directory(out):
        raise InputError(f"{out}: not a study directory (needs {', '.join(STUDY_TABLES)})")
    try:
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{out / 'summary.json'}: not readable JSON ({exc})") from None
    settings = summary.get("study", {})
    loss = str(settings.get("loss", "test"))
    epsilon = float(settings.get("epsilon", 0.0) or 0.0)
    say("reading the study's tables")
    profiles = _read(out, "profiles.parquet")
    similarity = _read(out, "similarity.parquet")
    importance = _read(out, "importance.parquet")
    results = _read(out, "results.parquet")
    figures = _Figures(say)
    sections: list[tuple[str, str]] = []

    rows = sp.findings(summary, profiles)
    sections.append(
        (
            "headline medians: the reference's findings",
            "<p class='note'>Each finding of Huang &amp; Li (2023), the value this study "
            "measured (medians over the pairs or landscapes counted in <em>n</em>) and whether "
            f"it agrees. epsilon {epsilon:g}.</p>" + _findings_table(rows),
        )
    )
    parts = [
        figures.add(figs.distribution_figure(d), d.title, d.note, d.key)
        for d in sp.metric_distributions(profiles, split=loss)
    ]
    sections.append(
        ("profile metrics across landscapes", f"<div class='grid'>{''.join(parts)}</div>")
    )
    parts = [
        figures.add(figs.distribution_figure(d), d.title, d.note, d.key)
        for d in sp.similarity_distributions(similarity)
    ]
    sections.append(("similarity per comparison axis", f"<div class='grid'>{''.join(parts)}</div>"))
    parts = [
        figures.add(
            figs.importance_figure(b),
            f"importance: {b.model}, order {b.order}",
            "Bars: median share of the loss variance over datasets at full fidelity; whiskers "
            "from the smallest to the largest dataset's share.",
            f"importance:{b.model}:{b.order}",
        )
        for b in sp.importance_bars(importance)
    ]
    sections.append(("hyperparameter importance", f"<div class='grid'>{''.join(parts)}</div>"))
    gap_parts, driver_rows = [], []
    for g in sp.gap_scatters(results, loss=loss):
        gap_parts.append(
            figures.add(
                figs.gap_figure(g),
                f"train vs test: {g.model}",
                "Each point a configuration on one dataset (full fidelity); above the dashed "
                f"line the model overfits. Colour: {g.driver or 'none'}, the HP that explains "
                "most of the gap's variance.",
                f"gap:{g.model}",
            )
        )
        driver_rows += [
            {"model": g.model, "hyperparameter": h, "gap share": s} for h, s in g.drivers
        ]
    sections.append(
        (
            "train vs test",
            f"<div class='grid'>{''.join(gap_parts)}</div><h3>drivers of the gap</h3>"
            "<p class='note'>Share of the variance of the gap test - train explained by each "
            "hyperparameter's values (within datasets).</p>" + table_html(driver_rows),
        )
    )
    if landscapes is None:
        say("rebuilding the landscapes from results.parquet")
        landscapes = study_landscapes_from(out)
    target = Path(path) if path is not None else out / "study.html"
    methods: list[str] = []
    if landscapes:
        grid, methods = _map_grid(
            landscapes,
            target.parent,
            figures,
            loss=loss,
            epsilon=epsilon,
            seed=seed,
            pages=landscape_pages,
            progress=say,
        )
        sections.append(
            (
                "landscape maps (model x dataset, full fidelity)",
                "<p class='note'>HOPE embedding of each neighbourhood graph projected to 2-D "
                f"({', '.join(methods)}); colour = loss rank; red stars = the best "
                "configurations (tied when several).</p>" + grid,
            )
        )
    protocol = (
        f"{len(settings.get('models', []))} model(s), {len(settings.get('datasets', []))} "
        f"dataset(s), fidelities {html.escape(str(settings.get('fidelities')))}, "
        f"{settings.get('folds')}-fold CV, test_size {settings.get('test_size')}; loss "
        f"<code>{html.escape(loss)}</code>, epsilon {epsilon:g} (absolute), gamma "
        f"{settings.get('gamma')}; {summary.get('n_landscapes', 0)} landscapes"
    )
    say(f"writing {target}")
    name = title or f"lossatlas study: {settings.get('name', out.name)}"
    return write_page(
        target,
        title=name,
        settings=protocol,
        sections=sections,
        notes=[str(n) for n in summary.get("notes", [])],
        interactive=True,
        n_figures=figures.count,
    )
