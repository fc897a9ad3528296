"""A student extends the report by following CONTRIBUTING.md, in a temporary
copy of the repository: a new chapter in both editions with a new dataset, a
table and a figure, plus a restricted-only chapter with a figure of its own.
Every step uses the documented `make new-*` commands; the generated tests
must fail before the student fills the skeletons in and pass after; the
build must then show everything numbered, with provenance, in the right
editions only."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from prp.render.needs import source_file
from tests.pdftext import page_texts

pytestmark = pytest.mark.slow

PY = Path(sys.executable)
ROWS = "Hermanos en el Camino,Oaxaca,100\nLa 72,Tabasco,250\nFM4 Paso Libre,Jalisco,60\n"


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("SNAKEMAKE")}
    e["PYTHONPATH"] = "scripts"
    return e


def make(repo: Path, *args: str) -> str:
    """`make <args>` as the student types it; the environment is already
    installed, so the venv stamp is treated as current (-o)."""
    proc = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", *args],
        cwd=repo,
        env=env(),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, f"make {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def pytest_files(repo: Path, *files: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(PY), "-m", "pytest", "-q", "-p", "no:cacheprovider", *files],
        cwd=repo,
        env=env(),
        capture_output=True,
        text=True,
    )


def replace(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{rel}: the scaffold no longer writes {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def fill_yaml_todos(path: Path, values: dict[str, str]) -> None:
    """Replace each 'TODO: ...' value in a YAML file by the first matching
    entry of ``values`` (key: substring of the TODO text)."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines(True):
        if "TODO" in line:
            for needle, value in values.items():
                if needle in line:
                    head = line[: line.index(":", line.index(line.lstrip())) + 1]
                    line = f"{head} {json.dumps(value)}\n"
                    break
        lines.append(line)
    path.write_text("".join(lines), encoding="utf-8")


FIGURE_DATA = (
    'return clean[["shelter", "beds"]].sort_values("beds", ascending=False).reset_index(drop=True)'
)
TABLE_DATA = (
    'return clean.groupby("state", as_index=False)["beds"].sum()'
    '.sort_values("state").reset_index(drop=True)'
)
RESTRICTED_FIGURE_DATA = 'return clean[["state", "beds"]].reset_index(drop=True)'


@pytest.fixture(scope="module")
def extended(built_repo, tmp_path_factory) -> Path:
    # a checkout whose editions are built, as a student's would be
    repo = tmp_path_factory.mktemp("student") / "repo"
    shutil.copytree(built_repo, repo, symlinks=True)
    (repo / ".venv").symlink_to(Path(sys.prefix))

    # Recipe "add a chapter" (both editions) and "add restricted material".
    make(repo, "new-chapter", "NAME=shelters", "TITLE=Migrant Shelters")
    make(repo, "new-chapter", "NAME=shelter-notes", "TITLE=Shelter Notes", "RESTRICTED=1")

    # Recipe "add a dataset": describe it, add the rows, rehash, fill the TODOs.
    make(
        repo,
        "new-dataset",
        "NAME=shelter_capacity",
        "COLUMNS=shelter:string,state:string,beds:integer",
        "CITATION=lbj_2018_prp198",
    )
    with open(repo / "data/raw/shelter_capacity.csv", "a", encoding="utf-8") as fh:
        fh.write(ROWS)
    make(repo, "rehash")
    fill_yaml_todos(
        repo / "data/datapackage.yaml",
        {
            "one line": "Beds in three migrant shelters (test fixture)",
            "what the table holds": "Invented bed counts used only by the extension test.",
            "license of": "CC0-1.0",
            "URL": "https://creativecommons.org/publicdomain/zero/1.0/",
            "publisher": "Extension test fixture",
            "how the numbers": "typed by the test",
            "meaning and unit of shelter": "shelter name",
            "meaning and unit of state": "state",
            "meaning and unit of beds": "number of beds",
        },
    )

    # Recipes "add a figure" and "add a table".
    make(
        repo,
        "new-figure",
        "NAME=shelter-beds",
        "CHAPTER=chapters/shelters.qmd",
        "DATASET=shelter_capacity",
    )
    make(
        repo,
        "new-table",
        "NAME=shelter-states",
        "CHAPTER=chapters/shelters.qmd",
        "DATASET=shelter_capacity",
    )
    make(
        repo,
        "new-figure",
        "NAME=shelter-notes-beds",
        "CHAPTER=restricted/shelter-notes.qmd",
        "DATASET=shelter_capacity",
    )
    tests = [
        "tests/unit/test_plot_shelter_beds.py",
        "tests/unit/test_table_shelter_states.py",
        "tests/unit/test_plot_shelter_notes_beds.py",
    ]
    before = pytest_files(repo, *tests, "tests/unit/test_todo_markers.py")
    assert before.returncode != 0, "the scaffolded tests must fail before they are filled in"

    # The student's part: code, expectations, captions, prose.
    replace(
        repo,
        "scripts/plot_shelter_beds.py",
        'raise NotImplementedError("TODO: compute the figure\'s data from the clean table")',
        FIGURE_DATA,
    )
    replace(
        repo,
        "scripts/table_shelter_states.py",
        'raise NotImplementedError("TODO: compute the table from the clean table")',
        TABLE_DATA,
    )
    replace(
        repo,
        "scripts/plot_shelter_notes_beds.py",
        'raise NotImplementedError("TODO: compute the figure\'s data from the clean table")',
        RESTRICTED_FIGURE_DATA,
    )
    expectations = {
        "tests/unit/test_plot_shelter_beds.py": '{"shelter": ["La 72", "Hermanos en el Camino",'
        ' "FM4 Paso Libre"], "beds": [250, 100, 60]}',
        "tests/unit/test_table_shelter_states.py": '{"state": ["Jalisco", "Oaxaca", "Tabasco"],'
        ' "beds": [60, 100, 250]}',
        "tests/unit/test_plot_shelter_notes_beds.py": '{"state": ["Oaxaca", "Tabasco",'
        ' "Jalisco"], "beds": [100, 250, 60]}',
    }
    for rel, frame in expectations.items():
        replace(
            repo,
            rel,
            'raise NotImplementedError("TODO: write the expected result for sample()")',
            f"return pd.DataFrame({frame})",
        )
    for rel in ["scripts/plot_shelter_beds.py", "scripts/table_shelter_states.py"] + [
        "scripts/plot_shelter_notes_beds.py",
        *tests,
    ]:
        text = (repo / rel).read_text(encoding="utf-8").replace("TODO: ", "")
        (repo / rel).write_text(text, encoding="utf-8")
    for catalog, captions in {
        "config/artifacts/shelters.yaml": ["Beds per Shelter", "Beds per State"],
        # a restricted chapter's artifacts are catalogued among the restricted sources
        "build/restricted-src/config/artifacts/shelter-notes.yaml": ["Beds per Shelter, by State"],
    }.items():
        path = repo / catalog
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        entries = [e for kind in ("figures", "tables") for e in (data.get(kind) or {}).values()]
        for entry, caption in zip(entries, captions, strict=True):
            entry["caption"] = caption
            if "alt" in entry:
                entry["alt"] = "Bars of beds per shelter; the largest shelter has 250."
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    replace(
        repo,
        "report/chapters/shelters.qmd",
        "<!-- TODO",
        "Shelters along the routes are counted in @tbl-shelter-states and drawn in "
        "@fig-shelter-beds.\n\n<!-- Conventions",
    )
    replace(
        repo,
        "build/restricted-src/report/shelter-notes.qmd",
        "<!-- TODO",
        "For restricted eyes only: @fig-shelter-notes-beds.\n\n<!-- Conventions",
    )
    after = pytest_files(repo, *tests, "tests/unit/test_todo_markers.py")
    assert after.returncode == 0, after.stdout[-3000:]

    # Recipe "add restricted material": encrypt what was written among the
    # decrypted sources before building (a build never overwrites an edit
    # that was not sealed); no plaintext lands in a tracked folder.
    make(repo, "seal")
    assert not (repo / "report" / "restricted").exists()
    assert (repo / "restricted" / "report" / "shelter-notes.qmd.age").exists()
    assert (repo / "restricted" / "config" / "artifacts" / "shelter-notes.yaml.age").exists()
    proc = subprocess.run(
        [str(PY), "-m", "prp.tools.build", "--cores", "2", "all"],
        cwd=repo,
        env=env(),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return repo


def page(repo: Path, edition: str, name: str) -> str:
    return (repo / "build" / edition / name).read_text(encoding="utf-8")


def part_number(repo: Path, edition: str, chapter: str) -> int:
    """The part number a chapter gets in an edition: its place among the
    chapters of the profile whose heading is not marked .unnumbered."""
    config = yaml.safe_load((repo / f"report/_quarto-{edition}.yml").read_text())
    overlay = {"restricted/": repo / "build" / "restricted-src" / "report"}
    numbered = [
        c
        for c in config["book"]["chapters"]
        if ".unnumbered"
        not in source_file(repo / "report", c, overlay).read_text(encoding="utf-8").split("\n")[0]
    ]
    return numbered.index(chapter) + 1


@pytest.mark.parametrize("edition", ["public", "restricted"])
def test_new_chapter_table_and_figure_appear_numbered(extended, edition):
    n = part_number(extended, edition, "chapters/shelters.qmd")
    html = page(extended, edition, "sec-shelters.html")
    assert "Migrant Shelters" in html
    assert f"Figure {n}.1" in html and f"Table {n}.1" in html
    assert html.count('class="provenance"') >= 2
    assert "Tabasco" in html  # a cell of the table
    assert (extended / "build" / edition / "figures" / "shelter-beds.svg").exists()
    pdf = "\n".join(page_texts(extended / "build" / edition / "report.pdf"))
    assert "Migrant Shelters" in pdf and f"Figure {n}.1" in pdf


def test_new_artifacts_have_provenance_back_to_the_new_dataset(extended):
    for name in ("figures/shelter-beds", "tables/shelter-states", "figures/shelter-notes-beds"):
        record = json.loads((extended / f"build/provenance/{name}.json").read_text())
        assert [i["path"] for i in record["inputs"] if i["path"].endswith(".parquet")] == [
            "build/clean/shelter_capacity.parquet"
        ]
    clean = json.loads((extended / "build/provenance/clean/shelter_capacity.json").read_text())
    assert "data/raw/shelter_capacity.csv" in [i["path"] for i in clean["inputs"]]
    for edition in ("public", "restricted"):
        exported = (extended / "build" / edition / "provenance.json").read_text()
        assert "shelter-beds" in exported and "data/raw/shelter_capacity.csv" in exported


def test_restricted_chapter_only_in_the_restricted_edition(extended):
    html = page(extended, "restricted", "sec-shelter-notes.html")
    assert "Figure" in html and "Beds per Shelter, by State" in html
    public = extended / "build" / "public"
    assert not (public / "sec-shelter-notes.html").exists()
    assert not (public / "figures" / "shelter-notes-beds.svg").exists()
    for path in public.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json"}:
            assert "shelter-notes" not in path.read_text(encoding="utf-8"), path


def test_rule_graph_and_discovery_checks_see_the_new_work(extended):
    proc = subprocess.run(
        [str(PY), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/unit/test_artifacts.py"],
        cwd=extended,
        env=env(),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    dot = subprocess.run(
        [str(PY.with_name("snakemake")), "--rulegraph", "dot", "--", "all"],
        cwd=extended,
        env=env(),
        capture_output=True,
        text=True,
    ).stdout
    assert "plot_shelter_beds" in dot and "table_shelter_states" in dot
