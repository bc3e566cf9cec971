"""Basin-hopping chains on dask.distributed workers; the client alone writes the database.

A chain is the unit of work: ``steps`` basin-hopping steps from a start point chosen by the
client, with the ``k``-th child of ``numpy.random.SeedSequence(seed)`` (the seeds of
:func:`~lossatlas.energy._parallel.parallel_basin_hopping`). A worker rebuilds the potential
from its spec, walks with an in-memory :class:`LocalMinima` store (duplicates are detected
within the chain, by the database's rule) and returns the chain's distinct minima: refined
coordinates, energy and Hessian summary. It never opens the database, which may not even be
reachable from it. The client stores the chains' minima in chain order, so the database (ids
included) depends on the seed and the number of chains, not on the workers or their timing.

A kill of the client loses the minima of the chains not yet stored (each minimum is one
committed transaction, so the file is never left half-written); a lost worker makes dask
rerun its chain, with the same result.

References
----------
D. J. Wales and J. P. K. Doye, "Global optimization by basin-hopping and the lowest energy
structures of Lennard-Jones clusters containing up to 110 atoms", J. Phys. Chem. A 101,
5111-5116 (1997).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from lossatlas.energy._basinhopping import BasinHoppingResult, basin_hopping
from lossatlas.energy._database import Database, potential_db_options
from lossatlas.energy._options import BasinHoppingOptions
from lossatlas.energy._parallel import plan_chains
from lossatlas.energy._records import Minimum
from lossatlas.energy.potentials import potential_from_spec
from lossatlas.errors import InputError, require

__all__ = ["CONNECT_TIMEOUT", "LocalMinima", "connect_scheduler", "distributed_basin_hopping"]

#: Seconds :func:`distributed_basin_hopping` waits for a scheduler given by its address.
CONNECT_TIMEOUT = 10.0


class LocalMinima:
    """Minima in memory under the duplicate rule of :class:`Database` (a chain's own store).

    Parameters
    ----------
    energy_tol, distance_tol : float
        Two minima are equal when their energies differ by at most ``energy_tol`` and their
        canonical coordinates lie within ``distance_tol``.
    canonicalise : callable, optional
        Canonical form of the coordinates.
    distance : callable, optional
        Distance between canonical coordinates (default Euclidean).
    """

    def __init__(
        self,
        *,
        energy_tol: float = 1e-4,
        distance_tol: float = 1e-3,
        canonicalise: Callable[[np.ndarray], np.ndarray] | None = None,
        distance: Callable[[np.ndarray, np.ndarray], float] | None = None,
    ) -> None:
        self.energy_tol = float(energy_tol)
        self.distance_tol = float(distance_tol)
        self.canonicalise = canonicalise
        self.distance = distance
        self._minima: list[Minimum] = []

    def _canonical(self, coords: np.ndarray) -> np.ndarray:
        x = np.asarray(coords, dtype=np.float64).ravel()
        if self.canonicalise is not None:
            x = np.asarray(self.canonicalise(x), dtype=np.float64).ravel()
        return x

    def minima(self) -> list[Minimum]:
        """The minima, lowest energy first (ties by id)."""
        return sorted(self._minima, key=lambda m: (m.energy, m.id))

    def find_minimum(self, energy: float, coords: np.ndarray) -> Minimum | None:
        """The stored minimum equal to (``energy``, ``coords``), nearest energy first, or None."""
        return self._match(float(energy), self._canonical(coords))

    def _match(self, energy: float, x: np.ndarray) -> Minimum | None:
        near = [m for m in self._minima if abs(m.energy - energy) <= self.energy_tol]
        for m in sorted(near, key=lambda m: (abs(m.energy - energy), m.id)):
            d = (
                np.linalg.norm(m.coords - x)
                if self.distance is None
                else self.distance(m.coords, x)
            )
            if float(d) <= self.distance_tol:
                return m
        return None

    def add_minimum(
        self,
        energy: float,
        coords: np.ndarray,
        *,
        fvib: float | None = None,
        n_positive: int | None = None,
        lowest_eigenvalue: float | None = None,
    ) -> tuple[Minimum, bool]:
        """Store a minimum unless an equal one is stored; ``(record, is_new)``."""
        energy, x = float(energy), self._canonical(coords)
        found = self._match(energy, x)
        if found is not None:
            return found, False
        m = Minimum(len(self._minima) + 1, energy, x, fvib, n_positive, lowest_eigenvalue)
        self._minima.append(m)
        return m, True


def _chain(
    spec: dict,
    x0: np.ndarray,
    seed: int,
    tolerances: dict,
    options: BasinHoppingOptions,
) -> tuple[BasinHoppingResult, list[Minimum]]:
    """One chain on a worker: rebuild the potential, walk into memory, return the minima."""
    potential = potential_from_spec(spec)
    store = LocalMinima(**tolerances, **potential_db_options(potential))
    result = basin_hopping(potential, store, options, x0=x0, seed=seed)
    by_id = {m.id: m for m in store.minima()}
    return result, [by_id[i] for i in result.minima_ids]


def connect_scheduler(address: str, *, timeout: float | None = None) -> Any:
    """A ``distributed.Client`` connected to ``address``; an :class:`InputError` (one line) when
    the scheduler cannot be reached.

    Parameters
    ----------
    address : str
        Scheduler address, e.g. ``tcp://host:8786``.
    timeout : float, optional
        Seconds to wait (default :data:`CONNECT_TIMEOUT`).

    Returns
    -------
    distributed.Client
    """
    distributed = require("distributed", "dask", purpose="--scheduler")
    seconds = CONNECT_TIMEOUT if timeout is None else float(timeout)
    try:
        return distributed.Client(address, timeout=f"{seconds}s")
    except (OSError, TimeoutError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"cannot reach the dask scheduler {address!r}: {reason}") from None


def distributed_basin_hopping(
    spec: Mapping[str, Any],
    db_path: str | Path,
    options: BasinHoppingOptions | None = None,
    *,
    scheduler: str | Any,
    chains: int,
    seed: int = 0,
    energy_tol: float = 1e-4,
    distance_tol: float = 1e-3,
    progress: bool = False,
    **overrides: Any,
) -> list[BasinHoppingResult]:
    """Basin-hopping chains on dask workers; the minima they return go into ``db_path`` here.

    Parameters
    ----------
    spec : dict
        Potential spec (:func:`lossatlas.energy.potentials.potential_spec`); workers rebuild
        the potential from it.
    db_path : str or Path
        Database the client writes (workers never open it).
    options : BasinHoppingOptions, optional
        Options of every chain (``steps`` is per chain); ``**overrides`` (same field names)
        override them.
    scheduler : str or distributed.Client
        Scheduler address (``tcp://host:port``) or a connected client (left open).
    chains : int
        Number of chains, the unit of work (one task each).
    seed : int, default 0
        Chain ``k`` uses the ``k``-th child of ``numpy.random.SeedSequence(seed)``.
    energy_tol, distance_tol : float
        Duplicate tolerances (within a chain on the worker, then in the database).
    progress : bool, default False
        A progress bar over stored chains.
    **overrides
        Fields of :class:`BasinHoppingOptions`.

    Returns
    -------
    list of BasinHoppingResult
        One per chain, in chain order; ``n_new_minima`` counts what the client inserted for
        that chain and ``minima_ids`` are database ids.

    Notes
    -----
    Start points are chosen by the client before submitting: the lowest stored minimum when
    the database holds any, else ``potential.random_coordinates`` with each chain's seed.
    Chains are stored in chain order as they arrive, so the database does not depend on which
    worker ran what or when.
    """
    from tqdm.auto import tqdm

    opts, spec, potential, seeds, starts = plan_chains(
        "distributed basin-hopping",
        spec,
        db_path,
        chains=chains,
        seed=seed,
        options=options,
        overrides=overrides,
        energy_tol=energy_tol,
        distance_tol=distance_tol,
    )
    tolerances = dict(energy_tol=energy_tol, distance_tol=distance_tol)
    owned = isinstance(scheduler, str)
    client = connect_scheduler(scheduler) if owned else scheduler
    results: list[BasinHoppingResult] = []
    try:
        futures = [
            client.submit(_chain, spec, starts[k], seeds[k], tolerances, opts, pure=False)
            for k in range(int(chains))
        ]
        with (
            Database(db_path, **potential_db_options(potential), **tolerances) as db,
            tqdm(total=int(chains), disable=not progress, desc="chains", unit="chain") as bar,
        ):
            for fut in futures:  # chain order: the database does not depend on timing
                result, minima = fut.result()
                ids, inserted = [], 0
                for m in minima:
                    record, is_new = db.add_minimum(
                        m.energy,
                        m.coords,
                        fvib=m.fvib,
                        n_positive=m.n_positive,
                        lowest_eigenvalue=m.lowest_eigenvalue,
                    )
                    ids.append(record.id)
                    inserted += int(is_new)
                results.append(dataclasses.replace(result, n_new_minima=inserted, minima_ids=ids))
                bar.update(1)
    finally:
        if owned:
            client.close()
    return results
