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
