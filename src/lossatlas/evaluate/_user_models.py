"""User models: any scikit-learn-style estimator with a grid, from Python or a grid file.

In Python::

    from sklearn.tree import DecisionTreeClassifier
    from lossatlas.evaluate import model_from_estimator, register_model
    register_model(model_from_estimator(
        "tree", DecisionTreeClassifier(), {"max_depth": [1, 2, 4, 8], "min_samples_leaf": [1, 5]}
    ))

From a grid file, ``estimator: sklearn.tree.DecisionTreeClassifier`` names a class by its dotted
path. Only paths under :data:`ALLOWED_ESTIMATOR_PREFIXES` are imported; nothing is evaluated.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from typing import Any

from lossatlas.columns import is_reserved_column
from lossatlas.errors import InputError, require
from lossatlas.evaluate._models import ModelContext, ModelSpec
from lossatlas.space import SearchSpace

__all__ = [
    "ALLOWED_ESTIMATOR_PREFIXES",
    "EstimatorFactory",
    "ImportedEstimatorFactory",
    "model_from_estimator",
    "model_from_path",
]

#: Module prefixes a grid file may import an estimator class from.
ALLOWED_ESTIMATOR_PREFIXES: tuple[str, ...] = ("sklearn.", "xgboost.", "lightgbm.")

_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")


def _seeded(estimator: Any, params: Mapping[str, Any], seed: int) -> Any:
    """Set ``params``, and ``random_state``/``n_jobs`` when the estimator has them."""
    names = estimator.get_params(deep=False) if hasattr(estimator, "get_params") else {}
    extra: dict[str, Any] = {}
    if "random_state" in names and "random_state" not in params:
        extra["random_state"] = seed
    if "n_jobs" in names and "n_jobs" not in params:
        extra["n_jobs"] = 1
    return estimator.set_params(**extra, **params)


class EstimatorFactory:
    """Build a model by cloning a prototype estimator and setting the configuration.

    Parameters
    ----------
    classifier, regressor : estimator, optional
        Prototypes for classification and regression datasets (at least one).
    """

    def __init__(self, classifier: Any = None, regressor: Any = None) -> None:
        if classifier is None and regressor is None:
            raise InputError("give a classifier or a regressor prototype")
        self.classifier, self.regressor = classifier, regressor

    def __call__(self, params: dict[str, Any], context: ModelContext) -> Any:
        base = require("sklearn.base", "models", purpose="user estimators")
        proto = self.classifier if context.task == "classification" else self.regressor
        if proto is None:
            raise InputError(f"this model has no estimator for {context.task}")
        return _seeded(base.clone(proto), params, context.seed)

    def __repr__(self) -> str:
        return f"EstimatorFactory({self.classifier!r}, {self.regressor!r})"


def _import_class(path: str, source: str) -> type:
    if not _DOTTED.match(path):
        raise InputError(f"{source}: estimator {path!r} is not a dotted class path")
    if not path.startswith(ALLOWED_ESTIMATOR_PREFIXES):
        raise InputError(
            f"{source}: estimator {path!r} is not allowed; a grid file may name classes under "
            f"{', '.join(ALLOWED_ESTIMATOR_PREFIXES)} (register other estimators in Python)"
        )
    module_name, _, class_name = path.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise InputError(f"{source}: cannot import {module_name!r} for {path!r}: {exc}") from None
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type) or not hasattr(cls, "fit"):
        raise InputError(f"{source}: {path!r} is not an estimator class with a fit method")
    return cls


class ImportedEstimatorFactory:
    """Build an estimator from allow-listed dotted class paths (picklable by the paths).

    Parameters
    ----------
    classifier, regressor : str, optional
        Dotted class paths for classification and regression datasets (imported and checked
        now, so a bad path fails when the grid file is read).
    source : str, default "grid"
        Named in error messages.
    """

    def __init__(self, classifier: str | None, regressor: str | None, source: str = "grid") -> None:
        for path in (classifier, regressor):
            if path is not None:
                _import_class(path, source)
        self.classifier, self.regressor, self.source = classifier, regressor, source

    def __call__(self, params: dict[str, Any], context: ModelContext) -> Any:
        path = self.classifier if context.task == "classification" else self.regressor
        if path is None:
            raise InputError(f"{self.source}: no estimator given for {context.task}")
        return _seeded(_import_class(path, self.source)(), params, context.seed)

    def __repr__(self) -> str:
        return f"ImportedEstimatorFactory({self.classifier!r}, {self.regressor!r})"


def _tasks(classifier: Any, regressor: Any) -> tuple[Any, ...]:
    return tuple(
        t for t, p in (("classification", classifier), ("regression", regressor)) if p is not None
    )


def model_from_estimator(
    name: str,
    estimator: Any,
    grid: Mapping[str, Any],
    *,
    regressor: Any = None,
    fidelities: Mapping[str, tuple[Any, ...]] | None = None,
    params: Mapping[str, Any] | None = None,
    description: str = "",
) -> ModelSpec:
    """A :class:`ModelSpec` for a scikit-learn-style estimator and its grid.

    Parameters
    ----------
    name : str
    estimator : estimator
        Prototype (cloned per task) used for classification datasets, or for regression when
        it is a regressor (``_estimator_type == "regressor"``) and ``regressor`` is not given.
    grid : mapping
        Hyperparameter values, as in a grid file's ``grid``.
    regressor : estimator, optional
    fidelities, params : mapping, optional
        Default fidelities and fixed parameters.

    Returns
    -------
    ModelSpec
        Its ``default`` grid is ``grid`` parsed by :meth:`~lossatlas.SearchSpace.from_dict`.
    """
    classifier = estimator
    if regressor is None and _is_regressor(estimator):
        classifier, regressor = None, estimator
    space = SearchSpace.from_dict(grid, source=f"model {name!r}", reserved=is_reserved_column)
    factory = EstimatorFactory(classifier, regressor)
    return ModelSpec(
        name=name,
        build=factory,
        grids={"default": space.to_dict()},
        fidelities=dict(fidelities or {"fraction": (1.0,)}),
        tasks=_tasks(classifier, regressor),
        params=dict(params or {}),
        description=description or repr(factory),
    )


def _is_regressor(estimator: Any) -> bool:
    tags = getattr(estimator, "__sklearn_tags__", None)
    if tags is not None:
        try:
            return tags().estimator_type == "regressor"
        except Exception:  # older or partial tag implementations
            pass
    return getattr(estimator, "_estimator_type", None) == "regressor"


def model_from_path(
    classifier: str, *, regressor: str | None = None, name: str | None = None, source: str = "grid"
) -> ModelSpec:
    """A :class:`ModelSpec` for estimator classes named by allow-listed dotted paths.

    Parameters
    ----------
    classifier : str
        Dotted class path under :data:`ALLOWED_ESTIMATOR_PREFIXES` (a regressor class is
        recognised and used for regression datasets).
    regressor : str, optional
        Dotted path of the class for regression datasets.
    name : str, optional
        The model column (default: the class name).
    source : str, default "grid"
        Named in error messages (the grid file).

    Returns
    -------
    ModelSpec
        Without grids: the grid file gives the space.
    """
    cls = _import_class(str(classifier), source)
    classifier_path: str | None = str(classifier)
    if regressor is None and _is_regressor(cls()):
        classifier_path, regressor = None, str(classifier)
    factory = ImportedEstimatorFactory(classifier_path, regressor, source)
    return ModelSpec(
        name=str(name or cls.__name__),
        build=factory,
        grids={},
        tasks=_tasks(classifier_path, regressor),
        description=f"{classifier} (from {source})",
    )
