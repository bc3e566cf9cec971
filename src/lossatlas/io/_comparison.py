"""Write the tables of a landscape comparison (``lossatlas compare``'s output directory)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from lossatlas.errors import InputError

if TYPE_CHECKING:
    from lossatlas.analysis._comparison import LandscapeComparison

__all__ = ["write_comparison"]


def write_comparison(
    comparison: LandscapeComparison,
    directory: str | Path,
    *,
    format: Literal["parquet", "csv"] = "parquet",
) -> list[Path]:
    """Write a comparison's tables, summary and headline numbers into ``directory``.

    Parameters
    ----------
    comparison : LandscapeComparison
        A result of :func:`lossatlas.analysis.compare_landscapes`.
    directory : str or Path
        Created when missing.
    format : {"parquet", "csv"}, default "parquet"
        Format of ``pairs``, ``profiles`` and ``matrices``.

    Returns
    -------
    list of Path
        ``pairs``, ``profiles``, ``matrices`` (in ``format``), ``summary.txt`` and
        ``headline.json``. The heatmaps are drawn by
        :func:`lossatlas.viz.save_similarity_heatmaps`.
    """
    if format not in ("parquet", "csv"):
        raise InputError(f"format must be 'parquet' or 'csv', not {format!r}")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in (
        ("pairs", comparison.pairs),
        ("profiles", comparison.profiles),
        ("matrices", comparison.matrices()),
    ):
        path = out / f"{name}.{format}"
        if format == "parquet":
            table.to_parquet(path, index=False)
        else:
            table.to_csv(path, index=False)
        written.append(path)
    summary, headline = out / "summary.txt", out / "headline.json"
    summary.write_text(comparison.summary + "\n", encoding="utf-8")
    headline.write_text(json.dumps(comparison.headline, indent=2), encoding="utf-8")
    return [*written, summary, headline]
