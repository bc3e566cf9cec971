"""Writing a landscape comparison: the tables, summary and headline numbers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from lossatlas.analysis._comparison import compare_landscapes
from lossatlas.errors import InputError
from lossatlas.io import write_comparison
from lossatlas.landscape import Landscape
from lossatlas.space import SearchSpace

SPACE = SearchSpace.from_dict({"lr": [0.01, 0.1, 1.0], "depth": [2, 4, 8, 16], "boost": ["a", "b"]})


def study() -> list[Landscape]:
    rng = np.random.default_rng(0)
    out = []
    for dataset in ("iris", "wine"):
        base = rng.random(SPACE.size)
        for fraction in (1.0, 0.1, 0.25):
            test = base + rng.normal(0, 0.5 * (1 - fraction), SPACE.size)
            out.append(
                Landscape.from_array(
                    SPACE,
                    {"test": test, "train": test - 0.1 * rng.random(SPACE.size)},
                    metadata={"model": "rf", "dataset": dataset, "fidelity_fraction": fraction},
                )
            )
    return out


def test_write_csv_and_parquet(tmp_path):
    result = compare_landscapes(study(), by="dataset", profiles=False)
    written = write_comparison(result, tmp_path / "out", format="csv")
    assert [p.name for p in written] == [
        "pairs.csv",
        "profiles.csv",
        "matrices.csv",
        "summary.txt",
        "headline.json",
    ]
    back = pd.read_csv(tmp_path / "out" / "pairs.csv")
    np.testing.assert_allclose(back["spearman"], result.pairs["spearman"])
    headline = json.loads((tmp_path / "out" / "headline.json").read_text())
    assert headline["n_pairs"] == 3 and headline == result.to_dict()["headline"]
    assert (tmp_path / "out" / "summary.txt").read_text() == result.summary + "\n"
    write_comparison(result, tmp_path / "pq", format="parquet")
    assert pd.read_parquet(tmp_path / "pq" / "pairs.parquet").shape == result.pairs.shape
    matrices = pd.read_parquet(tmp_path / "pq" / "matrices.parquet")
    pd.testing.assert_frame_equal(matrices, result.matrices())
    with pytest.raises(InputError, match="format must be"):
        write_comparison(result, tmp_path / "bad", format="xlsx")  # type: ignore[arg-type]
    assert not (tmp_path / "bad").exists()


def test_to_dict_is_json_and_to_frame_is_the_pairs():
    result = compare_landscapes(study(), by="fidelity", profiles=False)
    record = json.loads(json.dumps(result.to_dict()))
    assert record["by"] == "fidelity" and record["order"] == list(result.order)
    assert record["summary"] == result.summary
    pd.testing.assert_frame_equal(result.to_frame(), result.pairs)
