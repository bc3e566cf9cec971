"""Basin-hopping chains on dask.distributed workers (a LocalCluster on loopback); the client
alone writes the database."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import numpy as np
import pytest

from lossatlas.cli import main
from lossatlas.energy import Database, MullerBrown, distributed_basin_hopping
from lossatlas.energy._distributed import LocalMinima
from lossatlas.energy.potentials import potential_spec

distributed = pytest.importorskip("distributed")

MB_ENERGIES = [-146.6995, -108.1667, -80.7678]


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as c:
        assert c.scheduler_address.startswith("tcp://127.0.0.1:")
        yield c


def test_local_minima_follow_the_database_rule() -> None:
    store = LocalMinima(energy_tol=1e-4, distance_tol=1e-3)
    a, new_a = store.add_minimum(-1.0, np.array([0.0, 0.0]), n_positive=2)
    b, new_b = store.add_minimum(-1.0 + 5e-5, np.array([5e-4, 0.0]))
    c, new_c = store.add_minimum(-1.0, np.array([2e-3, 0.0]))  # same energy, elsewhere
    d, new_d = store.add_minimum(-2.0, np.array([9.0, 9.0]))
    assert (new_a, new_b, new_c, new_d) == (True, False, True, True)
    assert b is a and a.n_positive == 2
    assert [m.id for m in store.minima()] == [d.id, a.id, c.id]
    assert store.find_minimum(-1.00002, np.array([1e-4, 0.0])) is a
    assert store.find_minimum(-1.01, np.array([0.0, 0.0])) is None


def test_chains_run_on_workers_and_only_the_client_writes(
    cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened_in: list[str] = []
    original = Database.__init__

    def spy(self, *args, **kwargs):  # workers are threads here: any open on them is seen
        opened_in.append(threading.current_thread().name)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Database, "__init__", spy)
    path = tmp_path / "mb.sqlite"
    with distributed.Client(cluster) as client:
        results = distributed_basin_hopping(
            potential_spec("muller-brown"),
            path,
            scheduler=client,
            chains=3,
            seed=0,
            steps=60,
            temperature=2.0,
        )
        ran_on = client.run(lambda: threading.get_ident())  # the workers exist
    assert len(ran_on) == 2
    assert opened_in and set(opened_in) == {threading.main_thread().name}
    assert [r.n_steps for r in results] == [60, 60, 60]
    with Database(path, canonicalise=MullerBrown().canonicalise) as db:
        minima = db.minima()
        assert [round(m.energy, 4) for m in minima] == MB_ENERGIES
        assert all(m.n_positive == 2 and m.fvib is not None for m in minima)
        ids = {m.id for m in minima}
    assert sum(r.n_new_minima for r in results) == 3  # each stored once, by the client
    assert all(set(r.minima_ids) <= ids for r in results)


def test_same_seed_same_database(cluster, tmp_path: Path) -> None:
    stored = []
    for name in ("a", "b"):
        with distributed.Client(cluster) as client:
            distributed_basin_hopping(
                potential_spec("muller-brown"),
                tmp_path / f"{name}.sqlite",
                scheduler=client,
                chains=2,
                seed=5,
                steps=15,
            )
        with Database(tmp_path / f"{name}.sqlite") as db:
            stored.append([(m.id, m.energy, m.coords.tolist()) for m in db.minima()])
    assert stored[0] == stored[1]


def test_cli_scheduler_runs_chains(cluster, tmp_path: Path, capsys) -> None:
    db = tmp_path / "cli.sqlite"
    argv = ["energy", "explore", "--potential", "muller-brown", "--db", str(db), "-q"]
    code = main([*argv, "--steps", "30", "--chains", "2", "--scheduler", cluster.scheduler_address])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "muller-brown: 60 steps" in out
    with Database(db) as d:
        assert d.n_minima() >= 1 and d.get_meta("potential")["name"] == "muller-brown"


def test_cli_bad_scheduler_is_one_error_line(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lossatlas.energy._distributed as dist

    monkeypatch.setattr(dist, "CONNECT_TIMEOUT", 1.0)
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "bad.sqlite"
    argv = ["energy", "explore", "--potential", "muller-brown", "--db", str(db), "-q"]
    code = main([*argv, "--steps", "5", "--scheduler", f"tcp://127.0.0.1:{port}"])
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert "cannot reach the dask scheduler" in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert not db.exists()  # refused before the database was created
