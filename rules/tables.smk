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
