"""Issue 11 (reliability), CLI side: one line for every system error, grid limits, roles, URLs.

The bad-input suite (``tests/test_bad_input.py``) checks the refusals across every command; these
tests check each defect's own behaviour: what is accepted, what is printed, what ``--debug`` shows.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lossatlas.cli import main
from lossatlas.columns import close_reserved_name
from lossatlas.errors import InputError
from lossatlas.evaluate._grids import MAX_GRID_CONFIGS, check_grid_size
from lossatlas.space import SearchSpace


def _one_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    return lines[0]


# -- 1. a grid of 10^12 configurations ---------------------------------------------------------


def _huge_space() -> SearchSpace:
    return SearchSpace.from_dict({f"p{i}": list(range(10)) for i in range(12)})


def test_the_grid_limit_is_documented_and_lifted_by_sample_or_max_configs() -> None:
    space = _huge_space()
    assert space.size == 10**12
    with pytest.raises(InputError, match=r"1,000,000,000,000 configurations.*1,000,000"):
        check_grid_size(space, source="huge.yaml")
    check_grid_size(space, sample=10)  # a sample of any grid is fine
    check_grid_size(space, max_configs=10**12)  # an explicit, large enough limit too
    with pytest.raises(InputError, match="16 configurations, more than the limit of 10"):
        check_grid_size(
            SearchSpace.from_dict({"a": [1, 2, 3, 4], "b": [1, 2, 3, 4]}), max_configs=10
        )
    assert MAX_GRID_CONFIGS == 1_000_000


def test_a_huge_grid_is_refused_at_once_by_the_command(tmp_path: Path) -> None:
    grid = tmp_path / "huge.yaml"
    grid.write_text(
        "model: rf\ngrid:\n" + "".join(f"  p{i}: {{range: [0, 10, 1]}}\n" for i in range(12))
    )
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "lossatlas.cli", "evaluate", "-d", "iris", "--grid", str(grid)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.perf_counter() - start < 60
    assert proc.returncode == 2
    line = _one_error_line(proc.stderr)
    assert "1,000,000,000,000 configurations" in line and "--sample" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["huge.yaml"]  # no work, no output


def test_sampling_a_huge_grid_draws_distinct_indices_without_materialising_it() -> None:
    from lossatlas.commands.evaluate import _sample_configs

    rng = np.random.default_rng(0)
    start = time.perf_counter()
    picked = _sample_configs(rng, 10**12, 1000)
    assert time.perf_counter() - start < 1.0
    assert len(picked) == 1000 == len(set(picked.tolist()))
    assert picked.min() >= 0 and picked.max() < 10**12
    small = _sample_configs(np.random.default_rng(0), 20, 20)  # the whole grid: a permutation
    assert sorted(small.tolist()) == list(range(20))


# -- 2. the last line of defence and --debug ---------------------------------------------------


def test_debug_shows_the_traceback_that_is_otherwise_one_line(tmp_path, capsys) -> None:
    assert main(["analyze", str(tmp_path / "nope.csv")]) == 2
    assert _one_error_line(capsys.readouterr().err).endswith("no such file or directory")
    with pytest.raises(InputError, match="no such file"):
        main(["--debug", "analyze", str(tmp_path / "nope.csv")])


def test_debug_traceback_through_the_real_command(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "lossatlas.cli", "--debug", "analyze", "nope.csv"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr and "InputError" in proc.stderr


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (PermissionError(13, "Permission denied", "/data/out/journal.sqlite"),
         ["evaluate", "/data/out/journal.sqlite", "Permission denied"]),
        (FileExistsError(17, "File exists", "/data/out"), ["/data/out", "File exists"]),
        (IsADirectoryError(21, "Is a directory", "/data/x.parquet"), ["/data/x.parquet"]),
        (OSError(28, "No space left on device", "/data/out/results.parquet"),
         ["/data/out/results.parquet", "No space left on device"]),
        (sqlite3.OperationalError("attempt to write a readonly database"),
         ["evaluate", "SQLite", "readonly database"]),
        (RuntimeError("something odd"), ["evaluate", "unexpected RuntimeError", "--debug"]),
    ],
)  # fmt: skip
def test_system_errors_become_one_line_naming_file_and_operation(
    error, words, tmp_path, monkeypatch, capsys
) -> None:
    import lossatlas.evaluate._runner as runner

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(runner, "evaluate", fail)
    code = main(["evaluate", "-m", "rf", "-d", "iris", "--out", str(tmp_path / "o"), "-q"])
    assert code == 1
    line = _one_error_line(capsys.readouterr().err)
    for word in words:
        assert word in line
    with pytest.raises(type(error)):
        main(["--debug", "evaluate", "-m", "rf", "-d", "iris", "--out", str(tmp_path / "o")])


def test_read_only_output_of_report_and_energy_explore_is_one_line(
    tmp_path, monkeypatch, capsys
) -> None:
    import lossatlas.energy as energy
    import lossatlas.viz._report as viz_report

    table = tmp_path / "t.csv"
    pd.DataFrame({"a": [0, 1, 2], "test": [0.3, 0.1, 0.2]}).to_csv(table, index=False)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "ro" / "report.html"))

    monkeypatch.setattr(viz_report, "write_report", denied)
    assert main(["report", str(table), "-o", str(tmp_path / "ro" / "report.html"), "-q"]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "report" in line and "ro/report.html" in line and "Permission denied" in line

    def readonly(*args, **kwargs):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(energy, "basin_hopping", readonly)
    db = tmp_path / "e.sqlite"
    argv = ["energy", "explore", "--db", str(db), "--potential", "muller-brown", "--steps", "2"]
    assert main([*argv, "--quiet"]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "energy explore" in line and "readonly database" in line


# -- 5. meaningless values ---------------------------------------------------------------------


@pytest.mark.parametrize("jobs", ["-5", "-1", "0"])
def test_negative_or_zero_jobs_are_refused(jobs, tmp_path, capsys) -> None:
    assert main(["evaluate", "-m", "rf", "-d", "iris", "--jobs", jobs, "-o", str(tmp_path)]) == 2
    assert f"--jobs must be at least 1, not {jobs}" in _one_error_line(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []


def test_run_refuses_negative_jobs(tmp_path, capsys) -> None:
    assert main(["run", "--jobs", "-3", "--out", str(tmp_path / "r")]) == 2
    assert "--jobs" in _one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "r").exists()


def test_a_one_class_target_is_refused(tmp_path, capsys) -> None:
    from lossatlas.evaluate import load_dataset

    data = tmp_path / "one.csv"
    pd.DataFrame({"x": np.arange(10.0), "y": ["a"] * 10}).to_csv(data, index=False)
    with pytest.raises(InputError, match="single class \\('a'\\)"):
        load_dataset(data, target="y")
    # the same column as a regression target is fine (constant, but a number)
    pd.DataFrame({"x": np.arange(10.0), "y": [1.5] * 10}).to_csv(data, index=False)
    assert load_dataset(data, target="y", task="regression").task == "regression"


def test_energy_dgraph_into_a_directory_says_what_it_wrote(tmp_path, capsys) -> None:
    from lossatlas.energy import Database, potential_spec

    db_path = tmp_path / "e.sqlite"
    with Database(db_path) as db:
        db.set_meta("potential", potential_spec("muller-brown"))
        for x, y, e in [(-0.5582, 1.4417, -146.6995), (0.6235, 0.0280, -108.1667)]:
            db.add_minimum(e, [x, y], fvib=1.0, n_positive=2, lowest_eigenvalue=1.0)
    out = tmp_path / "figs"
    out.mkdir()
    assert main(["energy", "dgraph", "--db", str(db_path), "-o", str(out)]) == 0
    said = capsys.readouterr().out
    written = [p for p in out.iterdir()]
    assert [p.name for p in written] == ["tree.png"]
    assert f"'{written[0]}'" in said
    assert not (tmp_path / "figs.png").exists()


# -- 6. how a table's columns were read --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "close"),
    [("folds", "fold"), ("tset", "test"), ("Test", "test"), ("seeds", "seed"), ("modle", "model"),
     ("max_depth", None), ("learning_rate", None), ("fold", None), ("test_auc", None)],
)  # fmt: skip
def test_close_reserved_names(name, close) -> None:
    assert close_reserved_name(name) == close


def _misspelt_table(path: Path) -> Path:
    rows = [
        {"a": a, "b": b, "folds": f, "tset": a + 0.01 * f, "test": abs(a - 1) + (b == "y")}
        for a in range(3)
        for b in ("x", "y")
        for f in range(5)
    ]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_analyze_prints_the_roles_and_warns_about_close_names(tmp_path, capsys) -> None:
    table = _misspelt_table(tmp_path / "t.csv")
    assert main(["analyze", str(table), "--format", "json"]) == 0
    err = capsys.readouterr().err
    assert "a (ordinal, 3), b (categorical, 2), folds (ordinal, 5)" in err
    assert "losses: test" in err and "replicates (averaged): -" in err
    assert (
        "column 'folds' is read as a hyperparameter; did you mean the reserved column 'fold'" in err
    )
    assert "column 'tset' is read as a hyperparameter" in err and "'test'" in err
    assert main(["analyze", str(table), "--format", "json", "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_roles_name_replicate_and_fidelity_columns(tmp_path, capsys) -> None:
    rows = [
        {"model": "m", "fidelity_fraction": q, "a": a, "fold": f, "seed": 0, "test": a + q + f}
        for q in (0.5, 1.0)
        for a in range(3)
        for f in range(2)
    ]
    table = tmp_path / "t.parquet"
    pd.DataFrame(rows).to_parquet(table)
    assert main(["compare", str(table), "-o", str(tmp_path / "c"), "--no-figures"]) == 0
    err = capsys.readouterr().err
    assert f"{table}: 2 landscapes" in err
    assert "a (ordinal, 3) -> 3 configurations" in err
    assert "replicates (averaged): fold, seed" in err and "fidelity: fidelity_fraction" in err
    assert "warning" not in err


def test_report_prints_the_roles_unless_quiet(tmp_path, capsys) -> None:
    table = _misspelt_table(tmp_path / "t.csv")
    out = tmp_path / "r.html"
    assert main(["report", str(table), "-o", str(out), "--projection", "pca", "--quiet"]) == 0
    assert "warning" not in capsys.readouterr().err
    assert out.is_file()


# -- 7. Optuna storage URLs in every table command ---------------------------------------------


@pytest.fixture(scope="module")
def optuna_db(tmp_path_factory) -> Path:
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    path = tmp_path_factory.mktemp("optuna") / "opt.db"
    study = optuna.create_study(study_name="s", storage=f"sqlite:///{path}")
    for a in (1, 2, 3):
        for b in ("x", "y"):
            trial = study.ask()
            trial.suggest_int("a", 1, 3)
            trial.suggest_categorical("b", ["x", "y"])
            study.tell(trial, float(abs(a - 2) + (b == "y")))
    return path


@pytest.mark.parametrize("command", ["analyze", "importance", "compare"])
@pytest.mark.parametrize("form", ["absolute-url", "relative-url", "file"])
def test_optuna_urls_read_the_same_in_every_command(
    command, form, optuna_db, tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(optuna_db.parent)
    source = {
        "absolute-url": f"sqlite:///{optuna_db}",  # four slashes: an absolute path
        "relative-url": f"sqlite:///{optuna_db.name}",
        "file": str(optuna_db),
    }[form]
    before = optuna_db.read_bytes()
    argv = [command, source]
    if command == "compare":
        argv += ["-o", str(tmp_path / "c"), "--no-figures", "--by", "model", "--quiet"]
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "error" not in captured.err
    assert optuna_db.read_bytes() == before


def test_a_missing_optuna_file_is_never_created(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    for command in ("analyze", "importance", "compare", "report"):
        assert main([command, "sqlite:///nothere.db"]) == 2
        assert "nothere.db" in _one_error_line(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []
