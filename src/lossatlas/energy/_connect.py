"""Connect minima through chains of transition states (Carr, Trygubenko & Wales 2005).

Joining two distant minima with one elastic band rarely works: the band crosses many basins.
The connect driver instead works on a *complete graph* over the minima known so far, with the
edge weight between minima ``a`` and ``b``

* ``0`` when a stored transition state joins them,
* ``inf`` when a DNEB + eigenvector-following search between them was tried already,
* ``d(a, b)^2`` (``"squared"``) or ``exp(d(a, b))`` (``"exp"``) otherwise, with ``d`` the
  distance up to symmetry, ``potential.symmetry_distance`` (for the tanh networks the exact
  minimum over hidden-unit permutations and sign flips; for a potential without one, the
  Euclidean distance between canonicalised coordinates).

Dijkstra's algorithm finds the cheapest route between the two endpoints; a
:func:`~lossatlas.energy._transition.find_transition_states` search runs on every edge of that
route that is not yet a transition state, its band running from ``a`` to the copy of ``b``
nearest ``a`` (``potential.align``); the minima and transition states it finds enter the
database, and the cycle repeats until the endpoints are joined in the transition-state graph or
the cycles run out.

References
----------
.. [1] J. M. Carr, S. A. Trygubenko and D. J. Wales, "Finding pathways between distant local
   minima", J. Chem. Phys. 122, 234903 (2005).
.. [2] E. W. Dijkstra, "A note on two problems in connexion with graphs", Numer. Math. 1,
   269 (1959).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from lossatlas.energy._options import ConnectOptions
from lossatlas.energy._transition import find_transition_states, orbit_distance
from lossatlas.energy.potentials._base import BasePotential
from lossatlas.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Callable

    from lossatlas.energy._database import Database, Minimum, TransitionState
    from lossatlas.energy.potentials import Potential

__all__ = ["ConnectResult", "connect_minima", "connect_lowest", "transition_state_path"]

DistanceMetric = Literal["squared", "exp"]


@dataclass(frozen=True)
class ConnectResult:
    """Outcome of one connection attempt between two minima.

    Attributes
    ----------
    min1, min2 : int
        Database ids of the endpoints.
    success : bool
        Whether a chain of transition states now joins them.
    path : list of int
        Minima ids along the path from ``min1`` to ``min2`` (fewest steps); empty on failure.
    transition_states : list of int
        Ids of the transition states between consecutive minima of ``path`` (the lowest one
        where several join a pair).
    n_searches : int
        DNEB + eigenvector-following searches run.
    new_minima, new_transition_states : int
        Records this attempt added to the database.
    n_cycles : int
        Dijkstra cycles run.
    """

    min1: int
    min2: int
    success: bool
    path: list[int] = field(default_factory=list)
    transition_states: list[int] = field(default_factory=list)
    n_searches: int = 0
    new_minima: int = 0
    new_transition_states: int = 0
    n_cycles: int = 0


def ts_graph(transition_states: list[TransitionState]) -> dict[int, dict[int, TransitionState]]:
    """Adjacency: minimum id -> {neighbour id: lowest transition state joining them}."""
    adj: dict[int, dict[int, TransitionState]] = {}
    for ts in transition_states:  # ascending energy: the first one kept per pair is lowest
        if ts.min1 == ts.min2:
            continue
        for a, b in ((ts.min1, ts.min2), (ts.min2, ts.min1)):
            adj.setdefault(a, {}).setdefault(b, ts)
    return adj


def transition_state_path(db: Database, min1: int, min2: int) -> tuple[list[int], list[int]]:
    """Fewest-step path between two minima in the transition-state graph of ``db``.

    Parameters
    ----------
    db : Database
        An open database.
    min1, min2 : int
        Minimum ids.

    Returns
    -------
    minima : list of int
        Minima ids from ``min1`` to ``min2``; empty when they are not connected.
    transition_states : list of int
        Ids of the (lowest) transition states between consecutive minima.
    """
    adj = ts_graph(db.transition_states())
    return bfs_path(adj, min1, min2)


def bfs_path(
    adj: dict[int, dict[int, TransitionState]], min1: int, min2: int
) -> tuple[list[int], list[int]]:
    if min1 == min2:
        return [min1], []
    parent = {min1: min1}
    queue = deque([min1])
    while queue:
        a = queue.popleft()
        for b in adj.get(a, {}):
            if b not in parent:
                parent[b] = a
                if b == min2:
                    path = [b]
                    while path[-1] != min1:
                        path.append(parent[path[-1]])
                    path.reverse()
                    ts = [adj[p][q].id for p, q in zip(path, path[1:], strict=False)]
                    return path, ts
                queue.append(b)
    return [], []


def ts_component(adj: dict[int, dict[int, TransitionState]], start: int) -> set[int]:
    seen = {start}
    stack = [start]
    while stack:
        for b in adj.get(stack.pop(), {}):
            if b not in seen:
                seen.add(b)
                stack.append(b)
    return seen


class OrbitDistances:
    """Distances up to symmetry between database minima, computed on demand and cached by id.

    With a potential whose ``symmetry_distance`` is an override (e.g. the tanh networks'
    Hungarian assignment) each pair costs one call, cached for the later Dijkstra cycles;
    with :class:`BasePotential`'s default (Euclidean distance of canonicalised coordinates),
    or no ``symmetry_distance`` at all, a row is one vectorised norm of canonicalised
    coordinates, as before.
    """

    def __init__(self, potential: Potential) -> None:
        self.potential = potential
        sym = getattr(type(potential), "symmetry_distance", None)
        self.exact = sym is not None and sym is not BasePotential.symmetry_distance
        if sym is None and getattr(potential, "symmetry_distance", None) is not None:
            self.exact = True  # set on the instance (duck typing)
        self._canon = getattr(potential, "canonicalise", None)
        self._canonical: dict[int, np.ndarray] = {}
        self._pairs: dict[tuple[int, int], float] = {}

    def _canonical_coords(self, m: Minimum) -> np.ndarray:
        c = self._canonical.get(m.id)
        if c is None:
            c = np.asarray(m.coords, dtype=float).ravel()
            if self._canon is not None:
                c = np.asarray(self._canon(c), dtype=float).ravel()
            self._canonical[m.id] = c
        return c

    def row(self, minima: list[Minimum], u: int) -> np.ndarray:
        """Distances from ``minima[u]`` to every minimum of ``minima``."""
        if not self.exact:
            coords = np.vstack([self._canonical_coords(m) for m in minima])
            return np.linalg.norm(coords - coords[u], axis=1)
        a = minima[u]
        out = np.empty(len(minima))
        for i, b in enumerate(minima):
            if b.id == a.id:
                out[i] = 0.0
                continue
            key = (a.id, b.id) if a.id < b.id else (b.id, a.id)
            d = self._pairs.get(key)
            if d is None:
                d = orbit_distance(self.potential, a.coords, b.coords)
                self._pairs[key] = d
            out[i] = d
        return out


def _dijkstra_route(
    ids: np.ndarray,
    coords: np.ndarray,
    adj: dict[int, dict[int, TransitionState]],
    tried: set[frozenset[int]],
    source: int,
    target: int,
    metric: DistanceMetric,
    *,
    row_distance: Callable[[int], np.ndarray] | None = None,
) -> list[int] | None:
    """Cheapest route on the complete graph of minima (dense O(n^2) Dijkstra, O(n) memory).

    ``row_distance(u)`` gives the distances from minimum ``ids[u]`` to all of ``ids``
    (default: Euclidean distances of the rows of ``coords``).
    """
    n = ids.size
    index = {int(m): i for i, m in enumerate(ids)}
    s, t = index[source], index[target]
    dist = np.full(n, np.inf)
    prev = np.full(n, -1)
    done = np.zeros(n, dtype=bool)
    dist[s] = 0.0
    tried_with: dict[int, set[int]] = {}
    for pair in tried:
        a, b = (*pair, *pair)[:2]
        tried_with.setdefault(a, set()).add(b)
        tried_with.setdefault(b, set()).add(a)
    for _ in range(n):
        masked = np.where(done, np.inf, dist)
        u = int(np.argmin(masked))
        if not np.isfinite(masked[u]):
            break
        if u == t:
            break
        done[u] = True
        if row_distance is None:
            d = np.linalg.norm(coords - coords[u], axis=1)
        else:
            d = np.asarray(row_distance(u), dtype=float)
        w = d**2 if metric == "squared" else np.exp(np.minimum(d, 700.0))
        mu = int(ids[u])
        for other in tried_with.get(mu, ()):
            if other in index:
                w[index[other]] = np.inf
        for b in adj.get(mu, {}):
            if b in index:
                w[index[b]] = 0.0
        cand = dist[u] + w
        better = (~done) & (cand < dist)
        dist[better] = cand[better]
        prev[better] = u
    if not np.isfinite(dist[t]):
        return None
    route = [t]
    while route[-1] != s:
        route.append(int(prev[route[-1]]))
    return [int(ids[i]) for i in reversed(route)]


def connect_minima(
    potential: Potential,
    db: Database,
    min1: int,
    min2: int,
    options: ConnectOptions | None = None,
    *,
    seed: int = 0,
    progress: bool = False,
    tried_pairs: set[frozenset[int]] | None = None,
    **overrides: Any,
) -> ConnectResult:
    """Join two minima of ``db`` by a chain of transition states (Carr, Trygubenko & Wales 2005).

    Parameters
    ----------
    potential : Potential
        The potential the database describes.
    db : Database
        Minima and transition states; new ones are added as they are found.
    min1, min2 : int
        Database ids of the minima to connect.
    options : ConnectOptions, optional
        ``max_cycles`` (Dijkstra cycles at most, each running a search on every missing edge
        of the route), ``distance_metric`` (weight ``d^2`` or ``exp(d)`` of an untried edge,
        ``d`` the distance up to symmetry: ``potential.symmetry_distance``, or Euclidean
        between canonicalised coordinates) and the options of each transition-state search
        (:class:`~lossatlas.energy._options.ConnectOptions`).
    seed : int, default 0
        Seed of the searches (search ``i`` uses ``seed + i``).
    progress : bool, default False
        Show a progress bar over the cycles.
    tried_pairs : set of frozenset, optional
        Pairs already searched (weight ``inf``); updated in place, so several calls can share it.
    **overrides
        Fields of :class:`ConnectOptions` as keywords (``max_cycles=3``,
        ``band_options={...}``, ``displacement=0.1``); they override ``options``.

    Returns
    -------
    ConnectResult

    Notes
    -----
    Each search's band runs from ``a`` to ``potential.align(x_a, x_b)``, the copy of ``b``
    nearest ``a`` (see :func:`~lossatlas.energy._transition.find_transition_states`).
    """
    return connect_minima_cached(
        potential,
        db,
        min1,
        min2,
        ConnectOptions.build(options, **overrides),
        seed=seed,
        progress=progress,
        tried_pairs=tried_pairs,
        distances=OrbitDistances(potential),
    )


def connect_minima_cached(
    potential: Potential,
    db: Database,
    min1: int,
    min2: int,
    options: ConnectOptions,
    *,
    seed: int = 0,
    progress: bool = False,
    tried_pairs: set[frozenset[int]] | None = None,
    distances: OrbitDistances,
) -> ConnectResult:
    """:func:`connect_minima` with a distance cache that several calls can share."""
    from tqdm.auto import tqdm

    max_cycles, distance_metric = int(options.max_cycles), options.distance_metric
    search_options = options.search_options()
    for m in (min1, min2):
        db.get_minimum(m)  # raises InputError naming the database when missing
    tried = set() if tried_pairs is None else tried_pairs
    n_searches = new_minima = new_ts = n_cycles = 0
    bar = tqdm(total=max_cycles, desc=f"connect {min1}-{min2}", disable=not progress)
    try:
        while True:
            adj = ts_graph(db.transition_states())
            path, ts_ids = bfs_path(adj, min1, min2)
            if path or n_cycles >= max_cycles:
                break
            minima = db.minima()
            ids = np.array([m.id for m in minima], dtype=int)
            coords = np.vstack([m.coords for m in minima])
            route = _dijkstra_route(
                ids,
                coords,
                adj,
                tried,
                min1,
                min2,
                distance_metric,
                row_distance=lambda u, minima=minima: distances.row(minima, u),
            )
            if route is None:
                break
            n_cycles += 1
            bar.update(1)
            by_id = {m.id: m for m in minima}
            for a, b in zip(route, route[1:], strict=False):
                if b in adj.get(a, {}):
                    continue
                search = find_transition_states(
                    potential,
                    by_id[a].coords,
                    by_id[b].coords,
                    db=db,
                    seed=seed + n_searches,
                    **search_options,
                )
                tried.add(frozenset((a, b)))
                n_searches += 1
                new_minima += search.new_minima
                new_ts += search.new_transition_states
    finally:
        bar.close()
    return ConnectResult(
        min1=min1,
        min2=min2,
        success=bool(path),
        path=path,
        transition_states=ts_ids,
        n_searches=n_searches,
        new_minima=new_minima,
        new_transition_states=new_ts,
        n_cycles=n_cycles,
    )


def connect_lowest(
    potential: Potential,
    db: Database,
    options: ConnectOptions | None = None,
    *,
    lowest: int = 10,
    seed: int = 0,
    progress: bool = False,
    tried_pairs: set[frozenset[int]] | None = None,
    **overrides: Any,
) -> list[ConnectResult]:
    """Grow the transition-state network over the ``lowest`` lowest minima.

    Each of the lowest minima (chosen when the call starts) is connected to the global
    minimum with :func:`connect_minima`, skipping those the transition-state graph already
    joins to it (they get a result with ``n_searches=0``). The calls share the set of tried
    pairs.

    Parameters
    ----------
    potential : Potential
        The potential the database describes.
    db : Database
        Minima and transition states; new ones are added.
    options : ConnectOptions, optional
        Options of every :func:`connect_minima` call.
    lowest : int, default 10
        Connect this many of the lowest minima.
    seed : int, default 0
        Seed of the searches.
    progress : bool, default False
        Progress bar over the minima.
    tried_pairs : set of frozenset, optional
        Pairs already searched; updated in place.
    **overrides
        Fields of :class:`ConnectOptions` (``max_cycles``, ``distance_metric``, search
        options).

    Returns
    -------
    list of ConnectResult
        One per minimum other than the global minimum, in ascending energy.
    """
    from tqdm.auto import tqdm

    if lowest < 1:
        raise InputError(f"lowest must be at least 1, got {lowest}")
    opts = ConnectOptions.build(options, **overrides)
    targets = db.minima()[:lowest]
    if not targets:
        return []
    gmin = targets[0].id
    tried: set[frozenset[int]] = set() if tried_pairs is None else tried_pairs
    distances = OrbitDistances(potential)
    results = []
    for i, m in enumerate(tqdm(targets[1:], desc="connect", disable=not progress)):
        adj = ts_graph(db.transition_states())
        if m.id in ts_component(adj, gmin):
            path, ts_ids = bfs_path(adj, gmin, m.id)
            results.append(ConnectResult(gmin, m.id, True, path, ts_ids))
            continue
        results.append(
            connect_minima_cached(
                potential,
                db,
                gmin,
                m.id,
                opts,
                seed=seed + 1000 * i,
                tried_pairs=tried,
                distances=distances,
            )
        )
    return results
