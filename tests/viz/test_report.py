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
    # map..walks (6), 2 slices, 1 pair, train vs test, and the importance bars
    assert len(images) == 1 + 5 + 2 + 1 + 1 + 1
    assert "Plotly.newPlot" not in text and "static PNG" in text


@pytest.mark.slow
def test_report_from_landscape_list_and_umap_fallback_note(monkeypatch, tmp_path, bowl_landscape):
    from lossatlas.errors import MissingDependencyError
    from lossatlas.viz import _embed as embed

    def missing(module, extra, *, purpose=None):
        raise MissingDependencyError(module)

    monkeypatch.setattr(embed, "require", missing)
    monkeypatch.setattr(embed, "SMALL_GRAPH", 0)  # else 63 points are projected by exact PCA
    with pytest.warns(UserWarning, match="falling back"):
        path = write_report([bowl_landscape], tmp_path / "r.html", interactive=False)
    assert "PCA fallback" in path.read_text(encoding="utf-8")


def test_small_graph_map_uses_exact_pca_and_says_so(tmp_path, bowl_landscape):
    """A small landscape's map never waits for UMAP's import or JIT warm-up."""
    from lossatlas.viz._landscape_map import landscape_map

    lmap = landscape_map(bowl_landscape)
    assert lmap.method == "hope+pca" and not lmap.fallback
    text = write_report(bowl_landscape, tmp_path / "r.html", interactive=False).read_text()
    assert "(hope+pca)" in text and "Landscape(" not in text
    assert "63 configurations (the full grid) of 2 hyperparameters: a (9), b (7)" in text


def test_plateau_warning_when_epsilon_merges_everything(tmp_path, bowl_landscape):
    with pytest.warns(UserWarning, match="one plateau"):
        path = write_report(bowl_landscape, tmp_path / "r.html", epsilon=10.0, interactive=False)
    text = path.read_text(encoding="utf-8")
    assert "epsilon 10 makes the whole landscape one plateau" in text
    assert text.count("epsilon 10") >= 1 + 10  # settings, then every figure's note
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_report(bowl_landscape, tmp_path / "ok.html", epsilon=0.0, interactive=False)


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


def test_importance_and_similarity_are_figures_next_to_their_tables(tmp_path, bowl_landscape):
    pytest.importorskip("plotly")
    import json

    import numpy as np

    from lossatlas.landscape import Landscape

    other = Landscape.from_array(
        bowl_landscape.space,
        {"test": bowl_landscape.loss("test")[::-1].copy(), "train": bowl_landscape.loss("train")},
        metadata={**bowl_landscape.metadata, "dataset": "flipped"},
    )
    path = write_report([bowl_landscape, other], tmp_path / "r.html", projection="pca")
    text = path.read_text(encoding="utf-8")
    specs = dict(
        re.findall(
            r"data-target='((?:importance|similarity)-\d+)'>(.*?)</script>", text, flags=re.S
        )
    )
    bars = [json.loads(v.replace("<\\/", "</")) for k, v in specs.items() if "importance" in k]
    assert len(bars) == 2
    first = bars[0]["data"][0]
    assert first["type"] == "bar" and set(first["y"]) <= {"a", "b", "a:b"}
    assert sum(first["x"]) == pytest.approx(1.0, abs=0.05)  # shares of the variance
    heat = [json.loads(v.replace("<\\/", "</")) for k, v in specs.items() if "similarity" in k]
    assert heat, "a similarity heatmap"
    z = np.array(heat[0]["data"][0]["z"], dtype=float)
    assert z.shape == (2, 2) and np.allclose(z, z.T) and np.allclose(np.diag(z), 1.0)
    assert z[0, 1] < 0  # the flipped landscape ranks the configurations the other way
