"""Journal, resume, failures, SIGKILL and executors."""

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
from lossatlas.evaluate import Evaluation, Journal, evaluate, get_model, load_dataset
from lossatlas.evaluate._grids import grid_to_space
from lossatlas.evaluate._table import export


def _rf_study(grid=None, **kw) -> Evaluation:
    spec = get_model("rf")
    space = grid_to_space(grid) if grid else spec.space("tiny")
    kw.setdefault("fidelities", {"fraction": (0.5, 1.0)})
    return Evaluation(spec, load_dataset("iris"), space, folds=3, params={"n_estimators": 5}, **kw)


def test_rows_columns_and_resume(tmp_path):
    study = _rf_study()
    first = evaluate(study, tmp_path)
    assert first.n_run == study.n_tasks == 8 * 3 * 2 and first.n_skipped == 0
    table = pd.read_parquet(first.table)
    assert len(table) == study.n_tasks
    assert not table.duplicated(["config_id", "fold", "fidelity_fraction", "seed"]).any()
    assert list(table.columns[:3]) == ["model", "dataset", "fidelity_fraction"]
    for column in (
        "fold",
        "seed",
        "train",
        "test",
        "train_logloss",
        "test_logloss",
        "status",
        "error",
        "fit_seconds",
        "predict_seconds",
        "n_train",
        "n_test",
        "config_id",
    ):
        assert column in table.columns
    assert table["bootstrap"].dtype == bool and table["max_depth"].dtype.kind == "i"
    # nested fractions: half the training fold at 0.5
    n = table.groupby("fidelity_fraction")["n_train"].first()
    assert n[0.5] == 50 and n[1.0] == 100
    second = evaluate(study, tmp_path)
    assert second.n_run == 0 and second.n_skipped == study.n_tasks
    assert len(pd.read_parquet(second.table)) == study.n_tasks


def test_extending_fidelities_and_seeds_reuses_done_tasks(tmp_path):
    evaluate(_rf_study(fidelities={"fraction": (1.0,)}), tmp_path)
    wider = _rf_study(fidelities={"fraction": (0.5, 1.0)}, seeds=(0, 1))
    summary = evaluate(wider, tmp_path)
    assert summary.n_skipped == 8 * 3 and summary.n_run == wider.n_tasks - 8 * 3
    table = pd.read_parquet(summary.table)
    assert sorted(table["seed"].unique()) == [0, 1] and len(table) == wider.n_tasks


def test_journal_never_duplicates(tmp_path):
    result = {
        "config": '{"a":1}',
        "fold": 0,
        "fidelity": '{"fraction":1.0}',
        "seed": 0,
        "status": "failed",
        "error": "boom",
        "test": float("nan"),
    }
    with Journal(tmp_path / "j.sqlite") as journal:
        assert journal.record("s", result) is True
        assert journal.record("s", {**result, "status": "ok", "error": None}) is False
        assert journal.counts() == {"failed": 1}
        # a retry may replace a failed row, never an ok one
        assert journal.record("s", {**result, "status": "ok", "error": None}, replace_failed=True)
        assert journal.record("s", {**result, "error": "x"}, replace_failed=True) is False
        assert journal.counts() == {"ok": 1}
        assert journal.rows()[0]["test"] is None
    mode = sqlite3.connect(tmp_path / "j.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_a_raising_configuration_is_recorded_failed_and_the_run_goes_on(tmp_path):
    # max_features=2.5 is rejected by scikit-learn at fit time
    study = _rf_study(
        {"max_depth": [2, 4], "max_features": [0.5, 2.5]}, fidelities={"fraction": (1.0,)}
    )
    summary = evaluate(study, tmp_path)
    assert summary.n_run == 12 and summary.n_failed == 6
    table = pd.read_parquet(summary.table)
    failed = table[table["status"] == "failed"]
    assert (failed["max_features"] == 2.5).all() and len(failed) == 6
    assert failed["error"].str.contains("max_features").all()
    assert failed["test"].isna().all()
    ok = table[table["status"] == "ok"]
    assert ok["error"].isna().all() and ok["test"].notna().all()
    again = evaluate(study, tmp_path)
    assert again.n_run == 0
    retried = evaluate(study, tmp_path, retry_failed=True)
    assert retried.n_run == 6 and retried.n_failed == 6
    assert len(pd.read_parquet(retried.table)) == 12


def test_sigkill_mid_run_then_resume_equals_uninterrupted(tmp_path, assert_same_table):
    grid = tmp_path / "grid.yaml"
    grid.write_text(
        "model: rf\nparams: {n_estimators: 20}\n"
        "grid: {max_depth: [1, 8], max_features: [0.5, 1.0], bootstrap: [false, true]}\n"
    )
    args = [
        "evaluate",
        "--dataset",
        "breast_cancer",
        "--grid",
        str(grid),
        "--folds",
        "3",
        "--fidelity",
        "fraction=0.25,0.5,1",
        "-q",
    ]
    killed = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "lossatlas.cli", *args, "--out", str(killed)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    journal = killed / "journal.sqlite"
    n_at_kill = 0
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if journal.exists():
                db = sqlite3.connect(journal)
                try:
                    n_at_kill = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
                except sqlite3.OperationalError:  # tables not created yet
                    n_at_kill = 0
                finally:
                    db.close()
                if n_at_kill >= 5:
                    break
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    assert 5 <= n_at_kill < 72, "the run was not interrupted mid-way"
    with Journal(journal) as j:
        assert sum(j.counts().values()) >= n_at_kill
    assert main([*args, "--out", str(killed)]) == 0
    assert main([*args, "--out", str(tmp_path / "clean")]) == 0
    resumed = pd.read_parquet(killed / "results.parquet")
    clean = pd.read_parquet(tmp_path / "clean" / "results.parquet")
    assert len(resumed) == 72
    assert not resumed.duplicated(["config_id", "fold", "fidelity_fraction", "seed"]).any()
    assert_same_table(resumed, clean)


def test_jobs_2_gives_the_serial_table(tmp_path, assert_same_table):
    study = _rf_study()
    serial = evaluate(study, tmp_path / "serial")
    parallel = evaluate(study, tmp_path / "jobs2", jobs=2)
    assert parallel.n_run == study.n_tasks
    assert_same_table(pd.read_parquet(serial.table), pd.read_parquet(parallel.table))
    # the pool outlives the run: a second run on it gives the same table again
    again = evaluate(study, tmp_path / "again", jobs=2)
    assert_same_table(pd.read_parquet(serial.table), pd.read_parquet(again.table))


def test_a_worker_loads_the_run_context_once(tmp_path):
    import pickle

    import lossatlas.evaluate._executors as executors

    study = _rf_study()
    context = study.context()
    path = tmp_path / "context.pkl"
    path.write_bytes(pickle.dumps(context))
    tasks = list(study.tasks())
    first, _ = executors._run_shipped("run-a", str(path), tasks[:2])
    path.unlink()  # later tasks of the run do not read the file again
    second, seconds = executors._run_shipped("run-a", str(path), tasks[2:4])
    assert [r["status"] for r in first + second] == ["ok"] * 4
    assert seconds > 0
    with pytest.raises(FileNotFoundError):  # another run's context is loaded from its file
        executors._run_shipped("run-b", str(path), tasks[:1])


def test_fast_units_travel_in_chunks_of_about_the_chunk_seconds():
    from lossatlas.evaluate._executors import CHUNK_SECONDS, MAX_CHUNK, _Chunks

    chunks = _Chunks(range(1000))
    stream = iter(chunks)
    assert next(stream) == [0]  # nothing measured yet: one unit
    chunks.measured(1, CHUNK_SECONDS / 10)
    assert len(next(stream)) == 10
    chunks.measured(1000, 0.0)  # very fast: capped
    assert len(next(stream)) == MAX_CHUNK
    slow = _Chunks(range(5))
    slow.measured(1, 10 * CHUNK_SECONDS)
    assert [len(c) for c in slow] == [1] * 5


def test_dask_local_cluster_on_loopback_gives_the_serial_table(tmp_path, assert_same_table):
    distributed = pytest.importorskip("distributed")
    study = _rf_study(fidelities={"fraction": (1.0,)})
    serial = evaluate(study, tmp_path / "serial")
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        on_dask = evaluate(study, tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert on_dask.n_run == study.n_tasks
    assert_same_table(pd.read_parquet(serial.table), pd.read_parquet(on_dask.table))


def test_export_command_writes_csv_and_parquet(tmp_path):
    evaluate(_rf_study(fidelities={"fraction": (1.0,)}), tmp_path, write_table=False)
    assert not (tmp_path / "results.parquet").exists()
    assert main(["export", str(tmp_path), "-o", str(tmp_path / "t.parquet")]) == 0
    assert main(["export", str(tmp_path), "-o", str(tmp_path / "t.csv")]) == 0
    a = pd.read_parquet(tmp_path / "t.parquet")
    b = pd.read_csv(tmp_path / "t.csv")
    assert len(a) == len(b) == 24
    assert main(["export", str(tmp_path / "nothing")]) == 2
    path = export(tmp_path)
    assert path.name == "results.parquet"


def test_exported_table_reads_as_landscapes(tmp_path):
    from lossatlas.io import read_landscapes

    summary = evaluate(_rf_study(), tmp_path)
    landscapes = read_landscapes(summary.table)
    assert len(landscapes) == 2
    assert {ls.metadata["fidelity_fraction"] for ls in landscapes} == {0.5, 1.0}
    assert all(ls.is_full and ls.n == 8 for ls in landscapes)


def test_unreachable_scheduler_is_a_clear_error():
    pytest.importorskip("distributed")
    from lossatlas.errors import InputError
    from lossatlas.evaluate._executors import DaskExecutor

    study = _rf_study()
    with pytest.raises(InputError, match="cannot reach the dask scheduler 'tcp://127.0.0.1:9'"):
        list(DaskExecutor("tcp://127.0.0.1:9", timeout=1).run(study.context(), study.tasks()))


def test_sampled_and_failed_configurations_give_partial_landscapes_on_the_full_grid(tmp_path):
    import numpy as np

    from lossatlas.io import read_landscapes

    spec = get_model("rf")
    sampled = Evaluation(
        spec,
        load_dataset("iris"),
        spec.space("default"),
        folds=3,
        params={"n_estimators": 3},
        configs=np.array([0, 5, 9, 20]),
    )
    (landscape,) = read_landscapes(evaluate(sampled, tmp_path / "s").table)
    assert not landscape.is_full and landscape.n == 4 and landscape.space.size == 36
    np.testing.assert_array_equal(landscape.index, [0, 5, 9, 20])
    failing = _rf_study(
        {"max_depth": [2, 4], "max_features": [0.5, 2.5]}, fidelities={"fraction": (1.0,)}
    )
    (landscape,) = read_landscapes(evaluate(failing, tmp_path / "f").table)
    assert landscape.n == 2 and landscape.space.size == 4
    assert landscape.metadata["n_failed"] == 6


def test_evaluate_test_size_scores_train_valid_and_held_out_test(tmp_path):
    args = ["evaluate", "-m", "rf", "--grid", "tiny", "-d", "iris", "--folds", "3", "-q"]
    assert main([*args, "--test-size", "0.2", "--out", str(tmp_path / "held")]) == 0
    assert main([*args, "--out", str(tmp_path / "plain")]) == 0
    held = pd.read_parquet(tmp_path / "held" / "results.parquet")
    plain = pd.read_parquet(tmp_path / "plain" / "results.parquet")
    assert {"train", "valid", "test", "valid_logloss"} <= set(held.columns)
    assert "valid" not in plain.columns  # test_size 0: 'test' is the validation fold, as before
    assert (held["n_test"] == 30).all() and (plain["n_test"] == 50).all()
    assert (held["n_train"] == 80).all()  # 2/3 of the 120 rows left after the held-out 30
    assert main([*args, "--test-size", "1.5", "--out", str(tmp_path / "bad")]) == 2


# -- no task succeeded: non-zero exit and the distinct errors with their counts --------------
def _cli(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lossatlas.cli", *argv],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_grid_naming_a_parameter_the_model_lacks_exits_non_zero_with_counts(tmp_path):
    grid = tmp_path / "grid.yaml"
    grid.write_text("model: dt\ngrid: {foo: [1, 2], max_depth: [1, 2]}\n")
    args = ["evaluate", "-d", "iris", "--grid", str(grid), "--folds", "2", "-q"]
    for _ in range(2):  # and again on resume: the journal still holds no success
        proc = _cli(*args, "--out", str(tmp_path / "out"))
        assert proc.returncode == 2
        assert "Traceback" not in proc.stderr
        errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1
        assert errors[0].startswith("error: no task of dt on iris succeeded (8 failed;")
        assert "unexpected keyword argument 'foo'" in errors[0]
        assert "  8 x TypeError: DecisionTreeClassifier.__init__() got an unexpected" in proc.stderr
    assert len(pd.read_parquet(tmp_path / "out" / "results.parquet")) == 8  # failures are data


def test_cnn_on_iris_exits_non_zero(tmp_path):
    proc = _cli(
        "evaluate",
        "-m",
        "cnn",
        "-d",
        "iris",
        "--grid",
        "tiny",
        "--folds",
        "2",
        "-q",
        "--out",
        str(tmp_path / "out"),
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "no task of cnn on iris succeeded" in errors[0]
    assert "needs an image dataset" in errors[0]


def test_partial_failure_exits_zero_and_says_how_many_failed(tmp_path, capsys):
    # max_depth 0 is refused by scikit-learn; max_depth 1 and 2 fit
    grid = tmp_path / "grid.yaml"
    grid.write_text("model: dt\ngrid: {max_depth: [0, 1, 2]}\n")
    args = ["evaluate", "-d", "iris", "--grid", str(grid), "--folds", "2", "-q"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert "2 failed" in captured.out
    assert "warning: 2 of 6 task(s) of dt on iris failed:" in captured.err
    assert "  2 x InvalidParameterError" in captured.err
    assert not [line for line in captured.err.splitlines() if line.startswith("error:")]


def test_distinct_messages_are_counted_most_frequent_first(tmp_path):
    from lossatlas.commands.evaluate import failure_lines
    from lossatlas.evaluate import Evaluation
    from lossatlas.evaluate._runner import outcome

    spec = get_model("dt")
    study = Evaluation(
        spec, load_dataset("iris"), grid_to_space({"max_depth": [0, 1, -1]}), folds=2
    )
    with Journal(tmp_path / "journal.sqlite") as journal:
        tasks = list(study.tasks())
        for task, (status, error) in zip(
            tasks,
            [
                ("failed", "A"),
                ("failed", "B"),
                ("ok", None),
                ("ok", None),
                ("failed", "B"),
                ("failed", "B"),
            ],
            strict=True,
        ):
            journal.record(
                study.key,
                {
                    "config": task.config,
                    "fold": task.fold,
                    "fidelity": task.fidelity,
                    "seed": task.seed,
                    "status": status,
                    "error": error,
                },
            )
        n_ok, n_failed, errors = outcome(journal, study.key, iter(tasks))
    assert (n_ok, n_failed, errors) == (2, 4, (("B", 3), ("A", 1)))
    assert failure_lines(errors) == ["  3 x B", "  1 x A"]
    many = tuple((f"m{i}", 5 - i) for i in range(5))
    assert failure_lines(many, limit=2) == [
        "  5 x m0",
        "  4 x m1",
        "  ... and 3 other message(s) (6 task(s))",
    ]


def test_a_study_whose_every_task_fails_exits_non_zero_with_counts(tmp_path):
    study = tmp_path / "study.yaml"
    study.write_text(
        "name: bad\nmodels:\n  - {model: dt, grid: {foo: [1, 2], max_depth: [1, 2]}}\n"
        "datasets: [iris]\nfolds: 2\n"
    )
    proc = _cli("study", str(study), "-q", "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: no task of study bad succeeded (8 failed; most often: TypeError: "
        "DecisionTreeClassifier.__init__() got an unexpected keyword argument 'foo')"
    ]
    assert "  8 x TypeError" in proc.stderr
