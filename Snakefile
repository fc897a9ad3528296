# Rebuilds PRP Report 198 from its raw data: validate -> tables/numbers -> editions.
# Targets: all (both editions; the public one only without the restricted
# sources), public, restricted. See README.md.

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


# validates the configuration (config/schema.yaml) first
include: "rules/common.smk"
include: "rules/data.smk"
include: "rules/tables.smk"
include: "rules/numbers.smk"
include: "rules/figures.smk"
include: "rules/editions.smk"
include: "rules/checks.smk"
include: "rules/provenance.smk"


# Rules that read restricted material exist only with the restricted sources.
if RESTRICTED:

    include: "rules/restricted.smk"

    record_restricted_outputs()


# The edition boundary: chapters are checked now, the job graph before any job runs.
check_chapters()


onstart:
    check_public_graph()


rule all:
    default_target: True
    input:
        edition_outputs(EDITIONS),
        f"{BUILD}/checks/errata.csv",
        f"{BUILD}/checks/datasets.csv",


rule public:
    input:
        edition_outputs(["public"]),


rule restricted:
    input:
        restricted_edition_outputs,
