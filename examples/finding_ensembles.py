"""Finding: minima specialise, so ensembles of minima beat the best single minimum.

    python examples/finding_ensembles.py [--quick] [--out findings/ensembles]

The claim (Niroomand et al. 2022): in an *under-parameterised* network on a hard problem,
different minima get different inputs right, so combining them (the oracle bound, averaging,
occupation weighting, a learned selector) beats the best single minimum.

Setting, written to ``settings.json`` next to the numbers (``results.json``):

* data: scikit-learn's bundled ``digits`` (1797 8x8 images, 10 classes; offline), reduced to
  ``pca`` principal components fitted on the training split and standardised; split 60/20/20
  (train / validation / test), stratified, seeded;
* network: tanh, ``hidden`` hidden units (3: far too few for 10 classes), cross-entropy with
  ``lam ||W||^2``;
* exploration: basin-hopping, ``steps`` steps (40; 10 with --quick), step 3.0 (1.0 finds one
  minimum only), T = 2.0, seeded;
* the ``lowest`` lowest minima enter the ensemble;
* the best single minimum of each metric is chosen on the validation split; every number is on
  the test split; the selector is trained on the training split.

Each number says which split it is on. The oracle is an upper bound (it looks at the labels).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from lossatlas.energy import Database, basin_hopping, ensemble_of_minima, potential_db_options
from lossatlas.energy.potentials import MLPCrossEntropy


def digits_splits(pca: int, seed: int) -> dict[str, np.ndarray]:
    """Digits, PCA on the training split, standardised, split 60/20/20 (stratified)."""
    from sklearn.datasets import load_digits
    from sklearn.decomposition import PCA
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X_tr, X_rest, y_tr, y_rest = train_test_split(
        X, y, test_size=0.4, stratify=y, random_state=seed
    )
    X_val, X_te, y_val, y_te = train_test_split(
        X_rest, y_rest, test_size=0.5, stratify=y_rest, random_state=seed
    )
    p = PCA(n_components=pca, random_state=seed).fit(X_tr)
    Z = [p.transform(a) for a in (X_tr, X_val, X_te)]
    mu, sd = Z[0].mean(0), Z[0].std(0)
    Z = [(z - mu) / sd for z in Z]
    return dict(X_train=Z[0], y_train=y_tr, X_val=Z[1], y_val=y_val, X_test=Z[2], y_test=y_te)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer steps (tests, a first look)")
    ap.add_argument("--out", type=Path, default=Path("findings/ensembles"))
    ap.add_argument("--hidden", type=int, default=3)
    ap.add_argument("--pca", type=int, default=8)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--lowest", type=int, default=20)
    ap.add_argument("--lam", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    steps = args.steps if args.steps is not None else (10 if args.quick else 40)
    settings = dict(
        data="sklearn digits (bundled), PCA on train, standardised",
        split="60/20/20 train/validation/test, stratified",
        pca=args.pca,
        hidden=args.hidden,
        lam=args.lam,
        steps=steps,
        step_size=3.0,
        temperature=2.0,
        lowest=args.lowest,
        seed=args.seed,
        best_single="chosen on validation per metric, measured on test",
        selector="sklearn MLPClassifier (16 hidden), trained on train",
    )
    d = digits_splits(args.pca, args.seed)
    pot = MLPCrossEntropy(d["X_train"], d["y_train"], n_hidden=args.hidden, lam=args.lam)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        with Database(Path(tmp) / "digits.sqlite", **potential_db_options(pot)) as db:
            basin_hopping(pot, db, steps=steps, step_size=3.0, temperature=2.0, seed=args.seed)
            minima = db.minima()[: args.lowest]
    fvib = [m.fvib for m in minima]
    r = ensemble_of_minima(
        pot,
        [m.coords for m in minima],
        X_test=d["X_test"],
        y_test=d["y_test"],
        X_val=d["X_val"],
        y_val=d["y_val"],
        X_select=d["X_train"],
        y_select=d["y_train"],
        energies=[m.energy for m in minima],
        fvib=None if any(f is None for f in fvib) else fvib,
        minima_ids=[m.id for m in minima],
        seed=args.seed,
    )
    out = r.to_dict()
    base = out["summary"]["best_single"]
    gains = {
        k: {
            m: (None if v[m] is None or base[m] is None else v[m] - base[m])
            for m in ("accuracy", "auc")
        }
        for k, v in out["summary"].items()
        if k != "best_single"
    }
    results = {
        "n_minima": len(minima),
        "summary": out["summary"],
        "gain_over_best_single": gains,
        "splits": out["splits"],
        "seconds": round(time.perf_counter() - t0, 1),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "settings.json").write_text(json.dumps(settings, indent=2))
    (args.out / "results.json").write_text(json.dumps(results, indent=2))
    print(f"{len(minima)} minima of a {args.pca}-{args.hidden}-10 network on digits")
    print(f"{'method':22s} {'accuracy':>9s} {'AUC':>9s}   split")
    for k, v in out["summary"].items():
        acc = "-" if v["accuracy"] is None else f"{v['accuracy']:.4f}"
        auc = "-" if v["auc"] is None else f"{v['auc']:.4f}"
        print(f"{k:22s} {acc:>9s} {auc:>9s}   {out['splits'][k]}")
    print(f"wrote {args.out / 'settings.json'} and {args.out / 'results.json'}")
    return results


if __name__ == "__main__":
    main()
