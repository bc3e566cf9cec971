"""Monotonic sequence basins of a network of minima and transition states.

A *monotonic sequence* is a chain of minima, each joined to the next by a transition state and
each lower than the last. A *bottom* is a minimum with no directly connected lower minimum; the
*monotonic sequence basin* (MSB) of a bottom is the set of minima whose sequences end there
(Berry & Kunz 1995). A minimum from which descending paths lead to more than one bottom lies in
several MSBs: it is flagged *ambiguous*, and a descent rule picks one:

* ``"barrier"`` (reference rule): step to the lower neighbour reached over the lowest
  transition state (lowest barrier out of the current minimum);
* ``"neighbour"``: step to the lowest-energy neighbour.

Both are computed and reported. Ties are broken by the lower database id.

References
----------
R. S. Berry and R. E. Kunz, "Topography and dynamics of multidimensional interatomic
potential surfaces", Phys. Rev. Lett. 74, 3951 (1995).
D. J. Wales, *Energy Landscapes*, Cambridge University Press (2003), sec. 4.4.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from lossatlas.energy._disconnectivity import DisconnectivityTree, disconnectivity_plot_data
from lossatlas.energy._plotdata import DisconnectivityPlotData
from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.energy._database import Database

__all__ = [
    "DescentRule",
    "MonotonicSequenceBasins",
    "monotonic_sequence_basins",
    "msb_from_database",
    "msb_colour_map",
    "msb_plot_data",
]

DescentRule = Literal["barrier", "neighbour"]
_RULES = ("barrier", "neighbour")


@dataclass(frozen=True)
class MonotonicSequenceBasins:
    """MSBs of a set of minima.

    Attributes
    ----------
    minima : tuple of int
        Minimum ids, lowest energy first.
    energies : dict of int to float
        Energy of each minimum.
    bottoms : tuple of int
        Minima with no lower direct neighbour, lowest first (isolated minima included).
    bottom_by_barrier : dict of int to int
        Minimum -> bottom reached by the lowest-barrier descent.
    bottom_by_neighbour : dict of int to int
        Minimum -> bottom reached by the lowest-neighbour descent.
    reachable_bottoms : dict of int to tuple of int
        Minimum -> every bottom that some monotonic sequence from it reaches.
    ambiguous : tuple of int
        Minima with more than one reachable bottom (they lie in overlapping MSBs).
    isolated : tuple of int
        Minima joined to no other minimum by a transition state.
    """

    minima: tuple[int, ...]
    energies: dict[int, float]
    bottoms: tuple[int, ...]
    bottom_by_barrier: dict[int, int]
    bottom_by_neighbour: dict[int, int]
    reachable_bottoms: dict[int, tuple[int, ...]]
    ambiguous: tuple[int, ...]
    isolated: tuple[int, ...]

    def bottom_of(self, rule: DescentRule = "barrier") -> dict[int, int]:
        """Minimum -> its bottom under ``rule``."""
        _check_rule(rule)
        return self.bottom_by_barrier if rule == "barrier" else self.bottom_by_neighbour

    def members(self, bottom: int, rule: DescentRule = "barrier") -> tuple[int, ...]:
        """Minima of the MSB of ``bottom`` under ``rule``, lowest first."""
        if bottom not in self.energies:
            raise InputError(f"MSB: {bottom} is not a known minimum")
        owner = self.bottom_of(rule)
        return tuple(m for m in self.minima if owner[m] == bottom)

    def basins(self, rule: DescentRule = "barrier") -> dict[int, tuple[int, ...]]:
        """Bottom -> members, bottoms lowest first."""
        return {b: self.members(b, rule) for b in self.bottoms}

    @property
    def rules_disagree(self) -> tuple[int, ...]:
        """Minima that the two descent rules send to different bottoms."""
        return tuple(
            m for m in self.minima if self.bottom_by_barrier[m] != self.bottom_by_neighbour[m]
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary: bottoms, ambiguous and isolated minima, and one row per minimum.

        Returns
        -------
        dict
            ``bottoms``, ``ambiguous``, ``isolated`` (lists of ids) and ``minima`` (``id``,
            ``energy``, ``msb_barrier``, ``msb_neighbour``, ``ambiguous``,
            ``reachable_bottoms``).
        """
        return {
            "bottoms": list(self.bottoms),
            "ambiguous": list(self.ambiguous),
            "isolated": list(self.isolated),
            "minima": [
                {
                    "id": m,
                    "energy": self.energies[m],
                    "msb_barrier": self.bottom_by_barrier[m],
                    "msb_neighbour": self.bottom_by_neighbour[m],
                    "ambiguous": m in self.ambiguous,
                    "reachable_bottoms": list(self.reachable_bottoms[m]),
                }
                for m in self.minima
            ],
        }


def _check_rule(rule: str) -> None:
    if rule not in _RULES:
        raise InputError(f"MSB descent rule must be one of {_RULES}, got {rule!r}")


def monotonic_sequence_basins(
    minima_energies: Mapping[int, float],
    transition_states: Sequence[tuple[float, int, int]],
) -> MonotonicSequenceBasins:
    """Bottoms, MSB membership by both descent rules, and ambiguous minima.

    Parameters
    ----------
    minima_energies : mapping of int to float
        Minimum id -> energy.
    transition_states : sequence of (energy, min1, min2)
        Transition states and the minima they join; where several join one pair the lowest
        counts; a transition state joining a minimum to itself is ignored.

    Returns
    -------
    MonotonicSequenceBasins

    Notes
    -----
    Minima are processed in ascending energy, so the bottoms of every lower neighbour are known
    when a minimum is reached: ``O(M + E)`` for the rules, ``O(M B)`` for the reachable-bottom
    sets (``B`` bottoms). Two minima of equal energy are not lower than each other (ties by
    id only order the processing).
    """
    energies = {int(k): float(v) for k, v in minima_energies.items()}
    barrier: dict[int, dict[int, float]] = {m: {} for m in energies}
    for e_ts, a, b in transition_states:
        a, b = int(a), int(b)
        for m in (a, b):
            if m not in energies:
                raise InputError(f"MSB: transition state at {e_ts} joins unknown minimum {m}")
        if a == b:
            continue
        e_ts = float(e_ts)
        if e_ts < barrier[a].get(b, np.inf):
            barrier[a][b] = e_ts
            barrier[b][a] = e_ts
    order = sorted(energies, key=lambda m: (energies[m], m))
    by_barrier: dict[int, int] = {}
    by_neighbour: dict[int, int] = {}
    reachable: dict[int, tuple[int, ...]] = {}
    bottoms = []
    for m in order:
        lower = [n for n in barrier[m] if energies[n] < energies[m]]
        if not lower:
            bottoms.append(m)
            by_barrier[m] = by_neighbour[m] = m
            reachable[m] = (m,)
            continue
        via_barrier = min(lower, key=lambda n: (barrier[m][n], energies[n], n))
        via_neighbour = min(lower, key=lambda n: (energies[n], barrier[m][n], n))
        by_barrier[m] = by_barrier[via_barrier]
        by_neighbour[m] = by_neighbour[via_neighbour]
        found = {b for n in lower for b in reachable[n]}
        reachable[m] = tuple(sorted(found, key=lambda b: (energies[b], b)))
    return MonotonicSequenceBasins(
        minima=tuple(order),
        energies=energies,
        bottoms=tuple(bottoms),
        bottom_by_barrier=by_barrier,
        bottom_by_neighbour=by_neighbour,
        reachable_bottoms=reachable,
        ambiguous=tuple(m for m in order if len(reachable[m]) > 1),
        isolated=tuple(m for m in order if not barrier[m]),
    )


def msb_from_database(db: Database) -> MonotonicSequenceBasins:
    """:func:`monotonic_sequence_basins` of every minimum and transition state in ``db``.

    Parameters
    ----------
    db : Database
        An open database.

    Returns
    -------
    MonotonicSequenceBasins
    """
    return monotonic_sequence_basins(
        {m.id: m.energy for m in db.minima()},
        [(t.energy, t.min1, t.min2) for t in db.transition_states()],
    )


def msb_colour_map(
    msbs: MonotonicSequenceBasins, *, rule: DescentRule = "barrier"
) -> dict[int, float]:
    """Minimum id -> MSB index (0 for the basin of the lowest bottom, 1 for the next, ...).

    Pass it as ``colour_by`` to :func:`~lossatlas.energy._plots.plot_disconnectivity` (with a
    qualitative colour map such as ``"tab10"``) to colour the disconnectivity graph by MSB.

    Parameters
    ----------
    msbs : MonotonicSequenceBasins
        The basins.
    rule : {"barrier", "neighbour"}, default "barrier"
        Descent rule.

    Returns
    -------
    dict of int to float
    """
    index = {b: i for i, b in enumerate(msbs.bottoms)}
    owner = msbs.bottom_of(rule)
    return {m: float(index[owner[m]]) for m in msbs.minima}


def msb_plot_data(
    tree: DisconnectivityTree,
    msbs: MonotonicSequenceBasins,
    *,
    rule: DescentRule = "barrier",
    label_minima: bool = False,
) -> DisconnectivityPlotData:
    """The disconnectivity graph with leaves coloured by MSB index (draw it with
    ``plot_disconnectivity``).

    Parameters
    ----------
    tree : DisconnectivityTree
        The graph to colour.
    msbs : MonotonicSequenceBasins
        The basins (:func:`monotonic_sequence_basins`).
    rule : {"barrier", "neighbour"}, default "barrier"
        Descent rule that assigns each minimum its basin.
    label_minima : bool, default False
        Write each minimum's id under its leaf.

    Returns
    -------
    DisconnectivityPlotData
        A qualitative colour map (``tab10``, or ``tab20`` for more than ten basins).
    """
    _check_rule(rule)
    return disconnectivity_plot_data(
        tree,
        colour_by=msb_colour_map(msbs, rule=rule),
        cmap="tab10" if len(msbs.bottoms) <= 10 else "tab20",
        label_minima=label_minima,
        colour_label=f"MSB ({rule} rule)",
    )
