"""Render a Quarto book edition: with Quarto, or with pandoc, Lua filters and typst.

What makes the book look and read like the 2018 report -- part and appendix
wording, cross-reference texts, title page, running heads, edition marking,
source lines, provenance boxes, callout design -- is the report's format, a
Quarto extension in the book (``report/_extensions/prp``). Both engines
render with it:

* ``engine="quarto"`` (``prp.render.quarto``) runs ``quarto render``, which
  loads the extension itself;
* ``engine="pandoc"``, the pinned default, is a stand-in for Quarto where it
  is not installed. It implements only the Quarto features the book uses
  (profiles, book assembly, includes and variables, numbered
  cross-references, conditional content, callouts, the HTML site) in
  ``book``, ``html``, ``pdf``, ``pandoc``, ``filters/`` and ``templates/``,
  and runs the extension's own filters at Quarto's entry points and its typst
  partials in Quarto's template skeleton (``prp.render.extension``).

``prp.render.config`` is the one reading of the book's configuration, used
by the renderer and by the workflow (``prp.render.needs``: what an edition's
chapters use). The package imports nothing on its own, so the workflow can
read the configuration without loading the renderer.
"""
