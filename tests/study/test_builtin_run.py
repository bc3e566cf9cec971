"""``lossatlas run``: the built-in study, its headline and its reports."""

from __future__ import annotations

import json

import pandas as pd

import lossatlas.study as study_package
from lossatlas.cli import main
from lossatlas.study import parse_study


def test_run_evaluates_the_built_in_study_and_prints_its_findings(
    small_study, tmp_path, monkeypatch, capsys
):
    import yaml

    requested = []

    def small(name):
        requested.append(name)
        return parse_study(yaml.safe_load(small_study.read_text()), source="run")

    monkeypatch.setattr(study_package, "builtin_study", small)
    out = tmp_path / "run"
    assert main(["run", "--out", str(out), "-q", "--jobs", "1"]) == 0
    assert requested == ["run"]
    printed = capsys.readouterr().out
    for words in ("low vs full fidelity", "across datasets", "train vs test", "report of"):
        assert words in printed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_landscapes"] == 8
    assert summary["headline"]["split"]["n_pairs"] == 4  # full-fidelity landscapes
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "hyperparameter importance" in page and "by fidelity" in page
    assert "headline medians" in (out / "study.html").read_text(encoding="utf-8")
    table = pd.read_parquet(out / "results.parquet")
    assert len(table) == 96 and set(table["model"]) == {"rf", "dt"}
