# Stage 1: every raw dataset is validated against its schema in the data
# package into build/clean/<dataset>.parquet.


rule validate_dataset:
    input:
        raw=raw_path,
        refs=reference_files,
        code=code_of("validate_dataset"),
    output:
        # update(): on failure Snakemake restores the previous file, so bad
        # input leaves build/ as it was (the log records the error).
        clean=update(f"{BUILD}/clean/{{dataset}}.parquet"),
        provenance=update(prov("clean/{dataset}")),
    log:
        log_path("validate_dataset", "{dataset}"),
    benchmark:
        bench_path("clean-{dataset}")
    params:
        resource=dataset_schema,
        references=dataset_references,
        sha256=dataset_sha256,
        descriptor=f"{DATA}/datapackage.yaml",
    script:
        "../scripts/validate_dataset.py"
