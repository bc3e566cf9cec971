"""Every registered model on its tiny grid (<= 50 configurations, 3 folds) with loss ranges."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lossatlas.errors import InputError, MissingDependencyError
from lossatlas.evaluate import Evaluation, evaluate, get_model, list_models, load_dataset
from lossatlas.evaluate._models import ModelContext, ModelSpec

# model -> (dependency to importorskip, dataset, fidelities, best test error must be below)
CASES = {
    "rf": (None, "iris", None, 0.1),
    "dt": (None, "iris", None, 0.1),
    "svm": (None, "iris", None, 0.1),
    "xgboost": ("xgboost", "breast_cancer", None, 0.1),
    "lightgbm": ("lightgbm", "breast_cancer", None, 0.1),
    "fcnet": ("torch", "breast_cancer", {"fraction": (0.5,), "epochs": (5,)}, 0.1),
    "cnn": ("torch", "digits", {"fraction": (0.5,), "epochs": (3,)}, 0.25),
}


def _table(model: str, dataset: str, fidelities, tmp_path, grid: str = "tiny") -> pd.DataFrame:
    spec = get_model(model)
    study = Evaluation(
        spec, load_dataset(dataset), spec.space(grid), folds=3, fidelities=fidelities
    )
    assert study.n_configs <= 50
    summary = evaluate(study, tmp_path / model)
    assert summary.n_failed == 0 and summary.n_run == study.n_tasks
    return pd.read_parquet(summary.table)


def test_every_registered_model_has_a_case():
    assert set(CASES) <= set(list_models())


@pytest.mark.parametrize("model", sorted(CASES))
def test_model_on_tiny_grid(model, tmp_path):
    dep, dataset, fidelities, best = CASES[model]
    if dep is not None:
        pytest.importorskip(dep)
    table = _table(model, dataset, fidelities, tmp_path)
    spec = get_model(model)
    assert (table["status"] == "ok").all()
    assert set(table["model"]) == {model} and set(table["dataset"]) == {dataset}
    assert list(spec.space("tiny").names) == [
        c for c in table.columns if c in spec.space("tiny").names
    ]
    for column in ("train", "test"):
        assert table[column].between(0.0, 1.0).all()
    assert (table[["train_logloss", "test_logloss"]] >= 0).all().all()
    per_config = table.groupby("config_id")[["train", "test"]].mean()
    assert per_config["test"].min() < best
    # a grid spans good and bad configurations: the landscape is not flat
    assert per_config["test"].max() > per_config["test"].min()
    assert (table["fit_seconds"] > 0).all() and (table["predict_seconds"] > 0).all()
    assert sorted(table["fold"].unique()) == [0, 1, 2]
    for knob, values in (fidelities or {}).items():
        assert sorted(table[f"fidelity_{knob}"].unique()) == sorted(values)


def test_regression_losses_are_rmse(tmp_path):
    table = _table("svm", "diabetes", None, tmp_path)
    y = load_dataset("diabetes").y
    assert table["metric"].unique().tolist() == ["rmse"]
    assert "test_logloss" not in table.columns
    best = table.groupby("config_id")["test"].mean().min()
    # better than predicting the mean (RMSE = std of y), worse than perfect
    assert 40.0 < best < float(np.std(y))


def test_grid_sizes_of_the_registry():
    expected_study = {"xgboost": 14_960, "fcnet": 62_208, "cnn": 6_480, "dt": 4_320}
    for name in ("rf", "dt", "svm", "xgboost", "lightgbm", "fcnet", "cnn"):
        spec = get_model(name)
        sizes = {grid: spec.space(grid).size for grid in spec.grids}
        assert sizes["tiny"] <= 50 and 10 <= sizes["default"] <= 300
        assert sizes["study"] >= 500
        if name in expected_study:
            assert sizes["study"] == expected_study[name]
        assert spec.description


def test_missing_extra_is_one_line_naming_the_extra():
    spec = ModelSpec(name="ghost", build=lambda p, c: None, grids={}, requires=("no_such_mod_x",))
    with pytest.raises(MissingDependencyError, match=r"pip install 'lossatlas\[models\]'") as info:
        spec.check_available()
    assert "\n" not in str(info.value)


def test_decision_tree_regression_reads_the_classification_criteria():
    context = ModelContext(task="regression", seed=3, n_features=4)
    tree = get_model("dt").make({"criterion": "entropy", "max_depth": 2}, context)
    assert type(tree).__name__ == "DecisionTreeRegressor"
    assert tree.criterion == "absolute_error" and tree.random_state == 3
    classifier = get_model("dt").make(
        {"criterion": "entropy"}, ModelContext(task="classification", seed=0, n_features=4)
    )
    assert classifier.criterion == "entropy"


def test_cnn_needs_images():
    pytest.importorskip("torch")
    with pytest.raises(InputError, match="needs an image dataset"):
        get_model("cnn").make({}, ModelContext(task="classification", seed=0, n_features=4))


def test_fidelity_knob_must_be_known_and_not_a_hyperparameter():
    spec = get_model("xgboost")
    ds = load_dataset("iris")
    with pytest.raises(InputError, match="no fidelity 'epochs'"):
        Evaluation(spec, ds, spec.space("tiny"), folds=3, fidelities={"epochs": (5,)})
    with pytest.raises(InputError, match="is a hyperparameter"):
        Evaluation(spec, ds, spec.space("default"), folds=3, fidelities={"n_estimators": (5,)})
    with pytest.raises(InputError, match=r"\(0, 1\]"):
        Evaluation(spec, ds, spec.space("tiny"), folds=3, fidelities={"fraction": (0.0,)})


def test_a_missing_model_dependency_fails_the_cli_in_one_line(monkeypatch, tmp_path, capsys):
    import sys

    from lossatlas.cli import main

    monkeypatch.setitem(sys.modules, "xgboost", None)  # import xgboost now raises ImportError
    code = main(["evaluate", "-m", "xgboost", "-d", "iris", "-o", str(tmp_path), "-q"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err
    assert "xgboost" in err and "pip install 'lossatlas[models]'" in err


def test_knob_fidelities_become_columns(tmp_path):
    spec = get_model("rf")
    study = Evaluation(
        spec,
        load_dataset("iris"),
        spec.space("tiny"),
        folds=3,
        fidelities={"fraction": (1.0,), "n_estimators": (1, 10)},
    )
    table = pd.read_parquet(evaluate(study, tmp_path).table)
    assert list(table.columns[2:4]) == ["fidelity_fraction", "fidelity_n_estimators"]
    assert sorted(table["fidelity_n_estimators"].unique()) == [1, 10]
    assert len(table) == 8 * 3 * 2
    # a single tree fits its training rows worse than ten (bootstrap configurations)
    boot = table[table["bootstrap"]].groupby("fidelity_n_estimators")["train"].mean()
    assert boot[1] > boot[10]


def test_registry_listing(capsys):
    from lossatlas.cli import main

    assert main(["evaluate", "--list"]) == 0
    text = capsys.readouterr().out
    for name in ("rf", "svm", "xgboost", "lightgbm", "fcnet", "cnn", "iris", "digits"):
        assert name in text
    assert "14,960" in text and "62,208" in text
    assert main(["evaluate", "-m", "rf"]) == 2


@pytest.mark.parametrize("dataset", ["iris", "diabetes"])
def test_losses_of_a_constant_predictor_match_a_hand_computation(tmp_path, dataset):
    from sklearn.dummy import DummyClassifier, DummyRegressor

    from lossatlas.evaluate import model_from_estimator
    from lossatlas.evaluate._tasks import fold_indices

    ds = load_dataset(dataset)
    if ds.task == "classification":
        proto, grid = DummyClassifier(), {"strategy": ["prior", "most_frequent"]}
    else:
        proto, grid = DummyRegressor(), {"strategy": ["mean", "median"]}
    spec = model_from_estimator("dummy", proto, grid)
    study = Evaluation(spec, ds, spec.space(), folds=3, seeds=(4,))
    table = pd.read_parquet(evaluate(study, tmp_path).table)
    table = table[table["strategy"] == table["strategy"].iloc[0]].sort_values("fold")
    assert table["strategy"].iloc[0] in ("prior", "mean")
    for (train, test), (_, row) in zip(fold_indices(ds, 3, 4), table.iterrows(), strict=True):
        if ds.task == "classification":
            prior = np.bincount(ds.y[train], minlength=3) / len(train)
            guess = int(np.argmax(prior))
            assert row["test"] == pytest.approx(np.mean(ds.y[test] != guess))
            assert row["train"] == pytest.approx(np.mean(ds.y[train] != guess))
            assert row["test_logloss"] == pytest.approx(-np.mean(np.log(prior[ds.y[test]])))
        else:
            mean = ds.y[train].mean()
            assert row["test"] == pytest.approx(np.sqrt(np.mean((ds.y[test] - mean) ** 2)))
            assert row["train"] == pytest.approx(ds.y[train].std())
        assert row["n_train"] == len(train) and row["n_test"] == len(test)
