# Stage 2a: the report's tables, each as build/tables/<id>.md (Quarto pipe
# table with caption and source line) and .csv (the numbers).


rule table_apprehensions_mexico:
    input:
        clean=clean("apprehensions_mexico"),
        code=package_code("tables", "sources", "fmt"),
    output:
        md=f"{BUILD}/tables/apprehensions-mexico.md",
        csv=f"{BUILD}/tables/apprehensions-mexico.csv",
    params:
        **table_params("apprehensions-mexico"),
    log:
        log_path("table_apprehensions_mexico"),
    script:
        "../scripts/table_apprehensions_mexico.py"


rule table_border_apprehensions:
    input:
        clean=clean("cbp_apprehensions_annual"),
        code=package_code("tables", "sources", "fmt"),
    output:
        md=f"{BUILD}/tables/border-apprehensions.md",
        csv=f"{BUILD}/tables/border-apprehensions.csv",
    params:
        **table_params("border-apprehensions"),
        first_year=2013,
        last_year=2016,
    log:
        log_path("table_border_apprehensions"),
    script:
        "../scripts/table_border_apprehensions.py"


rule table_police_laws:
    input:
        clean=clean("police_laws_policies"),
        endnotes=clean("endnotes"),
        code=package_code("tables", "texttable", "sources", "io"),
    output:
        md=f"{BUILD}/tables/police-laws.md",
        csv=f"{BUILD}/tables/police-laws.csv",
    params:
        **table_params("police-laws"),
    log:
        log_path("table_police_laws"),
    script:
        "../scripts/table_police_laws.py"


rule table_human_rights_practices:
    input:
        clean=clean("human_rights_practices"),
        endnotes=clean("endnotes"),
        code=package_code("tables", "texttable", "sources", "io"),
    output:
        md=f"{BUILD}/tables/human-rights-practices.md",
        csv=f"{BUILD}/tables/human-rights-practices.csv",
    params:
        **table_params("human-rights-practices"),
    log:
        log_path("table_human_rights_practices"),
    script:
        "../scripts/table_human_rights_practices.py"


rule table_acronyms:
    input:
        clean=clean("acronyms"),
        code=package_code("texttable", "sources", "io"),
    output:
        md=f"{BUILD}/tables/acronyms.md",
        csv=f"{BUILD}/tables/acronyms.csv",
    params:
        **table_params("acronyms"),
    log:
        log_path("table_acronyms"),
    script:
        "../scripts/table_acronyms.py"


rule table_errata:
    input:
        errata=f"{BUILD}/checks/errata.csv",
        code=package_code("tables", "texttable", "sources", "fmt", "io"),
    output:
        md=f"{BUILD}/tables/errata.md",
        csv=f"{BUILD}/tables/errata.csv",
    params:
        **table_params("errata"),
    log:
        log_path("table_errata"),
    script:
        "../scripts/table_errata.py"


# --- Part 3 (w2): text tables 3.1-3.3, Table 3.4 and its sensitivity appendix ---


rule table_criminal_actors:
    input:
        clean=clean("criminal_actors"),
        endnotes=clean("endnotes"),
        code=package_code("crimes", "tables", "sources"),
    output:
        md=f"{BUILD}/tables/criminal-actors.md",
        csv=f"{BUILD}/tables/criminal-actors.csv",
    params:
        **table_params("criminal-actors"),
    log:
        log_path("table_criminal_actors"),
    script:
        "../scripts/table_criminal_actors.py"


rule table_transactional_crimes:
    input:
        clean=clean("transactional_crimes"),
        actors=clean("criminal_actors"),
        endnotes=clean("endnotes"),
        code=package_code("crimes", "tables", "sources"),
    output:
        md=f"{BUILD}/tables/transactional-crimes.md",
        csv=f"{BUILD}/tables/transactional-crimes.csv",
    params:
        **table_params("transactional-crimes"),
    log:
        log_path("table_transactional_crimes"),
    script:
        "../scripts/table_transactional_crimes.py"


rule table_predatory_crimes:
    input:
        clean=clean("predatory_crimes"),
        actors=clean("criminal_actors"),
        endnotes=clean("endnotes"),
        code=package_code("crimes", "tables", "sources"),
    output:
        md=f"{BUILD}/tables/predatory-crimes.md",
        csv=f"{BUILD}/tables/predatory-crimes.csv",
    params:
        **table_params("predatory-crimes"),
    log:
        log_path("table_predatory_crimes"),
    script:
        "../scripts/table_predatory_crimes.py"


rule table_revenue_estimates:
    input:
        assumptions=clean("revenue_assumptions"),
        base=clean("migrant_base"),
        code=package_code("revenue", "crimes", "tables", "sources", "fmt"),
    output:
        md=f"{BUILD}/tables/revenue-estimates.md",
        csv=f"{BUILD}/tables/revenue-estimates.csv",
    params:
        **table_params("revenue-estimates"),
    log:
        log_path("table_revenue_estimates"),
    script:
        "../scripts/table_revenue_estimates.py"


rule table_revenue_scenarios:
    input:
        assumptions=clean("revenue_assumptions"),
        base=clean("migrant_base"),
        code=package_code("revenue", "crimes", "tables", "sources", "fmt"),
    output:
        md=f"{BUILD}/tables/revenue-scenarios.md",
        csv=f"{BUILD}/tables/revenue-scenarios.csv",
    params:
        **table_params("revenue-scenarios"),
    log:
        log_path("table_revenue_scenarios"),
    script:
        "../scripts/table_revenue_scenarios.py"
