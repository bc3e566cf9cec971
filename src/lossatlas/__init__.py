"""lossatlas: map and explain the loss landscapes of machine-learning models.

The everyday names are here; each subpackage holds the rest of its public surface:
:mod:`lossatlas.io` (the loader, tables, Optuna), :mod:`lossatlas.analysis` (metrics,
similarity, importance), :mod:`lossatlas.viz` (plot data, renderers, reports),
:mod:`lossatlas.evaluate` (models, datasets, evaluations) and :mod:`lossatlas.energy`
(weight-space energy landscapes). ``import lossatlas`` stays cheap: the names below are
imported on first use.

Examples
--------
>>> import lossatlas
>>> from lossatlas.examples import example_table_path
>>> (landscape,) = lossatlas.load_landscapes(example_table_path())
>>> row = lossatlas.profile(landscape, n_walks=50).iloc[0]
>>> int(row["n_configs"]) == landscape.n
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lossatlas._lazy import lazy_exports
from lossatlas.errors import InputError, LossAtlasError, MissingDependencyError

if TYPE_CHECKING:
    from lossatlas.analysis._comparison import LandscapeComparison, compare_landscapes
    from lossatlas.analysis._importance import importance
    from lossatlas.analysis._profile import profile
    from lossatlas.io._loader import load_landscapes
    from lossatlas.io._tables import read_landscapes
    from lossatlas.landscape import Landscape
    from lossatlas.space import Hyperparameter, SearchSpace

__version__ = "0.1.0"

#: Public name -> the module that defines it (imported on first access).
_LAZY = {
    "Hyperparameter": "lossatlas.space",
    "Landscape": "lossatlas.landscape",
    "LandscapeComparison": "lossatlas.analysis._comparison",
    "SearchSpace": "lossatlas.space",
    "compare_landscapes": "lossatlas.analysis._comparison",
    "importance": "lossatlas.analysis._importance",
    "load_landscapes": "lossatlas.io._loader",
    "profile": "lossatlas.analysis._profile",
    "read_landscapes": "lossatlas.io._tables",
}

__all__ = [
    "Hyperparameter",
    "InputError",
    "Landscape",
    "LandscapeComparison",
    "LossAtlasError",
    "MissingDependencyError",
    "SearchSpace",
    "__version__",
    "compare_landscapes",
    "importance",
    "load_landscapes",
    "profile",
    "read_landscapes",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
