# Stage 1: every raw dataset is validated against its schema in the data
# package into build/clean/<dataset>.parquet.


rule validate_dataset:
    input:
        raw=raw_path,
        refs=reference_files,
        code=package_code("validate", "checks", "errors", "io"),
    output:
        # update(): on failure Snakemake restores the previous file, so bad
        # input leaves build/ as it was (the log records the error).
        clean=update(f"{BUILD}/clean/{{dataset}}.parquet"),
    params:
        resource=dataset_schema,
        references=dataset_references,
    log:
        log_path("validate_dataset", "{dataset}"),
    script:
        "../scripts/validate_dataset.py"
