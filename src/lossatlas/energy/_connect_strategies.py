"""Which pairs of minima to connect: the strategies of topsearch and PATHSAMPLE.

* ``lowest``: each of the ``N`` lowest minima to the global minimum
  (:func:`~lossatlas.energy._connect.connect_lowest`);
* ``unconnected``: each of the ``N`` lowest minima that no chain of transition states joins to
  the global minimum's connected set, to its nearest member of that set (PATHSAMPLE's
  ``CONNECTUNC``; topsearch's ``connect_unconnected``);
* ``closest``: each of the ``N`` lowest minima to its ``neighbours`` nearest minima among them,
  closest pairs first (topsearch's ``closest_enumeration``);
* ``pairs``: a given list of pairs of minimum ids (a file with two ids per line).

Distances are the ones Dijkstra's weights use (up to symmetry, ``potential.symmetry_distance``,
or Euclidean between canonicalised coordinates). Every pair goes to
:func:`~lossatlas.energy._connect.connect_minima`, which returns at once when the pair is
joined already; the calls share the set of tried pairs and the distance cache.

References
----------
J. M. Carr, S. A. Trygubenko and D. J. Wales, "Finding pathways between distant local minima",
J. Chem. Phys. 122, 234903 (2005).
D. J. Wales, PATHSAMPLE: a driver for OPTIM to create stationary point databases using
discrete path sampling, http://www-wales.ch.cam.ac.uk/PATHSAMPLE/.
L. Dicks and D. J. Wales, topsearch (2024), https://github.com/ljd42/topsearch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from lossatlas.energy._connect import (
    ConnectResult,
    OrbitDistances,
    bfs_path,
    connect_lowest,
    connect_minima_cached,
    ts_component,
    ts_graph,
)
from lossatlas.energy._options import ConnectOptions
from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.energy._database import Database
    from lossatlas.energy.potentials import Potential

__all__ = ["CONNECT_STRATEGIES", "connect_with_strategy", "read_pairs"]

Strategy = Literal["lowest", "unconnected", "closest", "pairs"]
CONNECT_STRATEGIES: tuple[str, ...] = ("lowest", "unconnected", "closest", "pairs")


def read_pairs(path: str | Path) -> list[tuple[int, int]]:
    """Pairs of minimum ids from a text file: two ids per line (comma or blank separated).

    Blank lines and lines starting with ``#`` are skipped; a first line ``min1,min2`` (any two
    words that are not numbers) is a header.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    list of (int, int)

    Raises
    ------
    InputError
        A missing file or a line that is not two integer ids, named by file and line.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"--pairs '{p}': no such file")
    pairs: list[tuple[int, int]] = []
    for lineno, raw in enumerate(p.read_text(errors="replace").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = line.replace(",", " ").split()
        try:
            if len(words) != 2:
                raise ValueError
            a, b = int(words[0]), int(words[1])
        except ValueError:
            if lineno == 1 and len(words) == 2:
                continue  # header
            raise InputError(
                f"'{p}' line {lineno}: expected two minimum ids, got {line[:60]!r}"
            ) from None
        if a == b:
            raise InputError(f"'{p}' line {lineno}: a pair needs two different minima, got {a}")
        pairs.append((a, b))
    if not pairs:
        raise InputError(f"'{p}': no pairs of minimum ids")
    return pairs


def _closest_pairs(
    ids: Sequence[int], distances: np.ndarray, neighbours: int
) -> list[tuple[int, int]]:
    """Each minimum with its ``neighbours`` nearest others; deduplicated, closest first."""
    n = len(ids)
    chosen: dict[tuple[int, int], float] = {}
    for i in range(n):
        order = [j for j in np.argsort(distances[i], kind="stable") if j != i][:neighbours]
        for j in order:
            key = (min(i, j), max(i, j))
            chosen[key] = float(distances[i, j])
    ranked = sorted(chosen.items(), key=lambda kv: (kv[1], kv[0]))
    return [(int(ids[i]), int(ids[j])) for (i, j), _ in ranked]


def connect_with_strategy(
    potential: Potential,
    db: Database,
    options: ConnectOptions | None = None,
    *,
    strategy: Strategy = "lowest",
    lowest: int = 10,
    pairs: Sequence[tuple[int, int]] | None = None,
    neighbours: int = 1,
    seed: int = 0,
    progress: bool = False,
    **overrides: Any,
) -> list[ConnectResult]:
    """Connect the pairs of minima a strategy names.

    Parameters
    ----------
    potential : Potential
        The potential the database describes.
    db : Database
        Minima and transition states; new ones are added.
    options : ConnectOptions, optional
        Options of every connection (cycles, band, tolerances).
    strategy : {"lowest", "unconnected", "closest", "pairs"}, default "lowest"
        See the module notes.
    lowest : int, default 10
        The strategies work on the ``lowest`` lowest minima (chosen when the call starts);
        ignored by ``pairs``.
    pairs : sequence of (int, int), optional
        The pairs of the ``pairs`` strategy (:func:`read_pairs`).
    neighbours : int, default 1
        Nearest neighbours per minimum of the ``closest`` strategy.
    seed : int, default 0
        Seed of the searches (pair ``i`` uses ``seed + 1000 i``).
    progress : bool, default False
        Progress bar over the pairs.
    **overrides
        Fields of :class:`ConnectOptions`.

    Returns
    -------
    list of ConnectResult
        One per pair attempted (a pair already joined gets ``n_searches=0``).

    References
    ----------
    Carr, Trygubenko & Wales, J. Chem. Phys. 122, 234903 (2005); topsearch; PATHSAMPLE.
    """
    from tqdm.auto import tqdm

    if strategy not in CONNECT_STRATEGIES:
        raise InputError(f"unknown connect strategy {strategy!r}: use one of {CONNECT_STRATEGIES}")
    if int(lowest) < 1:
        raise InputError(f"lowest must be at least 1, got {lowest}")
    if int(neighbours) < 1:
        raise InputError(f"neighbours must be at least 1, got {neighbours}")
    opts = ConnectOptions.build(options, **overrides)
    if strategy == "lowest":
        return connect_lowest(potential, db, opts, lowest=lowest, seed=seed, progress=progress)
    distances = OrbitDistances(potential)
    tried: set[frozenset[int]] = set()
    minima = db.minima()
    if strategy == "pairs":
        if not pairs:
            raise InputError("the 'pairs' strategy needs pairs of minimum ids (--pairs FILE)")
        known = {m.id for m in minima}
        for a, b in pairs:
            for m in (a, b):
                if m not in known:
                    raise InputError(f"pair ({a}, {b}): minimum {m} is not in '{db.path}'")
        todo = [(int(a), int(b)) for a, b in pairs]
    elif strategy == "closest":
        chosen = minima[: int(lowest)]
        d = np.vstack([distances.row(chosen, u) for u in range(len(chosen))])
        todo = _closest_pairs([m.id for m in chosen], d, int(neighbours))
    else:
        todo = []  # filled pair by pair: the connected set grows as minima join it
    results: list[ConnectResult] = []
    if strategy == "unconnected":
        chosen = minima[: int(lowest)]
        gmin = minima[0].id
        for i, m in enumerate(tqdm(chosen[1:], desc="connect", disable=not progress)):
            adj = ts_graph(db.transition_states())
            main = ts_component(adj, gmin)
            if m.id in main:
                continue
            current = db.minima()
            row = distances.row(current, next(k for k, c in enumerate(current) if c.id == m.id))
            members = [(row[k], c.id) for k, c in enumerate(current) if c.id in main]
            _, nearest = min(members)
            results.append(
                connect_minima_cached(
                    potential,
                    db,
                    nearest,
                    m.id,
                    opts,
                    seed=seed + 1000 * i,
                    tried_pairs=tried,
                    distances=distances,
                )
            )
        return results
    for i, (a, b) in enumerate(tqdm(todo, desc="connect", disable=not progress)):
        adj = ts_graph(db.transition_states())
        path, ts_ids = bfs_path(adj, a, b)
        if path:
            results.append(ConnectResult(a, b, True, path, ts_ids))
            continue
        results.append(
            connect_minima_cached(
                potential,
                db,
                a,
                b,
                opts,
                seed=seed + 1000 * i,
                tried_pairs=tried,
                distances=distances,
            )
        )
    return results
