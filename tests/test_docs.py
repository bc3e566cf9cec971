"""The user guide's code blocks run, in order, and the metric reference is up to date."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def guide_blocks() -> list[str]:
    return BLOCK.findall((DOCS / "guide.md").read_text(encoding="utf-8"))


def test_guide_has_the_three_walks():
    text = (DOCS / "guide.md").read_text(encoding="utf-8")
    for heading in ("a profile, a comparison and a report", "A study", "C(T)", "Choosing epsilon"):
        assert heading in text
    assert len(guide_blocks()) >= 8


def test_guide_code_blocks_run(tmp_path, monkeypatch):
    pytest.importorskip("plotly")
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "guide"}
    printed = []
    for n, block in enumerate(guide_blocks()):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, f"docs/guide.md block {n}", "exec"), namespace)  # noqa: S102
        printed.append(out.getvalue())
    text = "".join(printed)
    assert "False" not in text, text  # every check the guide prints holds
    assert (tmp_path / "report.html").is_file() and (tmp_path / "out" / "study.html").is_file()
    assert (tmp_path / "dgraph.png").is_file()


def test_metric_reference_is_generated_from_the_code():
    done = subprocess.run(
        [sys.executable, str(DOCS / "make_metrics.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    from lossatlas.analysis import list_metrics

    text = (DOCS / "metrics.md").read_text(encoding="utf-8")
    registry = list_metrics()
    keys = registry["name"] if hasattr(registry, "columns") else list(registry)
    assert len(keys) > 20
    for key in keys:
        assert f"| `{key}` |" in text
