"""The connect drivers (lossatlas.energy._connect) on Mueller-Brown and hand-made graphs."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from lossatlas.energy import (
    Database,
    Minimum,
    connect_lowest,
    connect_minima,
    hessian_summary,
    minimize,
    transition_state_path,
)
from lossatlas.energy._connect import OrbitDistances, _dijkstra_route, ts_graph
from lossatlas.energy.potentials import MLPCrossEntropy, MullerBrown
from lossatlas.energy.potentials._base import BasePotential
from lossatlas.errors import InputError

SADDLES = {(-0.8220, 0.6243, -40.6648), (0.2124, 0.2930, -72.2489)}


def _three_minima_db(path: Path) -> tuple[MullerBrown, Database, list[int]]:
    pot = MullerBrown()
    db = Database(path)
    ids = []
    for x, y, _ in pot.REFERENCE_MINIMA:
        res = minimize(pot, np.array([x, y]), rms_tol=1e-9)
        fvib, n_pos, lowest = hessian_summary(pot, res.x)
        ids.append(
            db.add_minimum(
                res.energy, res.x, fvib=fvib, n_positive=n_pos, lowest_eigenvalue=lowest
            )[0].id
        )
    return pot, db, ids  # ids: [-146.70, -108.17, -80.77]


def _check_saddles(db: Database) -> None:
    found = db.transition_states()
    assert len(found) == 2
    for ts in found:
        ref = min(SADDLES, key=lambda r: abs(r[2] - ts.energy))
        assert ts.energy == pytest.approx(ref[2], abs=1e-4)
        np.testing.assert_allclose(ts.coords, ref[:2], atol=1e-4)
        assert ts.negative_eigenvalue is not None and ts.negative_eigenvalue < 0


@pytest.mark.parametrize("metric", ["squared", "exp"])
def test_connect_mueller_brown_finds_both_saddles(tmp_path: Path, metric: str) -> None:
    pot, db, (gmin, m108, m80) = _three_minima_db(tmp_path / "mb.sqlite")
    result = connect_minima(pot, db, gmin, m108, distance_metric=metric)  # type: ignore[arg-type]
    assert result.success
    # d(gmin, m108) = 1.84, d(gmin, m80) = 1.10, d(m80, m108) = 0.80: the route goes via -80.77
    # (squared 3.39 > 1.85; exp 6.3 > 5.2), and finds both saddles.
    assert result.path == [gmin, m80, m108]
    assert result.n_searches == 2 and result.n_cycles == 1
    assert result.new_transition_states == 2 and result.new_minima == 0
    _check_saddles(db)
    by_id = {ts.id: ts for ts in db.transition_states()}
    assert [by_id[t].energy for t in result.transition_states] == pytest.approx(
        [-40.6648, -72.2489], abs=1e-4
    )
    assert {frozenset((t.min1, t.min2)) for t in by_id.values()} == {
        frozenset((gmin, m80)),
        frozenset((m80, m108)),
    }
    # Already connected: nothing more to search.
    again = connect_minima(pot, db, m108, gmin)
    assert again.success and again.n_searches == 0 and again.path == [m108, m80, gmin]
    db.close()


def test_connect_lowest_grows_network_then_skips(tmp_path: Path) -> None:
    pot, db, (gmin, m108, m80) = _three_minima_db(tmp_path / "mb.sqlite")
    results = connect_lowest(pot, db, lowest=3)
    assert [(r.min1, r.min2) for r in results] == [(gmin, m108), (gmin, m80)]
    assert all(r.success for r in results)
    assert sum(r.n_searches for r in results) == 2
    assert results[1].n_searches == 0 and results[1].path == [gmin, m80]
    _check_saddles(db)
    assert connect_lowest(pot, db, lowest=1) == []
    with pytest.raises(InputError):
        connect_lowest(pot, db, lowest=0)
    db.close()


def test_connect_gives_up_after_cycles(tmp_path: Path) -> None:
    pot, db, (gmin, m108, _) = _three_minima_db(tmp_path / "mb.sqlite")
    result = connect_minima(pot, db, gmin, m108, max_cycles=0)
    assert not result.success and result.path == [] and result.n_searches == 0
    assert db.transition_states() == []
    with pytest.raises(InputError, match="distance_metric"):
        connect_minima(pot, db, gmin, m108, distance_metric="cosine")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        connect_minima(pot, db, gmin, 999)
    db.close()


def test_dijkstra_metric_decides_intermediate_minima() -> None:
    # Three minima on a line at 0, 0.5, 1: with d^2 the detour via the middle costs 0.5 < 1;
    # with exp(d) it costs 2 e^0.5 = 3.30 > e = 2.72, so the direct edge wins.
    ids = np.array([10, 11, 12])
    coords = np.array([[0.0], [0.5], [1.0]])
    assert _dijkstra_route(ids, coords, {}, set(), 10, 12, "squared") == [10, 11, 12]
    assert _dijkstra_route(ids, coords, {}, set(), 10, 12, "exp") == [10, 12]
    # A tried pair is never proposed again; with every pair tried there is no route.
    tried = {frozenset((10, 11))}
    assert _dijkstra_route(ids, coords, {}, tried, 10, 12, "squared") == [10, 12]
    everything = {frozenset(p) for p in ((10, 11), (10, 12), (11, 12))}
    assert _dijkstra_route(ids, coords, {}, everything, 10, 12, "squared") is None


def test_dijkstra_uses_known_transition_states_for_free(tmp_path: Path) -> None:
    # Four minima; a stored TS joins the first and the last: that edge costs 0, so the route to
    # the second goes 0 + 0.25 through it, not directly (9) nor via the third (2 + 5 = 7).
    db = Database(tmp_path / "hand.sqlite")
    pts = [[0.0, 0.0], [3.0, 0.0], [1.0, 1.0], [3.0, 0.5]]
    ids = [db.add_minimum(-float(i), np.array(p))[0].id for i, p in enumerate(pts)]
    db.add_transition_state(5.0, np.array([1.5, 1.5]), ids[0], ids[3])
    adj = ts_graph(db.transition_states())
    coords = np.array([m.coords for m in sorted(db.minima(), key=lambda m: m.id)])
    route = _dijkstra_route(np.array(ids), coords, adj, set(), ids[0], ids[1], "squared")
    assert route == [ids[0], ids[3], ids[1]]
    assert transition_state_path(db, ids[3], ids[0])[0] == [ids[3], ids[0]]
    assert transition_state_path(db, ids[0], ids[2]) == ([], [])
    db.close()


# ---- symmetry: bands between the nearest copies, Dijkstra on symmetry distances ----------


def _two_mlp_minima() -> tuple[MLPCrossEntropy, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(4)
    X = rng.normal(size=(16, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    pot = MLPCrossEntropy(X, y, n_hidden=2, lam=1e-2)
    a = minimize(pot, rng.normal(size=pot.ndim), rms_tol=1e-9).x
    b = minimize(pot, a + 1.5 * rng.normal(size=pot.ndim), rms_tol=1e-9).x
    return pot, a, b


def _farthest_copy(pot: MLPCrossEntropy, ref: np.ndarray, x: np.ndarray) -> np.ndarray:
    copies = []
    for perm in itertools.permutations(range(pot.n_hidden)):
        for flips in itertools.product([False, True], repeat=pot.n_hidden):
            z = pot.permute_hidden(x, np.array(perm))
            for j, f in enumerate(flips):
                if f:
                    z = pot.flip_hidden(z, j)
            copies.append(z)
    return max(copies, key=lambda z: float(np.linalg.norm(ref - z)))


def test_connect_runs_the_band_to_the_nearest_copy_of_the_end_minimum(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lossatlas.energy._transition as transition

    pot, a, b = _two_mlp_minima()
    far = _farthest_copy(pot, a, b)  # the end minimum replaced by a far symmetric copy
    d_sym = pot.symmetry_distance(a, far)
    assert float(np.linalg.norm(a - far)) > d_sym + 1.0
    bands = []
    real_band = transition.doubly_nudged_elastic_band

    def recording_band(potential, x_start, x_end, **kw):  # the real DNEB, endpoints recorded
        band = real_band(potential, x_start, x_end, **kw)
        bands.append(band)
        return band

    monkeypatch.setattr(transition, "doubly_nudged_elastic_band", recording_band)
    db = Database(tmp_path / "mlp.sqlite")  # no canonicalise: coordinates stored as given
    ia = db.add_minimum(pot.energy(a), a)[0].id
    ib = db.add_minimum(pot.energy(far), far)[0].id
    np.testing.assert_array_equal(db.get_minimum(ib).coords, far)
    result = connect_minima(pot, db, ia, ib, max_cycles=1)
    assert result.n_searches == 1 and len(bands) == 1
    images = bands[0].images
    np.testing.assert_array_equal(images[0], a)
    assert float(np.linalg.norm(images[-1] - images[0])) == pytest.approx(d_sym, abs=1e-9)
    assert pot.energy(images[-1]) == pytest.approx(pot.energy(far), abs=1e-12)
    # without alignment the band would run to the far copy as stored
    plain = transition.find_transition_states(
        pot,
        a,
        far,
        align_endpoints=False,
        band_options={"max_iterations": 1},
        saddle_options={"max_iterations": 1},
    )
    np.testing.assert_array_equal(plain.band.images[-1], far)
    db.close()


def test_dijkstra_weights_are_symmetry_distances(tmp_path: Path) -> None:
    pot, a, b = _two_mlp_minima()
    rng = np.random.default_rng(9)
    far_a = _farthest_copy(pot, b, a)
    db = Database(tmp_path / "mlp.sqlite")
    for x in (far_a, b, b + 0.3 * rng.normal(size=pot.ndim)):
        db.add_minimum(pot.energy(x), x)
    minima = db.minima()
    rows = OrbitDistances(pot)
    for u, m in enumerate(minima):
        expected = [pot.symmetry_distance(m.coords, o.coords) for o in minima]
        np.testing.assert_allclose(rows.row(minima, u), expected, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(rows.row(minima, u), expected, rtol=1e-12, atol=1e-12)
    # without a symmetry (Mueller-Brown) and for duck-typed objects: the Euclidean distance
    coords = np.array([[0.0, 0.0], [3.0, 4.0], [1.0, 0.0]])
    fake = [Minimum(i, 0.0, c, None, None, None) for i, c in enumerate(coords)]
    for p in (MullerBrown(), object()):
        np.testing.assert_allclose(OrbitDistances(p).row(fake, 0), [0.0, 5.0, 1.0])


def test_dijkstra_follows_a_given_row_distance() -> None:
    # Euclidean on a line would go 10 -> 11 -> 12; a row distance that puts 11 far away
    # (e.g. a symmetry distance) makes the direct edge the cheapest.
    ids = np.array([10, 11, 12])
    coords = np.array([[0.0], [0.5], [1.0]])
    table = np.array([[0.0, 5.0, 1.0], [5.0, 0.0, 5.0], [1.0, 5.0, 0.0]])
    route = _dijkstra_route(
        ids, coords, {}, set(), 10, 12, "squared", row_distance=lambda u: table[u]
    )
    assert route == [10, 12]
    assert _dijkstra_route(ids, coords, {}, set(), 10, 12, "squared") == [10, 11, 12]


def test_orbit_distance_and_align_fall_back_for_duck_typed_potentials() -> None:
    from lossatlas.energy import align_to, orbit_distance

    class Bare:  # energy only: no canonicalise, symmetry_distance or align
        def energy(self, x: np.ndarray) -> float:
            return float(np.sum(x**2))

    class Canonical(Bare):
        def canonicalise(self, x: np.ndarray) -> np.ndarray:
            return np.abs(x)

    x, y = np.array([1.0, -2.0]), np.array([-1.0, 2.0])
    assert orbit_distance(Bare(), x, y) == pytest.approx(np.hypot(2.0, 4.0))
    assert orbit_distance(Canonical(), x, y) == 0.0
    np.testing.assert_array_equal(align_to(Bare(), x, y), y)
    pot, a, b = _two_mlp_minima()
    assert orbit_distance(pot, a, b) == pot.symmetry_distance(a, b)
    np.testing.assert_array_equal(align_to(pot, a, b), pot.align(a, b))


class _WellChain(BasePotential):
    """A double well along x0 plus stiff and soft quadratic directions, 70 coordinates."""

    exact_hessian = True

    def __init__(self, ndim: int = 70) -> None:
        self.ndim = ndim
        self.k = np.geomspace(1e-2, 10.0, ndim - 1)
        self.hessian_calls = self.product_calls = 0

    def energy(self, x: np.ndarray) -> float:
        return float((x[0] ** 2 - 1.0) ** 2 + 0.5 * np.sum(self.k * x[1:] ** 2))

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return np.concatenate([[4.0 * x[0] * (x[0] ** 2 - 1.0)], self.k * x[1:]])

    def hessian(self, x: np.ndarray) -> np.ndarray:
        self.hessian_calls += 1
        return np.diag(np.concatenate([[12.0 * x[0] ** 2 - 4.0], self.k]))

    def hessian_vector_product(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        self.product_calls += 1
        return self.hessian(x) @ v


def test_auto_uses_the_dense_hessian_above_64_coordinates_and_newton_keeps_the_saddle() -> None:
    from lossatlas.energy._eigenfollow import hybrid_eigenvector_following

    pot = _WellChain()
    x0 = np.full(pot.ndim, 0.05)
    x0[0] = 0.3
    plain = hybrid_eigenvector_following(pot, x0, rms_tol=1e-9, newton_factor=0.0)
    assert pot.product_calls == 0 and pot.hessian_calls > 0  # no Lanczos at 70 coordinates
    fast = hybrid_eigenvector_following(pot, x0, rms_tol=1e-9)
    assert plain.converged and fast.converged and fast.n_negative == 1
    np.testing.assert_allclose(fast.x, np.zeros(pot.ndim), atol=1e-6)
    assert fast.energy == pytest.approx(1.0, abs=1e-12)
    assert fast.eigenvalue == pytest.approx(-4.0, rel=1e-9)
    # Newton steps near the saddle finish what eigenvector-following does in more cycles
    assert fast.n_iterations < plain.n_iterations
