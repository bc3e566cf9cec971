"""Brute-force oracle for the HP-landscape graph, optima and metrics.

Written from ``notes/metrics_spec.md`` alone, independently of :mod:`lossatlas.analysis`: plain
Python loops over explicit neighbour lists, networkx for connected components, and its own
Pearson/Spearman. Slow on purpose; meant for landscapes of a few hundred configurations.

Every function takes ``(space, index, loss[, epsilon])`` -- the search space, the flat indices of
the present configurations (sorted ascending; row ``r`` is ``index[r]``) and the loss per row --
and returns plain Python values (lists, sets, floats). Another neighbourhood than the 1-edit one
is given as a predicate ``adjacent(j, a, b)`` (are value codes ``a != b`` of HP ``j`` adjacent?);
its grid distance is then a breadth-first search over the full grid (networkx). :class:`Oracle`
bundles them with caching; :meth:`Oracle.from_landscape` reads a
:class:`~lossatlas.landscape.Landscape`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
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


Adjacent = Callable[[int, int, int], bool]


def one_edit_adjacent(space: Any) -> Adjacent:
    """The 1-edit predicate: ordinal values one step apart, other values whenever different."""
    ordinal = _ordinal(space)
    return lambda j, a, b: a != b and (abs(a - b) == 1 if ordinal[j] else True)


def neighbours(
    space: Any, index: Sequence[int], adjacent: Adjacent | None = None
) -> list[list[int]]:
    """Rows adjacent to each row: one HP differs, by one step if ordinal; sorted row lists."""
    row_of = {int(f): r for r, f in enumerate(index)}
    radices = _radices(space)
    adjacent = adjacent or one_edit_adjacent(space)
    result = []
    for flat in index:
        codes = list(codes_of(space, flat))
        found = []
        for j, radix in enumerate(radices):
            for value in range(radix):
                if value == codes[j] or not adjacent(j, codes[j], value):
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


def full_grid_graph(space: Any, adjacent: Adjacent) -> nx.Graph:
    """Every configuration of the grid (flat index nodes) with the predicate's edges."""
    every = list(range(math.prod(_radices(space))))
    graph = nx.Graph()
    graph.add_nodes_from(every)
    for row, js in enumerate(neighbours(space, every, adjacent)):
        graph.add_edges_from((row, j) for j in js)
    return graph


def distances_to_global(
    space: Any, index: Sequence[int], loss: Sequence[float], adjacent: Adjacent | None = None
) -> list[int]:
    """Grid distance from every row to the nearest global-optimum row (shortest grid path)."""
    if adjacent is not None:
        graph = full_grid_graph(space, adjacent)
        sources = [index[g] for g in global_rows(loss)]
        lengths = nx.multi_source_dijkstra_path_length(graph, sources)
        return [int(lengths[f]) for f in index]
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
        adjacent: Adjacent | None = None,
        rule: str = "stop",
        plateau_exit: str = "lowest",
    ) -> None:
        self.rule = rule
        self.plateau_exit = plateau_exit
        self.space = space
        self.adjacent = adjacent
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
        adjacent: Adjacent | None = None,
        rule: str = "stop",
        plateau_exit: str = "lowest",
    ) -> Oracle:
        return cls(
            landscape.space,
            np.asarray(landscape.index).tolist(),
            landscape.loss(loss),
            epsilon,
            adjacent,
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
        return neighbours(self.space, self.index, self.adjacent)

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
        return distances_to_global(self.space, self.index, self.loss, self.adjacent)

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


# -- GraphFLA's metrics, written from their definitions (issue 17) --------------------------------
def _median(values: Sequence[float]) -> float:
    s = sorted(values)
    half = len(s) // 2
    return s[half] if len(s) % 2 else (s[half - 1] + s[half]) / 2


def _percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between the two nearest order statistics (numpy's default)."""
    s = sorted(values)
    pos = (len(s) - 1) * q
    low = math.floor(pos)
    high = min(low + 1, len(s) - 1)
    return s[low] + (s[high] - s[low]) * (pos - low)


def _ratio(num: float, den: float) -> float:
    return math.nan if den == 0 else num / den


class GraphFLAOracle(Oracle):
    """The :class:`Oracle` plus the GraphFLA metrics, by loops over the plain definitions."""

    def _improving(self) -> list[tuple[int, int]]:
        """(worse, better) for neighbour pairs more than epsilon apart."""
        out = []
        for i, j in self.edges:
            if abs(self.loss[i] - self.loss[j]) > self.epsilon:
                out.append((i, j) if self.loss[i] > self.loss[j] else (j, i))
        return out

    def fitness_distribution(self) -> dict[str, float]:
        x = self.loss
        n = len(x)
        mean = math.fsum(x) / n
        median = _median(x)
        if _constant(x):
            return {
                "fitness.skewness": math.nan,
                "fitness.kurtosis": math.nan,
                "fitness.cv": _ratio(0.0, abs(mean)),
                "fitness.quartile_coefficient": _ratio(0.0, abs(median)),
                "fitness.median_mean_ratio": _ratio(median, mean),
                "fitness.relative_range": _ratio(0.0, abs(median)),
            }
        m2 = math.fsum((v - mean) ** 2 for v in x) / n
        m3 = math.fsum((v - mean) ** 3 for v in x) / n
        m4 = math.fsum((v - mean) ** 4 for v in x) / n
        sd = math.sqrt(m2 * n / (n - 1))
        iqr = _percentile(x, 0.75) - _percentile(x, 0.25)
        return {
            "fitness.skewness": m3 / m2**1.5,
            "fitness.kurtosis": m4 / m2**2,
            "fitness.cv": _ratio(sd, abs(mean)),
            "fitness.quartile_coefficient": _ratio(iqr, abs(median)),
            "fitness.median_mean_ratio": _ratio(median, mean),
            "fitness.relative_range": _ratio(max(x) - min(x), abs(median)),
        }

    @property
    def gradient_intensity(self) -> float:
        gaps = [self.loss[i] - self.loss[j] for i, j in self._improving()]
        mean = math.fsum(self.loss) / self.n
        if not gaps or mean == 0:
            return math.nan
        return (math.fsum(gaps) / len(gaps)) / mean

    @property
    def neighbor_fitness_correlation(self) -> float:
        xs, ys = [], []
        for i, js in enumerate(self.nbrs):
            if js:
                xs.append(self.loss[i])
                ys.append(math.fsum(self.loss[j] for j in js) / len(js))
        return pearson(xs, ys)

    @property
    def basin_fitness_correlation(self) -> float:
        sizes, values = [], []
        for plateau in self.optimum_plateaus:
            size = self.basin_size[representative(plateau, self.loss)]
            for r in plateau:
                sizes.append(size)
                values.append(self.loss[r])
        return spearman(sizes, values)

    def _greedy(self, i: int) -> int:
        if not self.nbrs[i]:
            return i
        j = _lowest(self.nbrs[i], self.loss)
        return j if self.loss[j] < self.loss[i] - self.epsilon else i

    @property
    def fitness_flattening_index(self) -> float:
        go = min(self.global_rows)
        trends = []
        for start in range(self.n):
            path = [start]
            while (nxt := self._greedy(path[-1])) != path[-1]:
                path.append(nxt)
            if len(path) >= 3 and path[-1] == go:
                steps = [
                    self.loss[a] - self.loss[b] for a, b in zip(path[:-1], path[1:], strict=True)
                ]
                rho = spearman(list(range(len(steps))), steps)
                if not math.isnan(rho):
                    trends.append(rho)
        return math.fsum(trends) / len(trends) if trends else math.nan

    def _depths(self) -> dict[int, int]:
        """Fewest improving moves to the first global optimum, by BFS from it backwards."""
        go = min(self.global_rows)
        into: dict[int, list[int]] = {}
        for worse, better in self._improving():
            into.setdefault(better, []).append(worse)
        depth = {go: 0}
        frontier = [go]
        while frontier:
            nxt = []
            for v in frontier:
                for u in into.get(v, []):
                    if u not in depth:
                        depth[u] = depth[v] + 1
                        nxt.append(u)
            frontier = nxt
        return depth

    @property
    def global_optima_accessibility(self) -> float:
        return len(self._depths()) / self.n

    @property
    def mean_path_length_to_global_optimum(self) -> float:
        depths = list(self._depths().values())
        return sum(depths) / len(depths)

    def accessible_basins(self) -> dict[int, int]:
        """Representative of each optimum plateau -> rows with an improving path into it."""
        into: dict[int, list[int]] = {}
        for worse, better in self._improving():
            into.setdefault(better, []).append(worse)
        sizes = {}
        for plateau in self.optimum_plateaus:
            seen = set(plateau)
            stack = list(plateau)
            while stack:
                for u in into.get(stack.pop(), []):
                    if u not in seen:
                        seen.add(u)
                        stack.append(u)
            sizes[representative(plateau, self.loss)] = len(seen)
        return sizes

    @property
    def mean_distance_to_global_optimum(self) -> float:
        return sum(self.distances) / self.n

    def _gamma(self) -> tuple[float, float]:
        row_of = {tuple(c): r for r, c in enumerate(self.codes)}
        radices = _radices(self.space)
        d = len(radices)
        num = den = snum = sden = 0.0
        for p in range(d):
            for q in range(d):
                if p == q:
                    continue
                others = [k for k in range(d) if k not in (p, q)]
                for a in range(radices[p]):
                    for b in range(a + 1, radices[p]):
                        for c in range(radices[q]):
                            for e in range(c + 1, radices[q]):
                                for background in _product([radices[k] for k in others]):
                                    cell = {}
                                    for vp, vq in ((a, c), (b, c), (a, e), (b, e)):
                                        codes = [0] * d
                                        codes[p], codes[q] = vp, vq
                                        for k, v in zip(others, background, strict=True):
                                            codes[k] = v
                                        cell[vp, vq] = row_of.get(tuple(codes))
                                    if None in cell.values():
                                        continue
                                    e1 = self.loss[cell[a, c]] - self.loss[cell[b, c]]
                                    e2 = self.loss[cell[a, e]] - self.loss[cell[b, e]]
                                    num += e1 * e2
                                    den += (e1 * e1 + e2 * e2) / 2
                                    s1, s2 = _sign(e1), _sign(e2)
                                    snum += s1 * s2
                                    sden += (s1 * s1 + s2 * s2) / 2
        return (num / den if den else math.nan, snum / sden if sden else math.nan)

    @property
    def r_s_ratio(self) -> float:
        """Additive least squares: ordinal/boolean codes as numbers, categorical indicators
        against the first present value; r = RMS residual, s = mean |slope|."""
        if _constant(self.loss):
            return math.nan
        design = [[1.0] for _ in range(self.n)]
        for j, hp in enumerate(self.space.hyperparameters):
            present = sorted({c[j] for c in self.codes})
            if len(present) < 2:
                continue
            for r, c in enumerate(self.codes):
                if hp.kind == "categorical":
                    design[r].extend(float(c[j] == v) for v in present[1:])
                else:
                    design[r].append(float(c[j]))
        x = np.asarray(design)
        if x.shape[1] == 1 or self.n < x.shape[1] or np.linalg.matrix_rank(x) < x.shape[1]:
            return math.nan
        y = np.asarray(self.loss)
        coef = np.linalg.lstsq(x, y, rcond=None)[0]
        residual = y - x @ coef
        roughness = math.sqrt(math.fsum(residual**2) / self.n)
        slope = math.fsum(abs(b) for b in coef[1:]) / (len(coef) - 1)
        return roughness / slope if slope > 1e-12 * (max(y) - min(y)) else math.inf

    def global_idiosyncratic_index(self, seed: int = 0, min_pairs: int = 3) -> float:
        """Effect SD of each directed value change over shared backgrounds / SD of as many
        random pairs' differences (RandomState(seed), HPs in order, value permutations)."""
        if self.n < 2 or _constant(self.loss):
            return math.nan
        rng = np.random.RandomState(seed)
        row_of = {tuple(c): r for r, c in enumerate(self.codes)}
        ratios = []
        for j in range(len(_radices(self.space))):
            present = sorted({c[j] for c in self.codes})
            for a in present:
                for b in present:
                    if a == b:
                        continue
                    effects = []
                    for codes, r in row_of.items():
                        if codes[j] == a:
                            other = codes[:j] + (b,) + codes[j + 1 :]
                            if other in row_of:
                                effects.append(self.loss[row_of[other]] - self.loss[r])
                    if len(effects) < min_pairs:
                        continue
                    pairs = rng.choice(np.asarray(self.loss), size=(len(effects), 2))
                    control = float(np.std(pairs[:, 1] - pairs[:, 0]))
                    ratios.append(float(np.std(effects)) / control if control else math.nan)
        return sum(ratios) / len(ratios) if ratios else math.nan

    def evolvability_enhancing_fraction(self, fdr: float = 0.01) -> float:
        """Wagner's test per ordered neighbour pair, Benjamini-Hochberg over all of them."""
        from scipy.stats import t as student

        g = [-v for v in self.loss]

        def hp_of(i: int, j: int) -> int:
            return next(
                k
                for k, (a, b) in enumerate(zip(self.codes[i], self.codes[j], strict=True))
                if a != b
            )

        def moments(i: int, focal: int) -> tuple[float, float, int]:
            vals = [g[j] for j in self.nbrs[i] if hp_of(i, j) != focal]
            if not vals:
                return math.nan, math.nan, 0
            m = sum(vals) / len(vals)
            return m, sum((v - m) ** 2 for v in vals) / len(vals), len(vals)

        def pvalue(diff: float, var: float, n: int) -> float:
            if n < 2:
                return math.nan
            if var == 0:
                return 1.0 if diff == 0 else 0.0
            return 2 * student.sf(abs(diff / math.sqrt(var / n)), n - 1)

        pairs = []
        for i, js in enumerate(self.nbrs):
            for j in js:
                focal = hp_of(i, j)
                mi, vi, ni = moments(i, focal)
                mj, vj, nj = moments(j, focal)
                effect, shift = g[j] - g[i], mj - mi
                n, var = min(ni, nj), vi + vj
                p = pvalue(shift - effect, var, n) if effect > 0 else pvalue(shift, var, n)
                pairs.append((p, effect, shift))
        if not pairs or all(math.isnan(p) for p, _, _ in pairs):
            return math.nan
        # Benjamini-Hochberg: reject the k smallest, k the largest with p_(k) <= k fdr / m
        ps = sorted(1.0 if math.isnan(p) else p for p, _, _ in pairs)
        m = len(ps)
        cut = max((k for k in range(1, m + 1) if ps[k - 1] <= k * fdr / m), default=0)
        limit = ps[cut - 1] if cut else -1.0
        enhancing = sum(
            1
            for p, effect, shift in pairs
            if not math.isnan(p) and p <= limit and shift - max(0.0, effect) > 1e-12
        )
        return enhancing / m

    def _squares(self) -> list[tuple[list[int], str]]:
        """(corners in cycle order, kind) of every induced 4-cycle of the improving graph."""
        adj: dict[int, set[int]] = {r: set() for r in range(self.n)}
        for worse, better in self._improving():
            adj[worse].add(better)
            adj[better].add(worse)
        seen, out = set(), []
        for a in range(self.n):
            for b in adj[a]:
                for c in adj[a]:
                    if b >= c or c in adj[b]:
                        continue
                    for d in adj[b] & adj[c]:
                        if d == a or d in adj[a]:
                            continue
                        key = frozenset((a, b, c, d))
                        if key in seen:
                            continue
                        seen.add(key)
                        cycle = [a, b, d, c]
                        g = [-self.loss[r] for r in cycle]
                        tops = [i for i in range(4) if g[i] > g[i - 1] and g[i] > g[(i + 1) % 4]]
                        lows = [i for i in range(4) if g[i] < g[i - 1] and g[i] < g[(i + 1) % 4]]
                        if len(tops) == 2:
                            kind = "reciprocal_sign"
                        elif (tops[0] - lows[0]) % 2 == 0:
                            kind = "magnitude"
                        else:
                            kind = "sign"
                        out.append((cycle, kind))
        return out

    def classify_epistasis(self) -> dict[str, float]:
        found = self._squares()
        keys = ("magnitude", "sign", "reciprocal_sign", "positive", "negative")
        if not found:
            return {f"epistasis.{k}": math.nan for k in keys}
        positive = 0
        for cycle, _ in found:
            g = [-self.loss[r] for r in cycle]
            top = max(range(4), key=lambda i: g[i])
            if g[top] + g[(top + 2) % 4] > g[(top + 1) % 4] + g[(top + 3) % 4]:
                positive += 1
        out = {f"epistasis.{k}": sum(kind == k for _, kind in found) / len(found) for k in keys[:3]}
        out["epistasis.positive"] = positive / len(found)
        out["epistasis.negative"] = 1 - positive / len(found)
        return out

    def extradimensional_bypass(self) -> dict[str, float]:
        found = [cycle for cycle, kind in self._squares() if kind == "reciprocal_sign"]
        if not found:
            return {"bypass.proportion": math.nan, "bypass.avg_length": math.nan}
        out_of: dict[int, list[int]] = {}
        for worse, better in self._improving():
            out_of.setdefault(worse, []).append(better)
        lengths = []
        for cycle in found:
            tops = sorted(
                (
                    i
                    for i in range(4)
                    if all(
                        self.loss[cycle[i]] < self.loss[cycle[j]]
                        for j in ((i + 1) % 4, (i + 3) % 4)
                    )
                ),
            )
            x, y = cycle[tops[0]], cycle[tops[1]]
            start, goal = (x, y) if self.loss[x] > self.loss[y] else (y, x)
            depth, frontier = {start: 0}, [start]
            while frontier and goal not in depth:
                nxt = []
                for u in frontier:
                    for v in out_of.get(u, []):
                        if v not in depth:
                            depth[v] = depth[u] + 1
                            nxt.append(v)
                frontier = nxt
            if goal in depth:
                lengths.append(depth[goal])
        return {
            "bypass.proportion": len(lengths) / len(found),
            "bypass.avg_length": sum(lengths) / len(lengths) if lengths else math.nan,
        }

    def lon_statistics(self, min_edge_freq: int = 3) -> dict[str, float]:
        """LON of the optima: 2-edit perturbations (two HPs, one move each) -> landing basin."""
        adjacent = self.adjacent or one_edit_adjacent(self.space)
        row_of = {tuple(c): r for r, c in enumerate(self.codes)}
        radices = _radices(self.space)
        reps = sorted(self.optima_rows, key=lambda r: (self.loss[r], self.index[r]))
        slot = {rep: i for i, rep in enumerate(reps)}
        k = len(reps)
        counts = [[0] * k for _ in range(k)]
        for i, rep in enumerate(reps):
            codes = self.codes[rep]
            for p in range(len(radices)):
                for q in range(p + 1, len(radices)):
                    for vp in range(radices[p]):
                        if vp == codes[p] or not adjacent(p, codes[p], vp):
                            continue
                        for vq in range(radices[q]):
                            if vq == codes[q] or not adjacent(q, codes[q], vq):
                                continue
                            other = list(codes)
                            other[p], other[q] = vp, vq
                            row = row_of.get(tuple(other))
                            if row is not None:
                                counts[i][slot[self.basin[row]]] += 1
        kept = [[c if c > min_edge_freq else 0 for c in line] for line in counts]
        escape, improve, edges = [], [], []
        for i in range(k):
            leave = sum(kept[i][j] for j in range(k) if j != i)
            escape.append(kept[i][i] / (kept[i][i] + leave) if leave else 1.0)
            up = sum(
                kept[i][j] for j in range(k) if j != i and self.loss[reps[j]] < self.loss[reps[i]]
            )
            improve.append(up / leave if leave else 0.0)
            edges += [(i, j) for j in range(k) if j != i and kept[i][j]]
        # ancestors of the global optimum (index 0) in the monotone LON
        into: dict[int, list[int]] = {}
        for i, j in edges:
            if self.loss[reps[j]] <= self.loss[reps[i]]:
                into.setdefault(j, []).append(i)
        seen, stack = {0}, [0]
        while stack:
            for u in into.get(stack.pop(), []):
                if u not in seen:
                    seen.add(u)
                    stack.append(u)
        return {
            "lon.n_edges": float(len(edges)),
            "lon.escape_difficulty": sum(escape) / k,
            "lon.improve_rate": sum(improve) / k,
            "lon.global_accessibility": len(seen) / k,
        }

    def _trend(self, costs: bool) -> float:
        xs, ys = [], []
        for worse, better in self._improving():
            xs.append(-self.loss[better if costs else worse])
            ys.append(self.loss[worse] - self.loss[better])
        return pearson(xs, ys)

    @property
    def metrics(self) -> dict[str, float]:
        """Every GraphFLA metric's key -> value (values in the loss' own units)."""
        g, g_star = self._gamma()
        return {
            **self.fitness_distribution(),
            "gradient_intensity": self.gradient_intensity,
            "r_s_ratio": self.r_s_ratio,
            "neighbor_fitness_correlation": self.neighbor_fitness_correlation,
            "basin_fitness_correlation": self.basin_fitness_correlation,
            "fitness_flattening_index": self.fitness_flattening_index,
            "global_optima_accessibility": self.global_optima_accessibility,
            "mean_path_length_to_global_optimum": self.mean_path_length_to_global_optimum,
            "mean_distance_to_global_optimum": self.mean_distance_to_global_optimum,
            # the plateau holding the first global optimum (several plateaus may tie)
            "global_accessible_basin_size": self.accessible_basins()[min(self.global_rows)]
            / self.n,
            "mean_accessible_basin_size": (
                sum(self.accessible_basins().values()) / len(self.accessible_basins())
            ),
            "gamma": g,
            "gamma_star": g_star,
            "global_idiosyncratic_index": self.global_idiosyncratic_index(),
            "evolvability_enhancing_fraction": self.evolvability_enhancing_fraction(),
            **self.classify_epistasis(),
            **self.lon_statistics(),
            **self.extradimensional_bypass(),
            "diminishing_returns_index": self._trend(costs=False),
            "increasing_costs_index": self._trend(costs=True),
        }


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _product(radices: Sequence[int]) -> list[tuple[int, ...]]:
    out: list[tuple[int, ...]] = [()]
    for radix in radices:
        out = [t + (v,) for t in out for v in range(radix)]
    return out
