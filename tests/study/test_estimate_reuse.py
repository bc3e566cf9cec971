"""The estimate is reuse-aware: a group of nested ``n_estimators`` costs one training at the
largest value plus the scoring of the prefixes, as the run does it."""

from __future__ import annotations

from lossatlas.study import load_study
from lossatlas.study._estimate import estimate_study

NESTED_STUDY = """
name: nested
models:
  - {model: rf, grid: {max_depth: [4, 8], n_estimators: [5, 10, 20, 40]}}
datasets: [breast_cancer]
fidelities: {fraction: [1.0]}
folds: 3
seeds: [0]
"""


def test_reuse_estimate_times_groups_and_costs_less(tmp_path):
    path = tmp_path / "nested.yaml"
    path.write_text(NESTED_STUDY)
    study = load_study(path)
    reused = estimate_study(study, per_fidelity=1, reuse=True)
    scratch = estimate_study(study, per_fidelity=24, reuse=False)  # every task: exact mean
    assert len(reused) == len(scratch) == 1 and int(reused["n_tasks"].iloc[0]) == 24
    # one pick ran its whole group: the four n_estimators of one (max_depth, fold)
    assert int(reused["sampled"].iloc[0]) == 4 and int(scratch["sampled"].iloc[0]) == 24
    assert (reused["failed"] == 0).all() and (scratch["failed"] == 0).all()
    # 40 trees per group instead of 75: about half; the bound is generous for noisy timing
    ratio = float(reused["cpu_seconds"].iloc[0] / scratch["cpu_seconds"].iloc[0])
    assert ratio < 0.9, ratio
