"""Every landscape metric on tiny landscapes, worked out by hand (derivations in the comments).

Losses are multiples of 1/8 so that every difference (and every comparison with epsilon = 1/8 or
1/4) is exact in floating point. "u" below means a unit of 1/8.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from lossatlas.analysis._modality import basin_statistics, local_optima_ratio, n_local_optima
from lossatlas.analysis._neutrality import ndc, neutrality, plateau_statistics
from lossatlas.analysis._optima import (
    distances_to_global,
    global_optimum,
    local_optima,
    plateaus,
    strict_local_optima,
)
from lossatlas.analysis._smoothness import assortativity, fdc, walk_autocorrelation
from lossatlas.landscape import Landscape
from lossatlas.space import Hyperparameter, SearchSpace

U = 1 / 8


def partition(labels: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for row, label in enumerate(np.asarray(labels).tolist()):
        groups.setdefault(label, set()).add(row)
    return {frozenset(g) for g in groups.values()}


def basins_by_row(
    landscape: Landscape, epsilon: float, **rules: str
) -> tuple[list[int], list[int], dict]:
    """(representative optimum row per row, climb length per row, basin size per optimum row)."""
    optima = local_optima(landscape, epsilon=epsilon, **rules)
    reps = np.asarray(optima.optima_rows)
    reached = reps[np.asarray(optima.basin)].tolist()
    sizes = dict(zip(reps.tolist(), np.asarray(optima.basin_size).tolist(), strict=True))
    return reached, np.asarray(optima.climb_length).tolist(), sizes


# --------------------------------------------------------------------------------------------------
# A 3 x 3 ordinal grid, a in {1, 2, 3} (rows of the picture), b in {10, 20, 30} (columns);
# row = 3 * code(a) + code(b). Neighbours are the 4-neighbourhood of the picture. Losses in u:
#
#     r0=1  r1=2  r2=5
#     r3=2  r4=2  r5=2
#     r6=4  r7=2  r8=0
#
# 12 edges: r0-r1 r0-r3 r1-r2 r1-r4 r2-r5 r3-r4 r3-r6 r4-r5 r4-r7 r5-r8 r6-r7 r7-r8.
# Degrees: corners 2, edge middles 3, centre 4 (sum 24).
# Global optimum r8 (code (2, 2)); grid distances |2 - a| + |2 - b|: [4,3,2,3,2,1,2,1,0].
# --------------------------------------------------------------------------------------------------
GRID_LOSS = np.array([1, 2, 5, 2, 2, 2, 4, 2, 0]) * U


@pytest.fixture
def grid() -> Landscape:
    space = SearchSpace([Hyperparameter("a", (1, 2, 3)), Hyperparameter("b", (10, 20, 30))])
    return Landscape.from_array(space, GRID_LOSS)


def test_grid_epsilon_0(grid):
    # neutral edges (equal losses): r1-r4, r3-r4, r4-r5, r4-r7 -> plateau {1,3,4,5,7} (best 2u)
    assert partition(plateaus(grid)) == {
        frozenset({0}),
        frozenset({1, 3, 4, 5, 7}),
        frozenset({2}),
        frozenset({6}),
        frozenset({8}),
    }
    # {1,3,4,5,7} touches r0 = 1u < 2u: not an optimum; {2}, {6} have a lower neighbour; {0}, {8}
    # have none -> 2 local optima
    assert n_local_optima(grid) == 2
    assert local_optima_ratio(grid) == pytest.approx(2 / 9)
    assert strict_local_optima(grid).tolist() == [0, 8]
    # r4 (2u) has only 2u neighbours: an optimum when ties are allowed
    assert strict_local_optima(grid, strict=False).tolist() == [0, 4, 8]
    assert global_optimum(grid).tolist() == [8]
    assert distances_to_global(grid).tolist() == [4, 3, 2, 3, 2, 1, 2, 1, 0]
    # descent (lowest neighbour, ties to the lowest row, only if strictly lower):
    #   r1 -> r0; r2 -> r1 (tie r1/r5) -> r0; r3 -> r0; r6 -> r3 (tie r3/r7) -> r0;
    #   r4 has no strictly lower neighbour and its plateau is no optimum: EXIT to the lowest
    #   neighbour of the plateau, r8 (0u) -> 1 move; r5 -> r8; r7 -> r8.
    reached, climb, sizes = basins_by_row(grid, 0.0)
    assert reached == [0, 0, 0, 0, 8, 8, 0, 8, 8]
    assert climb == [0, 1, 2, 1, 1, 1, 2, 1, 0]
    assert sizes == {0: 5, 8: 4}
    stats = basin_statistics(grid)
    assert stats["global_basin_size"] == pytest.approx(4 / 9)
    assert stats["mean_basin_size"] == pytest.approx(4.5)
    assert math.isnan(stats["basin_fitness_corr"])  # only two optima
    assert stats["mean_climb_length"] == pytest.approx(9 / 9)
    assert plateau_statistics(grid) == {
        "n_plateaus": 5,
        "largest_plateau": 5,
        "global_plateau_size": 1,
    }
    # 4 neutral edges of 12
    assert neutrality(grid) == pytest.approx(1 / 3)
    # neutral share: [0, 1/3, 0, 1/3, 1, 1/3, 0, 1/3, 0]; ranks [2.5,6.5,2.5,6.5,9,6.5,2.5,6.5,2.5]
    # distance ranks [9,7.5,5,7.5,5,2.5,5,2.5,1]; centred products sum to
    # -10 + 3.75 + 3.75 - 3.75 - 3.75 + 10 = 0
    assert ndc(grid) == pytest.approx(0.0, abs=1e-12)


def test_grid_epsilon_one_unit(grid):
    # neutral (|dL| <= 1u): r0-r1, r0-r3, r1-r4, r3-r4, r4-r5, r4-r7 (6 of 12)
    assert partition(plateaus(grid, epsilon=U)) == {
        frozenset({0, 1, 3, 4, 5, 7}),
        frozenset({2}),
        frozenset({6}),
        frozenset({8}),
    }
    # {0,1,3,4,5,7}: best 1u, a neighbour would need L < 1u - 1u = 0: r8 = 0 is not -> optimum
    assert n_local_optima(grid, epsilon=U) == 2
    assert neutrality(grid, epsilon=U) == pytest.approx(0.5)
    # default descent stops on entering the optimum plateau P = {0,1,3,4,5,7} (represented by r0):
    #   members of P stay (0 moves); r2 -> r1 (tie r1/r5) in P: 1 move; r6 -> r3 in P: 1 move;
    #   r8 is its own optimum. Only r8 reaches the global optimum.
    reached, climb, sizes = basins_by_row(grid, U)
    assert reached == [0, 0, 0, 0, 0, 0, 0, 0, 8]
    assert climb == [0, 0, 1, 0, 0, 0, 1, 0, 0]
    assert sizes == {0: 8, 8: 1}
    stats = basin_statistics(grid, epsilon=U)
    assert stats["global_basin_size"] == pytest.approx(1 / 9)
    assert stats["mean_basin_size"] == pytest.approx(4.5)
    assert stats["mean_climb_length"] == pytest.approx(2 / 9)
    # the old rule ("through"): members of P with a strictly lower neighbour keep descending;
    # r5 (2u) and r7 (2u) descend to r8 (0u), another optimum's basin; r1, r3 -> r0 (1 move)
    reached, climb, sizes = basins_by_row(grid, U, descent="through")
    assert reached == [0, 0, 0, 0, 0, 8, 0, 8, 8]
    assert climb == [0, 1, 2, 1, 0, 1, 2, 1, 0]
    assert sizes == {0: 6, 8: 3}
    stats = basin_statistics(grid, epsilon=U, descent="through")
    assert stats["global_basin_size"] == pytest.approx(3 / 9)
    assert stats["mean_basin_size"] == pytest.approx(4.5)
    assert stats["mean_climb_length"] == pytest.approx(8 / 9)
    # GraphFLA's climber: members of P start in an optimum plateau and stay (0 moves), although
    # r5 and r7 have r8 2u lower; r2 (5u) -> r1 (2u), whose lowest neighbour r0 is not more than
    # 1u lower: it halts in P (1 move); r6 (4u) -> r3, likewise (1 move).
    reached, climb, sizes = basins_by_row(grid, U, descent="graphfla")
    assert reached == [0, 0, 0, 0, 0, 0, 0, 0, 8]
    assert climb == [0, 0, 1, 0, 0, 0, 1, 0, 0]
    assert plateau_statistics(grid, epsilon=U) == {
        "n_plateaus": 4,
        "largest_plateau": 6,
        "global_plateau_size": 1,
    }
    # share [1, 2/3, 0, 2/3, 1, 1/3, 0, 1/3, 0] -> ranks [8.5,6.5,2,6.5,8.5,4.5,2,4.5,2]
    # centred: [3.5,1.5,-3,1.5,3.5,-.5,-3,-.5,-3];
    # distance ranks centred [4,2.5,0,2.5,0,-2.5,0,-2.5,-4]
    # sxy = 14 + 3.75 + 3.75 + 1.25 + 1.25 + 12 = 36; sxx = 56.5; syy = 57
    assert ndc(grid, epsilon=U) == pytest.approx(36 / math.sqrt(56.5 * 57))


def test_grid_epsilon_two_units(grid):
    # neutral (|dL| <= 2u): every edge but r1-r2 and r2-r5 (10 of 12)
    assert partition(plateaus(grid, epsilon=2 * U)) == {
        frozenset({0, 1, 3, 4, 5, 6, 7, 8}),
        frozenset({2}),
    }
    # the neutral merge leaves one optimum: the big plateau (best 0); {2}: 2u < 5u - 2u
    assert n_local_optima(grid, epsilon=2 * U) == 1
    assert neutrality(grid, epsilon=2 * U) == pytest.approx(10 / 12)
    reached, climb, sizes = basins_by_row(grid, 2 * U)
    assert reached == [8] * 9  # represented by its best member r8
    # stop on entry: only r2 moves (to r1, tie r1/r5); the old rule walks down inside the plateau
    assert climb == [0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert sizes == {8: 9}
    assert basins_by_row(grid, 2 * U, descent="through")[1] == [0, 1, 2, 1, 0, 1, 2, 1, 0]
    stats = basin_statistics(grid, epsilon=2 * U)
    assert stats["global_basin_size"] == pytest.approx(1.0)
    assert stats["mean_basin_size"] == pytest.approx(9.0)
    assert plateau_statistics(grid, epsilon=2 * U) == {
        "n_plateaus": 2,
        "largest_plateau": 8,
        "global_plateau_size": 8,
    }


def test_grid_epsilon_free_metrics(grid):
    # FDC: d = [4,3,2,3,2,1,2,1,0] (mean 2), L in u = [1,2,5,2,2,2,4,2,0] (sum 20)
    # sxy = sum L * (d - 2) = 2 + 2 + 0 + 2 + 0 - 2 + 0 - 2 + 0 = 2; sdd = 12;
    # sLL = 62 - 400/9 = 158/9 -> r = 2 / sqrt(12 * 158 / 9) = 3 / sqrt(474) (scale-free)
    assert fdc(grid) == pytest.approx(3 / math.sqrt(474))
    # Spearman: L ranks [2,5,9,5,5,5,8,5,1], d ranks [9,7.5,5,7.5,5,2.5,5,2.5,1] (means 5)
    # sxy = (-3)(4) + (-4)(-4) = 4; sxx = 50; syy = 57
    assert fdc(grid, method="spearman") == pytest.approx(4 / math.sqrt(50 * 57))
    # assortativity over the 24 ordered pairs: E[x] = sum deg*L / 24 = 52/24 = 13/6 u,
    # E[x^2] = 148/24 = 37/6, E[xy] = 2 * 56 / 24 = 14/3 (edge products sum to 56)
    # var = 37/6 - 169/36 = 53/36, cov = 14/3 - 169/36 = -1/36 -> r = -1/53
    assert assortativity(grid) == pytest.approx(-1 / 53)
    assert assortativity(grid, loss="test") == pytest.approx(-1 / 53)


def test_grid_with_a_missing_centre(grid):
    # drop r4: rows are now r0 r1 r2 r3 r5 r6 r7 r8 (positions 0..7); the graph is the 8-cycle
    # r0-r1-r2-r5-r8-r7-r6-r3-r0 and no edge has equal losses
    partial = grid.select([0, 1, 2, 3, 5, 6, 7, 8])
    assert partial.n == 8 and not partial.is_full
    assert len(partition(plateaus(partial))) == 8
    assert neutrality(partial) == 0.0
    # optima r0 (1u) and r8 (0u); r2 -> r1 (tie r1/r5) -> r0; r6 -> r3 (tie r3/r7) -> r0
    assert n_local_optima(partial) == 2
    reached, climb, sizes = basins_by_row(partial, 0.0)
    # positions: r5 is position 4, r8 position 7
    assert reached == [0, 0, 0, 0, 7, 0, 7, 7]
    assert climb == [0, 1, 2, 1, 1, 2, 1, 0]
    assert sizes == {0: 5, 7: 3}
    assert basin_statistics(partial)["global_basin_size"] == pytest.approx(3 / 8)
    # grid distance, not graph distance: r4 is missing yet r5 -> r8 is still 1
    assert distances_to_global(partial).tolist() == [4, 3, 2, 3, 1, 2, 1, 0]
    # L = [1,2,5,2,2,4,2,0] (mean 2.25, sum sq 58), d mean 2, sxy = 2, sdd = 12, sLL = 17.5
    assert fdc(partial) == pytest.approx(2 / math.sqrt(12 * 17.5))
    # all degrees 2: E[x] = 2.25, E[x^2] = 58/8, E[xy] = 2 * 40 / 16 = 5 -> (5 - 5.0625)/2.1875
    assert assortativity(partial) == pytest.approx(-1 / 35)


# --------------------------------------------------------------------------------------------------
# A 2 x 2 x 2 mixed grid: o in {1, 2} (ordinal), c in {"x", "y"} (categorical), f in {False, True}
# (boolean); row = 4 o + 2 c + f. With two values every kind gives the cube graph:
# r ~ r^1, r^2, r^4 (xor).
#   L in u: r0=3 r1=1 r2=3 r3=2 r4=0 r5=2 r6=3 r7=3
# Edges: r0-r1 r0-r2 r0-r4 r1-r3 r1-r5 r2-r3 r2-r6 r3-r7 r4-r5 r4-r6 r5-r7 r6-r7 (12, degree 3).
# Global optimum r4 = (1,0,0); Hamming distances [1,2,2,3,0,1,1,2].
# --------------------------------------------------------------------------------------------------
CUBE_LOSS = np.array([3, 1, 3, 2, 0, 2, 3, 3]) * U


@pytest.fixture
def cube() -> Landscape:
    space = SearchSpace(
        [
            Hyperparameter("o", (1, 2), "ordinal"),
            Hyperparameter("c", ("x", "y"), "categorical"),
            Hyperparameter("f", (False, True), "boolean"),
        ]
    )
    return Landscape.from_array(space, {"test": CUBE_LOSS, "train": CUBE_LOSS[::-1]})


def test_cube_epsilon_0(cube):
    # neutral: r0-r2, r2-r6, r6-r7 (3u each) -> plateau {0,2,6,7}
    assert partition(plateaus(cube)) == {
        frozenset({0, 2, 6, 7}),
        frozenset({1}),
        frozenset({3}),
        frozenset({4}),
        frozenset({5}),
    }
    assert n_local_optima(cube) == 2  # {1} and {4}
    assert strict_local_optima(cube).tolist() == [1, 4]
    assert strict_local_optima(cube, strict=False).tolist() == [1, 4]
    assert global_optimum(cube).tolist() == [4]
    assert distances_to_global(cube).tolist() == [1, 2, 2, 3, 0, 1, 1, 2]
    # r0 -> r4; r2 -> r3 -> r1; r3 -> r1; r5 -> r4; r6 -> r4; r7 -> r3 (tie r3/r5) -> r1
    reached, climb, sizes = basins_by_row(cube, 0.0)
    assert reached == [4, 1, 1, 1, 4, 4, 4, 1]
    assert climb == [1, 0, 2, 1, 0, 1, 1, 2]
    assert sizes == {1: 4, 4: 4}
    stats = basin_statistics(cube)
    assert stats["global_basin_size"] == pytest.approx(0.5)
    assert stats["mean_basin_size"] == pytest.approx(4.0)
    assert math.isnan(stats["basin_fitness_corr"])
    assert stats["mean_climb_length"] == pytest.approx(1.0)
    assert plateau_statistics(cube) == {
        "n_plateaus": 5,
        "largest_plateau": 4,
        "global_plateau_size": 1,
    }
    assert neutrality(cube) == pytest.approx(3 / 12)
    # shares [1/3,0,2/3,0,0,0,2/3,1/3] -> ranks centred [1,-2,3,-2,-2,-2,3,1]; distance ranks
    # centred [-1.5,1.5,1.5,3.5,-3.5,-1.5,-1.5,1.5]; sum of products = 0
    assert ndc(cube) == pytest.approx(0.0, abs=1e-12)


def test_cube_epsilon_one_unit(cube):
    # neutral: r0-r2 r1-r3 r1-r5 r2-r3 r2-r6 r3-r7 r5-r7 r6-r7 (8 of 12)
    assert partition(plateaus(cube, epsilon=U)) == {
        frozenset({0, 1, 2, 3, 5, 6, 7}),
        frozenset({4}),
    }
    # the big plateau's best is 1u; r4 = 0 is not below 1u - 1u -> still an optimum: 2 optima
    assert n_local_optima(cube, epsilon=U) == 2
    # every row but r4 starts in the optimum plateau and stops there at once (default)
    reached, climb, sizes = basins_by_row(cube, U)
    assert reached == [1, 1, 1, 1, 4, 1, 1, 1]
    assert climb == [0] * 8
    assert sizes == {1: 7, 4: 1}
    # the old rule: r0 (3u) and r5, r6 (2u, 3u) have r4 (0) lower and leave the plateau for r4's
    # basin -- the members "ending in another optimum's basin" of the issue
    reached, climb, sizes = basins_by_row(cube, U, descent="through")
    assert reached == [4, 1, 1, 1, 4, 4, 4, 1]
    assert climb == [1, 0, 2, 1, 0, 1, 1, 2]
    assert sizes == {1: 4, 4: 4}
    assert neutrality(cube, epsilon=U) == pytest.approx(8 / 12)
    assert plateau_statistics(cube, epsilon=U) == {
        "n_plateaus": 2,
        "largest_plateau": 7,
        "global_plateau_size": 1,
    }
    # shares [1/3,2/3,1,1,0,2/3,2/3,1] -> ranks [2,4,7,7,1,4,4,7], centred
    # [-2.5,-.5,2.5,2.5,-3.5,-.5,-.5,2.5]; sxy = 33, sxx = 38, syy = 38
    assert ndc(cube, epsilon=U) == pytest.approx(33 / 38)


def test_cube_epsilon_two_units(cube):
    # adds r0-r1 (3u/1u) and r4-r5 (0/2u): one plateau, one optimum, the global basin is everything
    assert partition(plateaus(cube, epsilon=2 * U)) == {frozenset(range(8))}
    assert n_local_optima(cube, epsilon=2 * U) == 1
    assert basin_statistics(cube, epsilon=2 * U)["global_basin_size"] == pytest.approx(1.0)
    assert plateau_statistics(cube, epsilon=2 * U)["global_plateau_size"] == 8
    assert neutrality(cube, epsilon=2 * U) == pytest.approx(10 / 12)


def test_cube_epsilon_free_metrics(cube):
    # d = [1,2,2,3,0,1,1,2] (mean 1.5), L = [3,1,3,2,0,2,3,3] (sum 17, sum sq 45)
    # sxy = sum L (d - 1.5) = 2.5; sdd = 6; sLL = 45 - 289/8 = 71/8
    assert fdc(cube) == pytest.approx(2.5 / math.sqrt(6 * 71 / 8))
    # L ranks [6.5,2,6.5,3.5,1,3.5,6.5,6.5], d ranks [3,6,6,8,1,3,3,6]; sxy 6.5, sxx 36.5, syy 38
    assert fdc(cube, method="spearman") == pytest.approx(6.5 / math.sqrt(36.5 * 38))
    # regular graph: E[x] = 17/8, E[x^2] = 45/8, edge products sum 52 -> E[xy] = 13/3
    # var = 71/64, cov = 13/3 - 289/64 = -35/192 -> r = -35/213
    assert assortativity(cube) == pytest.approx(-35 / 213)
    # the train loss is the test loss mirrored (r -> 7 - r, an automorphism of the cube)
    assert assortativity(cube, loss="train") == pytest.approx(-35 / 213)
    assert global_optimum(cube, loss="train").tolist() == [3]
    assert n_local_optima(cube, loss="train") == 2


# --------------------------------------------------------------------------------------------------
# A 1-D ordinal path of 7 values with four optima (for the basin-fitness correlation).
#   L in u: [1, 3, 0, 3, 2, 3, 2]; optima r0 (1u), r2 (0), r4 (2u), r6 (2u)
#   r1 -> r2 (0 < 1), r3 -> r2, r5 -> r4 (tie r4/r6 -> lowest row)
#   basins: r0 {0} 1, r2 {1,2,3} 3, r4 {4,5} 2, r6 {6} 1
# --------------------------------------------------------------------------------------------------
def test_path_basin_statistics():
    space = SearchSpace([Hyperparameter("x", tuple(range(7)))])
    path = Landscape.from_array(space, np.array([1, 3, 0, 3, 2, 3, 2]) * U)
    assert n_local_optima(path) == 4
    reached, climb, sizes = basins_by_row(path, 0.0)
    assert reached == [0, 2, 2, 2, 4, 4, 6]
    assert climb == [0, 1, 0, 1, 0, 1, 0]
    assert sizes == {0: 1, 2: 3, 4: 2, 6: 1}
    stats = basin_statistics(path)
    assert stats["global_basin_size"] == pytest.approx(3 / 7)
    assert stats["mean_basin_size"] == pytest.approx(7 / 4)
    assert stats["mean_climb_length"] == pytest.approx(3 / 7)
    # sizes [1,3,2,1] -> ranks [1.5,4,3,1.5]; bests [1,0,2,2] -> ranks [2,1,3.5,3.5]
    # centred [-1,1.5,.5,-1] and [-.5,-1.5,1,1]: sxy = -2.25, sxx = syy = 4.5 -> -0.5
    assert stats["basin_fitness_corr"] == pytest.approx(-0.5)
    # d = [2,1,0,1,2,3,4] (mean 13/7), L centred [-1,1,-2,1,0,1,0] u: sxy = 3, sLL = 8,
    # sdd = 35 - 169/7 = 76/7
    assert fdc(path) == pytest.approx(3 / math.sqrt(8 * 76 / 7))


# --------------------------------------------------------------------------------------------------
# The walk autocorrelation estimator on given series.
# --------------------------------------------------------------------------------------------------
def test_walk_autocorrelation_by_hand():
    # [1,2,3,4]: m 2.5, centred [-1.5,-.5,.5,1.5]: num .75 - .25 + .75 = 1.25, den 5 -> 0.25
    # [1,3,1,3]: m 2, centred [-1,1,-1,1]: num -3, den 4 -> -0.75
    # [2,2,2,2]: constant -> NaN, ignored by the median
    walks = np.array([[1, 2, 3, 4], [1, 3, 1, 3], [2, 2, 2, 2]], dtype=float)
    assert walk_autocorrelation(walks[:1]) == pytest.approx(0.25)
    assert walk_autocorrelation(walks[1:2]) == pytest.approx(-0.75)
    assert walk_autocorrelation(walks) == pytest.approx((0.25 - 0.75) / 2)
    assert math.isnan(walk_autocorrelation(walks[2:]))
    # pooled over the first two: m = 18/8 = 2.25; centred [-1.25,-.25,.75,1.75] and
    # [-1.25,.75,-1.25,.75]; num 1.4375 - 2.8125 = -1.375; den 5.25 + 4.25 = 9.5 -> -11/76
    assert walk_autocorrelation(walks[:2], estimator="pooled") == pytest.approx(-11 / 76)
    # the series 0..3 is the first walk shifted by one: the same 0.25
    assert walk_autocorrelation(np.arange(4.0)[None, :]) == pytest.approx(0.25)


# --------------------------------------------------------------------------------------------------
# Bad arguments name the value at fault.
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda x: local_optima(x, epsilon=-0.125), r"epsilon.*-0.125"),
        (lambda x: neutrality(x, epsilon=float("nan")), r"epsilon.*nan"),
        (lambda x: n_local_optima(x, loss="valid"), r"'valid'.*test, train"),
        (lambda x: fdc(x, method="kendall"), r"'kendall'"),
        (lambda x: walk_autocorrelation(np.ones((2, 3)), estimator="mean"), r"'mean'"),
    ],
)
def test_bad_arguments(cube, call, match):
    from lossatlas.errors import InputError

    with pytest.raises(InputError, match=match):
        call(cube)


def test_neutrality_tolerates_round_off_of_error_rates():
    """0.83 - 0.82 is 0.010000000000000009 in binary floating point: still neutral at 0.01."""
    from lossatlas.analysis import n_local_optima, neutrality
    from lossatlas.landscape import Landscape
    from lossatlas.space import SearchSpace

    pair = Landscape.from_array(SearchSpace.from_dict({"a": [0, 1]}), [0.82, 0.83])
    assert neutrality(pair, epsilon=0.01) == 1.0
    assert n_local_optima(pair, epsilon=0.01) == 1
    assert neutrality(pair, epsilon=0.0099) == 0.0
    assert n_local_optima(pair, epsilon=0.0099) == 1  # 0.83 descends to 0.82
    # equal averages summed in another order still tie at epsilon 0
    tie = Landscape.from_array(SearchSpace.from_dict({"a": [0, 1]}), [0.1 + 0.2, 0.3])
    assert neutrality(tie) == 1.0


def test_constant_landscape_has_no_correlations():
    """Equal losses whose mean is not exactly representable must not look correlated."""
    import math

    import numpy as np

    from lossatlas.analysis import profile
    from lossatlas.landscape import Landscape
    from lossatlas.space import SearchSpace

    space = SearchSpace.from_dict({"a": [1, 2, 3], "c": ["x", "y", "z", "w"]})
    row = profile(Landscape.from_array(space, np.full(12, 0.3)), n_walks=20).iloc[0]
    for key in ("autocorrelation", "autocorrelation_pooled", "fdc", "assortativity", "ndc"):
        assert math.isnan(row[key]), key
    assert row["n_local_optima"] == 1 and row["neutrality"] == 1.0
