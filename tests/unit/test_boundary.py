"""The edition boundary (prp.runtime.boundary): chapters that reference
restricted or unknown names, job graphs in which a public output depends on
restricted material, and where restricted data may live."""

from __future__ import annotations

from pathlib import Path

import pytest

from prp.runtime import boundary as B

PUBLIC_PROFILE = """\
book:
  title: T
  chapters:
    - index.qmd
    - chapters/a.qmd
"""
RESTRICTED_PROFILE = """\
book:
  title: T
  chapters:
    - index.qmd
    - chapters/a.qmd
    - restricted/r.qmd
"""


@pytest.fixture
def book(tmp_path: Path) -> tuple[Path, Path]:
    report = tmp_path / "report"
    (report / "chapters").mkdir(parents=True)
    (report / "_quarto.yml").write_text("project:\n  type: book\n")
    (report / "_quarto-public.yml").write_text(PUBLIC_PROFILE)
    (report / "_quarto-restricted.yml").write_text(RESTRICTED_PROFILE)
    (report / "index.qmd").write_text("# Index\n\n{{< var events.n_events >}} events.\n")
    (report / "chapters/a.qmd").write_text("# A\n\n{{< include ../tables/crime-table.md >}}\n")
    secret = tmp_path / "build/restricted-src/report"
    secret.mkdir(parents=True)
    (secret / "r.qmd").write_text("# R\n\n{{< var restricted_events.hotspots >}}\n")
    return report, secret


CATALOG = B.Catalog(
    public_ids={"crime-table", "crime-map"},
    restricted_ids={"event-listing", "event-points-map"},
    public_namespaces={"events"},
    restricted_namespaces={"restricted_events"},
    restricted_paths=["build/restricted-src", "restricted", "report/restricted"],
)


def problems(report: Path, profile: str, overlay=None, catalog=CATALOG) -> list[str]:
    refs = B.references(report, profile, overlay)
    return B.chapter_problems(refs, catalog, profile == "restricted", profile)


def test_clean_editions_pass(book):
    report, secret = book
    assert problems(report, "public") == []
    assert problems(report, "restricted", {"restricted/": secret}) == []


def test_the_two_contributor_errors_are_refused_with_chapter_line_and_name(book):
    report, _ = book
    with open(report / "chapters/a.qmd", "a") as fh:
        fh.write("\n{{< var restricted_events.hotspots >}}\n\n")
        fh.write("{{< include ../tables/event-listing.md >}}\n")
    got = problems(report, "public")
    assert len(got) == 2
    assert got[0].startswith("report/chapters/a.qmd:5: ") and "'restricted_events'" in got[0]
    assert "restricted variable namespace" in got[0]
    assert got[1].startswith("report/chapters/a.qmd:7: ") and "'event-listing'" in got[1]
    assert "restricted table" in got[1]


def test_restricted_figures_and_files_are_refused_in_public(book):
    report, _ = book
    (report / "chapters/a.qmd").write_text(
        "# A\n\n![map](../figures/event-points-map.svg)\n\n"
        "See [the records](../../build/restricted-src/data/events.csv).\n\n"
        "{{< include ../restricted/r.qmd >}}\n"
    )
    got = problems(report, "public")
    assert any(":3: " in p and "restricted figure 'event-points-map'" in p for p in got), got
    assert any(
        ":5: " in p and "restricted file 'build/restricted-src/data/events.csv'" in p for p in got
    )
    assert any(":7: " in p and "restricted file 'report/restricted/r.qmd'" in p for p in got)


def test_an_unknown_namespace_is_refused_in_every_edition(book):
    report, secret = book
    (secret / "r.qmd").write_text("# R\n\n{{< var nosuch.value >}}\n")
    got = problems(report, "restricted", {"restricted/": secret})
    assert got == [
        "report/restricted/r.qmd:3: unknown variable namespace 'nosuch' "
        "({{< var nosuch.value >}}): no rule writes build/numbers/nosuch.yml; add "
        "config/numbers/nosuch.yaml or a numbers_* rule, or fix the name"
    ]


def test_without_the_restricted_sources_restricted_names_are_unknown_but_still_refused(book):
    report, _ = book
    with open(report / "chapters/a.qmd", "a") as fh:
        fh.write("\n{{< var restricted_events.hotspots >}}\n\n")
        fh.write("{{< include ../tables/event-listing.md >}}\n")
    keyless = B.Catalog(
        public_ids=CATALOG.public_ids,
        public_namespaces=CATALOG.public_namespaces,
        restricted_paths=CATALOG.restricted_paths,
        restricted_known=False,
    )
    got = problems(report, "public", catalog=keyless)
    assert len(got) == 2
    assert "'restricted_events' is not a variable namespace of this build" in got[0]
    assert "a restricted namespace, which the public edition may not use" in got[0]
    assert "a restricted table, which the public edition may not include" in got[1]


def job(name, inputs=(), outputs=(), depends=()):
    return B.JobView(name, tuple(inputs), tuple(outputs), tuple(depends))


def test_graph_check_finds_a_public_figure_that_reads_restricted_data():
    jobs = [
        job(
            "validate_dataset", ["build/restricted-src/data/events.csv"], ["build/clean/e.parquet"]
        ),
        job("plot_new_figure", ["build/clean/e.parquet"], ["build/figures/new.md"], [0]),
        job("validate_dataset", ["data/raw/a.csv"], ["build/clean/a.parquet"]),
        job("render_edition", ["build/figures/new.md"], ["build/public/index.html"], [1, 2]),
        job("render_edition", ["build/clean/e.parquet"], ["build/restricted/index.html"], [0]),
    ]
    got = B.graph_problems(jobs, ["build/public/index.html"], ["build/restricted-src"])
    assert len(got) == 3  # validate, the figure, and the render of the public edition
    assert any("plot_new_figure" in p and "build/restricted-src/data/events.csv" in p for p in got)
    ok = B.graph_problems(
        jobs[2:3] + [job("render_edition", [], ["build/public/index.html"], [0])],
        ["build/public/index.html"],
        ["build/restricted-src"],
    )
    assert ok == []


def test_graph_check_finds_a_public_job_reading_what_an_earlier_keyed_build_left():
    # a public build: the restricted rules do not exist, but their outputs do
    jobs = [
        job("plot_new_figure", ["build/tables/event-listing.csv"], ["build/figures/n.md"]),
        job("plot_other", ["build/clean/camrd_events.parquet"], ["build/figures/o.md"]),
        job(
            "render_edition",
            ["build/figures/n.md", "build/figures/o.md"],
            ["build/public/index.html"],
            [0, 1],
        ),
    ]
    made = B.template_regex(["build/tables/{id}.csv", "build/numbers/restricted_events.yml"])
    got = B.graph_problems(
        jobs, ["build/public/index.html"], ["build/clean/camrd_events.parquet"], made
    )
    assert len(got) == 3
    assert any("plot_new_figure" in p and "build/tables/event-listing.csv" in p for p in got)
    assert any("plot_other" in p and "build/clean/camrd_events.parquet" in p for p in got)
    assert made.fullmatch("build/tables/x.csv") and not made.fullmatch("build/tables/a/b.csv")


def test_restricted_dir_must_lie_outside_every_public_input(tmp_path):
    for bad in ("data/raw", "data", "report/x", ".", "config", "build/tables"):
        assert B.restricted_dir_problem(bad, "data", tmp_path, "build/restricted-src"), bad
    for good in ("build/restricted-src/data", "/srv/restricted", "../outside"):
        assert B.restricted_dir_problem(good, "data", tmp_path, "build/restricted-src") is None
    msg = B.restricted_dir_problem("data/raw", "data", tmp_path, "build/restricted-src")
    assert "restricted_dir 'data/raw'" in msg and "'data'" in msg
