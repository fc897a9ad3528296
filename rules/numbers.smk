# Stage 2b: numbers quoted in the prose, as build/numbers/<namespace>.yml,
# used in chapters as {{< var <namespace>.<key> >}}.


rule numbers_apprehensions_mexico:
    input:
        clean=clean("apprehensions_mexico"),
        code=code_of("numbers_apprehensions_mexico", in_process=True),
    output:
        numbers=f"{BUILD}/numbers/apprehensions_mexico.yml",
        provenance=prov("numbers/apprehensions_mexico"),
    log:
        log_path("numbers_apprehensions_mexico"),
    params:
        namespace="apprehensions_mexico",
    run:
        run_in_process(rule, "numbers_apprehensions_mexico", input, output, params, wildcards, log)


rule numbers_from_spec:
    input:
        spec="config/numbers/{namespace}.yaml",
        clean=spec_datasets,
        code=code_of("numbers_from_spec", in_process=True),
    output:
        numbers=f"{BUILD}/numbers/{{namespace}}.yml",
        provenance=prov("numbers/{namespace}"),
    log:
        log_path("numbers_from_spec", "{namespace}"),
    params:
        namespace="{namespace}",
    run:
        run_in_process(rule, "numbers_from_spec", input, output, params, wildcards, log)


rule numbers_errata:
    input:
        errata=f"{BUILD}/checks/errata.csv",
        reconciliation=f"{BUILD}/checks/reconciliation.csv",
        code=code_of("numbers_errata", in_process=True),
    output:
        numbers=f"{BUILD}/numbers/errata.yml",
        provenance=prov("numbers/errata"),
    log:
        log_path("numbers_errata"),
    params:
        namespace="errata",
    run:
        run_in_process(rule, "numbers_errata", input, output, params, wildcards, log)


# --- Part 3 (w2): Table 3.4 and its sensitivity analysis ---


rule numbers_revenue_estimates:
    input:
        assumptions=clean("revenue_assumptions"),
        base=clean("migrant_base"),
        merida=clean("merida_initiative"),
        code=code_of("numbers_revenue_estimates", in_process=True),
    output:
        numbers=f"{BUILD}/numbers/revenue.yml",
        provenance=prov("numbers/revenue"),
    log:
        log_path("numbers_revenue_estimates"),
    params:
        namespace="revenue",
    run:
        run_in_process(rule, "numbers_revenue_estimates", input, output, params, wildcards, log)


rule numbers_events:
    input:
        totals=clean("events_by_state"),
        location=clean("events_by_state_location"),
        perpetrator=clean("events_by_state_perpetrator"),
        crime=clean("events_by_state_crime"),
        period=clean("events_period"),
        grid=clean("events_grid"),
        rail=clean("events_rail_segments"),
        code=code_of("numbers_events", in_process=True),
    output:
        numbers=f"{BUILD}/numbers/events.yml",
        provenance=prov("numbers/events"),
    log:
        log_path("numbers_events"),
    params:
        namespace="events",
        k=DISCLOSURE_K,
        grid_degrees=GRID_DEGREES,
        rail_buffer_km=RAIL_BUFFER_KM,
    run:
        run_in_process(rule, "numbers_events", input, output, params, wildcards, log)
