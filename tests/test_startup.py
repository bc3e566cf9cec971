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
