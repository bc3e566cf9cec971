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
    assert set(summary) == {
        "best_single",
        "best_single_on_test",
        "oracle",
        "average",
        "occupation_weighted",
        "selector",
    }
    assert r.selected_on == "test" and set(r.splits) == set(summary)
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
        r = ensemble_from_database(db, pot, lowest=6, seed=0, validation_fraction=0.0)
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


def _tables(val_rows, test_rows):
    """Two binary 'minima' given by P(class 1) per item: items 0..5 validation, 6..11 test."""
    p1 = np.hstack([np.asarray(val_rows, float), np.asarray(test_rows, float)])  # (M, 12)
    rules = [
        lambda X, k=k: np.column_stack([1 - p1[k][X[:, 0].astype(int)], p1[k][X[:, 0].astype(int)]])
        for k in range(p1.shape[0])
    ]
    return TableClassifier(rules), [np.array([float(k)]) for k in range(p1.shape[0])]


def test_best_single_is_chosen_on_validation_per_metric() -> None:
    y = np.array([0, 0, 0, 1, 1, 1])
    # validation: minimum 0 accuracy 3/6 AUC 1; minimum 1 accuracy 5/6 AUC 8/9
    val = [[0.6, 0.65, 0.7, 0.8, 0.9, 0.95], [0.45, 0.3, 0.52, 0.55, 0.6, 0.51]]
    # test: minimum 0 accuracy 6/6 AUC 1; minimum 1 accuracy 3/6 AUC 2/9
    test = [[0.1, 0.2, 0.3, 0.7, 0.8, 0.9], [0.45, 0.7, 0.4, 0.6, 0.3, 0.35]]
    pot, coords = _tables(val, test)
    X_val = np.arange(6, dtype=float)[:, None]
    X_test = X_val + 6
    r = ensemble_of_minima(pot, coords, X_test=X_test, y_test=y, X_val=X_val, y_val=y)
    assert r.selected_on == "validation" and r.n_validation == 6
    np.testing.assert_allclose(r.val_accuracy, [3 / 6, 5 / 6])
    np.testing.assert_allclose(r.val_auc, [1.0, 8 / 9])
    np.testing.assert_allclose(r.accuracy, [1.0, 3 / 6])
    np.testing.assert_allclose(r.auc, [1.0, 2 / 9])
    # accuracy baseline: minimum 1 (best validation accuracy) measured on test
    assert r.best_single == 1 and r.best_single_accuracy == pytest.approx(3 / 6)
    # AUC baseline: its own best minimum on validation, minimum 0
    assert r.best_single_auc_index == 0 and r.best_single_auc == pytest.approx(1.0)
    s = r.summary()
    assert s["best_single_on_test"] == {"accuracy": 1.0, "auc": 1.0}
    d = r.to_dict()
    assert d["best_single"] == 1 and d["best_single_auc"] == 0
    assert d["splits"]["best_single"] == "chosen on validation, measured on test"
    assert d["minima"][1]["val_accuracy"] == pytest.approx(5 / 6)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 5), st.integers(0, 2**31 - 1))
def test_best_single_brute_force_on_random_tables(m: int, seed: int) -> None:
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(seed)
    p1 = rng.uniform(size=(m, 12))
    pot, coords = _tables(p1[:, :6], p1[:, 6:])
    y = np.array([0, 1, 0, 1, 1, 0])
    X_val = np.arange(6, dtype=float)[:, None]
    r = ensemble_of_minima(pot, coords, X_test=X_val + 6, y_test=y, X_val=X_val, y_val=y)
    val_acc = [np.mean((p1[k, :6] > 0.5) == y) for k in range(m)]
    val_auc = [roc_auc_score(y, p1[k, :6]) for k in range(m)]
    assert r.best_single == int(np.argmax(val_acc))
    assert r.best_single_auc_index == int(np.argmax(val_auc))
    assert r.best_single_auc == pytest.approx(roc_auc_score(y, p1[r.best_single_auc_index, 6:]))
    assert r.summary()["best_single_on_test"]["auc"] == pytest.approx(
        max(roc_auc_score(y, p1[k, 6:]) for k in range(m))
    )


def test_database_ensemble_selects_on_half_of_the_test_split(tmp_path) -> None:
    pot = make_potential("mlp", dataset="xor", hidden=2, seed=0)
    with Database(tmp_path / "xor.sqlite", canonicalise=pot.canonicalise) as db:
        basin_hopping(pot, db, steps=10, step_size=2.0, temperature=2.0, seed=0)
        r = ensemble_from_database(db, pot, lowest=4, seed=1, selector=False)
    n = pot.dataset.y_test.size
    assert r.selected_on == "validation"
    assert r.n_validation + r.correct.shape[0] == n
    assert abs(r.n_validation - n / 2) <= 2
    assert r.best_single == int(np.argmax(r.val_accuracy))
    with pytest.raises(InputError, match="validation_fraction"):
        with Database(tmp_path / "xor.sqlite", canonicalise=pot.canonicalise) as db:
            ensemble_from_database(db, pot, validation_fraction=1.0)
