"""Shared library of the PRP 198 report pipeline.

Scripts in ``scripts/`` are thin Snakemake adapters; the pure functions they
call live here, so tests import them without Snakemake. By role:

* ``prp.data``      -- data package, validation, checks, errors, io, generators
* ``prp.events``    -- restricted event records, disclosure control, released aggregates
* ``prp.artifacts`` -- catalog, styles, maps, tables, source lines, domain arithmetic
* ``prp.render``    -- the book's configuration and the pandoc + typst renderer
* ``prp.runtime``   -- Snakemake adapter, provenance, environment, code dependencies
* ``prp.tools``     -- developer tools that drive the pipeline (never imported by it)
"""
