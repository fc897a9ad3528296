# Stage 2a: the report's tables, each as build/tables/<id>.md (Quarto pipe
# table with caption and source line) and .csv (the numbers).


rule table_apprehensions_mexico:
    input:
        clean=clean("apprehensions_mexico"),
        code=code_of("table_apprehensions_mexico", in_process=True),
    output:
        md=f"{BUILD}/tables/apprehensions-mexico.md",
        csv=report(f"{BUILD}/tables/apprehensions-mexico.csv", category="Tables"),
        provenance=prov("tables/apprehensions-mexico"),
    log:
        log_path("table_apprehensions_mexico"),
    params:
        **table_params("apprehensions-mexico"),
    run:
        run_in_process(rule, "table_apprehensions_mexico", input, output, params, wildcards, log)


rule table_border_apprehensions:
    input:
        clean=clean("cbp_apprehensions_annual"),
        code=code_of("table_border_apprehensions", in_process=True),
    output:
        md=f"{BUILD}/tables/border-apprehensions.md",
        csv=report(f"{BUILD}/tables/border-apprehensions.csv", category="Tables"),
        provenance=prov("tables/border-apprehensions"),
    log:
        log_path("table_border_apprehensions"),
    params:
        **table_params("border-apprehensions"),
        first_year=2013,
        last_year=2016,
    run:
        run_in_process(rule, "table_border_apprehensions", input, output, params, wildcards, log)


rule table_police_laws:
    input:
        clean=clean("police_laws_policies"),
        endnotes=clean("endnotes"),
        code=code_of("table_police_laws", in_process=True),
    output:
        md=f"{BUILD}/tables/police-laws.md",
        csv=report(f"{BUILD}/tables/police-laws.csv", category="Tables"),
        provenance=prov("tables/police-laws"),
    log:
        log_path("table_police_laws"),
    params:
        **table_params("police-laws"),
    run:
        run_in_process(rule, "table_police_laws", input, output, params, wildcards, log)


rule table_human_rights_practices:
    input:
        clean=clean("human_rights_practices"),
        endnotes=clean("endnotes"),
        code=code_of("table_human_rights_practices", in_process=True),
    output:
        md=f"{BUILD}/tables/human-rights-practices.md",
        csv=report(f"{BUILD}/tables/human-rights-practices.csv", category="Tables"),
        provenance=prov("tables/human-rights-practices"),
    log:
        log_path("table_human_rights_practices"),
    params:
        **table_params("human-rights-practices"),
    run:
        run_in_process(rule, "table_human_rights_practices", input, output, params, wildcards, log)


rule table_acronyms:
    input:
        clean=clean("acronyms"),
        code=code_of("table_acronyms", in_process=True),
    output:
        md=f"{BUILD}/tables/acronyms.md",
        csv=report(f"{BUILD}/tables/acronyms.csv", category="Tables"),
        provenance=prov("tables/acronyms"),
    log:
        log_path("table_acronyms"),
    params:
        **table_params("acronyms"),
    run:
        run_in_process(rule, "table_acronyms", input, output, params, wildcards, log)


rule table_errata:
    input:
        errata=f"{BUILD}/checks/errata.csv",
        code=code_of("table_errata", in_process=True),
    output:
        md=f"{BUILD}/tables/errata.md",
        csv=report(f"{BUILD}/tables/errata.csv", category="Tables"),
        provenance=prov("tables/errata"),
    log:
        log_path("table_errata"),
    params:
        **table_params("errata"),
    run:
        run_in_process(rule, "table_errata", input, output, params, wildcards, log)


# --- Part 3 (w2): text tables 3.1-3.3, Table 3.4 and its sensitivity appendix ---


rule table_criminal_actors:
    input:
        clean=clean("criminal_actors"),
        endnotes=clean("endnotes"),
        code=code_of("table_criminal_actors", in_process=True),
    output:
        md=f"{BUILD}/tables/criminal-actors.md",
        csv=report(f"{BUILD}/tables/criminal-actors.csv", category="Tables"),
        provenance=prov("tables/criminal-actors"),
    log:
        log_path("table_criminal_actors"),
    params:
        **table_params("criminal-actors"),
    run:
        run_in_process(rule, "table_criminal_actors", input, output, params, wildcards, log)


rule table_transactional_crimes:
    input:
        clean=clean("transactional_crimes"),
        actors=clean("criminal_actors"),
        endnotes=clean("endnotes"),
        code=code_of("table_transactional_crimes", in_process=True),
    output:
        md=f"{BUILD}/tables/transactional-crimes.md",
        csv=report(f"{BUILD}/tables/transactional-crimes.csv", category="Tables"),
        provenance=prov("tables/transactional-crimes"),
    log:
        log_path("table_transactional_crimes"),
    params:
        **table_params("transactional-crimes"),
    run:
        run_in_process(rule, "table_transactional_crimes", input, output, params, wildcards, log)


rule table_predatory_crimes:
    input:
        clean=clean("predatory_crimes"),
        actors=clean("criminal_actors"),
        endnotes=clean("endnotes"),
        code=code_of("table_predatory_crimes", in_process=True),
    output:
        md=f"{BUILD}/tables/predatory-crimes.md",
        csv=report(f"{BUILD}/tables/predatory-crimes.csv", category="Tables"),
        provenance=prov("tables/predatory-crimes"),
    log:
        log_path("table_predatory_crimes"),
    params:
        **table_params("predatory-crimes"),
    run:
        run_in_process(rule, "table_predatory_crimes", input, output, params, wildcards, log)


rule table_revenue_estimates:
    input:
        assumptions=clean("revenue_assumptions"),
        base=clean("migrant_base"),
        code=code_of("table_revenue_estimates", in_process=True),
    output:
        md=f"{BUILD}/tables/revenue-estimates.md",
        csv=report(f"{BUILD}/tables/revenue-estimates.csv", category="Tables"),
        provenance=prov("tables/revenue-estimates"),
    log:
        log_path("table_revenue_estimates"),
    params:
        **table_params("revenue-estimates"),
    run:
        run_in_process(rule, "table_revenue_estimates", input, output, params, wildcards, log)


rule table_revenue_scenarios:
    input:
        assumptions=clean("revenue_assumptions"),
        base=clean("migrant_base"),
        code=code_of("table_revenue_scenarios", in_process=True),
    output:
        md=f"{BUILD}/tables/revenue-scenarios.md",
        csv=report(f"{BUILD}/tables/revenue-scenarios.csv", category="Tables"),
        provenance=prov("tables/revenue-scenarios"),
    log:
        log_path("table_revenue_scenarios"),
    params:
        **table_params("revenue-scenarios"),
    run:
        run_in_process(rule, "table_revenue_scenarios", input, output, params, wildcards, log)
