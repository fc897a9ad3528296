# Stage 2b: numbers quoted in the prose, as build/numbers/<namespace>.yml,
# used in chapters as {{< var <namespace>.<key> >}}.


rule numbers_apprehensions_mexico:
    input:
        clean=clean("apprehensions_mexico"),
        code=code_of("numbers_apprehensions_mexico"),
    output:
        numbers=f"{BUILD}/numbers/apprehensions_mexico.yml",
        provenance=prov("numbers/apprehensions_mexico"),
    log:
        log_path("numbers_apprehensions_mexico"),
    benchmark:
        bench_path("numbers-apprehensions_mexico")
    params:
        namespace="apprehensions_mexico",
    script:
        "../scripts/numbers_apprehensions_mexico.py"


rule numbers_from_spec:
    input:
        spec="config/numbers/{namespace}.yaml",
        clean=spec_datasets,
        code=code_of("numbers_from_spec"),
    output:
        numbers=f"{BUILD}/numbers/{{namespace}}.yml",
        provenance=prov("numbers/{namespace}"),
    log:
        log_path("numbers_from_spec", "{namespace}"),
    benchmark:
        bench_path("numbers-{namespace}")
    params:
        namespace="{namespace}",
    script:
        "../scripts/numbers_from_spec.py"


rule numbers_errata:
    input:
        errata=f"{BUILD}/checks/errata.csv",
        reconciliation=f"{BUILD}/checks/reconciliation.csv",
        code=code_of("numbers_errata"),
    output:
        numbers=f"{BUILD}/numbers/errata.yml",
        provenance=prov("numbers/errata"),
    log:
        log_path("numbers_errata"),
    benchmark:
        bench_path("numbers-errata")
    params:
        namespace="errata",
    script:
        "../scripts/numbers_errata.py"


# --- Part 3 (w2): Table 3.4 and its sensitivity analysis ---


rule numbers_revenue_estimates:
    input:
        assumptions=clean("revenue_assumptions"),
        base=clean("migrant_base"),
        merida=clean("merida_initiative"),
        code=code_of("numbers_revenue_estimates"),
    output:
        numbers=f"{BUILD}/numbers/revenue.yml",
        provenance=prov("numbers/revenue"),
    log:
        log_path("numbers_revenue_estimates"),
    benchmark:
        bench_path("numbers-revenue")
    params:
        namespace="revenue",
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
        rail=clean("events_rail_segments"),
        code=code_of("numbers_events"),
    output:
        numbers=f"{BUILD}/numbers/events.yml",
        provenance=prov("numbers/events"),
    log:
        log_path("numbers_events"),
    benchmark:
        bench_path("numbers-events")
    params:
        namespace="events",
        k=DISCLOSURE_K,
        grid_degrees=GRID_DEGREES,
        rail_buffer_km=RAIL_BUFFER_KM,
    script:
        "../scripts/numbers_events.py"


# --- Restricted edition (w5): exact numbers from the event records for Part 5
# and the annexes (namespace restricted_events; restricted chapters only).


rule numbers_restricted_events:
    input:
        events=clean("camrd_events"),
        code=code_of("numbers_restricted_events"),
    output:
        numbers=f"{BUILD}/numbers/restricted_events.yml",
        provenance=prov("numbers/restricted_events"),
    log:
        log_path("numbers_restricted_events"),
    benchmark:
        bench_path("numbers-restricted_events")
    params:
        namespace="restricted_events",
    script:
        "../scripts/numbers_restricted_events.py"
