"""Feature relevance from conserved first-layer weights."""

from __future__ import annotations

import numpy as np
import pytest

from lossatlas.energy import (
    Database,
    align_hidden_units,
    basin_hopping,
    feature_relevance,
    load_energy_dataset,
    relevance_from_database,
)
from lossatlas.energy.potentials import MLPCrossEntropy, MullerBrown
from lossatlas.errors import InputError


def _net(n_in: int = 3, n_hidden: int = 3, seed: int = 0) -> MLPCrossEntropy:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(20, n_in))
    return MLPCrossEntropy(X, rng.integers(0, 2, size=20), n_hidden=n_hidden)


def _scramble(pot: MLPCrossEntropy, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    y = pot.permute_hidden(x, rng.permutation(pot.n_hidden))
    for j in range(pot.n_hidden):
        if rng.random() < 0.5:
            y = pot.flip_hidden(y, j)
    return y


def test_alignment_undoes_permutations_and_sign_flips() -> None:
    pot = _net()
    rng = np.random.default_rng(1)
    for _ in range(10):
        x = rng.normal(size=pot.ndim)
        y = _scramble(pot, x, rng)
        np.testing.assert_allclose(align_hidden_units(pot, y, x), x, atol=1e-12)
        assert pot.energy(y) == pytest.approx(pot.energy(x))


def test_conserved_weights_are_found_in_a_hand_made_basin() -> None:
    pot = _net(n_in=3, n_hidden=2)
    rng = np.random.default_rng(2)
    W1 = np.array([[3.0, 0.3, 0.5], [0.4, -2.5, -0.4]])
    base = pot.pack(W1, np.array([0.5, -1.0]), np.array([[1.0, -1.0], [-1.0, 1.0]]), np.zeros(2))
    members = []
    for _ in range(12):
        W1n, b1, W2, b2 = (np.array(p, copy=True) for p in pot.unpack(base))
        W1n[:, :2] += rng.normal(scale=0.01, size=(2, 2))
        W1n[:, 2] += rng.normal(scale=2.0, size=2)  # feature 2's weights wander
        members.append(_scramble(pot, pot.pack(W1n, b1, W2, b2), rng))
    fr = feature_relevance(pot, {7: members}, feature_names=["a", "b", "c"])
    assert set(fr.ranking[:2]) == {0, 1}
    assert fr.relevance.sum() == pytest.approx(1.0)
    W1c, _, _, _ = pot.unpack(fr.conservation[0])
    assert np.all(W1c[:, :2] > 0.9)  # conserved
    assert np.all(W1c[:, 2] < 0.5)  # not conserved
    W1mask, *_ = pot.unpack(fr.conserved(0).astype(float))
    assert W1mask[:, :2].all() and not W1mask[:, 2].any()
    assert fr.groups == {7: tuple(range(12))}
    assert [row["name"] for row in fr.table()][2] == "c"
    # the plain-magnitude baseline: mean over the members of sum_j |W1_jk| ||W2_.j||
    # (invariant to the scrambling; here ||W2_.j|| = sqrt 2 for both units)
    by_hand = np.mean([np.abs(pot.unpack(x)[0]).sum(0) * np.sqrt(2.0) for x in members], axis=0)
    np.testing.assert_allclose(fr.magnitude_baseline, by_hand / by_hand.sum(), rtol=1e-12)
    assert fr.baseline_ranking == tuple(int(i) for i in np.argsort(-by_hand, kind="stable"))
    d = fr.to_dict()
    assert d["same_ranking_as_baseline"] == (fr.ranking == fr.baseline_ranking)
    assert {row["baseline_rank"] for row in d["features"]} == {1, 2, 3}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_signal_features_rank_first_on_generated_data(seed: int, tmp_path) -> None:
    data = load_energy_dataset("relevance", seed=seed)
    assert data.relevant_features == (0, 1)
    pot = MLPCrossEntropy(data.X_train, data.y_train, n_hidden=2)
    with Database(tmp_path / "rel.sqlite", canonicalise=pot.canonicalise) as db:
        basin_hopping(
            pot, db, steps=6, step_size=1.0, temperature=2.0, seed=seed, compute_hessian=False
        )
        fr = relevance_from_database(db, pot, feature_names=data.feature_names)
    assert set(fr.ranking[:2]) == {0, 1}
    assert fr.relevance[[0, 1]].min() > fr.relevance[2:].max()
    assert fr.grouping == "all"


def test_relevance_uses_msbs_when_transition_states_exist(tmp_path) -> None:
    pot = _net(n_in=2, n_hidden=2, seed=3)
    rng = np.random.default_rng(0)
    with Database(tmp_path / "m.sqlite") as db:
        ids = [db.add_minimum(float(e), rng.normal(size=pot.ndim))[0].id for e in (0, 1, 2)]
        db.add_transition_state(3.0, rng.normal(size=pot.ndim), ids[0], ids[2])
        fr = relevance_from_database(db, pot)
    assert fr.grouping == "msb-barrier"
    assert fr.groups == {ids[0]: (ids[0], ids[2]), ids[1]: (ids[1],)}
    assert fr.per_group.shape == (2, 2)


def test_needs_a_network() -> None:
    with pytest.raises(InputError, match="tanh-network"):
        feature_relevance(MullerBrown(), {0: [np.zeros(2)]})
