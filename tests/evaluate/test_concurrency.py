"""Several ``lossatlas evaluate`` processes on one ``--out`` share the tasks through the
journal's claims: every task fitted once, the table equal to a serial run's, a killed process's
tasks finished by the others; concurrent exports never collide on a temporary name."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pandas as pd
import pytest

from lossatlas.cli import main
from lossatlas.evaluate import Journal, export

GRID = (
    "model: rf\nparams: {n_estimators: 25}\n"
    "grid: {max_depth: [1, 8], max_features: [0.5, 1.0], bootstrap: [false, true]}\n"
)
N_TASKS = 8 * 3 * 2  # configurations x folds x fractions


def _args(grid, out) -> list[str]:
    return [
        "evaluate",
        "--dataset",
        "breast_cancer",
        "--grid",
        str(grid),
        "--folds",
        "3",
        "--fidelity",
        "fraction=0.5,1",
        "-q",
        "--out",
        str(out),
    ]


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    """(grid file, table of a serial run)."""
    root = tmp_path_factory.mktemp("serial")
    grid = root / "grid.yaml"
    grid.write_text(GRID)
    assert main(_args(grid, root / "out")) == 0
    return grid, pd.read_parquet(root / "out" / "results.parquet")


def _start(grid, out, env=None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "lossatlas.cli", *_args(grid, out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _finish(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    return out


def _check_journal(out) -> dict[str, int]:
    """Every task recorded once and fitted once; no claim left; tasks per owner."""
    with Journal(out / "journal.sqlite", create=False) as journal:
        fits = journal.fit_counts()
        assert len(fits) == N_TASKS
        assert set(fits.values()) == {1}, "a task was fitted more than once"
        assert journal.claims() == []
        assert journal.counts() == {"ok": N_TASKS}
    db = sqlite3.connect(out / "journal.sqlite")
    try:
        return dict(db.execute("SELECT owner, COUNT(*) FROM results GROUP BY owner").fetchall())
    finally:
        db.close()


@pytest.mark.parametrize("n_processes", [2, 3])
def test_processes_on_one_out_share_the_tasks(tmp_path, serial, assert_same_table, n_processes):
    grid, table = serial
    out = tmp_path / "shared"
    procs = [_start(grid, out) for _ in range(n_processes)]
    outputs = [_finish(proc) for proc in procs]
    per_owner = _check_journal(out)
    assert sum(per_owner.values()) == N_TASKS
    assert len(per_owner) >= 2, f"one process did everything: {per_owner}"
    assert len(per_owner) <= n_processes
    # each process counts what it ran and what the others ran; together: every task once
    ran = [int(text.split(": ")[1].split(" task(s) run")[0]) for text in outputs]
    assert sum(ran) == N_TASKS, outputs
    assert_same_table(pd.read_parquet(out / "results.parquet"), table)


def test_sigkill_one_process_and_the_others_finish_its_tasks(tmp_path, serial, assert_same_table):
    grid, table = serial
    out = tmp_path / "shared"
    env = {"LOSSATLAS_LEASE_SECONDS": "4"}
    victim = _start(grid, out, env)
    others = [_start(grid, out, env) for _ in range(2)]
    journal = out / "journal.sqlite"
    deadline = time.monotonic() + 300
    victim_rows = total = 0
    while time.monotonic() < deadline and victim.poll() is None:
        if journal.exists():
            db = sqlite3.connect(journal)
            try:
                total = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
                victim_rows = db.execute(
                    "SELECT COUNT(*) FROM results WHERE owner LIKE ?", (f"%:{victim.pid}:%",)
                ).fetchone()[0]
            except sqlite3.OperationalError:  # tables not created yet
                pass
            finally:
                db.close()
            if victim_rows >= 2 and total >= 8:
                break
        time.sleep(0.05)
    os.kill(victim.pid, signal.SIGKILL)
    # not reaped until the others are done: its pid still exists (a zombie), so its claim is
    # retaken through the expiry of its lease, as for a claimant on another host
    try:
        for proc in others:
            _finish(proc)
    finally:
        victim.wait()
    assert victim.returncode == -signal.SIGKILL
    assert 2 <= victim_rows and total < N_TASKS, "the victim was not killed mid-way"
    per_owner = _check_journal(out)
    assert sum(per_owner.values()) == N_TASKS
    assert_same_table(pd.read_parquet(out / "results.parquet"), table)


def test_two_exports_at_once_never_collide(tmp_path, serial):
    grid, table = serial
    out = tmp_path / "out"
    assert main(_args(grid, out)) == 0
    errors: list[BaseException] = []

    def run() -> None:
        try:
            export(out)
        except BaseException as exc:  # collected: a thread cannot fail the test itself
            errors.append(exc)

    for _ in range(20):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert len(pd.read_parquet(out / "results.parquet")) == N_TASKS
    assert sorted(p.name for p in out.iterdir() if p.name.endswith(".tmp")) == []
    # and as two commands at once
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "lossatlas.cli", "export", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr
        assert "wrote" in stdout
