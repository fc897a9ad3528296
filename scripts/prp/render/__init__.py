"""Render a Quarto book edition with pandoc, Lua filters and typst.

``prp.render.book.render_book(src, profile, out)`` implements the Quarto book
features the report uses (profiles, chapters and parts, includes and
variables, numbered cross-references, citations, conditional content,
callouts, edition marking) without the Quarto CLI. ``prp.render.config`` is
the one reading of the book's configuration, used by the renderer and by the
workflow (``prp.render.needs``: what an edition's chapters use). The package
imports nothing on its own, so the workflow can read the configuration
without loading the renderer.
"""
