# Provenance: each edition's trail as build/<edition>/provenance.json and an
# RO-Crate (Workflow Run Crate profile), built from the per-job records that
# every rule writes to build/provenance/.


rule export_provenance:
    input:
        record=prov("editions/{edition}"),
        html=f"{BUILD}/{{edition}}/index.html",
        code=code_of("export_provenance", in_process=True),
    output:
        json=update(f"{BUILD}/{{edition}}/provenance.json"),
        crate=update(f"{BUILD}/{{edition}}/ro-crate-metadata.json"),
    log:
        log_path("export_provenance", "{edition}"),
    params:
        edition="{edition}",
    run:
        run_in_process(rule, "export_provenance", input, output, params, wildcards, log)
