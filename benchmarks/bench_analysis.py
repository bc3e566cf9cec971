"""Benchmark of the landscape analysis core.

Builds a 10^6-configuration full grid (6 ordinal HPs x 10 values, smooth bowl + noise, seeded) and
a 10^5-configuration partial landscape (a seeded 10 % sample of it), and times the graph build,
local optima, basins, FDC, autocorrelation, neutrality and the whole ``profile()``, with the
peak traced memory of each step. Times are also given as ratios to a baseline measured in the
same process (``np.sort`` of the 10^6 loss vector), since the machines are shared and noisy.

    python benchmarks/bench_analysis.py            # 10^6 grid and 10^5 partial
    python benchmarks/bench_analysis.py --big      # also a 10^7 grid (7 HPs x 10 values)
    python benchmarks/bench_analysis.py --whole-process [--rounds 3]

``--whole-process`` writes the 10^6 grid as Parquet (``write_landscape``) and times, as whole
processes in interleaved rounds (medians; wall and CPU seconds of the child), ``lossatlas
analyze`` against GraphFLA's read + build + FDC + neutrality + autocorrelation + local optima
(``benchmarks/_graphfla_analyze.py``, GraphFLA is a dev-only dependency), and the start-up of
``lossatlas --version`` and ``--help`` against a bare ``python -c pass``.

Targets (2 cores): whole profile() of the 10^6 grid < 3 s and < 600 MB peak; whole-process
``lossatlas analyze`` at least 15x faster than GraphFLA; ``--version``/``--help`` under 0.3 s.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from lossatlas.analysis import (
    autocorrelation,
    basin_statistics,
    fdc,
    local_optima,
    neighbour_graph,
    neutrality,
    profile,
)
from lossatlas.landscape import Landscape
from lossatlas.space import SearchSpace


def bowl_landscape(n_hps: int, n_values: int, *, seed: int = 0, noise: float = 0.05) -> Landscape:
    space = SearchSpace.from_dict({f"x{j}": list(range(n_values)) for j in range(n_hps)})
    rng = np.random.default_rng(seed)
    centre = rng.uniform(0, n_values - 1, size=n_hps)
    grid = np.indices(tuple([n_values] * n_hps), dtype=np.float32)
    loss = np.zeros(space.size, dtype=np.float64)
    for j in range(n_hps):
        loss += ((grid[j].reshape(-1) - centre[j]) / n_values) ** 2
    del grid
    loss += noise * rng.standard_normal(space.size)
    return Landscape.from_array(space, loss, metadata={"dataset": f"bowl{n_hps}x{n_values}"})


def measure(fn: Callable[[], Any], *, traced: bool = False) -> tuple[float, float, Any]:
    """Seconds (untraced run) and, with ``traced``, peak traced MB of a second run."""
    gc.collect()
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    peak = float("nan")
    if traced:
        gc.collect()
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return seconds, peak, result


def fresh(landscape: Landscape) -> Landscape:
    return Landscape(landscape.space, landscape.index, landscape.losses, landscape.metadata)


def run(landscape: Landscape, baseline: float, *, eps: float) -> dict[str, float]:
    steps: list[tuple[str, Callable[[Landscape], Any]]] = [
        ("graph build", lambda land: neighbour_graph(land)),
        ("local optima (+plateaus)", lambda land: local_optima(land, epsilon=eps)),
        ("basins (stats)", lambda land: basin_statistics(land, epsilon=eps)),
        ("fdc", lambda land: fdc(land)),
        ("autocorrelation", lambda land: autocorrelation(land)),
        ("neutrality", lambda land: neutrality(land, epsilon=eps)),
        ("whole profile()", lambda land: profile(land, epsilon=eps)),
    ]
    print(f"\n{landscape!r}  (epsilon={eps})")
    print(f"{'step':28s} {'seconds':>9s} {'x baseline':>11s} {'peak MB':>9s}")
    out = {}
    for name, step in steps:
        # a fresh landscape per run: no cached work carries over between steps
        seconds, peak, _ = measure(lambda step=step: step(fresh(landscape)), traced=True)
        out[name] = seconds
        print(f"{name:28s} {seconds:9.3f} {seconds / baseline:11.1f} {peak:9.1f}")
    return out


def _child(command: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one child process (CPU: user + system of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=os.environ.copy())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def whole_process(rounds: int) -> None:
    """``lossatlas analyze`` vs GraphFLA on the 10^6 grid, and the CLI start-up, as processes."""
    from lossatlas.io import write_landscape

    here = Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory() as tmp:
        table = Path(tmp) / "grid.parquet"
        write_landscape(bowl_landscape(6, 10), table)
        py = sys.executable
        contestants = {
            "python -c pass": [py, "-c", "pass"],
            "lossatlas --version": [py, "-m", "lossatlas.cli", "--version"],
            "lossatlas --help": [py, "-m", "lossatlas.cli", "--help"],
            "lossatlas analyze": [py, "-m", "lossatlas.cli", "analyze", str(table)],
            "GraphFLA build+4 metrics": [py, str(here / "_graphfla_analyze.py"), str(table)],
        }
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in contestants}
        for _ in range(rounds):  # interleaved, so load changes hit every contestant alike
            for name, command in contestants.items():
                times[name].append(_child(command))
    print(f"whole processes, medians of {rounds} interleaved rounds; load {os.getloadavg()[0]:.1f}")
    med = {
        name: (float(np.median([w for w, _ in t])), float(np.median([c for _, c in t])))
        for name, t in times.items()
    }
    for name, (wall, cpu) in med.items():
        print(f"  {name:28s} wall {wall:7.2f} s   CPU {cpu:7.2f} s")
    for label, index in (("wall", 0), ("CPU", 1)):
        ratio = med["GraphFLA build+4 metrics"][index] / med["lossatlas analyze"][index]
        print(f"GraphFLA / lossatlas analyze ({label}): {ratio:5.1f}x (target >= 15)")
    for name in ("lossatlas --version", "lossatlas --help"):
        wall, cpu = med[name]
        extra = wall - med["python -c pass"][0]
        print(
            f"{name}: wall {wall:.2f} s (bare interpreter {med['python -c pass'][0]:.2f} s, "
            f"+{extra:.2f} s), CPU {cpu:.2f} s (target < 0.3 s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", action="store_true", help="also run a 10^7 grid")
    parser.add_argument("--epsilon", type=float, default=0.0)
    parser.add_argument("--whole-process", action="store_true", help="analyze vs GraphFLA")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.whole_process:
        whole_process(args.rounds)
        return

    full = bowl_landscape(6, 10)
    baseline, _, _ = measure(lambda: np.sort(full.loss()))
    print(f"baseline np.sort of 10^6 floats: {baseline:.4f} s")
    results = run(full, baseline, eps=args.epsilon)
    rng = np.random.default_rng(1)
    partial = full.select(np.sort(rng.choice(full.n, size=100_000, replace=False)))
    run(partial, baseline, eps=args.epsilon)
    if args.big:
        big = bowl_landscape(7, 10)
        run(big, baseline, eps=args.epsilon)
    profile_s = results["whole profile()"]
    print(
        f"\n10^6 profile: {profile_s:.2f} s (target < 3 s: {'met' if profile_s < 3 else 'MISSED'})"
    )
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
