"""Basin-hopping global exploration that stores every distinct minimum it visits.

Each step perturbs the current minimum by a random displacement, uniform in
``[-step_size, step_size]`` per coordinate, quenches the result (L-BFGS to an RMS-gradient
tolerance), and accepts the new minimum with the Metropolis probability
``min(1, exp(-(E_new - E_old) / T))`` on the *quenched* energies: a Monte Carlo walk on the
transformed landscape ``E~(x) = min E(x)`` whose plateaus are the catchment basins (Li & Scheraga
1987; Wales & Doye 1997). Every converged quench is looked up in the :class:`Database`; a new
minimum is polished to a tighter tolerance, its Hessian summarised (``fvib``, number of positive
eigenvalues, lowest eigenvalue) and stored. A second run on the same database continues the
walk from the lowest stored minimum. Independent chains in separate processes writing into one
database (:func:`~lossatlas.energy._parallel.parallel_basin_hopping`) live in
:mod:`lossatlas.energy._parallel`.

References
----------
D. J. Wales and J. P. K. Doye, "Global optimization by basin-hopping and the lowest energy
structures of Lennard-Jones clusters containing up to 110 atoms", J. Phys. Chem. A 101,
5111-5116 (1997).
Z. Li and H. A. Scheraga, "Monte Carlo-minimization approach to the multiple-minima problem in
protein folding", PNAS 84, 6611-6615 (1987).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from lossatlas._threads import limit_blas
from lossatlas.energy._database import Database
from lossatlas.energy._harmonic import hessian_summary
from lossatlas.energy._json import json_number
from lossatlas.energy._minimize import MinimizeResult, minimize
from lossatlas.energy._newton import newton_minimize
from lossatlas.energy._options import BasinHoppingOptions
from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.energy._records import Minimum
    from lossatlas.energy.potentials import Potential

__all__ = ["BasinHoppingResult", "MinimumStore", "basin_hopping", "refine_minimum"]


class MinimumStore(Protocol):
    """Where a walk looks its quenches up and stores new minima: a :class:`Database`, or the
    in-memory store of a chain run on a dask worker (``lossatlas.energy._distributed``)."""

    def minima(self) -> list[Minimum]: ...

    def find_minimum(self, energy: float, coords: np.ndarray) -> Minimum | None: ...

    def add_minimum(
        self,
        energy: float,
        coords: np.ndarray,
        *,
        fvib: float | None = None,
        n_positive: int | None = None,
        lowest_eigenvalue: float | None = None,
    ) -> tuple[Minimum, bool]: ...


# Initial trust radius of the Newton refinement: small, so that out in a flat valley the first
# steps stay close to the descent path (larger radii jump to a neighbouring minimum more often).
_REFINE_RADIUS = 0.1

# scipy.optimize.basinhopping's factor for the adaptive step size.
_ADAPT_FACTOR = 0.9


@dataclass
class BasinHoppingResult:
    """Outcome of one basin-hopping chain.

    Attributes
    ----------
    n_steps : int
        Perturb-and-quench steps taken (the start quench not counted).
    n_accepted : int
        Steps accepted by the Metropolis test.
    n_new_minima : int
        Minima this run added to the database.
    best_energy : float
        Lowest quenched energy the chain reached.
    best_coords : numpy.ndarray
        Coordinates of that minimum (as quenched, not canonicalised).
    acceptance_rate : float
        ``n_accepted / n_steps``.
    quenches_per_second : float
        Quenches (start included) per second of wall time, database and Hessian work included.
    minima_ids : list of int
        Database ids of the distinct minima visited, in order of first visit.
    n_quenches : int
        Local minimisations run (``n_steps + 1``).
    n_failed_quenches : int
        Quenches that did not reach ``rms_tol`` (rejected, not stored).
    final_step_size : float
        Step size at the end (differs from the start only with ``adaptive_step``).
    elapsed : float
        Wall time in seconds.
    """

    n_steps: int
    n_accepted: int
    n_new_minima: int
    best_energy: float
    best_coords: np.ndarray
    acceptance_rate: float
    quenches_per_second: float
    minima_ids: list[int] = field(default_factory=list)
    n_quenches: int = 0
    n_failed_quenches: int = 0
    final_step_size: float = 0.0
    elapsed: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary (the best coordinates as a list).

        Returns
        -------
        dict
            Every attribute; ``best_coords`` a list of floats, infinities as None.
        """
        return {
            "n_steps": self.n_steps,
            "n_accepted": self.n_accepted,
            "n_new_minima": self.n_new_minima,
            "best_energy": json_number(self.best_energy),
            "best_coords": np.asarray(self.best_coords, dtype=float).tolist(),
            "acceptance_rate": self.acceptance_rate,
            "quenches_per_second": json_number(self.quenches_per_second),
            "minima_ids": list(self.minima_ids),
            "n_quenches": self.n_quenches,
            "n_failed_quenches": self.n_failed_quenches,
            "final_step_size": self.final_step_size,
            "elapsed": self.elapsed,
        }


def _metropolis(e_new: float, e_old: float, temperature: float, rng: np.random.Generator) -> bool:
    if e_new <= e_old:
        return True
    if temperature == 0:
        return False
    return bool(rng.random() < math.exp(-(e_new - e_old) / temperature))


def basin_hopping(
    potential: Potential,
    db: Database | MinimumStore,
    options: BasinHoppingOptions | None = None,
    *,
    x0: np.ndarray | None = None,
    seed: int = 0,
    progress: bool = False,
    **overrides: Any,
) -> BasinHoppingResult:
    """Explore ``potential`` by basin-hopping, storing every distinct minimum in ``db``.

    Parameters
    ----------
    potential : Potential
        The loss surface (``energy_gradient``, ``hessian``, ``random_coordinates``).
    db : Database or MinimumStore
        Where minima go; its ``canonicalise``, ``distance`` and tolerances decide what is
        distinct (give it ``potential.canonicalise`` and ``potential.symmetry_distance`` for
        networks, or open it with :meth:`Database.open`).
    options : BasinHoppingOptions, optional
        Steps, step size, temperature, quench and storage tolerances (see
        :class:`~lossatlas.energy._options.BasinHoppingOptions` for every field and default).
    x0 : array_like, optional
        Start point. By default the lowest minimum in ``db`` (so a second call continues), or
        ``potential.random_coordinates`` for an empty database.
    seed : int, default 0
        Seed of the perturbations, the Metropolis draws and a random start.
    progress : bool, default False
        Show a tqdm progress bar.
    **overrides
        Fields of :class:`BasinHoppingOptions` given as keywords (``steps=200``,
        ``temperature=1.0``, ...); they override ``options``.

    Returns
    -------
    BasinHoppingResult
        Counts, the best minimum, throughput; ``n_new_minima`` counts the minima this call
        inserted (not those another process stored meanwhile).

    Notes
    -----
    Each step perturbs the current minimum uniformly in ``[-step_size, step_size]`` per
    coordinate, quenches (L-BFGS to ``rms_tol``) and accepts by the Metropolis rule on the
    quenched energies. A quench that does not converge is counted in ``n_failed_quenches``,
    rejected and not stored. A quench not found in the database is refined to ``store_tol``
    (:func:`refine_minimum`) and looked up again before it is stored. Duplicate detection goes
    through the database, so parallel chains writing into one file see each other's minima.
    BLAS thread pools are limited to ``blas_threads`` during the run: the vectors of a quench
    are small and multi-threaded BLAS on them costs more than it gains.

    References
    ----------
    D. J. Wales and J. P. K. Doye, J. Phys. Chem. A 101, 5111-5116 (1997); Z. Li and
    H. A. Scheraga, PNAS 84, 6611-6615 (1987).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from lossatlas.energy import Database, MullerBrown, basin_hopping
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mb.sqlite"
    >>> with Database(path) as db:
    ...     result = basin_hopping(
    ...         MullerBrown(), db, steps=30, step_size=0.6, temperature=20.0, seed=0
    ...     )
    ...     print(db.n_minima(), round(db.minima()[0].energy, 2))
    3 -146.7
    """
    opts = BasinHoppingOptions.build(options, **overrides)
    with limit_blas(opts.blas_threads):
        return _basin_hopping(potential, db, opts, x0=x0, seed=int(seed), progress=progress)


class _LastHessian:
    """Proxy of a potential that remembers its last Hessian.

    A polish whose Newton step is refused ends where its last Hessian was taken; the Hessian
    summary of the stored minimum then reuses it instead of computing it again.
    """

    def __init__(self, potential: Potential) -> None:
        self._potential = potential
        self._x: np.ndarray | None = None
        self._h: np.ndarray | None = None

    def hessian(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if self._x is None or self._h is None or not np.array_equal(x, self._x):
            self._h = np.asarray(self._potential.hessian(x), dtype=np.float64)
            self._x = x.copy()
        return self._h

    def __getattr__(self, name: str) -> Any:
        return getattr(self._potential, name)


def _basin_hopping(
    potential: Potential,
    db: Database | MinimumStore,
    opts: BasinHoppingOptions,
    *,
    x0: np.ndarray | None,
    seed: int,
    progress: bool,
) -> BasinHoppingResult:
    steps, step_size, temperature = int(opts.steps), float(opts.step_size), opts.temperature
    adaptive_step, target_acceptance = opts.adaptive_step, opts.target_acceptance
    adapt_interval, rms_tol, store_tol = int(opts.adapt_interval), opts.rms_tol, opts.store_tol
    max_iterations, memory, compute_hessian = opts.max_iterations, opts.memory, opts.compute_hessian
    from tqdm.auto import tqdm

    rng = np.random.default_rng(seed)
    if x0 is None:
        stored = db.minima()
        x_start = stored[0].coords if stored else potential.random_coordinates(rng)
    else:
        x_start = np.asarray(x0, dtype=np.float64).ravel()
        if x_start.size != potential.ndim:
            raise InputError(
                f"basin-hopping: x0 has {x_start.size} coordinates, the potential {potential.ndim}"
            )

    seen: dict[int, None] = {}
    counts = {"new": 0, "failed": 0}
    cached = _LastHessian(potential)

    def quench(x: np.ndarray) -> tuple[np.ndarray, float] | None:
        q = minimize(
            potential,
            x,
            rms_tol=rms_tol,
            max_iterations=max_iterations,
            memory=memory,
            engine="numpy",
        )
        if not (q.converged and math.isfinite(q.energy)):
            counts["failed"] += 1
            return None
        xs, es = q.x, q.energy
        record = db.find_minimum(es, xs)
        if record is None and store_tol is not None and store_tol < rms_tol:
            # soft modes leave a quench far from the stored (polished) copy: polish, look again
            p = refine_minimum(
                cached,
                q.x,
                rms_tol=rms_tol,
                store_tol=store_tol,
                max_iterations=max_iterations,
                memory=memory,
                engine="numpy",
            )
            if math.isfinite(p.energy):
                xs, es = p.x, p.energy
                record = db.find_minimum(es, xs)
        if record is None:
            summary: dict[str, Any] = {}
            if compute_hessian:
                fvib, n_pos, lowest = hessian_summary(cached, xs)
                summary = dict(fvib=fvib, n_positive=n_pos, lowest_eigenvalue=lowest)
            record, is_new = db.add_minimum(es, xs, **summary)
            counts["new"] += int(is_new)
        seen.setdefault(record.id, None)
        return q.x, q.energy

    t0 = time.perf_counter()
    start = quench(x_start)
    if start is None:  # keep walking from the unconverged point rather than give up
        x_cur = np.asarray(x_start, dtype=np.float64)
        e_cur = float(potential.energy(x_cur))
    else:
        x_cur, e_cur = start
    best_x, best_e = x_cur.copy(), e_cur
    n_accepted = 0
    window_accepted = 0
    step = float(step_size)
    bar = tqdm(total=int(steps), disable=not progress, desc="basin-hopping", unit="step")
    for i in range(int(steps)):
        trial = x_cur + rng.uniform(-step, step, size=x_cur.size)
        result = quench(trial)
        if result is not None and _metropolis(result[1], e_cur, temperature, rng):
            x_cur, e_cur = result
            n_accepted += 1
            window_accepted += 1
            if e_cur < best_e:
                best_x, best_e = x_cur.copy(), e_cur
        if adaptive_step and (i + 1) % adapt_interval == 0:
            rate = window_accepted / adapt_interval
            step = step / _ADAPT_FACTOR if rate > target_acceptance else step * _ADAPT_FACTOR
            window_accepted = 0
        bar.update(1)
        if progress:
            bar.set_postfix(best=f"{best_e:.6g}", new=counts["new"], refresh=False)
    bar.close()
    elapsed = time.perf_counter() - t0
    n_steps = int(steps)
    return BasinHoppingResult(
        n_steps=n_steps,
        n_accepted=n_accepted,
        n_new_minima=counts["new"],
        best_energy=float(best_e),
        best_coords=best_x,
        acceptance_rate=n_accepted / n_steps if n_steps else 0.0,
        quenches_per_second=(n_steps + 1) / elapsed if elapsed > 0 else float("inf"),
        minima_ids=list(seen),
        n_quenches=n_steps + 1,
        n_failed_quenches=counts["failed"],
        final_step_size=step,
        elapsed=elapsed,
    )


def refine_minimum(
    potential: Potential,
    x: np.ndarray,
    *,
    rms_tol: float = 1e-6,
    store_tol: float = 1e-9,
    max_iterations: int = 10_000,
    memory: int = 30,
    engine: str = "scipy",
    reach: float | None = 1.0,
) -> MinimizeResult:
    """Tighten a quenched minimum to RMS gradient ``store_tol`` before it is stored.

    The reference work quenches to 1e-6 during basin-hopping and to 1e-9 for saved minima:
    along soft modes (Hessian eigenvalues ~ 2 lambda for saturated hidden units) a 1e-6 quench
    can lie 0.1 or more from the minimum, too far for the database's distance test.

    Parameters
    ----------
    potential : Potential
        The loss surface (``hessian`` needed).
    x : numpy.ndarray
        A quenched minimum.
    rms_tol : float, default 1e-6
        Tolerance the quench reached.
    store_tol : float, default 1e-9
        RMS gradient to reach.
    max_iterations, memory : int
        L-BFGS limits of the fallback.
    engine : {"scipy", "numpy"}, default "scipy"
        The L-BFGS of the fallback (see :func:`~lossatlas.energy._minimize.minimize`).
    reach : float or None, default 1.0
        How far (Euclidean) the trust-region Newton refinement may carry the point before the
        descent route takes over; None: no trust-region Newton, only the descent route (the
        refinement before this option existed). On the 4-10-3 iris network 1.0 sends about
        12% of basin-hopping quenches to the descent route; a larger reach sends fewer, at the
        price of more Newton refinements that end in a neighbouring minimum.

    Returns
    -------
    MinimizeResult
        ``converged`` when ``store_tol`` was reached.

    Notes
    -----
    First trust-region Newton steps with the exact Hessian
    (:func:`~lossatlas.energy._newton.newton_minimize`): a few Hessians where the quench is
    in or near the quadratic region of its minimum. Far out along a flat valley (a quench
    can stop several units from its minimum) Newton's steps need not follow the valley the
    descent would take, so when they carry the point beyond ``reach`` from ``x`` (or do not
    converge) the descent route starts again from ``x``: L-BFGS to ``rms_tol / 10``, then
    trust-region Newton without the reach limit, and, when that still fails, the Newton polish
    of :func:`~lossatlas.energy._minimize.minimize` after L-BFGS to ``store_tol``.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    if reach is not None:
        p = newton_minimize(potential, x, rms_tol=store_tol, reach=reach, radius=_REFINE_RADIUS)
        if p.converged and float(np.linalg.norm(p.x - x)) <= reach:
            return p
        q = minimize(
            potential,
            x,
            rms_tol=0.1 * rms_tol,
            max_iterations=max_iterations,
            memory=memory,
            engine=engine,
        )
        if math.isfinite(q.energy):
            p = newton_minimize(potential, q.x, rms_tol=store_tol, radius=_REFINE_RADIUS)
            if p.converged:
                return p
    return _refine_descent(
        potential,
        x,
        rms_tol=rms_tol,
        store_tol=store_tol,
        max_iterations=max_iterations,
        memory=memory,
        engine=engine,
    )


def _refine_descent(
    potential: Potential,
    x: np.ndarray,
    *,
    rms_tol: float,
    store_tol: float,
    max_iterations: int,
    memory: int,
    engine: str,
) -> MinimizeResult:
    """Newton polish from ``x``; when it falls short, L-BFGS to ``store_tol`` and Newton again."""
    p = minimize(
        potential,
        x,
        rms_tol=rms_tol,
        memory=memory,
        polish=True,
        polish_tol=store_tol,
        engine=engine,
    )
    if not p.converged and math.isfinite(p.energy):
        p = minimize(
            potential,
            p.x,
            rms_tol=store_tol,
            max_iterations=max_iterations,
            memory=memory,
            polish=True,
            polish_tol=store_tol,
            engine=engine,
        )
    return p
