"""Plot data of the study report: figures that compare many landscapes at once.

Each function turns a study's tables (``profiles.parquet``, ``similarity.parquet``,
``importance.parquet``, ``results.parquet``, ``summary.json``) into plain typed records; the
renderers in :mod:`lossatlas.viz._study_figures` only draw them. The figures are those Huang &
Li (2023) read their findings from: metric distributions per model and fidelity, similarity per
comparison axis, importance bars, train-vs-test scatters, and the headline findings.

References
----------
C. Huang, K. Li. On the Hyperparameter Loss Landscapes of Machine Learning Models: An
Exploratory Study. arXiv:2311.14014, 2023.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lossatlas import columns as roles

__all__ = [
    "SIMILARITY_MEASURES",
    "STUDY_METRICS",
    "Distribution",
    "Finding",
    "GapScatter",
    "ImportanceBars",
    "Series",
    "findings",
    "gap_scatters",
    "importance_bars",
    "metric_distributions",
    "similarity_distributions",
]

#: Profile metrics drawn as distributions (the reference's modality, smoothness and neutrality).
STUDY_METRICS = (
    ("modality", "n_local_optima", "count"),
    ("modality", "local_optima_ratio", "fraction of configurations"),
    ("modality", "global_basin_size", "fraction of configurations"),
    ("smoothness", "fdc", "Pearson r"),
    ("smoothness", "assortativity", "Pearson r"),
    ("smoothness", "autocorrelation", "r(1)"),
    ("smoothness", "correlation_length", "steps"),
    ("neutrality", "neutrality", "fraction of edges"),
    ("neutrality", "ndc", "Spearman r"),
    ("neutrality", "n_plateaus", "count"),
)
#: Similarity measures drawn per axis, with their unit.
SIMILARITY_MEASURES = (
    ("spearman", "Spearman rho"),
    ("gamma_set_similarity", "IoU of the top-gamma sets"),
    ("shake_up", "mean rank change (fraction)"),
)
_AXIS_TITLES = {
    "fidelity": "low vs full fidelity",
    "dataset": "across datasets",
    "split": "train vs test",
    "model": "across models",
}


@dataclass(frozen=True)
class Series:
    """One coloured group of points: ``x`` the category of each point, ``y`` its value."""

    name: str
    x: tuple[str, ...]
    y: tuple[float, ...]
    text: tuple[str, ...]


@dataclass(frozen=True)
class Distribution:
    """A box plot: one box per (category, series); every landscape or pair a point."""

    key: str
    title: str
    note: str
    x_label: str
    y_label: str
    series: tuple[Series, ...]

    @property
    def n_points(self) -> int:
        return sum(len(s.y) for s in self.series)


def _fidelity_name(row: Mapping[str, Any], columns: Sequence[str]) -> str:
    parts = []
    for c in columns:
        value = row.get(c)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        parts.append(f"{c.removeprefix(roles.FIDELITY_PREFIX)}={value:g}")
    return ", ".join(parts) or "full"


def _finite(values: Any) -> np.ndarray:
    return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)


def metric_distributions(profiles: pd.DataFrame, *, split: str = "test") -> list[Distribution]:
    """One :class:`Distribution` per profile metric: x = model, colour = fidelity.

    Parameters
    ----------
    profiles : DataFrame
        ``profiles.parquet`` of a study (one row per landscape and split).
    split : str, default "test"
        The split whose profiles are drawn.

    Returns
    -------
    list of Distribution
        Metrics absent from ``profiles`` or without a finite value are left out.
    """
    if not len(profiles) or "split" not in profiles.columns:
        return []
    frame = profiles[profiles["split"] == split]
    fid = sorted(c for c in frame.columns if c.startswith(roles.FIDELITY_PREFIX))
    names = [_fidelity_name(r, fid) for r in frame.to_dict("records")]
    frame = frame.assign(_fidelity=names)
    eps = sorted({float(e) for e in frame.get("epsilon_absolute", frame.get("epsilon", [0.0]))})
    eps_text = ", ".join(f"{e:g}" for e in eps)
    out = []
    for family, metric, unit in STUDY_METRICS:
        if metric not in frame.columns or not np.isfinite(_finite(frame[metric])).any():
            continue
        series = []
        for name, part in frame.groupby("_fidelity", sort=True):
            y = _finite(part[metric])
            keep = np.isfinite(y)
            series.append(
                Series(
                    name=str(name),
                    x=tuple(part["model"].astype(str)[keep]),
                    y=tuple(float(v) for v in y[keep]),
                    text=tuple(part["landscape"].astype(str)[keep]),
                )
            )
        out.append(
            Distribution(
                key=f"metric:{metric}",
                title=f"{metric} ({family}) per model and fidelity",
                note=(
                    f"Each point is one landscape (one dataset); boxes span the quartiles over "
                    f"datasets, one colour per fidelity. {split} loss, epsilon {eps_text}."
                ),
                x_label="model",
                y_label=f"{metric} ({unit})",
                series=tuple(series),
            )
        )
    return out


def similarity_distributions(similarity: pd.DataFrame) -> list[Distribution]:
    """One :class:`Distribution` per comparison axis: x = measure, colour = model.

    Parameters
    ----------
    similarity : DataFrame
        ``similarity.parquet`` of a study (one row per compared pair, with ``axis``).

    Returns
    -------
    list of Distribution
        Axes with no pair carrying a finite rank measure are left out (the model axis across
        different search spaces has none).
    """
    if not len(similarity) or "axis" not in similarity.columns:
        return []
    out = []
    for axis in ("fidelity", "dataset", "split", "model"):
        pairs = similarity[similarity["axis"] == axis]
        if not len(pairs):
            continue
        if axis == "model":
            group = pairs["value_a"].astype(str) + " vs " + pairs["value_b"].astype(str)
        else:
            group = pairs["model"].astype(str)
        series = []
        for name in sorted(group.unique()):
            part = pairs[group == name]
            xs, ys, texts = [], [], []
            for measure, _ in SIMILARITY_MEASURES:
                if measure not in part.columns:
                    continue
                y = _finite(part[measure])
                for value, a, b in zip(y, part["a"], part["b"], strict=True):
                    if np.isfinite(value):
                        xs.append(measure)
                        ys.append(float(value))
                        texts.append(f"{a} / {b}")
            if ys:
                series.append(Series(str(name), tuple(xs), tuple(ys), tuple(texts)))
        if not series:
            continue
        gamma = sorted({float(g) for g in pairs.get("gamma", pd.Series([0.1])).dropna()})
        out.append(
            Distribution(
                key=f"similarity:{axis}",
                title=f"similarity {_AXIS_TITLES[axis]}",
                note=(
                    "Each point is one compared pair of landscapes. Spearman and the IoU of the "
                    "top-gamma sets near 1 mean the two landscapes agree; shake-up near 0 means "
                    f"the ranks barely move. gamma {', '.join(f'{g:g}' for g in gamma)}."
                ),
                x_label="similarity measure",
                y_label="value (unitless, 0-1; Spearman -1..1)",
                series=tuple(series),
            )
        )
    return out


@dataclass(frozen=True)
class ImportanceBars:
    """Top terms of one model and order: median share over datasets, with min and max."""

    model: str
    order: int
    terms: tuple[str, ...]
    median: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    n_datasets: int


def importance_bars(importance: pd.DataFrame, *, top: int = 5) -> list[ImportanceBars]:
    """The ``top`` HPs (order 1) and HP pairs (order 2) of each model by median variance share.

    The share of each term is taken per landscape at the model's highest fidelity; its median,
    minimum and maximum are over datasets (a term a landscape lacks counts as 0).

    Parameters
    ----------
    importance : DataFrame
        ``importance.parquet`` of a study (``landscape, model, dataset, term, order, fraction``).
    top : int, default 5

    Returns
    -------
    list of ImportanceBars
        One per model and order present, sorted by model then order.
    """
    if not len(importance) or "fraction" not in importance.columns:
        return []
    frame = importance[importance["term"] != "residual"]
    fid = [c for c in frame.columns if c.startswith(roles.FIDELITY_PREFIX)]
    out = []
    for model, part in frame.groupby("model", sort=True):
        for column in fid:
            values = pd.to_numeric(part[column], errors="coerce")
            if values.notna().any():
                part = part[values == values.max()]
        wide = part.pivot_table(
            index="dataset", columns="term", values="fraction", aggfunc="mean"
        ).fillna(0.0)
        orders = part.drop_duplicates("term").set_index("term")["order"]
        for order in sorted(int(o) for o in orders.unique()):
            terms = [t for t in wide.columns if int(orders[t]) == order]
            if not terms:
                continue
            med = wide[terms].median().sort_values(ascending=False, kind="stable").head(top)
            names = list(med.index)
            out.append(
                ImportanceBars(
                    model=str(model),
                    order=order,
                    terms=tuple(str(t) for t in names),
                    median=tuple(float(v) for v in med),
                    low=tuple(float(wide[t].min()) for t in names),
                    high=tuple(float(wide[t].max()) for t in names),
                    n_datasets=int(len(wide)),
                )
            )
    return out


@dataclass(frozen=True)
class GapScatter:
    """Train vs test loss of every configuration of one model (every dataset, full fidelity).

    ``driver`` is the HP whose values explain most of the variance of the gap
    ``test - train`` (its main-effect share, pooled over datasets); ``colour`` is each point's
    value of it. ``drivers`` lists every HP with its share, largest first.
    """

    model: str
    train: np.ndarray
    test: np.ndarray
    colour: tuple[str, ...]
    text: tuple[str, ...]
    driver: str
    drivers: tuple[tuple[str, float], ...]
    train_name: str
    test_name: str


def _main_share(gap: np.ndarray, groups: pd.Series) -> float:
    total = float(np.var(gap))
    if total <= 0:
        return 0.0
    means = pd.Series(gap).groupby(groups.to_numpy()).transform("mean").to_numpy()
    return float(np.var(means) / total)


def gap_scatters(results: pd.DataFrame, *, loss: str = "test") -> list[GapScatter]:
    """One :class:`GapScatter` per model from a study's long table (``results.parquet``).

    Losses are averaged over folds and seeds per configuration; only the highest fidelity of
    each model is drawn. The driver share of an HP is the variance of the per-value mean gap
    (within each dataset) over the variance of the gap: on a complete grid, the HP's first-order
    fANOVA share of the gap (Hutter, Hoos & Leyton-Brown 2014).

    Returns
    -------
    list of GapScatter
        Models without a ``train`` column or a successful task are left out.
    """
    if not len(results) or "train" not in results.columns or loss not in results.columns:
        return []
    ok = results[results["status"].astype(str) == "ok"] if "status" in results else results
    fid = [c for c in ok.columns if c.startswith(roles.FIDELITY_PREFIX)]
    out = []
    for model, part in ok.groupby("model", sort=True):
        part = part.dropna(axis=1, how="all")
        for column in fid:
            if column in part.columns:
                values = pd.to_numeric(part[column], errors="coerce")
                part = part[values == values.max()]
        hps = [c for c in roles.hyperparameter_columns(list(part.columns)) if c not in fid]
        hps = [c for c in hps if c not in ("model", "dataset", "config_id")]
        keys = ["dataset", "config_id"]
        configs = part.groupby(keys, sort=True)
        means = configs[["train", loss]].mean()
        first = configs[hps].first() if hps else pd.DataFrame(index=means.index)
        gap = (means[loss] - means["train"]).to_numpy()
        shares = []
        for hp in hps:
            within = first[hp].astype(str)
            groups = pd.Series(means.index.get_level_values("dataset").astype(str)) + "|"
            share = _main_share(gap, groups + within.to_numpy())
            base = _main_share(gap, groups)
            shares.append((hp, max(share - base, 0.0)))
        shares.sort(key=lambda kv: -kv[1])
        driver = shares[0][0] if shares else ""
        colour = tuple(first[driver].astype(str)) if driver else ("",) * len(means)
        text = tuple(f"{d} config {c}" for d, c in means.index)
        out.append(
            GapScatter(
                model=str(model),
                train=means["train"].to_numpy(dtype=float),
                test=means[loss].to_numpy(dtype=float),
                colour=colour,
                text=text,
                driver=driver,
                drivers=tuple(shares),
                train_name="train",
                test_name=loss,
            )
        )
    return out


@dataclass(frozen=True)
class Finding:
    """One of the reference's findings, what this study measured, and whether it agrees."""

    finding: str
    reference: str
    measured: float
    agrees: bool | None
    pairs: int


def _check(value: float, rule: str) -> bool | None:
    if not math.isfinite(value):
        return None
    rule = rule.strip()
    if rule.startswith(">"):
        return value > float(rule[1:].split()[0])
    if rule.startswith("~"):
        return abs(value - float(rule[1:].split()[0])) <= 0.15
    if rule.startswith("<"):
        return value < float(rule[1:].split()[0])
    return None


def findings(summary: Mapping[str, Any], profiles: pd.DataFrame) -> list[Finding]:
    """The reference's headline findings checked against a study's ``summary.json``.

    Rank similarity (median Spearman) and top-set overlap per axis (Huang & Li 2023, Table of
    similarities), median neutrality (most one-step moves within epsilon) and median
    assortativity (about 0.4-0.6), from ``profiles`` at the study's loss.

    Returns
    -------
    list of Finding
        ``agrees`` is None where the reference gives no number or nothing was measured.
    """
    head = summary.get("headline", summary)
    rows = []
    rules = {
        "fidelity": (("spearman", "> 0.85"), ("gamma_set_overlap", "> 0.60")),
        "dataset": (("spearman", "> 0.65"), ("gamma_set_overlap", "~ 0.40")),
        "split": (("spearman", "> 0.7"), ("gamma_set_overlap", "< 0.3")),
    }
    for axis, checks in rules.items():
        entry = head.get(axis) or {}
        for measure, rule in checks:
            value = entry.get(measure)
            value = math.nan if value is None else float(value)
            label = "median Spearman" if measure == "spearman" else "median top-gamma overlap"
            rows.append(
                Finding(
                    f"{_AXIS_TITLES[axis]}: {label}",
                    rule,
                    value,
                    _check(value, rule),
                    int(entry.get("n_pairs", 0)),
                )
            )
    if len(profiles) and "split" in profiles.columns:
        loss = (summary.get("study") or {}).get("loss", "test")
        part = profiles[profiles["split"] == loss]
        for metric, text, rule in (
            ("neutrality", "most one-step moves within epsilon: median neutrality", "> 0.5"),
            ("assortativity", "median assortativity about 0.4-0.6", "~ 0.5"),
        ):
            if metric in part.columns:
                values = _finite(part[metric])
                values = values[np.isfinite(values)]
                value = float(np.median(values)) if len(values) else math.nan
                rows.append(Finding(text, rule, value, _check(value, rule), int(len(values))))
    return rows
