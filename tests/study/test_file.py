"""Study files: formats, defaults, fidelities per model, and bad files refused before any work."""

from __future__ import annotations

import pytest

from lossatlas.cli import main
from lossatlas.errors import InputError
from lossatlas.study import MAX_CONFIGS, builtin_study, list_builtin, load_study, parse_study


def test_yaml_and_toml_give_the_same_study(small_study, tmp_path):
    toml = tmp_path / "small.toml"
    toml.write_text(
        'name = "small"\nfolds = 2\ntest_size = 0.2\nseeds = [0]\nepsilon = 0.01\ngamma = 0.25\n'
        'datasets = ["iris", "wine"]\n'
        '[[models]]\nmodel = "rf"\ngrid = "tiny"\nparams = {n_estimators = 4}\n'
        '[[models]]\nmodel = "dt"\ngrid = "tiny"\n'
        "[fidelities]\nfraction = [0.5, 1.0]\n"
    )
    a, b = load_study(small_study), load_study(toml)
    assert a.settings() | {"source": ""} == b.settings() | {"source": ""}
    assert [e.key for e in a.evaluations()] == [e.key for e in b.evaluations()]
    assert sum(e.n_tasks for e in a.evaluations()) == 96


def test_defaults_inline_grids_suites_and_fidelities_per_model():
    study = parse_study(
        {
            "models": [
                "dt",
                {"model": "rf", "grid": {"max_depth": [2, 4], "max_features": [0.5, 1.0]}},
                {"model": "fcnet", "grid": "tiny", "datasets": ["breast_cancer"]},
            ],
            "datasets": ["suite:offline-regression", "breast_cancer"],
            "fidelities": {"fraction": [0.5, 1.0], "epochs": [2, 4]},
        }
    )
    assert study.folds == 5 and study.test_size == 0.2 and study.seeds == (0,)
    assert list(study.datasets) == ["friedman1", "friedman2", "friedman3", "breast_cancer"]
    pairs = [(e.model.name, e.dataset.name) for e in study.evaluations()]
    # dt and rf on all four; fcnet only on its own dataset
    assert len(pairs) == 9 and ("fcnet", "breast_cancer") in pairs
    assert ("fcnet", "friedman1") not in pairs
    by_model = {e.model.name: e for e in study.evaluations()}
    assert by_model["rf"].space.size == 4
    # epochs applies to the network only
    assert len(by_model["fcnet"]._fidelities) == 4 and len(by_model["dt"]._fidelities) == 2


def test_cnn_runs_on_image_data_only():
    study = parse_study(
        {"models": [{"model": "cnn", "grid": "tiny"}, "dt"], "datasets": ["digits", "moons"]}
    )
    pairs = {(e.model.name, e.dataset.name) for e in study.evaluations()}
    assert pairs == {("cnn", "digits"), ("dt", "digits"), ("dt", "moons")}


BAD = {
    "syntax": ("models: [rf\ndatasets: iris\n", "cannot be parsed"),
    "unknown key": ("models: [rf]\ndatasets: [iris]\nfold: 3\n", "unknown key(s) ['fold']"),
    "unknown model key": (
        "models: [{model: rf, grids: tiny}]\ndatasets: [iris]\n",
        "unknown key(s) ['grids']",
    ),
    "unknown model": ("models: [nope]\ndatasets: [iris]\n", "unknown model 'nope'"),
    "unknown dataset": ("models: [rf]\ndatasets: [nope]\n", "unknown dataset 'nope'"),
    "unknown suite": ("models: [rf]\ndatasets: ['suite:nope']\n", "unknown suite 'suite:nope'"),
    "empty models": ("models: []\ndatasets: [iris]\n", "'models' is an empty list"),
    "no datasets": ("models: [rf]\n", "'datasets' is missing"),
    "empty seeds": ("models: [rf]\ndatasets: [iris]\nseeds: []\n", "'seeds' is an empty list"),
    "empty fidelity": (
        "models: [rf]\ndatasets: [iris]\nfidelities: {fraction: []}\n",
        "fidelity 'fraction' needs a non-empty list",
    ),
    "unknown fidelity": (
        "models: [rf]\ndatasets: [iris]\nfidelities: {epochs: [1]}\n",
        "unknown fidelity 'epochs'",
    ),
    "bad test_size": ("models: [rf]\ndatasets: [iris]\ntest_size: 1.5\n", "'test_size'"),
    "huge grid": (
        "models:\n  - model: dt\n    grid:\n"
        + "".join(f"      h{i}: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n" for i in range(12))
        + "datasets: [iris]\n",
        "1,000,000,000,000 configurations",
    ),
    "not a mapping": ("- rf\n- iris\n", "holds a mapping"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_study_files_fail_in_one_line_before_any_work(case, tmp_path, capsys):
    text, message = BAD[case]
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    out = tmp_path / "out"
    assert main(["study", str(path), "--out", str(out), "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    assert message in err and str(path) in err, err
    assert not out.exists()  # nothing was started


def test_the_size_limit_is_documented_and_missing_files_are_clear(tmp_path):
    assert MAX_CONFIGS == 1_000_000
    with pytest.raises(InputError, match="no such study file"):
        load_study(tmp_path / "missing.yaml")
    with pytest.raises(InputError, match="unsupported study file type"):
        (tmp_path / "x.txt").write_text("models: [rf]")
        load_study(tmp_path / "x.txt")
    assert main(["study", "-q"]) == 2


def test_built_in_studies_match_their_promises():
    assert {"run", "paper"} <= set(list_builtin())
    run = builtin_study("run")
    assert len(run.models) >= 3 and len(run.datasets) >= 3
    assert len(run.fidelities["fraction"]) >= 3 and run.test_size > 0
    paper = builtin_study("paper")
    names = {e.spec.name for e in paper.models}
    assert names == {"rf", "dt", "svm", "xgboost", "lightgbm", "cnn"}
    assert paper.folds == 5 and paper.test_size == 0.2 and len(paper.fidelities["fraction"]) == 3
    pairs = {(e.model.name, e.dataset.name) for e in paper.evaluations()}
    assert {d for m, d in pairs if m == "cnn"} == {"digits"}
    assert 5 <= len(paper.datasets) <= 8
