"""Basin-hopping benchmark: lossatlas against ``scipy.optimize.basinhopping``.

Two tanh networks with softmax output and cross-entropy + 1e-5 ||W||^2 loss on iris:

* ``2-3-2``: the first two iris features (sepal length and width, standardised) and two classes
  (virginica against the rest, the ``binary=True`` split of ``load_energy_dataset``); 17
  weights. Two overlapping sepal features make the problem non-separable, so the landscape has
  many minima.
* ``4-10-3``: all four features, three classes; 83 weights (``make_potential("mlp",
  hidden=10)``).

Both explorers get the same potential, the same start point (uniform in [-5, 5], the reference
setting), the same number of steps, step size 1.0 (uniform per weight, fixed: scipy's step
adaptation is switched off with ``interval > niter``), T = 2.0, and the same minimiser: L-BFGS
with 30 correction pairs, stopped when the RMS gradient drops below 1e-6 (scipy's own tests
switched off, a callback applies the RMS rule, as in :func:`lossatlas.energy._minimize.minimize`).
Distinct minima of the scipy run are counted from its callback, after the refinement to RMS
1e-9 that lossatlas applies before storing (``refine_minimum``; untimed), with the rule of the
lossatlas database (|dE| <= 1e-4 and distance <= 1e-3 after canonicalising hidden-unit
permutations and sign flips), the start quench included on both sides. The lossatlas timing
includes all it does beyond scipy: the duplicate look-up in SQLite, the refinement to RMS 1e-9
of every quench not found there at once (soft modes put a 1e-6 quench up to ~0.2 away from its
minimum), the Hessian summary of each new minimum and the write. The refinement is a
trust-region Newton iteration with the dense Hessian (assembled from the output Jacobian of the
network), L-BFGS from the quench taking over when Newton carries the point more than 1.0 away
(``refine_minimum``); scipy's refinement for counting uses the same function.

Two thread settings are timed: "as shipped" (scipy with the BLAS defaults; lossatlas limits
BLAS to one thread during basin-hopping, its default) and "1 BLAS thread" (both limited), which
isolates the algorithmic cost. lossatlas quenches with its own numpy L-BFGS (compact
representation, backtracking line search lengthened while Wolfe's curvature condition fails;
:mod:`lossatlas.energy._lbfgs`), scipy with L-BFGS-B (More-Thuente line search): the same
memory and stopping rule, different line searches, so the walks and the quench lengths differ
(the ``ev/q`` columns); the rate is what each pays per quench.

``--startup`` times the energy CLI's fixed cost instead: ``lossatlas energy explore --steps 0``
(start-up, a new database, the start quench of the default 4-10-3 iris network and its
Hessian summary, the write) against ``python -c pass``, in interleaved rounds, medians
reported. Run: ``python benchmarks/bench_energy.py [--quick] [--startup]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.optimize import basinhopping
from threadpoolctl import threadpool_limits

from lossatlas.energy import (
    Database,
    basin_hopping,
    load_energy_dataset,
    potential_db_options,
    refine_minimum,
    rms_gradient,
)
from lossatlas.energy.potentials import MLPCrossEntropy, make_potential

RMS_TOL = 1e-6
TEMPERATURE = 2.0


def net_232() -> MLPCrossEntropy:
    ds = load_energy_dataset("iris", binary=True)
    return MLPCrossEntropy(ds.X_train[:, :2], ds.y_train, n_hidden=3, lam=1e-5, n_classes=2)


def net_4103() -> MLPCrossEntropy:
    return make_potential("mlp", dataset="iris", hidden=10)  # type: ignore[return-value]


class Counting:
    """A potential that counts its energy-and-gradient evaluations (everything else delegated)."""

    def __init__(self, potential) -> None:
        self._potential = potential
        self.ndim = potential.ndim
        self.n_evaluations = 0

    def energy_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        self.n_evaluations += 1
        return self._potential.energy_gradient(x)

    def __getattr__(self, name: str):
        return getattr(self._potential, name)


def run_lossatlas(pot, x0, steps, step, seed, workdir, *, lean=False, blas_threads=1) -> dict:
    """lossatlas basin-hopping; ``lean`` skips the refinement and the Hessian summaries."""
    path = workdir / f"la-{seed}-{time.perf_counter_ns()}.sqlite"
    pot = Counting(pot)
    with Database(path, **potential_db_options(pot)) as db:
        t = time.perf_counter()
        res = basin_hopping(
            pot,
            db,
            steps=steps,
            step_size=step,
            temperature=TEMPERATURE,
            x0=x0,
            rms_tol=RMS_TOL,
            store_tol=None if lean else 1e-9,
            compute_hessian=not lean,
            seed=seed,
            blas_threads=blas_threads,
        )
        elapsed = time.perf_counter() - t
        n_minima = db.n_minima()
    evals = pot.n_evaluations / (steps + 1)
    return dict(qps=(steps + 1) / elapsed, evals=evals, minima=n_minima, best=res.best_energy)


def run_scipy(pot, x0, steps, step, seed, workdir) -> dict:
    """scipy.optimize.basinhopping with the same L-BFGS and RMS stopping rule."""
    last: dict[str, np.ndarray] = {}
    counter = Counting(pot)

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        e, g = counter.energy_gradient(x)
        last["x"], last["g"] = x.copy(), g
        return e, g

    def stop_on_rms(intermediate_result) -> None:
        x = intermediate_result.x
        g = last["g"] if np.array_equal(x, last.get("x")) else pot.gradient(x)
        if rms_gradient(g) < RMS_TOL:
            raise StopIteration

    found: list[np.ndarray] = []
    minimizer = dict(
        method="L-BFGS-B",
        jac=True,
        callback=stop_on_rms,
        options=dict(maxcor=30, ftol=0.0, gtol=0.0, maxiter=10_000, maxfun=100_100),
    )
    t = time.perf_counter()
    res = basinhopping(
        fun,
        x0,
        niter=steps,
        T=TEMPERATURE,
        stepsize=step,
        minimizer_kwargs=minimizer,
        interval=steps + 1,  # no step-size adaptation
        callback=lambda x, f, accept: found.append(np.array(x)),
        rng=np.random.default_rng(seed),
    )
    elapsed = time.perf_counter() - t
    # distinct minima by the database's rule, after the same refinement lossatlas applies
    # before storing (without it soft modes split one minimum into many); timed separately
    path = workdir / f"sp-{seed}-{time.perf_counter_ns()}.sqlite"
    t = time.perf_counter()
    with Database(path, **potential_db_options(pot)) as db:
        for x in found:
            p = refine_minimum(pot, x, rms_tol=RMS_TOL, store_tol=1e-9)
            db.add_minimum(p.energy, p.x)
        n_minima = db.n_minima()
    refine = time.perf_counter() - t
    evals = counter.n_evaluations / (steps + 1)
    return dict(
        qps=(steps + 1) / elapsed,
        qps_refined=(steps + 1) / (elapsed + refine),
        evals=evals,
        minima=n_minima,
        best=float(res.fun),
    )


_CLI = "import sys; from lossatlas.cli import _entry; sys.argv[0] = 'lossatlas'; sys.exit(_entry())"


def _wall(cmd: list[str], cwd: Path) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def startup(rounds: int) -> None:
    """Median wall time of ``energy explore --steps 0`` against ``python -c pass``."""
    base, explore = [], []
    with tempfile.TemporaryDirectory() as d:
        workdir = Path(d)
        for i in range(rounds):  # interleaved: both see the same machine load
            base.append(_wall([sys.executable, "-c", "pass"], workdir))
            db = f"s{i}.sqlite"
            explore.append(
                _wall(
                    [sys.executable, "-c", _CLI, "energy", "explore", "--db", db]
                    + ["--steps", "0", "-q"],
                    workdir,
                )
            )
    b, e = statistics.median(base), statistics.median(explore)
    print(
        f"energy explore --steps 0 (start quench included), median of {rounds} rounds: "
        f"{e:.3f} s; python -c pass: {b:.3f} s; fixed cost {e - b:.3f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps (a smoke run)")
    parser.add_argument("--seeds", type=int, default=3, help="independent runs per setting")
    parser.add_argument("--step", type=float, default=1.0, help="step size (both explorers)")
    parser.add_argument(
        "--views",
        action="store_true",
        help="also time slices and spectra against the number of weights (bench_views.py)",
    )
    parser.add_argument(
        "--startup",
        action="store_true",
        help="time the energy CLI's fixed cost (explore --steps 0 against python -c pass)",
    )
    args = parser.parse_args()
    if args.startup:
        startup(5 if args.quick else 15)
        return
    nets = [
        ("2-3-2", net_232, 20 if args.quick else 100),
        ("4-10-3", net_4103, 6 if args.quick else 30),
    ]
    print(
        f"T={TEMPERATURE} step={args.step} quench RMS<{RMS_TOL} L-BFGS m=30; mean of "
        f"{args.seeds} seeds.\nq/s = quenches per second; ev/q = energy+gradient evaluations per "
        "quench (the walks differ, so quench lengths differ); ratios are lossatlas / scipy.\n"
        "la = lossatlas as used (refinement to 1e-9, Hessian summary, SQLite); "
        "lean = lossatlas without refinement and Hessian (its minima are not counted: unrefined "
        "quenches split one minimum into many);\nsp+ref = scipy plus the refinement of its "
        "quenches to 1e-9 needed to count its distinct minima (no Hessians, no storage)."
    )
    header = (
        f"{'net':>6} {'BLAS threads':>12} {'steps':>5} | {'q/s sp':>7} {'q/s la':>7} "
        f"{'ratio':>5} {'q/s lean':>8} {'ratio':>5} {'sp+ref':>6} {'ratio':>5} | "
        f"{'ev/q sp':>7} {'ev/q la':>7} | "
        f"{'minima sp':>9} {'minima la':>9} {'ratio':>5} | {'best sp':>8} {'best la':>8}"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as d:
        workdir = Path(d)
        for name, build, steps in nets:
            pot = build()
            for setting in ("as shipped", "1 for both"):
                runs: dict[str, list[dict]] = {"sp": [], "la": [], "lean": []}
                for seed in range(args.seeds):
                    x0 = pot.random_coordinates(np.random.default_rng(100 + seed))
                    common = (pot, x0, steps, args.step, seed, workdir)
                    limit = threadpool_limits(limits=1, user_api="blas")
                    if setting == "as shipped":
                        limit.restore_original_limits()
                    runs["sp"].append(run_scipy(*common))
                    runs["la"].append(run_lossatlas(*common))
                    runs["lean"].append(run_lossatlas(*common, lean=True))
                    limit.restore_original_limits()
                fields = ("qps", "qps_refined", "evals", "minima")
                m = {
                    k: {f: float(np.mean([r.get(f, np.nan) for r in v])) for f in fields}
                    for k, v in runs.items()
                }
                best = {k: min(r["best"] for r in v) for k, v in runs.items()}
                sp, la, lean = m["sp"], m["la"], m["lean"]
                print(
                    f"{name:>6} {setting:>12} {steps:>5} | {sp['qps']:7.1f} {la['qps']:7.1f} "
                    f"{la['qps'] / sp['qps']:5.2f} {lean['qps']:8.1f} "
                    f"{lean['qps'] / sp['qps']:5.2f} {sp['qps_refined']:6.1f} "
                    f"{la['qps'] / sp['qps_refined']:5.2f} | "
                    f"{sp['evals']:7.1f} {la['evals']:7.1f} | "
                    f"{sp['minima']:9.1f} {la['minima']:9.1f} "
                    f"{la['minima'] / max(sp['minima'], 1.0):5.2f} | "
                    f"{best['sp']:8.5f} {best['la']:8.5f}",
                    flush=True,
                )
    if args.views:
        # slices and Hessian spectra per number of weights, as ratios to one energy+gradient
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import bench_views

        sys.argv = [sys.argv[0], *(["--quick"] if args.quick else [])]
        bench_views.main()


if __name__ == "__main__":
    main()
