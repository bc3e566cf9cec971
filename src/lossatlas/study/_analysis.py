"""Analyse every landscape of a study: profiles, similarity along each axis, importance, headline.

Huang & Li (2023, arXiv 2311.14014) read their ~1,500 landscapes side by side: low vs full
fidelity, across datasets, train vs test, and across models. :func:`analyse_study` computes the
same tables for the landscapes of a study:

- ``profiles``: one row per landscape and split (the study's loss and ``train``): every
  profile metric (:func:`lossatlas.analysis.profile`);
- ``similarity``: every compared pair with its ``axis`` (``fidelity``, ``dataset``, ``model``,
  ``split``; :func:`lossatlas.analysis._comparison.compare_landscapes`);
- ``importance``: fANOVA variance shares (main effects and pairs) per landscape;
- ``headline``: the medians the reference reports, next to its values (:data:`REFERENCE`).

The headline medians use full-fidelity landscapes for the dataset and split axes and every
lower fidelity against the full one for the fidelity axis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lossatlas import columns as roles
from lossatlas.landscape import Landscape

__all__ = ["AXES", "REFERENCE", "StudyAnalysis", "analyse_study", "headline"]

AXES = ("fidelity", "dataset", "model", "split")

#: The medians of Huang & Li (2023) (their reading: lower bounds or approximate values).
REFERENCE: dict[str, dict[str, str]] = {
    "fidelity": {"spearman": "> 0.85", "gamma_set_overlap": "> 0.60"},
    "dataset": {"spearman": "> 0.65", "gamma_set_overlap": "~ 0.40"},
    "split": {"spearman": "> 0.7", "gamma_set_overlap": "low (XGBoost 0.07)"},
}
_MEASURES = ("spearman", "gamma_set_similarity", "gamma_set_overlap", "shake_up")


@dataclass(frozen=True)
class StudyAnalysis:
    """Tables of :func:`analyse_study`."""

    profiles: pd.DataFrame
    similarity: pd.DataFrame
    importance: pd.DataFrame
    headline: dict[str, Any]
    notes: tuple[str, ...] = ()


def _identity(landscape: Landscape) -> dict[str, Any]:
    return {k: v for k, v in landscape.metadata.items() if roles.is_group_column(k)}


def _fidelity_key(landscape: Landscape) -> tuple:
    meta = landscape.metadata
    return tuple(sorted((k, v) for k, v in meta.items() if k.startswith(roles.FIDELITY_PREFIX)))


def full_fidelity_labels(landscapes: Sequence[Landscape]) -> set[str]:
    """Labels of the landscapes at their model's highest fidelity (every ``fidelity_*`` at
    its maximum among that model's landscapes)."""
    best: dict[Any, dict[str, Any]] = {}
    for land in landscapes:
        model = land.metadata.get("model")
        top = best.setdefault(model, {})
        for key, value in _fidelity_key(land):
            if isinstance(value, int | float) and not (
                isinstance(value, float) and np.isnan(value)
            ):
                top[key] = max(top.get(key, value), value)
    out = set()
    for land in landscapes:
        top = best.get(land.metadata.get("model"), {})
        if all(top.get(k, v) == v for k, v in _fidelity_key(land)):
            out.add(land.label)
    return out


def _profiles(
    landscapes: Sequence[Landscape], loss: str, epsilon: float, seed: int, progress: bool
) -> pd.DataFrame:
    from lossatlas.analysis import profile

    frames = []
    for split in dict.fromkeys([loss, "train"]):
        usable = [land for land in landscapes if split in land.losses]
        if usable:
            frame = profile(usable, loss=split, epsilon=epsilon, seed=seed, progress=progress)
            frame.insert(1, "split", split)
            frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _similarity(
    landscapes: Sequence[Landscape], loss: str, gamma: float, epsilon: float, progress: bool
) -> tuple[pd.DataFrame, list[str]]:
    from lossatlas.analysis._comparison import compare_landscapes

    frames, notes = [], []
    for axis in AXES:
        if axis == "split" and not all("train" in land.losses for land in landscapes):
            notes.append("split: some landscapes have no train loss; not compared")
            continue
        result = compare_landscapes(
            landscapes,
            by=axis,  # type: ignore[arg-type]
            loss=loss,
            gamma=gamma,
            top_fraction=gamma,
            profiles=False,
            profile_options={"epsilon": epsilon},
            progress=progress,
        )
        skipped = [line for line in result.summary.splitlines() if "not compared" in line]
        notes += [f"{axis}: {line}" for line in skipped]
        if len(result.pairs):
            pairs = result.pairs.copy()
            pairs.insert(0, "axis", axis)
            frames.append(pairs)
    if not frames:
        return pd.DataFrame(columns=["axis", "a", "b"]), notes
    table = pd.concat(frames, ignore_index=True, sort=False)
    front = ["axis", "model", "dataset"] + sorted(
        c for c in table.columns if c.startswith(roles.FIDELITY_PREFIX)
    )
    front = [c for c in front if c in table.columns]
    return table[front + [c for c in table.columns if c not in front]], notes


def _importance(landscapes: Sequence[Landscape], loss: str, seed: int) -> pd.DataFrame:
    from lossatlas.analysis._importance import importance

    frames = []
    for land in landscapes:
        order = 2 if len(land.space.names) > 1 else 1
        table = importance(land, loss=loss, order=order, seed=seed)
        table = table.reset_index(drop=True)
        ident = {"landscape": land.label, **_identity(land), "split": loss}
        for position, (key, value) in enumerate(ident.items()):
            table.insert(position, key, value)
        table["method"] = "exact" if land.is_full else "trees"
        frames.append(table)
    return pd.concat(frames, ignore_index=True, sort=False) if frames else pd.DataFrame()


def _median(frame: pd.DataFrame, column: str) -> float:
    if column not in frame.columns or not len(frame):
        return math.nan
    values = pd.to_numeric(frame[column], errors="coerce").dropna()
    return float(values.median()) if len(values) else math.nan


def headline(
    similarity: pd.DataFrame, landscapes: Sequence[Landscape], *, gamma: float
) -> dict[str, Any]:
    """The headline medians per axis (see the module docstring), with the reference's values.

    Returns
    -------
    dict
        ``{axis: {"n_pairs", "spearman", "gamma_set_similarity", "gamma_set_overlap",
        "shake_up", "reference"}}``; the fidelity axis adds ``by_fidelity`` (the medians of
        each lower fidelity against the full one).
    """
    full = full_fidelity_labels(landscapes)
    out: dict[str, Any] = {"gamma": gamma}
    for axis in AXES:
        pairs = similarity[similarity["axis"] == axis] if len(similarity) else similarity
        scope = "all pairs"
        if axis == "fidelity" and len(pairs):
            pairs = pairs[pairs["a_is_full"].astype(bool)]
            scope = "each lower fidelity vs the full one"
        elif axis in ("dataset", "split") and len(pairs):
            pairs = pairs[pairs["a"].isin(full)]
            scope = "full-fidelity landscapes"
        contrast: dict[str, Any] = {}
        if axis == "model" and len(pairs) and "best_loss_a" in pairs.columns:
            full_pairs = pairs[pairs["a"].isin(full)]
            sides = pd.concat(
                [
                    full_pairs[[f"value_{s}", f"best_loss_{s}", f"top_hp_{s}"]].set_axis(
                        ["model", "best_loss", "top_hp"], axis=1
                    )
                    for s in "ab"
                ],
                ignore_index=True,
            ).groupby("model", sort=True)
            contrast = {
                "n_pairs_all": int(len(pairs)),
                "median_best_loss_by_model": sides["best_loss"].median().to_dict(),
                "top_hp_by_model": sides["top_hp"]
                .agg(lambda v: v.mode().iloc[0] if len(v.dropna()) else None)
                .to_dict(),
            }
        if axis == "model" and len(pairs) and "spearman" in pairs.columns:
            pairs = pairs[pairs["spearman"].notna()]
            scope = "pairs of models on one search space"
        entry: dict[str, Any] = {"n_pairs": int(len(pairs)), "scope": scope, **contrast}
        for measure in _MEASURES:
            entry[measure] = _median(pairs, measure)
        if axis in REFERENCE:
            entry["reference"] = REFERENCE[axis]
        if axis == "fidelity" and len(pairs):
            entry["by_fidelity"] = {
                str(low): {m: _median(part, m) for m in ("spearman", "gamma_set_overlap")}
                for low, part in pairs.groupby("value_b", sort=True)
            }
        out[axis] = entry
    return out


def analyse_study(
    landscapes: Sequence[Landscape],
    *,
    loss: str = "test",
    epsilon: float = 0.01,
    gamma: float = 0.1,
    seed: int = 0,
    progress: bool = False,
) -> StudyAnalysis:
    """Profiles, similarity along every axis, importance and the headline of a study.

    Parameters
    ----------
    landscapes : sequence of Landscape
        With ``model``, ``dataset`` and ``fidelity_*`` metadata (from a study's journal).
    loss : str, default "test"
        The loss analysed (``train`` is profiled too, and compared with it on the split axis).
    epsilon : float, default 0.01
        Neutrality threshold of the profiles (the study's 1 % on an error rate).
    gamma : float, default 0.1
        Top fraction of the gamma-set similarity and of the top variants.
    seed : int, default 0
        Random walks and surrogate forests.
    progress : bool, default False

    References
    ----------
    C. Huang, K. Li. On the Hyperparameter Loss Landscapes of Machine Learning Models: An
    Exploratory Study. arXiv:2311.14014, 2023.
    """
    landscapes = list(landscapes)
    profiles = _profiles(landscapes, loss, epsilon, seed, progress)
    similarity, notes = _similarity(landscapes, loss, gamma, epsilon, progress)
    importance = _importance(landscapes, loss, seed)
    summary = headline(similarity, landscapes, gamma=gamma)
    summary["n_landscapes"] = len(landscapes)
    summary["pairs_per_axis"] = {
        axis: int((similarity["axis"] == axis).sum()) if len(similarity) else 0 for axis in AXES
    }
    return StudyAnalysis(profiles, similarity, importance, summary, tuple(notes))
