"""The ``lossatlas`` command line.

Command groups live in :mod:`lossatlas.commands`; each module registers its own commands. Errors
that the user can fix (:class:`~lossatlas.errors.LossAtlasError`) become one line on stderr and
exit code 2, never a traceback.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil
import sys
from typing import Any

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


def _register_commands() -> None:
    from lossatlas import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


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
        listing.registered_commands.append(stubbed)
    listing.registered_groups = []
    for group in typer_app.registered_groups:
        stubbed_group = copy.copy(group)
        stubbed_group.typer_instance = _listing(group.typer_instance)
        listing.registered_groups.append(stubbed_group)
    return listing


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 2 a user error)."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args == ["--version"]:  # the quick start: no command is built
        from lossatlas import __version__

        typer.echo(f"lossatlas {__version__}")
        return 0
    target = _listing(app) if args in ([], ["--help"]) else app
    try:
        target(args=args, standalone_mode=False)
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
