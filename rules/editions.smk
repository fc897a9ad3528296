# Stage 3: each edition is rendered from its own render tree build/src/<edition>/
# into build/<edition>/ (index.html, one page per chapter, report.pdf). The
# pages are rendered into a temporary folder and swapped in at the end, and
# the outputs are update() outputs (kept before the job, restored if it
# fails): a render error or a full disk leaves the previous edition in place.


rule render_edition:
    input:
        unpack(render_inputs),
    output:
        html=update(f"{BUILD}/{{edition}}/index.html"),
        pdf=update(f"{BUILD}/{{edition}}/report.pdf"),
        provenance=update(prov("editions/{edition}")),
    log:
        log_path("render_edition", "{edition}"),
    params:
        profile=edition_profile,
        overlay=edition_overlay,
        tree=f"{BUILD}/src/{{edition}}",
        report_dir=REPORT,
        engine=config["render_engine"],
        quarto=config["quarto"],
        source_date_epoch=config["source_date_epoch"],
    script:
        "../scripts/render_edition.py"
