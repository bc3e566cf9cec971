"""Results committed a batch per transaction: what is held, when it is committed, and that a
batch writes what one-at-a-time recording writes."""

from __future__ import annotations

import time

import pytest

from lossatlas.evaluate._buffer import ResultBuffer
from lossatlas.evaluate._journal import Journal


def _result(i: int, status: str = "ok") -> dict:
    return {
        "config": f'{{"max_depth":{i}}}',
        "fold": 0,
        "fidelity": '{"fraction":1.0}',
        "seed": 0,
        "status": status,
        "error": None if status == "ok" else "boom",
        "test": 0.25,
        "fit_seconds": 0.001,
    }


@pytest.fixture
def journal(tmp_path):
    with Journal(tmp_path / "journal.sqlite") as j:
        j.register_study("s", {"model": "dt"})
        yield j


def test_record_many_writes_what_record_writes_and_releases_the_claims(tmp_path, journal):
    results = [_result(i) for i in range(5)]
    keys = [(r["config"], r["fold"], r["fidelity"], r["seed"]) for r in results]
    mine, _, _ = journal.claim("s", keys, owner="me", lease=60)
    assert mine == list(range(5))
    assert journal.record_many("s", results, owner="me") == [True] * 5
    assert journal.claims() == []
    with Journal(tmp_path / "one.sqlite") as other:
        other.register_study("s", {"model": "dt"})
        for result in results:
            other.record("s", result)
        strip = ("timestamp",)

        def rows(j):
            return sorted(
                ({k: v for k, v in r.items() if k not in strip} for r in j.rows()),
                key=lambda r: r["config"],
            )

        assert rows(journal) == rows(other)
    # a second batch of the same keys writes nothing and counts the refits
    assert journal.record_many("s", results[:2]) == [False, False]
    assert sorted(journal.fit_counts().values()) == [1, 1, 1, 2, 2]


def test_record_many_replaces_failed_rows_only_when_asked(journal):
    journal.record_many("s", [_result(1, "failed"), _result(2)])
    assert journal.record_many("s", [_result(1), _result(2)], replace_failed=True) == [
        True,
        False,
    ]
    assert journal.counts("s") == {"ok": 2}


def test_buffer_holds_fast_results_and_commits_when_full(journal):
    buffer = ResultBuffer(journal, owner="me", max_results=3, max_seconds=60)
    buffer.add("s", _result(0))
    buffer.add("s", _result(1))
    assert len(buffer) == 2 and journal.counts() == {}  # held, not committed yet
    buffer.add("s", _result(2))
    assert len(buffer) == 0 and journal.counts() == {"ok": 3}
    assert buffer.n_commits == 1
    buffer.add("s", _result(3))
    buffer.flush()
    assert journal.counts() == {"ok": 4} and buffer.n_commits == 2


def test_buffer_commits_a_slow_result_at_once(journal):
    buffer = ResultBuffer(journal, owner="me", max_results=100, max_seconds=0.05)
    time.sleep(0.06)  # the first result came slowly
    buffer.add("s", _result(0))
    assert len(buffer) == 0 and journal.counts() == {"ok": 1}
    buffer.add("s", _result(1))  # right after: held
    assert len(buffer) == 1
    time.sleep(0.06)
    buffer.add("s", _result(2))  # the oldest waited too long (and this one came slowly)
    assert len(buffer) == 0 and journal.counts() == {"ok": 3}


def test_buffer_flushes_each_study_in_its_own_transaction(journal):
    journal.register_study("t", {"model": "dt"})
    buffer = ResultBuffer(journal, owner="me", max_results=100, max_seconds=60)
    for study in ("s", "s", "t", "s"):
        buffer.add(study, _result(len(buffer)))
    buffer.flush()
    assert buffer.n_commits == 3
    assert journal.counts("s") == {"ok": 3} and journal.counts("t") == {"ok": 1}


def test_leaving_run_claimed_early_commits_every_result_it_yielded(tmp_path, monkeypatch):
    import lossatlas.evaluate._buffer as buffer
    from lossatlas.evaluate import Evaluation, get_model, load_dataset
    from lossatlas.evaluate._claims import run_claimed
    from lossatlas.evaluate._executors import SerialExecutor

    monkeypatch.setattr(buffer, "MAX_SECONDS", 600.0)  # nothing is old or slow here
    dt = get_model("dt")
    study = Evaluation(dt, load_dataset("iris"), dt.space("tiny"), folds=2)
    with Journal(tmp_path / "journal.sqlite") as journal:
        journal.register_study(study.key, study.spec())
        parts = [(study.key, study.context(), list(study.tasks()))]
        stream = run_claimed(journal, parts, SerialExecutor())
        yielded = [next(stream)[1] for _ in range(5)]  # all five still buffered
        assert journal.counts() == {}
        stream.close()  # leaving early (as Ctrl-C does): flushed, claims released
        assert journal.counts() == {"ok": 5}
        assert journal.claims() == []
        recorded = {(r["config"], r["fold"]) for r in journal.rows()}
        assert recorded == {(r["config"], r["fold"]) for r in yielded}
