"""Model registry: estimator factories, their hyperparameter grids and fidelity knobs.

Every model is a :class:`ModelSpec`: a picklable factory ``build(params, context)`` returning a
scikit-learn-style estimator (``fit``, ``predict``, optionally ``predict_proba``), named grids in
the format of :meth:`lossatlas.space.SearchSpace.from_dict`, and its fidelities. Each model has

- ``"study"``: the search space of Huang & Li (2023, arXiv 2311.14014) where it is published
  (XGBoost: 14,960 configurations; FCNet: the 62,208 of Klein & Hutter 2019; CNN: 6,480), or our
  own grid of similar size over the model's well-known important hyperparameters (RF, decision
  tree ``dt``, SVM, LightGBM), as the study's were not recovered;
- ``"default"``: a scaled-down grid (tens of configurations) for a 2-core machine;
- ``"tiny"``: a handful of cheap configurations for tests and smoke runs.

Fidelities are the training-data fraction ``fraction`` (alpha, every model) and a model knob
(``n_estimators`` for the tree ensembles, ``epochs`` for the networks) that is set on the
estimator when it is not itself a hyperparameter of the grid.

Heavy dependencies (xgboost, lightgbm, torch) are imported when a model is built, through
:func:`lossatlas.errors.require`, so a missing one gives one line naming the extra.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lossatlas.errors import InputError, require
from lossatlas.evaluate._datasets import TaskKind
from lossatlas.evaluate._prefixes import boosting_prefix, forest_prefix
from lossatlas.space import SearchSpace

__all__ = [
    "ModelContext",
    "ModelSpec",
    "get_model",
    "list_models",
    "register_model",
]


@dataclass(frozen=True)
class ModelContext:
    """What a factory may need besides the hyperparameters."""

    task: TaskKind
    seed: int
    n_features: int
    n_classes: int = 0
    image_shape: tuple[int, int] | None = None


Factory = Callable[[dict[str, Any], ModelContext], Any]


@dataclass(frozen=True)
class ModelSpec:
    """A registered model.

    Parameters
    ----------
    name : str
        Registry name; the ``model`` column of the long table.
    build : callable
        ``build(params, context) -> estimator``; ``params`` holds the fixed parameters, the
        configuration's hyperparameters and the fidelity knobs. Must be picklable (a module
        level function or a class) to run in worker processes.
    grids : mapping of str to grid
        Named grids in :meth:`SearchSpace.from_dict` format; ``"default"`` is used by default.
    fidelities : mapping of str to tuple
        Default fidelity grid (``fraction`` and knobs) of ``lossatlas evaluate``.
    study_fidelities : mapping of str to tuple
        The fidelities of the study.
    knobs : tuple of str
        Fidelity knobs besides ``fraction`` that the estimator accepts.
    tasks : tuple of str
        Supported tasks.
    extra, requires : str, tuple of str
        The extra that installs the modules in ``requires``.
    predict_from_proba : bool
        Whether ``predict`` equals the arg-max of ``predict_proba`` (saves one prediction).
    params : mapping
        Fixed parameters passed to every build.
    description : str
    needs_images : bool
        Only fits datasets whose rows are images (``Dataset.image_shape``), like ``cnn``.
    prefix : callable, optional
        ``prefix(fitted, k)``: a view of a fitted estimator predicting exactly as one trained
        with ``prefix_knob = k`` would (the first k trees or rounds). Set only where the
        library makes them equal; tasks differing only in ``prefix_knob`` are then trained
        once (:mod:`lossatlas.evaluate._reuse`).
    prefix_knob : str
        The nested knob or hyperparameter (``n_estimators``).
    """

    name: str
    build: Factory
    grids: Mapping[str, Mapping[str, Any]]
    fidelities: Mapping[str, tuple[Any, ...]] = field(default_factory=lambda: {"fraction": (1.0,)})
    study_fidelities: Mapping[str, tuple[Any, ...]] = field(
        default_factory=lambda: {"fraction": (0.1, 0.25, 1.0)}
    )
    knobs: tuple[str, ...] = ()
    tasks: tuple[TaskKind, ...] = ("classification", "regression")
    extra: str = "models"
    requires: tuple[str, ...] = ()
    predict_from_proba: bool = False
    params: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    needs_images: bool = False
    prefix: Callable[[Any, int], Any] | None = None
    prefix_knob: str = ""

    def space(self, grid: str = "default") -> SearchSpace:
        """The :class:`SearchSpace` of the named grid."""
        if grid not in self.grids:
            raise InputError(
                f"model {self.name!r} has no grid {grid!r} (grids: {sorted(self.grids)})"
            )
        return SearchSpace.from_dict(self.grids[grid])

    def check_available(self) -> None:
        """Raise :class:`MissingDependencyError` naming the extra if a module is missing."""
        for module in self.requires:
            require(module, self.extra, purpose=f"model {self.name!r}")

    def make(self, params: Mapping[str, Any], context: ModelContext) -> Any:
        """Build an unfitted estimator."""
        if context.task not in self.tasks:
            raise InputError(f"model {self.name!r} does not support {context.task} datasets")
        return self.build({**self.params, **params}, context)


_REGISTRY: dict[str, ModelSpec] = {}


def register_model(spec: ModelSpec, *, replace: bool = False) -> ModelSpec:
    """Add a model to the registry (``replace=True`` to overwrite a name).

    Parameters
    ----------
    spec : ModelSpec
        The model (its ``name`` is the registry key).
    replace : bool, default False
        Overwrite a model of the same name.

    Returns
    -------
    ModelSpec
        ``spec``.
    """
    if spec.name in _REGISTRY and not replace:
        raise InputError(f"a model named {spec.name!r} is registered already (pass replace=True)")
    _REGISTRY[spec.name] = spec
    return spec


def get_model(name: str) -> ModelSpec:
    """The registered model ``name``; :class:`InputError` listing the names otherwise.

    Parameters
    ----------
    name : str
        A registered model name (``rf``, ``svm`` ...).

    Returns
    -------
    ModelSpec
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        raise InputError(f"unknown model {name!r} (registered: {sorted(_REGISTRY)})") from None


def list_models() -> dict[str, ModelSpec]:
    """All registered models by name.

    Returns
    -------
    dict of str to ModelSpec
    """
    return dict(sorted(_REGISTRY.items()))


# -- helpers --------------------------------------------------------------------------------


def _log(values: Sequence[float]) -> dict[str, Any]:
    return {"values": list(values), "log": True}


def _decades(lo: int, hi: int, *, half: bool = False) -> list[float]:
    step = 0.5 if half else 1.0
    out, k = [], float(lo)
    while k <= hi + 1e-9:
        out.append(float(f"{10.0**k:.3g}"))
        k += step
    return out


def _sklearn(module: str, classifier: str, regressor: str, context: ModelContext) -> type:
    mod = require(module, "models", purpose="scikit-learn models")
    return getattr(mod, classifier if context.task == "classification" else regressor)


# -- random forest ----------------------------------------------------------------------------


def build_rf(params: dict[str, Any], context: ModelContext) -> Any:
    """``RandomForestClassifier``/``Regressor`` with one thread and the study seed."""
    cls = _sklearn("sklearn.ensemble", "RandomForestClassifier", "RandomForestRegressor", context)
    return cls(**{"n_estimators": 50, **params}, n_jobs=1, random_state=context.seed)


register_model(
    ModelSpec(
        name="rf",
        build=build_rf,
        grids={
            # 10 x 5 x 5 x 6 x 2 = 3,000 configurations
            "study": {
                "max_depth": [2, 4, 6, 8, 10, 12, 16, 20, 25, 30],
                "min_samples_split": [2, 4, 8, 16, 32],
                "min_samples_leaf": [1, 2, 4, 8, 16],
                "max_features": [0.1, 0.2, 0.3, 0.5, 0.7, 1.0],
                "bootstrap": [False, True],
            },
            # 4 x 3 x 3 = 36
            "default": {
                "max_depth": [2, 4, 8, 16],
                "min_samples_leaf": [1, 4, 16],
                "max_features": [0.3, 0.6, 1.0],
            },
            # 2 x 2 x 2 = 8
            "tiny": {"max_depth": [1, 8], "max_features": [0.5, 1.0], "bootstrap": [False, True]},
        },
        knobs=("n_estimators",),
        prefix=forest_prefix,
        prefix_knob="n_estimators",
        requires=("sklearn",),
        predict_from_proba=True,
        params={"n_estimators": 50},
        description="random forest (scikit-learn); study grid 3,000 (ours), default 36",
    )
)


# -- decision tree ----------------------------------------------------------------------------

#: ``criterion`` values of the classification grid and what a regression tree uses instead.
_DT_REGRESSION_CRITERION = {"gini": "squared_error", "entropy": "absolute_error"}


def build_dt(params: dict[str, Any], context: ModelContext) -> Any:
    """``DecisionTreeClassifier``/``Regressor`` with the study seed.

    The grids' ``criterion`` values are the classifier's (``gini``, ``entropy``); a regression
    tree reads them as ``squared_error`` and ``absolute_error`` (slower) so one grid serves both
    tasks.
    """
    cls = _sklearn("sklearn.tree", "DecisionTreeClassifier", "DecisionTreeRegressor", context)
    params = dict(params)
    if context.task == "regression" and "criterion" in params:
        params["criterion"] = _DT_REGRESSION_CRITERION.get(params["criterion"], params["criterion"])
    return cls(**params, random_state=context.seed)


register_model(
    ModelSpec(
        name="dt",
        build=build_dt,
        grids={
            # 12 x 6 x 6 x 5 x 2 = 4,320 configurations (ours; the study's was not recovered)
            "study": {
                "max_depth": [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30],
                "min_samples_split": [2, 4, 8, 16, 32, 64],
                "min_samples_leaf": [1, 2, 4, 8, 16, 32],
                "max_features": [0.2, 0.4, 0.6, 0.8, 1.0],
                "criterion": ["gini", "entropy"],
            },
            # 6 x 4 x 3 x 2 = 144
            "default": {
                "max_depth": [2, 4, 6, 8, 12, 20],
                "min_samples_leaf": [1, 4, 16, 64],
                "max_features": [0.3, 0.6, 1.0],
                "criterion": ["gini", "entropy"],
            },
            # 2 x 2 = 4
            "tiny": {"max_depth": [1, 8], "min_samples_leaf": [1, 8]},
        },
        requires=("sklearn",),
        predict_from_proba=True,
        description="decision tree (scikit-learn); study grid 4,320 (ours), default 144",
    )
)


# -- support vector machine ---------------------------------------------------------------------


def build_svm(params: dict[str, Any], context: ModelContext) -> Any:
    """Standardised features then ``SVC`` (Platt probabilities for log loss) or ``SVR``."""
    pipeline = require("sklearn.pipeline", "models", purpose="model 'svm'")
    preprocessing = require("sklearn.preprocessing", "models", purpose="model 'svm'")
    svm = require("sklearn.svm", "models", purpose="model 'svm'")
    if context.task == "classification":
        model = svm.SVC(**params, probability=True, random_state=context.seed)
    else:
        model = svm.SVR(**params)
    return pipeline.make_pipeline(preprocessing.StandardScaler(), model)


register_model(
    ModelSpec(
        name="svm",
        build=build_svm,
        grids={
            # 15 x 15 x 3 = 675 configurations (half-decade steps)
            "study": {
                "C": _log(_decades(-3, 4, half=True)),
                "gamma": _log(_decades(-5, 2, half=True)),
                "kernel": ["poly", "rbf", "sigmoid"],
            },
            # 6 x 6 = 36
            "default": {"C": _log(_decades(-2, 3)), "gamma": _log(_decades(-4, 1))},
            # 3 x 3 = 9
            "tiny": {"C": _log([0.1, 1.0, 10.0]), "gamma": _log([0.001, 0.01, 0.1])},
        },
        requires=("sklearn",),
        description="RBF/poly/sigmoid SVM on standardised features (scikit-learn); study 675, "
        "default 36",
    )
)


# -- XGBoost ------------------------------------------------------------------------------------


def build_xgboost(params: dict[str, Any], context: ModelContext) -> Any:
    """``XGBClassifier``/``XGBRegressor`` (hist trees, one thread, the study seed)."""
    xgb = require("xgboost", "models", purpose="model 'xgboost'")
    cls = xgb.XGBClassifier if context.task == "classification" else xgb.XGBRegressor
    return cls(**params, tree_method="hist", n_jobs=1, random_state=context.seed, verbosity=0)


register_model(
    ModelSpec(
        name="xgboost",
        build=build_xgboost,
        grids={
            # Huang & Li (2023): 11 x 4 x 17 x 4 x 5 = 14,960 configurations
            "study": {
                "learning_rate": _log(
                    [0.005, 0.01, 0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1.0]
                ),
                "max_bin": [256, 512, 1024, 2048],
                "max_depth": list(range(4, 21)),
                "n_estimators": [100, 200, 300, 500],
                "subsample": [0.2, 0.4, 0.6, 0.8, 1.0],
            },
            # 4 x 3 x 2 x 2 = 48
            "default": {
                "learning_rate": _log([0.01, 0.1, 0.3, 1.0]),
                "max_depth": [2, 4, 8],
                "n_estimators": [50, 100],
                "subsample": [0.5, 1.0],
            },
            # 2 x 2 x 2 = 8
            "tiny": {
                "learning_rate": _log([0.01, 0.3]),
                "max_depth": [2, 4],
                "subsample": [0.5, 1.0],
            },
        },
        knobs=("n_estimators",),
        prefix=boosting_prefix,
        prefix_knob="n_estimators",
        requires=("xgboost",),
        predict_from_proba=True,
        params={"n_estimators": 20},
        description="XGBoost (xgboost-cpu); study grid 14,960 (Huang & Li 2023), default 48",
    )
)


# -- LightGBM -----------------------------------------------------------------------------------


def build_lightgbm(params: dict[str, Any], context: ModelContext) -> Any:
    """``LGBMClassifier``/``LGBMRegressor`` (bagging every iteration, one thread, quiet)."""
    lgb = require("lightgbm", "models", purpose="model 'lightgbm'")
    cls = lgb.LGBMClassifier if context.task == "classification" else lgb.LGBMRegressor
    return cls(
        **params,
        subsample_freq=1,
        n_jobs=1,
        random_state=context.seed,
        verbose=-1,
        deterministic=True,
        force_row_wise=True,
    )


register_model(
    ModelSpec(
        name="lightgbm",
        build=build_lightgbm,
        grids={
            # 8 x 5 x 5 x 3 x 3 x 2 = 3,600 configurations (ours)
            "study": {
                "learning_rate": _log([0.005, 0.01, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5]),
                "num_leaves": [8, 16, 32, 64, 128],
                "min_child_samples": [5, 10, 20, 40, 80],
                "subsample": [0.5, 0.75, 1.0],
                "colsample_bytree": [0.5, 0.75, 1.0],
                "n_estimators": [100, 200],
            },
            # 3 x 3 x 2 x 2 = 36
            "default": {
                "learning_rate": _log([0.03, 0.1, 0.3]),
                "num_leaves": [4, 16, 64],
                "min_child_samples": [5, 20],
                "subsample": [0.7, 1.0],
            },
            # 2 x 2 x 2 = 8
            "tiny": {
                "learning_rate": _log([0.03, 0.3]),
                "num_leaves": [4, 16],
                "min_child_samples": [5, 20],
            },
        },
        knobs=("n_estimators",),
        # no prefix reuse: with bagging, a LightGBM run of k rounds is not always the first k
        # rounds of a longer run (it may stop early on a round with no split; see _reuse)
        requires=("lightgbm",),
        predict_from_proba=True,
        params={"n_estimators": 50},
        description="LightGBM; study grid 3,600 (ours), default 36",
    )
)


# -- neural networks (torch) ----------------------------------------------------------------------


def build_fcnet(params: dict[str, Any], context: ModelContext) -> Any:
    """Two-layer fully-connected network (see :mod:`lossatlas.evaluate._torch_models`)."""
    from lossatlas.evaluate._torch_models import FCNet

    return FCNet(**params, task=context.task, seed=context.seed)


def build_cnn(params: dict[str, Any], context: ModelContext) -> Any:
    """Small two-block CNN on single-channel images (``digits``)."""
    from lossatlas.evaluate._torch_models import SmallCNN

    if context.image_shape is None:
        raise InputError(
            "model 'cnn' needs an image dataset (such as 'digits'); this dataset has no image shape"
        )
    return SmallCNN(**params, image_shape=context.image_shape, task=context.task, seed=context.seed)


register_model(
    ModelSpec(
        name="fcnet",
        build=build_fcnet,
        grids={
            # Klein & Hutter (2019) FCNet space: 6*6*3*3*2*2*6*2*4 = 62,208 configurations
            "study": {
                "n_units_1": [16, 32, 64, 128, 256, 512],
                "n_units_2": [16, 32, 64, 128, 256, 512],
                "dropout_1": [0.0, 0.3, 0.6],
                "dropout_2": [0.0, 0.3, 0.6],
                "activation_fn_1": ["relu", "tanh"],
                "activation_fn_2": ["relu", "tanh"],
                "init_lr": _log([0.0005, 0.001, 0.005, 0.01, 0.05, 0.1]),
                "lr_schedule": ["constant", "cosine"],
                "batch_size": [8, 16, 32, 64],
            },
            # 2 x 2 x 2 x 2 x 2 = 32
            "default": {
                "n_units_1": [16, 64],
                "n_units_2": [16, 64],
                "dropout_1": [0.0, 0.3],
                "activation_fn_1": ["relu", "tanh"],
                "init_lr": _log([0.001, 0.01]),
            },
            # 2 x 2 = 4
            "tiny": {"n_units_1": [16, 64], "init_lr": _log([0.001, 0.01])},
        },
        fidelities={"fraction": (1.0,), "epochs": (10,)},
        study_fidelities={"fraction": (1.0,), "epochs": (10, 50, 100)},
        knobs=("epochs",),
        requires=("torch",),
        predict_from_proba=True,
        params={"epochs": 10},
        description="fully-connected net (torch, CPU); FCNet space 62,208 (Klein & Hutter "
        "2019), default 32",
    )
)

register_model(
    ModelSpec(
        name="cnn",
        build=build_cnn,
        grids={
            # 3 x 3 x 2 x 3 x 3 x 5 x 4 x 2 = 6,480 configurations (the study's size)
            "study": {
                "n_filters_1": [8, 16, 32],
                "n_filters_2": [16, 32, 64],
                "kernel_size": [3, 5],
                "n_dense": [32, 64, 128],
                "dropout": [0.0, 0.25, 0.5],
                "learning_rate": _log([0.0001, 0.0005, 0.001, 0.005, 0.01]),
                "batch_size": [16, 32, 64, 128],
                "activation": ["relu", "tanh"],
            },
            # 2 x 2 x 2 x 3 = 24
            "default": {
                "n_filters_1": [8, 16],
                "kernel_size": [3, 5],
                "dropout": [0.0, 0.25],
                "learning_rate": _log([0.001, 0.005, 0.01]),
            },
            # 2 x 2 = 4
            "tiny": {"n_filters_1": [4, 8], "learning_rate": _log([0.003, 0.01])},
        },
        fidelities={"fraction": (1.0,), "epochs": (10,)},
        study_fidelities={"fraction": (0.1, 0.25, 1.0), "epochs": (10, 25, 50)},
        knobs=("epochs",),
        tasks=("classification",),
        requires=("torch",),
        predict_from_proba=True,
        params={"epochs": 10},
        description="small CNN on 8x8 images (torch, CPU); study grid 6,480, default 24",
        needs_images=True,
    )
)
