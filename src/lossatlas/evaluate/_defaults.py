"""A first single evaluation: a random forest on breast_cancer at two fidelities.

``lossatlas run`` now runs the built-in study ``run`` (:mod:`lossatlas.study`); this
evaluation stays as the smallest example of :class:`~lossatlas.evaluate.Evaluation`.

A 36-configuration grid (``max_depth`` x ``min_samples_leaf`` x ``max_features``, 30 trees),
3-fold stratified CV, training-data fractions 0.25 and 1.0: 216 tasks, well under a minute on
two cores, enough for a first look at a landscape and at how fidelity changes it.
"""

from __future__ import annotations

from lossatlas.evaluate._datasets import load_dataset
from lossatlas.evaluate._models import get_model
from lossatlas.evaluate._runner import Evaluation

__all__ = ["DEFAULT_OUT", "default_evaluation"]

DEFAULT_OUT = "lossatlas-run"


def default_evaluation(*, seed: int = 0) -> Evaluation:
    """The study ``lossatlas run`` evaluates (see the module docstring).

    Parameters
    ----------
    seed : int, default 0
        Seed of the folds and of the forest.

    Returns
    -------
    Evaluation
        A random forest (30 trees) on breast_cancer, the ``default`` grid, 3 folds, data
        fractions 0.25 and 1.
    """
    model = get_model("rf")
    return Evaluation(
        model=model,
        dataset=load_dataset("breast_cancer"),
        space=model.space("default"),
        folds=3,
        fidelities={"fraction": (0.25, 1.0)},
        seeds=(seed,),
        params={"n_estimators": 30},
    )
