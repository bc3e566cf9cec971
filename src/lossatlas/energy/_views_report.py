"""The energy report's weight-space views: a loss slice, the line vs the path, Hessian spectra.

Each builder returns the HTML of one section (figures as static PNG) and is called guarded by
the report, so an analysis that refuses the data shows a warning instead of failing the page:

- **loss slice**: a 2-D slice through the lowest minimum along two random filter-normalised
  directions (Li et al. 2018), as contours and a surface, its sampled merge tree (minima and
  saddles of the grid, Carr et al. 2003) drawn as a disconnectivity graph beside the database's;
- **straight line vs path**: the loss along the straight line between two minima and along
  the stored minimum - transition state - minimum path (or a fresh DNEB), with both barriers;
- **Hessian spectra**: top and bottom eigenvalues and the trace per minimum (exact for small
  models, Lanczos and Hutchinson beyond), and the spectral densities of the lowest minima.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from lossatlas._pages import figure_html, table_html

__all__ = ["view_section_builders"]

_DPI = 90


def _slice_section(db: Any, potential: Any, seed: int, points: int) -> str:
    from lossatlas.energy._disconnectivity import tree_from_database
    from lossatlas.energy._slice_topology import slice_merge_tree, to_disconnectivity
    from lossatlas.energy._slices import loss_slice
    from lossatlas.energy._views_plots import plot_slice, plot_slice_merge_tree

    m = db.minima()[0]
    sl = loss_slice(potential, m.coords, dims=2, points=points, seed=seed, label=f"minimum {m.id}")
    tree = slice_merge_tree(sl.train, coordinates=sl.coordinates)
    parts = [
        figure_html(
            plot_slice(sl, tree=tree),
            caption=f"training loss around minimum {m.id}: random filter-normalised directions "
            f"(seed {seed}), {points} x {points} grid; dots: grid minima, crosses: grid saddles",
            dpi=_DPI,
            tight=True,
        )
    ]
    reference = tree_from_database(db) if db.transition_states() else None
    parts.append(
        figure_html(
            plot_slice_merge_tree(tree, to_disconnectivity(tree), reference=reference),
            caption="merge tree of the sampled slice (left) against the database's "
            "disconnectivity graph (right, when transition states are stored)",
            dpi=_DPI,
            tight=True,
        )
    )
    held = (
        ""
        if sl.heldout is None
        else f" The held-out loss on the same grid spans {sl.heldout.min():.4g} to "
        f"{sl.heldout.max():.4g}."
    )
    return (
        "".join(parts)
        + f"<p>The slice holds {len(tree.minima)} grid minima and {len(tree.saddles)} merging "
        f"saddles; the training loss spans {sl.train.min():.4g} to {sl.train.max():.4g}.{held}</p>"
    )


def _pair(db: Any) -> tuple[int, int]:
    """The lowest minimum and the lowest other minimum joined to it by stored paths, else the
    second lowest minimum."""
    from lossatlas.energy._connect import transition_state_path

    minima = db.minima()
    low = minima[0].id
    for m in minima[1:]:
        if transition_state_path(db, low, m.id)[0]:
            return low, m.id
    return low, minima[1].id


def _path_section(db: Any, potential: Any) -> str:
    from lossatlas.energy._interpolation import line_and_path_from_database
    from lossatlas.energy._views_plots import plot_line_vs_path

    if db.n_minima() < 2:
        return "<p class='note'>One minimum only: no path to draw.</p>"
    a, b = _pair(db)
    prof = line_and_path_from_database(db, potential, a, b)
    where = (
        "the stored minimum - transition state - minimum chain "
        f"{html.escape(' - '.join(map(str, prof.chain)))} (relaxed by DNEB segments)"
        if prof.method == "stored"
        else "a fresh doubly-nudged elastic band (no stored path joins them)"
    )
    return figure_html(
        plot_line_vs_path(prof, title=f"minima {a} and {b}"),
        caption=f"straight line vs path between minima {a} and {b}",
        dpi=_DPI,
        tight=True,
    ) + (
        f"<p>Path: {where}. Barrier above the higher minimum: straight line "
        f"{prof.line_barrier:.4g}, path {prof.path_barrier:.4g}.</p>"
    )


def _spectra_section(db: Any, potential: Any, seed: int, lowest: int) -> str:
    from lossatlas.energy._spectrum import spectra_from_database
    from lossatlas.energy._views_plots import plot_spectral_density

    out = spectra_from_database(
        db, potential, lowest=lowest, top=3, bottom=3, density=True, seed=seed
    )
    rows = [
        {
            "id": o.minimum_id,
            "loss": o.energy,
            "method": o.spectrum.method,
            "largest eigenvalue": float(o.spectrum.top[0]),
            "smallest eigenvalue": float(o.spectrum.bottom[0]),
            "trace": o.spectrum.trace.value,
            "trace stderr": o.spectrum.trace.stderr,
        }
        for o in out
    ]
    curves = [(f"minimum {o.minimum_id}", o.spectrum.density) for o in out[:4]]
    return (
        figure_html(
            plot_spectral_density(curves),
            caption="Hessian eigenvalue density (Gaussian-broadened) of the lowest minima",
            dpi=_DPI,
            tight=True,
        )
        + table_html(rows)
        + f"<p>{out[0].spectrum.ndim} coordinates; sharper minima have larger top eigenvalues "
        "and traces.</p>"
    )


def view_section_builders(
    db: Any, potential: Any, *, seed: int = 0, lowest: int = 8, points: int = 31
) -> list[tuple[str, Callable[[], str]]]:
    """``(title, build)`` pairs of the view sections for ``db`` and its potential.

    Parameters
    ----------
    db : Database
        An open database holding at least one minimum.
    potential : Potential or None
        Its potential; without one there are no view sections.
    seed : int, default 0
        Seed of the slice directions and the stochastic estimates.
    lowest : int, default 8
        Minima whose spectra are listed.
    points : int, default 31
        Slice grid points per direction.

    Returns
    -------
    list of (str, callable)
        Call each ``build`` (e.g. inside the report's guard) for its section's HTML.
    """
    if potential is None:
        return []
    return [
        ("loss slice", lambda: _slice_section(db, potential, seed, points)),
        ("straight line vs path", lambda: _path_section(db, potential)),
        ("Hessian spectra", lambda: _spectra_section(db, potential, seed, lowest)),
    ]
