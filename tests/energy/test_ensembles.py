"""Ensembles of minima: per-minimum quality, oracle, averaging and the learned selector."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossatlas.energy import (
    Database,
    basin_hopping,
    ensemble_from_database,
    ensemble_of_minima,
    plot_specialisation,
)
from lossatlas.energy.potentials import make_potential
from lossatlas.errors import InputError


class TableClassifier:
    """A fake classifier potential: minimum ``x`` is an index into fixed probability rules."""

    def __init__(self, rules):
        self.rules = rules

    def predict_proba(self, x, X):
        return self.rules[int(x[0])](X)

    def energy(self, x):
        return float(x[0])


def _region_experts():
    """Class = [x0 > 0.5] where x1 < 0.5, [x0 < 0.5] where x1 > 0.5 (an XOR).

    Minimum 0 knows the lower half, minimum 1 the upper half, minimum 2 guesses 1 always."""

    def expert(sign):
        def proba(X):
            p1 = 1.0 / (1.0 + np.exp(-sign * 20.0 * (X[:, 0] - 0.5)))
            return np.column_stack([1.0 - p1, p1])

        return proba

    rules = [expert(1.0), expert(-1.0), lambda X: np.tile([0.4, 0.6], (X.shape[0], 1))]
    rng = np.random.default_rng(0)

    def data(n):
        X = rng.uniform(0.0, 1.0, size=(n, 2))
        y = np.where(X[:, 1] < 0.5, X[:, 0] > 0.5, X[:, 0] < 0.5).astype(int)
        return X, y

    return TableClassifier(rules), [np.array([0.0]), np.array([1.0]), np.array([2.0])], data


def test_selector_learns_which_expert_to_trust_on_held_out_data() -> None:
    pot, coords, data = _region_experts()
    X_sel, y_sel = data(400)
    X_test, y_test = data(300)
    r = ensemble_of_minima(
        pot, coords, X_test=X_test, y_test=y_test, X_select=X_sel, y_select=y_sel, seed=0
    )
    assert r.best_single_accuracy < 0.7
    assert r.oracle_accuracy == pytest.approx(1.0)
    assert r.selector_accuracy is not None and r.selector_accuracy > 0.9
    assert r.selector_auc is not None and r.selector_auc > r.best_single_auc
    # the selector does not trust expert 1 in the lower half, nor expert 0 in the upper half
    lower = X_test[:, 1] < 0.4
    upper = X_test[:, 1] > 0.6
    assert np.mean(r.selector_choice[lower] != 1) > 0.9
    assert np.mean(r.selector_choice[upper] != 0) > 0.9
    chosen_right = r.correct[np.arange(len(y_test)), r.selector_choice]
    assert r.selector_accuracy == pytest.approx(np.mean(chosen_right))
    # experts 0 and 1 are right on complementary items
    assert r.overlap[0, 1] <= 0.05 * len(y_test)
    np.testing.assert_array_equal(np.diag(r.overlap), r.correct.sum(0))
    summary = r.summary()
    assert set(summary) == {"best_single", "oracle", "average", "occupation_weighted", "selector"}
    fig = plot_specialisation(r)
    assert len(fig.axes) >= 2


def test_selector_refuses_the_test_data() -> None:
    pot, coords, data = _region_experts()
    X, y = data(50)
    with pytest.raises(InputError, match="test data"):
        ensemble_of_minima(pot, coords, X_test=X, y_test=y, X_select=X, y_select=y)
    with pytest.raises(InputError):
        ensemble_of_minima(pot, coords, X_test=X, y_test=y, X_select=X)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 5), st.integers(0, 2**31 - 1))
def test_oracle_bounds_best_single_on_random_classifiers(m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 40
    P = rng.dirichlet(np.ones(2), size=(m, n))
    rules = [lambda X, k=k: P[k][X[:, 0].astype(int)] for k in range(m)]
    X = np.arange(n, dtype=float)[:, None]
    y = rng.integers(0, 2, size=n)
    y[:2] = [0, 1]
    r = ensemble_of_minima(
        TableClassifier(rules), [np.array([float(k)]) for k in range(m)], X_test=X, y_test=y
    )
    assert r.oracle_accuracy >= r.best_single_accuracy >= 0.0
    assert r.oracle_auc >= np.max(r.auc) - 1e-12  # binary: a per-item best row dominates
    assert r.selector_accuracy is None
    np.testing.assert_allclose(r.weights.sum(), 1.0)
    assert r.overlap.shape == (m, m) and np.array_equal(r.overlap, r.overlap.T)
    if m == 1:
        assert r.average_accuracy == r.accuracy[0] == r.weighted_accuracy


def test_network_minima_from_basin_hopping(tmp_path) -> None:
    pot = make_potential("mlp", dataset="xor", hidden=2, seed=0)
    with Database(tmp_path / "xor.sqlite", canonicalise=pot.canonicalise) as db:
        basin_hopping(pot, db, steps=15, step_size=2.0, temperature=2.0, seed=0)
        r = ensemble_from_database(db, pot, lowest=6, seed=0)
        n_min = min(db.n_minima(), 6)
        minima = db.minima()[:6]
    assert len(r.minima_ids) == n_min >= 2
    assert 1.0 >= r.oracle_accuracy >= r.best_single_accuracy >= 0.0
    assert r.selector_choice is not None and r.selector_choice.shape == pot.dataset.y_test.shape
    assert 0.0 <= r.selector_accuracy <= 1.0
    assert np.all((r.auc >= 0) & (r.auc <= 1))
    # the lowest minimum carries the most occupation weight when fvib is similar
    assert r.weights.shape == (n_min,)
    # values recomputed by hand from the stored minima and the test split
    X, y = pot.dataset.X_test, pot.dataset.y_test
    predictions = np.array([pot.predict(m.coords, X) for m in minima])  # (M, n)
    right = predictions == y[None, :]
    np.testing.assert_array_equal(r.minima_ids, [m.id for m in minima])
    np.testing.assert_allclose(r.accuracy, right.mean(axis=1))
    np.testing.assert_array_equal(r.correct, right.T)
    np.testing.assert_array_equal(r.overlap, right.astype(int) @ right.T.astype(int))
    assert r.oracle_accuracy == pytest.approx(float(right.any(axis=0).mean()))
    assert r.best_single_accuracy == pytest.approx(float(right.mean(axis=1).max()))
    energies = np.array([m.energy for m in minima])
    fvibs = np.array([m.fvib for m in minima])
    logw = -(energies - energies.min()) / r.temperature - 0.5 * fvibs
    np.testing.assert_allclose(r.weights, np.exp(logw) / np.exp(logw).sum(), rtol=1e-10)
