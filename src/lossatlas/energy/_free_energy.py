"""Free-energy disconnectivity graphs: minima regrouped at a temperature.

In the harmonic superposition approximation used for ``C(T)`` (:mod:`._thermo`) minimum ``a``
has the free energy ``F_a(T) = E_a + T fvib_a / 2`` (up to a constant shared by every minimum)
and a transition state the free energy ``F_ts(T) = E_ts + T fvib_ts / 2 + T ln(2 pi)``, the
shift making ``k_{b<-a} = exp(-(F_ts - F_a)/T)`` the harmonic rate constant of :mod:`._rates`.
A group ``G`` of minima in local equilibrium has ``F_G = -T ln sum_{a in G} exp(-F_a/T)``, and
the transition states between two groups have ``F_GH = -T ln sum exp(-F_ts/T)``, so the rate
between groups is again ``exp(-(F_GH - F_G)/T)``.

Regrouping (PATHSAMPLE's ``REGROUPFREE``): while some pair of groups is separated by a
free-energy barrier ``F_GH - max(F_G, F_H)`` (the lower of the two barriers) below the
threshold, the pair with the lowest barrier is merged and the free energies are recomputed.
The groups and their barriers are then drawn as an ordinary disconnectivity graph. As ``T``
goes to zero ``F`` goes to ``E`` and the graph becomes the potential-energy graph; at high ``T``
wide minima (small ``fvib``) sink and groups merge.

References
----------
S. V. Krivov and M. Karplus, "Free energy disconnectivity graphs: application to peptide
models", J. Chem. Phys. 117, 10894 (2002).
D. A. Evans and D. J. Wales, "Free energy landscapes of model peptides and proteins", J. Chem.
Phys. 118, 3891 (2003).
J. M. Carr and D. J. Wales, "Folding pathways and rates for the three-stranded beta-sheet
peptide Beta3s using discrete path sampling", J. Phys. Chem. B 112, 8760 (2008).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scipy.special import logsumexp

from lossatlas.energy._disconnectivity import DisconnectivityTree, disconnectivity_tree
from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.energy._database import Database

__all__ = ["FreeEnergyNetwork", "free_energy_network", "free_energy_tree"]


@dataclass(frozen=True)
class FreeEnergyNetwork:
    """Groups of minima and the free-energy barriers between them at one temperature.

    Attributes
    ----------
    temperature : float
        ``T``.
    threshold : float
        Groups separated by a lower barrier were merged.
    groups : dict of int to tuple of int
        Group id (its member of lowest free energy) -> its minima, sorted.
    free_energy : dict of int to float
        Group id -> ``F_G``.
    transition_states : tuple of (float, int, int)
        ``(F_GH, G, H)`` for every pair of groups joined by at least one transition state.
    """

    temperature: float
    threshold: float
    groups: dict[int, tuple[int, ...]]
    free_energy: dict[int, float]
    transition_states: tuple[tuple[float, int, int], ...]

    def group_of(self, minimum: int) -> int:
        """The id of the group holding ``minimum``."""
        for g, members in self.groups.items():
            if minimum in members:
                return g
        raise KeyError(minimum)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe fields: ``temperature``, ``threshold``, ``groups`` (id, members, F) and
        ``transition_states`` (F, G, H)."""
        return {
            "temperature": self.temperature,
            "threshold": self.threshold,
            "groups": [
                {"id": g, "minima": list(m), "free_energy": self.free_energy[g]}
                for g, m in self.groups.items()
            ],
            "transition_states": [list(t) for t in self.transition_states],
        }


def _logsum_f(values: Sequence[float], t: float) -> float:
    """``-T ln sum exp(-F/T)``."""
    return float(-t * logsumexp([-v / t for v in values]))


def free_energy_network(
    minima: Mapping[int, tuple[float, float]],
    transition_states: Sequence[tuple[float, float, int, int]],
    *,
    temperature: float,
    threshold: float = 0.0,
) -> FreeEnergyNetwork:
    """Regroup minima at ``temperature`` by their free-energy barriers.

    Parameters
    ----------
    minima : mapping of int to (float, float)
        Minimum id -> ``(energy, fvib)``.
    transition_states : sequence of (energy, fvib, min1, min2)
        Transition states (one joining a minimum to itself is skipped).
    temperature : float
        ``T > 0``.
    threshold : float, default 0.0
        Merge groups whose lower free-energy barrier is below this (0: only where the
        transition state lies below a minimum's free energy).

    Returns
    -------
    FreeEnergyNetwork

    References
    ----------
    Krivov & Karplus, J. Chem. Phys. 117, 10894 (2002); Carr & Wales, J. Phys. Chem. B 112,
    8760 (2008).
    """
    t = float(temperature)
    if not math.isfinite(t) or t <= 0:
        raise InputError(f"free energy: --temperature must be positive and finite, got {t}")
    if not math.isfinite(float(threshold)):
        raise InputError(f"free energy: --regroup must be finite, got {threshold}")
    if not minima:
        raise InputError("free energy: there are no minima")
    f_min = {int(m): float(e) + 0.5 * t * float(f) for m, (e, f) in minima.items()}
    f_ts: list[tuple[float, int, int]] = []
    for e, f, a, b in transition_states:
        if a == b:
            continue
        for m in (a, b):
            if m not in f_min:
                raise InputError(f"free energy: transition state joins unknown minimum {m}")
        f_ts.append((float(e) + 0.5 * t * float(f) + t * math.log(2 * math.pi), int(a), int(b)))
    group = {m: m for m in f_min}  # minimum -> group label

    def summarise() -> tuple[dict[int, list[int]], dict[int, float], dict[tuple[int, int], float]]:
        members: dict[int, list[int]] = {}
        for m, g in group.items():
            members.setdefault(g, []).append(m)
        free = {g: _logsum_f([f_min[m] for m in ms], t) for g, ms in members.items()}
        parts: dict[tuple[int, int], list[float]] = {}
        for f, a, b in f_ts:
            ga, gb = group[a], group[b]
            if ga != gb:
                parts.setdefault((min(ga, gb), max(ga, gb)), []).append(f)
        return members, free, {k: _logsum_f(v, t) for k, v in parts.items()}

    while True:
        members, free, barriers = summarise()
        best = None
        for (g, h), f in barriers.items():
            barrier = f - max(free[g], free[h])
            if barrier < threshold and (best is None or (barrier, g, h) < best):
                best = (barrier, g, h)
        if best is None:
            break
        _, g, h = best
        for m, lab in group.items():
            if lab == h:
                group[m] = g
    # label each group by its member of lowest free energy
    label = {g: min(ms, key=lambda m: (f_min[m], m)) for g, ms in members.items()}
    return FreeEnergyNetwork(
        temperature=t,
        threshold=float(threshold),
        groups={label[g]: tuple(sorted(ms)) for g, ms in sorted(members.items())},
        free_energy={label[g]: free[g] for g in members},
        transition_states=tuple(sorted((f, label[g], label[h]) for (g, h), f in barriers.items())),
    )


def free_energy_tree(
    db: Database,
    *,
    temperature: float,
    threshold: float = 0.0,
    use_fvib: bool = True,
    **kw: Any,
) -> tuple[DisconnectivityTree, FreeEnergyNetwork]:
    """The free-energy disconnectivity tree of the minima and transition states in ``db``.

    Parameters
    ----------
    db : Database
        An open database; every minimum and transition state needs its ``fvib``.
    temperature : float
        ``T > 0``.
    threshold : float, default 0.0
        Regrouping threshold (:func:`free_energy_network`).
    use_fvib : bool, default True
        Use the stored ``fvib``; False treats every well and saddle as equally wide (the
        free energies are then the energies plus the TS shift ``T ln 2 pi``).
    **kw
        Options of :func:`~lossatlas.energy.disconnectivity_tree` (``n_levels``, ``order``).

    Returns
    -------
    tree : DisconnectivityTree
        Leaves are groups, labelled by their member of lowest free energy.
    network : FreeEnergyNetwork
    """
    minima: dict[int, tuple[float, float]] = {}
    for m in db.minima():
        if use_fvib and m.fvib is None:
            raise InputError(f"free energy: minimum {m.id} has no fvib (Hessian summary)")
        minima[m.id] = (m.energy, float(m.fvib) if use_fvib else 0.0)  # type: ignore[arg-type]
    ts_list = []
    for ts in db.transition_states():
        if use_fvib and ts.fvib is None:
            raise InputError(f"free energy: transition state {ts.id} has no fvib")
        ts_list.append((ts.energy, float(ts.fvib) if use_fvib else 0.0, ts.min1, ts.min2))  # type: ignore[arg-type]
    net = free_energy_network(minima, ts_list, temperature=temperature, threshold=threshold)
    tree = disconnectivity_tree(net.free_energy, net.transition_states, **kw)
    return tree, net
