"""The bad-input suite: every command, fed what a careful user might get wrong.

Each case runs the CLI on a fresh copy of one tree of small files (tables, grids, datasets,
journals, energy and Optuna databases, study files) and asserts: a non-zero exit, exactly one
``error:`` line on stderr that names the problem, no traceback and no "unexpected" (bug) line,
and every file of the tree unchanged: byte for byte, SQLite files row for row, none added and
none removed. Most cases run in-process (``lossatlas.cli.main``) for speed; a handful run as a
subprocess to check the real exit code and stderr.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lossatlas.cli import main

SQLITE_MAGIC = b"SQLite format 3\x00"


# ---------------------------------------------------------------------------------------- assets


def _table() -> pd.DataFrame:
    rows = [
        {"a": a, "b": b, "test": abs(a - 1) + (b == "y") + 0.1 * a}
        for a in range(3)
        for b in ("x", "y")
    ]
    return pd.DataFrame(rows)


def _write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def _foreign_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE trials (id INTEGER, value REAL)")
    conn.execute("INSERT INTO trials VALUES (1, 0.5)")
    conn.commit()
    conn.close()


def _tables(root: Path) -> None:
    good = _table()
    good.to_csv(root / "good.csv", index=False)
    good.to_parquet(root / "good.parquet")
    _write(root / "notes.txt", "not a table\n")
    _write(root / "empty.csv", "")
    _write(root / "header.csv", "a,b,test\n")
    _write(root / "noloss.csv", "a,b,c\n0,x,1\n1,y,2\n")
    _write(root / "strloss.csv", "a,test\n0,low\n1,high\n2,mid\n")
    _write(root / "nanloss.csv", "a,test\n0,0.5\n1,\n2,0.2\n")
    _write(root / "corrupt.parquet", b"PAR1" + bytes(range(256)) * 4)
    table = pa.Table.from_pandas(good, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[b"lossatlas.space"] = b"{not json"
    pq.write_table(table.replace_schema_metadata(meta), root / "badmeta.parquet")
    meta = dict(table.schema.metadata or {})
    meta[b"lossatlas.space"] = b"[1, 2]"
    pq.write_table(table.replace_schema_metadata(meta), root / "listmeta.parquet")
    pandas_meta = json.loads(table.schema.metadata[b"pandas"])
    del pandas_meta["columns"]
    meta = dict(table.schema.metadata)
    meta[b"pandas"] = json.dumps(pandas_meta).encode()
    pq.write_table(table.replace_schema_metadata(meta), root / "badpandas.parquet")
    (root / "emptydir").mkdir()
    _write(root / "afile", "a plain file in the way\n")


_GRIDS = {
    "broken.yaml": "grid: {max_depth: [1, 2\n  min_samples_leaf: : ]\n",
    "unknown.yaml": "model: rf\ngrids: {max_depth: [1, 2]}\n",
    "reserved.yaml": "model: rf\ngrid: {fold: [1, 2], max_depth: [1, 2]}\n",
    "onevalue.yaml": "model: rf\ngrid: {max_depth: [3]}\n",
    "huge.yaml": "model: rf\ngrid:\n"
    + "".join(f"  p{i}: {{range: [0, 10, 1]}}\n" for i in range(12)),
    "estimator.yaml": "estimator: os.system\ngrid: {x: [1, 2]}\n",
    "grid.txt": "grid: {max_depth: [1, 2]}\n",
    "broken.toml": "model = 'rf'\n[grid\nmax_depth = [1, 2]\n",
    "pytag.yaml": "model: rf\ngrid: !!python/object/apply:os.system ['echo hi']\n",
    "tiny.yaml": "model: rf\nparams: {n_estimators: 2}\n"
    "grid: {max_depth: [1, 2, 3, 4], min_samples_leaf: [1, 2, 3, 4]}\n",
    "nomodel.yaml": "grid: {max_depth: [1, 2]}\n",
    "notmapping.yaml": "- 1\n- 2\n",
    "clash.yaml": "model: rf\nparams: {max_depth: 3}\ngrid: {max_depth: [1, 2]}\n",
}


def _grids(root: Path) -> None:
    for name, text in _GRIDS.items():
        _write(root / "grids" / name, text)
    _write(root / "grids" / "bin.yaml", bytes(range(256)) * 2)


def _data(root: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=12)
    (root / "data").mkdir()
    pd.DataFrame({"x": x, "y": np.zeros(12, dtype=int)}).to_csv(
        root / "data" / "onecls.csv", index=False
    )
    pd.DataFrame({"x": ["a", "b"] * 6, "y": [0, 1] * 6}).to_csv(
        root / "data" / "strfeat.csv", index=False
    )
    pd.DataFrame({"x": x, "y": [0, 1] * 6}).to_csv(root / "data" / "ok.csv", index=False)
    pd.DataFrame({"x": x, "y": [0, 1] * 5 + [None, None]}).to_csv(
        root / "data" / "nantarget.csv", index=False
    )


def _evaluation(root: Path) -> None:
    from lossatlas.evaluate import Evaluation, evaluate, get_model, load_dataset
    from lossatlas.space import SearchSpace

    rf = get_model("rf")
    study = Evaluation(
        model=rf,
        dataset=load_dataset("iris"),
        space=SearchSpace.from_dict({"max_depth": [1, 2]}),
        folds=2,
        params={"n_estimators": 2},
    )
    evaluate(study, root / "eval")
    (root / "journalonly").mkdir()
    shutil.copy(root / "eval" / "journal.sqlite", root / "journalonly" / "journal.sqlite")
    (root / "foreignjournal").mkdir()
    _foreign_db(root / "foreignjournal" / "journal.sqlite")
    _write(root / "textjournal" / "journal.sqlite", "this is not a database\n")
    _write(root / "emptyjournal" / "journal.sqlite", b"")


def _databases(root: Path) -> None:
    from lossatlas.energy import Database, potential_spec

    _foreign_db(root / "foreign.db")
    _write(root / "empty.db", b"")
    with Database(root / "energy.sqlite") as db:
        db.set_meta("potential", potential_spec("muller-brown"))
        for x, y, e in [(-0.5582, 1.4417, -146.6995), (0.6235, 0.0280, -108.1667)]:
            db.add_minimum(e, [x, y], fvib=1.0, n_positive=2, lowest_eigenvalue=1.0)
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        study_name="s", storage=f"sqlite:///{root / 'optuna.db'}", direction="minimize"
    )
    for depth in (1, 2, 3):
        trial = study.ask()
        trial.suggest_int("depth", 1, 3)
        study.tell(trial, float(depth))


_STUDIES = {
    "broken.yaml": "models: [rf\ndatasets: iris\n",
    "unknown.yaml": "models: [rf]\ndatasets: [iris]\nfoldz: 3\n",
    "huge.yaml": "models:\n  - model: rf\n    grid:\n"
    + "".join(f"      p{i}: {{range: [0, 10, 1]}}\n" for i in range(12))
    + "datasets: [iris]\n",
    "unknownmodel.yaml": "models: [nosuchmodel]\ndatasets: [iris]\n",
    "unknowndata.yaml": "models: [rf]\ndatasets: [nosuchdata]\n",
    "ok.yaml": "models: [{model: rf, grid: {max_depth: [1, 2]}}]\ndatasets: [iris]\nfolds: 2\n",
}


def _studies(root: Path) -> None:
    for name, text in _STUDIES.items():
        _write(root / "studies" / name, text)


@pytest.fixture(scope="module")
def assets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("assets")
    for build in (_tables, _grids, _data, _evaluation, _databases, _studies):
        build(root)
    return root


# ------------------------------------------------------------------------------------- snapshot


def _sqlite_rows(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        ]
        rows = {n: sorted(map(repr, conn.execute(f'SELECT * FROM "{n}"'))) for n in names}
        rows["__pragma__"] = [
            conn.execute("PRAGMA application_id").fetchone(),
            conn.execute("PRAGMA user_version").fetchone(),
        ]
        return rows
    finally:
        conn.close()


def _snapshot(root: Path) -> dict[str, object]:
    """Every file under root: SQLite files by rows, others by digest (WAL side files aside)."""
    state: dict[str, object] = {}
    for path in sorted(root.rglob("*")):
        if path.name.endswith(("-wal", "-shm", "-journal")):
            continue
        rel = str(path.relative_to(root))
        if path.is_dir():
            state[rel] = "dir"
            continue
        data = path.read_bytes()
        if data.startswith(SQLITE_MAGIC):
            state[rel] = ("sqlite", _sqlite_rows(path))
        else:
            state[rel] = hashlib.sha256(data).hexdigest()
    return state


# ---------------------------------------------------------------------------------------- cases

# (id, argv, substrings the error line must contain, case-insensitively)
CASES: list[tuple[str, list[str], list[str]]] = [
    # tables
    ("table-missing", ["analyze", "nope.csv"], ["nope.csv", "no such file"]),
    ("table-suffix", ["analyze", "notes.txt"], ["notes.txt", "unsupported file type"]),
    ("table-empty-file", ["analyze", "empty.csv"], ["empty.csv"]),
    ("table-header-only", ["analyze", "header.csv"], ["header.csv", "empty"]),
    ("table-no-loss", ["analyze", "noloss.csv"], ["noloss.csv", "loss"]),
    ("table-text-loss", ["analyze", "strloss.csv"], ["strloss.csv", "test"]),
    ("table-nan-loss", ["analyze", "nanloss.csv"], ["nanloss.csv"]),
    ("table-corrupt-parquet", ["analyze", "corrupt.parquet"], ["corrupt.parquet", "parquet"]),
    ("table-space-not-json", ["analyze", "badmeta.parquet"], ["badmeta.parquet", "json"]),
    ("table-space-not-mapping", ["analyze", "listmeta.parquet"], ["listmeta.parquet", "mapping"]),
    ("table-pandas-meta", ["analyze", "badpandas.parquet"], ["badpandas.parquet", "columns"]),
    ("table-unknown-loss", ["analyze", "good.csv", "--loss", "nope"], ["nope"]),
    ("table-empty-dir", ["analyze", "emptydir"], ["emptydir"]),
    ("table-importance-missing", ["importance", "nope.parquet"], ["nope.parquet"]),
    ("table-importance-space", ["importance", "badmeta.parquet"], ["badmeta.parquet", "json"]),
    ("table-compare-pandas", ["compare", "badpandas.parquet"], ["badpandas.parquet"]),
    ("table-report-corrupt", ["report", "corrupt.parquet"], ["corrupt.parquet"]),
    # output paths
    ("out-report-under-file", ["report", "good.csv", "-o", "afile/r.html"], ["afile"]),
    ("out-report-is-dir", ["report", "good.csv", "-o", "emptydir"], ["emptydir"]),
    ("out-export-under-file", ["export", "eval", "-o", "afile/t.parquet"], ["afile"]),
    ("out-export-suffix", ["export", "eval", "-o", "t.txt"], ["t.txt", "unsupported"]),
    ("out-evaluate-is-file", ["evaluate", "-m", "rf", "-d", "iris", "--out", "afile"], ["afile"]),
    (
        "out-evaluate-under-file",
        ["evaluate", "-m", "rf", "-d", "iris", "--out", "afile/run"],
        ["afile"],
    ),
    ("out-compare-under-file", ["compare", "good.csv", "-o", "afile/cmp"], ["afile"]),
    # grids
    ("grid-missing", ["evaluate", "-m", "rf", "-d", "iris", "--grid", "nope.yaml"], ["nope.yaml"]),
    ("grid-binary", ["evaluate", "-d", "iris", "--grid", "grids/bin.yaml"], ["bin.yaml", "text"]),
    ("grid-broken-yaml", ["evaluate", "-d", "iris", "--grid", "grids/broken.yaml"], ["broken"]),
    ("grid-unknown-key", ["evaluate", "-d", "iris", "--grid", "grids/unknown.yaml"], ["grids"]),
    ("grid-reserved", ["evaluate", "-d", "iris", "--grid", "grids/reserved.yaml"], ["fold"]),
    ("grid-one-value", ["evaluate", "-d", "iris", "--grid", "grids/onevalue.yaml"], ["max_depth"]),
    (
        "grid-huge",
        ["evaluate", "-d", "iris", "--grid", "grids/huge.yaml"],
        ["1,000,000,000,000 configurations", "--sample"],
    ),
    (
        "grid-max-configs",
        ["evaluate", "-d", "iris", "--grid", "grids/tiny.yaml", "--max-configs", "10"],
        ["16 configurations", "10"],
    ),
    ("grid-estimator", ["evaluate", "-d", "iris", "--grid", "grids/estimator.yaml"], ["os.system"]),
    ("grid-suffix", ["evaluate", "-m", "rf", "-d", "iris", "--grid", "grids/grid.txt"], [".txt"]),
    ("grid-broken-toml", ["evaluate", "-d", "iris", "--grid", "grids/broken.toml"], ["toml"]),
    ("grid-python-tag", ["evaluate", "-d", "iris", "--grid", "grids/pytag.yaml"], ["pytag.yaml"]),
    ("grid-no-model", ["evaluate", "-d", "iris", "--grid", "grids/nomodel.yaml"], ["--model"]),
    ("grid-not-mapping", ["evaluate", "-d", "iris", "--grid", "grids/notmapping.yaml"], ["grid"]),
    ("grid-clash", ["evaluate", "-d", "iris", "--grid", "grids/clash.yaml"], ["max_depth"]),
    (
        "grid-model-mismatch",
        ["evaluate", "-m", "knn", "-d", "iris", "--grid", "grids/tiny.yaml"],
        ["rf", "knn"],
    ),
    (
        "grid-unknown-name",
        ["evaluate", "-m", "rf", "-d", "iris", "--grid", "enormous"],
        ["enormous"],
    ),
    # datasets
    ("data-unknown", ["evaluate", "-m", "rf", "-d", "nosuchdata"], ["nosuchdata"]),
    (
        "data-option-not-number",
        ["evaluate", "-m", "rf", "-d", "make_classification:n_samples=abc"],
        ["n_samples=abc"],
    ),
    (
        "data-option-refused",
        ["evaluate", "-m", "rf", "-d", "make_classification:n_features=3,n_informative=9"],
        ["make_classification"],
    ),
    ("data-option-syntax", ["evaluate", "-m", "rf", "-d", "make_classification:abc"], ["abc"]),
    ("data-no-options", ["evaluate", "-m", "rf", "-d", "iris:foo=1"], ["iris", "options"]),
    ("data-file-no-target", ["evaluate", "-m", "rf", "-d", "data/ok.csv"], ["ok.csv", "target"]),
    (
        "data-file-bad-target",
        ["evaluate", "-m", "rf", "-d", "data/ok.csv", "--target", "z"],
        ["ok.csv", "'z'"],
    ),
    (
        "data-one-class",
        ["evaluate", "-m", "rf", "-d", "data/onecls.csv", "--target", "y"],
        ["onecls.csv", "single class"],
    ),
    (
        "data-text-feature",
        ["evaluate", "-m", "rf", "-d", "data/strfeat.csv", "--target", "y"],
        ["strfeat.csv", "'x'"],
    ),
    (
        "data-nan-target",
        ["evaluate", "-m", "rf", "-d", "data/nantarget.csv", "--target", "y"],
        ["nantarget.csv", "nan"],
    ),
    ("data-openml-id", ["evaluate", "-m", "rf", "-d", "openml:abc"], ["openml:abc"]),
    ("data-task", ["evaluate", "-m", "rf", "-d", "iris", "--task", "banana"], ["banana"]),
    ("data-missing-option", ["evaluate", "-m", "rf"], ["--dataset"]),
    # models
    ("model-unknown", ["evaluate", "-m", "nosuchmodel", "-d", "iris"], ["nosuchmodel"]),
    ("model-missing", ["evaluate", "-d", "iris"], ["--model"]),
    # option abuse
    ("opt-jobs-negative", ["evaluate", "-m", "rf", "-d", "iris", "--jobs", "-5"], ["--jobs", "-5"]),
    ("opt-jobs-zero", ["evaluate", "-m", "rf", "-d", "iris", "--jobs", "0"], ["--jobs"]),
    ("opt-jobs-text", ["evaluate", "-m", "rf", "-d", "iris", "--jobs", "many"], ["--jobs"]),
    ("opt-folds", ["evaluate", "-m", "rf", "-d", "iris", "--folds", "1"], ["folds"]),
    ("opt-sample", ["evaluate", "-m", "rf", "-d", "iris", "--sample", "0"], ["--sample"]),
    ("opt-max-configs", ["evaluate", "-m", "rf", "-d", "iris", "--max-configs", "0"], ["0"]),
    ("opt-test-size", ["evaluate", "-m", "rf", "-d", "iris", "--test-size", "1.5"], ["1.5"]),
    (
        "opt-fidelity-typo",
        ["evaluate", "-m", "rf", "-d", "iris", "--fidelity", "fractoin=0.25,1"],
        ["unknown fidelity 'fractoin' (known:"],
    ),
    (
        "opt-fidelity-value",
        ["evaluate", "-m", "rf", "-d", "iris", "--fidelity", "fraction=abc"],
        ["'abc'"],
    ),
    (
        "opt-fidelity-range",
        ["evaluate", "-m", "rf", "-d", "iris", "--fidelity", "fraction=2"],
        ["fraction"],
    ),
    ("opt-fidelity-syntax", ["evaluate", "-m", "rf", "-d", "iris", "--fidelity", "x"], ["NAME="]),
    ("opt-radius", ["analyze", "good.csv", "--radius", "0"], ["--radius"]),
    ("opt-format", ["analyze", "good.csv", "--format", "xml"], ["xml"]),
    ("opt-on-invalid", ["analyze", "good.csv", "--on-invalid", "maybe"], ["maybe"]),
    ("opt-compare-by", ["compare", "good.csv", "--by", "colour"], ["colour"]),
    ("opt-unknown-option", ["analyze", "good.csv", "--bogus"], ["--bogus"]),
    ("opt-unknown-command", ["frobnicate"], ["frobnicate"]),
    ("opt-importance-order", ["importance", "good.csv", "--order", "0"], ["order"]),
    # journals
    (
        "journal-foreign-evaluate",
        ["evaluate", "-m", "rf", "-d", "iris", "--out", "foreignjournal"],
        ["foreignjournal", "not a lossatlas journal"],
    ),  # fmt: skip
    (
        "journal-text-evaluate",
        ["evaluate", "-m", "rf", "-d", "iris", "--out", "textjournal"],
        ["textjournal"],
    ),  # fmt: skip
    (
        "journal-empty-evaluate",
        ["evaluate", "-m", "rf", "-d", "iris", "--out", "emptyjournal"],
        ["emptyjournal"],
    ),  # fmt: skip
    ("journal-foreign-export", ["export", "foreignjournal"], ["foreignjournal", "journal"]),
    ("journal-empty-export", ["export", "emptyjournal"], ["emptyjournal", "journal"]),
    ("journal-text-export", ["export", "textjournal"], ["textjournal"]),
    ("journal-missing-export", ["export", "emptydir"], ["emptydir", "no journal"]),
    ("journal-foreign-analyze", ["analyze", "foreignjournal"], ["foreignjournal"]),
    ("journal-empty-analyze", ["analyze", "emptyjournal"], ["emptyjournal"]),
    ("journal-export-study", ["export", "eval", "--study", "nostudy"], ["nostudy"]),
    # Optuna URLs and SQLite files
    ("optuna-missing-analyze", ["analyze", "sqlite:///missing.db"], ["missing.db"]),
    ("optuna-missing-report", ["report", "sqlite:///missing.db"], ["missing.db"]),
    ("optuna-missing-importance", ["importance", "sqlite:///missing.db"], ["missing.db"]),
    ("optuna-missing-compare", ["compare", "sqlite:///missing.db"], ["missing.db"]),
    ("optuna-foreign-report", ["report", "sqlite:///foreign.db"], ["foreign.db"]),
    ("optuna-foreign-analyze", ["analyze", "sqlite:///foreign.db"], ["foreign.db"]),
    ("optuna-energy-report", ["report", "sqlite:///energy.sqlite"], ["energy.sqlite"]),
    ("optuna-energy-importance", ["importance", "sqlite:///energy.sqlite"], ["energy.sqlite"]),
    ("optuna-empty-compare", ["compare", "sqlite:///empty.db"], ["empty.db"]),
    ("optuna-foreign-file", ["analyze", "foreign.db"], ["foreign.db"]),
    ("optuna-bad-scheme", ["analyze", "nosuchdb://x/y"], ["nosuchdb://x/y"]),
    # energy commands
    ("energy-dgraph-missing", ["energy", "dgraph", "--db", "missing.sqlite"], ["missing.sqlite"]),
    ("energy-dgraph-foreign", ["energy", "dgraph", "--db", "foreign.db"], ["foreign.db"]),
    ("energy-cv-empty", ["energy", "cv", "--db", "empty.db"], ["empty.db"]),
    ("energy-connect-foreign", ["energy", "connect", "--db", "foreign.db"], ["foreign.db"]),
    ("energy-summary-text", ["energy", "summary", "--db", "notes.txt"], ["notes.txt"]),
    (
        "energy-explore-foreign",
        ["energy", "explore", "--db", "foreign.db", "--steps", "2"],
        ["foreign.db"],
    ),  # fmt: skip
    (
        "energy-explore-optuna",
        ["energy", "explore", "--db", "optuna.db", "--steps", "2"],
        ["optuna.db"],
    ),  # fmt: skip
    (
        "energy-explore-journal",
        ["energy", "explore", "--db", "eval/journal.sqlite", "--steps", "2"],
        ["journal.sqlite"],
    ),  # fmt: skip
    (
        "energy-explore-potential",
        ["energy", "explore", "--db", "new.sqlite", "--potential", "nope"],
        ["nope"],
    ),  # fmt: skip
    (
        "energy-explore-chains",
        ["energy", "explore", "--db", "new.sqlite", "--chains", "0"],
        ["--chains"],
    ),  # fmt: skip
    (
        "energy-dgraph-levels",
        ["energy", "dgraph", "--db", "energy.sqlite", "--levels", "0"],
        ["--levels"],
    ),  # fmt: skip
    (
        "energy-dgraph-under-file",
        ["energy", "dgraph", "--db", "energy.sqlite", "-o", "afile/t.png"],
        ["afile"],
    ),  # fmt: skip
    ("energy-cv-optuna", ["energy", "cv", "--db", "optuna.db"], ["optuna.db"]),
    # study files
    ("study-missing", ["study", "nope.yaml"], ["nope.yaml"]),
    ("study-broken", ["study", "studies/broken.yaml"], ["broken.yaml"]),
    ("study-unknown-key", ["study", "studies/unknown.yaml"], ["foldz"]),
    ("study-huge-grid", ["study", "studies/huge.yaml"], ["configurations"]),
    ("study-unknown-model", ["study", "studies/unknownmodel.yaml"], ["nosuchmodel"]),
    ("study-unknown-data", ["study", "studies/unknowndata.yaml"], ["nosuchdata"]),
    ("study-jobs", ["study", "studies/ok.yaml", "--jobs", "-2"], ["--jobs"]),
    ("study-out-file", ["study", "studies/ok.yaml", "--out", "afile"], ["afile"]),
    ("study-grid-as-study", ["study", "grids/bin.yaml"], ["bin.yaml"]),
]


def _check(code: int, err: str, expected: list[str]) -> None:
    assert code != 0, err
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    assert len([line for line in err.splitlines() if line.strip()]) == 1, err
    assert "unexpected" not in lines[0] and "a bug" not in lines[0], lines[0]
    for text in expected:
        assert text.lower() in lines[0].lower(), (text, lines[0])


@pytest.mark.parametrize(("argv", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_gives_one_line_and_changes_nothing(
    argv: list[str],
    expected: list[str],
    assets: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = tmp_path / "case"
    shutil.copytree(assets, root)
    monkeypatch.chdir(root)
    before = _snapshot(root)
    code = main([*argv, "--quiet"] if _takes_quiet(argv) else argv)
    captured = capsys.readouterr()
    _check(code, captured.err, expected)
    assert "Traceback" not in captured.out
    assert _snapshot(root) == before


def _takes_quiet(argv: list[str]) -> bool:
    return argv[:1] in (["evaluate"], ["study"]) or argv[:2] == ["energy", "explore"]


def test_the_suite_is_broad() -> None:
    families = {case[0].split("-")[0] for case in CASES}
    assert len(CASES) >= 60
    assert {"table", "grid", "data", "model", "journal", "optuna", "energy", "study", "opt"} <= (
        families
    )


SUBPROCESS_CASES = ["grid-huge", "journal-foreign-export", "opt-jobs-negative", "table-missing"]


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_real_exit_code_and_stderr(name: str, assets: Path, tmp_path: Path) -> None:
    argv, expected = next(c[1:] for c in CASES if c[0] == name)
    root = tmp_path / "case"
    shutil.copytree(assets, root)
    before = _snapshot(root)
    proc = subprocess.run(
        [sys.executable, "-m", "lossatlas.cli", *argv],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    _check(proc.returncode, proc.stderr, expected)
    assert proc.returncode == 2
    assert _snapshot(root) == before
