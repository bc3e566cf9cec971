"""Cross-entropy against appAUC: the same network, data and exploration, two landscapes.

For one binary classification problem and one tanh network, explore the cross-entropy loss and
the appAUC loss (sigmoid-smoothed Wilcoxon-Mann-Whitney statistic) with the same basin-hopping
settings, optionally connect the lowest minima, and report side by side: the number of minima
and transition states, barrier heights, the mean Hessian eigenvalue at the minima (a large one
means a narrow, less robust minimum), and the test accuracy and AUC of the minima. The
reference study found appAUC landscapes to hold many more minima, with larger mean Hessian
eigenvalues, and higher test AUC.

Accuracy of an appAUC minimum uses the network's softmax output with threshold 1/2, which the
AUC loss does not calibrate (it is invariant to monotone maps of the score): read it with
care; AUC is the fair measure there.

References
----------
M. Niroomand, C. Cafolla, J. Morgan and D. J. Wales, "Characterising the area under the curve
loss function landscape", MLST 3, 015019 (2022).
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lossatlas.energy._basinhopping import basin_hopping
from lossatlas.energy._connect import connect_lowest
from lossatlas.energy._data import load_energy_dataset
from lossatlas.energy._database import Database, potential_db_options
from lossatlas.energy.potentials import MLPAppAUC, MLPCrossEntropy
from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.energy._database import Database
    from lossatlas.energy.potentials import Potential

__all__ = [
    "LossComparison",
    "LossLandscapeStats",
    "compare_losses",
    "landscape_statistics",
]

LOSSES = ("cross-entropy", "appAUC")


@dataclass(frozen=True)
class LossLandscapeStats:
    """What one loss's landscape looks like.

    Attributes
    ----------
    loss : str
        ``"cross-entropy"`` or ``"appAUC"`` (or any label).
    minima_ids : ndarray of int
        Lowest energy first.
    energies : ndarray
        Loss at each minimum.
    n_transition_states : int
    barriers : ndarray
        ``E_ts - E_min`` for both ends of every transition state joining two different minima.
    mean_hessian_eigenvalue : ndarray
        ``tr(H)/ndim`` at each minimum.
    test_accuracy, test_auc : ndarray
        Of each minimum on the held-out data.
    largest_hessian_eigenvalue : ndarray
        Largest Hessian eigenvalue at each minimum (the sharpest direction).
    """

    loss: str
    minima_ids: np.ndarray
    energies: np.ndarray
    n_transition_states: int
    barriers: np.ndarray
    mean_hessian_eigenvalue: np.ndarray
    test_accuracy: np.ndarray
    test_auc: np.ndarray
    largest_hessian_eigenvalue: np.ndarray = field(default_factory=lambda: np.empty(0))

    @property
    def n_minima(self) -> int:
        return int(self.minima_ids.size)

    def summary(self) -> dict[str, float | int | None]:
        """Flat JSON-able summary (None where there is nothing to summarise)."""

        def stat(values: np.ndarray, fn: Any) -> float | None:
            v = values[np.isfinite(values)]
            return float(fn(v)) if v.size else None

        return {
            "n_minima": self.n_minima,
            "n_transition_states": self.n_transition_states,
            "lowest_energy": stat(self.energies, np.min),
            "mean_barrier": stat(self.barriers, np.mean),
            "median_barrier": stat(self.barriers, np.median),
            "max_barrier": stat(self.barriers, np.max),
            "mean_hessian_eigenvalue": stat(self.mean_hessian_eigenvalue, np.mean),
            "mean_largest_hessian_eigenvalue": stat(self.largest_hessian_eigenvalue, np.mean),
            "max_hessian_eigenvalue": stat(self.largest_hessian_eigenvalue, np.max),
            "mean_test_accuracy": stat(self.test_accuracy, np.mean),
            "best_test_accuracy": stat(self.test_accuracy, np.max),
            "global_minimum_test_accuracy": stat(self.test_accuracy[:1], np.min),
            "mean_test_auc": stat(self.test_auc, np.mean),
            "best_test_auc": stat(self.test_auc, np.max),
            "global_minimum_test_auc": stat(self.test_auc[:1], np.min),
        }


@dataclass(frozen=True)
class LossComparison:
    """Side-by-side landscape statistics of several losses on one problem."""

    dataset: str
    n_hidden: int
    stats: dict[str, LossLandscapeStats]
    settings: dict[str, Any] = field(default_factory=dict)

    def table(self) -> list[dict[str, Any]]:
        """One row per statistic, one column per loss."""
        summaries = {name: s.summary() for name, s in self.stats.items()}
        keys = list(next(iter(summaries.values())))
        return [{"statistic": k, **{n: summaries[n][k] for n in summaries}} for k in keys]

    def to_dict(self) -> dict[str, Any]:
        """``{"dataset", "hidden", "settings", "losses": {loss: summary}}``."""
        return {
            "dataset": self.dataset,
            "hidden": self.n_hidden,
            "settings": dict(self.settings),
            "losses": {name: s.summary() for name, s in self.stats.items()},
        }


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, score)) if np.unique(y).size == 2 else math.nan


def landscape_statistics(
    potential: Potential,
    db: Database,
    *,
    X_test: np.ndarray,
    y_test: np.ndarray,
    loss: str,
    lowest: int | None = None,
) -> LossLandscapeStats:
    """Statistics of the minima (and transition states) of a binary-classifier potential's
    database; see :class:`LossLandscapeStats`. ``lowest`` limits the minima analysed.

    Parameters
    ----------
    potential : Potential
        A binary-classifier potential (``predict_proba``).
    db : Database
        Its minima (and transition states).
    X_test, y_test : numpy.ndarray
        Held-out data.
    loss : str
        Name of the loss, for the record.
    lowest : int, optional
        Analyse the lowest this many minima.

    Returns
    -------
    LossLandscapeStats
    """
    minima = db.minima()
    if lowest is not None:
        minima = minima[: int(lowest)]
    if not minima:
        raise InputError(f"database '{db.path}' holds no minima")
    y_test = np.asarray(y_test).astype(int)
    energy_of = {m.id: m.energy for m in db.minima()}
    barriers = [
        t.energy - energy_of[m]
        for t in db.transition_states()
        if t.min1 != t.min2
        for m in (t.min1, t.min2)
    ]
    acc, auc, curv, top = [], [], [], []
    for m in minima:
        proba = np.asarray(potential.predict_proba(m.coords, X_test))
        acc.append(float(np.mean(np.argmax(proba, axis=1) == y_test)))
        auc.append(_auc(y_test, proba[:, -1]))
        h = np.asarray(potential.hessian(m.coords), dtype=float)
        eig = np.linalg.eigvalsh(0.5 * (h + h.T))
        curv.append(float(np.mean(eig)))  # tr(H) / ndim
        top.append(float(eig[-1]))
    return LossLandscapeStats(
        loss=loss,
        minima_ids=np.array([m.id for m in minima], dtype=int),
        energies=np.array([m.energy for m in minima]),
        n_transition_states=len(db.transition_states()),
        barriers=np.array(barriers, dtype=float),
        mean_hessian_eigenvalue=np.array(curv),
        test_accuracy=np.array(acc),
        test_auc=np.array(auc),
        largest_hessian_eigenvalue=np.array(top),
    )


def compare_losses(
    dataset: str = "iris",
    *,
    hidden: int = 3,
    lam: float = 1e-5,
    beta: float = 100.0,
    score: str = "probability",
    steps: int = 200,
    step_size: float = 1.0,
    temperature: float = 2.0,
    connect: int = 0,
    lowest: int | None = None,
    seed: int = 0,
    test_fraction: float = 0.3,
    db_dir: str | Path | None = None,
    progress: bool = False,
) -> LossComparison:
    """Explore cross-entropy and appAUC on the binary version of ``dataset``; compare.

    Parameters
    ----------
    dataset : str, default "iris"
        A classification set of :func:`~lossatlas.energy._data.load_energy_dataset`, collapsed
        to two classes (last class positive).
    hidden, lam, beta, score
        Network and loss settings (:class:`~lossatlas.energy.potentials.MLPCrossEntropy`,
        :class:`~lossatlas.energy.potentials.MLPAppAUC`).
    steps, step_size, temperature
        Basin-hopping settings, the same for both losses (seeded alike).
    connect : int, default 0
        Connect this many lowest minima of each landscape (DNEB + eigenvector-following) for
        barrier heights; 0 skips it (no barriers reported).
    lowest : int, optional
        Analyse only the lowest minima.
    seed : int, default 0
        Seeds the data split and the exploration.
    test_fraction : float, default 0.3
    db_dir : path, optional
        Keep the databases there (``cross-entropy.sqlite``, ``appAUC.sqlite``); by default a
        temporary folder.
    progress : bool, default False

    Returns
    -------
    LossComparison
    """

    data = load_energy_dataset(dataset, seed=seed, test_fraction=test_fraction, binary=True)
    if data.X_test.shape[0] == 0:
        raise InputError("compare_losses needs a test split (test_fraction > 0)")
    potentials = {
        "cross-entropy": MLPCrossEntropy(
            data.X_train, data.y_train, n_hidden=hidden, lam=lam, n_classes=2
        ),
        "appAUC": MLPAppAUC(
            data.X_train, data.y_train, n_hidden=hidden, lam=lam, beta=beta, score=score
        ),
    }
    with tempfile.TemporaryDirectory(prefix="lossatlas-losses-") as tmp:
        folder = Path(db_dir) if db_dir is not None else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        stats = {}
        for name, pot in potentials.items():
            with Database(folder / f"{name}.sqlite", **potential_db_options(pot)) as db:
                db.set_meta(
                    "loss_comparison",
                    {
                        "loss": name,
                        "dataset": dataset,
                        "hidden": hidden,
                        "lam": lam,
                        "beta": beta,
                        "score": score,
                        "seed": seed,
                    },
                )
                basin_hopping(
                    pot,
                    db,
                    steps=steps,
                    step_size=step_size,
                    temperature=temperature,
                    seed=seed,
                    progress=progress,
                )
                if connect > 1:
                    connect_lowest(pot, db, lowest=connect, seed=seed, progress=progress)
                stats[name] = landscape_statistics(
                    pot, db, X_test=data.X_test, y_test=data.y_test, loss=name, lowest=lowest
                )
    settings = dict(
        dataset=dataset,
        hidden=int(hidden),
        lam=float(lam),
        beta=float(beta),
        score=score,
        steps=int(steps),
        step_size=float(step_size),
        temperature=float(temperature),
        connect=int(connect),
        seed=int(seed),
        test_fraction=float(test_fraction),
    )
    return LossComparison(dataset=data.name, n_hidden=int(hidden), stats=stats, settings=settings)
