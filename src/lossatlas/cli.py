"""The ``lossatlas`` command line.

Command groups live in :mod:`lossatlas.commands`; each module registers its own commands. Errors
that the user can fix (:class:`~lossatlas.errors.LossAtlasError`) become one line on stderr and
exit code 2, never a traceback. The last line of defence (:func:`main`) turns any
:class:`OSError` and :mod:`sqlite3` error into one line naming the file and the operation too;
the global ``--debug`` flag shows the traceback instead.
"""

from __future__ import annotations

import copy
import importlib
import os
import pkgutil
import sqlite3
import sys
from typing import Any

import typer

from lossatlas import _cli_coercion
from lossatlas.errors import LossAtlasError

app = typer.Typer(
    name="lossatlas",
    help="Map and explain the loss landscapes of machine-learning models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_DEBUG = {"on": False}


def _show_version(value: bool) -> None:
    if value:
        from lossatlas import __version__

        typer.echo(f"lossatlas {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Print the version."
    ),
    debug: bool = typer.Option(
        False, "--debug", help="Show the Python traceback of an error instead of one line."
    ),
) -> None:
    """Map and explain the loss landscapes of machine-learning models."""
    _DEBUG["on"] = debug


#: Commands in the order of a workflow: evaluate, study, analyse, explain, report, energy.
WORKFLOW = (
    "evaluate",
    "export",
    "study",
    "run",
    "analyze",
    "importance",
    "compare",
    "report",
    "energy",
)

#: Usage examples printed at the end of each command's --help.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "evaluate": (
        "lossatlas evaluate --model xgboost --dataset moons --grid tiny --folds 3 -o run",
        "lossatlas evaluate --list",
    ),
    "export": ("lossatlas export run -o run/results.parquet",),
    "study": (
        "lossatlas study study.yaml --out study-out",
        "lossatlas report study-out   (rebuild study-out/study.html)",
    ),
    "run": ("lossatlas run --out lossatlas-run",),
    "analyze": (
        "lossatlas analyze results.parquet",
        "lossatlas analyze results.parquet --epsilon 0.01   (1 % on an error rate)",
    ),
    "importance": ("lossatlas importance results.parquet",),
    "compare": ("lossatlas compare results.parquet --by fidelity",),
    "report": (
        "lossatlas report results.parquet -o report.html",
        "lossatlas report study-out   (the study report of a study directory)",
    ),
    "energy": (
        "lossatlas energy explore --dataset iris --steps 200 --db mlp.sqlite",
        "lossatlas energy connect --db mlp.sqlite --lowest 5",
        "lossatlas energy dgraph --db mlp.sqlite -o dgraph.png",
        "lossatlas energy report --db mlp.sqlite -o energy.html",
    ),
    "energy explore": (
        "lossatlas energy explore --potential muller-brown --steps 100 --db mb.sqlite",
        "lossatlas energy explore --dataset iris --hidden 3 --db mlp.sqlite",
    ),
    "energy connect": (
        "lossatlas energy connect --db mlp.sqlite --lowest 5",
        "lossatlas energy connect --db mlp.sqlite --strategy pairs --pairs pairs.txt",
    ),
    "energy dgraph": (
        "lossatlas energy dgraph --db mlp.sqlite -o dgraph.png",
        "lossatlas energy dgraph --db mlp.sqlite --free-energy --temperature 0.5",
    ),
    "energy rates": ("lossatlas energy rates --db mlp.sqlite --from 2,3 --to 1",),
    "energy summary": ("lossatlas energy summary --db mlp.sqlite --format json",),
    "energy pathsample": ("lossatlas energy pathsample --db mlp.sqlite -d pathsample-in",),
    "energy report": ("lossatlas energy report --db mlp.sqlite -o energy.html",),
    "energy cv": ("lossatlas energy cv --db mlp.sqlite --tmin 0.01 --tmax 2 -o cv.png",),
    "energy msb": ("lossatlas energy msb --db mlp.sqlite --rule barrier",),
    "energy sweep": ("lossatlas energy sweep --potential gp --dataset sine --start 0.5 --stop 3",),
    "energy ensemble": ("lossatlas energy ensemble --db mlp.sqlite --lowest 10",),
    "energy relevance": ("lossatlas energy relevance --db mlp.sqlite --rule barrier",),
    "energy compare-losses": (
        "lossatlas energy compare-losses --dataset iris --score logit --beta 10",
    ),
    "energy slice": ("lossatlas energy slice --db mlp.sqlite --minimum 1 --dims 2 -o slice.png",),
    "energy spectrum": ("lossatlas energy spectrum --db mlp.sqlite --lowest 5",),
}


def _examples(name: str) -> str | None:
    lines = EXAMPLES.get(name)
    if not lines:
        return None
    # \b keeps click from re-wrapping the lines
    return "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in lines)


def _hide_flag_types() -> None:
    """Plain on/off flags show no ``<bool>`` type in --help (only options that take a value)."""
    from typer import core

    shown = core.TyperOption.display_type_rich
    if getattr(shown, "_lossatlas", False):
        return

    def display_type_rich(self, ctx):  # type: ignore[no-untyped-def]
        if getattr(self, "is_flag", False) and self.metavar is None:
            return None
        return shown(self, ctx)

    display_type_rich._lossatlas = True  # type: ignore[attr-defined]
    core.TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


def _verb(info: Any) -> str:
    """A registered command's name on the command line (typer derives it from the function)."""
    return info.name or info.callback.__name__.replace("_", "-")


def _register_commands() -> None:
    from lossatlas import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)
    rank = {name: i for i, name in enumerate(WORKFLOW)}
    app.registered_commands.sort(key=lambda c: rank.get(c.name or "", len(rank)))
    app.registered_groups.sort(key=lambda g: rank.get(g.name or "", len(rank)))
    for command in app.registered_commands:
        if command.epilog is None:
            command.epilog = _examples(command.name or "")
    for group in app.registered_groups:
        name = group.name or ""
        # typer marks an unset group epilog with a DefaultPlaceholder, not None
        if not isinstance(group.epilog, str) and name in EXAMPLES:
            group.epilog = _examples(name)
        for command in group.typer_instance.registered_commands if group.typer_instance else ():
            if command.epilog is None:
                command.epilog = _examples(f"{name} {_verb(command)}")


_hide_flag_types()
_cli_coercion.install()
_register_commands()


def _stub(callback: Any) -> Any:
    def stub() -> None:  # pragma: no cover - never run, only listed
        """(stub)"""

    stub.__doc__ = callback.__doc__
    stub.__name__ = callback.__name__
    return stub


def _listing(typer_app: typer.Typer) -> typer.Typer:
    """A copy of ``typer_app`` whose commands take no parameters, for the top-level ``--help``.

    The same usage, options and command list (as plain text), without typer reading every
    command's signature or importing rich, which were most of the start-up of ``--help``.
    """
    listing = copy.copy(typer_app)
    listing.rich_markup_mode = None  # plain click help: rich's formatter costs ~0.3 s to import
    listing.registered_commands = []
    for info in typer_app.registered_commands:
        stubbed = copy.copy(info)
        stubbed.callback = _stub(info.callback)
        stubbed.short_help = info.short_help or _first_sentence(info.callback.__doc__ or "")
        listing.registered_commands.append(stubbed)
    listing.registered_groups = []
    for group in typer_app.registered_groups:
        stubbed_group = copy.copy(group)
        stubbed_group.typer_instance = _listing(group.typer_instance)
        group_help = group.help or group.typer_instance.info.help
        stubbed_group.short_help = group.short_help or _first_sentence(
            group_help if isinstance(group_help, str) else ""
        )
        listing.registered_groups.append(stubbed_group)
    return listing


def _only(typer_app: typer.Typer, args: list[str]) -> typer.Typer:
    """A copy of ``typer_app`` holding only the command ``args`` invoke (itself when none).

    Typer reads the signature of every command (and its Pydantic coercion) to build the
    click group; running one command needs only that command's. For a group (``energy``)
    followed by one of its verbs, the copy holds that group with only that verb.
    """
    name = args[0]
    for info in typer_app.registered_commands:
        if info.name == name:
            only = copy.copy(typer_app)
            only.registered_commands = [info]
            only.registered_groups = []
            return only
    for group in typer_app.registered_groups:
        if group.name != name or group.typer_instance is None:
            continue
        verbs = [
            c
            for c in group.typer_instance.registered_commands
            if len(args) > 1 and _verb(c) == args[1]
        ]
        if not verbs:
            return typer_app
        sub = copy.copy(group.typer_instance)
        sub.registered_commands = verbs
        one = copy.copy(group)
        one.typer_instance = sub
        only = copy.copy(typer_app)
        only.registered_commands = []
        only.registered_groups = [one]
        return only
    return typer_app


def _first_sentence(doc: str) -> str:
    """The first sentence of a docstring, whole (click would cut it at 45 characters)."""
    paragraph = _one_line(doc.strip().split("\n\n")[0])
    end = paragraph.find(". ")
    return paragraph if end < 0 else paragraph[: end + 1]


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _os_error_line(exc: OSError, command: str) -> str:
    """``error:`` text for an OSError: the operation, the file(s) and the reason."""
    reason = exc.strerror or _one_line(str(exc)) or type(exc).__name__
    files = [os.fsdecode(f) for f in (exc.filename, exc.filename2) if f is not None]
    what = {
        PermissionError: "permission denied",
        FileExistsError: "a file is in the way",
        IsADirectoryError: "is a directory",
        NotADirectoryError: "a path component is a file, not a directory",
        FileNotFoundError: "not found",
    }.get(type(exc))
    where = " -> ".join(files) if files else "a file"
    detail = reason if what is None or what.lower() in reason.lower() else f"{what}: {reason}"
    return f"{command}: cannot access {where}: {detail}"


def _command_name(argv: list[str] | None) -> str:
    args = list(sys.argv[1:] if argv is None else argv)
    words = [a for a in args if not a.startswith("-")][:2]
    if words[:1] == ["energy"] and len(words) > 1:
        return " ".join(words)
    return words[0] if words else "lossatlas"


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 2 a user error, 1 a system error)."""
    args = sys.argv[1:] if argv is None else list(argv)
    _DEBUG["on"] = "--debug" in args
    if args == ["--version"]:  # the quick start: no command is built
        from lossatlas import __version__

        typer.echo(f"lossatlas {__version__}")
        return 0
    target = _listing(app) if args in ([], ["--help"]) else _only(app, args)
    try:
        target(args=args, standalone_mode=False)
    except LossAtlasError as exc:
        if _DEBUG["on"]:
            raise
        typer.echo(f"error: {_one_line(str(exc))}", err=True)
        return 2
    except OSError as exc:
        if _DEBUG["on"]:
            raise
        typer.echo(f"error: {_os_error_line(exc, _command_name(argv))}", err=True)
        return 1
    except sqlite3.Error as exc:
        if _DEBUG["on"]:
            raise
        typer.echo(
            f"error: {_command_name(argv)}: SQLite database operation failed: "
            f"{_one_line(str(exc))} ({type(exc).__name__})",
            err=True,
        )
        return 1
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 130
    except KeyboardInterrupt:
        typer.echo("error: interrupted", err=True)
        return 130
    except Exception as exc:
        # click's usage errors (typer may vendor its own click, so match by behaviour)
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            # one line, like every other error (click prints usage, a hint and a box)
            ctx = getattr(exc, "ctx", None)
            where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
            typer.echo(f"error: {_one_line(exc.format_message())}{where}", err=True)
            return int(exc.exit_code)
        if _DEBUG["on"]:
            raise
        # a bug, not the user's fault: still one line (the traceback is behind --debug)
        typer.echo(
            f"error: {_command_name(argv)}: unexpected {type(exc).__name__}: "
            f"{_one_line(str(exc))} (a bug; rerun with --debug for the traceback)",
            err=True,
        )
        return 1
    return 0


def _entry() -> None:  # pragma: no cover - console script
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    _entry()
