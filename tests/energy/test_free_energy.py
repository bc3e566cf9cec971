"""Free-energy disconnectivity graphs against hand-computed regroupings."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lossatlas.energy import (
    Database,
    disconnectivity_tree,
    free_energy_network,
    free_energy_tree,
)
from lossatlas.errors import InputError

LN2PI = math.log(2 * math.pi)
MINIMA = {1: (0.0, 4.0), 2: (0.5, 0.0), 3: (1.0, 0.0)}
TS = [(1.0, 0.0, 1, 2), (1.2, 0.0, 2, 3)]


def test_high_temperature_regrouping_by_hand() -> None:
    # T = 1: F1 = 0 + 4/2 = 2, F2 = 0.5, F3 = 1; F12 = 1 + ln 2pi, F23 = 1.2 + ln 2pi.
    # barriers F12 - max(F1, F2) = 0.838 < 1 (merge), then F23 - max(F_{12}, F3) = 2.04 > 1.
    net = free_energy_network(MINIMA, TS, temperature=1.0, threshold=1.0)
    assert net.groups == {2: (1, 2), 3: (3,)}
    assert net.free_energy[2] == pytest.approx(-math.log(math.exp(-2.0) + math.exp(-0.5)))
    assert net.free_energy[3] == pytest.approx(1.0)
    assert net.transition_states == ((pytest.approx(1.2 + LN2PI), 2, 3),)
    # the wide minimum 2 is the global free-energy minimum although 1 is lowest in energy
    assert min(net.free_energy, key=net.free_energy.get) == 2


def test_low_temperature_regrouping_by_hand() -> None:
    # T = 0.01: F ~ E; barriers 12: 1.018 - 0.5 = 0.518, 23: 1.218 - 1 = 0.218 < 0.3 (merge)
    net = free_energy_network(MINIMA, TS, temperature=0.01, threshold=0.3)
    assert net.groups == {1: (1,), 2: (2, 3)}
    f23 = -0.01 * math.log(math.exp(-50.0) + math.exp(-100.0))
    assert net.free_energy[2] == pytest.approx(f23)
    assert net.free_energy[1] == pytest.approx(0.02)
    assert net.transition_states == ((pytest.approx(1.0 + 0.01 * LN2PI), 1, 2),)


def test_low_temperature_graph_is_the_energy_graph() -> None:
    rng = np.random.default_rng(3)
    energies = rng.uniform(0, 1, 9)
    minima = {
        i + 1: (float(e), float(f))
        for i, (e, f) in enumerate(zip(energies, rng.uniform(-2, 2, 9), strict=True))
    }
    ts = [
        (max(energies[i - 1], energies[j - 1]) + float(rng.uniform(0.1, 1)), 0.0, j, i)
        for i in range(2, 10)
        for j in [int(rng.integers(1, i))]
    ]
    net = free_energy_network(minima, ts, temperature=1e-6)
    assert all(len(m) == 1 for m in net.groups.values())
    a = disconnectivity_tree(net.free_energy, net.transition_states, n_levels=15)
    b = disconnectivity_tree(
        {m: e for m, (e, _) in minima.items()}, [(e, x, y) for e, _, x, y in ts], n_levels=15
    )
    assert sorted(n.minima for n in a.nodes) == sorted(n.minima for n in b.nodes)


def test_saddle_below_a_minimum_in_free_energy_merges_at_zero_threshold() -> None:
    # a very wide saddle (fvib -20) sinks below both minima at T = 1
    net = free_energy_network({1: (0.0, 0.0), 2: (0.1, 0.0)}, [(0.5, -20.0, 1, 2)], temperature=1.0)
    assert net.groups == {1: (1, 2)} and net.transition_states == ()
    net = free_energy_network({1: (0.0, 0.0), 2: (0.1, 0.0)}, [(0.5, 0.0, 1, 2)], temperature=1.0)
    assert net.groups == {1: (1,), 2: (2,)}


def test_tree_from_a_database_and_errors(tmp_path) -> None:
    with Database(tmp_path / "f.sqlite") as db:
        for i, (e, f) in MINIMA.items():
            db.add_minimum(e, np.array([float(i), 0.0]), fvib=f, n_positive=2)
        for e, f, a, b in TS:
            db.add_transition_state(e, np.array([a + 0.5, 1.0]), a, b, fvib=f)
        tree, net = free_energy_tree(db, temperature=1.0, threshold=1.0, n_levels=5)
    assert sorted(tree.leaf_of) == [2, 3] and net.groups[2] == (1, 2)
    with pytest.raises(InputError, match="temperature"):
        free_energy_network(MINIMA, TS, temperature=-1.0)
