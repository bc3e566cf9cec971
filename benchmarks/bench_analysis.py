"""Benchmark of the landscape analysis core.

Builds a 10^6-configuration full grid (6 ordinal HPs x 10 values, smooth bowl + noise, seeded) and
a 10^5-configuration partial landscape (a seeded 10 % sample of it), and times the graph build,
local optima, basins, FDC, autocorrelation, neutrality and the whole ``profile()``, with the
peak traced memory of each step. Times are also given as ratios to a baseline measured in the
same process (``np.sort`` of the 10^6 loss vector), since the machines are shared and noisy.

It also times the default profile and the full profile (``metrics="all"``, every registered
metric, costly ones included) of the 10^6 grid, and -- with GraphFLA installed (the ``dev``
extra) -- GraphFLA 0.4.0's landscape build plus the metrics it shares with us on the same grid
(``--graphfla-hps`` HPs x 10 values; 6 is the 10^6 grid), with ours on that grid, as ratios to
the same baseline.

    python benchmarks/bench_analysis.py                   # 10^6 grid and 10^5 partial
    python benchmarks/bench_analysis.py --big             # also a 10^7 grid (7 HPs x 10 values)
    python benchmarks/bench_analysis.py --graphfla-hps 5  # GraphFLA on a 10^5 grid (0: skip)
    python benchmarks/bench_analysis.py --whole-process [--rounds 3]

``--whole-process`` writes the 10^6 grid as Parquet (``write_landscape``) and times, as whole
processes in interleaved rounds (medians; wall and CPU seconds of the child), ``lossatlas
analyze`` against GraphFLA's read + build + FDC + neutrality + autocorrelation + local optima
(``benchmarks/_graphfla_analyze.py``, GraphFLA is a dev-only dependency), and the start-up of
``lossatlas --version`` and ``--help`` against a bare ``python -c pass``. The two sides do not
do the same work: GraphFLA computes its 4 metrics (fdc, neutrality, autocorrelation,
local_optima_ratio); ``lossatlas analyze`` computes its whole default profile (the 33 columns
of every metric of cost "default": local optima, basins and climbs, plateaus, FDC Pearson and
Spearman, assortativity, three random-walk autocorrelations, neutrality, NDC, the fitness
distribution, neighbour and basin fitness correlations, distance to the optimum) and prints
it as a table (plain text: the child's stdout is not a terminal).

Targets (2 cores): the default profile() of the 10^6 grid < 3 s and < 600 MB peak;
whole-process ``lossatlas analyze`` at least 15x faster than GraphFLA; ``--version``/``--help``
under 0.3 s.
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
from lossatlas.analysis._registry import REGISTRY
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


def profiles(landscape: Landscape, small: Landscape, baseline: float, *, eps: float) -> None:
    """Default and full profiles of ``landscape``, per family too; the "heavy" metrics (one
    graph search per local optimum) on ``small``."""
    light = [m.name for m in REGISTRY.values() if m.cost != "heavy"]
    heavy = [m.name for m in REGISTRY.values() if m.cost == "heavy"]
    print(f"\nprofiles of {landscape!r}")
    print(f"{'selection':34s} {'seconds':>9s} {'x baseline':>11s}")
    for label, metrics in (
        ("default profile", None),
        (f"full profile ({len(light)} metrics, not heavy)", light),
    ):
        seconds, _, _ = measure(lambda m=metrics: profile(fresh(landscape), epsilon=eps, metrics=m))
        print(f"{label:34s} {seconds:9.3f} {seconds / baseline:11.1f}")
    for family in dict.fromkeys(m.family for m in REGISTRY.values()):
        names = [m.name for m in REGISTRY.values() if m.family == family and m.cost != "heavy"]
        seconds, _, _ = measure(lambda f=names: profile(fresh(landscape), epsilon=eps, metrics=f))
        print(f"  family {family:25s} {seconds:9.3f} {seconds / baseline:11.1f}")
    seconds, _, _ = measure(lambda: profile(fresh(small), epsilon=eps, metrics=heavy))
    label = f"heavy metrics ({len(heavy)}) on {small.n}"
    print(f"{label:34s} {seconds:9.3f} {seconds / baseline:11.1f}")


# our key -> GraphFLA 0.4.0 function, for the metrics both have
SHARED = {
    "fitness.skewness": "fitness_distribution",
    "local_optima_ratio": "local_optima_ratio",
    "gradient_intensity": "gradient_intensity",
    "autocorrelation_pooled": "autocorrelation",
    "r_s_ratio": "r_s_ratio",
    "neutrality": "neutrality",
    "fdc_spearman": "fdc",
    "basin_fitness_correlation": "basin_fitness_correlation",
    "neighbor_fitness_correlation": "neighbor_fitness_correlation",
    "fitness_flattening_index": "fitness_flattening_index",
    "global_optima_accessibility": "global_optima_accessibility",
    "mean_path_length_to_global_optimum": "mean_path_length_to_global_optimum",
    "mean_distance_to_global_optimum": "mean_distance_to_global_optimum",
    "gamma": "gamma",
    "gamma_star": "gamma_star",
    "diminishing_returns_index": "diminishing_returns_index",
    "increasing_costs_index": "increasing_costs_index",
}


def against_graphfla(landscape: Landscape, baseline: float, *, eps: float) -> None:
    """GraphFLA's build and the shared metrics against ours, on one grid, in one process."""
    try:
        import graphfla.analysis as fla
        import pandas as pd
        from graphfla.landscape import Landscape as GraphFLALandscape
    except ImportError:
        print("\nGraphFLA not installed (pip install graphfla): comparison skipped")
        return
    import warnings

    print(f"\nGraphFLA 0.4.0 vs lossatlas on {landscape!r}")
    frame = pd.DataFrame(landscape.codes.astype(int), columns=list(landscape.space.names))
    types = dict.fromkeys(landscape.space.names, "ordinal")

    def build():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return GraphFLALandscape(maximize=True).build_from_data(
                frame, -landscape.loss(), data_types=types, epsilon=eps, verbose=False
            )

    theirs_build, _, built = measure(build)
    functions = list(dict.fromkeys(SHARED.values()))
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for function in functions:
            kwargs = {"n_jobs": 1} if function in ("gamma", "gamma_star") else {}
            getattr(fla, function)(built, **kwargs)
    theirs_metrics = time.perf_counter() - started
    ours, _, _ = measure(
        lambda: profile(
            fresh(landscape),
            epsilon=eps,
            metrics=list(SHARED),
            descent="graphfla",
            plateau_exit="first",
        )
    )
    theirs = theirs_build + theirs_metrics
    print(f"{'':34s} {'seconds':>9s} {'x baseline':>11s}")
    print(f"{'GraphFLA build':34s} {theirs_build:9.3f} {theirs_build / baseline:11.1f}")
    print(
        f"{'GraphFLA shared metrics':34s} {theirs_metrics:9.3f} {theirs_metrics / baseline:11.1f}"
    )
    print(f"{'lossatlas same metrics (incl graph)':34s} {ours:9.3f} {ours / baseline:11.1f}")
    print(f"GraphFLA / lossatlas: {theirs / ours:.1f}x ({len(SHARED)} shared metrics)")


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
    import compileall

    import lossatlas
    from lossatlas.io import write_landscape

    # bytecode, as an installed package has it (GraphFLA's is compiled by pip); without it every
    # child compiles lossatlas from source (PYTHONDONTWRITEBYTECODE keeps it from being cached)
    compileall.compile_dir(Path(lossatlas.__file__).parent, quiet=1)
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
    theirs, ours = times["GraphFLA build+4 metrics"], times["lossatlas analyze"]
    for label, index in (("wall", 0), ("CPU", 1)):
        ratio = med["GraphFLA build+4 metrics"][index] / med["lossatlas analyze"][index]
        per_round = [t[index] / o[index] for t, o in zip(theirs, ours, strict=True)]
        rounds_ratio = float(np.median(per_round))
        print(
            f"GraphFLA / lossatlas analyze ({label}): {ratio:5.1f}x of the medians, "
            f"{rounds_ratio:5.1f}x median of the per-round ratios (target >= 15)"
        )
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
    parser.add_argument(
        "--graphfla-hps", type=int, default=6, help="GraphFLA grid: HPs x 10 values (0: skip)"
    )
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
    profiles(full, bowl_landscape(4, 10), baseline, eps=args.epsilon)
    if args.graphfla_hps:
        against_graphfla(bowl_landscape(args.graphfla_hps, 10), baseline, eps=args.epsilon)
    print(
        f"\n10^6 profile: {profile_s:.2f} s (target < 3 s: {'met' if profile_s < 3 else 'MISSED'})"
    )
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
