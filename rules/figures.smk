# Stage 2c: the report's figures, each as build/figures/<id>.svg (the image),
# <id>.csv (the plotted data) and <id>.md (the Quarto figure snippet with
# caption, alt text and source line that a chapter includes).


rule plot_border_apprehensions_monthly:
    input:
        clean=clean("cbp_sw_border_monthly"),
        code=package_code("style", "sources"),
    output:
        svg=f"{BUILD}/figures/border-apprehensions-monthly.svg",
        csv=f"{BUILD}/figures/border-apprehensions-monthly.csv",
        md=f"{BUILD}/figures/border-apprehensions-monthly.md",
    params:
        **figure_params("border-apprehensions-monthly"),
    log:
        log_path("plot_border_apprehensions_monthly"),
    script:
        "../scripts/plot_border_apprehensions_monthly.py"
