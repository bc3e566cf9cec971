from __future__ import annotations

import re

import pytest

from lossatlas.analysis._profile import METRICS
from lossatlas.cli import main
from lossatlas.examples import example_table_path
from lossatlas.viz._report import write_report


@pytest.fixture(scope="module")
def interactive_report(tmp_path_factory):
    pytest.importorskip("plotly")
    path = tmp_path_factory.mktemp("report") / "report.html"
    write_report(
        example_table_path(),
        path,
        projection="pca",
        seed=1,
        extra_sections=[("importance", "<p id='hook-probe'>later</p>")],
    )
    return path


@pytest.mark.slow
def test_interactive_report_is_self_contained(interactive_report):
    text = interactive_report.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    # plotly.js embedded: no script or stylesheet is fetched from elsewhere
    assert re.search(r"<script[^>]*\bsrc=|<link[^>]*\bhref=", text) is None
    assert "Plotly.newPlot" in text and len(text) > 3_000_000  # plotly.js itself is MBs
    figures = re.findall(r"class='lossatlas-figure' data-target='(fig-\d+)'", text)
    # map, contour, 3-D, network, basins, walks, 4 slices, 6 pairs, train vs test
    assert len(figures) == 17 and len(set(figures)) == 17
    for metric in METRICS:
        assert f"<code>{metric}</code>" in text
    assert METRICS["fdc"] in text  # the one-line reading
    # the epistasis family is reported, read next to fANOVA
    assert "<code>gamma_star</code>" in text and "configuration-level view of HP" in text
    start = text.index("<!-- lossatlas:extra-sections:start -->")
    end = text.index("<!-- lossatlas:extra-sections:end -->")
    assert "<p id='hook-probe'>later</p>" in text[start:end]
    assert "best over the other HPs" in text and "mean over the other HPs" in text


@pytest.mark.slow
def test_report_is_deterministic(tmp_path, bowl_landscape):
    pytest.importorskip("plotly")
    a = write_report(bowl_landscape, tmp_path / "a.html", projection="pca", seed=3)
    b = write_report(bowl_landscape, tmp_path / "b.html", projection="pca", seed=3)
    c = write_report(bowl_landscape, tmp_path / "c.html", projection="pca", seed=4)
    assert a.read_bytes() == b.read_bytes()
    assert c.read_bytes() != a.read_bytes()  # the seed reaches the figures


@pytest.mark.slow
def test_static_fallback_without_plotly(monkeypatch, tmp_path, bowl_landscape):
    import builtins

    real_import = builtins.__import__

    def no_plotly(name, *args, **kwargs):
        if name == "plotly" or name.startswith("plotly."):
            raise ImportError("no plotly here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_plotly)
    path = write_report(bowl_landscape, tmp_path / "static.html", projection="pca")
    text = path.read_text(encoding="utf-8")
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", text)
    assert len(images) == 1 + 5 + 2 + 1 + 1  # map..walks (6), 2 slices, 1 pair, train vs test
    assert "Plotly.newPlot" not in text and "static PNG" in text


@pytest.mark.slow
def test_report_from_landscape_list_and_umap_fallback_note(monkeypatch, tmp_path, bowl_landscape):
    from lossatlas.errors import MissingDependencyError
    from lossatlas.viz import _embed as embed

    def missing(module, extra, *, purpose=None):
        raise MissingDependencyError(module)

    monkeypatch.setattr(embed, "require", missing)
    with pytest.warns(UserWarning, match="falling back"):
        path = write_report([bowl_landscape], tmp_path / "r.html", interactive=False)
    assert "PCA fallback" in path.read_text(encoding="utf-8")


def test_cli_report_from_table_and_evaluation_dir(tmp_path, capsys, bowl_landscape):
    pytest.importorskip("plotly")
    frame = bowl_landscape.to_frame(include_metadata=True)
    table = tmp_path / "bowl.csv"
    frame.to_csv(table, index=False)
    out = tmp_path / "cli.html"
    assert main(["report", str(table), "-o", str(out), "--projection", "pca"]) == 0
    assert out.is_file() and "Plotly.newPlot" in out.read_text(encoding="utf-8")
    assert "wrote" in capsys.readouterr().out
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    frame.to_parquet(run_dir / "results.parquet")
    out2 = tmp_path / "dir.html"
    assert main(["report", str(run_dir), "-o", str(out2), "--projection", "pca"]) == 0
    # same landscape, same seed: the same page whichever way it was read
    assert out2.read_bytes() == out.read_bytes()


def test_cli_report_errors_are_one_line(tmp_path, capsys):
    assert main(["report", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "x.html")]) == 2
    assert "missing.csv" in capsys.readouterr().err
    assert main(["report", str(tmp_path), "-o", str(tmp_path / "x.html")]) == 2
    assert "results.parquet" in capsys.readouterr().err
    assert main(["report", str(example_table_path()), "--projection", "tsne"]) == 2


def test_load_landscapes_rejects_other_inputs():
    from lossatlas.errors import InputError
    from lossatlas.io import load_landscapes

    with pytest.raises(InputError, match="expected landscapes"):
        load_landscapes([1, 2])
