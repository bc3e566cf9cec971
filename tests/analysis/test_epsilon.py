"""suggest_epsilon against the spread computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lossatlas.analysis._epsilon import suggest_epsilon
from lossatlas.errors import InputError


def _table() -> pd.DataFrame:
    rows = []
    for a, losses in ((0, (0.1, 0.3)), (1, (0.2, 0.2)), (2, (0.0, 0.4))):
        for fold, value in enumerate(losses):
            rows.append({"model": "m", "a": a, "fold": fold, "test": value, "status": "ok"})
    return pd.DataFrame(rows)


def test_median_fold_spread():
    sd = [np.std([0.1, 0.3], ddof=1), 0.0, np.std([0.0, 0.4], ddof=1)]
    assert suggest_epsilon(_table()) == pytest.approx(np.median(sd))
    assert suggest_epsilon(_table(), statistic="mean") == pytest.approx(np.mean(sd))


def test_no_replicates_is_a_clear_error():
    with pytest.raises(InputError, match="no replicate column"):
        suggest_epsilon(_table().drop(columns="fold"))
    with pytest.raises(InputError, match="no loss column 'valid'"):
        suggest_epsilon(_table(), loss="valid")
