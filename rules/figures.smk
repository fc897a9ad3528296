# Stage 2c: the report's figures, each as build/figures/<id>.svg (the image),
# <id>.csv (the plotted data) and <id>.md (the Quarto figure snippet with
# caption, alt text and source line that a chapter includes).


rule plot_border_apprehensions_monthly:
    input:
        clean=clean("cbp_sw_border_monthly"),
        code=code_of("plot_border_apprehensions_monthly", forked=True),
    output:
        svg=report(f"{BUILD}/figures/border-apprehensions-monthly.svg", category="Figures"),
        csv=f"{BUILD}/figures/border-apprehensions-monthly.csv",
        md=f"{BUILD}/figures/border-apprehensions-monthly.md",
        provenance=prov("figures/border-apprehensions-monthly"),
    log:
        log_path("plot_border_apprehensions_monthly"),
    params:
        **figure_params("border-apprehensions-monthly"),
    run:
        run_forked(rule, "plot_border_apprehensions_monthly", input, output, params, wildcards, log)


rule plot_homicide_rates:
    input:
        clean=clean("homicide_rates"),
        code=code_of("plot_homicide_rates", forked=True),
    output:
        svg=report(f"{BUILD}/figures/homicide-rates.svg", category="Figures"),
        csv=f"{BUILD}/figures/homicide-rates.csv",
        md=f"{BUILD}/figures/homicide-rates.md",
        provenance=prov("figures/homicide-rates"),
    log:
        log_path("plot_homicide_rates"),
    params:
        **figure_params("homicide-rates"),
    run:
        run_forked(rule, "plot_homicide_rates", input, output, params, wildcards, log)


# --- Part 3 (w2): sensitivity of Table 3.4 (appendix) and the Oaxaca justice funnel ---


rule plot_revenue_sensitivity:
    input:
        assumptions=clean("revenue_assumptions"),
        base=clean("migrant_base"),
        code=code_of("plot_revenue_sensitivity", forked=True),
    output:
        svg=report(f"{BUILD}/figures/revenue-sensitivity.svg", category="Figures"),
        csv=f"{BUILD}/figures/revenue-sensitivity.csv",
        md=f"{BUILD}/figures/revenue-sensitivity.md",
        provenance=prov("figures/revenue-sensitivity"),
    log:
        log_path("plot_revenue_sensitivity"),
    params:
        **figure_params("revenue-sensitivity"),
    run:
        run_forked(rule, "plot_revenue_sensitivity", input, output, params, wildcards, log)


rule plot_oaxaca_justice_funnel:
    input:
        clean=clean("oaxaca_justice_funnel"),
        code=code_of("plot_oaxaca_justice_funnel", forked=True),
    output:
        svg=report(f"{BUILD}/figures/oaxaca-justice-funnel.svg", category="Figures"),
        csv=f"{BUILD}/figures/oaxaca-justice-funnel.csv",
        md=f"{BUILD}/figures/oaxaca-justice-funnel.md",
        provenance=prov("figures/oaxaca-justice-funnel"),
    log:
        log_path("plot_oaxaca_justice_funnel"),
    params:
        **figure_params("oaxaca-justice-funnel"),
    run:
        run_forked(rule, "plot_oaxaca_justice_funnel", input, output, params, wildcards, log)


rule plot_federal_agencies:
    input:
        agencies=clean("federal_agencies"),
        relations=clean("agency_relations"),
        code=code_of("plot_federal_agencies", forked=True),
    output:
        svg=report(f"{BUILD}/figures/federal-agencies.svg", category="Figures"),
        csv=f"{BUILD}/figures/federal-agencies.csv",
        md=f"{BUILD}/figures/federal-agencies.md",
        provenance=prov("figures/federal-agencies"),
    log:
        log_path("plot_federal_agencies"),
    params:
        **figure_params("federal-agencies"),
        max_slots=6,
    run:
        run_forked(rule, "plot_federal_agencies", input, output, params, wildcards, log)


# Part 3: the crime-event figures (3.1-3.7). They read only the released,
# disclosure-controlled aggregates committed in data/released/ (see
# release_aggregates in data.smk), never the restricted events.


rule plot_crime_locations:
    input:
        location=clean("events_by_state_location"),
        code=code_of("plot_crime_locations", forked=True),
    output:
        svg=report(f"{BUILD}/figures/crime-locations.svg", category="Figures"),
        csv=f"{BUILD}/figures/crime-locations.csv",
        md=f"{BUILD}/figures/crime-locations.md",
        provenance=prov("figures/crime-locations"),
    log:
        log_path("plot_crime_locations"),
    params:
        **figure_params("crime-locations"),
        k=DISCLOSURE_K,
    run:
        run_forked(rule, "plot_crime_locations", input, output, params, wildcards, log)


rule plot_crime_rail_map:
    input:
        **map_inputs(),
        along=clean("events_rail_segments"),
        totals=clean("events_by_state"),
        code=code_of("plot_crime_rail_map", forked=True),
    output:
        svg=report(f"{BUILD}/figures/crime-rail-map.svg", category="Figures"),
        csv=f"{BUILD}/figures/crime-rail-map.csv",
        md=f"{BUILD}/figures/crime-rail-map.md",
        provenance=prov("figures/crime-rail-map"),
    log:
        log_path("plot_crime_rail_map"),
    params:
        **figure_params("crime-rail-map"),
        k=DISCLOSURE_K,
        rail_buffer_km=RAIL_BUFFER_KM,
    run:
        run_forked(rule, "plot_crime_rail_map", input, output, params, wildcards, log)


rule plot_crime_states_map:
    input:
        **map_inputs(),
        totals=clean("events_by_state"),
        code=code_of("plot_crime_states_map", forked=True),
    output:
        svg=report(f"{BUILD}/figures/crime-states-map.svg", category="Figures"),
        csv=f"{BUILD}/figures/crime-states-map.csv",
        md=f"{BUILD}/figures/crime-states-map.md",
        provenance=prov("figures/crime-states-map"),
    log:
        log_path("plot_crime_states_map"),
    params:
        **figure_params("crime-states-map"),
        k=DISCLOSURE_K,
    run:
        run_forked(rule, "plot_crime_states_map", input, output, params, wildcards, log)


rule plot_top_states:
    input:
        totals=clean("events_by_state"),
        code=code_of("plot_top_states", forked=True),
    output:
        svg=report(f"{BUILD}/figures/top-states.svg", category="Figures"),
        csv=f"{BUILD}/figures/top-states.csv",
        md=f"{BUILD}/figures/top-states.md",
        provenance=prov("figures/top-states"),
    log:
        log_path("plot_top_states"),
    params:
        **figure_params("top-states"),
    run:
        run_forked(rule, "plot_top_states", input, output, params, wildcards, log)


rule plot_southern_border_map:
    input:
        **map_inputs(),
        totals=clean("events_by_state"),
        grid=clean("events_grid"),
        code=code_of("plot_southern_border_map", forked=True),
    output:
        svg=report(f"{BUILD}/figures/southern-border-map.svg", category="Figures"),
        csv=f"{BUILD}/figures/southern-border-map.csv",
        md=f"{BUILD}/figures/southern-border-map.md",
        provenance=prov("figures/southern-border-map"),
    log:
        log_path("plot_southern_border_map"),
    params:
        **figure_params("southern-border-map"),
        k=DISCLOSURE_K,
        grid_degrees=GRID_DEGREES,
    run:
        run_forked(rule, "plot_southern_border_map", input, output, params, wildcards, log)


rule plot_us_border_map:
    input:
        **map_inputs(),
        totals=clean("events_by_state"),
        grid=clean("events_grid"),
        code=code_of("plot_us_border_map", forked=True),
    output:
        svg=report(f"{BUILD}/figures/us-border-map.svg", category="Figures"),
        csv=f"{BUILD}/figures/us-border-map.csv",
        md=f"{BUILD}/figures/us-border-map.md",
        provenance=prov("figures/us-border-map"),
    log:
        log_path("plot_us_border_map"),
    params:
        **figure_params("us-border-map"),
        k=DISCLOSURE_K,
        grid_degrees=GRID_DEGREES,
    run:
        run_forked(rule, "plot_us_border_map", input, output, params, wildcards, log)


rule plot_perpetrators_top_states:
    input:
        totals=clean("events_by_state"),
        perpetrator=clean("events_by_state_perpetrator"),
        code=code_of("plot_perpetrators_top_states", forked=True),
    output:
        svg=report(f"{BUILD}/figures/perpetrators-top-states.svg", category="Figures"),
        csv=f"{BUILD}/figures/perpetrators-top-states.csv",
        md=f"{BUILD}/figures/perpetrators-top-states.md",
        provenance=prov("figures/perpetrators-top-states"),
    log:
        log_path("plot_perpetrators_top_states"),
    params:
        **figure_params("perpetrators-top-states"),
        k=DISCLOSURE_K,
    run:
        run_forked(rule, "plot_perpetrators_top_states", input, output, params, wildcards, log)


# --- chapters/part1-background.qmd: figure poverty-rates (started with prp.tools.scaffold) ---


rule plot_poverty_rates:
    input:
        clean=clean("poverty_rates"),
        code=code_of("plot_poverty_rates", forked=True),
    output:
        svg=report(f"{BUILD}/figures/poverty-rates.svg", category="Figures"),
        csv=f"{BUILD}/figures/poverty-rates.csv",
        md=f"{BUILD}/figures/poverty-rates.md",
        provenance=prov("figures/poverty-rates"),
    log:
        log_path("plot_poverty_rates"),
    params:
        **figure_params("poverty-rates"),
    run:
        run_forked(rule, "plot_poverty_rates", input, output, params, wildcards, log)
