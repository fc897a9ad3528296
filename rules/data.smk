# Stage 1: every raw dataset is validated against its schema in the data
# package into build/clean/<dataset>.parquet.


rule validate_dataset:
    input:
        raw=raw_path,
        code=package_code("validate", "errors", "io"),
    output:
        clean=f"{BUILD}/clean/{{dataset}}.parquet",
    params:
        resource=dataset_schema,
    log:
        log_path("validate_dataset", "{dataset}"),
    script:
        "../scripts/validate_dataset.py"
