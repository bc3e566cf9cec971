"""pandas, imported on first use: the quick path of ``lossatlas analyze`` never needs it.

``from lossatlas._pandas import pd`` gives a stand-in whose attributes are pandas' own (the
import, ~0.3 s, happens at the first attribute look-up); :func:`is_dataframe` tells a DataFrame
without importing pandas (none can exist before pandas is imported).
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["is_dataframe", "pd"]


class _LazyPandas:
    """Attribute look-ups import pandas and read its attribute."""

    def __getattr__(self, name: str) -> Any:
        import pandas

        return getattr(pandas, name)


pd: Any = _LazyPandas()


def is_dataframe(value: object) -> bool:
    """Whether ``value`` is a pandas DataFrame, without importing pandas.

    Parameters
    ----------
    value : object

    Returns
    -------
    bool
    """
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(value, pandas.DataFrame)
