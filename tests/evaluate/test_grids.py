"""Grid files (YAML/TOML), user estimators and the evaluate/run commands."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossatlas.cli import main
from lossatlas.errors import InputError, SpaceError
from lossatlas.evaluate import (
    Evaluation,
    evaluate,
    get_model,
    list_models,
    load_dataset,
    load_grid,
    model_from_estimator,
    register_model,
    write_grid,
)
from lossatlas.evaluate._grids import grid_to_space


@pytest.mark.parametrize("suffix", [".yaml", ".toml", ".json"])
def test_round_trip_of_every_registry_grid(tmp_path, suffix):
    for name, spec in list_models().items():
        for grid in spec.grids:
            space = spec.space(grid)
            path = write_grid(
                tmp_path / f"{name}-{grid}{suffix}",
                space,
                model=name,
                params={"n_jobs": 1},
                fidelities={"fraction": [0.25, 1.0]},
            )
            back = load_grid(path)
            assert back.space == space
            assert [hp.log for hp in back.space.hyperparameters] == [
                hp.log for hp in space.hyperparameters
            ]
            assert back.model is spec and back.params == {"n_jobs": 1}
            assert back.fidelities == {"fraction": (0.25, 1.0)}


_values = st.one_of(
    st.lists(st.integers(-1000, 1000), min_size=2, max_size=5, unique=True),
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=5, unique=True),
    st.lists(st.text("abcxyz _-'\"", min_size=1, max_size=6), min_size=2, max_size=4, unique=True),
)


@settings(max_examples=25, deadline=None)
@given(
    grid=st.dictionaries(
        st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), _values, min_size=1, max_size=4
    )
)
def test_random_grids_round_trip_yaml_and_toml(tmp_path_factory, grid):
    grid = {k: v for k, v in grid.items() if not k.startswith(("test", "train", "valid"))}
    if not grid or set(grid) & {
        "model",
        "dataset",
        "fold",
        "seed",
        "status",
        "error",
        "metric",
        "repeat",
        "task_id",
        "config_id",
        "n_train",
        "n_test",
    }:
        return
    space = grid_to_space(grid)
    folder = tmp_path_factory.mktemp("grids")
    for suffix in (".yaml", ".toml"):
        assert load_grid(write_grid(folder / f"g{suffix}", space)).space == space


def test_shorthands_and_kinds(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text(
        "model: svm\n"
        "grid:\n"
        "  C: {logspace: [-2, 1, 4]}\n"
        "  gamma: {linspace: [0.1, 0.3, 3]}\n"
        "  degree: {range: [1, 7, 2]}\n"
        "  kernel: [rbf, poly]\n"
        "  shrinking: [true, false]\n"
        "  tol: {values: [0.01, 0.001], kind: categorical}\n"
    )
    space = load_grid(path).space
    assert space["C"].values == (0.01, 0.1, 1.0, 10.0) and space["C"].log
    assert space["gamma"].values == (0.1, 0.2, 0.3) and not space["gamma"].log
    assert space["degree"].values == (1, 3, 5)
    assert space["kernel"].kind == "categorical" and space["shrinking"].kind == "boolean"
    assert space["tol"].kind == "categorical"


def test_toml_grid_file(tmp_path):
    path = tmp_path / "g.toml"
    path.write_text(
        'model = "rf"\n[params]\nn_estimators = 5\n[grid]\nmax_depth = [1, 3]\n'
        'criterion = ["gini", "entropy"]\n'
    )
    spec = load_grid(path)
    assert spec.model is get_model("rf") and spec.params == {"n_estimators": 5}
    assert spec.space.names == ("max_depth", "criterion") and spec.space.size == 4


@pytest.mark.parametrize(
    ("text", "error", "match"),
    [
        ("grid: {fold: [1, 2]}", SpaceError, "reserved"),
        ("grid: {test_size: [1, 2]}", SpaceError, "reserved"),
        ("grid: {a: [1]}", SpaceError, "put fixed values under 'params'"),
        ("grid: {a: [1, null]}", SpaceError, "null"),
        ("grid: {a: [1, 1]}", SpaceError, "repeats"),
        ("grid: {a: 3}", InputError, "list of values"),
        ("grid: {a: {linspace: [1, 2]}}", InputError, r"\[start, stop, n\]"),
        ("grdi: {a: [1, 2]}", InputError, "unknown key"),
        ("params: {a: 1}\ngrid: {a: [1, 2]}", InputError, "both fixed params and grid"),
        ("estimator: os.system\ngrid: {a: [1, 2]}", InputError, "not allowed"),
        ("estimator: sklearn.tree.__import__('os')\ngrid: {a: [1, 2]}", InputError, "dotted"),
        ("estimator: sklearn.tree.NoSuchTree\ngrid: {a: [1, 2]}", InputError, "not an estimator"),
        ("grid: [", InputError, "cannot be parsed"),
    ],
)
def test_bad_grid_files(tmp_path, text, error, match):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(error, match=match):
        load_grid(path)


def test_yaml_is_data_not_code(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("!!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(InputError, match="cannot be parsed"):
        load_grid(path)


def test_estimator_from_grid_file_via_cli(tmp_path):
    grid = tmp_path / "tree.yaml"
    grid.write_text(
        "estimator: sklearn.tree.DecisionTreeClassifier\nname: tree\n"
        "grid: {max_depth: [1, 2, 4], criterion: [gini, entropy]}\n"
    )
    out = tmp_path / "out"
    assert (
        main(
            [
                "evaluate",
                "--dataset",
                "iris",
                "--grid",
                str(grid),
                "--folds",
                "3",
                "--out",
                str(out),
                "-q",
            ]
        )
        == 0
    )
    table = pd.read_parquet(out / "results.parquet")
    assert set(table["model"]) == {"tree"} and len(table) == 18
    assert (table["status"] == "ok").all()
    # a depth-1 tree separates one iris class only: error about 1/3; depth 4 is far better
    depth = table.groupby("max_depth")["test"].mean()
    assert depth[1] > 0.3 and depth[4] < 0.1
    assert main(["evaluate", "--model", "rf", "--grid", str(grid), "-o", str(out), "-q"]) == 2


def test_user_registered_estimator_in_python(tmp_path, monkeypatch):
    from sklearn.linear_model import LogisticRegression, Ridge

    import lossatlas.evaluate._models as models

    monkeypatch.setattr(models, "_REGISTRY", dict(models._REGISTRY))

    spec = model_from_estimator(
        "logreg", LogisticRegression(max_iter=500), {"C": [0.001, 0.1, 10.0]}
    )
    register_model(spec, replace=True)
    assert get_model("logreg") is spec
    study = Evaluation(spec, load_dataset("wine"), spec.space(), folds=3)
    table = pd.read_parquet(evaluate(study, tmp_path / "a").table)
    by_c = table.groupby("C")["test"].mean()
    assert by_c[10.0] < 0.1 < by_c[0.001]
    ridge = model_from_estimator("ridge", Ridge(), {"alpha": [0.1, 10.0]})
    assert ridge.tasks == ("regression",)
    with pytest.raises(InputError, match="does not support classification"):
        Evaluation(ridge, load_dataset("iris"), ridge.space(), folds=3)
    table = pd.read_parquet(
        evaluate(
            Evaluation(ridge, load_dataset("diabetes"), ridge.space(), folds=3), tmp_path / "b"
        ).table
    )
    assert table["metric"].unique().tolist() == ["rmse"]
    assert table["test"].between(40, 80).all()


def test_cli_evaluate_options_and_errors(tmp_path):
    out = tmp_path / "o"
    args = [
        "evaluate",
        "-m",
        "svm",
        "-d",
        "make_classification:n_samples=90,seed=2",
        "--grid",
        "tiny",
        "--folds",
        "3",
        "--fidelity",
        "fraction=0.5,1",
        "--seed",
        "0",
        "--seed",
        "1",
        "--sample",
        "4",
        "-o",
        str(out),
        "-q",
    ]
    assert main(args) == 0
    table = pd.read_parquet(out / "results.parquet")
    assert table["config_id"].nunique() == 4 and len(table) == 4 * 3 * 2 * 2
    assert table["dataset"].iloc[0].startswith("make_classification:n_samples=90")
    assert main(["evaluate", "-m", "svm", "--grid", "nogrid", "-o", str(out)]) == 2
    assert main(["evaluate", "-m", "svm", "--fidelity", "fraction", "-o", str(out)]) == 2
    assert main(["evaluate", "-m", "svm", "--fidelity", "epochs=3", "-o", str(out)]) == 2
    assert main(["evaluate", "-m", "svm", "-d", str(tmp_path / "x.csv"), "-o", str(out)]) == 2


def test_default_study_is_small():
    from lossatlas.evaluate._defaults import default_evaluation

    study = default_evaluation()
    assert study.n_tasks <= 300 and study.dataset.name == "breast_cancer"
    assert study._fidelities == ['{"fraction":0.25}', '{"fraction":1.0}']


def test_one_grid_parser_for_files_python_models_and_spaces(tmp_path):
    """Grid files, model_from_estimator and SearchSpace.from_dict parse values the same way."""
    import json

    pytest.importorskip("sklearn")
    from sklearn.tree import DecisionTreeClassifier

    from lossatlas.evaluate import model_from_estimator
    from lossatlas.space import SearchSpace

    grid = {
        "max_depth": {"range": [1, 7, 2]},
        "ccp_alpha": {"logspace": [-3, -1, 3]},
        "criterion": ["gini", "entropy"],
    }
    by_space = SearchSpace.from_dict(grid)
    assert by_space["max_depth"].values == (1, 3, 5)
    assert by_space["ccp_alpha"].values == (0.001, 0.01, 0.1) and by_space["ccp_alpha"].log
    assert grid_to_space(grid) == by_space
    spec = model_from_estimator("tree", DecisionTreeClassifier(), grid)
    assert spec.space("default") == by_space
    path = tmp_path / "g.json"
    path.write_text(json.dumps({"grid": grid}))
    assert load_grid(path).space == by_space
    with pytest.raises(SpaceError, match="model 'bad': hyperparameter name 'fold' is reserved"):
        model_from_estimator("bad", DecisionTreeClassifier(), {"fold": [1, 2]})
    with pytest.raises(SpaceError, match="logspace takes"):
        SearchSpace.from_dict({"a": {"logspace": [1, 2]}})


def test_grids_and_user_models_do_not_import_each_other_back():
    import ast
    from pathlib import Path

    import lossatlas.evaluate as package

    folder = Path(package.__file__).parent
    tree = ast.parse((folder / "_user_models.py").read_text())
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert "lossatlas.evaluate._grids" not in imported
