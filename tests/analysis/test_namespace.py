"""The public surface of ``lossatlas.analysis``: every public name of every module, once."""

from __future__ import annotations

import importlib
import inspect

import lossatlas.analysis as analysis

MODULES = (
    "_accessibility",
    "_catalogue",
    "_catalogue_graphfla",
    "_comparison",
    "_epistasis",
    "_evolvability",
    "_fitness_correlation",
    "_fitness_distribution",
    "_improving",
    "_fanova",
    "_graph",
    "_importance",
    "_lon",
    "_modality",
    "_model_contrast",
    "_motifs",
    "_neighbourhood",
    "_neutrality",
    "_optima",
    "_overfitting",
    "_profile",
    "_registry",
    "_ruggedness",
    "_similarity",
    "_smoothness",
)
# _comparison.METRICS (the similarity measures of a comparison) would shadow the profile's
# METRICS, which is what ``analysis.METRICS`` has always meant
SHADOWED = {("_comparison", "METRICS")}


def test_every_public_name_is_exported():
    for name in MODULES:
        module = importlib.import_module(f"lossatlas.analysis.{name}")
        for public in module.__all__:
            if (name, public) in SHADOWED:
                continue
            assert public in analysis.__all__, f"{name}.{public}"
            assert getattr(analysis, public) is getattr(module, public), f"{name}.{public}"


def test_all_is_explicit_and_resolvable():
    assert len(analysis.__all__) == len(set(analysis.__all__))
    assert not [n for n in analysis.__all__ if n.startswith("_")]
    for public in analysis.__all__:
        assert hasattr(analysis, public), public


def test_named_entry_points():
    from lossatlas.analysis import compare_landscapes, importance, shake_up, spearman

    assert inspect.isfunction(importance) and importance.__module__.endswith("_importance")
    assert spearman.__module__.endswith("_similarity")  # the loss-vector one, with top_k
    assert "top_k" in inspect.signature(spearman).parameters
    assert callable(shake_up) and callable(compare_landscapes)
    assert analysis.METRICS is importlib.import_module("lossatlas.analysis._profile").METRICS
