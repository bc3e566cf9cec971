"""What a run leaves beside its journal."""

from __future__ import annotations


def test_a_finished_run_leaves_no_write_ahead_log_beside_the_journal(tmp_path):
    """The export reads read-only after the writer closed; the run folds the log back in."""
    from lossatlas.cli import main

    out = tmp_path / "run"
    args = ["evaluate", "--model", "dt", "--dataset", "iris", "--grid", "tiny"]
    assert main([*args, "--folds", "2", "-o", str(out), "-q"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["journal.sqlite", "results.parquet"]


def test_a_finished_study_leaves_no_write_ahead_log(tmp_path):
    import yaml

    from lossatlas.study import load_study, run_study

    spec = tmp_path / "s.yaml"
    spec.write_text(
        yaml.safe_dump(
            {
                "name": "s",
                "models": [{"model": "dt", "grid": "tiny"}],
                "datasets": ["iris"],
                "fidelities": {"fraction": [0.5, 1.0]},
                "folds": 2,
            }
        )
    )
    run_study(load_study(spec), tmp_path / "out", progress=False)
    names = {p.name for p in (tmp_path / "out").iterdir()}
    assert "journal.sqlite" in names and not names & {"journal.sqlite-wal", "journal.sqlite-shm"}
