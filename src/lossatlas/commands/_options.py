"""Options shared by the commands that read landscapes (``analyze``, ``compare``, ``report``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.analysis._neighbourhood import Neighbourhood

__all__ = ["RADIUS_HELP", "CATEGORICAL_HELP", "neighbourhood_option"]

RADIUS_HELP = "Ordinal moves of up to this many grid steps (1: the paper's 1-edit moves)."
CATEGORICAL_HELP = "Treat this ordinal HP as categorical: every other value is a neighbour."


def neighbourhood_option(radius: int, categorical: list[str] | None) -> Neighbourhood | None:
    """The neighbourhood ``--radius``/``--categorical`` name (``None``: the 1-edit default)."""
    if radius < 1:
        raise InputError(f"--radius must be >= 1, not {radius}")
    if radius == 1 and not categorical:
        return None
    from lossatlas.analysis._neighbourhood import ordinal_radius

    return ordinal_radius(radius, categorical=tuple(categorical or ()))
