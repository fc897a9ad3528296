# Stage 2b: numbers quoted in the prose, as build/numbers/<namespace>.yml,
# used in chapters as {{< var <namespace>.<key> >}}.


rule numbers_apprehensions_mexico:
    input:
        clean=clean("apprehensions_mexico"),
        code=package_code("fmt"),
    output:
        numbers=f"{BUILD}/numbers/apprehensions_mexico.yml",
    params:
        namespace="apprehensions_mexico",
    log:
        log_path("numbers_apprehensions_mexico"),
    script:
        "../scripts/numbers_apprehensions_mexico.py"


rule numbers_from_spec:
    input:
        spec="config/numbers/{namespace}.yaml",
        clean=spec_datasets,
        code=package_code("numbers"),
    output:
        numbers=f"{BUILD}/numbers/{{namespace}}.yml",
    params:
        namespace="{namespace}",
    log:
        log_path("numbers_from_spec", "{namespace}"),
    script:
        "../scripts/numbers_from_spec.py"


rule numbers_errata:
    input:
        errata=f"{BUILD}/checks/errata.csv",
        reconciliation=f"{BUILD}/checks/reconciliation.csv",
        code=package_code("io", "fmt", "texttable") + ["scripts/table_errata.py"],
    output:
        numbers=f"{BUILD}/numbers/errata.yml",
    params:
        namespace="errata",
    log:
        log_path("numbers_errata"),
    script:
        "../scripts/numbers_errata.py"


# --- Part 3 (w2): Table 3.4 and its sensitivity analysis ---


rule numbers_revenue_estimates:
    input:
        assumptions=clean("revenue_assumptions"),
        base=clean("migrant_base"),
        merida=clean("merida_initiative"),
        code=package_code("revenue", "fmt"),
    output:
        numbers=f"{BUILD}/numbers/revenue.yml",
    params:
        namespace="revenue",
    log:
        log_path("numbers_revenue_estimates"),
    script:
        "../scripts/numbers_revenue_estimates.py"


rule numbers_events:
    input:
        totals=clean("events_by_state"),
        location=clean("events_by_state_location"),
        perpetrator=clean("events_by_state_perpetrator"),
        crime=clean("events_by_state_crime"),
        period=clean("events_period"),
        grid=clean("events_grid"),
        code=package_code("fmt", "events", "disclosure", "maps"),
    output:
        numbers=f"{BUILD}/numbers/events.yml",
    params:
        namespace="events",
        k=DISCLOSURE_K,
        grid_degrees=GRID_DEGREES,
    log:
        log_path("numbers_events"),
    script:
        "../scripts/numbers_events.py"
