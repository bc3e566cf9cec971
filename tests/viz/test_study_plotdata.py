"""Study-report plot data against hand-made tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lossatlas.viz import _study_plotdata as sp


def _profiles() -> pd.DataFrame:
    rows = []
    for model, base in (("dt", 0.1), ("rf", 0.5)):
        for fraction in (0.5, 1.0):
            for k, dataset in enumerate(("iris", "wine")):
                rows.append(
                    {
                        "landscape": f"{model} {dataset} fraction={fraction}",
                        "split": "test",
                        "model": model,
                        "dataset": dataset,
                        "fidelity_fraction": fraction,
                        "neutrality": base + fraction + k,
                        "fdc": math.nan,
                        "epsilon_absolute": 0.01,
                    }
                )
    train = pd.DataFrame(rows).assign(split="train", neutrality=-1.0)
    return pd.concat([pd.DataFrame(rows), train], ignore_index=True)


def test_metric_distributions_one_box_per_model_and_fidelity():
    out = sp.metric_distributions(_profiles(), split="test")
    keys = [d.key for d in out]
    assert keys == ["metric:neutrality"]  # fdc has no finite value: left out
    (dist,) = out
    assert [s.name for s in dist.series] == ["fraction=0.5", "fraction=1"]
    half = dist.series[0]
    assert half.x == ("dt", "dt", "rf", "rf")
    assert half.y == pytest.approx((0.6, 1.6, 1.0, 2.0))  # never the train rows (-1)
    assert "epsilon 0.01" in dist.note
    assert dist.n_points == 8


def test_similarity_distributions_per_axis_and_model():
    sim = pd.DataFrame(
        {
            "axis": ["fidelity", "fidelity", "split"],
            "model": ["dt", "rf", "dt"],
            "a": ["x", "y", "z"],
            "b": ["x2", "y2", "z2"],
            "value_a": ["f=1", "f=1", "test"],
            "value_b": ["f=.5", "f=.5", "train"],
            "spearman": [0.9, 0.8, math.nan],
            "gamma_set_similarity": [0.5, 0.25, 1.0],
            "shake_up": [0.1, 0.2, 0.0],
            "gamma": [0.1, 0.1, 0.1],
        }
    )
    out = {d.key: d for d in sp.similarity_distributions(sim)}
    assert set(out) == {"similarity:fidelity", "similarity:split"}
    fid = out["similarity:fidelity"]
    assert [s.name for s in fid.series] == ["dt", "rf"]
    assert fid.series[1].x == ("spearman", "gamma_set_similarity", "shake_up")
    assert fid.series[1].y == pytest.approx((0.8, 0.25, 0.2))
    split = out["similarity:split"]
    assert split.series[0].x == ("gamma_set_similarity", "shake_up")  # NaN Spearman dropped


def test_importance_bars_median_and_spread_over_datasets_at_full_fidelity():
    rows = []
    shares = {"iris": {"a": 0.6, "b": 0.1, "a:b": 0.2}, "wine": {"a": 0.2, "b": 0.5}}
    for dataset, terms in shares.items():
        for term, fraction in terms.items():
            order = term.count(":") + 1
            rows.append(("dt", dataset, 1.0, term, order, fraction))
            rows.append(("dt", dataset, 0.5, term, order, 0.99))  # low fidelity: ignored
        rows.append(("dt", dataset, 1.0, "residual", 0, 0.05))
    frame = pd.DataFrame(
        rows, columns=["model", "dataset", "fidelity_fraction", "term", "order", "fraction"]
    )
    out = sp.importance_bars(frame, top=5)
    assert [(b.model, b.order) for b in out] == [("dt", 1), ("dt", 2)]
    main, pair = out
    assert main.terms == ("a", "b")  # medians 0.4 and 0.3
    assert main.median == pytest.approx((0.4, 0.3))
    assert main.low == pytest.approx((0.2, 0.1))
    assert main.high == pytest.approx((0.6, 0.5))
    assert pair.terms == ("a:b",)
    assert pair.median == pytest.approx((0.1,))  # 0.2 on iris, absent (0) on wine
    assert main.n_datasets == 2


def test_gap_scatter_driver_is_the_hp_the_gap_depends_on():
    rng = np.random.default_rng(0)
    rows = []
    config = 0
    for a in (0, 1, 2):
        for b in ("x", "y"):
            for fold in (0, 1):
                train = rng.uniform(0, 0.2)
                rows.append(
                    {
                        "model": "dt",
                        "dataset": "iris",
                        "fidelity_fraction": 1.0,
                        "a": a,
                        "b": b,
                        "config_id": config,
                        "fold": fold,
                        "train": train,
                        "test": train + 0.1 * a,  # the gap is 0.1 * a exactly
                        "status": "ok",
                    }
                )
            config += 1
    (scatter,) = sp.gap_scatters(pd.DataFrame(rows))
    assert scatter.driver == "a"
    shares = dict(scatter.drivers)
    assert shares["a"] == pytest.approx(1.0)
    assert shares["b"] == pytest.approx(0.0, abs=1e-12)
    assert len(scatter.train) == 6  # mean over the two folds
    assert np.allclose(scatter.test - scatter.train, [0, 0, 0.1, 0.1, 0.2, 0.2])
    assert scatter.colour == ("0", "0", "1", "1", "2", "2")


def test_findings_check_the_reference_rules():
    summary = {
        "study": {"loss": "test"},
        "headline": {
            "fidelity": {"n_pairs": 3, "spearman": 0.9, "gamma_set_overlap": 0.5},
            "dataset": {"n_pairs": 2, "spearman": None, "gamma_set_overlap": 0.45},
            "split": {"n_pairs": 4, "spearman": 0.6, "gamma_set_overlap": 0.1},
        },
    }
    rows = {r.finding: r for r in sp.findings(summary, _profiles())}
    assert rows["low vs full fidelity: median Spearman"].agrees is True
    assert rows["low vs full fidelity: median top-gamma overlap"].agrees is False
    assert rows["across datasets: median Spearman"].agrees is None
    assert rows["across datasets: median top-gamma overlap"].agrees is True  # ~0.40
    assert rows["train vs test: median Spearman"].agrees is False
    neutral = next(r for r in rows.values() if "neutrality" in r.finding)
    assert neutral.measured == pytest.approx(1.55)  # median of the 8 test rows
    assert neutral.pairs == 8
