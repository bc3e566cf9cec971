"""``energy sweep`` on the diabetes GP: before and after limiting BLAS threads, same inputs.

Profile first (``python -m cProfile`` of one ``find_stationary_points`` call on the diabetes
GP at nu = 1.3, 309 training points, 3 hyperparameters) showed where a sweep spends its time:
the Cholesky factorisations of the 309 x 309 kernel matrix (37 %) and the modified Bessel
function ``kve`` of the Matern kernel at non-half-integer nu (50 %), in the finite-difference
Hessians of the Newton searches (70 % of the calls). The Cholesky share is thread contention:
OpenBLAS with its default threads on this shared 2-core machine took 177 ms per factorisation,
3 ms with one thread. The sweep now limits BLAS to one thread (``blas_threads=1``, as
``basin_hopping`` and ``connect`` do).

Both runs sweep the same potential over the same nu values from the same seed; the "before"
run is the same code with ``blas_threads=None`` (BLAS left alone, the old behaviour).
Run: ``python benchmarks/bench_energy_sweep.py [--quick]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from lossatlas.energy import potential_from_spec, potential_spec, sweep_parameter


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2 nu values, 1 random start")
    ap.add_argument("--skip-before", action="store_true", help="time only the new setting")
    args = ap.parse_args()
    spec = potential_spec("gp", dataset="diabetes")
    values = np.array([1.2, 1.5]) if args.quick else np.linspace(0.5, 3.0, 6)
    starts = 1 if args.quick else 4

    def family(nu: float):
        return potential_from_spec({**spec, "options": {**spec["options"], "nu": nu}})

    n = family(1.5).X.shape[0]
    print(f"diabetes GP: {n} training points, nu values {values.tolist()}, {starts} starts")
    timings = {}
    for label, threads in (("after (1 BLAS thread)", 1), ("before (BLAS default)", None)):
        if args.skip_before and threads is None:
            continue
        t0 = time.perf_counter()
        sweep = sweep_parameter(
            family, values, parameter="nu", n_random=starts, seed=0, blas_threads=threads
        )
        timings[label] = time.perf_counter() - t0
        print(f"{label}: {timings[label]:.1f} s, counts {sweep.counts().tolist()}")
    if len(timings) == 2:
        ratio = timings["before (BLAS default)"] / timings["after (1 BLAS thread)"]
        print(f"speed-up: {ratio:.1f}x")


if __name__ == "__main__":
    main()
