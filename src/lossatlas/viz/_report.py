"""One self-contained HTML report of one or many landscapes.

The file embeds everything it shows (plotly.js itself when plotly is installed, PNG images
otherwise), so it opens offline and can be mailed as one attachment. Same inputs and seed give
the same bytes.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from lossatlas import columns as roles
from lossatlas._pages import figure_html, plotly_figure_html, write_page
from lossatlas.analysis._neighbourhood import Neighbourhood
from lossatlas.analysis._optima import local_optima
from lossatlas.analysis._profile import profile
from lossatlas.analysis._registry import metric_readings
from lossatlas.io import load_landscapes
from lossatlas.io._loader import Source
from lossatlas.landscape import Landscape
from lossatlas.viz import _interactive as ix
from lossatlas.viz import _interactive_slices as ixs
from lossatlas.viz import _plotdata as pdata
from lossatlas.viz import _plots as plots
from lossatlas.viz import _slices
from lossatlas.viz._landscape_map import DEFAULT_MAX_NODES, LandscapeMap, landscape_map

__all__ = ["write_page", "write_report"]

MAX_SLICES = 12
MAX_PAIR_HPS = 6


@dataclass
class _Panel:
    title: str
    note: str
    plotly: Callable[[], Any]
    matplotlib: Callable[[], Any]


def _panels(
    landscape: Landscape,
    *,
    loss: str,
    epsilon: float,
    seed: int,
    neighbourhood: Neighbourhood | None,
    n_walks: int = 1000,
    walk_length: int = 20,
    **map_kw: Any,
) -> tuple[LandscapeMap, list[_Panel]]:
    nb = {"neighbourhood": neighbourhood}
    lmap = landscape_map(landscape, loss=loss, epsilon=epsilon, seed=seed, **nb, **map_kw)
    surface = pdata.interpolated_surface(lmap)
    optima = local_optima(landscape, loss=loss, epsilon=epsilon, **nb)
    net = pdata.optima_network(landscape, loss=loss, optima=optima, lmap=lmap, **nb)
    basins = pdata.basin_sizes(landscape, loss=loss, optima=optima)
    walk = pdata.autocorrelation_curve(
        landscape, loss=loss, seed=seed, n_walks=n_walks, walk_length=walk_length, **nb
    )
    names = landscape.space.names
    out = [
        _Panel(
            "map",
            f"HOPE embedding of the neighbourhood graph projected to 2-D ({lmap.method}); "
            "colour = loss rank; triangles = local optima, stars = the global optimum (several "
            "stars: tied configurations of equal best loss).",
            lambda: ix.map_figure(lmap, surface=surface),
            lambda: plots.plot_map(lmap, surface=surface),
        ),
        _Panel(
            "rank surface",
            "Loss rank interpolated linearly over the map (griddata, 100 x 100).",
            lambda: ix.contour_figure(surface, lmap=lmap),
            lambda: plots.plot_surface(surface, lmap=lmap),
        ),
        _Panel(
            "rank surface (3-D)",
            "The same surface in 3-D: valleys are good regions.",
            lambda: ix.surface_3d_figure(surface),
            lambda: plots.plot_surface_3d(surface),
        ),
        _Panel(
            "local-optima network",
            "Nodes: local optima sized by basin; edge b -> c: the "
            "lowest configuration bordering basin b lies in basin c (best escape).",
            lambda: ix.optima_network_figure(net),
            lambda: plots.plot_optima_network(net),
        ),
        _Panel(
            "basin sizes",
            "Configurations whose best-improvement descent ends at each optimum.",
            lambda: ix.basin_sizes_figure(basins),
            lambda: plots.plot_basin_sizes(basins),
        ),
        _Panel(
            "random-walk autocorrelation",
            f"Correlation of the loss s steps apart on {n_walks} random walks of {walk_length} "
            "steps, the profile's walks: r(1) is the table's autocorrelation_pooled (the "
            "table's autocorrelation is the median over walks). Slow decay: smooth.",
            lambda: ix.autocorrelation_figure(walk),
            lambda: plots.plot_autocorrelation(walk),
        ),
    ]
    for hp in names[:MAX_SLICES]:
        sl = _slices.hp_slice(landscape, hp, loss=loss)
        out.append(
            _Panel(
                f"slice: {hp}",
                "Loss along one HP: others fixed at the global "
                "optimum, and best / mean over the other HPs.",
                lambda sl=sl: ixs.hp_slice_figure(sl),
                lambda sl=sl: plots.plot_hp_slice(sl),
            )
        )
    for a, b in combinations(names[:MAX_PAIR_HPS], 2):
        pm = _slices.pair_marginal(landscape, b, a, loss=loss)
        out.append(
            _Panel(
                f"pair: {a} x {b}",
                "Left: best loss over the other HPs; right: mean loss over the other HPs.",
                lambda pm=pm: ixs.pair_marginal_figure(pm),
                lambda pm=pm: plots.plot_pair_marginals(pm),
            )
        )
    if "train" in landscape.loss_names and loss != "train":
        sc = _slices.loss_scatter(landscape, x="train", y=loss, rows=lmap.rows)
        out.append(
            _Panel(
                "train vs test",
                "Each point a configuration (the map's sample); "
                "correlations over all configurations.",
                lambda: ixs.loss_scatter_figure(sc),
                lambda: plots.plot_loss_scatter(sc),
            )
        )
    suffix = f" {loss} loss, epsilon {epsilon:g}."
    out = [_Panel(p.title, p.note + suffix, p.plotly, p.matplotlib) for p in out]
    return lmap, out


def describe(landscape: Landscape) -> str:
    """One readable sentence about a landscape (never its Python repr)."""
    space = landscape.space
    hps = ", ".join(f"{hp.name} ({hp.size})" for hp in space.hyperparameters)
    grid = int(np.prod([hp.size for hp in space.hyperparameters])) if len(space) else 0
    full = "the full grid" if landscape.n >= grid else f"{landscape.n / max(grid, 1):.0%} of {grid}"
    meta = "; ".join(
        f"{k.removeprefix('fidelity_')} {v}"
        for k, v in landscape.metadata.items()
        if v is not None and roles.is_group_column(k)
    )
    losses = ", ".join(landscape.loss_names)
    text = f"{landscape.n} configurations ({full}) of {len(space)} hyperparameters: {hps}. "
    text += f"Losses: {losses}."
    return text + (f" {meta}." if meta else "")


def plateau_warning(row: Any, *, label: str, epsilon: float) -> str | None:
    """A warning when ``epsilon`` merges the whole landscape into one plateau, else None
    (:func:`lossatlas.analysis.one_plateau_warning`, shared with ``lossatlas analyze``)."""
    from lossatlas.analysis._epsilon import one_plateau_warning

    return one_plateau_warning(row, label=label, epsilon=epsilon)


def _fmt(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (float, np.floating)):
        return "nan" if np.isnan(value) else f"{float(value):.4g}"
    return str(value)


def _profile_table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(x))}</th>" for x in frame["landscape"])
    rows = []
    for metric, reading in metric_readings().items():
        if metric not in frame.columns:
            continue
        cells = "".join(f"<td class='num'>{html.escape(_fmt(v))}</td>" for v in frame[metric])
        rows.append(
            f"<tr><th scope='row'><code>{html.escape(metric)}</code></th>{cells}"
            f"<td class='reading'>{html.escape(reading)}</td></tr>"
        )
    return (
        "<table class='profile'><thead><tr><th>metric</th>"
        f"{head}<th>reading</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _figure_html(panel: _Panel, fig_id: str, interactive: bool) -> str:
    if interactive:
        return plotly_figure_html(panel.plotly(), fig_id, caption=panel.title, note=panel.note)
    return figure_html(panel.matplotlib(), caption=panel.title, note=panel.note, fig_id=fig_id)


def write_report(
    landscapes_or_table: Source,
    path: str | Path,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    seed: int = 0,
    projection: Literal["auto", "umap", "pca"] = "auto",
    max_nodes: int = DEFAULT_MAX_NODES,
    interactive: bool | None = None,
    extra_sections: Sequence[tuple[str, str]] = (),
    analysis: bool = True,
    title: str = "lossatlas report",
    progress: bool | Callable[[str], None] = False,
    neighbourhood: Neighbourhood | None = None,
    plotly_script: str | None = None,
) -> Path:
    """Write one self-contained HTML report and return its path.

    Parameters
    ----------
    landscapes_or_table : Landscape, sequence of Landscape, DataFrame, path or storage URL
        What to report on (anything :func:`lossatlas.io.load_landscapes` reads).
    path : str or Path
        The ``.html`` file to write.
    loss, epsilon, seed :
        Loss column, neutrality threshold (absolute) and seed of every metric and figure.
    projection : {"auto", "umap", "pca"}
        2-D projection of the map (see :func:`~lossatlas.viz._embed.umap_2d`).
    max_nodes : int
        Most configurations drawn on a map (seeded subsample keeping the optima).
    interactive : bool, optional
        Plotly figures with plotly.js embedded (default when plotly is installed), else static
        PNG images drawn with matplotlib.
    extra_sections : sequence of (title, html)
        Extension hook: sections appended after the landscapes (importance, comparisons,
        energy landscapes...). The HTML is inserted as given (trusted, from code) between the
        ``<!-- lossatlas:extra-sections -->`` markers.
    analysis : bool, default True
        Add the HP-importance (fANOVA) and landscape-comparison sections
        (:func:`lossatlas.viz._sections.analysis_sections`) before ``extra_sections``.
    title : str
    progress : bool or callable
        True prints one line per stage (profile, each landscape and figure, the analysis
        sections) on stderr; a callable receives those lines instead.
    neighbourhood : Neighbourhood, optional
        Which one-HP changes are moves, for every metric, map and optimum of the report
        (default: the 1-edit neighbourhood, :func:`lossatlas.analysis.one_edit`).
    plotly_script : str, optional
        Interactive pages only: load plotly.js from this file next to the page (written by
        :func:`lossatlas._pages.write_plotly_script`) instead of embedding it.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from lossatlas import Landscape, SearchSpace
    >>> from lossatlas.viz import write_report
    >>> space = SearchSpace.from_dict({"a": [0, 1, 2], "b": [0, 1, 2]})
    >>> bowl = Landscape.from_array(space, [4, 3, 4, 3, 0, 3, 4, 3, 4])
    >>> page = write_report(bowl, Path(tempfile.mkdtemp()) / "report.html", projection="pca")
    >>> "local-optima network" in page.read_text(encoding="utf-8")
    True
    """
    landscapes = load_landscapes(landscapes_or_table, loss=loss)
    if interactive is None:
        try:
            import plotly  # noqa: F401
        except ImportError:
            interactive = False
        else:
            interactive = True
    from lossatlas.viz._progress import stage_printer

    say = progress if callable(progress) else stage_printer(bool(progress))
    say(f"profile of {len(landscapes)} landscape(s)")
    # the default profile plus the epistasis family (HP interactions, configuration by
    # configuration), read next to fANOVA's interaction terms
    frame = profile(
        landscapes,
        loss=loss,
        epsilon=epsilon,
        seed=seed,
        metrics=["default"],
        families=["epistasis"],
        neighbourhood=neighbourhood,
    )
    iterator: Any = landscapes
    body: list[str] = []
    toc: list[str] = ["<li><a href='#profile'>profile</a></li>"]
    notes: list[str] = []
    count = 0
    for (_, row), landscape in zip(frame.iterrows(), landscapes, strict=True):
        warning = plateau_warning(row, label=landscape.label, epsilon=epsilon)
        if warning:
            warnings.warn(warning, UserWarning, stacklevel=2)
            notes.append(warning)
    for i, landscape in enumerate(iterator):
        say(f"landscape {i + 1}/{len(landscapes)}: {landscape.label} (map and figure data)")
        lmap, panels = _panels(
            landscape,
            loss=loss,
            epsilon=epsilon,
            seed=seed,
            neighbourhood=neighbourhood,
            projection=projection,
            max_nodes=max_nodes,
            n_walks=int(frame["n_walks"].iloc[i]) if "n_walks" in frame else 1000,
            walk_length=int(frame["walk_length"].iloc[i]) if "walk_length" in frame else 20,
        )
        if lmap.fallback:
            notes.append(
                f"{landscape.label}: umap-learn is not installed; the map uses the "
                "PCA fallback (pip install 'lossatlas[viz]')."
            )
        anchor = f"landscape-{i}"
        toc.append(f"<li><a href='#{anchor}'>{html.escape(landscape.label)}</a></li>")
        figs = []
        for panel in panels:
            say(f"  figure {panel.title}")
            figs.append(_figure_html(panel, f"fig-{count}", interactive))
            count += 1
        desc = html.escape(describe(landscape))
        body.append(
            f"<section id='{anchor}'><h2>{html.escape(landscape.label)}</h2>"
            f"<p class='meta'>{desc}</p><div class='grid'>{''.join(figs)}</div></section>"
        )
    if analysis:
        from lossatlas.viz._sections import analysis_sections

        say("importance and comparison sections")
        extra_sections = [
            *analysis_sections(landscapes, loss=loss, seed=seed, interactive=interactive),
            *extra_sections,
        ]
    settings = (
        f"loss <code>{html.escape(loss)}</code>, epsilon {epsilon:g}, seed {seed}, "
        f"{len(landscapes)} landscape(s), figures: "
        f"{'interactive (plotly)' if interactive else 'static PNG (matplotlib)'}"
    )
    profile_html = (
        '<section id="profile">\n<h2>profile</h2>\n<p class="note">Every metric of every '
        f"landscape, with a one-line reading ({html.escape(loss)} loss, epsilon {epsilon:g}; "
        "definitions in the metric reference, docs/metrics.md). The epistasis family "
        "(<code>gamma</code>, <code>gamma_star</code>, <code>diminishing_returns_index</code>, "
        "<code>increasing_costs_index</code>) is the configuration-level view of HP "
        "interactions: how the effect of changing one HP depends on the values of the others, "
        "next to fANOVA's variance share of the HP pairs in the importance section.</p>\n"
        f"{_profile_table(frame)}\n</section>\n"
    )
    say(f"writing {path}")
    return write_page(
        path,
        title=title,
        settings=settings,
        body=profile_html + "".join(body),
        sections=extra_sections,
        toc=toc,
        notes=notes,
        interactive=interactive,
        plotly_script=plotly_script,
    )
