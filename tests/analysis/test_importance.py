from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossatlas.analysis._fanova import (
    LeafPartition,
    fanova_partition,
    fanova_table,
    fanova_tensor,
    terms_up_to,
    tree_partition,
)
from lossatlas.analysis._importance import (
    encode_codes,
    fanova_grid,
    fit_forest,
    importance,
    ped_anova,
    surrogate_fanova,
    top_set_importance,
)
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape
from lossatlas.space import SearchSpace


def _grid_codes(radices):
    return np.stack(np.unravel_index(np.arange(int(np.prod(radices))), radices), axis=1)


def _brute_force_variances(tensor, terms):
    """V_S by the inclusion-exclusion formula f_S = sum_{T <= S} (-1)^{|S|-|T|} m_T."""
    d = tensor.ndim
    out = {}
    for term in terms:
        effect = np.zeros(tensor.shape)
        for k in range(len(term) + 1):
            for sub in itertools.combinations(term, k):
                others = tuple(i for i in range(d) if i not in sub)
                marginal = tensor.mean(axis=others, keepdims=True) if others else tensor
                effect = effect + (-1) ** (len(term) - k) * marginal
        out[term] = float(np.mean(effect**2))
    return out


def test_additive_function_has_known_shares():
    rng = np.random.default_rng(0)
    parts = [rng.normal(size=4), rng.normal(size=3) * 2, rng.normal(size=5) * 0.5]
    tensor = parts[0][:, None, None] + parts[1][None, :, None] + parts[2][None, None, :]
    table = fanova_grid(tensor.ravel(), tensor.shape, ["lr", "depth", "sub"], order=3)
    shares = np.array([p.var() for p in parts])
    frac = table.set_index("term")["fraction"]
    np.testing.assert_allclose(frac[["lr", "depth", "sub"]], shares / shares.sum())
    assert np.abs(frac.drop(["lr", "depth", "sub"])).max() < 1e-12
    assert frac.sum() == pytest.approx(1.0)
    assert list(table["term"]) == [
        "lr",
        "depth",
        "sub",
        "lr:depth",
        "lr:sub",
        "depth:sub",
        "lr:depth:sub",
        "residual",
    ]


def test_pure_interaction_has_no_main_effects():
    # centred product (XOR-like): f = s(x) * t(y) with zero-mean s and t
    s, t = np.array([-1.0, 0.0, 1.0]), np.array([2.0, -1.0, -1.0])
    tensor = np.outer(s, t)[:, :, None] + np.zeros((1, 1, 2))
    table = fanova_grid(tensor.ravel(), tensor.shape, ["a", "b", "c"], order=2)
    frac = table.set_index("term")["fraction"]
    assert np.abs(frac[["a", "b", "c"]]).max() < 1e-12
    assert frac["a:b"] == pytest.approx(1.0)
    assert frac["residual"] == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(2, 4), min_size=1, max_size=4), st.integers(1, 4), st.integers(0, 999))
def test_exact_fanova_matches_inclusion_exclusion(shape, order, seed):
    tensor = np.random.default_rng(seed).normal(size=shape)
    variances, total = fanova_tensor(tensor, order=order)
    terms = terms_up_to(len(shape), order)
    assert set(variances) == set(terms)
    expected = _brute_force_variances(tensor, terms)
    for term in terms:
        assert variances[term] == pytest.approx(expected[term], abs=1e-12)
    assert total == pytest.approx(tensor.var())
    full, _ = fanova_tensor(tensor, order=len(shape))
    assert sum(full.values()) == pytest.approx(total)  # the decomposition is complete
    table = fanova_table(variances, total, [f"h{i}" for i in range(len(shape))])
    assert table["fraction"].sum() == pytest.approx(1.0)
    assert table["fraction"].iloc[-1] >= 0


def test_constant_and_invalid_tensors():
    table = fanova_grid(np.ones(6), [2, 3], ["a", "b"])
    assert table["fraction"].isna().all()
    with pytest.raises(InputError, match="non-finite"):
        fanova_tensor(np.array([[1.0, np.nan]]))
    with pytest.raises(InputError, match="configurations"):
        fanova_grid(np.ones(5), [2, 3], ["a", "b"])
    with pytest.raises(InputError, match="order"):
        terms_up_to(3, 0)


def test_tree_partition_marginalisation_matches_the_predicted_grid():
    radices = [4, 3, 5]
    categorical = [False, True, True]
    codes = _grid_codes(radices)
    rng = np.random.default_rng(3)
    y = rng.normal(size=len(codes)) + codes[:, 0] * (codes[:, 2] == 1)
    features, feature_hp, feature_value = encode_codes(codes, radices, categorical)
    assert features.shape[1] == 1 + 3 + 5  # one-hot for the two categorical HPs
    sample = rng.choice(len(codes), 40, replace=False)
    forest = fit_forest(features[sample], y[sample], n_trees=3, seed=1)
    for tree in forest.estimators_:
        partition = tree_partition(tree, feature_hp, feature_value, radices)
        # leaves partition the grid: every configuration lies in exactly one box
        inside = np.ones((len(partition.values), len(codes)), dtype=bool)
        for d, mask in enumerate(partition.masks):
            inside &= mask[:, codes[:, d]]
        np.testing.assert_array_equal(inside.sum(axis=0), 1)
        predicted = tree.predict(features)
        np.testing.assert_allclose(partition.values[inside.argmax(axis=0)], predicted)
        expected, expected_total = fanova_tensor(predicted.reshape(radices), order=3)
        got, total = fanova_partition(partition, order=3)
        assert total == pytest.approx(expected_total)
        for term, value in expected.items():
            assert got[term] == pytest.approx(value, abs=1e-10)


def test_partition_rejects_empty_box():
    partition = LeafPartition(
        masks=(np.array([[True, False]]), np.array([[False, False]])), values=np.array([1.0])
    )
    with pytest.raises(InputError, match="no value"):
        fanova_partition(partition)


def _benchmark_function():
    radices = [12, 8, 5, 6]
    codes = _grid_codes(radices)
    level = np.array([0.0, 1.0, -0.5, 0.3, 0.8])
    y = (
        0.3 * codes[:, 0]
        + 0.3 * (codes[:, 1] - 3.5) ** 2
        + level[codes[:, 2]]
        + 0.05 * codes[:, 0] * codes[:, 3]
    )
    return radices, codes, y


@pytest.mark.parametrize("method", ["trees", "grid"])
def test_surrogate_within_005_of_exact_on_30_percent(method):
    radices, codes, y = _benchmark_function()
    names = ["lr", "depth", "booster", "sub"]
    exact = fanova_grid(y, radices, names)
    rows = np.random.default_rng(0).choice(len(y), int(0.3 * len(y)), replace=False)
    got = surrogate_fanova(
        codes[rows],
        y[rows],
        radices,
        names,
        categorical=[False, False, True, False],
        method=method,
        seed=0,
    )
    assert list(got["term"]) == list(exact["term"])
    assert got["fraction"].sum() == pytest.approx(1.0)
    np.testing.assert_array_less(np.abs(got["fraction"] - exact["fraction"]), 0.05)


def test_landscape_importance_exact_and_surrogate():
    radices, codes, y = _benchmark_function()
    space = SearchSpace.from_dict(
        {
            "lr": list(range(12)),
            "depth": list(range(8)),
            "booster": list("abcde"),
            "sub": list(range(6)),
        }
    )
    full = Landscape.from_array(space, {"test": y})
    exact = importance(full, order=2)
    pd.testing.assert_frame_equal(exact, fanova_grid(y, radices, space.names))
    rows = np.random.default_rng(1).choice(len(y), 900, replace=False)
    partial = full.select(rows)
    approx = importance(partial, order=1, n_trees=16)
    assert list(approx["term"]) == ["lr", "depth", "booster", "sub", "residual"]
    assert approx["fraction"].sum() == pytest.approx(1.0)
    np.testing.assert_array_less(
        np.abs(approx["fraction"].to_numpy()[:4] - exact["fraction"].to_numpy()[:4]), 0.06
    )
    with pytest.raises(InputError, match="exact fANOVA"):
        importance(partial, method="exact")
    with pytest.raises(InputError, match="no loss column"):
        importance(full, loss="train")


def test_top_set_importance_is_the_indicator_main_effect():
    radices = [5, 4, 3]
    codes = _grid_codes(radices)
    rng = np.random.default_rng(2)
    y = codes[:, 0] * 1.0 + rng.normal(0, 0.5, len(codes))
    table = ped_anova(codes, y, radices, ["a", "b", "c"], gamma=0.1)
    top = np.argsort(y, kind="stable")[:6]  # ceil(0.1 * 60)
    indicator = np.zeros(len(y))
    indicator[top] = 1.0
    main, total = fanova_tensor(indicator.reshape(radices), order=1)
    np.testing.assert_allclose(table["variance"], [main[(0,)], main[(1,)], main[(2,)]])
    np.testing.assert_allclose(table["fraction"], table["variance"] / total)
    assert table["term"].iloc[table["divergence"].argmax()] == "a"
    space = SearchSpace.from_dict({"a": [1, 2, 3, 4, 5], "b": [1, 2, 3, 4], "c": ["x", "y", "z"]})
    landscape = Landscape.from_array(space, {"test": y})
    pd.testing.assert_frame_equal(top_set_importance(landscape, gamma=0.1), table)


def test_main_effect_ranking_agrees_with_optuna():
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    radices = [6, 5, 4]
    codes = _grid_codes(radices)
    y = 1.0 * codes[:, 0] + 0.5 * codes[:, 1] ** 1.5 + 0.1 * codes[:, 2]
    exact = fanova_grid(y, radices, ["x", "y", "z"], order=1)
    ours = exact.iloc[:3].sort_values("fraction", ascending=False)["term"].tolist()
    dists = {
        name: optuna.distributions.IntDistribution(0, r - 1)
        for name, r in zip("xyz", radices, strict=True)
    }
    study = optuna.create_study()
    study.add_trials(
        [
            optuna.trial.create_trial(
                params=dict(zip("xyz", map(int, c), strict=True)),
                distributions=dists,
                value=float(v),
            )
            for c, v in zip(codes, y, strict=True)
        ]
    )
    theirs = optuna.importance.get_param_importances(
        study, evaluator=optuna.importance.FanovaImportanceEvaluator(seed=0)
    )
    assert ours == list(theirs)
