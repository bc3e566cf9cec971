from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from lossatlas.errors import InputError, MissingDependencyError
from lossatlas.viz import _embed as embed
from lossatlas.viz._embed import hope, hope_embedding, katz_beta, pca_2d, spectral_radius, umap_2d

from .conftest import dense_hope, grid_graph


def _gap_rank(sigma: np.ndarray, lo: int, hi: int) -> int:
    """A rank k in [lo, hi] with a clear singular-value gap after it (unique truncation)."""
    gaps = (sigma[lo - 1 : hi - 1] - sigma[lo:hi]) / sigma[lo - 1 : hi - 1]
    k = lo + int(np.argmax(gaps))
    assert gaps.max() > 0.01, "test graph without a usable singular-value gap"
    return k


def _random_graph(n: int, p: float, seed: int, *, directed: bool = False) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    a = sp.random(n, n, density=p, random_state=rng, data_rvs=np.ones, format="csr")
    a.setdiag(0)
    a.eliminate_zeros()
    if not directed:
        a = ((a + a.T) > 0).astype(float)
    return sp.csr_matrix(a)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("graph", "n_iter"),
    [
        (grid_graph((7, 9, 5)), 40),
        (_random_graph(400, 0.02, 0), 100),
        (_random_graph(300, 0.03, 1, directed=True), 60),
    ],
    ids=["grid-315", "random-400", "directed-300"],
)
def test_hope_matches_dense_reference(graph, n_iter):
    beta = katz_beta(graph)
    s, _, _, sigma = dense_hope(graph, beta, graph.shape[0])
    k = _gap_rank(sigma, 6, 30)
    s_ref, us_ref, ut_ref, _ = dense_hope(graph, beta, k)
    got = hope(graph, dim=2 * k, beta=beta, n_iter=n_iter, seed=3)
    # Embeddings equal up to a rotation within singular subspaces: compare Gram and proximity.
    scale = sigma[0]
    np.testing.assert_allclose(got.source @ got.target.T, us_ref @ ut_ref.T, atol=1e-6 * scale)
    np.testing.assert_allclose(got.source @ got.source.T, us_ref @ us_ref.T, atol=1e-6 * scale)
    np.testing.assert_allclose(got.singular_values, sigma[:k], rtol=1e-6)
    err = np.linalg.norm(s - got.source @ got.target.T)
    assert err == pytest.approx(np.sqrt((sigma[k:] ** 2).sum()), rel=1e-6)


def test_hope_default_iterations_near_optimal_on_clustered_spectrum():
    graph = grid_graph((7, 9, 5))  # many repeated eigenvalues: the hard case
    got = hope(graph, dim=64)
    s, _, _, sigma = dense_hope(graph, got.beta, 32)
    optimal = np.sqrt((sigma[32:] ** 2).sum())
    assert np.linalg.norm(s - got.source @ got.target.T) <= 1.1 * optimal


def test_hope_small_graph_is_exact_and_padded():
    graph = grid_graph((3, 4))  # 12 nodes < dim / 2
    emb = hope_embedding(graph, dim=128)
    assert emb.shape == (12, 128)
    beta = katz_beta(graph)
    s, us, ut, _ = dense_hope(graph, beta, 12)
    np.testing.assert_allclose(emb[:, :12] @ emb[:, 64:76].T, s, atol=1e-10)
    assert not emb[:, 12:64].any() and not emb[:, 76:].any()


def test_hope_never_forms_a_dense_matrix(monkeypatch):
    graph = grid_graph((20, 20, 10))  # 4,000 nodes

    def refuse(*args, **kwargs):
        raise AssertionError("densified a sparse matrix")

    monkeypatch.setattr(sp.csr_matrix, "toarray", refuse)
    monkeypatch.setattr(sp.csr_matrix, "todense", refuse)
    emb = hope_embedding(graph, dim=32)
    assert emb.shape == (4000, 32)
    assert np.isfinite(emb).all()


def test_hope_default_beta_and_determinism():
    graph = grid_graph((6, 6, 6))
    rho = spectral_radius(graph)
    assert rho == pytest.approx(3 * 2 * np.cos(np.pi / 7), rel=1e-6)  # sum of path radii
    f1 = hope(graph, dim=16, seed=5)
    assert f1.beta == pytest.approx(0.5 / rho)
    f2 = hope(graph, dim=16, seed=5)
    np.testing.assert_array_equal(f1.source, f2.source)
    # the directions of the largest Katz proximity are the graph's Perron vector (all one sign)
    assert (f1.source[:, 0] > 0).all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"dim": 7}, "even"), ({"beta": 1.0}, "1/rho"), ({"beta": -0.1}, "beta")],
)
def test_hope_rejects_bad_arguments(kwargs, match):
    with pytest.raises(InputError, match=match):
        hope(grid_graph((4, 4)), **kwargs)


def test_hope_rejects_non_square_and_dense_input():
    with pytest.raises(InputError, match="square"):
        hope(sp.csr_matrix(np.ones((3, 4))))
    with pytest.raises(InputError, match="scipy.sparse"):
        hope(np.eye(3))


def test_hope_of_an_edgeless_graph_is_zero():
    emb = hope_embedding(sp.csr_matrix((5, 5)), dim=4)
    assert emb.shape == (5, 4) and not emb.any()


def test_pca_2d_recovers_principal_axes():
    rng = np.random.default_rng(0)
    t = rng.standard_normal(200)
    x = np.column_stack([3 * t, np.zeros(200), 0.01 * rng.standard_normal(200)])
    coords = pca_2d(x)
    assert coords.shape == (200, 2)
    assert abs(np.corrcoef(coords[:, 0], t)[0, 1]) > 0.9999
    assert coords[:, 1].std() < 0.02


def test_small_graphs_are_projected_by_pca_without_importing_umap(monkeypatch):
    def missing(module, extra, *, purpose=None):
        raise AssertionError("umap must not be imported for a small graph")

    monkeypatch.setattr(embed, "require", missing)
    x = np.random.default_rng(0).standard_normal((embed.SMALL_GRAPH, 5))
    proj = umap_2d(x)
    assert proj.method == "pca" and not proj.fallback
    np.testing.assert_allclose(proj.coords, pca_2d(x))


def test_umap_fallback_says_so(monkeypatch):
    def missing(module, extra, *, purpose=None):
        raise MissingDependencyError(f"{module} missing")

    monkeypatch.setattr(embed, "require", missing)
    monkeypatch.setattr(embed, "SMALL_GRAPH", 10)  # else 30 points take the exact PCA path
    x = np.random.default_rng(0).standard_normal((30, 5))
    with pytest.warns(UserWarning, match="falling back to PCA"):
        proj = umap_2d(x)
    assert proj.fallback and proj.method == "pca"
    np.testing.assert_allclose(proj.coords, pca_2d(x))
    with pytest.raises(MissingDependencyError):
        umap_2d(x, method="umap")


@pytest.mark.slow
def test_umap_2d_is_seeded():
    pytest.importorskip("umap")
    x = hope_embedding(grid_graph((6, 8)), dim=16)
    a = umap_2d(x, n_epochs=50, seed=1, method="umap")
    b = umap_2d(x, n_epochs=50, seed=1, method="umap")
    assert a.method == "umap" and not a.fallback
    assert a.coords.shape == (48, 2)
    np.testing.assert_array_equal(a.coords, b.coords)


def test_hope_float32_agrees_with_float64():
    graph = grid_graph((12, 10, 9))
    f64 = hope(graph, dim=32, dtype="float64", seed=2)
    f32 = hope(graph, dim=32, dtype="float32", seed=2)
    assert f32.source.dtype == np.float64  # results are float64 either way
    prox64 = f64.source @ f64.target.T
    prox32 = f32.source @ f32.target.T
    assert np.abs(prox32 - prox64).max() <= 1e-3 * np.abs(prox64).max()
    np.testing.assert_allclose(f32.singular_values, f64.singular_values, rtol=1e-3)
    with pytest.raises(InputError, match="dtype"):
        hope(graph, dim=8, dtype="float16")


def test_umap_on_too_few_points_uses_pca_without_calling_it_a_fallback():
    pytest.importorskip("umap")
    proj = umap_2d(np.random.default_rng(0).standard_normal((10, 4)), n_neighbors=15)
    assert proj.method == "pca" and not proj.fallback
