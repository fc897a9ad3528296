"""Table 3.3: crimes committed against migrants without their consent
(predatory crimes). Built by prp.artifacts.crimes exactly like Table 3.2, from the
predatory_crimes dataset."""

from prp.artifacts.crimes import write_interactions_table as main

if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
