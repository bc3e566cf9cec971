"""The study report of a small study: every figure present with data, progress, CLI."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from lossatlas.errors import InputError

from .conftest import figure_specs

pytest.importorskip("plotly")


def test_study_report_has_every_figure_with_data(study_dir):
    page = (study_dir / "study.html").read_text(encoding="utf-8")
    specs = figure_specs(page)
    kinds = {key.split(":")[0] for key in specs}
    assert kinds == {"metric", "similarity", "importance", "gap", "map"}
    for key in ("metric:neutrality", "metric:n_local_optima", "metric:assortativity"):
        boxes = specs[key]["data"]
        assert {t["name"] for t in boxes} == {"fraction=0.5", "fraction=1"}
        assert sum(len(t["y"]) for t in boxes) == 8  # 8 landscapes at the test loss
    for axis in ("fidelity", "dataset", "split"):
        assert any(len(t["y"]) for t in specs[f"similarity:{axis}"]["data"])
    assert {k for k in specs if k.startswith("importance:")} >= {
        "importance:rf:1",
        "importance:dt:1",
    }
    rf = specs["importance:rf:1"]["data"][0]
    assert len(rf["y"]) == 3 and all(0 <= x <= 1 for x in rf["x"])  # rf's 3 hyperparameters
    gap = specs["gap:rf"]["data"]
    assert sum(len(t["x"]) for t in gap[:-1]) == 16  # 8 configurations x 2 datasets
    assert gap[-1]["name"] == "y = x"
    maps = [k for k in specs if k.startswith("map:")]
    assert len(maps) == 4  # 2 models x 2 datasets at full fidelity
    assert len(specs[maps[0]]["data"][0]["x"]) in (4, 8)  # every configuration mapped
    for key in maps:
        link = re.search(r"href='(landscapes/[^']+\.html)'", page[page.index(f"'{key}'") :])
        assert link and (study_dir / link.group(1)).is_file()
    # the landscape pages share one plotly.js beside them; study.html embeds its own
    scripts = list((study_dir / "landscapes").glob("plotly-*.min.js"))
    assert len(scripts) == 1 and scripts[0].stat().st_size > 1_000_000
    for landscape_page in (study_dir / "landscapes").glob("*.html"):
        text = landscape_page.read_text(encoding="utf-8")
        assert f"<script src='{scripts[0].name}'" in text and len(text) < 2_000_000
    assert len(page) > 3_000_000 and "<script src=" not in page
    # every figure is titled (its card's caption; not again inside the plot, under the
    # toolbar), its axes labelled, with a reading note
    captions = dict(re.findall(r"<figure data-key='([^']+)'><figcaption>([^<]+)", page, flags=re.S))
    for key, spec in specs.items():
        layout = spec["layout"]
        assert captions[key].strip(), key
        assert "title" not in layout, key
        assert layout["xaxis"]["title"]["text"] and layout["yaxis"]["title"]["text"], key
    assert page.count("<p class='note'>") >= len(specs)
    assert "finding (Huang &amp; Li 2023)" in page and "epsilon 0.01" in page


def test_study_report_progress_names_every_figure(study_dir, tmp_path):
    from lossatlas.viz._study_report import write_study_report

    lines: list[str] = []
    path = write_study_report(
        study_dir, tmp_path / "s.html", landscape_pages=False, progress=lines.append
    )
    n_figures = len(figure_specs(path.read_text(encoding="utf-8")))
    assert sum(line.startswith("figure ") for line in lines) == n_figures
    assert sum(line.startswith("map of ") for line in lines) == 4
    assert lines[-1].startswith("writing ")


def test_study_report_rejects_a_directory_that_is_not_a_study(tmp_path):
    from lossatlas.viz._study_report import write_study_report

    with pytest.raises(InputError, match="not a study directory"):
        write_study_report(tmp_path)


def test_cli_report_of_a_study_directory(study_dir, tmp_path):
    out = tmp_path / "again.html"
    done = subprocess.run(
        [sys.executable, "-m", "lossatlas.cli", "report", str(study_dir), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "study report [" in done.stderr and "figure 1:" in done.stderr
    assert figure_specs(out.read_text(encoding="utf-8"))
    quiet = subprocess.run(
        [sys.executable, "-m", "lossatlas.cli", "report", str(study_dir), "-o", str(out), "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert quiet.returncode == 0 and "figure 1:" not in quiet.stderr
