"""CLI command groups.

Each module here defines ``register(app: typer.Typer) -> None`` that adds its commands to the
``lossatlas`` application; :mod:`lossatlas.cli` discovers the modules, so adding a command group
never touches another group's file.
"""
