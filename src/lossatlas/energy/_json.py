"""JSON-safe numbers for the ``to_dict`` of energy results: NaN and infinities become None."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["json_number"]


def json_number(v: Any) -> float | None:
    """``float(v)``, or None for None, NaN and infinities (JSON has no such numbers).

    Parameters
    ----------
    v : float-like or None
        The value.

    Returns
    -------
    float or None
    """
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None
