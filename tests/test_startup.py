"""A quick start: the CLI module imports none of the heavy dependencies; --version/--help work
without building every command (start-up times are measured in benchmarks/bench_analysis.py)."""

from __future__ import annotations

import json
import subprocess
import sys

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
