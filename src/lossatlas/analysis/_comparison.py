"""Studies of many landscapes: pairwise similarity across fidelities, datasets, models or splits.

Huang & Li (2023) read their landscapes side by side: low vs full fidelity (median Spearman
> 0.85, top-10 % gamma-set > 60 %), across datasets (> 0.65, ~40 %), train vs test (> 0.7, but
low top-set overlap). :func:`compare_landscapes` builds those comparisons for a list of
landscapes: every pair within a group (tidy table), the median similarity matrices, the profile
of every landscape and a short text summary with the headline numbers. It computes only:
:func:`lossatlas.viz.similarity_heatmap` draws the matrices and
:func:`lossatlas.io.write_comparison` writes the tables.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from lossatlas import columns as roles
from lossatlas.analysis._model_contrast import model_contrast
from lossatlas.analysis._similarity import similarity
from lossatlas.errors import InputError
from lossatlas.landscape import Landscape

__all__ = ["METRICS", "LandscapeComparison", "compare_landscapes"]

CompareBy = Literal["fidelity", "dataset", "model", "split"]
METRICS = (
    "spearman",
    "spearman_top",
    "kendall_tau",
    "shake_up",
    "shake_up_top",
    "gamma_set_similarity",
    "gamma_set_overlap",
    "top_k_overlap",
)
_DIAGONAL = {"shake_up": 0.0, "shake_up_top": 0.0}  # every other measure is 1 on identical inputs


def _fidelity(landscape: Landscape) -> tuple[tuple[str, Any], ...]:
    return tuple(
        sorted((k, v) for k, v in landscape.metadata.items() if k.startswith(roles.FIDELITY_PREFIX))
    )


def _fidelity_label(fidelity: tuple[tuple[str, Any], ...]) -> str:
    parts = [f"{k.removeprefix(roles.FIDELITY_PREFIX)}={v}" for k, v in fidelity]
    return ",".join(parts) or "default"


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, int | float) else (1, str(value))


@dataclass(frozen=True)
class LandscapeComparison:
    """Result of :func:`compare_landscapes`.

    Attributes
    ----------
    by : str
        What was compared: ``"fidelity"``, ``"dataset"``, ``"model"`` or ``"split"``.
    loss : str
        The loss compared (the test loss for ``"split"``).
    pairs : DataFrame
        One row per compared pair: the group columns, ``a``/``b`` (landscape labels),
        ``value_a``/``value_b`` (the compared fidelity, dataset, model or loss), the counts
        ``n_common, n_a, n_b`` and every similarity measure (:data:`METRICS`).
    profiles : DataFrame
        :func:`lossatlas.analysis._profile.profile` of every landscape (empty when skipped).
    headline : dict
        The headline numbers of the summary.
    summary : str
        The headline numbers in words.
    """

    by: str
    loss: str
    pairs: pd.DataFrame
    profiles: pd.DataFrame
    headline: dict[str, float] = field(default_factory=dict)
    summary: str = ""
    order: tuple[str, ...] = ()

    def matrix(self, metric: str = "spearman") -> pd.DataFrame:
        """Square matrix of the median ``metric`` over groups, rows and columns the compared values.

        Symmetric (each unordered pair fills both cells); the diagonal holds the value of a
        landscape compared with itself (1, or 0 for shake-up); pairs never compared are NaN.
        """
        if metric not in METRICS:
            raise InputError(f"unknown similarity metric {metric!r} (have: {', '.join(METRICS)})")
        labels = list(self.order)
        out = pd.DataFrame(np.nan, index=labels, columns=labels, dtype=float)
        if len(self.pairs):
            med = self.pairs.groupby(["value_a", "value_b"], sort=False)[metric].median()
            for (a, b), value in med.items():
                out.loc[a, b] = value
                if np.isnan(out.loc[b, a]):
                    out.loc[b, a] = value
        for label in labels:
            out.loc[label, label] = _DIAGONAL.get(metric, 1.0)
        out.index.name, out.columns.name = "a", "b"
        return out

    def matrices(self) -> pd.DataFrame:
        """Every median matrix as one tidy table: ``metric, a, b, value``."""
        frames = []
        for metric in METRICS:
            long = self.matrix(metric).stack(future_stack=True).rename("value").reset_index()
            long.insert(0, "metric", metric)
            frames.append(long)
        return pd.concat(frames, ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary: ``by``, ``loss``, ``order``, ``headline`` and ``summary``.

        Returns
        -------
        dict
            The tables stay out (:attr:`pairs`, :attr:`profiles`, :meth:`matrices`).
        """
        return {
            "by": self.by,
            "loss": self.loss,
            "order": list(self.order),
            "headline": dict(self.headline),
            "summary": self.summary,
        }

    def to_frame(self) -> pd.DataFrame:
        """The compared pairs (:attr:`pairs`), one row per pair.

        Returns
        -------
        DataFrame
        """
        return self.pairs.copy()


def _groups(
    landscapes: Sequence[Landscape], by: str
) -> dict[tuple, list[tuple[Any, str, Landscape]]]:
    """Landscapes grouped by everything but ``by``: ``(sort key, label of the by-value, land)``
    per group, sorted by the by-value (fidelities ascending)."""
    groups: dict[tuple, list[tuple[Any, str, Landscape]]] = {}
    for land in landscapes:
        meta = land.metadata
        fidelity = _fidelity(land)
        if by == "fidelity":
            key = (("model", meta.get("model")), ("dataset", meta.get("dataset")))
            sort, label = tuple(_sort_key(v) for _, v in fidelity), _fidelity_label(fidelity)
        else:
            other = "dataset" if by == "model" else "model"
            key = ((other, meta.get(other)), *fidelity)
            value = meta.get(by, "")
            sort, label = _sort_key(value), str(value)
        groups.setdefault(key, []).append((sort, label, land))
    for key, items in groups.items():
        items.sort(key=lambda item: item[0])
        labels = [label for _, label, _ in items]
        if len(set(labels)) != len(labels):
            dupes = sorted({x for x in labels if labels.count(x) > 1})
            raise InputError(
                f"several landscapes share {by} {', '.join(dupes)} within group "
                f"{dict(key)}: compare distinct {by}s (add the missing metadata column)"
            )
    return groups


def compare_landscapes(
    landscapes: Sequence[Landscape],
    *,
    by: CompareBy = "fidelity",
    loss: str = "test",
    train: str = "train",
    gamma: float = 0.1,
    top_fraction: float = 0.1,
    top_k: int = 10,
    profiles: bool = True,
    profile_options: Mapping[str, Any] | None = None,
    progress: bool = False,
) -> LandscapeComparison:
    """Compare many landscapes pairwise and profile each of them.

    Parameters
    ----------
    landscapes : sequence of Landscape
        Their metadata (``model``, ``dataset``, ``fidelity_*``) say what they are.
    by : {"fidelity", "dataset", "model", "split"}, default "fidelity"
        ``"fidelity"``: within each (model, dataset), every pair of fidelities, oriented so that
        ``a`` is the higher fidelity (the full fidelity, the highest of every ``fidelity_*``
        value, is ``a`` of its pairs: top variants take the best of the full fidelity).
        ``"dataset"``: within each (model, fidelity), every pair of datasets. ``"model"``: within
        each (dataset, fidelity), every pair of models, through what is comparable
        (:func:`~lossatlas.analysis._model_contrast.model_contrast`): profiles and importance
        always, rank similarity only where the two spaces are equal (NaN otherwise; the
        ``comparable`` column says which). ``"split"``: each landscape's ``train`` (``a``)
        against its ``loss`` (``b``).
    loss : str, default "test"
        Loss to compare (and to profile).
    train : str, default "train"
        Training loss for ``by="split"``.
    gamma, top_fraction, top_k
        Similarity parameters (:func:`lossatlas.analysis._similarity.similarity`).
    profiles : bool, default True
        Profile every landscape (:func:`lossatlas.analysis._profile.profile`).
    profile_options : mapping, optional
        Passed to ``profile`` (``epsilon``, ``n_walks`` ...).
    progress : bool, default False
        Progress bar over the pairs.

    Returns
    -------
    LandscapeComparison

    References
    ----------
    C. Huang, K. Li. On the Hyperparameter Loss Landscapes of Machine Learning Models: An
    Exploratory Study. arXiv:2311.14014, 2023.
    """
    if by not in ("fidelity", "dataset", "model", "split"):
        raise InputError(f"--by must be fidelity, dataset, model or split, not {by!r}")
    landscapes = list(landscapes)
    if not landscapes:
        raise InputError("no landscape to compare")
    options = {"gamma": gamma, "top_fraction": top_fraction, "top_k": top_k}
    jobs: list[tuple[dict[str, Any], str, str, Landscape, Landscape, str, str]] = []
    skipped = 0
    if by == "split":
        order: tuple[str, ...] = (train, loss)
        for land in landscapes:
            meta = {k: v for k, v in land.metadata.items() if roles.is_group_column(k)}
            jobs.append((meta, train, loss, land, land, land.label, land.label))
    else:
        grouped = _groups(landscapes, by)
        keyed = {label: sort for items in grouped.values() for sort, label, _ in items}
        order = tuple(sorted(keyed, key=lambda label: (keyed[label], label)))
        for key, items in grouped.items():
            if by == "fidelity":
                items = items[::-1]  # highest fidelity first: it is "a" of its pairs
            for (_, la, a), (_, lb, b) in itertools.combinations(items, 2):
                if a.space != b.space:
                    skipped += 1
                    if by != "model":
                        continue
                meta = dict(key)
                if by == "fidelity":
                    meta["a_is_full"] = la == items[0][1]
                jobs.append((meta, la, lb, a, b, a.label, b.label))
    from tqdm.auto import tqdm

    rows = []
    for meta, value_a, value_b, a, b, label_a, label_b in tqdm(
        jobs, desc=f"compare by {by}", disable=not progress
    ):
        if by == "split":
            measures = similarity(a, b, loss=train, loss_b=loss, **options).as_dict()
        elif a.space == b.space:
            measures = similarity(a, b, loss=loss, **options).as_dict()
        else:  # models on different grids: no configuration-by-configuration measure
            measures = {"n_common": 0, "n_a": a.n, "n_b": b.n, **dict.fromkeys(METRICS, np.nan)}
        if by == "model":
            epsilon = float((profile_options or {}).get("epsilon", 0.0))
            measures.update(model_contrast(a, b, loss=loss, epsilon=epsilon))
        rows.append(
            {
                **meta,
                "a": label_a,
                "b": label_b,
                "value_a": value_a,
                "value_b": value_b,
                **measures,
            }
        )
    pairs = pd.DataFrame(rows)
    profile_table = pd.DataFrame()
    if profiles:
        from lossatlas.analysis._profile import profile

        opts = dict(profile_options or {})
        profile_table = profile(landscapes, loss=loss, progress=progress, **opts)
        if by == "split":
            train_profile = profile(landscapes, loss=train, progress=progress, **opts)
            profile_table = pd.concat([train_profile, profile_table], ignore_index=True)
    headline, summary = _headline(by, loss, pairs, order, len(landscapes), skipped, gamma)
    return LandscapeComparison(
        by=by,
        loss=loss,
        pairs=pairs,
        profiles=profile_table,
        headline=headline,
        summary=summary,
        order=order,
    )


def _median(frame: pd.DataFrame, metric: str) -> float:
    values = frame[metric].dropna() if len(frame) else pd.Series(dtype=float)
    return float(values.median()) if len(values) else float("nan")


def _headline(
    by: str,
    loss: str,
    pairs: pd.DataFrame,
    order: tuple[str, ...],
    n: int,
    skipped: int,
    gamma: float,
) -> tuple[dict[str, float], str]:
    what = {
        "fidelity": "fidelities",
        "dataset": "datasets",
        "model": "models",
        "split": "train vs test",
    }[by]
    lines = [
        f"Compared {n} landscapes by {by} (loss {loss!r}, gamma {gamma:g}): "
        f"{len(pairs)} pairs of {what}."
    ]
    if skipped and by == "model":
        lines.append(
            f"{skipped} of the {len(pairs)} pairs of models have different search spaces: they "
            "are compared through their profiles and importance (best loss, smoothness, "
            "neutrality, top hyperparameter), not by rank similarity, which needs one space."
        )
    elif skipped:
        lines.append(f"{skipped} pairs have different search spaces and were not compared.")
    headline: dict[str, float] = {"n_landscapes": float(n), "n_pairs": float(len(pairs))}
    if by == "fidelity" and len(pairs):
        vs_full = pairs[pairs["a_is_full"].astype(bool)]
        full = ", ".join(sorted(set(vs_full["value_a"])))
        headline["median_spearman_vs_full"] = _median(vs_full, "spearman")
        headline["median_gamma_set_similarity_vs_full"] = _median(vs_full, "gamma_set_similarity")
        per = [
            f"{low}: {_median(vs_full[vs_full['value_b'] == low], 'spearman'):.3f}"
            for low in order[:-1]
            if (vs_full["value_b"] == low).any()
        ]
        for low in order[:-1]:
            part = vs_full[vs_full["value_b"] == low]
            if len(part):
                headline[f"median_spearman_vs_full[{low}]"] = _median(part, "spearman")
        lines.append(
            f"Median Spearman between each fidelity and full fidelity ({full}): "
            f"{'; '.join(per) or 'none'} (all: {headline['median_spearman_vs_full']:.3f})."
        )
        lines.append(
            f"Median gamma-set similarity (top {gamma:.0%}) with full fidelity: "
            f"{headline['median_gamma_set_similarity_vs_full']:.3f}."
        )
    if by == "model" and len(pairs) and "best_loss_a" in pairs.columns:
        sides = [
            pairs[[f"value_{s}", f"best_loss_{s}", f"top_hp_{s}"]].set_axis(
                ["model", "best_loss", "top_hp"], axis=1
            )
            for s in "ab"
        ]
        per_model = pd.concat(sides, ignore_index=True).groupby("model", sort=True)
        best = per_model["best_loss"].median()
        top = per_model["top_hp"].agg(lambda v: v.mode().iloc[0] if len(v.dropna()) else "")
        headline["n_pairs_same_space"] = float((pairs["comparable"] != "profile+importance").sum())
        for model, value in best.items():
            headline[f"median_best_loss[{model}]"] = float(value)
        lines.append(
            "Median best loss per model: "
            + "; ".join(f"{m}: {v:.4g} (top hyperparameter {top[m]})" for m, v in best.items())
            + "."
        )
    if not len(pairs):
        lines.append(
            f"Nothing to compare: no two landscapes differ only in their {by} "
            "(evaluate several fidelities, datasets or models, or compare by split)."
        )
    for metric, words in (
        ("spearman", "Spearman"),
        ("gamma_set_similarity", "gamma-set IoU"),
        ("gamma_set_overlap", f"top-{gamma:.0%} overlap"),
        ("shake_up", "shake-up"),
    ):
        headline[f"median_{metric}"] = _median(pairs, metric) if len(pairs) else float("nan")
        if not len(pairs) or np.isnan(headline[f"median_{metric}"]):
            continue
        scope = "between train and test" if by == "split" else f"over all pairs of {what}"
        lines.append(f"Median {words} {scope}: {headline[f'median_{metric}']:.3f}.")
    return headline, "\n".join(lines)
