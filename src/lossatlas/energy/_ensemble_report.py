"""The record of an ensemble-of-minima analysis (:func:`lossatlas.energy.ensemble_of_minima`).

References
----------
M. Niroomand, C. Morgan, D. J. Wales et al., "On the capacity and superposition of minima in
neural network loss function landscapes", MLST 3, 025004 (2022).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lossatlas.energy._json import json_number

__all__ = ["EnsembleReport"]


@dataclass(frozen=True)
class EnsembleReport:
    """Per-minimum and combined classification quality on held-out data.

    Attributes
    ----------
    minima_ids : ndarray of int
        The minima, in the column order of ``correct``.
    accuracy, auc : ndarray
        Test accuracy and AUC (one-vs-rest macro average for several classes) of each minimum.
    correct : ndarray of bool, shape (n_test, n_minima)
        Whether minimum ``a`` classifies test item ``i`` correctly.
    overlap : ndarray of int, shape (n_minima, n_minima)
        Items both minima classify correctly (diagonal: each one's count).
    best_single : int
        Position (in ``minima_ids``) of the minimum with the best validation accuracy (ties:
        lower position); without validation data, the best test accuracy.
    oracle_accuracy, oracle_auc : float
        Best minimum per item.
    average_accuracy, average_auc : float
        Mean of the probability vectors.
    weighted_accuracy, weighted_auc : float
        Mean weighted by ``p_a(T)``.
    temperature : float
        ``T`` of the occupation weights.
    weights : ndarray
        ``p_a(T)``.
    selector_accuracy, selector_auc : float or None
        The learned selector on the test data; None when no selector data were given.
    selector_choice : ndarray of int or None
        Position of the minimum the selector picked for each test item.
    best_single_auc_index : int
        Position of the minimum with the best validation AUC (the AUC baseline).
    selected_on : {"validation", "test"}
        The split the best single minima were chosen on.
    val_accuracy, val_auc : ndarray or None
        Validation accuracy and AUC of each minimum.
    n_validation : int
        Validation items.
    """

    minima_ids: np.ndarray
    accuracy: np.ndarray
    auc: np.ndarray
    correct: np.ndarray
    overlap: np.ndarray
    best_single: int
    oracle_accuracy: float
    oracle_auc: float
    average_accuracy: float
    average_auc: float
    weighted_accuracy: float
    weighted_auc: float
    temperature: float
    weights: np.ndarray
    selector_accuracy: float | None
    selector_auc: float | None
    selector_choice: np.ndarray | None
    best_single_auc_index: int = -1
    selected_on: str = "test"
    val_accuracy: np.ndarray | None = None
    val_auc: np.ndarray | None = None
    n_validation: int = 0

    @property
    def best_single_accuracy(self) -> float:
        """Test accuracy of the minimum with the best validation accuracy."""
        return float(self.accuracy[self.best_single])

    @property
    def best_single_auc(self) -> float:
        """Test AUC of the minimum with the best validation AUC."""
        i = self.best_single if self.best_single_auc_index < 0 else self.best_single_auc_index
        return float(self.auc[i])

    @property
    def splits(self) -> dict[str, str]:
        """Which split each number of :meth:`summary` is measured or chosen on."""
        return {
            "best_single": f"chosen on {self.selected_on}, measured on test",
            "best_single_on_test": "chosen and measured on test (optimistic)",
            "oracle": "test (per-item best minimum, an upper bound)",
            "average": "test",
            "occupation_weighted": "test",
            "selector": "trained on train, measured on test",
        }

    def summary(self) -> dict[str, dict[str, float | None]]:
        """``{method: {"accuracy": ..., "auc": ...}}`` for the single best and each combination.

        ``best_single`` holds each metric's own best minimum chosen on validation data,
        ``best_single_on_test`` each metric's best minimum on the test split.
        """
        return {
            "best_single": {"accuracy": self.best_single_accuracy, "auc": self.best_single_auc},
            "best_single_on_test": {
                "accuracy": float(np.max(self.accuracy)),
                "auc": float(np.nanmax(self.auc)) if np.any(np.isfinite(self.auc)) else None,
            },
            "oracle": {"accuracy": self.oracle_accuracy, "auc": self.oracle_auc},
            "average": {"accuracy": self.average_accuracy, "auc": self.average_auc},
            "occupation_weighted": {
                "accuracy": self.weighted_accuracy,
                "auc": self.weighted_auc,
            },
            "selector": {"accuracy": self.selector_accuracy, "auc": self.selector_auc},
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary.

        Returns
        -------
        dict
            ``minima`` (``id``, test ``accuracy``, ``auc``, and ``val_accuracy``,
            ``val_auc``), ``summary`` (:meth:`summary`), ``splits`` (:attr:`splits`),
            ``temperature``, ``best_single`` and ``best_single_auc`` (ids), ``selected_on``,
            ``n_validation``, ``n_test`` and ``overlap`` (a nested list).
        """
        rows = []
        for k, (i, a, u) in enumerate(zip(self.minima_ids, self.accuracy, self.auc, strict=True)):
            row: dict[str, Any] = {"id": int(i), "accuracy": float(a), "auc": json_number(u)}
            if self.val_accuracy is not None and self.val_auc is not None:
                row["val_accuracy"] = float(self.val_accuracy[k])
                row["val_auc"] = json_number(self.val_auc[k])
            rows.append(row)
        auc_index = (
            self.best_single if self.best_single_auc_index < 0 else self.best_single_auc_index
        )
        return {
            "minima": rows,
            "summary": {
                k: {m: json_number(v) for m, v in d.items()} for k, d in self.summary().items()
            },
            "splits": self.splits,
            "temperature": self.temperature,
            "best_single": int(self.minima_ids[self.best_single]),
            "best_single_auc": int(self.minima_ids[auc_index]),
            "selected_on": self.selected_on,
            "n_validation": self.n_validation,
            "n_test": int(self.correct.shape[0]),
            "overlap": self.overlap.tolist(),
        }
