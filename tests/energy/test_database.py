"""Tests of the minima / transition-state database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossatlas.energy import Database, Minimum, hessian_summary
from lossatlas.energy.potentials import MLPCrossEntropy, MullerBrown
from lossatlas.errors import InputError


def small_mlp() -> MLPCrossEntropy:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(20, 2))
    y = (X[:, 0] ** 2 + X[:, 1] ** 2 > 1.2).astype(int)  # needs three different hidden units
    return MLPCrossEntropy(X, y, n_hidden=3, lam=1e-5)


def test_add_and_dedup_minimum(tmp_path: Path) -> None:
    with Database(tmp_path / "a.sqlite", energy_tol=1e-4, distance_tol=1e-3) as db:
        m, new = db.add_minimum(-1.0, np.array([0.0, 1.0]), fvib=2.5, n_positive=2)
        assert new and m.id == 1 and m.fvib == 2.5 and m.n_positive == 2
        # same energy within tol and coords within tol: duplicate
        again, new = db.add_minimum(-1.0 + 5e-5, np.array([0.0, 1.0 + 5e-4]))
        assert not new and again.id == m.id and again.fvib == 2.5
        # same energy, far away: distinct
        _, new = db.add_minimum(-1.0, np.array([3.0, 1.0]))
        assert new
        # same place, energy beyond tol: distinct
        _, new = db.add_minimum(-1.0 + 2e-4, np.array([0.0, 1.0]))
        assert new
        assert [x.energy for x in db.minima()] == sorted(x.energy for x in db.minima())
        assert len(db.minima()) == 3 and db.n_minima() == 3
        got = db.get_minimum(m.id)
        assert got.energy == -1.0 and got.coords.dtype == np.float64
        np.testing.assert_array_equal(got.coords, [0.0, 1.0])


def test_coordinates_stored_as_float64_blobs(tmp_path: Path) -> None:
    x = np.array([1.5, -2.25, 1e-300])
    with Database(tmp_path / "a.sqlite") as db:
        db.add_minimum(0.0, x)
    con = sqlite3.connect(tmp_path / "a.sqlite")
    blob = con.execute("SELECT coords FROM minima").fetchone()[0]
    con.close()
    assert blob == x.astype("<f8").tobytes()  # raw float64, no pickle header


def test_reopen_continues(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    with Database(path) as db:
        db.add_minimum(-2.0, np.zeros(2))
        db.set_meta("potential", {"name": "muller-brown", "options": {}})
    with Database(path) as db:
        assert db.get_meta("potential") == {"name": "muller-brown", "options": {}}
        assert db.get_meta("missing", 7) == 7
        m, new = db.add_minimum(-2.0, np.zeros(2))
        assert not new and m.id == 1
        m2, new = db.add_minimum(-3.0, np.ones(2))
        assert new and m2.id == 2
        assert db.integrity_check() == "ok"
        assert db._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_transition_states(tmp_path: Path) -> None:
    with Database(tmp_path / "a.sqlite") as db:
        a, _ = db.add_minimum(-3.0, np.array([0.0, 0.0]))
        b, _ = db.add_minimum(-2.0, np.array([2.0, 0.0]))
        ts, new = db.add_transition_state(
            -1.0, np.array([1.0, 0.0]), a.id, b.id, negative_eigenvalue=-4.0
        )
        assert new and (ts.min1, ts.min2) == (a.id, b.id) and ts.negative_eigenvalue == -4.0
        dup, new = db.add_transition_state(-1.0, np.array([1.0, 1e-5]), a.id, b.id)
        assert not new and dup.id == ts.id
        assert len(db.transition_states()) == 1
        with pytest.raises(InputError, match="no minimum with id 99"):
            db.add_transition_state(0.0, np.array([5.0, 0.0]), a.id, 99)
        assert len(db.transition_states()) == 1  # the failed insert was rolled back


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        Database(tmp_path / "none.sqlite", create=False)
    bad = tmp_path / "bad.sqlite"
    bad.write_text("this is not a database" * 100)
    with pytest.raises(InputError, match="bad.sqlite"):
        Database(bad)
    with Database(tmp_path / "a.sqlite") as db:
        with pytest.raises(InputError, match="no minimum with id 5"):
            db.get_minimum(5)
        with pytest.raises(InputError, match="finite"):
            db.add_minimum(float("nan"), np.zeros(2))
        with pytest.raises(InputError, match="JSON"):
            db.set_meta("x", object())


def test_write_pathsample(tmp_path: Path) -> None:
    with Database(tmp_path / "a.sqlite") as db:
        a, _ = db.add_minimum(-3.0, np.array([0.0, 0.0]), fvib=1.25)
        b, _ = db.add_minimum(-2.0, np.array([2.0, 0.0]))
        db.add_transition_state(-1.0, np.array([1.0, 0.0]), b.id, a.id, fvib=0.5)
        min_path, ts_path = db.write_pathsample(tmp_path / "ps")
    rows = [line.split() for line in min_path.read_text().splitlines()]
    assert len(rows) == 2
    assert float(rows[0][0]) == -3.0 and float(rows[0][1]) == 1.25 and rows[0][2] == "1"
    assert float(rows[1][1]) == 0.0  # missing fvib written as 0
    (ts,) = [line.split() for line in ts_path.read_text().splitlines()]
    assert float(ts[0]) == -1.0 and float(ts[1]) == 0.5 and ts[2] == "1"
    assert (int(ts[3]), int(ts[4])) == (2, 1)  # 1-based lines of min.data


def test_mlp_symmetric_copies_count_once(tmp_path: Path) -> None:
    pot = small_mlp()
    from lossatlas.energy import minimize

    x = minimize(pot, np.random.default_rng(0).uniform(-2, 2, pot.ndim), rms_tol=1e-8).x
    e = pot.energy(x)
    copies = [
        x,
        pot.permute_hidden(x, np.array([2, 0, 1])),
        pot.flip_hidden(x, 1),
        pot.flip_hidden(pot.permute_hidden(x, np.array([1, 0, 2])), 0),
    ]
    for c in copies:  # the copies are genuinely different points with the same loss
        assert abs(pot.energy(c) - e) < 1e-12
    for i in range(len(copies)):
        for j in range(i):
            assert np.linalg.norm(copies[i] - copies[j]) > 1.0
    with Database(tmp_path / "a.sqlite", canonicalise=pot.canonicalise) as db:
        flags = [db.add_minimum(pot.energy(c), c)[1] for c in copies]
        assert flags == [True, False, False, False]
        assert db.n_minima() == 1
        assert db.find_minimum(e, copies[3]) is not None
    # without canonicalisation the copies are (wrongly) distinct minima
    with Database(tmp_path / "b.sqlite") as db:
        flags = [db.add_minimum(pot.energy(c), c)[1] for c in copies]
        assert sum(flags) == 4


def test_hessian_summary_muller_brown() -> None:
    pot = MullerBrown()
    x = np.array([-0.55822363, 1.44172584])
    fvib, n_pos, lowest = hessian_summary(pot, x)
    eig = np.linalg.eigvalsh(pot.hessian(x))
    assert n_pos == 2 and lowest == pytest.approx(eig[0])
    assert fvib == pytest.approx(np.log(eig).sum())
    saddle = np.array([-0.8220, 0.6243])
    fvib_s, n_pos_s, lowest_s = hessian_summary(pot, saddle)
    assert n_pos_s == 1 and lowest_s < 0


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 3)),
        min_size=1,
        max_size=25,
    )
)
def test_dedup_matches_bruteforce(points: list[tuple[int, int]]) -> None:
    """Inserting a random multiset of points stores exactly the distinct ones."""
    import tempfile

    with tempfile.TemporaryDirectory() as d, Database(Path(d) / "h.sqlite") as db:
        for e, c in points:
            db.add_minimum(float(e), np.array([float(c), 0.0]))
        stored = {(m.energy, float(m.coords[0])) for m in db.minima()}
        assert stored == {(float(e), float(c)) for e, c in points}
        assert len(db.minima()) == len(stored)


def test_minimum_dataclass_is_frozen() -> None:
    m = Minimum(1, 0.0, np.zeros(2), None, None, None)
    with pytest.raises(AttributeError):
        m.energy = 1.0  # type: ignore[misc]


class _CountingDistance:
    """A custom distance (|a - b|_1) that records which stored points it was asked about."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, ...]] = []

    def __call__(self, a: np.ndarray, b: np.ndarray) -> float:
        self.calls.append(tuple(a))
        return float(np.abs(a - b).sum())


def test_custom_distance_decides_duplicates_within_the_energy_window(tmp_path: Path) -> None:
    dist = _CountingDistance()
    with Database(tmp_path / "d.sqlite", distance_tol=1.0, distance=dist) as db:
        for e, c in [(0.0, 0.0), (1.0, 10.0), (2.0, 20.0)]:
            assert db.add_minimum(e, np.array([c, 0.0]))[1]
        dist.calls.clear()
        # L1 distance 1.0 (Euclidean 0.71): duplicate under the custom distance
        m, new = db.add_minimum(1.0 + 5e-5, np.array([10.5, 0.5]))
        assert not new and m.id == 2
        # only the minimum inside the energy window was compared
        assert dist.calls == [(10.0, 0.0)]
        # L1 distance 1.2 (Euclidean 0.85 < 1.0): distinct under the custom distance
        _, new = db.add_minimum(1.0, np.array([10.6, 0.6]))
        assert new
        assert db.find_minimum(2.0, np.array([20.0, 1.0])) is not None
        assert db.find_minimum(2.0, np.array([20.7, 0.7])) is None
        # transition states use the same rule
        ts, new = db.add_transition_state(5.0, np.array([5.0, 0.0]), 1, 2)
        assert new
        dup, new = db.add_transition_state(5.0, np.array([5.5, -0.5]), 1, 2)
        assert not new and dup.id == ts.id
        _, new = db.add_transition_state(5.0, np.array([5.6, -0.6]), 1, 2)
        assert new
    # without it the Euclidean rule of before: [10.6, 0.6] is a duplicate of [10, 0]
    with Database(tmp_path / "e.sqlite", distance_tol=1.0) as db:
        db.add_minimum(1.0, np.array([10.0, 0.0]))
        assert not db.add_minimum(1.0, np.array([10.6, 0.6]))[1]


def test_mlp_symmetry_distance_database_counts_copies_once(tmp_path: Path) -> None:
    pot = small_mlp()
    from lossatlas.energy import minimize

    x = minimize(pot, np.random.default_rng(1).uniform(-2, 2, pot.ndim), rms_tol=1e-8).x
    copies = [x, pot.flip_hidden(pot.permute_hidden(x, np.array([2, 1, 0])), 2)]
    with Database(
        tmp_path / "s.sqlite", canonicalise=pot.canonicalise, distance=pot.symmetry_distance
    ) as db:
        flags = [db.add_minimum(pot.energy(c), c)[1] for c in copies]
        assert flags == [True, False]
        assert db.n_minima() == 1
    # the symmetry distance alone (coordinates stored as given) also sees one minimum
    with Database(tmp_path / "raw.sqlite", distance=pot.symmetry_distance) as db:
        flags = [db.add_minimum(pot.energy(c), c)[1] for c in copies]
        assert flags == [True, False]
        np.testing.assert_array_equal(db.minima()[0].coords, x)
