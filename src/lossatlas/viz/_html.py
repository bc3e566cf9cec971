"""HTML fragments of the hyperparameter report: embedded PNG figures and small tables.

They live in the neutral :mod:`lossatlas._pages` (shared with the energy report); this module
keeps the names the viz code imports.
"""

from __future__ import annotations

from lossatlas._pages import figure_html, format_cell, png_base64, table_html

__all__ = ["figure_html", "format_cell", "png_base64", "table_html"]
