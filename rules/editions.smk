# Stage 3: each edition is rendered from its own render tree build/src/<edition>/
# into build/<edition>/ (index.html, one page per chapter, report.pdf).


rule render_edition:
    input:
        unpack(render_inputs),
    output:
        html=f"{BUILD}/{{edition}}/index.html",
        pdf=f"{BUILD}/{{edition}}/report.pdf",
        provenance=prov("editions/{edition}"),
    log:
        log_path("render_edition", "{edition}"),
    benchmark:
        bench_path("editions-{edition}")
    params:
        profile=edition_profile,
        tree=f"{BUILD}/src/{{edition}}",
        report_dir=REPORT,
        engine=config["render_engine"],
        quarto=config["quarto"],
        source_date_epoch=config["source_date_epoch"],
    script:
        "../scripts/render_edition.py"
