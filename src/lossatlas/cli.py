"""The ``lossatlas`` command line.

Command groups live in :mod:`lossatlas.commands`; each module registers its own commands. Errors
that the user can fix (:class:`~lossatlas.errors.LossAtlasError`) become one line on stderr and
exit code 2, never a traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from lossatlas.errors import LossAtlasError

app = typer.Typer(
    name="lossatlas",
    help="Map and explain the loss landscapes of machine-learning models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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
) -> None:
    """Map and explain the loss landscapes of machine-learning models."""


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
        "lossatlas energy explore --potential muller-brown --db mb.sqlite",
        "lossatlas report mb.sqlite -o energy.html",
    ),
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
        if group.epilog is None:
            group.epilog = _examples(group.name or "")


_hide_flag_types()
_register_commands()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 2 a user error)."""
    try:
        app(args=argv, standalone_mode=False)
    except LossAtlasError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 130
    except Exception as exc:
        # click's usage errors (typer may vendor its own click, so match by behaviour)
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            return int(exc.exit_code)
        raise
    return 0


def _entry() -> None:  # pragma: no cover - console script
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    _entry()
