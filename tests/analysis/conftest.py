"""Hypothesis strategies for small random landscapes (used by the oracle comparisons).

Losses are multiples of 1/1024 and the neutrality thresholds are 0, 1/16 and 1/8 (dyadic
stand-ins for the 0, 0.05 and 0.1 of error rates): differences of such numbers are exact in
float64, so a loss difference equal to epsilon really is equal to it and a comparison between
the oracle and the fast code tests the definitions, not the rounding of ``0.2 - 0.15``.
Most landscapes draw their losses from a few levels so ties, plateaus and neutral merges are
common.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from lossatlas.landscape import Landscape
from lossatlas.space import Hyperparameter, SearchSpace

LOSS_UNIT = 1 / 1024
EPSILONS = (0.0, 1 / 16, 1 / 8)

settings.register_profile(
    "lossatlas-oracle",
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=False,
)
ORACLE_SETTINGS = settings.get_profile("lossatlas-oracle")

epsilons = st.sampled_from(EPSILONS)


@st.composite
def hyperparameters(draw: st.DrawFn, name: str, max_values: int = 4) -> Hyperparameter:
    """An ordinal, categorical or boolean hyperparameter with 2..``max_values`` values."""
    kind = draw(st.sampled_from(["ordinal", "categorical", "boolean"]))
    if kind == "boolean":
        return Hyperparameter(name, (False, True), "boolean")
    size = draw(st.sampled_from(range(2, max_values + 1)))
    if kind == "ordinal":
        values = draw(st.lists(st.integers(-50, 50), min_size=size, max_size=size, unique=True))
        if draw(st.booleans()):
            values = [v / 8 for v in values]
        return Hyperparameter(name, tuple(values), "ordinal")
    labels = draw(st.permutations(["a", "b", "c", "d", "e"]))[:size]
    return Hyperparameter(name, tuple(labels), "categorical")


@st.composite
def search_spaces(draw: st.DrawFn, max_hps: int = 4, max_values: int = 4) -> SearchSpace:
    """1..``max_hps`` hyperparameters mixing the three kinds."""
    # lean towards more hyperparameters: hypothesis otherwise favours tiny grids
    d = draw(st.sampled_from([k for k in range(1, max_hps + 1) for _ in range(k)]))
    return SearchSpace([draw(hyperparameters(f"h{j}", max_values)) for j in range(d)])


@st.composite
def loss_vectors(draw: st.DrawFn, n: int) -> np.ndarray:
    """``n`` losses in [0, 1] on the 1/1024 lattice; usually from a few levels (many ties).

    Small vectors are drawn element by element (they shrink well); long ones from a seeded
    generator, since hypothesis discards examples that need too many draws.
    """
    tied = draw(st.integers(0, 3)) > 0
    if tied:
        step = draw(st.sampled_from([16, 32, 64]))  # levels 1/64, 1/32 or 1/16 apart
        levels = (
            np.asarray(
                draw(st.lists(st.integers(0, 1024 // step), min_size=1, max_size=5, unique=True))
            )
            * step
        )
    if n <= 16:
        if tied:
            picks = draw(st.lists(st.integers(0, len(levels) - 1), min_size=n, max_size=n))
            ks = levels[picks]
        else:
            ks = draw(st.lists(st.integers(0, 1024), min_size=n, max_size=n))
    else:
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        ks = rng.choice(levels, size=n) if tied else rng.integers(0, 1025, size=n)
    return np.asarray(ks, dtype=np.float64) * LOSS_UNIT


@st.composite
def landscapes(
    draw: st.DrawFn, max_hps: int = 4, max_values: int = 4, partial: bool = True
) -> Landscape:
    """A full or partial landscape with ``test`` and ``train`` losses on a random space."""
    space = draw(search_spaces(max_hps, max_values))
    if partial and draw(st.booleans()):
        if space.size <= 16:
            mask = np.asarray(
                draw(st.lists(st.booleans(), min_size=space.size, max_size=space.size)), dtype=bool
            )
        else:
            keep = draw(st.sampled_from([0.1, 0.5, 0.8, 0.95]))
            rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
            mask = rng.random(space.size) < keep
        if not mask.any():
            mask[draw(st.integers(0, space.size - 1))] = True
        index = np.flatnonzero(mask)
    else:
        index = np.arange(space.size)
    losses = {"test": draw(loss_vectors(len(index))), "train": draw(loss_vectors(len(index)))}
    return Landscape.from_array(space, losses, index=index)
