"""GraphFLA 0.4.0 as an oracle: our landscape rebuilt as a GraphFLA landscape.

GraphFLA maximises: its hill climber always moves to the neighbour of maximal fitness, so it is
built on ``fitness = -loss`` with ``maximize=True`` (the issue's warning). Rows keep their order,
so GraphFLA vertex ``i`` is our row ``i``; ordinal HPs pass their codes (GraphFLA's +-1 step on
the code), categorical and boolean HPs their codes as labels (GraphFLA: every other value).
"""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd
import pytest

from lossatlas.landscape import Landscape

graphfla = pytest.importorskip("graphfla")


def to_graphfla(landscape: Landscape, *, loss: str = "test", epsilon: float = 0.0) -> Any:
    """A built GraphFLA landscape of ``-loss`` (maximised) on the same configurations."""
    from graphfla.landscape import Landscape as GraphFLALandscape

    codes = landscape.codes
    columns, types = {}, {}
    for j, hp in enumerate(landscape.space.hyperparameters):
        if hp.kind == "ordinal":
            columns[hp.name] = codes[:, j].astype(int)
            types[hp.name] = "ordinal"
        elif hp.kind == "boolean":
            columns[hp.name] = codes[:, j].astype(int)
            types[hp.name] = "boolean"
        else:
            columns[hp.name] = [f"v{c}" for c in codes[:, j]]
            types[hp.name] = "categorical"
    frame = pd.DataFrame(columns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built = GraphFLALandscape(maximize=True).build_from_data(
            frame, -landscape.loss(loss), data_types=types, epsilon=epsilon, verbose=False
        )
    assert built.n_configs == landscape.n, "GraphFLA dropped configurations"
    return built
