"""Benchmark of the landscape pictures: HOPE, UMAP and the HTML report.

Grid landscapes of 10^4 (4 ordinal HPs x 10 values) and 10^5 (5 x 10) configurations (smooth
bowl + seeded noise). Times HOPE (128 dimensions, Katz proximity, sparse) on the whole
neighbourhood graph, UMAP (n_neighbors 15, min_dist 1, 500 epochs, seeded) of the map's
subsample (``--max-nodes``, default 5,000; ``--full-umap`` projects all 10^4 configurations
too; UMAP's one-off numba compilation is timed apart), and writes the report of the 10^5
landscape to measure its size. Times are also printed as ratios to baselines measured in the
same process (machines are shared and noisy): one sparse mat-vec pass ``A @ x`` of the graph,
and a dense SVD of a 2,000 x 128 matrix.

    python benchmarks/bench_viz.py              # 10^4 and 10^5
    python benchmarks/bench_viz.py --quick      # 10^4 only, no report
    python benchmarks/bench_viz.py --full-umap  # also UMAP of all 10^4 configurations
    python benchmarks/bench_viz.py --reports    # only the reports below
    python benchmarks/bench_viz.py --reports --study-dir OUT   # study report of OUT

``--reports`` times, against the same SVD baseline, the report of the built-in landscape (the
example table, 36 configurations per landscape) and the study report: of ``--study-dir``
(e.g. the ``--out`` of ``lossatlas run``, the built-in study) when given, else of a small
study (2 models x 2 datasets x 2 fidelities) evaluated first, untimed.

Targets (2 cores): HOPE of 10^5 nodes < 20 s; report of a 10^5-configuration landscape < 15 MB;
report of a 36-configuration landscape < 15 s on a quiet machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from lossatlas.analysis._graph import adjacency_matrix
from lossatlas.landscape import Landscape
from lossatlas.space import SearchSpace
from lossatlas.viz._embed import hope_embedding, umap_2d
from lossatlas.viz._landscape_map import DEFAULT_MAX_NODES, map_rows
from lossatlas.viz._report import write_report

HOPE_TARGET_S = 20.0
REPORT_TARGET_MB = 15.0
SMALL_REPORT_TARGET_S = 15.0
SMALL_STUDY = """
name: bench
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


def bench_reports(t_svd: float, *, seed: int, study_dir: Path | None) -> None:
    """Time the report of the built-in landscape and a study report (ratios to the SVD)."""
    from lossatlas.examples import example_table_path
    from lossatlas.io import load_landscapes
    from lossatlas.viz._study_report import write_study_report

    landscapes = load_landscapes(example_table_path())
    with tempfile.TemporaryDirectory() as tmp:
        first = landscapes[:1]
        path = Path(tmp) / "one.html"
        t_one, _ = timed(lambda: write_report(first, path, seed=seed))
        status = "ok" if t_one < SMALL_REPORT_TARGET_S else "OVER TARGET"
        print(
            f"report of the built-in landscape ({first[0].n} configurations): "
            f"{path.stat().st_size / 1e6:.2f} MB in {t_one:.1f} s (= {t_one / t_svd:.0f} x SVD)"
            f" | target {SMALL_REPORT_TARGET_S:.0f} s: {status}"
        )
        path = Path(tmp) / "all.html"
        t_all, _ = timed(lambda: write_report(landscapes, path, seed=seed))
        print(
            f"report of the built-in table ({len(landscapes)} landscapes): "
            f"{path.stat().st_size / 1e6:.2f} MB in {t_all:.1f} s (= {t_all / t_svd:.0f} x SVD)"
        )
        if study_dir is None:
            from lossatlas.study import load_study, run_study

            spec = Path(tmp) / "bench.yaml"
            spec.write_text(SMALL_STUDY)
            study_dir = Path(tmp) / "study"
            run_study(load_study(spec), study_dir)
        out = Path(tmp) / "study.html"
        t_study, _ = timed(lambda: write_study_report(study_dir, out, seed=seed))
        pages = sum(p.stat().st_size for p in (Path(tmp) / "landscapes").glob("*.html"))
        print(
            f"study report of {study_dir}: {out.stat().st_size / 1e6:.2f} MB (+ {pages / 1e6:.1f}"
            f" MB of landscape pages) in {t_study:.1f} s (= {t_study / t_svd:.0f} x SVD)"
        )


def bowl(n_hps: int, n_values: int = 10, *, seed: int = 0) -> Landscape:
    space = SearchSpace.from_dict({f"h{i}": list(range(n_values)) for i in range(n_hps)})
    codes = np.indices((n_values,) * n_hps).reshape(n_hps, -1).T
    rng = np.random.default_rng(seed)
    centre = rng.uniform(0, n_values - 1, size=n_hps)
    test = ((codes - centre) ** 2).sum(axis=1) / n_hps + rng.normal(0, 2.0, len(codes))
    train = test - 1.0 + rng.normal(0, 1.0, len(codes))
    return Landscape.from_array(
        space, {"test": test, "train": train}, metadata={"model": "bowl", "dataset": f"d{n_hps}"}
    )


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10^4 only, no report")
    parser.add_argument("--full-umap", action="store_true", help="UMAP of all 10^4 nodes too")
    parser.add_argument("--max-nodes", type=int, default=DEFAULT_MAX_NODES)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reports", action="store_true", help="only the small reports")
    parser.add_argument("--study-dir", type=Path, default=None, help="a study's --out")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    t_svd, _ = timed(lambda: np.linalg.svd(rng.standard_normal((2000, 128)), False), repeat=3)
    print(f"baseline dense SVD 2000 x 128: {t_svd:.3f} s")
    if args.reports:
        bench_reports(t_svd, seed=args.seed, study_dir=args.study_dir)
        return
    # 5,000 points: above UMAP's exact-neighbour cut-off, so NN-descent is compiled here too
    warm = rng.standard_normal((5000, 8))
    t_jit, first = timed(lambda: umap_2d(warm, n_epochs=10, seed=args.seed))
    print(f"{first.method.upper()} warm-up, 5,000 points, 10 epochs (numba JIT): {t_jit:.1f} s")
    sizes = [4] if args.quick else [4, 5]
    biggest = None
    for n_hps in sizes:
        landscape = bowl(n_hps, seed=args.seed)
        n = landscape.n
        t_adj, adj = timed(lambda landscape=landscape: adjacency_matrix(landscape))
        x = np.ones(n)
        t_mv, _ = timed(lambda adj=adj, x=x: adj @ x, repeat=20)
        t_hope, emb = timed(lambda adj=adj: hope_embedding(adj, dim=128, seed=args.seed))
        values = landscape.loss("test")
        rows = map_rows(
            n,
            np.empty(0, np.int64),
            [int(values.argmin())],
            values,
            max_nodes=args.max_nodes,
            seed=args.seed,
        )
        t_umap, proj = timed(lambda emb=emb, rows=rows: umap_2d(emb[rows], seed=args.seed))
        status = "ok" if n < 10**5 or t_hope < HOPE_TARGET_S else "OVER TARGET"
        print(
            f"n={n:>7,d} nnz={adj.nnz:>9,d}  graph {t_adj:6.2f} s | HOPE(128) {t_hope:6.2f} s "
            f"= {t_hope / t_mv:8.0f} mat-vecs = {t_hope / t_svd:6.1f} x SVD | "
            f"{proj.method.upper()} of {len(rows):,d} points {t_umap:6.2f} s "
            f"= {t_umap / t_svd:6.1f} x SVD | HOPE target {HOPE_TARGET_S:.0f} s: {status}"
        )
        if args.full_umap and n <= 10**4 and len(rows) < n:
            t_full, proj = timed(lambda emb=emb: umap_2d(emb, seed=args.seed))
            print(f"          {proj.method.upper()} of all {n:,d} points: {t_full:6.2f} s")
        biggest = landscape
    if args.quick or biggest is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.html"
        t_rep, _ = timed(
            lambda: write_report(biggest, path, seed=args.seed, max_nodes=args.max_nodes)
        )
        size_mb = path.stat().st_size / 1e6
        status = "ok" if size_mb < REPORT_TARGET_MB else "OVER TARGET"
        print(
            f"report of {biggest.n:,d} configurations: {size_mb:.2f} MB in {t_rep:.1f} s "
            f"(= {t_rep / t_svd:.0f} x SVD) | target {REPORT_TARGET_MB:.0f} MB: {status}"
        )


if __name__ == "__main__":
    main()
