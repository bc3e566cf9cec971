"""Local optima, plateaus and best-improvement basins of attraction.

Definitions (Huang & Li 2023, arXiv 2311.14014, after Pushak & Hoos 2022 and Ochoa et al. 2008):

- A *plateau* is a connected component of the neutral sub-graph, whose edges join neighbours
  with ``|L_i - L_j| <= epsilon`` (singletons included; compared with a round-off tolerance of
  ``1e-9 max(1, max|L|)``, see :func:`~lossatlas.analysis._graph.neutral_threshold`).
- A plateau ``P`` is a *local optimum* when no member has a neighbour with
  ``L_j < min_P L - epsilon``; each such plateau counts once, so at ``epsilon = 0`` equal-loss
  plateaus are not double-counted.
- *Best-improvement descent* moves to the lowest neighbour when it is strictly better (ties to
  the lowest flat index) and, by default, stops as soon as it enters a local-optimum plateau
  (the reference's "until a local optimum (plateau)"). A descent that halts on a plateau that is
  not a local optimum leaves it through an exit (one move) and goes on, so every configuration
  ends in a local-optimum plateau: its *basin*.

Two choices change basins at ``epsilon > 0`` and are options of :func:`local_optima`:

``descent``
    ``"stop"`` (default): stop on entering a local-optimum plateau. ``"through"``: the rule of
    lossatlas <= 0.3 -- a member of a local-optimum plateau whose outside neighbour is lower than
    it (though not lower than the plateau's best by more than epsilon) keeps descending, possibly
    into another optimum's basin. ``"graphfla"``: GraphFLA 0.4.0's hill climber -- it moves only
    to a neighbour better by more than epsilon, passes through local-optimum plateaus it meets on
    the way, and only a configuration that *starts* in a local-optimum plateau stays there.
``plateau_exit``
    ``"lowest"`` (default): leave a non-optimal plateau through the lowest outside neighbour of
    any member (ties to the lowest row). ``"first"``: GraphFLA's first-improvement exit -- the
    first member (lowest row) with an outside neighbour lower than the plateau's best by more than
    epsilon, to its first such neighbour (lowest row).

Everything is vectorised: pointers come from one pass over the move table, basins from pointer
jumping (``p = p[p]``, ``O(n log depth)``) and plateaus from
:func:`~lossatlas.analysis._components.components`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lossatlas.analysis._components import components
from lossatlas.analysis._graph import cache_key, distances_to, neighbour_scan
from lossatlas.analysis._neighbourhood import Neighbourhood, resolve_neighbourhood
from lossatlas.analysis._plateau_exits import first_exits, plateau_extremes
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape

__all__ = [
    "Optima",
    "plateaus",
    "strict_local_optima",
    "global_optimum",
    "distances_to_global",
    "local_optima",
    "DESCENTS",
    "PLATEAU_EXITS",
]


@dataclass(frozen=True)
class Optima:
    """Local optima and basins of one loss column at one epsilon.

    Attributes
    ----------
    plateau : ndarray (n,)
        Plateau label of every row (``0..n_plateaus-1``).
    plateau_size : ndarray (n_plateaus,)
    optimum_plateaus : ndarray (k,)
        Labels of the local-optimum plateaus, ordered by their best loss then flat index.
    optima_rows : ndarray (k,)
        Representative row of each (its best member, lowest flat index on ties).
    optima_loss : ndarray (k,)
    basin : ndarray (n,)
        Index ``0..k-1`` of the optimum each row's descent reaches.
    basin_size : ndarray (k,)
    climb_length : ndarray (n,)
        Moves from each row to its optimum (plateau exits count one move).
    global_rows : ndarray
        Rows attaining the lowest loss.
    epsilon : float
    descent, plateau_exit : str
        The descent rules (see the module notes).
    """

    plateau: np.ndarray
    plateau_size: np.ndarray
    optimum_plateaus: np.ndarray
    optima_rows: np.ndarray
    optima_loss: np.ndarray
    basin: np.ndarray
    basin_size: np.ndarray
    climb_length: np.ndarray
    global_rows: np.ndarray
    epsilon: float
    descent: str = "stop"
    plateau_exit: str = "lowest"

    @property
    def n_optima(self) -> int:
        """Number of local-optimum plateaus."""
        return len(self.optima_rows)

    @property
    def n_plateaus(self) -> int:
        """Number of plateaus (singletons included)."""
        return len(self.plateau_size)


def plateaus(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
) -> np.ndarray:
    """Plateau label of every row: components of the neutral sub-graph (``|dL| <= epsilon``).

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
    epsilon : float, default 0.0
    neighbourhood : Neighbourhood, optional
        Which one-HP changes are moves; default the 1-edit neighbourhood.

    Returns
    -------
    ndarray of shape (n,), int64
        Labels ``0..n_plateaus-1``.
    """
    return _plateau_labels(landscape, loss, epsilon, resolve_neighbourhood(neighbourhood))


def _plateau_labels(
    landscape: Landscape, loss: str, epsilon: float, nb: Neighbourhood
) -> np.ndarray:
    def compute() -> np.ndarray:
        scan = neighbour_scan(landscape, loss=loss, epsilon=epsilon, neighbourhood=nb)
        return components(landscape.n, scan.neutral_u, scan.neutral_v)

    return landscape.cached(("plateaus", loss, float(epsilon), *cache_key(nb)), compute)


def strict_local_optima(
    landscape: Landscape,
    *,
    loss: str = "test",
    strict: bool = True,
    neighbourhood: Neighbourhood | None = None,
) -> np.ndarray:
    """Rows whose loss is below (``strict``) or not above every neighbour's; isolated rows count.

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
    strict : bool, default True
    neighbourhood : Neighbourhood, optional

    Returns
    -------
    ndarray of int64
        The rows, ascending.
    """
    values = landscape.loss(loss)
    scan = neighbour_scan(landscape, loss=loss, epsilon=0.0, neighbourhood=neighbourhood)
    best = scan.best_loss
    mask = values < best if strict else values <= best
    return np.flatnonzero(mask)


def global_optimum(landscape: Landscape, *, loss: str = "test") -> np.ndarray:
    """Rows attaining the lowest loss.

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"

    Returns
    -------
    ndarray of int64
        The rows, ascending.
    """
    values = landscape.loss(loss)
    return np.flatnonzero(values == values.min())


def distances_to_global(
    landscape: Landscape, *, loss: str = "test", neighbourhood: Neighbourhood | None = None
) -> np.ndarray:
    """Grid distance of every row to the nearest global optimum.

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
    neighbourhood : Neighbourhood, optional
        Its distance is used (default: Manhattan on ordinal codes + Hamming on the rest).

    Returns
    -------
    ndarray of shape (n,), int64
    """
    nb = resolve_neighbourhood(neighbourhood)
    return landscape.cached(
        ("dist_global", loss, *cache_key(nb)),
        lambda: distances_to(landscape, global_optimum(landscape, loss=loss), neighbourhood=nb),
    )


def pointer_jump(pointer: np.ndarray, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Follow ``pointer`` to its fixed points, summing ``steps`` on the way."""
    pointer = pointer.copy()
    steps = steps.copy()
    while True:
        nxt = pointer[pointer]
        if np.array_equal(nxt, pointer):
            return pointer, steps
        steps += steps[pointer]
        pointer = nxt


#: The descent rules of :func:`local_optima` (see the module notes).
DESCENTS = ("stop", "through", "graphfla")
#: The plateau exits of :func:`local_optima` (see the module notes).
PLATEAU_EXITS = ("lowest", "first")


def local_optima(
    landscape: Landscape,
    *,
    loss: str = "test",
    epsilon: float = 0.0,
    descent: str = "stop",
    plateau_exit: str = "lowest",
    neighbourhood: Neighbourhood | None = None,
) -> Optima:
    """Local-optimum plateaus and best-improvement basins (cached per loss, epsilon and rules).

    Parameters
    ----------
    landscape : Landscape
    loss : str, default "test"
    epsilon : float, default 0.0
        Neutrality threshold: neighbours with ``|dL| <= epsilon`` are neutral.
    descent : {"stop", "through", "graphfla"}, default "stop"
        When a descent stops (see the module notes); the optima do not depend on it.
    plateau_exit : {"lowest", "first"}, default "lowest"
        How a descent leaves a plateau that is not a local optimum.
    neighbourhood : Neighbourhood, optional
        Which one-HP changes are moves; default the 1-edit neighbourhood.

    Returns
    -------
    Optima

    Notes
    -----
    ``O(m n)`` for the scan plus ``O(n log depth)`` for the pointer jumping. At ``epsilon = 0``
    the descents ``"stop"`` and ``"through"`` agree (a member of an optimum plateau has no lower
    neighbour).

    References
    ----------
    Huang, C. & Li, K. (2023). On the hyperparameter loss landscapes of machine learning
    models: an exploratory study. arXiv:2311.14014.
    Ochoa, G., Tomassini, M., Verel, S. & Darabos, C. (2008). A study of NK landscapes' basins and
    local optima networks. GECCO.
    GraphFLA 0.4.0 (COLA-Laboratory/GraphFLA), ``landscape/_basin.py``: the ``"graphfla"`` descent
    and the ``"first"`` plateau exit.
    """
    epsilon = float(epsilon)
    if descent not in DESCENTS:
        raise InputError(f"descent must be one of {', '.join(DESCENTS)}, not {descent!r}")
    if plateau_exit not in PLATEAU_EXITS:
        raise InputError(
            f"plateau_exit must be one of {', '.join(PLATEAU_EXITS)}, not {plateau_exit!r}"
        )
    nb = resolve_neighbourhood(neighbourhood)
    return landscape.cached(
        ("optima", loss, epsilon, descent, plateau_exit, *cache_key(nb)),
        lambda: _local_optima(landscape, loss, epsilon, descent, plateau_exit, nb),
    )


def _local_optima(
    landscape: Landscape,
    loss: str,
    epsilon: float,
    descent: str,
    plateau_exit: str,
    nb: Neighbourhood,
) -> Optima:
    values = landscape.loss(loss)
    n = landscape.n
    rows = np.arange(n, dtype=np.int64)
    scan = neighbour_scan(landscape, loss=loss, epsilon=epsilon, neighbourhood=nb)
    labels = _plateau_labels(landscape, loss, epsilon, nb)
    n_plateaus = int(labels.max()) + 1
    plateau_size = np.bincount(labels, minlength=n_plateaus)

    representative, best, exit_loss, exit_row = plateau_extremes(
        labels, plateau_size, values, scan.best_loss, scan.best_row
    )
    is_optimum = ~(exit_loss < best - scan.threshold)
    if plateau_exit == "first":
        exit_row = first_exits(landscape, labels, best, values, scan.threshold, nb)

    if descent == "graphfla":
        step = scan.best_loss < values - scan.threshold
    else:
        step = scan.best_loss < values
    pointer = np.where(step, scan.best_row, rows)
    in_optimum = is_optimum[labels]
    if descent == "stop":
        pointer[in_optimum] = rows[in_optimum]
    terminal = pointer == rows
    leave = terminal & ~in_optimum
    pointer[leave] = exit_row[labels[leave]]
    pointer_end, climb = pointer_jump(pointer, (pointer != rows).astype(np.int64))
    if descent == "graphfla":
        # a configuration that starts in an optimum plateau stays in it
        pointer_end = np.where(in_optimum, rows, pointer_end)
        climb = np.where(in_optimum, 0, climb)

    optimum_plateaus = np.flatnonzero(is_optimum)
    sort = np.lexsort((landscape.index[representative[optimum_plateaus]], best[optimum_plateaus]))
    optimum_plateaus = optimum_plateaus[sort]
    position = np.full(n_plateaus, -1, dtype=np.int64)
    position[optimum_plateaus] = np.arange(len(optimum_plateaus))
    basin = position[labels[pointer_end]]
    return Optima(
        plateau=labels,
        plateau_size=plateau_size,
        optimum_plateaus=optimum_plateaus,
        optima_rows=representative[optimum_plateaus],
        optima_loss=best[optimum_plateaus],
        basin=basin,
        basin_size=np.bincount(basin, minlength=len(optimum_plateaus)),
        climb_length=climb,
        global_rows=global_optimum(landscape, loss=loss),
        epsilon=epsilon,
        descent=descent,
        plateau_exit=plateau_exit,
    )
