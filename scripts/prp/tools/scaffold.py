"""``python -m prp.tools.scaffold`` — start a new dataset, table, figure or chapter.

Each command writes every file the pipeline needs, in the project's
conventions, and refuses to overwrite anything that exists:

* ``dataset NAME`` — a resource in data/datapackage.yaml (schema inferred
  from data/raw/NAME.csv when the file exists, else from ``--columns`` and
  a header-only CSV is written), hash filled in;
* ``table ID --chapter C --dataset D`` — scripts/table_<id>.py (pure
  functions + main), its rule in rules/tables.smk, a catalog entry in
  config/artifacts/<chapter>.yaml, a unit test, and the include line at
  the end of the chapter;
* ``figure ID --chapter C --dataset D`` — the same for a figure
  (scripts/plot_<id>.py, rules/figures.smk);
* ``chapter NAME --title T [--restricted]`` — report/chapters/NAME.qmd (or,
  restricted, NAME.qmd among the decrypted restricted chapters,
  build/restricted-src/report/, listed as restricted/NAME.qmd) added to the
  editions' chapter lists.

Restricted material never lands in a plaintext file of the repository: a
table or figure of a restricted chapter gets its catalog entry in the
decrypted restricted catalog (build/restricted-src/config/artifacts/) and
its rule in rules/restricted.smk; ``make seal`` then encrypts what was
written under build/restricted-src/.

What the student must write is marked ``TODO``; the generated tests and
``tests/unit/test_todo_markers.py`` fail until every marker is gone, so an
unfinished scaffold cannot pass ``make test``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from prp.artifacts.catalog import load_catalog
from prp.data import crypt
from prp.data.datapackage import rehash_text, resource, resource_names
from prp.render.needs import INCLUDE_RE

TODO = "TODO"
ID_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
TYPES = ("string", "integer", "number", "boolean", "date", "year")


class ScaffoldError(Exception):
    """A scaffold request that cannot be carried out (message says why)."""


@dataclass(frozen=True)
class Written:
    path: str
    action: str  # "created" or "appended to"


# --------------------------------------------------------------- naming


def snake(artifact_id: str) -> str:
    """'migrant-shelters' -> 'migrant_shelters'."""
    return artifact_id.replace("-", "_")


def check_id(artifact_id: str) -> None:
    if not ID_RE.match(artifact_id):
        raise ScaffoldError(
            f"{artifact_id!r} is not a valid id: use lower-case words joined by hyphens, "
            "e.g. migrant-shelters"
        )


def chapter_rel(chapter: str) -> str:
    """Chapter path relative to report/ ('report/chapters/x.qmd' or 'chapters/x.qmd')."""
    rel = chapter.removeprefix("report/")
    if not rel.endswith(".qmd"):
        raise ScaffoldError(f"--chapter {chapter!r}: expected a .qmd file under report/")
    return rel


RESTRICTED = "restricted/"


def is_restricted(chapter: str) -> bool:
    return chapter.startswith(RESTRICTED)


def decrypted(root: Path) -> Path:
    """The decrypted restricted sources; ScaffoldError if they are not there."""
    if not crypt.unsealed(root / crypt.PLAIN):
        raise ScaffoldError(
            "restricted material is written among the decrypted restricted sources: "
            "run `make unseal` first (it needs an age identity)"
        )
    return root / crypt.PLAIN


def chapter_file(root: Path, chapter: str) -> Path:
    """Where a chapter's file is: report/<chapter>, or for restricted/<name>
    the decrypted restricted chapter."""
    if is_restricted(chapter):
        return decrypted(root) / "report" / chapter[len(RESTRICTED) :]
    return root / "report" / chapter


def catalog_folder(root: Path, chapter: str) -> Path:
    if is_restricted(chapter):
        return decrypted(root) / "config" / "artifacts"
    return root / "config" / "artifacts"


def all_catalogs(root: Path) -> dict[str, dict[str, Any]]:
    """The public catalog and, where decrypted, the restricted one."""
    merged = load_catalog(root / "config" / "artifacts")
    if crypt.unsealed(root / crypt.PLAIN):
        extra = load_catalog(root / crypt.PLAIN / "config" / "artifacts")
        for kind in merged:
            merged[kind].update(extra[kind])
    return merged


# --------------------------------------------------------------- datasets


def parse_columns(spec: str) -> list[tuple[str, str]]:
    """'country:string,year:integer' -> [('country', 'string'), ('year', 'integer')]."""
    fields = []
    for part in spec.replace(" ", ",").split(","):
        if not part:
            continue
        name, _, kind = part.partition(":")
        kind = kind or "string"
        if not NAME_RE.match(name):
            raise ScaffoldError(f"column {name!r}: use lower-case letters, digits and _")
        if kind not in TYPES:
            raise ScaffoldError(f"column {name!r}: type {kind!r} is not one of {', '.join(TYPES)}")
        fields.append((name, kind))
    if not fields:
        raise ScaffoldError("no columns given: --columns 'country:string,year:integer'")
    return fields


def infer_type(values: list[str]) -> str:
    """Table Schema type of a CSV column from its non-empty cells."""
    cells = [v for v in values if v != ""]
    if not cells:
        return "string"
    if all(re.fullmatch(r"-?\d+", v) for v in cells):
        return "integer"
    if all(re.fullmatch(r"-?(\d+\.?\d*|\.\d+)([eE]-?\d+)?", v) for v in cells):
        return "number"
    if all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in cells):
        return "date"
    return "string"


def infer_columns(path: Path) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise ScaffoldError(f"{path}: the file is empty; expected a header row")
    header, body = rows[0], rows[1:]
    for name in header:
        if not NAME_RE.match(name):
            raise ScaffoldError(f"{path}, header: column {name!r} is not lower_snake_case")
    return [(name, infer_type([r[i] for r in body if i < len(r)])) for i, name in enumerate(header)]


def resource_entry(name: str, fields: list[tuple[str, str]], citation: str | None) -> str:
    """YAML text of a new data-package resource (indented for `resources:`)."""
    res: dict[str, Any] = {
        "name": name,
        "path": f"raw/{name}.csv",
        "hash": "sha256:" + "0" * 64,
        "title": f"{TODO}: one line saying what each row is",
        "description": f"{TODO}: what the table holds, its unit and period",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "licenses": [{"name": f"{TODO}: license of the source", "path": f"{TODO}: URL"}],
        "sources": [{"title": f"{TODO}: publisher, title, year", "path": f"{TODO}: URL"}],
        "x-obtained": f"{TODO}: how the numbers were obtained (download, transcription, ...)",
        "x-synthetic": False,
        "schema": {
            "fields": [
                {
                    "name": n,
                    "type": t,
                    "description": f"{TODO}: meaning and unit of {n}",
                    "constraints": {"required": True},
                }
                for n, t in fields
            ],
            "primaryKey": [fields[0][0]],
        },
        "x-citation": {"key": citation or f"{TODO}: BibTeX key in report/references.bib"},
    }
    text = yaml.safe_dump([res], sort_keys=False, allow_unicode=True, width=100)
    return "".join("  " + line if line.strip() else line for line in text.splitlines(True))


def bib_keys(bib: Path) -> set[str]:
    return set(re.findall(r"@\w+\{([^,\s]+),", bib.read_text(encoding="utf-8")))


def add_dataset(root: Path, name: str, columns: str | None, citation: str | None) -> list[Written]:
    if not NAME_RE.match(name):
        raise ScaffoldError(f"dataset name {name!r}: use lower_snake_case, e.g. shelter_capacity")
    data = root / "data"
    if name in resource_names(data):
        raise ScaffoldError(f"dataset {name!r} is already described in data/datapackage.yaml")
    if citation and citation not in bib_keys(root / "report" / "references.bib"):
        raise ScaffoldError(
            f"citation key {citation!r} is not in report/references.bib: add the work there first"
        )
    raw = data / "raw" / f"{name}.csv"
    written = []
    if raw.exists():
        fields = infer_columns(raw)
    else:
        fields = parse_columns(columns or "")
        raw.write_text(",".join(n for n, _ in fields) + "\n", encoding="utf-8")
        written.append(Written(str(raw.relative_to(root)), "created"))
    pkg = data / "datapackage.yaml"
    text = pkg.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    text += resource_entry(name, fields, citation)
    text, _ = rehash_text(text, data)
    pkg.write_text(text, encoding="utf-8")
    written.append(Written("data/datapackage.yaml", "appended to"))
    return written


# --------------------------------------------------------------- catalog


def catalog_path(root: Path, chapter: str) -> Path:
    """The catalog file that already describes the chapter's tables and
    figures (config/artifacts/part1.yaml for Part 1), or a new one named
    after the chapter."""
    text = chapter_file(root, chapter).read_text(encoding="utf-8")
    included = {Path(target).stem for target in INCLUDE_RE.findall(text)}
    folder = catalog_folder(root, chapter)
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        ids = {i for kind in ("tables", "figures") for i in (data.get(kind) or {})}
        if ids & included:
            return path
    return folder / f"{Path(chapter).stem}.yaml"


def catalog_entry(kind: str, artifact_id: str, dataset: str) -> str:
    lines = [
        f"  {artifact_id}:",
        f'    caption: "{TODO}: the {kind[:-1]}\'s title, in title case"',
    ]
    if kind == "figures":
        lines.append(f'    alt: "{TODO}: what a reader who cannot see the figure should know"')
    lines.append(f"    datasets: [{dataset}]")
    return "\n".join(lines) + "\n"


def insert_in_block(text: str, key: str, entry: str) -> str:
    """Append ``entry`` to the top-level mapping ``key:`` of a YAML text,
    creating the block at the end when it is missing (comments kept)."""
    lines = text.splitlines(True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == f"{key}:"), None)
    if start is None:
        sep = "" if not text or text.endswith("\n") else "\n"
        return f"{text}{sep}{key}:\n{entry}"
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][0] in " #"):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return "".join(lines[:end]) + entry + "".join(lines[end:])


def add_catalog_entry(
    root: Path, chapter: str, kind: str, artifact_id: str, dataset: str
) -> Written:
    path = catalog_path(root, chapter)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    if not existing:
        existing = (
            f"# Catalog of the generated tables and figures of report/{chapter}\n"
            "# (conventions: config/artifacts/part1.yaml).\n"
        )
    path.write_text(insert_in_block(existing, kind, catalog_entry(kind, artifact_id, dataset)))
    return Written(path.relative_to(root).as_posix(), "appended to")


# --------------------------------------------------------------- code templates

RULE = """

# --- {chapter}: {label} {artifact_id} (started with prp.tools.scaffold) ---


rule {rule}:
    input:
        clean=clean("{dataset}"),
        code=code_of({code_args}),
    output:
{outputs}
        provenance=prov("{kind}/{artifact_id}"),
    log:
        log_path("{rule}"),
    params:
        **{params}("{artifact_id}"),
{action}
"""

# A table's script is light (no plotting library): Snakemake runs it in its own
# process (prp.runtime.inproc), which saves an interpreter start per job. A
# figure's imports matplotlib, which is not thread-safe: it runs in a process
# of its own, forked from a worker that has the plotting libraries imported
# (prp.runtime.forked).
FORKED_ACTION = """\
    run:
        run_forked(rule, "{rule}", input, output, params, wildcards, log)"""
IN_PROCESS_ACTION = """\
    run:
        run_in_process(rule, "{rule}", input, output, params, wildcards, log)"""

FIGURE_OUTPUTS = """\
        svg=report(f"{{BUILD}}/figures/{artifact_id}.svg", category="Figures"),
        csv=f"{{BUILD}}/figures/{artifact_id}.csv",
        md=f"{{BUILD}}/figures/{artifact_id}.md","""

TABLE_OUTPUTS = """\
        md=f"{{BUILD}}/tables/{artifact_id}.md",
        csv=report(f"{{BUILD}}/tables/{artifact_id}.csv", category="Tables"),"""

FIGURE_SCRIPT = '''"""Figure ({artifact_id}): {TODO}: one or two sentences on what the figure
shows and which dataset it draws ({dataset}). The pure functions below are
tested in tests/unit/test_{rule}.py; main() only reads and writes files."""

from typing import Any

import pandas as pd

from prp.artifacts import style


def figure_data(clean: pd.DataFrame) -> pd.DataFrame:
    """The numbers the figure draws, one row per bar: a label column and a
    value column (written next to the image as the figure's .csv)."""
    raise NotImplementedError("{TODO}: compute the figure's data from the clean table")


def plot(data: pd.DataFrame):  # noqa: ANN201 - returns a matplotlib Figure
    """Horizontal bars of the second column by the first; adapt as needed."""
    label, value = data.columns[:2]
    fig, ax = style.new_figure(height_in=0.35 * len(data) + 1.0)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    y = list(range(len(data)))[::-1]  # first row on top
    ax.barh(y, data[value], height=0.65, color=style.SERIES[0])
    ax.set_yticks(y, data[label].astype(str))
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel(str(value).replace("_", " "))
    ax.xaxis.set_major_formatter(style.thousands_formatter())
    return fig


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    data = figure_data(pd.read_parquet(inputs["clean"]))
    style.write_figure(plot(data), data, outputs, params)


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
'''

TABLE_SCRIPT = '''"""Table ({artifact_id}): {TODO}: one or two sentences on what the table
shows and which dataset it comes from ({dataset}). The pure functions below
are tested in tests/unit/test_{rule}.py; main() only reads and writes files."""

from typing import Any

import pandas as pd

from prp.data.io import write_csv, write_text
from prp.artifacts.sources import source_line
from prp.artifacts.tables import markdown_table


def table_data(clean: pd.DataFrame) -> pd.DataFrame:
    """The table's numbers, one row per printed row, with plain column names
    (written as the table's .csv, which readers can download)."""
    raise NotImplementedError("{TODO}: compute the table from the clean table")


def display(table: pd.DataFrame) -> pd.DataFrame:
    """Printed cells: headings in words, thousands separators on whole numbers."""
    shown = table.copy()
    for col in shown.columns:
        if pd.api.types.is_integer_dtype(shown[col]):
            shown[col] = shown[col].map(lambda n: f"{{n:,}}")
    shown.columns = [str(c).replace("_", " ").capitalize() for c in shown.columns]
    return shown.astype(str)


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    table = table_data(pd.read_parquet(inputs["clean"]))
    write_csv(outputs["csv"], table)
    source = source_line(params["data_dir"], params["datasets"], params.get("note", ""))
    write_text(
        outputs["md"], markdown_table(display(table), params["id"], params["caption"], source)
    )


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
'''

TEST_TEMPLATE = '''"""Tests of scripts/{rule}.py (started with prp.tools.scaffold: they fail until
the script, expected() and the catalog entry are written)."""

from pathlib import Path

import pandas as pd
from {rule} import {imports}

from prp.artifacts.catalog import load_catalog
from prp.render.needs import INCLUDE_RE
from prp.tools.scaffold import TODO

ROOT = Path(__file__).resolve().parents[2]


def sample() -> pd.DataFrame:
    """A few rows shaped like data/raw/{dataset}.csv."""
    return pd.DataFrame({sample})


def expected() -> pd.DataFrame:
    """{TODO}: the {kind_word} data {function}(sample()) must give, worked out by hand."""
    raise NotImplementedError("{TODO}: write the expected result for sample()")


def test_{function}_on_a_small_sample() -> None:
    pd.testing.assert_frame_equal({function}(sample()), expected())
{extra_test}

def test_catalog_entry_is_filled_in() -> None:
    meta = load_catalog(ROOT / {catalog_dir})["{kind}"]["{artifact_id}"]
    unfinished = [key for key, value in meta.items() if TODO in str(value)]
    assert not unfinished, f"config/artifacts: fill in {{unfinished}} of {artifact_id}"
'''

FIGURE_EXTRA_TEST = """

def test_plot_draws_one_bar_per_row() -> None:
    data = expected()
    fig = plot(data)
    assert len(fig.axes[0].patches) == len(data)
"""

TABLE_EXTRA_TEST = """

def test_display_keeps_every_row() -> None:
    shown = display(expected())
    assert len(shown) == len(expected())
"""


def sample_literal(root: Path, dataset: str) -> str:
    """Up to three rows of the dataset as a dict literal of columns (its raw
    file's first rows, or typed stand-ins when it has no rows yet)."""

    res = resource(root / "data", dataset)
    fields = res["schema"]["fields"]
    raw = root / "data" / res["path"]
    rows: list[dict[str, str]] = []
    if raw.exists():
        with open(raw, encoding="utf-8", newline="") as fh:
            rows = [r for _, r in zip(range(3), csv.DictReader(fh), strict=False)]
    columns: dict[str, list[Any]] = {}
    for f in fields:
        kind, name = f["type"], f["name"]
        if rows:
            values: list[Any] = [r.get(name, "") for r in rows]
            if kind == "integer":
                values = [int(v) if v != "" else None for v in values]
            elif kind == "number":
                values = [float(v) if v != "" else None for v in values]
        else:
            stand_in: dict[str, list[Any]] = {
                "integer": [2015, 2016, 2017],
                "number": [1.5, 2.5, 3.5],
            }
            values = stand_in.get(kind, ["a", "b", "c"])
        columns[name] = values
    body = "".join(f"            {py_literal(k)}: {py_literal(v)},\n" for k, v in columns.items())
    return "\n        {\n" + body + "        }\n    "


def py_literal(value: Any) -> str:
    """Python source of a value, with double-quoted strings (ruff's style)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    return repr(value)


def tidy(paths: list[Path]) -> None:
    """Format generated Python with the project's ruff, when it is installed."""
    ruff = Path(sys.executable).with_name("ruff")
    if ruff.exists():
        files = [str(p) for p in paths]
        subprocess.run([str(ruff), "check", "--fix", "--quiet", "--select", "I", *files])
        subprocess.run([str(ruff), "format", "--quiet", *files])


def include_line(chapter: str, kind: str, artifact_id: str) -> str:
    rel = os.path.relpath(f"{kind}/{artifact_id}.md", start=os.path.dirname(chapter) or ".")
    return f"{{{{< include {rel} >}}}}"


def add_artifact(
    root: Path, kind: str, artifact_id: str, chapter: str, dataset: str
) -> list[Written]:
    """Script, rule, catalog entry, unit test and include line of a new table
    (kind='tables') or figure (kind='figures')."""
    check_id(artifact_id)
    chapter = chapter_rel(chapter)
    if not chapter_file(root, chapter).exists():
        raise ScaffoldError(f"report/{chapter} does not exist (make new-chapter creates one)")
    if dataset not in resource_names(root / "data"):
        raise ScaffoldError(
            f"dataset {dataset!r} is not in data/datapackage.yaml (make new-dataset adds it)"
        )
    catalog = all_catalogs(root)
    if artifact_id in catalog["tables"] or artifact_id in catalog["figures"]:
        raise ScaffoldError(f"artifact id {artifact_id!r} is already in config/artifacts")
    figure = kind == "figures"
    rule = ("plot_" if figure else "table_") + snake(artifact_id)
    script = root / "scripts" / f"{rule}.py"
    test = root / "tests" / "unit" / f"test_{rule}.py"
    for path in (script, test):
        if path.exists():
            raise ScaffoldError(f"{path.relative_to(root)} already exists")
    fmt = {
        "artifact_id": artifact_id,
        "dataset": dataset,
        "rule": rule,
        "chapter": chapter,
        "kind": kind,
        "TODO": TODO,
    }
    script.write_text((FIGURE_SCRIPT if figure else TABLE_SCRIPT).format(**fmt), encoding="utf-8")
    test.write_text(
        TEST_TEMPLATE.format(
            **fmt,
            function="figure_data" if figure else "table_data",
            imports="figure_data, plot" if figure else "display, table_data",
            extra_test=FIGURE_EXTRA_TEST if figure else TABLE_EXTRA_TEST,
            kind_word="figure" if figure else "table",
            sample=sample_literal(root, dataset),
            catalog_dir=(
                '"build" / "restricted-src" / "config" / "artifacts"'
                if is_restricted(chapter)
                else '"config" / "artifacts"'
            ),
        ),
        encoding="utf-8",
    )
    tidy([script, test])
    if is_restricted(chapter):  # its catalog entry exists only with the restricted sources
        rules_file = root / "rules" / "restricted.smk"
    else:
        rules_file = root / "rules" / ("figures.smk" if figure else "tables.smk")
    outputs = (FIGURE_OUTPUTS if figure else TABLE_OUTPUTS).format(artifact_id=artifact_id)
    code_args = f'"{rule}", forked=True' if figure else f'"{rule}", in_process=True'
    action = (FORKED_ACTION if figure else IN_PROCESS_ACTION).format(rule=rule)
    with open(rules_file, "a", encoding="utf-8") as fh:
        fh.write(
            RULE.format(
                **fmt,
                label="figure" if figure else "table",
                outputs=outputs,
                code_args=code_args,
                action=action,
                params="figure_params" if figure else "table_params",
            )
        )
    written = [
        Written(str(script.relative_to(root)), "created"),
        Written(str(test.relative_to(root)), "created"),
        Written(str(rules_file.relative_to(root)), "appended to"),
        add_catalog_entry(root, chapter, kind, artifact_id, dataset),
    ]
    qmd = chapter_file(root, chapter)
    text = qmd.read_text(encoding="utf-8").rstrip("\n")
    qmd.write_text(f"{text}\n\n{include_line(chapter, kind, artifact_id)}\n", encoding="utf-8")
    written.append(Written(f"report/{chapter}", "appended to"))
    return written


# --------------------------------------------------------------- chapters

CHAPTER = """# {title} {{#sec-{name}}}

<!-- {TODO}: write the chapter in your own words. Cite works with [@key]
(report/references.bib), quote numbers from data with the var shortcode
(config/numbers/), and refer to tables and figures as @tbl-ID / @fig-ID.
CONTRIBUTING.md has a recipe for each. -->
"""


def add_to_chapter_list(text: str, entry: str) -> str:
    """Insert ``entry`` as the last item of ``book: chapters:`` in a profile."""
    lines = text.splitlines(True)
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "chapters:")
    except StopIteration as err:
        raise ScaffoldError("no `chapters:` list in the profile") from err
    end = start + 1
    while end < len(lines) and lines[end].lstrip().startswith("- "):
        end += 1
    indent = lines[start + 1][: len(lines[start + 1]) - len(lines[start + 1].lstrip())]
    return "".join(lines[:end]) + f"{indent}- {entry}\n" + "".join(lines[end:])


def add_chapter(root: Path, name: str, title: str, restricted: bool) -> list[Written]:
    check_id(name)
    if not title.strip():
        raise ScaffoldError("--title is required: the chapter's heading")
    folder = "restricted" if restricted else "chapters"
    rel = f"{folder}/{name}.qmd"
    path = chapter_file(root, rel)
    if path.exists():
        raise ScaffoldError(f"report/{rel} already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CHAPTER.format(title=title.strip(), name=name, TODO=TODO), encoding="utf-8")
    written = [Written(path.relative_to(root).as_posix(), "created")]
    profiles = ["restricted"] if restricted else ["public", "restricted"]
    for profile in profiles:
        yml = root / "report" / f"_quarto-{profile}.yml"
        yml.write_text(add_to_chapter_list(yml.read_text(encoding="utf-8"), rel), encoding="utf-8")
        written.append(Written(str(yml.relative_to(root)), "appended to"))
    return written


# --------------------------------------------------------------- CLI

NEXT_STEPS = {
    "dataset": [
        "put the rows in {raw} (keep the header), then `make rehash`",
        "replace every TODO in its data/datapackage.yaml entry (source, license, units)",
        "check its primaryKey (the column(s) that identify a row; first column by default)",
    ],
    "tables": [
        "write table_data() in {script} and expected() in {test}",
        "`.venv/bin/python -m pytest {test}` until it passes",
        "caption in {catalog}; refer to it in the text as @tbl-{id}",
        "`make report`, then look at the table in build/public/",
    ],
    "figures": [
        "write figure_data() in {script} and expected() in {test}",
        "`.venv/bin/python -m pytest {test}` until it passes",
        "caption and alt text in {catalog}; refer to it in the text as @fig-{id}",
        "`make report`, then look at the figure in build/public/",
    ],
    "chapter": [
        "write the chapter in {path} (the TODO comment lists the conventions)",
        "`make report`; the chapter is numbered by its place in report/_quarto-*.yml",
    ],
}
SEAL_STEP = (
    "restricted material: `make seal` encrypts what you wrote under build/restricted-src/; "
    "commit restricted/ (never the plaintext)"
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m prp.tools.scaffold", description=__doc__.split("\n")[0]
    )
    sub = ap.add_subparsers(dest="what", required=True)
    d = sub.add_parser("dataset", help="describe a new raw CSV in the data package")
    d.add_argument("name")
    d.add_argument("--columns", help="'name:type,...' when data/raw/NAME.csv does not exist yet")
    d.add_argument("--citation", help="BibTeX key in report/references.bib")
    for what in ("table", "figure"):
        p = sub.add_parser(what, help=f"a new {what} in a chapter")
        p.add_argument("id")
        p.add_argument("--chapter", required=True, help="e.g. chapters/part1-background.qmd")
        p.add_argument("--dataset", required=True, help="dataset name in data/datapackage.yaml")
    c = sub.add_parser("chapter", help="a new chapter in one or both editions")
    c.add_argument("name")
    c.add_argument("--title", required=True)
    c.add_argument("--restricted", action="store_true", help="restricted edition only")
    args = ap.parse_args(argv)
    root = Path.cwd()
    try:
        if args.what == "dataset":
            written = add_dataset(root, args.name, args.columns, args.citation)
            hints = {"raw": f"data/raw/{args.name}.csv"}
            steps = NEXT_STEPS["dataset"]
        elif args.what == "chapter":
            written = add_chapter(root, args.name, args.title, args.restricted)
            hints = {"path": written[0].path}
            steps = NEXT_STEPS["chapter"]
        else:
            kind = args.what + "s"
            written = add_artifact(root, kind, args.id, args.chapter, args.dataset)
            hints = {
                "script": written[0].path,
                "test": written[1].path,
                "catalog": written[3].path,
                "id": args.id,
            }
            steps = NEXT_STEPS[kind]
        if any(w.path.startswith(crypt.PLAIN.as_posix()) for w in written):
            steps = [*steps, SEAL_STEP]
    except ScaffoldError as err:
        print(f"scaffold: {err}", file=sys.stderr)
        return 2
    for w in written:
        print(f"  {w.action} {w.path}")
    print("Next:")
    for i, step in enumerate(steps, 1):
        print(f"  {i}. {step.format(**hints)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
