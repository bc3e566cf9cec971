"""The energy report's kinetics section: free-energy regrouping and NGT rates at one T.

The temperature is the lowest peak of ``C(T)`` (where the occupation moves between groups of
minima), or the median gap between the minima's energies and the lowest when there is no peak.
The section shows the free-energy disconnectivity graph at that temperature, its groups, and
the rate from each of the next lowest minima joined to the global minimum into it.

References
----------
D. J. Wales, "Calculating rate constants and committor probabilities for transition networks
by graph transformation", J. Chem. Phys. 130, 204111 (2009).
S. V. Krivov and M. Karplus, J. Chem. Phys. 117, 10894 (2002).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lossatlas._pages import figure_html, table_html
from lossatlas.energy._free_energy import free_energy_tree
from lossatlas.energy._plots import plot_disconnectivity
from lossatlas.energy._rates import rates_from_database
from lossatlas.energy._thermo import heat_capacity_from_database
from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.energy._database import Database
    from lossatlas.energy._records import Minimum, TransitionState

__all__ = ["kinetics_section"]


def _component(ts: list[TransitionState], start: int) -> set[int]:
    adj: dict[int, set[int]] = {}
    for t in ts:
        adj.setdefault(t.min1, set()).add(t.min2)
        adj.setdefault(t.min2, set()).add(t.min1)
    seen, stack = {start}, [start]
    while stack:
        for b in adj.get(stack.pop(), ()):
            if b not in seen:
                seen.add(b)
                stack.append(b)
    return seen


def kinetics_section(
    db: Database, minima: list[Minimum], ts: list[TransitionState], *, dpi: int = 90
) -> str:
    """HTML of the kinetics section (raises :class:`InputError` when it cannot be computed).

    Parameters
    ----------
    db : Database
        An open database.
    minima, ts : list
        Its minima (lowest first) and transition states.
    dpi : int, default 90
        Resolution of the figure.

    Returns
    -------
    str
    """
    if not ts:
        raise InputError("no transition states (run 'lossatlas energy connect')")
    use_fvib = all(m.fvib is not None for m in minima) and all(t.fvib is not None for t in ts)
    hc = heat_capacity_from_database(db, use_fvib=all(m.fvib is not None for m in minima))
    if hc.peaks:
        T, why = float(hc.peaks[0].T), "the lowest peak of C(T)"
    else:
        gaps = np.array([m.energy - minima[0].energy for m in minima[1:]])
        gaps = gaps[gaps > 0]
        T, why = (float(np.median(gaps)) if gaps.size else 1.0), "the median energy gap"
    tree, net = free_energy_tree(db, temperature=T, use_fvib=use_fvib)
    fig = plot_disconnectivity(tree, label_minima=len(net.groups) <= 30)
    gmin = minima[0].id
    joined = _component(ts, gmin)
    rows = []
    for m in [m for m in minima[1:] if m.id in joined][:5]:
        r = rates_from_database(db, [m.id], [gmin], temperature=T, use_fvib=use_fvib)
        rows.append(
            {
                "from": m.id,
                "to": gmin,
                "k (NSS)": r.rate,
                "k (SS)": r.rate_ss,
                "k back (NSS)": r.reverse_rate,
                "mean first passage time": r.mfpt[m.id],
            }
        )
    groups = [
        {"group": g, "free energy": net.free_energy[g], "minima": ", ".join(map(str, ms))}
        for g, ms in sorted(net.groups.items(), key=lambda kv: net.free_energy[kv[0]])
    ][:20]
    return (
        f"<p>At T={T:.4g} ({why}): minima regrouped by free-energy barriers "
        f"(harmonic superposition, F = E + T fvib/2), {len(net.groups)} group(s) of "
        f"{len(minima)} minima"
        + (
            ""
            if use_fvib
            else "; some stationary points have no fvib, so every well and "
            "saddle counts as equally wide"
        )
        + ".</p>"
        + figure_html(fig, caption=f"free-energy disconnectivity graph, T={T:.4g}", dpi=dpi)
        + table_html(groups)
        + "<p>Rates into the global minimum by graph transformation (harmonic transition-state "
        "theory, equilibrium-weighted inverse mean first passage time (NSS) and steady "
        "state (SS)).</p>"
        + table_html(rows, empty="(no other minimum is joined to the global minimum)")
    )
