"""Benchmark of the fANOVA hyperparameter importance.

* Exact fANOVA with all pairwise terms on two 10^6-configuration grids: 6 HPs x 10 values
  (15 pairs) and 20 binary HPs (2^20, 190 pairs). Baseline measured in the same process: one
  ``loss.mean()`` pass over the 10^6 vector (and ``np.sort`` of it, for scale).
* The random-forest surrogate (64 trees, Hutter et al.'s per-tree marginalisation, all pairs) on
  10^4 configurations sampled from the 6 x 10 grid; baseline: the plain forest fit on the same
  data (what any surrogate method pays). The ``grid`` variant (predict the forest on all 10^6
  configurations, then the exact method) is timed too.

Targets (2 cores): exact < 2 s; surrogate on 10^4 points < 30 s.

    python benchmarks/bench_importance.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from lossatlas.analysis._importance import (
    encode_codes,
    fanova_grid,
    fit_forest,
    surrogate_fanova,
)


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def grid_loss(radices: list[int], seed: int = 0) -> np.ndarray:
    """Additive bowl + two pairwise interactions + noise over the full grid (flat order)."""
    rng = np.random.default_rng(seed)
    codes = np.indices(radices, dtype=np.float32).reshape(len(radices), -1)
    scale = np.array(radices, dtype=np.float32)[:, None]
    x = codes / np.maximum(scale - 1, 1)
    loss = ((x - 0.3) ** 2 * rng.uniform(0.2, 1.0, (len(radices), 1))).sum(axis=0)
    loss += 0.5 * x[0] * x[1] - 0.3 * x[2] * x[-1]
    return loss.astype(np.float64) + 0.02 * rng.standard_normal(loss.size)


def main() -> None:
    rows = []
    for radices in ([10] * 6, [2] * 20):
        names = [f"h{j}" for j in range(len(radices))]
        loss = grid_loss(radices)
        t_mean, _ = timed(lambda loss=loss: loss.mean(), repeat=5)
        t_sort, _ = timed(lambda loss=loss: np.sort(loss), repeat=3)
        t_exact, table = timed(
            lambda loss=loss, radices=radices, names=names: fanova_grid(loss, radices, names)
        )
        n_pairs = int((table["order"] == 2).sum())
        rows.append(
            (
                f"exact, {len(radices)} HPs, {loss.size:.0e} configs, {n_pairs} pairs",
                t_exact,
                f"{t_exact / t_mean:.0f}x mean, {t_exact / t_sort:.1f}x sort",
                "< 2 s",
            )
        )
        top = table.iloc[:-1].sort_values("fraction", ascending=False).head(3)
        print(
            f"exact {radices[0]}^{len(radices)}: top terms",
            ", ".join(f"{t}={f:.3f}" for t, f in zip(top["term"], top["fraction"], strict=True)),
            f"residual={table['fraction'].iloc[-1]:.3f}",
        )

    radices = [10] * 6
    names = [f"h{j}" for j in range(6)]
    loss = grid_loss(radices)
    rng = np.random.default_rng(1)
    rows_sampled = rng.choice(loss.size, 10_000, replace=False)
    codes = np.stack(np.unravel_index(rows_sampled, radices), axis=1)
    y = loss[rows_sampled]
    features, _, _ = encode_codes(codes, radices, [False] * 6)
    t_fit, _ = timed(lambda: fit_forest(features, y, n_trees=64, seed=0), repeat=1)
    t_trees, sur = timed(
        lambda: surrogate_fanova(codes, y, radices, names, method="trees", seed=0), repeat=1
    )
    t_grid, sur_grid = timed(
        lambda: surrogate_fanova(codes, y, radices, names, method="grid", seed=0), repeat=1
    )
    exact = fanova_grid(loss, radices, names)
    err = np.abs(sur["fraction"].to_numpy() - exact["fraction"].to_numpy()).max()
    err_grid = np.abs(sur_grid["fraction"].to_numpy() - exact["fraction"].to_numpy()).max()
    rows.append(
        (
            "surrogate trees, 1e4 points, 64 trees, 15 pairs",
            t_trees,
            f"{t_trees / t_fit:.2f}x RF fit",
            "< 30 s",
        )
    )
    rows.append(
        (
            "surrogate grid (predict 1e6), 1e4 points",
            t_grid,
            f"{t_grid / t_fit:.2f}x RF fit",
            "< 30 s",
        )
    )
    print(
        f"RF fit alone (baseline): {t_fit:.2f} s; max |fraction - exact|: trees {err:.3f}, "
        f"grid {err_grid:.3f}"
    )
    print()
    print(f"{'case':<55} {'seconds':>8}  {'ratio to baseline':<28} target")
    for case, seconds, ratio, target in rows:
        print(f"{case:<55} {seconds:8.3f}  {ratio:<28} {target}")


if __name__ == "__main__":
    main()
