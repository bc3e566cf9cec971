"""--help a newcomer can read: no <bool> on plain flags, workflow order, usage examples."""

from __future__ import annotations

import re

import pytest

from lossatlas.cli import EXAMPLES, WORKFLOW, app, main


def _help(capsys, *args: str) -> str:
    assert main([*args, "--help"]) == 0
    return capsys.readouterr().out


def test_top_level_lists_commands_in_workflow_order(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    text = _help(capsys)
    # the top-level listing is plain click text (fast start-up); rich boxes elsewhere
    found = [re.search(rf"^\s*(?:│\s*)?{re.escape(name)}\s", text, re.M) for name in WORKFLOW]
    positions = [m.start() if m else -1 for m in found]
    assert all(p >= 0 for p in positions), positions
    assert positions == sorted(positions)
    assert "<bool>" not in text
    assert not re.search(r"\w\.\.\.\s*$", text, re.M)  # no description cut mid-sentence


@pytest.mark.parametrize("name", [c.name for c in app.registered_commands])
def test_every_command_help_has_no_bool_metavar_and_ends_with_examples(capsys, monkeypatch, name):
    monkeypatch.setenv("COLUMNS", "120")
    text = _help(capsys, name)
    assert "<bool>" not in text
    assert "Examples:" in text
    tail = text[text.index("Examples:") :]
    for line in EXAMPLES[name]:
        assert line.split("   (")[0] in tail
    # option values still show their type
    if re.search(r"--(loss|out|output|epsilon|model|by)\b", text):
        assert re.search(r"<(str|path|float|int)>", text)


def test_every_command_has_examples():
    assert {c.name for c in app.registered_commands} <= set(EXAMPLES)
