"""Connect benchmark: ``connect_lowest`` with the old and the current eigenvector-following.

Where the time of ``lossatlas energy connect`` went (cProfile and per-phase timers on a
breast-cancer 30-2-2 tanh network, 68 weights, 7 minima from 150 basin-hopping steps, seed 0):
hybrid eigenvector-following took ~92% of it, and within it the lowest Hessian eigenpair ~96%
(ARPACK Lanczos with a relative tolerance of 1e-10 on a spectrum whose lowest eigenvalues
cluster at ~1e-5, the L2 constant: hundreds of restarts per call, ~0.4 s a call). The DNEB
bands took ~2%, the push-off minimisations, Hessian summaries, duplicate checks, Dijkstra
distances and SQLite well under 1% together.

The two settings, on copies of the same database, same seed, same band options:

* ``old``: the eigenpair by Lanczos at every cycle (what ``"auto"`` chose above 64 weights),
  a second dense Hessian for the index check, no Newton steps (``eigenvector_method="lanczos"``,
  ``newton_factor=0``);
* ``new``: the defaults: the dense Hessian (``ndim`` R-operator products in blocks) and one
  ``eigh`` per cycle up to 256 weights, the same decomposition for the index check, and
  Newton-Raphson steps once the RMS gradient is within 10x the tolerance at index 1.

Printed per setting: wall time, time per connection attempt (DNEB + eigenvector-following
search), pairs joined and whether every one of the lowest minima is joined to the global
minimum. Run: ``python benchmarks/bench_connect.py [--quick] [--lowest N] [--db FILE]``
(``--quick``: the 4-3-3 iris network, a smoke run).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from lossatlas.energy import Database, basin_hopping, connect_lowest, potential_db_options
from lossatlas.energy._connect import transition_state_path
from lossatlas.energy.potentials import make_potential

OLD: dict[str, Any] = {"eigenvector_method": "lanczos", "newton_factor": 0.0}
NEW: dict[str, Any] = {}


def build_database(path: Path, *, quick: bool, seed: int) -> Any:
    """Basin-hopping database of the benchmark network (see the module docstring)."""
    if quick:
        pot = make_potential("mlp", dataset="iris", hidden=3, seed=seed)
        steps = 100
    else:
        pot = make_potential("mlp", dataset="breast_cancer", hidden=2, seed=seed)
        steps = 150
    with Database(path, **potential_db_options(pot)) as db:
        basin_hopping(pot, db, steps=steps, step_size=1.0, temperature=2.0, seed=seed)
    return pot


def run(
    source: Path, work: Path, saddle: dict[str, Any], lowest: int, seed: int, potential: Any
) -> dict:
    """``connect_lowest`` on a fresh copy of ``source`` with these saddle options."""
    shutil.copy(source, work)
    with Database.open(work, writable=True) as db:
        pot = potential if potential is not None else db.potential
        t0 = time.perf_counter()
        results = connect_lowest(pot, db, lowest=lowest, seed=seed, saddle_options=saddle)
        seconds = time.perf_counter() - t0
        minima = db.minima()[:lowest]
        joined_all = all(transition_state_path(db, minima[0].id, m.id)[0] for m in minima)
        n_ts = db.n_transition_states()
    searches = sum(r.n_searches for r in results)
    return {
        "seconds": seconds,
        "searches": searches,
        "per_search": seconds / max(searches, 1),
        "joined": f"{sum(r.success for r in results)}/{len(results)}",
        "all_joined_to_global": joined_all,
        "transition_states": n_ts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="iris 4-3-3 (smoke run)")
    parser.add_argument("--lowest", type=int, default=4, help="connect the N lowest minima")
    parser.add_argument("--db", type=Path, default=None, help="use this database (copied)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", choices=["old", "new"], default=None, help="one setting")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source, potential = args.db, None
        if source is None:
            source = Path(tmp) / "source.sqlite"
            potential = build_database(source, quick=args.quick, seed=args.seed)
        rows = {}
        for name, saddle in (("old", OLD), ("new", NEW)):
            if args.only not in (None, name):
                continue
            work = Path(tmp) / f"{name}.sqlite"
            rows[name] = run(source, work, saddle, args.lowest, args.seed, potential)
            r = rows[name]
            print(
                f"{name}: {r['seconds']:.1f} s, {r['searches']} searches, "
                f"{r['per_search']:.2f} s per search, joined {r['joined']}, all lowest joined "
                f"to the global minimum: {r['all_joined_to_global']}, "
                f"{r['transition_states']} transition states"
            )
    if len(rows) == 2:
        print(f"old/new time ratio: {rows['old']['seconds'] / rows['new']['seconds']:.2f}")


if __name__ == "__main__":
    main()
