# Stage 1: every raw dataset is validated against its schema in the data
# package into build/clean/<dataset>.parquet.


rule validate_dataset:
    # in Snakemake's own process: a table of a few dozen rows is validated in
    # milliseconds, a fresh interpreter importing pandas takes a second
    input:
        raw=raw_path,
        refs=reference_files,
        code=code_of("validate_dataset", in_process=True),
    output:
        # update(): on failure Snakemake restores the previous file, so bad
        # input leaves build/ as it was (the log records the error).
        clean=update(f"{BUILD}/clean/{{dataset}}.parquet"),
        provenance=update(prov("clean/{dataset}")),
    log:
        log_path("validate_dataset", "{dataset}"),
    params:
        resource=dataset_schema,
        references=dataset_references,
        sha256=dataset_sha256,
        descriptor=f"{DATA}/datapackage.yaml",
    run:
        run_in_process(rule, "validate_dataset", input, output, params, wildcards, log)
