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


def _energy_verbs() -> list[str]:
    group = next(g for g in app.registered_groups if g.name == "energy")
    return [
        c.name or c.callback.__name__.replace("_", "-")
        for c in group.typer_instance.registered_commands
    ]


@pytest.mark.parametrize("verb", [None, *_energy_verbs()])
def test_energy_group_and_every_verb_end_with_examples(capsys, monkeypatch, verb):
    monkeypatch.setenv("COLUMNS", "120")
    args = ["energy"] if verb is None else ["energy", verb]
    text = _help(capsys, *args)
    tail = text[text.index("Examples:") :]
    for line in EXAMPLES[" ".join(args)]:
        assert line in tail
        assert len(line) <= 78  # one line in an 80-column terminal


def test_every_example_parses():
    """Each example names a real command and only options that command has."""
    import shlex

    import typer.main

    root = typer.main.get_command(app)
    for lines in EXAMPLES.values():
        for line in lines:
            words = shlex.split(line.split("   (")[0])
            assert words[0] == "lossatlas", line
            command, rest = root, words[1:]
            while hasattr(command, "commands") and rest and rest[0] in command.commands:
                command, rest = command.commands[rest[0]], rest[1:]
            assert command is not root, line
            try:
                command.make_context(command.name, list(rest))
            except Exception as exc:
                raise AssertionError(f"{line}: {exc}") from None
