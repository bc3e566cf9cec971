from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

TIMING = ["fit_seconds", "predict_seconds", "timestamp"]

#: 2 models x 2 datasets x 2 fidelities on tiny grids: rf 8 and dt 4 configurations, 2 folds.
SMALL_STUDY = """
name: small
models:
  - {model: rf, grid: tiny, params: {n_estimators: 4}}
  - {model: dt, grid: tiny}
datasets: [iris, wine]
fidelities: {fraction: [0.5, 1.0]}
folds: 2
test_size: 0.2
seeds: [0]
epsilon: 0.01
gamma: 0.25
"""


@pytest.fixture
def small_study(tmp_path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL_STUDY)
    return path


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """A results table without its timing columns."""
    return frame.drop(columns=[c for c in TIMING if c in frame.columns]).reset_index(drop=True)


@pytest.fixture
def assert_same_table():
    def check(a: pd.DataFrame, b: pd.DataFrame) -> None:
        pd.testing.assert_frame_equal(comparable(a), comparable(b), check_exact=False, rtol=1e-9)

    return check
