"""Table 3.2: interactions in which migrants agree to deal with criminal actors
to move ahead on their journey (transactional crimes). Built by prp.artifacts.crimes
exactly like Table 3.3, from the transactional_crimes dataset."""

from prp.artifacts.crimes import write_interactions_table as main

if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
