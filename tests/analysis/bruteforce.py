"""Brute-force oracle for the HP-landscape graph, optima and metrics.

Written from ``notes/metrics_spec.md`` alone, independently of :mod:`lossatlas.analysis`: plain
Python loops over explicit neighbour lists, networkx for connected components, and its own
Pearson/Spearman. Slow on purpose; meant for landscapes of a few hundred configurations.

Every function takes ``(space, index, loss[, epsilon])`` -- the search space, the flat indices of
the present configurations (sorted ascending; row ``r`` is ``index[r]``) and the loss per row --
and returns plain Python values (lists, sets, floats). :class:`Oracle` bundles them with caching;
:meth:`Oracle.from_landscape` reads a :class:`~lossatlas.landscape.Landscape`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cached_property
from typing import Any

import networkx as nx
import numpy as np

__all__ = [
    "Oracle",
    "codes_of",
    "neighbours",
    "grid_distance",
    "plateau_partition",
    "optimum_plateaus",
    "strict_local_optima",
    "descent",
    "global_rows",
    "distances_to_global",
    "pearson",
    "spearman",
    "average_ranks",
    "walk_autocorrelation",
]


# -- configurations ------------------------------------------------------------------------------
def _radices(space: Any) -> list[int]:
    return [len(hp.values) for hp in space.hyperparameters]


def _ordinal(space: Any) -> list[bool]:
    return [hp.kind == "ordinal" for hp in space.hyperparameters]


def codes_of(space: Any, flat: int) -> tuple[int, ...]:
    """Mixed-radix digits of ``flat``, last hyperparameter fastest (C order)."""
    digits = []
    rest = int(flat)
    for radix in reversed(_radices(space)):
        rest, digit = divmod(rest, radix)
        digits.append(digit)
    assert rest == 0, "flat index out of range"
    return tuple(reversed(digits))


def flat_of(space: Any, codes: Sequence[int]) -> int:
    """Inverse of :func:`codes_of`."""
    flat = 0
    for radix, code in zip(_radices(space), codes, strict=True):
        flat = flat * radix + int(code)
    return flat


def grid_distance(space: Any, codes_a: Sequence[int], codes_b: Sequence[int]) -> int:
    """|code difference| summed over ordinal HPs plus the number of differing other HPs."""
    total = 0
    for ordinal, a, b in zip(_ordinal(space), codes_a, codes_b, strict=True):
        total += abs(int(a) - int(b)) if ordinal else int(a != b)
    return total


def neighbours(space: Any, index: Sequence[int]) -> list[list[int]]:
    """Rows adjacent to each row: one HP differs, by one step if ordinal; sorted row lists."""
    row_of = {int(f): r for r, f in enumerate(index)}
    radices, ordinal = _radices(space), _ordinal(space)
    result = []
    for flat in index:
        codes = list(codes_of(space, flat))
        found = []
        for j, radix in enumerate(radices):
            for value in range(radix):
                if value == codes[j]:
                    continue
                if ordinal[j] and abs(value - codes[j]) != 1:
                    continue
                other = codes.copy()
                other[j] = value
                row = row_of.get(flat_of(space, other))
                if row is not None:
                    found.append(row)
        result.append(sorted(found))
    return result


def edges(nbrs: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    """Unordered neighbour pairs ``(i, j)`` with ``i < j``."""
    return [(i, j) for i, js in enumerate(nbrs) for j in js if i < j]


# -- plateaus and optima ---------------------------------------------------------------------------
def _neutral(a: float, b: float, epsilon: float) -> bool:
    return abs(a - b) <= epsilon


def plateau_partition(
    nbrs: Sequence[Sequence[int]], loss: Sequence[float], epsilon: float
) -> list[frozenset[int]]:
    """Connected components of the neutral sub-graph (singletons included)."""
    graph = nx.Graph()
    graph.add_nodes_from(range(len(loss)))
    graph.add_edges_from((i, j) for i, j in edges(nbrs) if _neutral(loss[i], loss[j], epsilon))
    return [frozenset(c) for c in nx.connected_components(graph)]


def representative(plateau: frozenset[int], loss: Sequence[float]) -> int:
    """Member with the lowest loss, ties to the lowest row."""
    return min(plateau, key=lambda r: (loss[r], r))


def is_optimum_plateau(
    plateau: frozenset[int], nbrs: Sequence[Sequence[int]], loss: Sequence[float], epsilon: float
) -> bool:
    """No member has a neighbour whose loss is below ``best(P) - epsilon``."""
    best = min(loss[r] for r in plateau)
    return not any(loss[j] < best - epsilon for i in plateau for j in nbrs[i])


def optimum_plateaus(
    nbrs: Sequence[Sequence[int]], loss: Sequence[float], epsilon: float
) -> list[frozenset[int]]:
    """The local-optimum plateaus."""
    return [
        p
        for p in plateau_partition(nbrs, loss, epsilon)
        if is_optimum_plateau(p, nbrs, loss, epsilon)
    ]


def strict_local_optima(
    nbrs: Sequence[Sequence[int]], loss: Sequence[float], *, strict: bool = True
) -> list[int]:
    """Rows better than (``strict``) or not worse than every neighbour; isolated rows count."""
    if strict:
        return [i for i, js in enumerate(nbrs) if all(loss[i] < loss[j] for j in js)]
    return [i for i, js in enumerate(nbrs) if all(loss[i] <= loss[j] for j in js)]


def _lowest(candidates: Sequence[int], loss: Sequence[float]) -> int:
    return min(candidates, key=lambda r: (loss[r], r))


def descent(
    nbrs: Sequence[Sequence[int]],
    loss: Sequence[float],
    epsilon: float,
    rule: str = "stop",
    plateau_exit: str = "lowest",
) -> tuple[list[int], list[int]]:
    """Best-improvement descent with plateau exits from every row.

    ``rule``: ``"stop"`` stops on entering a local-optimum plateau; ``"through"`` stops only
    where no neighbour is strictly lower; ``"graphfla"`` moves only to a neighbour lower by more
    than epsilon and stops only where none is, except that a row starting in a local-optimum
    plateau stays. ``plateau_exit``: ``"lowest"`` outside neighbour of the plateau, or the
    ``"first"`` member (by row) with an outside neighbour below ``best - epsilon`` and its first
    such neighbour (by row).

    Returns the representative row of the local-optimum plateau each row stops in, and the
    number of moves (descent steps and exits) it took.
    """
    plateaus = plateau_partition(nbrs, loss, epsilon)
    plateau_of: dict[int, frozenset[int]] = {r: p for p in plateaus for r in p}
    optimum = {p: is_optimum_plateau(p, nbrs, loss, epsilon) for p in plateaus}
    basin, climb = [], []
    for start in range(len(loss)):
        current, moves = start, 0
        if rule == "graphfla" and optimum[plateau_of[start]]:
            basin.append(representative(plateau_of[start], loss))
            climb.append(0)
            continue
        while True:
            if rule == "stop" and optimum[plateau_of[current]]:
                break
            if nbrs[current]:
                j = _lowest(nbrs[current], loss)
                margin = epsilon if rule == "graphfla" else 0.0
                if loss[j] < loss[current] - margin:
                    current, moves = j, moves + 1
                    continue
            plateau = plateau_of[current]
            if optimum[plateau]:
                break
            best = min(loss[r] for r in plateau)
            if plateau_exit == "lowest":
                outside = [j for i in plateau for j in nbrs[i]]
                j = _lowest(outside, loss)
            else:
                j = next(
                    j
                    for i in sorted(plateau)
                    for j in sorted(nbrs[i])
                    if j not in plateau and loss[j] < best - epsilon
                )
            assert loss[j] < best - epsilon
            current, moves = j, moves + 1
        basin.append(representative(plateau_of[current], loss))
        climb.append(moves)
    return basin, climb


def global_rows(loss: Sequence[float]) -> list[int]:
    """Rows attaining the minimum loss."""
    best = min(loss)
    return [r for r, value in enumerate(loss) if value == best]


def distances_to_global(space: Any, index: Sequence[int], loss: Sequence[float]) -> list[int]:
    """Grid distance from every row to the nearest global-optimum row."""
    codes = [codes_of(space, f) for f in index]
    targets = [codes[g] for g in global_rows(loss)]
    return [min(grid_distance(space, c, t) for t in targets) for c in codes]


# -- statistics ------------------------------------------------------------------------------------
def _constant(values: Sequence[float]) -> bool:
    return all(v == values[0] for v in values)


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    """Pearson correlation; NaN with fewer than two points or a constant input."""
    n = len(x)
    if n < 2 or _constant(x) or _constant(y):
        return math.nan
    mx, my = math.fsum(x) / n, math.fsum(y) / n
    sxy = math.fsum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = math.fsum((a - mx) ** 2 for a in x)
    syy = math.fsum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy)


def average_ranks(values: Sequence[float]) -> list[float]:
    """Ranks 1..n, ties sharing their average rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        stop = start
        while stop + 1 < len(order) and values[order[stop + 1]] == values[order[start]]:
            stop += 1
        for k in range(start, stop + 1):
            ranks[order[k]] = (start + stop) / 2 + 1
        start = stop + 1
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman correlation (Pearson on average ranks); NaN when undefined."""
    if len(x) < 2 or _constant(x) or _constant(y):
        return math.nan
    return pearson(average_ranks(x), average_ranks(y))


def walk_autocorrelation(walks: Sequence[Sequence[float]], *, estimator: str = "median") -> float:
    """Lag-1 autocorrelation of loss series along walks: per-walk median, or pooled."""
    walks = [list(map(float, w)) for w in walks]
    if estimator == "median":
        values = []
        for x in walks:
            if len(x) < 2 or _constant(x):
                values.append(math.nan)
                continue
            m = math.fsum(x) / len(x)
            num = math.fsum((x[t] - m) * (x[t + 1] - m) for t in range(len(x) - 1))
            den = math.fsum((v - m) ** 2 for v in x)
            values.append(num / den)
        finite = sorted(v for v in values if not math.isnan(v))
        if not finite:
            return math.nan
        half = len(finite) // 2
        return finite[half] if len(finite) % 2 else (finite[half - 1] + finite[half]) / 2
    if estimator == "pooled":
        every = [v for x in walks for v in x]
        if not every or _constant(every):
            return math.nan
        m = math.fsum(every) / len(every)
        num = math.fsum((x[t] - m) * (x[t + 1] - m) for x in walks for t in range(len(x) - 1))
        den = math.fsum((v - m) ** 2 for v in every)
        return num / den
    raise ValueError(estimator)


# -- everything about one landscape ---------------------------------------------------------------
class Oracle:
    """All the spec's quantities for one landscape, computed by brute force (cached)."""

    def __init__(
        self,
        space: Any,
        index: Sequence[int],
        loss: Sequence[float],
        epsilon: float = 0.0,
        rule: str = "stop",
        plateau_exit: str = "lowest",
    ) -> None:
        self.rule = rule
        self.plateau_exit = plateau_exit
        self.space = space
        self.index = [int(f) for f in index]
        assert self.index == sorted(set(self.index)), "index must be sorted and unique"
        self.loss = [float(v) for v in loss]
        assert len(self.loss) == len(self.index)
        self.epsilon = float(epsilon)

    @classmethod
    def from_landscape(
        cls,
        landscape: Any,
        *,
        loss: str = "test",
        epsilon: float = 0.0,
        rule: str = "stop",
        plateau_exit: str = "lowest",
    ) -> Oracle:
        return cls(
            landscape.space,
            np.asarray(landscape.index).tolist(),
            landscape.loss(loss),
            epsilon,
            rule,
            plateau_exit,
        )

    @property
    def n(self) -> int:
        return len(self.loss)

    @cached_property
    def codes(self) -> list[tuple[int, ...]]:
        return [codes_of(self.space, f) for f in self.index]

    @cached_property
    def nbrs(self) -> list[list[int]]:
        return neighbours(self.space, self.index)

    @cached_property
    def edges(self) -> list[tuple[int, int]]:
        return edges(self.nbrs)

    # graph and optima
    @cached_property
    def plateaus(self) -> list[frozenset[int]]:
        return plateau_partition(self.nbrs, self.loss, self.epsilon)

    @cached_property
    def optimum_plateaus(self) -> list[frozenset[int]]:
        return [
            p for p in self.plateaus if is_optimum_plateau(p, self.nbrs, self.loss, self.epsilon)
        ]

    @cached_property
    def optima_rows(self) -> set[int]:
        """Representatives of the local-optimum plateaus."""
        return {representative(p, self.loss) for p in self.optimum_plateaus}

    @cached_property
    def _descent(self) -> tuple[list[int], list[int]]:
        return descent(self.nbrs, self.loss, self.epsilon, self.rule, self.plateau_exit)

    @property
    def basin(self) -> list[int]:
        """Per row: the representative row of the local-optimum plateau its descent stops in."""
        return self._descent[0]

    @property
    def climb_length(self) -> list[int]:
        return self._descent[1]

    @cached_property
    def basin_size(self) -> dict[int, int]:
        """Representative row of each local-optimum plateau -> number of rows in its basin."""
        sizes = dict.fromkeys(self.optima_rows, 0)
        for rep in self.basin:
            sizes[rep] += 1
        return sizes

    def strict_local_optima(self, *, strict: bool = True) -> list[int]:
        return strict_local_optima(self.nbrs, self.loss, strict=strict)

    @cached_property
    def global_rows(self) -> list[int]:
        return global_rows(self.loss)

    @cached_property
    def distances(self) -> list[int]:
        return distances_to_global(self.space, self.index, self.loss)

    # metrics
    @property
    def n_local_optima(self) -> int:
        return len(self.optimum_plateaus)

    @property
    def local_optima_ratio(self) -> float:
        return self.n_local_optima / self.n

    @property
    def fdc(self) -> float:
        return pearson(self.loss, self.distances)

    @property
    def fdc_spearman(self) -> float:
        return spearman(self.loss, self.distances)

    @property
    def assortativity(self) -> float:
        ordered = [(i, j) for i, js in enumerate(self.nbrs) for j in js]
        return pearson([self.loss[i] for i, _ in ordered], [self.loss[j] for _, j in ordered])

    def _is_neutral(self, i: int, j: int) -> bool:
        return _neutral(self.loss[i], self.loss[j], self.epsilon)

    @property
    def neutrality(self) -> float:
        if not self.edges:
            return math.nan
        return sum(self._is_neutral(i, j) for i, j in self.edges) / len(self.edges)

    @property
    def ndc(self) -> float:
        shares, dists = [], []
        for i, js in enumerate(self.nbrs):
            if js:
                shares.append(sum(self._is_neutral(i, j) for j in js) / len(js))
                dists.append(self.distances[i])
        return spearman(shares, dists)

    @property
    def plateau_statistics(self) -> dict[str, int]:
        first_global = min(self.global_rows)
        return {
            "n_plateaus": len(self.plateaus),
            "largest_plateau": max(len(p) for p in self.plateaus),
            "global_plateau_size": next(len(p) for p in self.plateaus if first_global in p),
        }

    @property
    def basin_statistics(self) -> dict[str, float]:
        best = min(self.loss)
        reps = sorted(self.optima_rows)
        sizes = [self.basin_size[r] for r in reps]
        bests = [self.loss[r] for r in reps]
        global_reps = {r for r in reps if self.loss[r] == best}
        corr = spearman(sizes, bests) if len(reps) >= 3 else math.nan
        return {
            "global_basin_size": sum(b in global_reps for b in self.basin) / self.n,
            "mean_basin_size": sum(sizes) / len(sizes),
            "basin_fitness_corr": corr,
            "mean_climb_length": sum(self.climb_length) / self.n,
        }
