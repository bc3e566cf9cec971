"""Independent basin-hopping chains in separate processes, all storing into one database.

Each chain is a :func:`~lossatlas.energy._basinhopping.basin_hopping` walk in its own process
(``spawn`` start method); the worker rebuilds the potential from its spec and opens the shared
SQLite :class:`~lossatlas.energy._database.Database`, whose serialised transactions let the
chains see each other's minima. Chain ``k`` draws from the ``k``-th child of
``numpy.random.SeedSequence(seed)``, so a run is reproducible.

References
----------
D. J. Wales and J. P. K. Doye, "Global optimization by basin-hopping and the lowest energy
structures of Lennard-Jones clusters containing up to 110 atoms", J. Phys. Chem. A 101,
5111-5116 (1997).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from lossatlas.energy._basinhopping import BasinHoppingResult, basin_hopping
from lossatlas.energy._database import Database, potential_db_options
from lossatlas.energy._options import BasinHoppingOptions
from lossatlas.energy.potentials import potential_from_spec
from lossatlas.errors import InputError

__all__ = ["parallel_basin_hopping"]


class ChainPlan(NamedTuple):
    """What every chain of a multi-chain run starts from (local processes or dask workers)."""

    options: BasinHoppingOptions
    spec: dict[str, Any]
    potential: Any
    seeds: list[int]
    starts: list[np.ndarray]


def plan_chains(
    what: str,
    spec: Mapping[str, Any],
    db_path: str | Path,
    *,
    chains: int,
    seed: int,
    options: BasinHoppingOptions | Mapping[str, Any] | None,
    overrides: Mapping[str, Any],
    energy_tol: float | None,
    distance_tol: float | None,
) -> ChainPlan:
    """Options, potential, one seed per chain (``SeedSequence(seed).spawn``) and each chain's
    start: the database's lowest minimum when it has one, else a seeded random point.

    The database is opened (created when missing) with the potential's options, so a run
    on a database of another potential fails here, before any chain starts.
    """
    if int(chains) < 1:
        raise InputError(f"{what}: chains must be >= 1, got {chains}")
    opts = BasinHoppingOptions.build(options, **overrides)
    spec = dict(spec)
    potential = potential_from_spec(spec)
    tolerances = dict(energy_tol=energy_tol, distance_tol=distance_tol)
    children = np.random.SeedSequence(seed).spawn(int(chains))
    seeds = [int(c.generate_state(1)[0]) for c in children]
    with Database(db_path, **potential_db_options(potential), **tolerances) as db:
        stored = db.minima()
    starts = [
        stored[0].coords if stored else potential.random_coordinates(np.random.default_rng(s))
        for s in seeds
    ]
    return ChainPlan(opts, spec, potential, seeds, starts)


def _chain(
    spec: dict,
    db_path: str,
    x0: np.ndarray,
    seed: int,
    db_options: dict,
    options: BasinHoppingOptions,
) -> BasinHoppingResult:
    """One chain in a worker process: rebuild the potential, open the database, hop."""
    potential = potential_from_spec(spec)
    with Database(db_path, **potential_db_options(potential), **db_options) as db:
        return basin_hopping(potential, db, options, x0=x0, seed=seed)


def parallel_basin_hopping(
    spec: Mapping[str, Any],
    db_path: str | Path,
    options: BasinHoppingOptions | None = None,
    *,
    chains: int,
    seed: int = 0,
    energy_tol: float = 1e-4,
    distance_tol: float = 1e-3,
    max_workers: int | None = None,
    progress: bool = False,
    **overrides: Any,
) -> list[BasinHoppingResult]:
    """Independent basin-hopping chains in separate processes, all storing into one database.

    Parameters
    ----------
    spec : dict
        Potential spec (:func:`lossatlas.energy.potentials.potential_spec`); each process
        rebuilds the potential with ``potential_from_spec``.
    db_path : str or Path
        SQLite database shared by the chains (WAL mode; writes are serialised transactions,
        retried while another chain holds the lock).
    options : BasinHoppingOptions, optional
        Options of every chain (``steps`` is per chain); keywords ``**overrides`` (the same
        field names) override them.
    chains : int
        Number of chains.
    seed : int, default 0
        Chain ``k`` uses the ``k``-th child of ``numpy.random.SeedSequence(seed)``.
    energy_tol, distance_tol : float
        Duplicate tolerances of the database.
    max_workers : int, optional
        Processes (default ``min(chains, os.cpu_count())``).
    progress : bool, default False
        A progress bar over finished chains.
    **overrides
        Fields of :class:`BasinHoppingOptions`.

    Returns
    -------
    list of BasinHoppingResult
        One per chain, in chain order; each counts the minima its chain inserted.

    Notes
    -----
    Start points are chosen before the chains start, so a run is reproducible: the lowest
    stored minimum when the database holds any (every chain then continues from it with its
    own random stream), otherwise ``potential.random_coordinates`` with each chain's seed.

    References
    ----------
    D. J. Wales and J. P. K. Doye, J. Phys. Chem. A 101, 5111-5116 (1997).
    """
    import concurrent.futures as cf
    import multiprocessing
    import os

    from tqdm.auto import tqdm

    opts, spec, potential, seeds, starts = plan_chains(
        "parallel basin-hopping",
        spec,
        db_path,
        chains=chains,
        seed=seed,
        options=options,
        overrides=overrides,
        energy_tol=energy_tol,
        distance_tol=distance_tol,
    )
    db_options = dict(energy_tol=energy_tol, distance_tol=distance_tol)
    workers = max_workers or min(int(chains), os.cpu_count() or 1)
    ctx = multiprocessing.get_context("spawn")
    results: list[BasinHoppingResult | None] = [None] * int(chains)
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = {
            pool.submit(_chain, spec, str(db_path), starts[k], seeds[k], db_options, opts): k
            for k in range(int(chains))
        }
        with tqdm(total=int(chains), disable=not progress, desc="chains", unit="chain") as bar:
            for fut in cf.as_completed(futures):
                results[futures[fut]] = fut.result()
                bar.update(1)
    return [r for r in results if r is not None]
