"""Provenance a reviewer can follow: records, rendered trail, exports, verify."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pdftext import page_texts

pytestmark = pytest.mark.slow


def verify(repo: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "prp.tools.verify"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": "scripts", "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.parametrize("edition", ["public", "restricted"])
def test_every_table_and_figure_shows_source_and_provenance(built_repo, edition):
    site = built_repo / "build" / edition
    html = "\n".join(p.read_text(encoding="utf-8") for p in sorted(site.glob("*.html")))
    ids = set(re.findall(r'<(?:figure|table|div)[^>]* id="((?:fig|tbl)-[a-z0-9-]+)"', html))
    assert len(ids) >= 20
    for ident in sorted(ids):
        after = html[html.index(f'id="{ident}"') :]
        nxt = re.search(r'<details class="provenance">', after)
        assert nxt, f"{ident}: no provenance details"
        # the details belong to this artifact: no other table or figure starts before them
        other = re.search(r' id="(?:fig|tbl)-', after[10:])
        assert other is None or other.start() + 10 > nxt.start(), f"{ident}: no provenance details"
        assert "Source:" in after[: nxt.start() + 20000], f"{ident}: no source line"
    # numbers in the text link to the data they came from
    assert len(re.findall(r'<a [^>]*class="prp-var"', html)) > 100


@pytest.mark.parametrize("edition", ["public", "restricted"])
def test_pdf_provenance_appendix_lists_every_artifact(built_repo, edition):
    text = " ".join(page_texts(built_repo / "build" / edition / "report.pdf"))
    text = re.sub(r"\s+", " ", text)
    appendix = text[
        text.index("Provenance of Tables, Figures and Numbers", text.index("Appendix D")) :
    ]
    captions = set(re.findall(r"(?:Table|Figure) (?:\d|[A-F])\.\d+:", text))
    for caption in captions:
        assert caption.rstrip(":") in appendix, f"{caption} missing from the provenance appendix"


@pytest.mark.parametrize("edition", ["public", "restricted"])
def test_exports_load_and_public_names_no_restricted_input(built_repo, edition):
    from rocrate.rocrate import ROCrate

    site = built_repo / "build" / edition
    prov = json.loads((site / "provenance.json").read_text(encoding="utf-8"))
    assert prov["edition"] == edition and prov["artifacts"]
    crate = ROCrate(str(site))
    assert crate.mainEntity is not None
    actions = [e for e in crate.get_entities() if e.type == "CreateAction"]
    assert actions and actions[0]["instrument"] is crate.mainEntity
    inputs = {e["name"] for e in actions[0]["object"]}
    if edition == "public":
        text = (site / "provenance.json").read_text() + (
            site / "ro-crate-metadata.json"
        ).read_text()
        assert "data/restricted" not in text and "restricted-src" not in text
        assert any(i.startswith("data/released/") for i in inputs)
    else:
        assert "build/restricted-src/data/events.csv" in inputs


def test_verify_passes_on_a_clean_build(built_copy):
    proc = verify(built_copy)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert " 0 not OK" in proc.stdout


def test_verify_names_a_changed_input_and_what_it_affects(built_copy):
    raw = built_copy / "data" / "raw" / "apprehensions_mexico.csv"
    raw.write_text(raw.read_text().replace("35390", "35391"), encoding="utf-8")
    proc = verify(built_copy)
    assert proc.returncode == 1
    lines = {
        ln.split()[1]: ln
        for ln in proc.stdout.splitlines()
        if ln.startswith(("OK", "STALE", "MISMATCH"))
    }
    # edited without `make rehash`: the file no longer has the data package's hash
    clean = lines["clean/apprehensions_mexico"]
    assert clean.startswith("MISMATCH") and "does not match its sha256" in clean
    assert "input data/raw/apprehensions_mexico.csv changed" in clean
    for affected in (
        "tables/apprehensions-mexico",
        "numbers/apprehensions_mexico",
        "editions/public",
        "editions/restricted",
    ):
        assert lines[affected].startswith("STALE"), lines[affected]
    assert lines["tables/border-apprehensions"].startswith("OK")


def test_verify_flags_a_tampered_output(built_copy):
    table = built_copy / "build" / "tables" / "revenue-estimates.md"
    table.write_text(table.read_text().replace("134.9", "143.9"), encoding="utf-8")
    proc = verify(built_copy)
    assert proc.returncode == 1
    line = next(
        ln for ln in proc.stdout.splitlines() if ln.split()[1:2] == ["tables/revenue-estimates"]
    )
    assert line.startswith("MODIFIED") and "revenue-estimates.md was altered" in line
