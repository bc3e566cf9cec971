from __future__ import annotations

import numpy as np
import pytest

from lossatlas.errors import InputError
from lossatlas.landscape import Landscape
from lossatlas.space import Hyperparameter, SearchSpace

optuna = pytest.importorskip("optuna")
optuna.logging.set_verbosity(optuna.logging.WARNING)

from lossatlas.io._optuna import from_optuna, to_optuna  # noqa: E402

SPACE = SearchSpace(
    [
        Hyperparameter("lr", (0.001, 0.01, 0.1, 1.0), "ordinal", log=True),
        Hyperparameter("depth", (2, 4, 6), "ordinal"),
        Hyperparameter("units", (16, 32, 64), "ordinal", log=True),
        Hyperparameter("booster", ("gbtree", "dart", "linear"), "categorical"),
        Hyperparameter("bootstrap", (False, True), "boolean"),
    ]
)


def _landscape(partial: bool = False) -> Landscape:
    rng = np.random.default_rng(0)
    test = rng.random(SPACE.size)
    index = np.sort(rng.choice(SPACE.size, 40, replace=False)) if partial else None
    losses = {"test": test, "train": test / 2}
    if partial:
        losses = {k: v[index] for k, v in losses.items()}
    return Landscape.from_array(
        SPACE, losses, index=index, metadata={"model": "xgb", "dataset": "iris"}
    )


@pytest.mark.parametrize("partial", [False, True])
def test_round_trip(partial):
    land = _landscape(partial)
    study = to_optuna(land)
    assert len(study.trials) == land.n
    dists = study.trials[0].distributions
    assert dists["lr"] == optuna.distributions.FloatDistribution(0.001, 1.0, log=True)
    assert dists["depth"] == optuna.distributions.IntDistribution(2, 6, step=2)
    assert dists["units"] == optuna.distributions.IntDistribution(16, 64, log=True)
    assert dists["booster"] == optuna.distributions.CategoricalDistribution(
        ("gbtree", "dart", "linear")
    )
    assert dists["bootstrap"] == optuna.distributions.CategoricalDistribution((False, True))
    back = from_optuna(study)
    assert back.space == SPACE
    np.testing.assert_array_equal(back.index, land.index)
    np.testing.assert_allclose(back.loss("test"), land.loss("test"))
    np.testing.assert_allclose(back.loss("train"), land.loss("train"))
    assert back.is_full is (not partial)
    assert (back.metadata["model"], back.metadata["space_from"]) == ("xgb", "lossatlas")


def test_storage_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'study.db'}"
    land = _landscape(partial=True).select(np.arange(6))  # few trials: SQLite writes are slow
    to_optuna(land, study_name="mine", storage=url)
    back = from_optuna(url)
    np.testing.assert_allclose(back.loss("test"), land.loss("test"))
    to_optuna(land, study_name="other", storage=url)
    with pytest.raises(InputError, match="2 studies"):
        from_optuna(url)
    assert from_optuna(url, study_name="other").n == land.n
    with pytest.raises(InputError, match="no study"):
        from_optuna(url, study_name="missing")


def test_grid_study_is_exact():
    grid = {"lr": [0.01, 0.1, 1.0], "depth": [1, 2, 3, 4], "kernel": ["rbf", "linear"]}

    def objective(trial):
        lr = trial.suggest_float("lr", 0.01, 1.0, log=True)
        depth = trial.suggest_int("depth", 1, 4)
        kernel = trial.suggest_categorical("kernel", ["rbf", "linear"])
        if depth == 4 and kernel == "rbf" and lr == 1.0:
            raise RuntimeError("diverged")  # a failed trial
        return lr * depth + (kernel == "rbf")

    study = optuna.create_study(sampler=optuna.samplers.GridSampler(grid, seed=0))
    study.optimize(objective, n_trials=24, catch=(RuntimeError,))
    land = from_optuna(study)
    assert land.metadata["space_from"] == "grid"
    assert land.metadata["n_failed"] == 1
    assert land.n == 23
    frame = land.to_frame()
    expected = frame["lr"] * frame["depth"] + (frame["kernel"] == "rbf")
    np.testing.assert_allclose(frame["test"], expected)
    assert set(land.space.names) == set(grid)


def test_sampled_study_is_discretised_and_merged():
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(0))

    def objective(trial):
        x = trial.suggest_float("x", 0.0, 1.0)
        lr = trial.suggest_float("lr", 1e-4, 1.0, log=True)
        trial.suggest_int("k", 1, 3)
        return x + lr

    study.optimize(objective, n_trials=60)
    land = from_optuna(study, n_bins=4)
    assert land.metadata["space_from"] == "discretised"
    assert land.metadata["direction"] == "maximize"
    assert land.space["x"].values == (0.125, 0.375, 0.625, 0.875)
    np.testing.assert_allclose(
        land.space["lr"].values, [10**-3.5, 10**-2.5, 10**-1.5, 10**-0.5], rtol=1e-5
    )  # centres keep 6 significant digits
    assert land.space["k"].values == (1, 2, 3)
    # each trial lands in its bin; merged trials are averaged; maximised values are negated
    sums: dict[tuple, list[float]] = {}
    for t in study.trials:
        key = (
            min(int(t.params["x"] * 4), 3),
            min(int(np.log10(t.params["lr"]) + 4), 3),
            t.params["k"] - 1,
        )
        sums.setdefault(key, []).append(-t.value)
    codes = [tuple(c) for c in land.codes]
    assert sorted(codes) == sorted(sums)
    for row, key in enumerate(codes):
        assert land.loss("test")[row] == pytest.approx(np.mean(sums[key]))
    assert land.metadata["n_merged"] == 60 - len(sums)


def test_one_minus_and_bad_inputs():
    study = optuna.create_study(direction="maximize")
    study.add_trials(
        [
            optuna.trial.create_trial(
                params={"a": v},
                value=0.9 - v,
                distributions={"a": optuna.distributions.CategoricalDistribution([0.0, 0.5])},
            )
            for v in (0.0, 0.5)
        ]
    )
    land = from_optuna(study, score_to_loss="one_minus")
    np.testing.assert_allclose(land.loss("test"), [0.1, 0.6])
    with pytest.raises(InputError, match="no complete trial"):
        from_optuna(optuna.create_study())
    with pytest.raises(InputError, match="storage URL"):
        from_optuna(42)  # type: ignore[arg-type]
    multi = optuna.create_study(directions=["minimize", "minimize"])
    with pytest.raises(InputError, match="objective="):
        from_optuna(multi)
