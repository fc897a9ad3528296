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
    benchmark:
        bench_path("clean-{dataset}")
    params:
        resource=dataset_schema,
        references=dataset_references,
    run:
        run_in_process(rule, "validate_dataset", input, output, params, wildcards, log)


# Disclosure control. The restricted event table reaches the public edition
# only as aggregates with small cells suppressed. Releasing is a deliberate
# step, not part of `make report`: `make release` runs this rule into
# build/released/ and copies the result into data/released/ (committed, with
# its descriptor entries), which the public figures read. So the public build
# never reads data/restricted/, and works without it.


rule release_aggregates:
    input:
        events=clean("camrd_events"),
        states=clean("states"),
        segments=raw_path_of("rail_segments"),
        code=code_of("release_aggregates"),
    output:
        **{key: f"{BUILD}/released/{name}.csv" for key, name in RELEASED.items()},
        provenance=prov("released/events"),
    log:
        log_path("release_aggregates"),
    benchmark:
        bench_path("released-events")
    params:
        k=DISCLOSURE_K,
        grid_degrees=GRID_DEGREES,
        rail_buffer_km=RAIL_BUFFER_KM,
        categories=event_categories(),
    script:
        "../scripts/release_aggregates.py"
