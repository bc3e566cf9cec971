"""Shared graphs and landscapes for the viz tests."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import scipy.sparse as sp

from lossatlas.landscape import Landscape
from lossatlas.space import SearchSpace


def path_graph(n: int) -> sp.csr_matrix:
    ones = np.ones(n - 1)
    return sp.diags([ones, ones], [-1, 1], format="csr")


def grid_graph(dims: tuple[int, ...]) -> sp.csr_matrix:
    """Adjacency of the product of path graphs (the landscape graph of an all-ordinal grid)."""
    a = path_graph(dims[0])
    for n in dims[1:]:
        a = sp.kron(a, sp.identity(n)) + sp.kron(sp.identity(a.shape[0]), path_graph(n))
    return sp.csr_matrix(a)


def dense_hope(adjacency: sp.spmatrix, beta: float, k: int):
    """Dense reference: Katz matrix, full SVD, truncated to k (Ou et al. 2016)."""
    a = adjacency.toarray()
    n = a.shape[0]
    s = np.linalg.solve(np.eye(n) - beta * a, beta * a)
    u, sigma, vt = np.linalg.svd(s)
    return s, u[:, :k] * np.sqrt(sigma[:k]), vt[:k].T * np.sqrt(sigma[:k]), sigma


@pytest.fixture
def bowl_landscape() -> Landscape:
    """A 2-HP grid (9 x 7) with a global optimum and two other local optima, plus a train loss."""
    space = SearchSpace.from_dict({"a": list(range(9)), "b": list(range(7))})
    ga, gb = np.meshgrid(np.arange(9), np.arange(7), indexing="ij")
    test = 0.05 * ((ga - 2) ** 2 + (gb - 3) ** 2) + 0.001 * (ga * 7 + gb)
    test[7, 1] = -0.5  # a pit in a high region: local optimum, not global
    test[6, 6] = 0.3
    test[2, 3] = -1.0  # global optimum
    rng = np.random.default_rng(1)
    train = test - 0.1 + 0.02 * rng.standard_normal(test.shape)
    return Landscape.from_array(
        space, {"test": test, "train": train}, metadata={"model": "toy", "dataset": "bowl"}
    )


#: 2 models x 2 datasets x 2 fidelities on tiny grids (rf 8 and dt 4 configurations).
SMALL_STUDY = """
name: small
models:
  - {model: rf, grid: tiny, params: {n_estimators: 4}}
  - {model: dt, grid: tiny}
datasets: [iris, wine]
fidelities: {fraction: [0.5, 1.0]}
folds: 2
test_size: 0.2
seeds: [0]
epsilon: 0.01
gamma: 0.25
"""


@pytest.fixture(scope="session")
def study_dir(tmp_path_factory):
    from lossatlas.study import load_study, run_study

    root = tmp_path_factory.mktemp("study")
    spec = root / "small.yaml"
    spec.write_text(SMALL_STUDY)
    run_study(load_study(spec), root / "out")
    return root / "out"


def figure_specs(page_html: str) -> dict[str, dict]:
    """Every figure's data key and its plotly spec, read back from the page."""
    out = {}
    pattern = re.compile(
        r"<figure data-key='([^']+)'>.*?<script type='application/json' "
        r"class='lossatlas-figure' data-target='[^']+'>(.*?)</script>",
        re.S,
    )
    for key, spec in pattern.findall(page_html):
        out[key] = json.loads(spec.replace("<\\/", "</"))
    return out
