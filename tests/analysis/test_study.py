from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from lossatlas.analysis._comparison import METRICS, compare_landscapes
from lossatlas.analysis._similarity import similarity
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape
from lossatlas.space import SearchSpace

SPACE = SearchSpace.from_dict({"lr": [0.01, 0.1, 1.0], "depth": [2, 4, 8, 16], "boost": ["a", "b"]})
FAST = {"n_walks": 20, "walk_length": 5}


def _study() -> list[Landscape]:
    rng = np.random.default_rng(0)
    out = []
    for dataset in ("iris", "wine"):
        base = rng.random(SPACE.size)
        for fraction in (1.0, 0.1, 0.25):  # deliberately unsorted
            noise = rng.normal(0, 0.5 * (1 - fraction), SPACE.size)
            test = base + noise
            out.append(
                Landscape.from_array(
                    SPACE,
                    {"test": test, "train": test - 0.1 * rng.random(SPACE.size)},
                    metadata={"model": "rf", "dataset": dataset, "fidelity_fraction": fraction},
                )
            )
    return out


def test_compare_by_fidelity():
    lands = _study()
    result = compare_landscapes(lands, by="fidelity", profile_options=FAST)
    pairs = result.pairs
    assert len(pairs) == 6  # 2 datasets x C(3, 2)
    assert result.order == ("fraction=0.1", "fraction=0.25", "fraction=1.0")
    full = pairs[pairs["a_is_full"]]
    assert set(full["value_a"]) == {"fraction=1.0"}
    assert sorted(full["value_b"]) == [
        "fraction=0.1",
        "fraction=0.1",
        "fraction=0.25",
        "fraction=0.25",
    ]
    # every row equals a direct similarity of the two landscapes (a = higher fidelity)
    by_label = {land.label: land for land in lands}
    for row in pairs.itertuples():
        expected = similarity(by_label[row.a], by_label[row.b])
        assert row.spearman == pytest.approx(expected.spearman)
        assert row.shake_up_top == pytest.approx(expected.shake_up_top)
        assert row.n_common == SPACE.size
        # the sizes of the tie-inclusive top sets behind the measures are in the table
        assert row.gamma_set_size_a == expected.gamma_set_size_a >= 1
        assert row.top_size == expected.top_size
    assert result.headline["median_spearman_vs_full"] == pytest.approx(full["spearman"].median())
    low = full[full["value_b"] == "fraction=0.1"]["spearman"].median()
    assert result.headline["median_spearman_vs_full[fraction=0.1]"] == pytest.approx(low)
    assert f"{low:.3f}" in result.summary
    assert "full fidelity" in result.summary
    matrix = result.matrix("spearman")
    np.testing.assert_allclose(matrix.to_numpy(), matrix.to_numpy().T)
    np.testing.assert_allclose(np.diag(matrix), 1.0)
    assert matrix.loc["fraction=1.0", "fraction=0.1"] == pytest.approx(low)
    assert np.diag(result.matrix("shake_up")).sum() == 0
    assert len(result.profiles) == 6
    assert set(result.matrices()["metric"]) == set(METRICS)
    with pytest.raises(InputError, match="unknown similarity metric"):
        result.matrix("nope")


def test_compare_by_dataset():
    result = compare_landscapes(_study(), by="dataset", profiles=False)
    assert len(result.pairs) == 3  # one pair of datasets per fidelity
    assert set(result.pairs["fidelity_fraction"]) == {0.1, 0.25, 1.0}
    assert result.order == ("iris", "wine")
    assert result.headline["median_spearman"] == pytest.approx(result.pairs["spearman"].median())


def test_compare_by_split():
    lands = _study()[:2]
    result = compare_landscapes(lands, by="split", profile_options=FAST)
    assert len(result.pairs) == 2
    for row, land in zip(result.pairs.itertuples(), lands, strict=True):
        expected = stats.spearmanr(land.loss("train"), land.loss("test")).statistic
        assert row.spearman == pytest.approx(expected)
        assert (row.value_a, row.value_b) == ("train", "test")
    assert result.order == ("train", "test")
    assert set(result.profiles["loss"]) == {"train", "test"}
    assert "train vs test" in result.summary


def test_compare_by_model_compares_other_spaces_through_profiles_and_importance():
    other = SearchSpace.from_dict({"c": [1, 2, 3]})
    lands = [
        Landscape.from_array(
            SPACE, np.arange(SPACE.size, dtype=float), metadata={"model": "rf", "dataset": "iris"}
        ),
        Landscape.from_array(
            SPACE,
            np.arange(SPACE.size, dtype=float)[::-1].copy(),
            metadata={"model": "et", "dataset": "iris"},
        ),
        Landscape.from_array(other, np.arange(3.0), metadata={"model": "svm", "dataset": "iris"}),
    ]
    result = compare_landscapes(lands, by="model", profiles=False)
    pairs = result.pairs.set_index(["value_a", "value_b"])
    assert len(pairs) == 3
    # rank similarity only on one space; profiles and importance for every pair
    assert pairs.loc[("et", "rf"), "spearman"] == pytest.approx(-1.0)
    assert pairs.loc[("et", "rf"), "comparable"] == "ranks+profile+importance"
    other_pairs = pairs.drop(index=("et", "rf"))
    assert (other_pairs["comparable"] == "profile+importance").all()
    assert other_pairs["spearman"].isna().all() and (other_pairs["n_common"] == 0).all()
    assert pairs.loc[("rf", "svm"), "best_loss_a"] == 0.0
    assert pairs.loc[("rf", "svm"), "top_hp_b"] == "c"
    assert pairs.loc[("rf", "svm"), "top_hp_share_b"] == pytest.approx(1.0)
    assert "2 of the 3 pairs of models have different search spaces" in result.summary
    assert "profiles and importance" in result.summary
    assert np.isnan(result.matrix("spearman").loc["svm", "rf"])


def test_compare_rejects_bad_input():
    lands = _study()
    with pytest.raises(InputError, match="share fidelity"):
        compare_landscapes([lands[0], lands[0]], by="fidelity", profiles=False)
    with pytest.raises(InputError, match="--by"):
        compare_landscapes(lands, by="colour", profiles=False)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="no landscape"):
        compare_landscapes([], profiles=False)
