"""Monotonic sequence basins."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossatlas.energy import (
    Database,
    monotonic_sequence_basins,
    msb_colour_map,
    msb_from_database,
    plot_msb_disconnectivity,
    tree_from_database,
)
from lossatlas.errors import InputError

# Hand-made network (energies; transition states (E, a, b)):
#   bottoms 1 (E 0) and 3 (E 0.5); 6 is isolated; 7 drains into 1.
#   2 (E 1) reaches 1 over a high barrier (3.0) and 3 over a low one (1.5): the two rules split.
#   4 and 5 sit above 2 and reach 3 by both rules, but 1 too: ambiguous.
ENERGIES = {1: 0.0, 2: 1.0, 3: 0.5, 4: 2.0, 5: 3.0, 6: 5.0, 7: 0.2}
TS = [
    (3.0, 1, 2),
    (3.2, 2, 1),  # a second, higher saddle of the same pair: ignored
    (1.5, 2, 3),
    (2.5, 4, 2),
    (4.0, 4, 3),
    (3.5, 5, 4),
    (1.0, 7, 1),
    (9.0, 2, 2),  # joins a minimum to itself: ignored
]


def test_hand_made_network() -> None:
    r = monotonic_sequence_basins(ENERGIES, TS)
    assert r.minima == (1, 7, 3, 2, 4, 5, 6)
    assert r.bottoms == (1, 3, 6)
    assert r.bottom_by_barrier == {1: 1, 7: 1, 3: 3, 2: 3, 4: 3, 5: 3, 6: 6}
    assert r.bottom_by_neighbour == {1: 1, 7: 1, 3: 3, 2: 1, 4: 3, 5: 3, 6: 6}
    assert r.ambiguous == (2, 4, 5)
    assert r.isolated == (6,)
    assert r.rules_disagree == (2,)
    assert r.reachable_bottoms[5] == (1, 3)
    assert r.members(3) == (3, 2, 4, 5)
    assert r.members(1, "neighbour") == (1, 7, 2)
    assert r.basins() == {1: (1, 7), 3: (3, 2, 4, 5), 6: (6,)}
    assert msb_colour_map(r) == {1: 0.0, 7: 0.0, 3: 1.0, 2: 1.0, 4: 1.0, 5: 1.0, 6: 2.0}
    assert msb_colour_map(r, rule="neighbour")[2] == 0.0


def test_bad_input() -> None:
    with pytest.raises(InputError, match="unknown minimum 9"):
        monotonic_sequence_basins({1: 0.0}, [(1.0, 1, 9)])
    r = monotonic_sequence_basins(ENERGIES, TS)
    with pytest.raises(InputError):
        r.members(1, "steepest")  # type: ignore[arg-type]


def _brute_force(energies: dict[int, float], ts: list[tuple[float, int, int]]):
    best: dict[tuple[int, int], float] = {}
    for e, a, b in ts:
        if a != b:
            key = (min(a, b), max(a, b))
            best[key] = min(best.get(key, np.inf), e)
    nbrs = {m: {} for m in energies}
    for (a, b), e in best.items():
        nbrs[a][b] = e
        nbrs[b][a] = e

    def lower(m):
        return [n for n in nbrs[m] if energies[n] < energies[m]]

    def follow(m, key):
        while lower(m):
            m = min(lower(m), key=lambda n: key(m, n))
        return m

    def reach(m):
        if not lower(m):
            return {m}
        return set().union(*(reach(n) for n in lower(m)))

    bar = {m: follow(m, lambda a, n: (nbrs[a][n], energies[n], n)) for m in energies}
    nei = {m: follow(m, lambda a, n: (energies[n], nbrs[a][n], n)) for m in energies}
    return bar, nei, {m: reach(m) for m in energies}


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 9), st.integers(0, 2**31 - 1))
def test_matches_brute_force_on_random_networks(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    energies = {i + 1: float(rng.integers(0, 6)) for i in range(n)}  # ties included
    ts = []
    for _ in range(int(rng.integers(0, 2 * n))):
        a, b = (int(v) for v in rng.integers(1, n + 1, size=2))
        ts.append((max(energies[a], energies[b]) + float(rng.uniform(0, 3)), a, b))
    r = monotonic_sequence_basins(energies, ts)
    bar, nei, reach = _brute_force(energies, ts)
    assert r.bottom_by_barrier == bar
    assert r.bottom_by_neighbour == nei
    assert {m: set(v) for m, v in r.reachable_bottoms.items()} == reach
    assert set(r.ambiguous) == {m for m, v in reach.items() if len(v) > 1}
    # every minimum's bottoms under both rules are reachable; bottoms are their own bottoms
    for m in energies:
        assert bar[m] in reach[m] and nei[m] in reach[m]
    for b in r.bottoms:
        assert r.bottom_by_barrier[b] == b


def test_from_database_and_plot(tmp_path) -> None:
    with Database(tmp_path / "h.sqlite") as db:
        ids = {}
        for m, e in sorted(ENERGIES.items()):
            ids[m] = db.add_minimum(e, np.array([float(m), 0.0]))[0].id
        for e, a, b in TS:
            db.add_transition_state(e, np.array([a + b + e, 1.0]), ids[a], ids[b])
        r = msb_from_database(db)
        tree = tree_from_database(db)
    assert r.bottoms == tuple(ids[b] for b in (1, 3, 6))
    fig = plot_msb_disconnectivity(tree, r)
    assert fig.axes
