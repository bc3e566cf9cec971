"""Tests of basin-hopping: Mueller-Brown fixture, resumption, parallel chains, crash safety."""

from __future__ import annotations

import math
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from lossatlas.energy import Database, basin_hopping, parallel_basin_hopping, refine_minimum
from lossatlas.energy._basinhopping import _metropolis
from lossatlas.energy.potentials import MullerBrown, potential_spec
from lossatlas.errors import InputError

# Reference table (energy-landscapes.md): x, y, value
MB_MINIMA = [(-0.5582, 1.4417, -146.6995), (0.6235, 0.0280, -108.1667), (-0.0500, 0.4667, -80.7678)]


def assert_mueller_brown_minima(db: Database) -> None:
    minima = db.minima()
    assert len(minima) == 3
    for m, (x, y, e) in zip(minima, MB_MINIMA, strict=True):
        # the fixture is rounded to 4 decimals: agreement to 1e-4
        assert abs(m.energy - e) <= 1e-4
        assert np.max(np.abs(m.coords - [x, y])) <= 1e-4
        assert m.n_positive == 2 and m.lowest_eigenvalue > 0 and math.isfinite(m.fvib)


def test_mueller_brown_finds_all_three_minima(tmp_path: Path) -> None:
    pot = MullerBrown()
    with Database(tmp_path / "mb.sqlite", canonicalise=pot.canonicalise) as db:
        res = basin_hopping(pot, db, steps=150, step_size=1.0, temperature=2.0, seed=0)
        assert_mueller_brown_minima(db)
        assert res.n_steps == 150 and res.n_quenches == 151
        assert res.n_new_minima == 3 and sorted(res.minima_ids) == sorted(m.id for m in db.minima())
        assert res.best_energy == pytest.approx(-146.6995, abs=1e-4)
        assert pot.energy(res.best_coords) == pytest.approx(res.best_energy)
        assert 0 < res.n_accepted <= res.n_steps and res.acceptance_rate == res.n_accepted / 150
        assert res.quenches_per_second > 0

        # a second call continues: starts from the lowest stored minimum, adds nothing
        again = basin_hopping(pot, db, steps=10, step_size=1.0, seed=1)
        assert again.n_new_minima == 0 and len(db.minima()) == 3
        assert again.minima_ids[0] == db.minima()[0].id  # the start quench is the global minimum


def test_reproducible_with_seed(tmp_path: Path) -> None:
    pot = MullerBrown()
    runs = []
    for name in ("a", "b"):
        with Database(tmp_path / f"{name}.sqlite") as db:
            r = basin_hopping(pot, db, steps=15, seed=7, x0=np.array([0.5, 0.0]))
            runs.append((r.n_accepted, r.minima_ids, [m.energy for m in db.minima()]))
    assert runs[0] == runs[1]


def test_metropolis_rule() -> None:
    rng = np.random.default_rng(0)
    assert _metropolis(-1.0, 0.0, 0.0, rng) and _metropolis(0.0, 0.0, 0.0, rng)
    assert not any(_metropolis(1e-9, 0.0, 0.0, rng) for _ in range(100))
    # uphill by dE at T: accepted with probability exp(-dE/T) = exp(-1)
    freq = np.mean([_metropolis(2.0, 0.0, 2.0, rng) for _ in range(20_000)])
    assert abs(freq - math.exp(-1.0)) < 0.015


def test_zero_temperature_never_goes_uphill(tmp_path: Path) -> None:
    pot = MullerBrown()
    gmin = np.array([-0.5582, 1.4417])
    with Database(tmp_path / "t0.sqlite") as db:
        cold = basin_hopping(pot, db, steps=60, temperature=0.0, seed=3, x0=gmin)
        hot = basin_hopping(pot, db, steps=60, temperature=1e9, seed=3, x0=gmin)
    # from the global minimum, T = 0 rejects every quench into the two higher minima
    assert len(hot.minima_ids) == 3 and hot.n_accepted == 60
    assert len(cold.minima_ids) == 3 and cold.n_accepted < 60
    assert cold.best_energy == pytest.approx(-146.6995, abs=1e-4)


def test_adaptive_step(tmp_path: Path) -> None:
    pot = MullerBrown()
    with Database(tmp_path / "ad.sqlite") as db:
        # at a huge temperature every move is accepted: rate 1 > 0.5, the step grows twice
        res = basin_hopping(
            pot, db, steps=20, temperature=1e9, adaptive_step=True, adapt_interval=10, seed=0
        )
        assert res.acceptance_rate == 1.0
        assert res.final_step_size == pytest.approx(1.0 / 0.81)
        fixed = basin_hopping(pot, db, steps=5, seed=0)
        assert fixed.final_step_size == 1.0


def test_option_errors(tmp_path: Path) -> None:
    pot = MullerBrown()
    with Database(tmp_path / "e.sqlite") as db:
        with pytest.raises(InputError, match="step_size"):
            basin_hopping(pot, db, steps=1, step_size=0.0)
        with pytest.raises(InputError, match="temperature"):
            basin_hopping(pot, db, steps=1, temperature=-1.0)
        with pytest.raises(InputError, match="x0 has 3"):
            basin_hopping(pot, db, steps=1, x0=np.zeros(3))


def test_refinement_brings_soft_mode_quenches_together() -> None:
    """Saturated units give Hessian eigenvalues ~1e-6: a 1e-6 quench drifts ~0.1 along them."""
    from lossatlas.energy import minimize
    from lossatlas.energy.potentials import make_potential

    pot = make_potential("mlp", dataset="iris", hidden=10)
    rng = np.random.default_rng(0)
    base = refine_minimum(pot, minimize(pot, rng.uniform(-5, 5, pot.ndim)).x)
    assert base.converged and base.rms_gradient < 1e-9
    c = pot.canonicalise
    for _ in range(2):
        q = minimize(pot, base.x + rng.normal(0, 0.05, pot.ndim))
        r = refine_minimum(pot, q.x)
        assert np.linalg.norm(c(q.x) - c(base.x)) > 1e-2  # as quenched: "distinct"
        assert np.linalg.norm(c(r.x) - c(base.x)) < 1e-3  # refined: the same minimum
        assert abs(r.energy - base.energy) < 1e-10


def test_parallel_chains_share_one_database(tmp_path: Path) -> None:
    path = tmp_path / "par.sqlite"
    results = parallel_basin_hopping(
        potential_spec("muller-brown"), path, chains=2, steps=60, seed=0, temperature=2.0
    )
    assert len(results) == 2 and all(r.n_steps == 60 for r in results)
    assert sum(r.n_new_minima for r in results) == 3  # each minimum stored once, by one chain
    with Database(path) as db:
        assert_mueller_brown_minima(db)
        assert db.integrity_check() == "ok"


CRASH_SCRIPT = textwrap.dedent(
    """
    import sys
    from lossatlas.energy._basinhopping import basin_hopping
    from lossatlas.energy._database import Database
    from lossatlas.energy._data import load_energy_dataset
    from lossatlas.energy.potentials import MLPCrossEntropy

    ds = load_energy_dataset("iris", binary=True)
    pot = MLPCrossEntropy(ds.X_train[:, :2], ds.y_train, n_hidden=3, n_classes=2)
    with Database(sys.argv[1], canonicalise=pot.canonicalise) as db:
        print("started", flush=True)
        basin_hopping(pot, db, steps=100_000, step_size=4.0, seed=int(sys.argv[2]))
    """
)


def small_mlp():
    from lossatlas.energy import load_energy_dataset
    from lossatlas.energy.potentials import MLPCrossEntropy

    ds = load_energy_dataset("iris", binary=True)
    return MLPCrossEntropy(ds.X_train[:, :2], ds.y_train, n_hidden=3, n_classes=2)


def assert_no_duplicates(db: Database) -> None:
    minima = db.minima()
    assert len({m.id for m in minima}) == len(minima)
    for i, a in enumerate(minima):
        for b in minima[:i]:
            same = (
                abs(a.energy - b.energy) <= db.energy_tol
                and np.linalg.norm(a.coords - b.coords) <= db.distance_tol
            )
            assert not same, f"minima {a.id} and {b.id} are duplicates"


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_crash_mid_run_then_continue(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite"
    script = tmp_path / "run.py"
    script.write_text(CRASH_SCRIPT)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(path), "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"started"
        deadline = time.monotonic() + 40
        n = 0
        while time.monotonic() < deadline and n < 4:  # wait for a few committed minima
            time.sleep(0.05)
            con = sqlite3.connect(path, timeout=10)
            n = con.execute("SELECT count(*) FROM minima").fetchone()[0]
            con.close()
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert n >= 4
        proc.send_signal(signal.SIGKILL)  # no clean-up: possibly mid-transaction
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    pot = small_mlp()
    with Database(path, canonicalise=pot.canonicalise) as db:
        assert db.integrity_check() == "ok"
        before = db.minima()
        assert len(before) >= 4
        assert_no_duplicates(db)
        lowest = before[0]
        res = basin_hopping(pot, db, steps=8, step_size=4.0, seed=0)  # same seed as the killed run
        assert res.minima_ids[0] == lowest.id  # continued from the lowest stored minimum
        after = db.minima()
        assert {m.id for m in before} <= {m.id for m in after}
        assert len(after) == len(before) + res.n_new_minima
        assert_no_duplicates(db)
        # revisiting a stored minimum is recognised, never stored twice
        for m in before:
            rec, new = db.add_minimum(m.energy, pot.permute_hidden(m.coords, np.array([2, 1, 0])))
            assert not new and rec.id == m.id
