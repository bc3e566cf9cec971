from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from lossatlas.analysis._fanova import fanova_tensor
from lossatlas.analysis._overfitting import (
    gap_drivers,
    gap_summary,
    generalisation_gap,
    overfitting,
)
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape
from lossatlas.space import SearchSpace


def _landscape() -> Landscape:
    space = SearchSpace.from_dict(
        {"lr": [0.01, 0.1, 1.0], "depth": [2, 4, 8, 16], "booster": ["gbtree", "dart"]}
    )
    codes = space.decode(np.arange(space.size))
    rng = np.random.default_rng(0)
    train = 0.3 - 0.05 * codes[:, 1] - 0.02 * codes[:, 0] + rng.normal(0, 0.01, space.size)
    # the gap grows with lr x depth (an interaction) and a little with the booster
    gap = 0.01 * codes[:, 0] * codes[:, 1] + 0.02 * codes[:, 2]
    return Landscape.from_array(space, {"train": train, "test": train + gap})


def test_gap_and_summary():
    land = _landscape()
    gap = generalisation_gap(land)
    np.testing.assert_allclose(gap, land.loss("test") - land.loss("train"))
    summary = gap_summary(np.array([-1.0, 0.0, 1.0, 2.0, 3.0]))
    assert summary["n"] == 5
    assert summary["mean"] == pytest.approx(1.0)
    assert summary["median"] == pytest.approx(1.0)
    assert summary["fraction_positive"] == pytest.approx(3 / 5)
    assert (summary["min"], summary["max"]) == (-1.0, 3.0)
    with pytest.raises(InputError):
        gap_summary(np.array([]))


def test_drivers_are_the_fanova_effects_on_a_full_grid():
    land = _landscape()
    drivers = gap_drivers(land)
    tensor = generalisation_gap(land).reshape(land.space.radices)
    variances, _ = fanova_tensor(tensor, order=2)
    names = land.space.names
    for term, value in variances.items():
        label = ":".join(names[i] for i in term)
        effects = drivers.loc[drivers["term"] == label, "effect"].to_numpy()
        assert np.mean(effects**2) == pytest.approx(value, abs=1e-12)
    # interaction of 0.01 * lr_code * depth_code: f = 0.01 (lr_code - 1) (depth_code - 1.5)
    pairs = drivers[drivers["term"] == "lr:depth"].set_index("value")["effect"]
    assert pairs["1.0:16"] == pytest.approx(0.015)
    assert pairs["0.01:16"] == pytest.approx(-0.015)
    assert drivers.loc[drivers["order"] == 2, "effect"].max() == pytest.approx(0.015)
    # lr = 1.0: mean gap 0.01 * 2 * 1.5 + 0.01 (booster) against the overall 0.015 + 0.01
    top_lr = drivers[drivers["term"] == "lr"].iloc[0]
    assert top_lr["value"] == "1.0"
    assert top_lr["effect"] == pytest.approx(0.015)
    assert drivers["effect"].is_monotonic_decreasing
    lr_rows = drivers[drivers["term"] == "lr"].set_index("value")
    assert lr_rows.loc["1.0", "n"] == 8
    assert lr_rows.loc["1.0", "mean_gap"] == pytest.approx(
        generalisation_gap(land)[land.codes[:, 0] == 2].mean()
    )


def test_overfitting_report():
    land = _landscape()
    report = overfitting(land)
    frac = report.gap_importance.set_index("term")["fraction"]
    assert frac["lr:depth"] > 0.05
    assert frac["lr:booster"] == pytest.approx(0.0, abs=1e-12)
    assert frac.sum() == pytest.approx(1.0)
    tv = report.train_vs_test
    assert tv.n_common == land.n
    expected = stats.spearmanr(land.loss("train"), land.loss("test")).statistic
    assert tv.spearman == pytest.approx(expected)
    assert 0 <= tv.gamma_set_overlap <= 1
    # partial landscape: the gap importance goes through the surrogate
    partial = land.select(np.arange(0, land.n, 2))
    part = overfitting(partial, order=1)
    assert part.summary["n"] == partial.n
    assert part.gap_importance["fraction"].sum() == pytest.approx(1.0)
    with pytest.raises(InputError, match="order 1 or 2"):
        gap_drivers(land, order=3)
