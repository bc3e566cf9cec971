"""Generate the built-in example landscape shipped with lossatlas.

A real, seeded evaluation: a scikit-learn decision tree on the bundled breast-cancer data,
5-fold stratified CV (seed 0), every configuration of a 160-point grid, train and test loss
(1 - accuracy) per fold. Run from the repository root:

    python scripts/make_example.py

It writes ``src/lossatlas/data/example_dtree_breast_cancer.csv`` (the long table format).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import StratifiedKFold
from sklearn.tree import DecisionTreeClassifier

GRID = {
    "max_depth": [1, 2, 3, 4, 5, 6, 8, 12],
    "min_samples_leaf": [1, 2, 4, 8, 16],
    "criterion": ["gini", "entropy"],
    "max_features": ["sqrt", "all"],
}
SEED = 0


def main() -> None:
    X, y = load_breast_cancer(return_X_y=True)
    folds = list(StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED).split(X, y))
    rows = []
    for values in itertools.product(*GRID.values()):
        config = dict(zip(GRID, values, strict=True))
        params = dict(config, max_features=None if config["max_features"] == "all" else "sqrt")
        for fold, (train, test) in enumerate(folds):
            model = DecisionTreeClassifier(random_state=SEED, **params).fit(X[train], y[train])
            rows.append(
                {
                    "model": "decision_tree",
                    "dataset": "breast_cancer",
                    **config,
                    "fold": fold,
                    "seed": SEED,
                    "train": float(1 - np.mean(model.predict(X[train]) == y[train])),
                    "test": float(1 - np.mean(model.predict(X[test]) == y[test])),
                }
            )
    out = Path(__file__).resolve().parents[1] / "src/lossatlas/data/example_dtree_breast_cancer.csv"
    pd.DataFrame(rows).to_csv(out, index=False, float_format="%.6g")
    print(f"wrote {out} ({len(rows)} rows)")


if __name__ == "__main__":
    main()
