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
