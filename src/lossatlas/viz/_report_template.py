"""HTML skeleton of every report (a ``string.Template``: ``$name`` placeholders).

It lives in the neutral :mod:`lossatlas._pages` (shared with the energy report); this module
keeps the names the viz code imports.
"""

from __future__ import annotations

from lossatlas._pages import PAGE, RENDER_SCRIPT

__all__ = ["PAGE", "RENDER_SCRIPT"]
