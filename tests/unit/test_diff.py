"""Pure comparison functions of prp.tools.diff on tiny in-memory builds."""

from __future__ import annotations

import copy

from prp.tools.diff_compare import (
    BuildView,
    chapter_of,
    choose_key,
    compare,
    diff_provenance,
    diff_table,
    diff_variables,
    flatten,
    page_sections,
    parse_csv,
    variable_usage,
    word_diff,
)
from prp.tools.diff_render import render_html, render_markdown, summary

PAGE = """<html><body><nav><p>Contents</p></nav><main id="content">
<h1 id="sec-crime"><span class="chapter-number">Part 3.</span> Crime</h1>
<p>Some {n} migrants a year.</p>
<h2 id="sec-revenue">Revenue</h2>
<p>Kidnapping brings <a class="prp-var" title="tip">{m}</a> million.</p>
<table id="tbl-revenue"><caption><span class="prp-caption-label">Table 3.4:</span> Revenue
</caption><tr><td>{m}</td></tr></table>
<details class="provenance"><summary>Provenance</summary><code>{sha}</code></details>
<figure id="fig-sens"><img src="x.svg" alt="bars"><figcaption><span
class="prp-caption-label">Figure C.1:</span> Sensitivity</figcaption></figure>
<p>Hash in text: <code>{sha}</code><br>end.</p>
</main><footer>foot {n}</footer></body></html>"""


def page(n: str, m: str, sha: str = "a" * 64) -> str:
    return PAGE.format(n=n, m=m, sha=sha)


def test_flatten_nests_keys_and_stringifies():
    assert flatten({"revenue": {"base": "400,000", "n": 4}, "x": None}) == {
        "revenue.base": "400,000",
        "revenue.n": "4",
        "x": "",
    }


def test_variable_usage_and_changes():
    usage = variable_usage(
        {
            "chapters/a.qmd": "of {{< var revenue.base >}} and {{<var revenue.base>}}",
            "chapters/b.qmd": "{{< var revenue.base >}} {{< var other.key >}}",
        }
    )
    assert usage == {
        "revenue.base": ["chapters/a.qmd", "chapters/b.qmd"],
        "other.key": ["chapters/b.qmd"],
    }
    changes = diff_variables(
        {"revenue.base": "400,000", "same": "1", "gone": "x"},
        {"revenue.base": "450,000", "same": "1", "new": "y"},
        usage,
    )
    assert [(c.key, c.old, c.new, c.chapters) for c in changes] == [
        ("gone", "x", None, ()),
        ("new", None, "y", ()),
        ("revenue.base", "400,000", "450,000", ("chapters/a.qmd", "chapters/b.qmd")),
    ]


def test_chapter_of_reads_title_and_page():
    ch = chapter_of("chapters/p3.qmd", "# Organized Crime {#sec-organized-crime}\n\ntext")
    assert (ch.title, ch.page) == ("Organized Crime", "sec-organized-crime.html")
    assert chapter_of("index.qmd", "# About {.unnumbered}\n").page == "index.html"


def test_table_cells_aligned_on_key_even_when_rows_move():
    old = "id,name,value\nb,Bee,2\na,Ay,1\nc,Cee,3\n"
    new = "id,name,value\na,Ay,1\nb,Bee,20\nc,Cee,3\n"
    d = diff_table("t", old, new)
    assert d.key == ["id"]
    assert [(c.row, c.column, c.old, c.new) for c in d.cells] == [("b", "value", "2", "20")]
    assert d.reordered and d.changed and not d.added_rows and not d.removed_rows


def test_unchanged_table_is_not_changed():
    text = "id,value\na,1\n"
    assert not diff_table("t", text, text).changed


def test_key_falls_back_to_position_when_key_column_itself_changes():
    old_cols, old_rows = parse_csv("year,value\n2016,1\n2017,2\n")
    new_cols, new_rows = parse_csv("year,value\n2016,1\n2018,2\n")
    # "year" is unique but rows no longer match: same count, so by position
    assert choose_key(old_cols, old_rows, new_cols, new_rows) == ["year", "value"][:0]
    d = diff_table("t", "year,value\n2016,1\n2017,2\n", "year,value\n2016,1\n2018,2\n")
    assert [(c.row, c.column, c.old, c.new) for c in d.cells] == [("row 2", "year", "2017", "2018")]


def test_added_and_removed_rows_and_columns():
    d = diff_table("t", "id,v,w\na,1,x\nb,2,y\n", "id,v,z\na,1,q\nc,3,r\nd,4,s\n")
    assert d.key == ["id"]
    assert d.added_rows == ["c", "d"]
    assert [k for k, _ in d.removed_rows] == ["b"]
    assert d.added_columns == ["z"] and d.removed_columns == ["w"]
    assert diff_table("t", None, "id\na\n").status == "added"
    assert diff_table("t", "id\na\n", None).status == "removed"


def test_page_sections_skip_provenance_generated_tables_and_chrome():
    sections = page_sections("sec-crime.html", page("400,000", "20.7"), ["tbl-revenue"])
    assert [(s.id, s.title) for s in sections] == [
        ("sec-crime", "Part 3. Crime"),
        ("sec-revenue", "Revenue"),
    ]
    assert sections[0].text == "Part 3. Crime Some 400,000 migrants a year."
    text = sections[1].text
    assert "Kidnapping brings 20.7 million." in text
    assert "Provenance" not in text and "tip" not in text and "foot" not in text
    assert "Table 3.4" not in text  # the generated table is reported as cells
    assert "‹sha256›" in text and "a" * 12 not in text
    assert "Figure C.1: Sensitivity" in text and text.endswith("end.")


def test_word_diff_hunks_keep_context():
    old = " ".join(f"w{i}" for i in range(40))
    new = old.replace("w20", "X20").replace("w21 ", "")
    hunks = word_diff(old, new, context=3)
    assert len(hunks) == 1
    changed = [(t, o, n) for t, o, n in hunks[0] if t != "equal"]
    assert changed == [("replace", ["w20", "w21"], ["X20"])] or changed == [
        ("replace", ["w20"], ["X20"]),
        ("delete", ["w21"], []),
    ]
    assert hunks[0][0] == ("equal", ["w17", "w18", "w19"], ["w17", "w18", "w19"])
    assert word_diff("same text", "same text") == []


RECORD = {
    "rule": "table_revenue",
    "script": {"path": "scripts/table_revenue.py", "sha256": "s1"},
    "modules": [{"path": "scripts/prp/artifacts/revenue.py", "sha256": "m1"}],
    "inputs": [
        {"path": "data/raw/migrant_base.csv", "sha256": "d1"},
        {"path": "build/clean/migrant_base.parquet", "sha256": "c1"},
    ],
    "outputs": [{"path": "build/tables/revenue.csv", "sha256": "o1"}],
    "params": {"id": "revenue", "k": 5},
    "environment": {"python": "3.11.7", "packages": {"pandas": "3.1.1"}},
    "source_tree": {"commit": "abc", "dirty": False},
}


def test_provenance_ignores_commit_and_dirty_and_normalises_roots():
    a = copy.deepcopy(RECORD)
    b = copy.deepcopy(RECORD)
    b["source_tree"] = {"commit": "def", "dirty": True}
    a["params"]["dir"] = "/tmp/base/data/restricted"
    b["params"]["dir"] = "/home/x/repo/data/restricted"
    d = diff_provenance({"j": a}, {"j": b}, ["/tmp/base", "/home/x/repo"])
    assert not d.changed and d.jobs_changed == []


def test_provenance_names_inputs_code_params_environment():
    b = copy.deepcopy(RECORD)
    b["inputs"][0]["sha256"] = "d2"
    b["inputs"][1]["sha256"] = "c2"
    b["modules"][0]["sha256"] = "m2"
    b["params"]["k"] = 6
    b["environment"]["packages"]["pandas"] = "3.2.0"
    d = diff_provenance({"j": RECORD, "gone": RECORD}, {"j": b, "new": RECORD})
    assert [(c.path, c.old, c.new, c.jobs) for c in d.inputs] == [
        ("data/raw/migrant_base.csv", "d1", "d2", ("j",))
    ]
    assert d.intermediate == ["build/clean/migrant_base.parquet"]
    assert [(c.path, c.old, c.new) for c in d.code] == [
        ("scripts/prp/artifacts/revenue.py", "m1", "m2")
    ]
    assert [(c.job, c.key, c.old, c.new) for c in d.params] == [("j", "k", "5", "6")]
    assert [(c.key, c.old, c.new) for c in d.environment] == [("packages.pandas", "3.1.1", "3.2.0")]
    assert d.jobs_added == ["new"] and d.jobs_removed == ["gone"] and d.jobs_changed == ["j"]


def view(n: str, m: str, fig: str, sha: str, data_sha: str) -> BuildView:
    rec = copy.deepcopy(RECORD)
    rec["inputs"][0]["sha256"] = data_sha
    return BuildView(
        variables={"revenue.base": n, "revenue.kidnap": m, "other.same": "7"},
        chapters={"chapters/p3.qmd": "# Crime {#sec-crime}\n{{< var revenue.base >}}\n"},
        tables={"revenue": f"id,value\nkidnap,{m}\nrobbery,1.2\n"},
        figures={"sens": f"p,v\na,{fig}\n", "other": "p,v\na,1\n"},
        svgs={"sens": f"<svg><text>{fig}</text></svg>", "other": "<svg/>"},
        pages={"sec-crime.html": page(n, m, sha)},
        jobs={"tables/revenue": rec},
    )


def test_compare_reports_exactly_what_changed():
    base = view("400,000", "20.7", "134.9", "a" * 64, "d1")
    head = view("450,000", "23.2", "151.8", "b" * 64, "d2")
    d = compare("public", base, head, "HEAD~1", "working tree")
    assert [(v.key, v.old, v.new) for v in d.variables] == [
        ("revenue.base", "400,000", "450,000"),
        ("revenue.kidnap", "20.7", "23.2"),
    ]
    assert d.chapters["chapters/p3.qmd"].title == "Part 3. Crime"  # as printed
    assert [(t.id, [(c.row, c.new) for c in t.cells]) for t in d.tables] == [
        ("revenue", [("kidnap", "23.2")])
    ]
    assert [f.id for f in d.figures] == ["sens"] and d.images_only == []
    assert d.svgs["sens"] == ("<svg><text>134.9</text></svg>", "<svg><text>151.8</text></svg>")
    assert [(s.id, s.status) for s in d.sections] == [
        ("sec-crime", "changed"),
        ("sec-revenue", "changed"),
    ]
    assert [c.path for c in d.provenance.inputs] == ["data/raw/migrant_base.csv"]
    assert d.labels["tbl-revenue"][0] == "Table 3.4"
    md = render_markdown(d)
    assert "| `revenue.base` | 400,000 | 450,000 | Part 3. Crime |" in md
    assert "~~20.7~~ → **23.2**" in md and "[-400,000-]{+450,000+}" in md
    page_html = render_html(d, "body{}")
    assert "<del>20.7</del> <ins>23.2</ins>" in page_html
    assert page_html.count("data:image/svg+xml;base64,") == 2
    text = summary(d)
    assert "revenue.base: 400,000 → 450,000   [Part 3. Crime]" in text
    assert "table cells changed: 1 in 1 tables: Table 3.4 (1)" in text
    assert "figures with changed data: 1: Figure C.1" in text


def test_compare_of_identical_builds_is_empty():
    base = view("400,000", "20.7", "134.9", "a" * 64, "d1")
    d = compare("public", base, copy.deepcopy(base), "a", "b")
    assert d.empty()
    assert "No differences." in render_markdown(d)
    assert summary(d).endswith("no differences")


def test_provenance_files_that_embed_the_commit_are_not_compared():
    a = copy.deepcopy(RECORD)
    a["inputs"].append({"path": "build/provenance/tables/revenue.json", "sha256": "p1"})
    a["outputs"].append({"path": "build/public/provenance.json", "sha256": "e1"})
    b = copy.deepcopy(a)
    b["inputs"][-1]["sha256"] = "p2"
    b["outputs"][-1]["sha256"] = "e2"
    d = diff_provenance({"editions/public": a}, {"editions/public": b})
    assert d.jobs_changed == [] and d.intermediate == [] and not d.changed
