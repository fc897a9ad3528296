"""The job runtime: the adapter between Snakemake and a script's ``main``,
provenance records, the process environment, and the code dependencies of a
rule derived from its script's imports."""
