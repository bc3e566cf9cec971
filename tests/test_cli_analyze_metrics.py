"""``lossatlas analyze --metrics``: the metric selection comes from the registry."""

from __future__ import annotations

import json

import pytest

from lossatlas.analysis._registry import REGISTRY
from lossatlas.cli import main

PARAMETERS = {"loss", "direction", "epsilon", "epsilon_absolute", "relative_epsilon"}


def _record(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["analyze", "--example", "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_named_metrics_and_groups(capsys) -> None:
    record = _record(capsys, "--metrics", "gamma,fdc,fitness_distribution")
    metrics = {k for k in record if k in REGISTRY}
    assert metrics == {"gamma", "fdc"} | {k for k in REGISTRY if k.startswith("fitness.")}
    assert PARAMETERS <= set(record)
    assert -1 <= record["gamma"] <= 1


def test_families_and_all(capsys) -> None:
    record = _record(capsys, "--metrics", "epistasis")
    assert {k for k in record if k in REGISTRY} == {
        m.name for m in REGISTRY.values() if m.family == "epistasis"
    }
    assert {k for k in _record(capsys, "--metrics", "all") if k in REGISTRY} == set(REGISTRY)


def test_default_profile_leaves_costly_metrics_out(capsys) -> None:
    record = _record(capsys)
    assert {k for k in record if k in REGISTRY} == {
        m.name for m in REGISTRY.values() if m.cost == "default"
    }


def test_unknown_metric_is_one_clear_line(capsys) -> None:
    assert main(["analyze", "--example", "--metrics", "fdc,nope"]) == 2
    err = capsys.readouterr().err
    assert "error: unknown metric 'nope'" in err
    assert "Traceback" not in err
