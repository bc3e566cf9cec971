"""kill -9 then resume, and a dask cluster: the same results table as an uninterrupted run."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pandas as pd
import pytest

from lossatlas.cli import main
from lossatlas.study import load_study, run_study

SLOW_STUDY = """
models:
  - {model: rf, grid: tiny, params: {n_estimators: 15}}
  - {model: dt, grid: tiny}
datasets: [breast_cancer, wine]
fidelities: {fraction: [0.5, 1.0]}
folds: 2
test_size: 0.2
"""
N_TASKS = (8 + 4) * 2 * 2 * 2


def _journal_rows(path) -> int:
    if not path.exists():
        return 0
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    except sqlite3.OperationalError:  # tables not created yet
        return 0
    finally:
        db.close()


def test_sigkill_mid_study_then_resume_equals_uninterrupted(tmp_path, assert_same_table):
    study = tmp_path / "slow.yaml"
    study.write_text(SLOW_STUDY)
    killed = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "lossatlas.cli", "study", str(study), "--out", str(killed), "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    n_at_kill = 0
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            n_at_kill = _journal_rows(killed / "journal.sqlite")
            if n_at_kill >= 10:
                break
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    assert 10 <= n_at_kill < N_TASKS, "the study was not interrupted mid-way"
    assert not (killed / "results.parquet").exists()
    assert main(["study", str(study), "--out", str(killed), "-q"]) == 0
    assert main(["study", str(study), "--out", str(tmp_path / "clean"), "-q"]) == 0
    resumed = pd.read_parquet(killed / "results.parquet")
    clean = pd.read_parquet(tmp_path / "clean" / "results.parquet")
    assert len(resumed) == N_TASKS
    assert not resumed.duplicated(
        ["model", "dataset", "config_id", "fold", "fidelity_fraction"]
    ).any()
    assert_same_table(resumed, clean)
    for name in ("profiles", "similarity", "importance"):
        a = pd.read_parquet(killed / f"{name}.parquet")
        b = pd.read_parquet(tmp_path / "clean" / f"{name}.parquet")
        pd.testing.assert_frame_equal(a, b)


def test_jobs_2_and_a_dask_local_cluster_give_the_serial_table(
    small_study, tmp_path, assert_same_table
):
    distributed = pytest.importorskip("distributed")
    study = load_study(small_study)
    serial = run_study(study, tmp_path / "serial")
    local = run_study(study, tmp_path / "jobs2", jobs=2)
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        assert (
            main(
                [
                    "study",
                    str(small_study),
                    "--out",
                    str(tmp_path / "dask"),
                    "--scheduler",
                    cluster.scheduler_address,
                    "-q",
                ]
            )
            == 0
        )
    table = pd.read_parquet(serial.paths["results"])
    assert local.evaluation.n_run == serial.evaluation.n_run == len(table)
    assert_same_table(table, pd.read_parquet(local.paths["results"]))
    assert_same_table(table, pd.read_parquet(tmp_path / "dask" / "results.parquet"))
