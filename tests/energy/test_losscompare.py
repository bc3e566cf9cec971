"""Cross-entropy against appAUC, side by side."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from lossatlas.energy import (
    Database,
    compare_losses,
    landscape_statistics,
    load_energy_dataset,
    minimize,
)
from lossatlas.energy.potentials import MLPAppAUC


def test_statistics_of_a_hand_made_database(tmp_path) -> None:
    data = load_energy_dataset("xor", seed=0, binary=True)
    pot = MLPAppAUC(data.X_train, data.y_train, n_hidden=2, beta=20.0)
    rng = np.random.default_rng(0)
    xs = [minimize(pot, rng.uniform(-2, 2, pot.ndim), rms_tol=1e-5).x for _ in range(2)]
    with Database(tmp_path / "auc.sqlite") as db:
        a = db.add_minimum(pot.energy(xs[0]), xs[0])[0]
        b = db.add_minimum(pot.energy(xs[1]) + 1e-3, xs[1] + 1.0)[0]
        db.add_transition_state(max(a.energy, b.energy) + 0.25, xs[0] + 0.5, a.id, b.id)
        s = landscape_statistics(pot, db, X_test=data.X_test, y_test=data.y_test, loss="appAUC")
    lo, hi = sorted([a, b], key=lambda m: m.energy)
    ts_e = max(a.energy, b.energy) + 0.25
    np.testing.assert_allclose(np.sort(s.barriers), np.sort([ts_e - a.energy, ts_e - b.energy]))
    assert s.n_minima == 2 and s.n_transition_states == 1
    assert s.minima_ids.tolist() == [lo.id, hi.id]
    eig = np.linalg.eigvalsh(pot.hessian(lo.coords))
    assert s.mean_hessian_eigenvalue[0] == pytest.approx(eig.mean())
    p = pot.predict_proba(lo.coords, data.X_test)[:, 1]
    assert s.test_auc[0] == pytest.approx(roc_auc_score(data.y_test, p))
    assert s.test_accuracy[0] == pytest.approx(np.mean((p > 0.5) == data.y_test))
    summary = s.summary()
    assert summary["max_barrier"] == pytest.approx(ts_e - lo.energy)
    assert summary["n_minima"] == 2


def test_compare_losses_runs_both_explorations(tmp_path) -> None:
    c = compare_losses("xor", hidden=2, steps=4, step_size=2.0, seed=1, db_dir=tmp_path)
    assert set(c.stats) == {"cross-entropy", "appAUC"}
    assert (tmp_path / "cross-entropy.sqlite").is_file() and (tmp_path / "appAUC.sqlite").is_file()
    for s in c.stats.values():
        assert s.n_minima >= 1
        assert np.all((s.test_accuracy >= 0) & (s.test_accuracy <= 1))
        assert np.all(np.diff(s.energies) >= 0)
        assert s.barriers.size == 0  # not connected
        assert s.summary()["mean_barrier"] is None
    rows = c.table()
    assert rows[0]["statistic"] == "n_minima"
    assert set(rows[0]) == {"statistic", "cross-entropy", "appAUC"}
    assert c.to_dict()["dataset"] == "xor-binary"
    # the two landscapes differ: the losses are different functions of the same weights
    assert c.stats["cross-entropy"].energies[0] != pytest.approx(c.stats["appAUC"].energies[0])
