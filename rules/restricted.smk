# Rules that read restricted material: the release of the event aggregates
# and the restricted edition's own tables, figures and numbers. This file is
# included only when the restricted sources are decrypted (an age identity:
# `make restricted`, `make report`, `make release`); a public build does not
# define these rules at all, and prp.runtime.boundary refuses a public chapter
# that cites anything they make.


# Disclosure control. The restricted event table reaches the public edition
# only as aggregates whose withheld counts survive an exact attack
# (prp.events.protect, prp.events.audit). Releasing is a deliberate step, not
# part of `make report`: `make release` (prp.tools.release) runs this rule
# into build/released/ and swaps the result, with its hashes in the data
# package, into data/released/ (committed), which the public figures read.
# So the public build never reads restricted data, and works without it.


rule release_aggregates:
    input:
        events=clean("camrd_events"),
        states=clean("states"),
        segments=raw_path_of("rail_segments"),
        code=code_of("release_aggregates"),
    output:
        # update(): a refused release keeps the previous tables
        **{key: update(f"{BUILD}/released/{name}.csv") for key, name in RELEASED.items()},
        provenance=update(prov("released/events")),
    log:
        log_path("release_aggregates"),
    params:
        k=DISCLOSURE_K,
        grid_degrees=GRID_DEGREES,
        rail_buffer_km=RAIL_BUFFER_KM,
        protection=config["disclosure"].get("protection", {}),
        categories=event_categories(),
    script:
        "../scripts/release_aggregates.py"


# --- Restricted edition (w5): exact numbers from the event records for Part 5
# and the annexes (namespace restricted_events; restricted chapters only).


rule numbers_restricted_events:
    input:
        events=clean("camrd_events"),
        code=code_of("numbers_restricted_events", in_process=True),
    output:
        numbers=f"{BUILD}/numbers/restricted_events.yml",
        provenance=prov("numbers/restricted_events"),
    log:
        log_path("numbers_restricted_events"),
    params:
        namespace="restricted_events",
    run:
        run_in_process(rule, "numbers_restricted_events", input, output, params, wildcards, log)


# --- Restricted edition (w5): Part 5 and the annexes. These read the event
# records themselves (restricted data, no count withheld); only chapters
# among the restricted sources include them, so the public DAG never runs them.


rule table_state_priorities:
    input:
        events=clean("camrd_events"),
        code=code_of("table_state_priorities", in_process=True),
    output:
        md=f"{BUILD}/tables/state-priorities.md",
        csv=report(f"{BUILD}/tables/state-priorities.csv", category="Tables"),
        provenance=prov("tables/state-priorities"),
    log:
        log_path("table_state_priorities"),
    params:
        **table_params("state-priorities"),
        min_events=20,
    run:
        run_in_process(rule, "table_state_priorities", input, output, params, wildcards, log)


rule table_event_counts:
    input:
        events=clean("camrd_events"),
        code=code_of("table_event_counts", in_process=True),
    output:
        md=f"{BUILD}/tables/event-counts.md",
        csv=report(f"{BUILD}/tables/event-counts.csv", category="Tables"),
        provenance=prov("tables/event-counts"),
    log:
        log_path("table_event_counts"),
    params:
        **table_params("event-counts"),
        crimes=event_categories()["state_crime"],
        perpetrators=event_categories()["state_perpetrator"],
    run:
        run_in_process(rule, "table_event_counts", input, output, params, wildcards, log)


rule table_event_listing:
    input:
        events=clean("camrd_events"),
        code=code_of("table_event_listing", in_process=True),
    output:
        md=f"{BUILD}/tables/event-listing.md",
        csv=report(f"{BUILD}/tables/event-listing.csv", category="Tables"),
        provenance=prov("tables/event-listing"),
    log:
        log_path("table_event_listing"),
    params:
        **table_params("event-listing"),
        max_rows=ARTIFACTS["tables"]["event-listing"].get("max_rows"),
    run:
        run_in_process(rule, "table_event_listing", input, output, params, wildcards, log)


# --- Restricted edition (w5): every event record as a point (annex). Reads
# the restricted records; only restricted chapters include it.


rule plot_event_points_map:
    input:
        **map_inputs(),
        events=clean("camrd_events"),
        code=code_of("plot_event_points_map", forked=True),
    output:
        svg=report(f"{BUILD}/figures/event-points-map.svg", category="Figures"),
        csv=f"{BUILD}/figures/event-points-map.csv",
        md=f"{BUILD}/figures/event-points-map.md",
        provenance=prov("figures/event-points-map"),
    log:
        log_path("plot_event_points_map"),
    params:
        **figure_params("event-points-map"),
        # above this many events the map shows their density (catalog: density)
        density_above=ARTIFACTS["figures"]["event-points-map"]["density"]["above"],
        density_cell_km=ARTIFACTS["figures"]["event-points-map"]["density"]["cell_km"],
        density_alt=ARTIFACTS["figures"]["event-points-map"]["density"]["alt"],
        density_note=ARTIFACTS["figures"]["event-points-map"]["density"]["note"],
    run:
        run_forked(rule, "plot_event_points_map", input, output, params, wildcards, log)
