"""The viz plot data honours a pluggable neighbourhood, as every metric does."""

from __future__ import annotations

import numpy as np
import pytest

from lossatlas.analysis._neighbourhood import one_edit, ordinal_radius
from lossatlas.analysis._smoothness import random_walks
from lossatlas.landscape import Landscape
from lossatlas.space import SearchSpace
from lossatlas.viz import autocorrelation_curve, basin_sizes, landscape_map, optima_network

# 1-D ordinal: with 1-edit moves rows 0, 2 and 4 are local optima; with steps of up to 2,
# row 2 (0.5) sees rows 0 (0.0) and 4 (0.2) and is no longer one.
LINE = Landscape.from_array(
    SearchSpace.from_dict({"a": [0, 1, 2, 3, 4]}), np.array([0.0, 1.0, 0.5, 2.0, 0.2])
)


def test_basins_and_optima_network_follow_the_neighbourhood():
    one = basin_sizes(LINE)
    two = basin_sizes(LINE, neighbourhood=ordinal_radius(2))
    assert len(one.size) == 3 and len(two.size) == 2
    assert one.size.sum() == two.size.sum() == 5
    assert np.array_equal(basin_sizes(LINE, neighbourhood=one_edit()).size, one.size)
    assert len(optima_network(LINE).loss) == 3
    net = optima_network(LINE, neighbourhood=ordinal_radius(2))
    assert sorted(net.loss.tolist()) == [0.0, 0.2]


def test_map_and_walks_follow_the_neighbourhood():
    lmap = landscape_map(LINE, projection="pca", neighbourhood=ordinal_radius(2))
    assert lmap.is_local_optimum.sum() == 2
    assert landscape_map(LINE, projection="pca").is_local_optimum.sum() == 3
    # "a" as categorical: every other value adjacent, walks jump anywhere in one step
    complete = ordinal_radius(1, categorical=["a"])
    ac = autocorrelation_curve(LINE, max_lag=2, n_walks=300, walk_length=6, neighbourhood=complete)
    walks = random_walks(LINE, n_walks=300, walk_length=6, seed=0, neighbourhood=complete)
    steps = np.abs(np.diff(walks, axis=1))
    assert steps.max() >= 2 and steps.min() >= 1  # moves the 1-edit walk cannot make
    f = LINE.loss()[walks]
    m, total = f.mean(), ((f - f.mean()) ** 2).sum()
    for s in (1, 2):
        expected = np.sum((f[:, :-s] - m) * (f[:, s:] - m)) / total  # the profile's pooled form
        assert ac.r[s - 1] == pytest.approx(expected)
