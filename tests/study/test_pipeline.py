"""A study file end to end: rows, landscapes, pairs per axis, importance rows, outputs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from lossatlas.cli import main
from lossatlas.study import load_study, run_study
from lossatlas.study._outputs import OUTPUTS


def test_small_study_gives_the_expected_tables(small_study, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["study", str(small_study), "--out", str(out), "-q"]) == 0
    printed = capsys.readouterr().out
    assert "low vs full fidelity: median Spearman" in printed and "8 landscapes" in printed
    for name in OUTPUTS:
        assert (out / name).is_file(), name
    assert (out / "journal.sqlite").is_file()
    results = pd.read_parquet(out / "results.parquet")
    # (8 rf + 4 dt configurations) x 2 folds x 2 fractions x 2 datasets
    assert len(results) == (8 + 4) * 2 * 2 * 2
    assert (results["status"] == "ok").all()
    assert {"train", "valid", "test"} <= set(results.columns)
    assert list(results.columns[:3]) == ["model", "dataset", "fidelity_fraction"]
    # each model's HP columns are empty in the other model's rows
    assert results.loc[results["model"] == "dt", "bootstrap"].isna().all()
    assert results.loc[results["model"] == "rf", "min_samples_leaf"].isna().all()

    profiles = pd.read_parquet(out / "profiles.parquet")
    assert len(profiles) == 8 * 2  # 8 landscapes, profiled on test and train
    assert set(profiles["split"]) == {"test", "train"}
    for column in ("model", "dataset", "fidelity_fraction", "n_local_optima", "fdc", "neutrality"):
        assert column in profiles.columns
    assert (profiles["epsilon"] == 0.01).all()

    similarity = pd.read_parquet(out / "similarity.parquet")
    counts = similarity["axis"].value_counts().to_dict()
    # fidelity: 1 pair per (model, dataset); dataset: 1 per (model, fraction);
    # model: 1 per (dataset, fraction); split: 1 per landscape
    assert counts == {"fidelity": 4, "dataset": 4, "model": 4, "split": 8}
    models = similarity[similarity["axis"] == "model"]
    assert (models["comparable"] == "profile+importance").all()
    assert models["spearman"].isna().all() and models["best_loss_a"].notna().all()
    ranked = similarity[similarity["axis"] != "model"]
    # NaN only where a tiny landscape is flat (a constant loss has no ranks to correlate)
    assert (ranked["n_common"] > 0).all() and ranked["spearman"].notna().mean() > 0.6

    importance = pd.read_parquet(out / "importance.parquet")
    # rf tiny: 3 HPs -> 3 main + 3 pairs + residual; dt tiny: 2 HPs -> 2 + 1 + residual
    assert len(importance) == 4 * 7 + 4 * 4
    shares = importance.groupby("landscape")["fraction"].sum()
    variance = importance.groupby("landscape")["variance"].sum()
    # the shares sum to one, or to zero on a flat landscape (no variance to share)
    np.testing.assert_allclose(shares[variance > 0].to_numpy(), 1.0, atol=1e-9)
    assert (shares[variance == 0] == 0).all() and (variance > 0).sum() >= 6

    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_landscapes"] == 8
    assert summary["pairs_per_axis"] == counts
    assert summary["evaluation"]["n_tasks"] == len(results)
    fidelity = summary["headline"]["fidelity"]
    pairs = similarity[(similarity["axis"] == "fidelity")]
    assert fidelity["spearman"] == pytest.approx(pairs["spearman"].median())
    assert fidelity["reference"]["spearman"] == "> 0.85"
    page = (out / "study.html").read_text(encoding="utf-8")
    assert "headline medians" in page and "importance" in page

    # running the same command again resumes: nothing is evaluated twice
    assert main(["study", str(small_study), "--out", str(out), "-q"]) == 0
    again = json.loads((out / "summary.json").read_text())["evaluation"]
    assert again["n_run"] == 0 and again["n_resumed"] == len(results)


def test_the_held_out_split_is_the_same_for_every_task(small_study, tmp_path, monkeypatch):
    import lossatlas.evaluate._tasks as tasks

    seen: list[dict[str, np.ndarray]] = []
    original = tasks._losses

    def spy(spec, estimator, dataset, parts):
        seen.append({"dataset": dataset.name, **{k: np.array(v) for k, v in parts.items()}})
        return original(spec, estimator, dataset, parts)

    monkeypatch.setattr(tasks, "_losses", spy)
    run_study(load_study(small_study), tmp_path / "out")
    assert len(seen) == 96
    for name in ("iris", "wine"):
        parts = [p for p in seen if p["dataset"] == name]
        test = parts[0]["test"]
        for p in parts:  # every configuration, fold and fidelity: the same held-out rows
            np.testing.assert_array_equal(p["test"], test)
            assert not np.intersect1d(p["test"], p["train"]).size
            assert not np.intersect1d(p["test"], p["valid"]).size
            assert not np.intersect1d(p["train"], p["valid"]).size
        assert len(test) == pytest.approx(0.2 * (150 if name == "iris" else 178), abs=1)


def test_changing_the_study_reuses_the_journal_and_keeps_only_its_tasks(small_study, tmp_path):
    out = tmp_path / "out"
    run_study(load_study(small_study), out)
    smaller = tmp_path / "smaller.yaml"
    smaller.write_text(
        small_study.read_text().replace("[iris, wine]", "[iris]").replace("[0.5, 1.0]", "[1.0]")
    )
    result = run_study(load_study(smaller), out)
    assert result.evaluation.n_run == 0  # every task was in the journal already
    table = pd.read_parquet(out / "results.parquet")
    assert set(table["dataset"]) == {"iris"} and set(table["fidelity_fraction"]) == {1.0}
    assert len(table) == (8 + 4) * 2


def test_the_study_directory_reads_back_with_the_one_loader(small_study, tmp_path):
    from lossatlas.io import load_landscapes

    out = tmp_path / "out"
    run_study(load_study(small_study), out)
    landscapes = load_landscapes(out)
    assert len(landscapes) == 8
    spaces = {ls.metadata["model"]: ls.space.names for ls in landscapes}
    assert set(spaces["dt"]) == {"max_depth", "min_samples_leaf"}
    assert set(spaces["rf"]) == {"max_depth", "max_features", "bootstrap"}
