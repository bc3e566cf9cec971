from __future__ import annotations

import pandas as pd
import pytest

TIMING = ["fit_seconds", "predict_seconds", "timestamp"]


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """A results table without its timing columns, rows in key order."""
    return frame.drop(columns=[c for c in TIMING if c in frame.columns]).reset_index(drop=True)


@pytest.fixture
def assert_same_table():
    def check(a: pd.DataFrame, b: pd.DataFrame) -> None:
        pd.testing.assert_frame_equal(comparable(a), comparable(b), check_exact=False, rtol=1e-9)

    return check
