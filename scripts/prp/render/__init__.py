"""Render a Quarto book edition with pandoc, Lua filters and typst.

``render_book(src, profile, out)`` implements the Quarto book features the
report uses (profiles, chapters and parts, includes and variables, numbered
cross-references, citations, conditional content, callouts, edition marking)
without the Quarto CLI. See ``prp.render.config`` for the configuration keys.
"""

from prp.render.book import render_book
from prp.render.config import RenderError

__all__ = ["RenderError", "render_book"]
