"""Train once, score every nested fidelity: prefix scores equal separately trained models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossatlas.evaluate import Evaluation, evaluate, get_model, load_dataset
from lossatlas.evaluate._journal import JOURNAL_NAME, Journal
from lossatlas.evaluate._prefixes import forest_prefix_outputs
from lossatlas.evaluate._reuse import TaskGroup, forest_prefix, group_tasks
from lossatlas.evaluate._tasks import Task
from lossatlas.space import SearchSpace

LOSSES = ["train", "test", "train_logloss", "test_logloss"]


def _rows(out: Path) -> pd.DataFrame:
    with Journal(out / JOURNAL_NAME) as journal:
        rows = journal.rows()
    frame = pd.DataFrame(rows).sort_values(["config", "fold", "fidelity", "seed"])
    return frame.reset_index(drop=True)


def _both(study: Evaluation, tmp_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    evaluate(study, tmp_path / "reuse", write_table=False)
    evaluate(study, tmp_path / "scratch", write_table=False, reuse=False)
    return _rows(tmp_path / "reuse"), _rows(tmp_path / "scratch")


def _assert_equal_losses(reused: pd.DataFrame, scratch: pd.DataFrame, losses: list[str]) -> None:
    keys = ["config", "fold", "fidelity", "seed"]
    assert len(reused) == len(scratch) > 0
    pd.testing.assert_frame_equal(reused[keys], scratch[keys])
    assert (reused["status"] == "ok").all() and (scratch["status"] == "ok").all()
    for column in losses:
        # exact: the prefixes are the same trees, summed in the same order
        np.testing.assert_array_equal(reused[column].to_numpy(), scratch[column].to_numpy())


@pytest.mark.parametrize(
    ("model", "dataset", "losses"),
    [
        ("rf", "iris", LOSSES),
        ("rf", "diabetes", ["train", "test"]),
        ("xgboost", "iris", LOSSES),
        ("xgboost", "diabetes", ["train", "test"]),
    ],
)
def test_prefix_fidelities_equal_separate_training(model, dataset, losses, tmp_path):
    spec = get_model(model)
    grid = {"rf": {"max_features": [0.5, 1.0], "bootstrap": [False, True]}}.get(
        model, {"learning_rate": [0.1, 0.3], "subsample": [0.6, 1.0]}
    )
    study = Evaluation(
        spec,
        load_dataset(dataset),
        SearchSpace.from_dict(grid),
        folds=2,
        fidelities={"fraction": (0.5, 1.0), "n_estimators": (2, 5, 9)},
    )
    reused, scratch = _both(study, tmp_path)
    _assert_equal_losses(reused, scratch, losses)
    # one fit per (config, fold, fraction): the smaller counts are prefixes of the 9
    assert (reused["prefix_of"].dropna() == 9).all()
    assert reused["prefix_of"].notna().sum() == 2 * len(reused) // 3
    assert (reused.loc[reused["prefix_of"].notna(), "fit_seconds"] == 0).all()
    assert "prefix_of" not in scratch or scratch["prefix_of"].isna().all()


def test_n_estimators_hyperparameter_axis_is_reused(tmp_path):
    spec = get_model("xgboost")
    space = SearchSpace.from_dict({"max_depth": [2, 3], "n_estimators": [3, 6, 10]})
    study = Evaluation(spec, load_dataset("iris"), space, folds=2)
    reused, scratch = _both(study, tmp_path)
    _assert_equal_losses(reused, scratch, LOSSES)
    trained = reused[reused["prefix_of"].isna()]
    assert sorted({json.loads(c)["n_estimators"] for c in trained["config"]}) == [10]


@settings(max_examples=15, deadline=None)
@given(
    k=st.integers(1, 12),
    seed=st.integers(0, 2**31 - 1),
    bootstrap=st.booleans(),
    max_features=st.sampled_from([0.3, 0.7, 1.0]),
)
def test_forest_prefix_equals_a_k_tree_forest(k, seed, bootstrap, max_features):
    from sklearn.ensemble import RandomForestClassifier

    data = load_dataset("wine")
    kwargs = dict(bootstrap=bootstrap, max_features=max_features, random_state=seed, n_jobs=1)
    big = RandomForestClassifier(n_estimators=12, **kwargs).fit(data.X, data.y)
    small = RandomForestClassifier(n_estimators=k, **kwargs).fit(data.X, data.y)
    view = forest_prefix(big, k)
    np.testing.assert_array_equal(view.predict_proba(data.X), small.predict_proba(data.X))
    assert len(big.estimators_) == 12  # the view does not cut the fitted forest


@settings(max_examples=10, deadline=None)
@given(
    ks=st.lists(st.integers(1, 12), min_size=1, max_size=4, unique=True),
    seed=st.integers(0, 2**31 - 1),
    regression=st.booleans(),
)
def test_one_pass_forest_outputs_equal_k_tree_forests_bit_for_bit(ks, seed, regression):
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    data = load_dataset("diabetes" if regression else "wine")
    cls = RandomForestRegressor if regression else RandomForestClassifier
    kwargs = dict(max_features=0.5, random_state=seed, n_jobs=1)
    big = cls(n_estimators=12, **kwargs).fit(data.X, data.y)
    values = sorted(ks)
    outputs = forest_prefix_outputs(big, data.X, values)
    assert outputs is not None
    seen = []
    for k, output in outputs:
        small = cls(n_estimators=k, **kwargs).fit(data.X, data.y)
        expected = small.predict(data.X) if regression else small.predict_proba(data.X)
        assert output.dtype == expected.dtype and output.shape == expected.shape
        np.testing.assert_array_equal(output, expected)  # same sums in the same order
        seen.append(k)
    assert seen == values


def test_one_pass_forest_outputs_decline_what_they_cannot_mirror():
    from sklearn.ensemble import RandomForestRegressor

    data = load_dataset("diabetes")
    two = np.column_stack([data.y, -data.y])
    multi = RandomForestRegressor(n_estimators=3, random_state=0).fit(data.X, two)
    assert forest_prefix_outputs(multi, data.X, [1, 2]) is None
    single = RandomForestRegressor(n_estimators=3, random_state=0).fit(data.X, data.y)
    assert forest_prefix_outputs(single, data.X, [2, 4]) is None  # more trees than fitted


def _task(config: dict, fidelity: dict, fold: int = 0, seed: int = 0) -> Task:
    return Task(
        0,
        json.dumps(config, sort_keys=True, separators=(",", ":")),
        fold,
        json.dumps(fidelity, sort_keys=True, separators=(",", ":")),
        seed,
    )


def test_group_tasks_groups_only_the_nested_axis():
    rf = get_model("rf")
    tasks = [
        _task({"max_depth": d}, {"fraction": f, "n_estimators": n}, fold=k)
        for d in (2, 4)
        for f in (0.5, 1.0)
        for n in (50, 10, 200)
        for k in (0, 1)
    ]
    work = group_tasks(rf, tasks)
    assert all(isinstance(item, TaskGroup) for item in work)
    assert len(work) == 2 * 2 * 2
    for group in work:
        assert group.values == (10, 50, 200)
        assert (
            len({(t.config, t.fold, json.loads(t.fidelity)["fraction"]) for t in group.tasks}) == 1
        )
    assert sorted(t.key for g in work for t in g.tasks) == sorted(t.key for t in tasks)
    # a model without an equal prefix keeps every task on its own
    dt_tasks = [_task({"max_depth": d}, {"fraction": 1.0}) for d in (2, 4)]
    assert group_tasks(get_model("dt"), dt_tasks) == dt_tasks
    for name in ("fcnet", "cnn", "svm", "dt", "lightgbm"):  # prefixes not equal or no axis
        assert get_model(name).prefix is None
    # a group of one is a plain task
    single = [_task({"max_depth": 2}, {"fraction": 1.0, "n_estimators": 10})]
    assert group_tasks(rf, single) == single


def test_resume_after_partial_run_trains_the_rest(tmp_path):
    spec = get_model("rf")
    space = SearchSpace.from_dict({"max_depth": [2, 4]})
    data = load_dataset("iris")
    part = Evaluation(spec, data, space, folds=2, fidelities={"n_estimators": (3, 7)})
    full = Evaluation(spec, data, space, folds=2, fidelities={"n_estimators": (3, 5, 7)})
    first = evaluate(part, tmp_path / "a", write_table=False)
    second = evaluate(full, tmp_path / "a", write_table=False)
    assert (first.n_run, second.n_skipped, second.n_run) == (8, 8, 4)
    evaluate(full, tmp_path / "b", write_table=False, reuse=False)
    _assert_equal_losses(_rows(tmp_path / "a"), _rows(tmp_path / "b"), LOSSES)
    assert evaluate(full, tmp_path / "a", write_table=False).n_run == 0


def test_a_failing_shared_fit_fails_every_task_of_the_group(tmp_path):
    spec = get_model("rf")
    space = SearchSpace.from_dict({"max_depth": [2, 3], "max_features": [-3.0, -2.0]})
    study = Evaluation(
        spec, load_dataset("iris"), space, folds=2, fidelities={"n_estimators": (2, 4)}
    )
    summary = evaluate(study, tmp_path, write_table=False)
    assert summary.n_run == summary.n_failed == 16
    assert _rows(tmp_path)["error"].str.contains("max_features").all()
