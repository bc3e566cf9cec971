"""Pluggable neighbourhoods: which one-HP changes are moves, and the matching grid distance.

A neighbourhood says, for every hyperparameter separately, which of its values are adjacent (a
symmetric *value graph*); two configurations are neighbours when they differ in exactly one
hyperparameter and the two values are adjacent there. The grid distance is the shortest path
on the full grid, which for such a Cartesian product of value graphs is the sum over HPs of the
shortest path in each value graph.

Built-ins:

- :func:`one_edit` (the default): an ordinal HP moves to an adjacent value, a categorical or
  boolean HP to any other value; distance = Manhattan on ordinal codes + Hamming on the rest
  (the 1-edit neighbourhood of Pushak & Hoos 2022 used by Huang & Li 2023).
- :func:`ordinal_radius`: ordinal HPs move up to ``k`` steps (distance ``ceil(|dc| / k)``), and
  any ordinal HP named in ``categorical`` is treated like a categorical one (every other value
  adjacent, distance 0/1).
- :func:`custom`: an explicit ``k x k`` adjacency matrix for any hyperparameter.

The graph code consumes a neighbourhood through two tables per hyperparameter:
:meth:`Neighbourhood.value_moves` (target code of each move type from each code, ``-1`` when
absent) and :meth:`Neighbourhood.value_distances` (``k x k`` shortest paths).

References
----------
Pushak, Y. & Hoos, H. H. (2022). AutoML loss landscapes. ACM TELO 2(3).
Huang, C. & Li, K. (2023). On the hyperparameter loss landscapes of machine learning models: an
exploratory study. arXiv:2311.14014.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from lossatlas.errors import InputError
from lossatlas.space import Hyperparameter, SearchSpace

__all__ = ["Neighbourhood", "custom", "one_edit", "ordinal_radius", "resolve_neighbourhood"]


@dataclass(frozen=True)
class Neighbourhood:
    """Which one-hyperparameter changes are moves (hashable, so it can key caches).

    Build one with :func:`one_edit`, :func:`ordinal_radius` or :func:`custom` rather than
    directly.

    Attributes
    ----------
    name : str
        Short description, recorded in profile tables (``"one_edit"``, ``"ordinal_radius(2)"``).
    radius : int
        Largest step of an ordinal move.
    categorical : frozenset of str
        Ordinal hyperparameters treated as categorical (every other value adjacent).
    adjacency : tuple
        ``(hp_name, matrix)`` pairs of explicit value graphs, ``matrix`` a tuple of row tuples
        of bools; these override the other rules for that hyperparameter.
    """

    name: str = "one_edit"
    radius: int = 1
    categorical: frozenset[str] = field(default_factory=frozenset)
    adjacency: tuple[tuple[str, tuple[tuple[bool, ...], ...]], ...] = ()

    @property
    def is_default(self) -> bool:
        """True for the 1-edit neighbourhood (served by the fast index-arithmetic path)."""
        return self.radius == 1 and not self.categorical and not self.adjacency

    def check(self, space: SearchSpace) -> None:
        """Raise :class:`~lossatlas.errors.InputError` if a named HP is not in ``space``.

        Parameters
        ----------
        space : SearchSpace
        """
        names = set(space.names)
        for hp_name in sorted(self.categorical | {n for n, _ in self.adjacency}):
            if hp_name not in names:
                raise InputError(
                    f"neighbourhood {self.name!r} names hyperparameter {hp_name!r}, which is not "
                    f"in the search space ({sorted(names)})"
                )

    def _matrix(self, hp: Hyperparameter) -> np.ndarray | None:
        for name, rows in self.adjacency:
            if name == hp.name:
                matrix = np.array(rows, dtype=bool)
                if matrix.shape != (hp.size, hp.size):
                    raise InputError(
                        f"neighbourhood {self.name!r}: the adjacency of hyperparameter "
                        f"{hp.name!r} is {matrix.shape[0]} x {matrix.shape[1]}, "
                        f"but it has {hp.size} values"
                    )
                return matrix
        return None

    def value_moves(self, hp: Hyperparameter) -> np.ndarray:
        """Move table of one hyperparameter's value graph.

        Parameters
        ----------
        hp : Hyperparameter

        Returns
        -------
        ndarray of shape (k, d), int64
            ``table[c, t]``: the value code that move ``t`` reaches from code ``c``, or ``-1``.
            Every adjacent value appears exactly once per row. Ordinal moves are ordered
            ``+1, -1, +2, -2, ...`` and categorical ones as the cyclic offsets ``1..k-1``, the
            order of the 1-edit move table (so random walks are reproduced exactly).
        """
        k = hp.size
        codes = np.arange(k)
        matrix = self._matrix(hp)
        if matrix is not None:
            matrix = matrix & ~np.eye(k, dtype=bool)
            width = int(matrix.sum(axis=1).max()) if k else 0
            table = np.full((k, width), -1, dtype=np.int64)
            for c in range(k):
                targets = np.flatnonzero(matrix[c])
                table[c, : len(targets)] = targets
            return table
        if hp.is_ordinal and hp.name not in self.categorical:
            offsets = [s * d for d in range(1, self.radius + 1) for s in (1, -1)]
            table = codes[:, None] + np.array(offsets, dtype=np.int64)[None, :]
            table = np.where((table >= 0) & (table < k), table, -1)
            # steps longer than the HP drop out (k >= 2 keeps the 1-edit moves +1, -1)
            return table[:, (table >= 0).any(axis=0) | (np.abs(offsets) == 1)]
        return (codes[:, None] + np.arange(1, k)[None, :]) % k

    def value_distances(self, hp: Hyperparameter) -> np.ndarray:
        """Shortest-path distances between the values of one hyperparameter.

        Parameters
        ----------
        hp : Hyperparameter

        Returns
        -------
        ndarray of shape (k, k), int64
            Number of moves between every two value codes.

        Raises
        ------
        InputError
            When the value graph is not connected (some configurations would be unreachable).
        """
        k = hp.size
        table = self.value_moves(hp)
        matrix = np.zeros((k, k), dtype=np.int8)
        rows, cols = np.nonzero(table >= 0)
        matrix[rows, table[rows, cols]] = 1
        if not np.array_equal(matrix, matrix.T):
            raise InputError(
                f"neighbourhood {self.name!r}: the value graph of hyperparameter {hp.name!r} "
                "is not symmetric (a move from a to b needs the move from b to a)"
            )
        from scipy.sparse.csgraph import shortest_path  # lazily: only for custom graphs

        dist = shortest_path(matrix, method="D", unweighted=True, directed=False)
        if not np.all(np.isfinite(dist)):
            raise InputError(
                f"neighbourhood {self.name!r}: the values of hyperparameter {hp.name!r} are not "
                "all connected, so the grid distance is undefined"
            )
        return dist.astype(np.int64)


_ONE_EDIT = Neighbourhood()


def one_edit() -> Neighbourhood:
    """The default 1-edit neighbourhood.

    Returns
    -------
    Neighbourhood
        Ordinal HPs move to an adjacent value, categorical and boolean HPs to any other value.

    References
    ----------
    Pushak, Y. & Hoos, H. H. (2022). AutoML loss landscapes. ACM TELO 2(3).
    """
    return _ONE_EDIT


def ordinal_radius(radius: int = 1, *, categorical: Iterable[str] = ()) -> Neighbourhood:
    """Ordinal moves of up to ``radius`` steps; named ordinal HPs treated as categorical.

    Parameters
    ----------
    radius : int, default 1
        Largest code step of an ordinal move (distance along an ordinal HP is
        ``ceil(|dc| / radius)``).
    categorical : iterable of str, optional
        Ordinal hyperparameters whose values are all mutually adjacent (distance 0/1).

    Returns
    -------
    Neighbourhood
    """
    radius = int(radius)
    if radius < 1:
        raise InputError(f"the ordinal radius must be >= 1, not {radius}")
    names = frozenset(str(n) for n in categorical)
    if radius == 1 and not names:
        return _ONE_EDIT
    label = f"ordinal_radius({radius}"
    label += f", categorical={sorted(names)})" if names else ")"
    return Neighbourhood(name=label, radius=radius, categorical=names)


def custom(adjacency: Mapping[str, object], *, name: str = "custom") -> Neighbourhood:
    """A neighbourhood with explicit value graphs for some hyperparameters.

    Parameters
    ----------
    adjacency : mapping of str to array-like of shape (k, k)
        Per hyperparameter name, a symmetric boolean matrix: ``True`` where two value codes are
        adjacent (the diagonal is ignored). Hyperparameters not named keep the 1-edit rule.
    name : str, default "custom"
        Label recorded in profile tables.

    Returns
    -------
    Neighbourhood
    """
    items = []
    for hp_name, matrix in sorted(adjacency.items()):
        array = np.asarray(matrix, dtype=bool)
        if array.ndim != 2 or array.shape[0] != array.shape[1]:
            raise InputError(
                f"neighbourhood {name!r}: the adjacency of {hp_name!r} must be a square matrix, "
                f"not shape {array.shape}"
            )
        if not np.array_equal(array, array.T):
            raise InputError(
                f"neighbourhood {name!r}: the adjacency of {hp_name!r} must be symmetric"
            )
        items.append((str(hp_name), tuple(tuple(bool(v) for v in row) for row in array)))
    return Neighbourhood(name=name, adjacency=tuple(items))


def resolve_neighbourhood(neighbourhood: Neighbourhood | str | None) -> Neighbourhood:
    """The neighbourhood an option names (``None`` or ``"one_edit"``: the default).

    Parameters
    ----------
    neighbourhood : Neighbourhood, str or None

    Returns
    -------
    Neighbourhood
    """
    if neighbourhood is None or neighbourhood == "one_edit":
        return _ONE_EDIT
    if isinstance(neighbourhood, Neighbourhood):
        return neighbourhood
    raise InputError(
        f"unknown neighbourhood {neighbourhood!r}: pass one_edit(), ordinal_radius(k) or custom()"
    )
