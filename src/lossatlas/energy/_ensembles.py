"""Ensembles of minima: which minimum gets which data right, and how to combine them.

In under-parameterised networks different minima of the loss classify different parts of the
data correctly (Niroomand et al. 2022). Given the weights of several minima of one classifier
potential this module measures

* the test accuracy and AUC of each minimum;
* which test items each minimum gets right, and the overlap matrix
  ``O[a, b] = #items both a and b classify correctly`` (specialisation);
* the *oracle* bound: an item counts as right when any minimum gets it right (for AUC, each item
  takes the probability row of the minimum most confident in its true class);
* plain probability averaging over the minima;
* occupation-weighted averaging with the harmonic-superposition weights ``p_a(T)``
  (:func:`lossatlas.energy._thermo.occupation_probabilities`);
* a learned *selector*: a small network (scikit-learn ``MLPClassifier``, multi-label) trained on
  separate data to predict, per input, which minima classify it correctly; each input goes to
  the minimum it rates most likely right. It is evaluated on the held-out test data only.

Everything is compared with the best single minimum, chosen *on a validation split* (never on
the numbers it is compared by): the minimum with the best validation accuracy is the accuracy
baseline, the one with the best validation AUC the AUC baseline (each metric its own best
minimum), and both are then measured on the test split like every combination.
:func:`ensemble_from_database` splits the data set's test split in two (stratified, seeded):
one half selects, the other measures. The best single minimum *on the test split* per metric is
reported too (``best_single_on_test``), labelled as the optimistic reference it is.

References
----------
M. Niroomand, C. Morgan, D. J. Wales et al., "On the capacity and superposition of minima in
neural network loss function landscapes", MLST 3, 025004 (2022).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from lossatlas.energy._ensemble_report import EnsembleReport
from lossatlas.energy._plotdata import SpecialisationPlotData
from lossatlas.energy._thermo import occupation_probabilities
from lossatlas.errors import InputError, require

if TYPE_CHECKING:
    from lossatlas.energy._database import Database
    from lossatlas.energy.potentials import Potential

__all__ = [
    "EnsembleReport",
    "ensemble_from_database",
    "ensemble_of_minima",
    "specialisation_plot_data",
]


def _auc(y: np.ndarray, proba: np.ndarray, n_classes: int) -> float:
    """ROC AUC: binary on the positive class, else one-vs-rest macro over present classes."""
    from sklearn.metrics import roc_auc_score

    present = np.unique(y)
    if present.size < 2:
        return float("nan")
    if n_classes == 2:
        return float(roc_auc_score(y, proba[:, 1]))
    scores = [roc_auc_score(y == c, proba[:, c]) for c in present]
    return float(np.mean(scores))


def _accuracy(y: np.ndarray, proba: np.ndarray) -> float:
    return float(np.mean(np.argmax(proba, axis=1) == y))


def _probabilities(potential: Potential, coords: Sequence[np.ndarray], X: np.ndarray) -> np.ndarray:
    """``(n_minima, n_items, n_classes)`` class probabilities."""
    if not hasattr(potential, "predict_proba"):
        raise InputError(
            f"ensembles need a classifier potential with predict_proba, got "
            f"{type(potential).__name__}"
        )
    return np.stack([np.asarray(potential.predict_proba(np.asarray(x), X)) for x in coords])


def _selector(
    proba_select: np.ndarray,
    y_select: np.ndarray,
    X_select: np.ndarray,
    X_test: np.ndarray,
    hidden: tuple[int, ...],
    seed: int,
) -> np.ndarray:
    """Per test item, the position of the minimum the selector rates most likely right."""
    neural = require("sklearn.neural_network", "models", purpose="the ensemble selector")
    correct = np.argmax(proba_select, axis=2).T == y_select[:, None]  # (n_select, M)
    M = correct.shape[1]
    rate = correct.mean(0)
    score = np.tile(rate, (X_test.shape[0], 1))  # constant columns: their training rate
    varying = np.flatnonzero((rate > 0) & (rate < 1))
    if varying.size:
        clf = neural.MLPClassifier(
            hidden_layer_sizes=hidden, solver="lbfgs", max_iter=500, random_state=seed, alpha=1e-3
        )
        target = correct[:, varying].astype(int)
        with warnings.catch_warnings():  # an unconverged selector is still a valid selector
            warnings.simplefilter("ignore")
            clf.fit(X_select, target if varying.size > 1 else target[:, 0])
        p = clf.predict_proba(X_test)
        score[:, varying] = p if varying.size > 1 else p[:, [1]]
    # ties go to the minimum that was right most often on the selector data
    order = np.lexsort((np.arange(M), -rate))
    return order[np.argmax(score[:, order], axis=1)]


def ensemble_of_minima(
    potential: Potential,
    coords: Sequence[np.ndarray],
    *,
    X_test: np.ndarray,
    y_test: np.ndarray,
    energies: Sequence[float] | None = None,
    fvib: Sequence[float] | None = None,
    temperature: float | None = None,
    X_select: np.ndarray | None = None,
    y_select: np.ndarray | None = None,
    minima_ids: Sequence[int] | None = None,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    selector_hidden: tuple[int, ...] = (16,),
    seed: int = 0,
) -> EnsembleReport:
    """Compare the minima of a classifier potential and their combinations on held-out data.

    Parameters
    ----------
    potential : MLPCrossEntropy or MLPAppAUC
        Anything with ``predict_proba(x, X)``.
    coords : sequence of ndarray
        Weights of the minima.
    X_test, y_test : ndarray
        Held-out data every number of the report is measured on.
    energies, fvib : sequence of float, optional
        Loss and ``fvib`` of each minimum, for the occupation weights ``p_a(T)``; by default the
        training loss ``potential.energy(x)`` and zeros.
    temperature : float, optional
        ``T`` of the occupation weights; by default the median gap between the minima's
        energies and the lowest (so that the occupation is spread over them), or 1 when all
        are equal.
    X_select, y_select : ndarray, optional
        Data for training the selector (e.g. the training set). Without them no selector is
        trained. They must not be the test data.
    minima_ids : sequence of int, optional
        Names of the minima (default ``0..M-1``).
    X_val, y_val : ndarray, optional
        Validation data the best single minimum of each metric is chosen on. Without them it
        is chosen on the test data (``selected_on="test"``, an optimistic baseline).
    selector_hidden : tuple of int, default (16,)
        Hidden layers of the selector network.
    seed : int, default 0

    Returns
    -------
    EnsembleReport
    """

    coords = [np.asarray(x, dtype=float) for x in coords]
    if not coords:
        raise InputError("ensemble: no minima given")
    X_test = np.asarray(X_test, dtype=float)
    y_test = np.asarray(y_test).astype(int)
    if X_test.shape[0] == 0 or X_test.shape[0] != y_test.shape[0]:
        raise InputError(
            f"ensemble: X_test {X_test.shape} and y_test {y_test.shape} must be non-empty and "
            "of equal length"
        )
    ids = np.arange(len(coords)) if minima_ids is None else np.asarray(minima_ids, dtype=int)
    proba = _probabilities(potential, coords, X_test)  # (M, n, K)
    M, n, K = proba.shape
    accuracy = np.array([_accuracy(y_test, p) for p in proba])
    auc = np.array([_auc(y_test, p, K) for p in proba])
    correct = (np.argmax(proba, axis=2) == y_test[None, :]).T  # (n, M)
    overlap = correct.T.astype(int) @ correct.astype(int)
    best = int(np.argmax(accuracy))
    best_auc = int(np.nanargmax(auc)) if np.any(np.isfinite(auc)) else best
    val_acc = val_auc = None
    n_val = 0
    if X_val is not None or y_val is not None:
        if X_val is None or y_val is None:
            raise InputError("ensemble: give both X_val and y_val for the validation split")
        X_val = np.asarray(X_val, dtype=float)
        y_val = np.asarray(y_val).astype(int)
        if X_val.shape[0] == 0 or X_val.shape[0] != y_val.shape[0]:
            raise InputError(f"ensemble: X_val {X_val.shape} and y_val {y_val.shape} differ")
        proba_val = _probabilities(potential, coords, X_val)
        val_acc = np.array([_accuracy(y_val, p) for p in proba_val])
        val_auc = np.array([_auc(y_val, p, K) for p in proba_val])
        best = int(np.argmax(val_acc))
        best_auc = int(np.nanargmax(val_auc)) if np.any(np.isfinite(val_auc)) else best
        n_val = int(X_val.shape[0])

    p_true = proba[:, np.arange(n), y_test]  # (M, n)
    oracle = proba[np.argmax(p_true, axis=0), np.arange(n)]  # (n, K)
    oracle_accuracy = float(np.mean(correct.any(axis=1)))

    average = proba.mean(axis=0)
    e = (
        np.array([potential.energy(x) for x in coords])
        if energies is None
        else np.asarray(energies, dtype=float)
    )
    if temperature is None:
        gaps = e - e.min()
        gaps = gaps[gaps > 0]
        temperature = float(np.median(gaps)) if gaps.size else 1.0
    weights = occupation_probabilities(e, float(temperature), fvib=fvib)[0]
    weighted = np.tensordot(weights, proba, axes=1)

    sel_acc = sel_auc = None
    choice = None
    if X_select is not None or y_select is not None:
        if X_select is None or y_select is None:
            raise InputError("ensemble: give both X_select and y_select for the selector")
        X_select = np.asarray(X_select, dtype=float)
        y_select = np.asarray(y_select).astype(int)
        if X_select.shape == X_test.shape and np.array_equal(X_select, X_test):
            raise InputError("ensemble: the selector must not be trained on the test data")
        proba_select = _probabilities(potential, coords, X_select)
        choice = _selector(proba_select, y_select, X_select, X_test, selector_hidden, seed)
        chosen = proba[choice, np.arange(n)]
        sel_acc, sel_auc = _accuracy(y_test, chosen), _auc(y_test, chosen, K)

    return EnsembleReport(
        minima_ids=ids,
        accuracy=accuracy,
        auc=auc,
        correct=correct,
        overlap=overlap,
        best_single=best,
        oracle_accuracy=oracle_accuracy,
        oracle_auc=_auc(y_test, oracle, K),
        average_accuracy=_accuracy(y_test, average),
        average_auc=_auc(y_test, average, K),
        weighted_accuracy=_accuracy(y_test, weighted),
        weighted_auc=_auc(y_test, weighted, K),
        temperature=float(temperature),
        weights=weights,
        selector_accuracy=sel_acc,
        selector_auc=sel_auc,
        selector_choice=choice,
        best_single_auc_index=best_auc,
        selected_on="test" if val_acc is None else "validation",
        val_accuracy=val_acc,
        val_auc=val_auc,
        n_validation=n_val,
    )


def _split_validation(
    X: np.ndarray, y: np.ndarray, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stratified seeded split of ``(X, y)`` into ``(X_val, y_val, X_rest, y_rest)``."""
    rng = np.random.default_rng(seed)
    val = np.zeros(y.size, dtype=bool)
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        val[idx[: int(round(fraction * idx.size))]] = True
    return X[val], y[val], X[~val], y[~val]


def ensemble_from_database(
    db: Database,
    potential: Potential,
    *,
    lowest: int | None = None,
    dataset: Any = None,
    temperature: float | None = None,
    selector: bool = True,
    validation_fraction: float = 0.5,
    seed: int = 0,
) -> EnsembleReport:
    """:func:`ensemble_of_minima` over the (``lowest``) minima of ``db``.

    The test split of ``dataset`` (default ``potential.dataset``, set by
    :func:`~lossatlas.energy.potentials.make_potential`) is the held-out data: a stratified
    ``validation_fraction`` of it (seeded by ``seed``) chooses the best single minimum of each
    metric, the rest measures every number. The selector is trained on the training split.
    Stored ``fvib`` values weight the occupation when every minimum has one.

    Parameters
    ----------
    db : Database
        An open database.
    potential : Potential
        A classifier potential (``predict``).
    lowest : int, optional
        Use only the lowest this many minima.
    dataset : EnergyDataset, optional
        Default ``potential.dataset``.
    temperature : float, optional
        Of the occupation weights.
    selector : bool, default True
        Train the learned selector.
    validation_fraction : float, default 0.5
        Share of the test split used to choose the best single minima; 0 chooses on the test
        split itself (optimistic, ``selected_on="test"``).
    seed : int, default 0
        Seed of the selector and of the validation split.

    Returns
    -------
    EnsembleReport
    """
    data = dataset if dataset is not None else getattr(potential, "dataset", None)
    if data is None or getattr(data, "X_test", np.empty(0)).size == 0:
        raise InputError(
            f"database '{db.path}': ensembles need a classifier potential with a test split"
        )
    minima = db.minima()
    if lowest is not None:
        minima = minima[: int(lowest)]
    if not minima:
        raise InputError(f"database '{db.path}' holds no minima")
    fvib = [m.fvib for m in minima]
    if not 0.0 <= float(validation_fraction) < 1.0:
        raise InputError(f"validation_fraction must be in [0, 1), got {validation_fraction}")
    X_test, y_test = np.asarray(data.X_test, float), np.asarray(data.y_test).astype(int)
    X_val = y_val = None
    if validation_fraction > 0:
        X_val, y_val, X_test, y_test = _split_validation(
            X_test, y_test, float(validation_fraction), seed
        )
        if X_val.shape[0] == 0 or X_test.shape[0] == 0:
            raise InputError(
                f"validation_fraction {validation_fraction} leaves an empty split of the "
                f"{data.X_test.shape[0]} test items"
            )
    return ensemble_of_minima(
        potential,
        [m.coords for m in minima],
        X_test=X_test,
        y_test=y_test,
        X_val=X_val,
        y_val=y_val,
        energies=[m.energy for m in minima],
        fvib=None if any(f is None for f in fvib) else fvib,
        temperature=temperature,
        X_select=data.X_train if selector else None,
        y_select=data.y_train if selector else None,
        minima_ids=[m.id for m in minima],
        seed=seed,
    )


def specialisation_plot_data(
    report: EnsembleReport, *, max_minima: int = 40
) -> SpecialisationPlotData:
    """Which test items each minimum gets right (items sorted by how many minima get them
    right) and the overlap matrix as a fraction of the test set (draw it with
    ``plot_specialisation``).

    Parameters
    ----------
    report : EnsembleReport
        The ensemble analysis (:func:`ensemble_of_minima`).
    max_minima : int, default 40
        Show at most the first this many minima.

    Returns
    -------
    SpecialisationPlotData
    """
    correct = report.correct[:, :max_minima]
    order = np.lexsort((np.arange(correct.shape[0]), correct.sum(1)))
    n = max(correct.shape[0], 1)
    return SpecialisationPlotData(
        correct=correct[order].T,
        minima_ids=[int(i) for i in report.minima_ids[:max_minima]],
        overlap_fraction=report.overlap[:max_minima, :max_minima] / n,
    )
