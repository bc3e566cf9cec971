"""Comparison heatmaps: plot data checked by hand, renderers only draw it."""

from __future__ import annotations

import numpy as np
import pytest

from lossatlas.analysis._comparison import compare_landscapes
from lossatlas.landscape import Landscape
from lossatlas.space import SearchSpace
from lossatlas.viz import (
    SimilarityHeatmap,
    plot_similarity_heatmap,
    save_similarity_heatmaps,
    similarity_heatmap,
    similarity_heatmap_figure,
)

SPACE = SearchSpace.from_dict({"a": [0, 1, 2, 3], "b": ["x", "y"]})


def datasets() -> list[Landscape]:
    """Three datasets: 'flip' reverses the ranking of 'base', 'same' keeps it."""
    base = np.arange(SPACE.size, dtype=float)
    losses = {"base": base, "same": 2 * base + 1, "flip": -base}
    return [
        Landscape.from_array(SPACE, {"test": v}, metadata={"model": "rf", "dataset": k})
        for k, v in losses.items()
    ]


def test_heatmap_data_holds_the_median_matrix():
    result = compare_landscapes(datasets(), by="dataset", profiles=False)
    data = similarity_heatmap(result, "spearman")
    assert isinstance(data, SimilarityHeatmap)
    assert data.labels == ("base", "flip", "same")  # sorted by name
    expected = np.array([[1.0, -1.0, 1.0], [-1.0, 1.0, -1.0], [1.0, -1.0, 1.0]])
    np.testing.assert_allclose(data.values, expected)
    assert data.limits == (-1.0, 1.0) and data.title == "median spearman by dataset (test)"
    assert similarity_heatmap(result, "shake_up").limits == (0.0, 0.5)
    assert similarity_heatmap(result, "gamma_set_similarity").limits == (0.0, 1.0)
    np.testing.assert_allclose(np.diag(similarity_heatmap(result, "shake_up").values), 0.0)


def test_matplotlib_renderer_draws_the_data():
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    result = compare_landscapes(datasets(), by="dataset", profiles=False)
    data = similarity_heatmap(result)
    fig = plot_similarity_heatmap(data)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.images[0].get_array(), data.values)
    assert [t.get_text() for t in ax.texts] == [f"{v:.2f}" for v in data.values.ravel()]
    assert ax.get_title() == data.title


def test_plotly_renderer_draws_the_data():
    pytest.importorskip("plotly")
    result = compare_landscapes(datasets(), by="dataset", profiles=False)
    data = similarity_heatmap(result)
    fig = similarity_heatmap_figure(data)
    np.testing.assert_allclose(np.array(fig.data[0].z, dtype=float), data.values)
    assert tuple(fig.data[0].x) == data.labels


def test_save_heatmaps_writes_one_png_per_metric(tmp_path):
    pytest.importorskip("matplotlib")
    result = compare_landscapes(datasets(), by="dataset", profiles=False)
    written = save_similarity_heatmaps(result, tmp_path / "out")
    assert [p.name for p in written] == [
        "heatmap_spearman.png",
        "heatmap_gamma_set_similarity.png",
        "heatmap_shake_up.png",
    ]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in written)


def test_analysis_results_neither_draw_nor_write():
    result = compare_landscapes(datasets(), by="dataset", profiles=False)
    assert not hasattr(result, "figures") and not hasattr(result, "write")
