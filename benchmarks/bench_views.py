"""Weight-space views benchmark: slice and spectrum cost against the number of weights.

Tanh networks with softmax output and cross-entropy + 1e-5 ||W||^2 loss on iris (4 inputs,
3 classes, 105 training rows), hidden widths 3, 10, 30 and 100 (27 to 803 weights), and a torch
module of the same layout. Every cost is reported as a ratio against one energy+gradient
evaluation of the same potential measured in the same run (the fastest of many calls), so the
numbers say how many gradients a view costs:

* ``slice 21x21``: a 2-D slice along two random filter-normalised directions, 441 points
  (torch modules in ``vmap`` blocks), against ``slice loop`` (441 ``potential.energy`` calls:
  what the batching saves for torch; the numpy networks evaluate point by point anyway);
* ``hvp``: one Hessian-vector product (R-operator / double back-propagation);
* ``lanczos top-10``: the 10 largest eigenvalues (ARPACK on Hessian-vector products);
* ``hutchinson 100``: the trace from 100 Rademacher probes;
* ``slq 10x50``: the spectral density from 10 probes of 50 Lanczos steps;
* ``exact eigh``: the full Hessian (``potential.hessian``) and ``numpy.linalg.eigvalsh``.

Run: ``python benchmarks/bench_views.py [--quick]`` (``--quick``: widths 3 and 30 only).
This section belongs with ``benchmarks/bench_energy.py``; it lives here until they are merged.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from lossatlas.energy._slices import loss_slice
from lossatlas.energy._spectrum import (
    extreme_eigenvalues,
    hessian_operator,
    hutchinson_trace,
    spectral_density,
)
from lossatlas.energy.potentials import make_potential


def _time(fn: Callable[[], object], *, repeat: int) -> float:
    """Fastest of ``repeat`` calls after two warm-up calls (the least disturbed by other load on
    a shared machine; torch's first calls also pay one-off set-up)."""
    fn()
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.min(times))


def _torch_twin(pot):  # the torch module of the same layout and data as a numpy network
    import torch

    from lossatlas.energy.potentials import TorchPotential

    net = torch.nn.Sequential(
        torch.nn.Linear(pot.n_in, pot.n_hidden), torch.nn.Tanh(), torch.nn.Linear(pot.n_hidden, 3)
    )
    return TorchPotential(net, torch.nn.functional.cross_entropy, pot.X, pot.y, lam=pot.lam)


def bench(pot, label: str, *, quick: bool) -> dict[str, float]:
    rng = np.random.default_rng(0)
    x = rng.uniform(-1.0, 1.0, size=pot.ndim)
    base = _time(lambda: pot.energy_gradient(x), repeat=200 if pot.ndim < 500 else 50)
    op = hessian_operator(pot, x)
    v = rng.normal(size=pot.ndim)
    out = {"weights": pot.ndim, "energy+gradient (ms)": 1e3 * base}
    cases: list[tuple[str, Callable[[], object], int]] = [
        ("slice 21x21", lambda: loss_slice(pot, x, points=21, heldout=False), 3),
        ("slice loop", lambda: [pot.energy(x + 0.01 * i * v) for i in range(441)], 3),
        ("hvp", lambda: op.matvec(v), 50),
        ("lanczos top-10", lambda: extreme_eigenvalues(pot, x, top=10, bottom=0), 3),
        ("hutchinson 100", lambda: hutchinson_trace(pot, x, n_samples=100), 3),
        ("slq 10x50", lambda: spectral_density(pot, x, n_vectors=10, steps=50), 3),
    ]
    if pot.ndim <= 300 or not quick:
        cases.append(("exact eigh", lambda: np.linalg.eigvalsh(pot.hessian(x)), 3))
    for name, fn, repeat in cases:
        out[name] = _time(fn, repeat=repeat) / base
    print(
        f"{label:>14} " + " ".join(f"{k}={v:.4g}" for k, v in out.items()),
        flush=True,
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    widths = (3, 30) if args.quick else (3, 10, 30, 100)
    print("cost of each view in energy+gradient evaluations of the same potential")
    for h in widths:
        pot = make_potential("mlp", dataset="iris", hidden=h)
        bench(pot, f"numpy 4-{h}-3", quick=args.quick)
        try:
            twin = _torch_twin(pot)
        except ImportError:
            continue
        bench(twin, f"torch 4-{h}-3", quick=args.quick)


if __name__ == "__main__":
    main()
