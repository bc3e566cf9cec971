"""Models on different search spaces: compared through profiles and importance, and said so."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lossatlas.analysis._model_contrast import CONTRAST_COLUMNS, model_contrast
from lossatlas.cli import main
from lossatlas.io import read_landscapes, write_table
from lossatlas.landscape import Landscape
from lossatlas.space import SearchSpace

sys.path.insert(0, str(Path(__file__).parents[1] / "io"))
from test_loader import two_models  # noqa: E402


def _pick(landscapes, model, dataset="iris", fraction=1.0):
    (land,) = [
        x
        for x in landscapes
        if x.metadata["model"] == model
        and x.metadata["dataset"] == dataset
        and x.metadata["fidelity_fraction"] == fraction
    ]
    return land


def test_contrast_of_two_models_matches_a_hand_computation():
    lands = read_landscapes(two_models())
    row = model_contrast(_pick(lands, "xgb"), _pick(lands, "svm"), loss="test")
    assert set(row) == set(CONTRAST_COLUMNS)
    assert row["comparable"] == "profile+importance" and row["common_hps"] == ""
    # svm: test = log10(C)^2 + [rbf] + 0.1 [shrinking]: additive, main-effect variances
    # C: var(1, 0, 1) = 2/9, kernel: 0.25, shrinking: 0.0025
    total = 2 / 9 + 0.25 + 0.0025
    assert row["top_hp_b"] == "kernel"
    assert row["top_hp_share_b"] == pytest.approx(0.25 / total)
    assert row["main_effects_share_b"] == pytest.approx(1.0)
    assert row["best_loss_b"] == pytest.approx(0.0)
    assert np.isnan(row["importance_spearman_common"])


def test_shared_hyperparameters_compare_importance_ranks():
    a_space = SearchSpace.from_dict({"depth": [1, 2, 3], "lr": [0.1, 1.0], "x": [0, 1]})
    b_space = SearchSpace.from_dict({"depth": [1, 2, 3], "lr": [0.1, 1.0], "y": [0, 1]})
    codes = a_space.decode(np.arange(a_space.size))
    # depth matters most in a, lr most in b: opposite ranks over the shared (depth, lr)
    a = Landscape.from_array(a_space, 3.0 * codes[:, 0] + 1.0 * codes[:, 1] + 0.1 * codes[:, 2])
    b = Landscape.from_array(b_space, 1.0 * codes[:, 0] + 9.0 * codes[:, 1] + 0.1 * codes[:, 2])
    row = model_contrast(a, b)
    assert row["common_hps"] == "depth,lr"
    assert row["importance_spearman_common"] == pytest.approx(-1.0)
    assert row["top_hp_a"] == "depth" and row["top_hp_b"] == "lr"
    same = model_contrast(a, a)
    assert same["comparable"] == "ranks+profile+importance"
    assert same["importance_spearman_common"] == pytest.approx(1.0)


def test_compare_by_model_on_a_table_of_two_models_compares_every_pair(tmp_path, capsys):
    table = write_table(two_models(), tmp_path / "mixed.parquet")
    out = tmp_path / "by_model"
    args = ["compare", str(table), "--by", "model", "-o", str(out), "--walks", "20"]
    assert main([*args, "--no-figures"]) == 0
    printed = capsys.readouterr().out
    assert "4 pairs of models" in printed
    assert "compared through their profiles and importance" in printed
    assert "Median best loss per model" in printed
    pairs = pd.read_parquet(out / "pairs.parquet")
    # one pair of models per (dataset, fraction): 2 x 2
    assert len(pairs) == 4 and (pairs["comparable"] == "profile+importance").all()
    assert pairs["spearman"].isna().all() and (pairs["n_common"] == 0).all()
    assert set(pairs["top_hp_b"]) == {"kernel"} or set(pairs["top_hp_a"]) == {"kernel"}
