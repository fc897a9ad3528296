"""Shared library of the PRP 198 report pipeline.

Scripts in ``scripts/`` are thin Snakemake adapters; the pure functions they
call live here, so tests import them without Snakemake.
"""
