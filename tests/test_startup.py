"""A quick start: the CLI module imports none of the heavy dependencies; --version/--help work
without building every command (start-up times are measured in benchmarks/bench_analysis.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lossatlas import __version__
from lossatlas.cli import app, main

HEAVY = ["sklearn", "scipy.stats", "matplotlib", "torch"]


@pytest.mark.parametrize("module", ["lossatlas.cli", "lossatlas.analysis", "lossatlas.io"])
def test_importing_imports_no_heavy_dependency(module):
    # what `lossatlas analyze` loads: one rank correlation must not pull in scipy.stats
    code = (
        f"import json, sys, {module}; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(out.stdout) == []


def test_version_fast_path(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"lossatlas {__version__}"


@pytest.mark.parametrize("args", [["--help"], []])
def test_top_level_help_lists_every_command_with_its_summary(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    out = captured.out + captured.err  # no arguments: the help is a usage error on stderr
    assert code in (0, 2) and "Usage:" in out and "--version" in out
    names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
    assert len(names) >= 9
    for name in names:
        assert f" {name} " in out  # (no arguments: one usage line on stderr)
    analyze = next(c for c in app.registered_commands if c.name == "analyze")
    assert analyze.callback.__doc__.split()[0] in out.split("analyze", 1)[1]


def test_command_help_still_shows_the_commands_options(capsys):
    assert main(["analyze", "--help"]) == 0
    assert "--format" in capsys.readouterr().out


def test_analyze_of_a_written_full_grid_imports_neither_pandas_nor_scipy(tmp_path):
    # the quick start of `lossatlas analyze` (timed in benchmarks/bench_analysis.py)
    import numpy as np

    from lossatlas.io import write_landscape
    from lossatlas.landscape import Landscape
    from lossatlas.space import SearchSpace

    space = SearchSpace.from_dict({"a": [0, 1, 2], "b": [0.5, 1.5], "c": [1, 2, 3]})
    rng = np.random.default_rng(0)
    path = tmp_path / "grid.parquet"
    write_landscape(Landscape.from_array(space, rng.random(space.size)), path)
    code = (
        "import json, sys; from lossatlas.cli import main; "
        f"code = main(['analyze', '-q', {str(path)!r}]); "
        "print(json.dumps([code] + [m for m in ('pandas', 'scipy', 'rich') if m in sys.modules]), "
        "file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(out.stderr.strip().splitlines()[-1]) == [0]
    assert "n_local_optima" in out.stdout


@pytest.mark.parametrize(
    ("annotation", "values"),
    [
        (int, ["0", "7", "-3", "20", "1000000", "12345678901234567890", 5, -1]),
        (float, ["0", "0.01", "-2.5", "1e-3", "3E+2", "10", 0.5, -0.0]),
        (str, ["", "a", "x,y", "sqlite:///s.db"]),
        (bool, [True, False]),
        (list[str], [(), ("a",), ["a", "b"]]),
        (int | None, [None, "3", 4]),
        (float | None, [None, "1e-3", 0.25]),
        (str | None, [None, "iris"]),
        (Path, ["landscape.sqlite", "/tmp/x/y.sqlite", Path("a.sqlite")]),
    ],
)
def test_quick_coercion_is_pydantics(annotation, values):
    # the plain coercion of lossatlas._cli_coercion gives what typer's adapter gives
    from typer._adapters import build_adapter
    from typer.models import OptionInfo

    from lossatlas._cli_coercion import MISS, quick_coercer

    adapter = build_adapter(annotation, OptionInfo())
    quick = quick_coercer(annotation)
    for value in values:
        got = quick(value)
        assert got is not MISS, value
        expected = adapter.validate_python(value)
        assert got == expected and type(got) is type(expected), value


@pytest.mark.parametrize(
    ("annotation", "value"),
    [
        (int, "abc"),
        (int, "1.5"),
        (int, "+3"),
        (int, "007"),
        (int, True),
        (float, "inf"),
        (float, "nan"),
        (float, ".5"),
        (float, 1),
        (float, "1e999"),
        (str, b"x"),
        (bool, "yes"),
    ],
)
def test_other_spellings_are_left_to_typer(annotation, value):
    from lossatlas._cli_coercion import MISS, quick_coercer

    assert quick_coercer(annotation)(value) is MISS


def test_a_path_with_constraints_is_left_to_typer(tmp_path, capsys):
    # --pairs FILE must exist: its check stays typer's, with typer's message
    code = main(
        [
            "energy",
            "connect",
            "--db",
            str(tmp_path / "x.sqlite"),
            "--strategy",
            "pairs",
            "--pairs",
            str(tmp_path / "missing.txt"),
        ]
    )
    assert code == 2


def test_a_bad_number_still_gets_typers_message(capsys):
    assert main(["analyze", "--example", "--walks", "abc"]) == 2
    assert "--walks" in capsys.readouterr().err


def test_python_dash_m_lossatlas_runs_the_cli():
    done = subprocess.run(
        [sys.executable, "-m", "lossatlas", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip() == f"lossatlas {__version__}"
