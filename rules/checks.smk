# Checks: reconciliation of the 2018 print with the data, and the data
# package's integrity.


rule check_errata:
    input:
        printed=clean("printed_values"),
        explanations=clean("errata_explanations"),
        findings=clean("reconciliation_findings"),
        datasets=printed_datasets,
        code=code_of("check_errata", in_process=True),
    output:
        errata=f"{BUILD}/checks/errata.csv",
        all=f"{BUILD}/checks/reconciliation.csv",
        provenance=prov("checks/errata"),
    log:
        log_path("check_errata"),
    run:
        run_in_process(rule, "check_errata", input, output, params, wildcards, log)


rule check_datapackage:
    input:
        raw=[raw_path_of(n) for n in TABULAR],
        clean=[clean(n) for n in TABULAR],
        code=code_of("check_datapackage", in_process=True),
    output:
        summary=f"{BUILD}/checks/datasets.csv",
        provenance=prov("checks/datasets"),
    log:
        log_path("check_datapackage"),
    params:
        resources=[resource(DATA, n) for n in TABULAR],
    run:
        run_in_process(rule, "check_datapackage", input, output, params, wildcards, log)
