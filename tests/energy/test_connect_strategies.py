"""Connect strategies (lowest, unconnected, closest, pairs) on Mueller-Brown and a small MLP."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lossatlas.energy import (
    Database,
    connect_with_strategy,
    hessian_summary,
    minimize,
    read_pairs,
    transition_state_path,
)
from lossatlas.energy._connect_strategies import _closest_pairs
from lossatlas.energy.potentials import MLPCrossEntropy, MullerBrown
from lossatlas.errors import InputError


def _mb(path: Path) -> tuple[MullerBrown, Database, list[int]]:
    pot = MullerBrown()
    db = Database(path)
    ids = []
    for x, y, _ in pot.REFERENCE_MINIMA:
        res = minimize(pot, np.array([x, y]), rms_tol=1e-9)
        f, n, low = hessian_summary(pot, res.x)
        ids.append(db.add_minimum(res.energy, res.x, fvib=f, n_positive=n)[0].id)
    return pot, db, ids  # [-146.70, -108.17, -80.77]


def test_unconnected_joins_every_minimum_to_the_main_set(tmp_path: Path) -> None:
    pot, db, (gmin, m108, m80) = _mb(tmp_path / "mb.sqlite")
    results = connect_with_strategy(pot, db, strategy="unconnected", lowest=3)
    # -108.17 is unconnected: its nearest member of the main set {gmin} is gmin; the route
    # goes via -80.77, which then is connected and needs no call of its own
    assert [(r.min1, r.min2) for r in results] == [(gmin, m108)]
    assert results[0].success and results[0].path == [gmin, m80, m108]
    assert sorted(round(t.energy, 4) for t in db.transition_states()) == [-72.2489, -40.6648]
    again = connect_with_strategy(pot, db, strategy="unconnected", lowest=3)
    assert again == []  # nothing left unconnected
    db.close()


def test_closest_connects_nearest_pairs_first(tmp_path: Path) -> None:
    pot, db, (gmin, m108, m80) = _mb(tmp_path / "mb.sqlite")
    # d(gmin, m108) = 1.84, d(gmin, m80) = 1.10, d(m80, m108) = 0.80
    results = connect_with_strategy(pot, db, strategy="closest", lowest=3)
    assert [(r.min1, r.min2) for r in results] == [(m108, m80), (gmin, m80)]
    assert all(r.success and r.n_searches == 1 for r in results)
    assert db.n_transition_states() == 2
    db.close()


def test_closest_pairs_by_hand() -> None:
    d = np.array([[0.0, 1.0, 4.0, 5.0], [1.0, 0.0, 2.0, 6.0], [4.0, 2.0, 0.0, 3.0], [5, 6, 3, 0]])
    # nearest: 10->11, 11->10, 12->11, 13->12
    assert _closest_pairs([10, 11, 12, 13], d, 1) == [(10, 11), (11, 12), (12, 13)]
    # two nearest: 10->11,12; 11->10,12; 12->11,13; 13->12,10
    pairs = [(10, 11), (11, 12), (12, 13), (10, 12), (10, 13)]
    assert _closest_pairs([10, 11, 12, 13], d, 2) == pairs


def test_pairs_file(tmp_path: Path) -> None:
    pot, db, (gmin, m108, m80) = _mb(tmp_path / "mb.sqlite")
    f = tmp_path / "pairs.csv"
    f.write_text(f"min1,min2\n# the one saddle of gmin\n{gmin},{m80}\n")
    assert read_pairs(f) == [(gmin, m80)]
    results = connect_with_strategy(pot, db, strategy="pairs", pairs=read_pairs(f))
    assert len(results) == 1 and results[0].success
    [ts] = db.transition_states()
    assert ts.energy == pytest.approx(-40.6648, abs=1e-4) and ts.negative_eigenvalue < 0
    bad = tmp_path / "bad.txt"
    bad.write_text("1 2\n3 x\n")
    with pytest.raises(InputError, match=r"bad.txt' line 2: expected two minimum ids"):
        read_pairs(bad)
    with pytest.raises(InputError, match="minimum 99 is not in"):
        connect_with_strategy(pot, db, strategy="pairs", pairs=[(gmin, 99)])
    with pytest.raises(InputError, match="needs pairs"):
        connect_with_strategy(pot, db, strategy="pairs")
    with pytest.raises(InputError, match="unknown connect strategy"):
        connect_with_strategy(pot, db, strategy="nearest")  # type: ignore[arg-type]
    db.close()


def test_unconnected_on_a_small_mlp(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    X = rng.normal(size=(16, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    pot = MLPCrossEntropy(X, y, n_hidden=2, lam=1e-2)
    db = Database(tmp_path / "mlp.sqlite", canonicalise=pot.canonicalise)
    x = rng.normal(size=pot.ndim)
    while db.n_minima() < 3:
        res = minimize(pot, x, rms_tol=1e-9)
        f, n, low = hessian_summary(pot, res.x)
        if low > 0:
            db.add_minimum(res.energy, res.x, fvib=f, n_positive=n, lowest_eigenvalue=low)
        x = rng.normal(size=pot.ndim) * 2.0
    results = connect_with_strategy(pot, db, strategy="unconnected", lowest=3, max_cycles=6)
    gmin = db.minima()[0].id
    for m in db.minima()[:3]:
        if m.id != gmin:
            assert transition_state_path(db, gmin, m.id)[0], f"minimum {m.id} not joined"
    assert results and all(r.success for r in results)
    for ts in db.transition_states():
        assert ts.negative_eigenvalue is not None and ts.negative_eigenvalue < 0
    db.close()
