"""Every GraphFLA 0.4.0 metric next to ours on a real grid: the bundled decision-tree example.

The example table (``lossatlas analyze --example``: decision tree on breast cancer, 160
configurations, 5-fold CV) is read as the maximised accuracy ``1 - test loss``; GraphFLA gets the
same configurations and accuracies with ``maximize=True`` and the same epsilon, ours runs every
registered metric with the basin rules matching GraphFLA (``descent="graphfla"``,
``plateau_exit="first"``). Prints a Markdown table: GraphFLA's key, its value, ours, our key.

    python benchmarks/graphfla_side_by_side.py [--epsilon 0.01]
"""

from __future__ import annotations

import argparse
import math
import warnings

import pandas as pd

from lossatlas.analysis import profile
from lossatlas.examples import example_table_path
from lossatlas.io import read_landscapes

# GraphFLA key -> (our key, how ours relates to it)
KEYS = {
    "fitness.skewness": ("fitness.skewness", ""),
    "fitness.kurtosis": ("fitness.kurtosis", ""),
    "fitness.cv": ("fitness.cv", ""),
    "fitness.quartile_coefficient": ("fitness.quartile_coefficient", ""),
    "fitness.median_mean_ratio": ("fitness.median_mean_ratio", ""),
    "fitness.relative_range": ("fitness.relative_range", ""),
    "fitness.cauchy_loc": ("fitness.cauchy_loc", ""),
    "local_optima_ratio": ("local_optima_ratio", ""),
    "gradient_intensity": ("gradient_intensity", ""),
    "autocorrelation": (
        "autocorrelation_pooled",
        "other walks: GraphFLA's skip neutral pairs and visit 20 configurations (19 steps)",
    ),
    "r_s_ratio": ("r_s_ratio", ""),
    "neutrality": ("neutrality", "threshold = epsilon"),
    "evolvability_enhancing_fraction": ("evolvability_enhancing_fraction", ""),
    "fdc": ("fdc_spearman", "ours is of the loss -accuracy: sign flipped"),
    "basin_fitness_correlation": ("basin_fitness_correlation", ""),
    "neighbor_fitness_correlation": ("neighbor_fitness_correlation", ""),
    "fitness_flattening_index": ("fitness_flattening_index", ""),
    "global_optima_accessibility": ("global_optima_accessibility", ""),
    "mean_path_length_to_global_optimum": ("mean_path_length_to_global_optimum", ""),
    "mean_distance_to_global_optimum": ("mean_distance_to_global_optimum", ""),
    "gamma": ("gamma", ""),
    "gamma_star": ("gamma_star", ""),
    "global_idiosyncratic_index": ("global_idiosyncratic_index", "seeded controls, seed 0"),
    "diminishing_returns_index": ("diminishing_returns_index", ""),
    "increasing_costs_index": ("increasing_costs_index", ""),
    "epistasis.magnitude": ("epistasis.magnitude", ""),
    "epistasis.sign": ("epistasis.sign", ""),
    "epistasis.reciprocal_sign": ("epistasis.reciprocal_sign", ""),
    "epistasis.positive": ("epistasis.positive", ""),
    "epistasis.negative": ("epistasis.negative", ""),
    "bypass.proportion": ("bypass.proportion", ""),
    "bypass.avg_length": ("bypass.avg_length", ""),
}


def graphfla_profile(landscape, epsilon: float) -> pd.Series:
    import graphfla.analysis as fla
    from graphfla.landscape import Landscape as GraphFLALandscape

    codes = landscape.codes
    columns, types = {}, {}
    for j, hp in enumerate(landscape.space.hyperparameters):
        kind = "categorical" if hp.kind == "categorical" else hp.kind
        columns[hp.name] = (
            [f"v{c}" for c in codes[:, j]] if kind == "categorical" else codes[:, j].astype(int)
        )
        types[hp.name] = kind
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built = GraphFLALandscape(maximize=True).build_from_data(
            pd.DataFrame(columns),
            -landscape.loss(),  # the accuracy
            data_types=types,
            epsilon=epsilon,
            verbose=False,
        )
        return fla.profile(
            built, seed=0, n_jobs=1, progress=False, params={"neutrality": {"threshold": epsilon}}
        )


def fmt(value: float | None) -> str:
    if value is None:
        return "--"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return f"{value:.6g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epsilon", type=float, default=0.01)
    args = parser.parse_args()
    table = pd.read_csv(example_table_path())
    table["test"] = 1 - table["test"]  # the accuracy, read as a score to maximise
    table = table.drop(columns=["train"])
    (landscape,) = read_scores(table)
    ours = profile(
        landscape,
        epsilon=args.epsilon,
        metrics="all",
        descent="graphfla",
        plateau_exit="first",
    ).iloc[0]
    theirs = graphfla_profile(landscape, args.epsilon)
    print(
        f"{landscape.label}: {landscape.n} configurations, maximised accuracy, "
        f"epsilon {args.epsilon}\n"
    )
    print("| GraphFLA key | GraphFLA | lossatlas | our key | note |")
    print("| --- | --- | --- | --- | --- |")
    for key, (our_key, note) in KEYS.items():
        mine = float(ours[our_key]) if our_key else None
        print(
            f"| `{key}` | {fmt(float(theirs[key]))} | {fmt(mine)} | "
            f"{f'`{our_key}`' if our_key else ''} | {note} |"
        )


def read_scores(table: pd.DataFrame):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "example_accuracy.csv"  # our own temporary file
        table.to_csv(path, index=False)
        return read_landscapes(path, maximize=True)


if __name__ == "__main__":
    main()
