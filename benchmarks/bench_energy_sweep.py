"""``energy sweep`` on the diabetes GP: before and after limiting BLAS threads, same inputs.

Profile first (``python -m cProfile`` of one ``find_stationary_points`` call on the diabetes
GP at nu = 1.3, 309 training points, 3 hyperparameters) showed where a sweep spends its time:
the Cholesky factorisations of the 309 x 309 kernel matrix (37 %) and the modified Bessel
function ``kve`` of the Matern kernel at non-half-integer nu (50 %), in the finite-difference
Hessians of the Newton searches (70 % of the calls). The Cholesky share is thread contention:
OpenBLAS with its default threads on this shared 2-core machine took 177 ms per factorisation,
3 ms with one thread. Two changes:

* the sweep limits BLAS to one thread (``blas_threads=1``, as ``basin_hopping`` and
  ``connect`` do);
* ``GaussianProcessNLL`` evaluates the Bessel functions on the upper triangle of the symmetric
  kernel matrix only, and keeps the last few correlation matrices by (length scale, nu): the
  finite-difference Hessian moves the signal and noise variances, which leave them unchanged.

Both runs sweep the same data over the same nu values from the same seed. "before" is the old
kernel (full matrices, no cache; reproduced below as ``_OldKernelGP``, numerically the same
values) with ``blas_threads=None`` (BLAS left alone); "after" is the shipped code.
Run: ``python benchmarks/bench_energy_sweep.py [--quick]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from lossatlas.energy import potential_from_spec, potential_spec, sweep_parameter
from lossatlas.energy.potentials import GaussianProcessNLL
from lossatlas.energy.potentials._gp import _matern_g, matern_correlation


class _OldKernelGP(GaussianProcessNLL):
    """The kernel evaluation as it was: full matrices, nothing kept."""

    def _kernel(self, ls, nu, scaled, with_g):  # type: ignore[no-untyped-def]
        r2 = scaled.sum(0)
        z = np.sqrt(2.0 * nu * r2)
        return r2, matern_correlation(z, nu), _matern_g(z, nu) if with_g else None

    def with_nu(self, nu: float) -> _OldKernelGP:
        return _OldKernelGP(self.X, self.y_raw, nu=nu, jitter=self.jitter)


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

    gp = family(1.5)
    old = _OldKernelGP(gp.X, gp.y_raw, nu=1.5, jitter=gp.jitter)
    x = np.array([0.3, 0.1, -1.0])
    assert np.allclose(old.with_nu(1.3).gradient(x), gp.with_nu(1.3).gradient(x), rtol=1e-12)
    n = gp.X.shape[0]
    print(f"diabetes GP: {n} training points, nu values {values.tolist()}, {starts} starts")
    timings = {}
    runs = (("after", family, 1), ("before", old.with_nu, None))
    for label, fam, threads in runs:
        if args.skip_before and label == "before":
            continue
        t0 = time.perf_counter()
        sweep = sweep_parameter(
            fam, values, parameter="nu", n_random=starts, seed=0, blas_threads=threads
        )
        timings[label] = time.perf_counter() - t0
        print(f"{label}: {timings[label]:.1f} s, counts {sweep.counts().tolist()}")
    if len(timings) == 2:
        ratio = timings["before"] / timings["after"]
        print(f"speed-up: {ratio:.1f}x")


if __name__ == "__main__":
    main()
