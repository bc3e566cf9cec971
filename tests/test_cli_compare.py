"""The ``lossatlas compare`` and ``lossatlas importance`` commands."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from lossatlas.analysis._importance import fanova_grid
from lossatlas.cli import main


def _long_table(datasets=("iris", "wine"), fractions=(0.25, 1.0), folds=2) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for dataset in datasets:
        for fraction in fractions:
            for i, lr in enumerate((0.01, 0.1, 1.0)):
                for j, depth in enumerate((2, 4, 8, 16)):
                    for booster in ("gbtree", "dart"):
                        for fold in range(folds):
                            test = 0.5 * i + 0.2 * j + 0.1 * i * j * (booster == "dart")
                            test += rng.normal(0, 0.3 * (1 - fraction))
                            rows.append(
                                {
                                    "model": "xgb",
                                    "dataset": dataset,
                                    "fidelity_fraction": fraction,
                                    "lr": lr,
                                    "depth": depth,
                                    "booster": booster,
                                    "fold": fold,
                                    "test": test,
                                    "train": test - 0.05 * j,
                                    "status": "ok",
                                }
                            )
    return pd.DataFrame(rows)


def test_importance_json_rows_sum_to_one(tmp_path, capsys):
    frame = _long_table(datasets=("iris",), fractions=(1.0,), folds=1)
    path = tmp_path / "one.csv"
    frame.to_csv(path, index=False)
    assert main(["importance", str(path), "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert all(set(r) == {"term", "fraction"} for r in records)
    assert records[-1]["term"] == "residual"
    assert sum(r["fraction"] for r in records) == pytest.approx(1.0)
    terms = {r["term"]: r["fraction"] for r in records}
    assert set(terms) == {
        "lr",
        "depth",
        "booster",
        "lr:depth",
        "lr:booster",
        "depth:booster",
        "residual",
    }
    # the table's HP order is lr, depth, booster: the same numbers as the exact decomposition
    tensor = frame.sort_values(
        ["lr", "depth", "booster"],
        key=lambda c: c.map({"dart": 0, "gbtree": 1}) if c.name == "booster" else c,
    )["test"].to_numpy()
    exact = fanova_grid(tensor, [3, 4, 2], ["lr", "depth", "booster"]).set_index("term")
    for term, value in terms.items():
        assert value == pytest.approx(exact.loc[term, "fraction"])
    fractions = [r["fraction"] for r in records[:-1]]
    assert fractions == sorted(fractions, reverse=True)


def test_importance_table_and_order_and_several_landscapes(tmp_path, capsys):
    path = tmp_path / "study.parquet"
    _long_table().to_parquet(path)
    assert main(["importance", str(path), "--order", "1", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 4 * 4  # 4 landscapes x (3 HPs + residual)
    for label in {r["landscape"] for r in records}:
        mine = [r for r in records if r["landscape"] == label]
        assert sum(r["fraction"] for r in mine) == pytest.approx(1.0)
        assert {r["dataset"] for r in mine} <= {"iris", "wine"}
    assert main(["importance", str(path), "--order", "1"]) == 0
    out = capsys.readouterr().out
    assert "residual" in out and "fANOVA importance" in out
    assert main(["importance", str(path), "--format", "yaml"]) == 2
    assert "--format" in capsys.readouterr().err
    assert main(["importance", str(tmp_path / "missing.csv")]) == 2


def test_compare_writes_tables_figures_and_summary(tmp_path, capsys):
    path = tmp_path / "study.csv"
    _long_table().to_csv(path, index=False)
    out = tmp_path / "cmp"
    args = ["compare", str(path), "--by", "fidelity", "-o", str(out), "--walks", "10"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "Median Spearman between each fidelity and full fidelity" in text
    pairs = pd.read_parquet(out / "pairs.parquet")
    assert len(pairs) == 2  # one pair of fidelities per dataset
    assert set(pairs["value_a"]) == {"fraction=1.0"}
    assert len(pd.read_parquet(out / "profiles.parquet")) == 4
    assert (out / "heatmap_spearman.png").stat().st_size > 0
    headline = json.loads((out / "headline.json").read_text())
    assert headline["median_spearman_vs_full"] == pytest.approx(pairs["spearman"].median())
    assert (
        main(
            [
                "compare",
                str(path),
                "--by",
                "split",
                "-o",
                str(tmp_path / "split"),
                "--walks",
                "10",
                "--table-format",
                "csv",
                "--no-figures",
            ]
        )
        == 0
    )
    split = pd.read_csv(tmp_path / "split" / "pairs.csv")
    assert len(split) == 4 and set(split["value_a"]) == {"train"}
    assert not list((tmp_path / "split").glob("*.png"))
    assert main(["compare", str(path), "--by", "colour"]) == 2
