"""The report in a real headless Chromium: it loads without console errors and draws the map.

Skipped only when no Chromium binary is found (CI installs Debian's ``chromium``). The
screenshot is kept as a test artefact: its path is printed, and it is also copied into
``$LOSSATLAS_TEST_ARTIFACTS`` when that variable names a directory.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from lossatlas.viz._report import write_report

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
# Chromium prints page console messages as "INFO:CONSOLE(...)" lines on stderr; these mark an
# error rather than a browser notice (WebGL driver performance hints and the like).
CONSOLE_ERROR = re.compile(
    r"CONSOLE.*(Uncaught|Error:|TypeError|ReferenceError|SyntaxError|RangeError|"
    r"Failed to load resource|is not defined)"
)


def _chromium() -> str | None:
    explicit = os.environ.get("LOSSATLAS_CHROMIUM")
    if explicit:
        return explicit
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def _load(binary: str, page: Path, tmp_path: Path, *, screenshot: Path | None = None):
    """Open ``page`` headless, let its scripts run, return the DOM (stdout) and logs (stderr)."""
    cmd = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--enable-unsafe-swiftshader",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=20000",
        "--window-size=1400,2400",
        "--dump-dom",
        page.resolve().as_uri(),
    ]
    if screenshot is not None:
        cmd.insert(-2, f"--screenshot={screenshot}")
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.browser
def test_console_errors_are_detected(tmp_path):
    """The check below can fail: a page with an uncaught error is caught by it."""
    binary = _chromium()
    if binary is None:
        pytest.skip("no chromium binary found (apt-get install chromium)")
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><html><body><p>x</p><script>notAFunction();</script></body></html>",
        encoding="utf-8",
    )
    done = _load(binary, page, tmp_path)
    assert any(CONSOLE_ERROR.search(line) for line in done.stderr.splitlines()), done.stderr[-2000:]


@pytest.mark.browser
@pytest.mark.slow
def test_report_renders_in_headless_chromium(tmp_path, bowl_landscape):
    pytest.importorskip("plotly")
    binary = _chromium()
    if binary is None:
        pytest.skip("no chromium binary found (apt-get install chromium)")
    report = write_report(bowl_landscape, tmp_path / "report.html", projection="pca")
    n_figures = len(re.findall(r"class='lossatlas-figure'", report.read_text(encoding="utf-8")))
    screenshot = tmp_path / "report.png"
    done = _load(binary, report, tmp_path, screenshot=screenshot)
    dom = done.stdout
    assert done.returncode == 0, done.stderr[-2000:]
    console_errors = [line for line in done.stderr.splitlines() if CONSOLE_ERROR.search(line)]
    assert console_errors == []
    # the page's own hook records uncaught errors, rejected promises and console.error calls
    html_tag = re.search(r"<html[^>]*>", dom).group(0)
    assert "data-js-errors" not in html_tag, html_tag
    assert re.search(r'<p id="lossatlas-errors" hidden="?"?>', dom)
    assert f'data-plots-rendered="{n_figures}"' in dom
    # the map (first figure) was drawn by plotly: an SVG with a scatter layer of points
    start = dom.index('id="fig-0"')
    map_html = dom[start : dom.index("</figure>", start)]
    assert "main-svg" in map_html and "scatterlayer" in map_html
    assert len(re.findall(r'<path class="point[ "]', map_html)) >= bowl_landscape.n
    assert screenshot.is_file() and screenshot.stat().st_size > 10_000
    keep = os.environ.get("LOSSATLAS_TEST_ARTIFACTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        screenshot = Path(shutil.copy(screenshot, Path(keep) / "report_chromium.png"))
    print(f"report screenshot: {screenshot}")


@pytest.mark.browser
def test_study_report_renders_in_headless_chromium(tmp_path, study_dir):
    """The study report of a small study draws every figure, with data, without errors."""
    pytest.importorskip("plotly")
    binary = _chromium()
    if binary is None:
        pytest.skip("no chromium binary found (apt-get install chromium)")
    from .conftest import figure_specs

    page = study_dir / "study.html"
    specs = figure_specs(page.read_text(encoding="utf-8"))
    assert {key.split(":")[0] for key in specs} == {
        "metric",
        "similarity",
        "importance",
        "gap",
        "map",
    }
    assert all(any(trace.get("x") or trace.get("y") for trace in s["data"]) for s in specs.values())
    screenshot = tmp_path / "study.png"
    done = _load(binary, page, tmp_path, screenshot=screenshot)
    dom = done.stdout
    assert done.returncode == 0, done.stderr[-2000:]
    assert [line for line in done.stderr.splitlines() if CONSOLE_ERROR.search(line)] == []
    assert "data-js-errors" not in re.search(r"<html[^>]*>", dom).group(0)
    assert f'data-plots-rendered="{len(specs)}"' in dom
    # each figure was drawn by plotly: its own SVG, with the boxes, bars or points of its data
    for n in range(len(specs)):
        start = dom.index(f'id="fig-{n}"')
        drawn = dom[start : dom.index("</figure>", start)]
        assert "main-svg" in drawn, n
        assert re.search(r'class="(point|box|bars|trace bars|boxlayer)', drawn) or (
            'class="point' in drawn
        ), n
    keep = os.environ.get("LOSSATLAS_TEST_ARTIFACTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        screenshot = Path(shutil.copy(screenshot, Path(keep) / "study_chromium.png"))
    print(f"study report screenshot: {screenshot}")


@pytest.mark.browser
def test_landscape_pages_draw_with_the_shared_plotly_script(tmp_path, study_dir):
    """A study's landscape page loads plotly.js from the file beside it and draws every
    figure; moved away from that file, it says so in its error banner."""
    pytest.importorskip("plotly")
    binary = _chromium()
    if binary is None:
        pytest.skip("no chromium binary found (apt-get install chromium)")
    page = sorted((study_dir / "landscapes").glob("*.html"))[0]
    text = page.read_text(encoding="utf-8")
    n_figures = text.count("class='lossatlas-figure'")
    done = _load(binary, page, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "data-js-errors" not in re.search(r"<html[^>]*>", done.stdout).group(0)
    assert f'data-plots-rendered="{n_figures}"' in done.stdout
    alone = tmp_path / "alone" / page.name
    alone.parent.mkdir()
    alone.write_text(text, encoding="utf-8")
    done = _load(binary, alone, tmp_path)
    assert "data-js-errors" in re.search(r"<html[^>]*>", done.stdout).group(0)
    assert "not found: keep it next to this page" in done.stdout
