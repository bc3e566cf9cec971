"""``lossatlas study --estimate``: a timed sample extrapolated, nothing written."""

from __future__ import annotations

import pytest

from lossatlas.cli import main
from lossatlas.study import load_study
from lossatlas.study._estimate import OVERHEAD_SECONDS, estimate_study


def test_estimate_times_a_sample_of_every_part(small_study, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    table = estimate_study(load_study(small_study), per_fidelity=2)
    # 2 models x 2 datasets x 2 fractions, 2 tasks timed in each
    assert len(table) == 8 and (table["sampled"] == 2).all() and (table["failed"] == 0).all()
    assert table["n_tasks"].sum() == 96
    assert (table["cpu_per_task"] > 0).all()
    expected = (table["cpu_per_task"] + OVERHEAD_SECONDS) * table["n_tasks"]
    assert table["cpu_seconds"].to_numpy() == pytest.approx(expected.to_numpy())
    assert (
        main(["study", str(small_study), "--estimate", "--jobs", "2", "--sample", "1", "-q"]) == 0
    )
    printed = capsys.readouterr().out
    assert "96 tasks, estimated from 8 timed" in printed and "on 2 core(s)" in printed
    assert list(tmp_path.iterdir()) == [small_study]  # no journal, no output directory
    assert main(["study", str(small_study), "--estimate", "--sample", "0", "-q"]) == 2
