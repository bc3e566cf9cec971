"""The energy-landscape report: what a database of minima and saddles says, as one HTML page.

Sections (each only when it applies):

- **exploration**: the lowest minima with their loss, ``fvib`` (log product of the positive
  Hessian eigenvalues) and, for classifiers, test accuracy; the transition states;
- **disconnectivity graph** (Becker & Karplus 1997; Wales, Miller & Walsh 1998), coloured by test
  accuracy and by monotonic sequence basin (Becker & Karplus 1997; Ballard et al. 2016);
- **heat capacity** C(T) in the harmonic superposition approximation (Wales 2003), its peaks
  and the minima that drive them;
- **ensembles of minima** (classification potentials only): per-minimum accuracy, overlap,
  oracle, averaging, occupation weighting and a learned selector (Ballard et al. 2017);
- **feature relevance** (tanh-network potentials only): input relevance from first-layer
  weights conserved within each monotonic sequence basin;
- **loss slice**, **straight line vs path** and **Hessian spectra** (whenever the potential is
  known): see :mod:`lossatlas.energy._views_report`.

The page is written by the neutral :func:`lossatlas._pages.write_page` (the shell of the
hyperparameter report too) with static PNG figures; nothing of the hyperparameter stack is
imported.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lossatlas._pages import figure_html, table_html, write_page
from lossatlas.energy._database import Database
from lossatlas.energy._dbfile import ENERGY_DB_SUFFIXES, has_our_stamp
from lossatlas.energy._disconnectivity import tree_from_database
from lossatlas.energy._ensembles import ensemble_from_database
from lossatlas.energy._msb import msb_from_database
from lossatlas.energy._plots import (
    plot_disconnectivity,
    plot_heat_capacity,
    plot_msb_disconnectivity,
    plot_specialisation,
)
from lossatlas.energy._relevance import relevance_from_database
from lossatlas.energy._report_kinetics import kinetics_section
from lossatlas.energy._thermo import heat_capacity_from_database
from lossatlas.energy.potentials import potential_from_spec
from lossatlas.errors import InputError, LossAtlasError

if TYPE_CHECKING:
    from lossatlas.energy._records import Minimum, TransitionState
    from lossatlas.energy.potentials import Potential

__all__ = [
    "energy_sections",
    "is_energy_database",
    "minima_test_accuracy",
    "write_energy_report",
]

_DPI = 90


def is_energy_database(path: str | Path) -> bool:
    """Whether ``lossatlas report`` should treat ``path`` as an energy database.

    Parameters
    ----------
    path : str or Path
        Any path.

    Returns
    -------
    bool
        True for a file with suffix ``.sqlite``, ``.sqlite3`` or ``.db`` that
        :meth:`Database.is_database` accepts, or that carries the lossatlas application id
        (a newer schema, say: opening it then says what is wrong). The file is only read.
    """
    p = Path(path)
    return p.suffix.lower() in ENERGY_DB_SUFFIXES and (Database.is_database(p) or has_our_stamp(p))


def _classifier(potential: Potential | None) -> bool:
    data = getattr(potential, "dataset", None)
    return (
        potential is not None
        and hasattr(potential, "predict")
        and data is not None
        and getattr(data, "task", "classification") == "classification"
        and getattr(data, "X_test", np.empty(0)).size > 0
    )


def _network(potential: Potential | None) -> bool:
    return potential is not None and all(
        hasattr(potential, a) for a in ("unpack", "pack", "n_hidden", "n_in")
    )


def minima_test_accuracy(potential: Potential, minima: Sequence[Minimum]) -> dict[int, float]:
    """Test accuracy of each minimum's weights.

    Parameters
    ----------
    potential : Potential
        A classifier potential with ``predict`` and a ``dataset`` holding a test split.
    minima : sequence of Minimum
        The minima.

    Returns
    -------
    dict of int to float
        Minimum id -> fraction of the test split classified right.
    """
    data = potential.dataset
    return {
        m.id: float(np.mean(potential.predict(m.coords, data.X_test) == data.y_test))
        for m in minima
    }


def _warning(text: str) -> str:
    return f"<p class='warning'>{html.escape(text)}</p>"


def _guarded(title: str, build: Callable[[], str]) -> tuple[str, str]:
    """A section whose analysis may refuse the data: its error becomes a visible warning."""
    try:
        return title, build()
    except LossAtlasError as exc:
        return title, _warning(f"not computed: {exc}")


def _exploration(
    db: Database,
    potential: Potential | None,
    minima: list[Minimum],
    ts: list[TransitionState],
    lowest: int,
) -> str:
    spec = getattr(potential, "spec", None) or db.potential_spec
    what = (
        f"potential <code>{html.escape(json.dumps(spec))}</code>"
        if spec is not None
        else "no stored potential spec (test accuracy, ensembles and relevance need it)"
    )
    accuracy = minima_test_accuracy(potential, minima[:lowest]) if _classifier(potential) else {}
    rows = []
    for m in minima[:lowest]:
        row: dict[str, Any] = {
            "id": m.id,
            "loss": m.energy,
            "fvib": m.fvib,
            "lowest eigenvalue": m.lowest_eigenvalue,
        }
        if accuracy:
            row["test accuracy"] = accuracy[m.id]
        rows.append(row)
    by_id = {m.id: m.energy for m in minima}
    ts_rows = [
        {
            "id": t.id,
            "loss": t.energy,
            "joins": f"{t.min1}-{t.min2}",
            "barrier from the higher minimum": t.energy - max(by_id[t.min1], by_id[t.min2]),
            "negative eigenvalue": t.negative_eigenvalue,
        }
        for t in ts[:lowest]
    ]
    return (
        f"<p>{len(minima)} distinct minima and {len(ts)} transition states in "
        f"<code>{html.escape(str(db.path))}</code>; {what}.</p>"
        f"<h3>the {min(lowest, len(minima))} lowest minima</h3>{table_html(rows)}"
        f"<h3>the {min(lowest, len(ts))} lowest transition states</h3>"
        f"{table_html(ts_rows, empty='(no transition states)')}"
    )


def _disconnectivity(
    db: Database, potential: Potential | None, minima: list[Minimum], ts: list[TransitionState]
) -> str:

    if not ts:
        return (
            f"<p>No transition states are stored: the {len(minima)} minima are unconnected, so "
            "there is no disconnectivity graph and every minimum is its own monotonic sequence "
            "basin (run <code>lossatlas energy connect</code>).</p>"
        )
    tree = tree_from_database(db)
    if _classifier(potential):
        first = figure_html(
            plot_disconnectivity(
                tree,
                colour_by=minima_test_accuracy(potential, minima),
                colour_label="test accuracy",
            ),
            caption="coloured by test accuracy",
            dpi=_DPI,
            tight=True,
        )
    else:
        first = figure_html(
            plot_disconnectivity(tree), caption="disconnectivity graph", dpi=_DPI, tight=True
        )
    msbs = msb_from_database(db)
    second = figure_html(
        plot_msb_disconnectivity(tree, msbs),
        caption="coloured by monotonic sequence basin (lowest-barrier rule)",
        dpi=_DPI,
        tight=True,
    )
    return (
        f"<div class='grid'>{first}{second}</div>"
        f"<p>{len(msbs.bottoms)} monotonic sequence basins ({len(msbs.isolated)} minima joined "
        f"to no other are their own); ambiguous minima (more than one reachable bottom): "
        f"{list(msbs.ambiguous)}; the lowest-barrier and lowest-neighbour rules disagree on "
        f"{list(msbs.rules_disagree)}.</p>"
    )


def _heat_capacity(db: Database, minima: list[Minimum]) -> str:

    use_fvib = all(m.fvib is not None for m in minima)
    hc = heat_capacity_from_database(db, use_fvib=use_fvib)
    peaks = [
        {
            "T": p.T,
            "C": p.C,
            "drivers (id: change of occupation)": ", ".join(
                f"{m}: {d:+.2f}" for m, d in p.drivers[:5]
            ),
        }
        for p in hc.peaks
    ]
    weights = (
        "harmonic wells weighted by the stored fvib"
        if use_fvib
        else "some minima have no fvib, so all wells are weighted alike"
    )
    return (
        figure_html(plot_heat_capacity(hc), caption="C(T)", dpi=_DPI, tight=True)
        + f"<p>Harmonic superposition over the {len(minima)} minima ({weights}); "
        f"{len(hc.peaks)} peak(s).</p>"
        + table_html(peaks, empty="(no peak in the temperature range)")
    )


def _ensembles(
    db: Database, potential: Potential, lowest: int, seed: int, temperature: float | None
) -> str:

    ens = ensemble_from_database(db, potential, lowest=lowest, temperature=temperature, seed=seed)
    return (
        figure_html(plot_specialisation(ens), caption="specialisation", dpi=_DPI, tight=True)
        + table_html([{"method": k, **v} for k, v in ens.summary().items()])
        + f"<p>The {len(ens.minima_ids)} lowest minima; occupation weights at "
        f"T={ens.temperature:.3g}. The best single minimum of each metric was chosen on a "
        f"validation half of the held-out split ({ens.n_validation} items) and every number is "
        f"on the other half ({ens.correct.shape[0]} items); best_single_on_test is the "
        "optimistic reference chosen on those same items. The selector (a small network "
        "picking the minimum to trust per input) was trained on the training split.</p>"
    )


def _relevance(db: Database, potential: Potential) -> str:

    rel = relevance_from_database(db, potential)
    return (
        f"<p>Grouping: {html.escape(rel.grouping)}, {len(rel.groups)} group(s); relevance of "
        "each input from the first-layer weights conserved within a group, next to the plain "
        "weight-magnitude baseline (no conservation, no groups): "
        f"{'the same' if rel.ranking == rel.baseline_ranking else 'a different'} ranking.</p>"
        + table_html(rel.table())
    )


def energy_sections(
    db: Database | str | Path,
    potential: Potential | None = None,
    *,
    lowest: int = 20,
    seed: int = 0,
    temperature: float | None = None,
) -> list[tuple[str, str]]:
    """The energy report's sections as ``(title, html)`` pairs.

    Parameters
    ----------
    db : Database, str or Path
        The database (a path is opened read-only with :meth:`Database.open`).
    potential : Potential, optional
        Default: the database's (``db.potential``) or rebuilt from its stored spec.
    lowest : int, default 20
        Minima (and transition states) listed, and minima combined into ensembles.
    seed : int, default 0
        Seed of the ensemble selector.
    temperature : float, optional
        Temperature of the occupation-weighted ensemble (default: the ensemble's own choice).

    Returns
    -------
    list of (str, str)
        exploration, disconnectivity graph, heat capacity, kinetics and free energy (when
        transition states exist), then ensembles of minima (classification potentials),
        feature relevance (tanh networks), then loss slice, straight line vs path and Hessian
        spectra (when the potential is known). An analysis that
        refuses the data shows its error as a warning in its section.
    """
    if lowest < 1:
        raise InputError(f"lowest must be >= 1, got {lowest}")
    if isinstance(db, (str, Path)):
        with Database.open(db) as opened:
            return energy_sections(
                opened,
                potential,
                lowest=lowest,
                seed=seed,
                temperature=temperature,
            )
    if potential is None:
        potential = db.potential
    if potential is None and db.potential_spec is not None:
        potential = potential_from_spec(db.potential_spec)
    minima, ts = db.minima(), db.transition_states()
    if not minima:
        raise InputError(f"database '{db.path}' holds no minima; run 'lossatlas energy explore'")
    sections = [
        ("exploration", _exploration(db, potential, minima, ts, lowest)),
        _guarded("disconnectivity graph", lambda: _disconnectivity(db, potential, minima, ts)),
        _guarded("heat capacity", lambda: _heat_capacity(db, minima)),
    ]
    if ts:
        sections.append(
            _guarded("kinetics and free energy", lambda: kinetics_section(db, minima, ts, dpi=_DPI))
        )
    if _classifier(potential):
        sections.append(
            _guarded(
                "ensembles of minima",
                lambda: _ensembles(db, potential, lowest, seed, temperature),
            )
        )
    if _network(potential):
        sections.append(_guarded("feature relevance", lambda: _relevance(db, potential)))
    from lossatlas.energy._views_report import view_section_builders

    sections.extend(_guarded(t, b) for t, b in view_section_builders(db, potential, seed=seed))
    return sections


def write_energy_report(
    db: Database | str | Path,
    path: str | Path,
    *,
    potential: Potential | None = None,
    title: str = "lossatlas energy-landscape report",
    extra_sections: Sequence[tuple[str, str]] = (),
    seed: int = 0,
    lowest: int = 20,
    temperature: float | None = None,
    settings: str | None = None,
    sections: Sequence[tuple[str, str]] | None = None,
) -> Path:
    """Write the energy report of ``db`` as one self-contained HTML page and return its path.

    ``db`` is a :class:`~lossatlas.energy._database.Database` or its file;
    ``extra_sections`` (``(title, html)`` pairs, trusted HTML) follow
    :func:`energy_sections` (or ``sections``, when already computed with it); ``settings``
    (trusted HTML) replaces the line under the title.
    The page is written by :func:`lossatlas._pages.write_page`.

    Parameters
    ----------
    db : Database, str or Path
        The database or its file (opened read-only).
    path : str or Path
        The ``.html`` file to write.
    potential : Potential, optional
        Default: the database's.
    title : str
        Page title.
    extra_sections : sequence of (str, str)
        Appended sections.
    seed : int, default 0
        Seed of the ensemble selector.
    lowest : int, default 20
        Minima listed and combined.
    temperature : float, optional
        Of the occupation-weighted ensemble.
    settings : str, optional
        Trusted HTML under the title.
    sections : sequence of (str, str), optional
        Sections computed already.

    Returns
    -------
    Path
        The file written.
    """
    if isinstance(db, (str, Path)):
        with Database.open(db) as opened:
            return write_energy_report(
                opened,
                path,
                potential=potential,
                title=title,
                extra_sections=extra_sections,
                seed=seed,
                lowest=lowest,
                temperature=temperature,
                settings=settings,
                sections=sections,
            )
    if sections is None:
        sections = energy_sections(db, potential, lowest=lowest, seed=seed, temperature=temperature)
    if settings is None:
        settings = (
            f"database <code>{html.escape(str(db.path))}</code>, {db.n_minima()} minima, "
            f"{db.n_transition_states()} transition states, seed {seed}, "
            "figures: static PNG (matplotlib)"
        )
    return write_page(path, title=title, settings=settings, sections=[*sections, *extra_sections])
