"""Synthetic means synthetic in every output channel of both editions.

Issue 14, "Done when": a scan of everything the build publishes — the HTML
pages (text, alt texts, tooltips, provenance boxes), the PDF (text and link
targets), the SVG figures' text, search.json, provenance.json and the
RO-Crate — fails

* if anything derived from synthetic data is attributed to a real source
  first: a source line of an artifact built from synthetic data that does not
  open with the synthetic stand-in, a figure of synthetic data whose alt text,
  caption or drawn text names the CAMRD before saying it is synthetic, a
  sentence with a synthetic number (marked ‡) that cites a real work, a
  provenance or RO-Crate entry of a synthetic file that cites a real work or
  names the CAMRD first;
* if a synthetic record names a real outlet or address: the event listing
  and the PDF pages that show it carry fictitious source labels only, and
  every address of a synthetic record is on a reserved ``.invalid`` domain;
* if a number computed from synthetic data is shown without its marker.

The editions are built once in a temporary copy of the repository (the
``built_repo`` fixture). ``PRP_CHECK_BUILD=<repo>`` checks the build already
in that checkout instead (for a quick look after ``make report``).
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from pypdf import PdfReader

from tests.outlets import REAL_OUTLETS
from tests.pdftext import page_texts
from tests.spelling import variants

pytestmark = pytest.mark.slow

EDITIONS = ("public", "restricted")
# the database named in words or by its acronym (not identifiers such as
# camrd_events, leutert_2018_camrd or the record ids CAMRD-S-000001)
CAMRD = re.compile(r"(?<![\w-])CAMRD(?![\w-])|Central American Migrant Risk Database", re.I)
SYNTHETIC = re.compile(r"synthetic|invented", re.IGNORECASE)
MARK = "‡"  # after a number computed from synthetic data
REAL_CAMRD_KEY = "leutert_2018_camrd"
BLOCKS = {"p", "li", "td", "th", "figcaption", "caption", "dt", "dd", "h1", "h2", "h3", "h4"}
BLOCKS |= {"h5", "h6", "summary", "blockquote", "title"}


@pytest.fixture(scope="module")
def repo(request) -> Path:
    given = os.environ.get("PRP_CHECK_BUILD")
    if given:
        return Path(given).resolve()
    return request.getfixturevalue("built_repo")


def names_camrd_first(text: str) -> bool:
    """The CAMRD is named before anything says the data are synthetic."""
    m = CAMRD.search(text)
    if not m:
        return False
    s = SYNTHETIC.search(text)
    return s is None or s.start() > m.start()


def real_outlets_in(text: str, outlets: list[str]) -> list[str]:
    return [name for name in outlets if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)]


def is_invalid_host(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host == "invalid" or host.endswith(".invalid")


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"“(])", " ".join(text.split())) if s]


# ------------------------------------------------------------------- HTML


@dataclass
class Element:
    tag: str
    classes: list[str]
    text: str = ""
    cites: list[str] = field(default_factory=list)
    markers: int = 0


@dataclass
class Group:
    """A figure or table with its provenance box and source note."""

    ident: str
    alt: list[str] = field(default_factory=list)
    svg: list[str] = field(default_factory=list)
    elements: list[Element] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    @property
    def source_note(self) -> str:
        notes = [e.text for e in self.elements if "source-note" in e.classes]
        return " ".join(notes)


class Page(HTMLParser):
    """Block elements with their text, the citations (``data-cites``) and
    synthetic markers inside them, attribute texts, and the artifact groups."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[Element] = []
        self.open_tags: list[tuple[str, list[str]]] = []
        self.elements: list[Element] = []
        self.attributes: list[tuple[str, str]] = []  # (attribute, text)
        self.groups: list[Group] = []
        self.links: list[str] = []
        self.var_spans: list[tuple[str, bool]] = []  # (variable, followed by its marker)
        self.html = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        self.open_tags.append((tag, classes))
        if tag in ("figure", "table") and a.get("id", "").startswith(("fig-", "tbl-")):
            self.groups.append(Group(a["id"]))
        if tag in ("h1", "h2", "h3"):
            self.groups.append(Group(""))  # a heading closes the artifact before it
        for name in ("alt", "title", "aria-label"):
            if a.get(name):
                self.attributes.append((name, a[name]))
                if name == "alt" and self.groups:
                    self.groups[-1].alt.append(a[name])
        if tag == "img" and self.groups and a.get("src", "").endswith(".svg"):
            self.groups[-1].svg.append(a["src"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
            if self.groups:
                self.groups[-1].links.append(a["href"])
        if a.get("data-cites") and self.stack:
            self.stack[-1].cites += a["data-cites"].split()
        if "prp-synthetic" in classes and self.stack:
            self.stack[-1].markers += 1
        if tag in BLOCKS or (tag == "div" and "source-note" in classes):
            self.stack.append(Element(tag, classes))

    def handle_endtag(self, tag: str) -> None:
        while self.open_tags:
            open_tag, classes = self.open_tags.pop()
            block = open_tag in BLOCKS or (open_tag == "div" and "source-note" in classes)
            if block and self.stack:
                el = self.stack.pop()
                self.elements.append(el)
                if self.groups:
                    self.groups[-1].elements.append(el)
                if self.stack:  # text of a nested block belongs to its parent too
                    self.stack[-1].text += " " + el.text
                    self.stack[-1].cites += el.cites
                    self.stack[-1].markers += el.markers
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.stack:
            self.stack[-1].text += data


VALUE = re.compile(r'<(span|a)\b([^>]*\bclass="[^"]*\bprp-var\b[^"]*"[^>]*)>(.*?)</\1>', re.DOTALL)


def parse_page(path: Path) -> Page:
    page = Page()
    text = path.read_text(encoding="utf-8")
    page.html = text
    page.feed(text)
    for m in VALUE.finditer(text):
        var = re.search(r'data-var="([^"]+)"', m.group(2))
        marked = text[m.end() :].lstrip().startswith('<span class="prp-synthetic"')
        page.var_spans.append((var.group(1) if var else "", marked))
    return page


# ------------------------------------------------------------------- builds


@dataclass
class Edition:
    name: str
    folder: Path
    pages: dict[str, Page]
    synthetic_vars: list[str]
    pdf_pages: list[str]
    pdf_uris: list[tuple[int, str]]
    camrd_label: str | None


def cite_label(folder: Path, key: str) -> str | None:
    """How the edition prints a citation of ``key`` ('Leutert 2018a')."""
    for path in folder.glob("*.html"):
        m = re.search(r'href="references\.html#ref-' + key + r'"[^>]*>([^<]+)<', path.read_text())
        if m:
            return m.group(1).strip()
    return None


def pdf_text(text: str) -> str:
    """Page text with typst's hyphens undone: a soft hyphen at a line break
    joins the word, elsewhere it stands for the hyphen it replaced."""
    return re.sub(r"\xad\s*\n\s*", "", text).replace("\xad", "-")


@pytest.fixture(scope="module")
def editions(repo) -> dict[str, Edition]:
    out = {}
    for name in EDITIONS:
        folder = repo / "build" / name
        assert (folder / "index.html").is_file() and (folder / "report.pdf").is_file(), folder
        meta = yaml.safe_load((repo / "build" / "src" / name / "_synthetic.yml").read_text())
        reader = PdfReader(folder / "report.pdf")
        uris = []
        for i, page in enumerate(reader.pages):
            for annot in page.get("/Annots") or []:
                action = annot.get_object().get("/A") or {}
                if action.get("/URI"):
                    uris.append((i, str(action["/URI"])))
        out[name] = Edition(
            name=name,
            folder=folder,
            pages={p.name: parse_page(p) for p in sorted(folder.glob("*.html"))},
            synthetic_vars=list(meta["prp-synthetic"]["variables"]),
            pdf_pages=[pdf_text(t) for t in page_texts(folder / "report.pdf")],
            pdf_uris=uris,
            camrd_label=cite_label(folder, REAL_CAMRD_KEY),
        )
    return out


def synthetic_groups(ed: Edition) -> Iterator[tuple[str, Group]]:
    for name, page in ed.pages.items():
        for group in page.groups:
            if group.ident and SYNTHETIC.search(group.source_note):
                yield name, group


# -------------------------------------------------------------------- tests


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_scan_sees_synthetic_artifacts_and_numbers(editions, edition):
    ed = editions[edition]
    groups = list(synthetic_groups(ed))
    assert len(groups) >= 3, "no synthetic figure found: the scan would check nothing"
    assert ed.synthetic_vars, "no variable is marked as synthetic"
    markers = sum(el.markers for page in ed.pages.values() for el in page.elements)
    assert markers > 0
    assert any(MARK in text for text in ed.pdf_pages)
    notes = [
        t for t in ed.pdf_pages if "Computed from the synthetic stand-in" in " ".join(t.split())
    ]
    assert notes, "no footnote explains the mark in the PDF"


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_synthetic_number_carries_its_marker(editions, edition):
    ed = editions[edition]
    wanted = set(ed.synthetic_vars)
    unmarked = [
        f"{name}: {var}"
        for name, page in ed.pages.items()
        for var, marked in page.var_spans
        if var in wanted and not marked
    ]
    shown = [var for page in ed.pages.values() for var, _ in page.var_spans if var in wanted]
    assert shown, "no synthetic variable found in the pages"
    assert not unmarked, "synthetic numbers without the marker:\n" + "\n".join(unmarked)
    # and no real number is marked
    for page in ed.pages.values():
        for var, marked in page.var_spans:
            assert not marked or var in wanted, var


def rests_on_synthetic_data(prov: dict) -> set[str]:
    """Names of the jobs in an edition's provenance.json whose inputs, at any
    depth, include a file its data package flags as synthetic: walked here
    from every input, wherever it lies, independently of the pipeline's own
    notion of what a data file is."""
    made_by = {o["path"]: name for name, job in prov["jobs"].items() for o in job["outputs"]}
    memo: dict[str, bool] = {}

    def synthetic(name: str) -> bool:
        if name not in memo:
            memo[name] = False  # a cycle adds nothing
            memo[name] = any(
                (inp.get("source") or {}).get("synthetic") is True
                or (inp["path"] in made_by and synthetic(made_by[inp["path"]]))
                for inp in prov["jobs"][name]["inputs"]
            )
        return memo[name]

    return {name for name in prov["jobs"] if synthetic(name)}


@pytest.mark.parametrize("edition", EDITIONS)
def test_numbers_resting_on_synthetic_data_are_listed_as_synthetic(editions, edition):
    """The list the marker comes from (``_synthetic.yml``) misses no number
    whose job rests on synthetic data: in the restricted edition, the
    numbers computed from the decrypted event records (which lie outside
    data/) as well as those from the released aggregates."""
    ed = editions[edition]
    prov = json.loads((ed.folder / "provenance.json").read_text(encoding="utf-8"))
    tainted = {name.split("/", 1)[1] for name in rests_on_synthetic_data(prov)}
    synthetic_sets = {obj["dataset"] for obj in json_objects(prov) if obj.get("synthetic") is True}
    # a variable whose number file names the datasets it comes from
    # (x-derived-from) rests on those alone; any other on all its job read
    named: dict[str, bool] = {}
    for name, job in prov["jobs"].items():
        for out in job["outputs"] if name.startswith("numbers/") else ():
            spec = yaml.safe_load((ed.folder.parent.parent / out["path"]).read_text("utf-8"))
            for ns, keys in ((spec or {}).get("x-derived-from") or {}).items():
                for key, sets in keys.items():
                    named[f"{ns}.{key}"] = bool(set(sets) & synthetic_sets)
    shown = {var for page in ed.pages.values() for var, _ in page.var_spans}
    missing = sorted(
        var
        for var in shown
        if named.get(var, var.split(".", 1)[0] in tainted) and var not in ed.synthetic_vars
    )
    assert tainted, "no number rests on synthetic data: the check would check nothing"
    assert not missing, "numbers from synthetic data not marked as such:\n" + "\n".join(missing)


@pytest.mark.parametrize("edition", EDITIONS)
def test_synthetic_artifacts_name_the_stand_in_first(editions, outlets, edition):
    ed = editions[edition]
    bad = []
    for name, group in synthetic_groups(ed):
        where = f"{name} #{group.ident}"
        note = " ".join(group.source_note.split())
        if not note.startswith("Source: Synthetic stand-in"):
            bad.append(f"{where}: source line opens with another source: {note[:120]}")
        named = note.count("Synthetic stand-in")
        if named != 1:
            bad.append(f"{where}: source line names the stand-in {named} times")
        for el in group.elements:
            if REAL_CAMRD_KEY in el.cites:
                bad.append(f"{where}: cites the real CAMRD: {el.text[:120]}")
            if el.tag in ("figcaption", "caption", "li", "p") and names_camrd_first(el.text):
                bad.append(f"{where}: {el.tag} names the CAMRD first: {el.text[:120]}")
        for alt in group.alt:
            if not SYNTHETIC.search(alt) or names_camrd_first(alt):
                bad.append(f"{where}: alt text does not say the data are synthetic: {alt[:120]}")
        for src in group.svg:
            svg = (ed.folder / src).read_text(encoding="utf-8")
            drawn = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
            drawn += " " + " ".join(re.findall(r"<(?:title|desc)>([^<]*)<", svg))
            if names_camrd_first(drawn):
                bad.append(f"{where}: the figure's drawn text names the CAMRD first")
            if real_outlets_in(drawn, outlets):
                named = real_outlets_in(drawn, outlets)
                bad.append(f"{where}: the figure names real outlets {named}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("edition", EDITIONS)
def test_sentences_with_synthetic_numbers_cite_no_real_work(editions, edition):
    ed = editions[edition]
    bad = []
    for name, page in ed.pages.items():
        for el in page.elements:
            if not el.markers or el.tag not in ("p", "li", "td", "dd"):
                continue
            real = [k for k in el.cites if not k.startswith("synthetic_")]
            if real:
                # only a sentence of its own may cite a real work beside a marked number
                marked = [s for s in sentences(el.text) if MARK in s]
                label = ed.camrd_label
                if REAL_CAMRD_KEY in real or any(label and label in s for s in marked):
                    bad.append(f"{name}: synthetic number cited to the CAMRD: {el.text[:160]}")
            for sent in sentences(el.text):
                if MARK in sent and names_camrd_first(sent):
                    bad.append(f"{name}: names the CAMRD before the synthetic data: {sent[:160]}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("edition", EDITIONS)
def test_pdf_and_search_index_attribute_synthetic_data_first(editions, edition):
    ed = editions[edition]
    texts = [(f"report.pdf p. {i + 1}", t) for i, t in enumerate(ed.pdf_pages)]
    search = json.loads((ed.folder / "search.json").read_text(encoding="utf-8"))
    texts += [(f"search.json {e.get('href', '')}", e.get("text", "")) for e in search]
    bad = []
    for where, text in texts:
        flat = " ".join(text.split())
        for m in re.finditer(r"Source: (.{0,400}?)(?:\.\s|$)", flat):
            line = m.group(1)
            if CAMRD.search(line) and not line.startswith("Synthetic stand-in"):
                bad.append(f"{where}: source line names the CAMRD without the stand-in first")
        for sent in sentences(flat):
            if MARK in sent:
                if ed.camrd_label and ed.camrd_label in sent:
                    bad.append(f"{where}: synthetic number cited to the CAMRD: {sent[:160]}")
                if names_camrd_first(sent):
                    bad.append(f"{where}: names the CAMRD before the synthetic data: {sent[:160]}")
    assert not bad, "\n".join(bad)


def json_objects(value: object) -> Iterator[dict]:
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from json_objects(v)
    elif isinstance(value, list):
        for v in value:
            yield from json_objects(v)


@pytest.mark.parametrize("edition", EDITIONS)
def test_provenance_and_ro_crate_attribute_synthetic_files_to_the_stand_in(editions, edition):
    ed = editions[edition]
    bad = []
    prov = json.loads((ed.folder / "provenance.json").read_text(encoding="utf-8"))
    flagged = 0
    for obj in json_objects(prov):
        if obj.get("synthetic") is True or obj.get("x-synthetic") is True:
            flagged += 1
            cite = obj.get("citation") or (obj.get("x-citation") or {}).get("key", "")
            if cite and not str(cite).startswith("synthetic_"):
                bad.append(f"provenance.json: synthetic data cited to {cite}")
            if "source" in obj and not str(obj["source"]).lower().startswith("synthetic"):
                bad.append(f"provenance.json: synthetic source named as {obj['source'][:80]!r}")
            for key in ("title", "description", "source", "x-source-line"):
                if isinstance(obj.get(key), str) and names_camrd_first(obj[key]):
                    name = obj.get("dataset") or obj.get("name")
                    bad.append(f"provenance.json: {name} {key} names the CAMRD first")
    assert flagged, "provenance.json flags no synthetic file: the scan would check nothing"
    crate = json.loads((ed.folder / "ro-crate-metadata.json").read_text(encoding="utf-8"))
    synthetic_entities = [e for e in crate["@graph"] if e.get("isSynthetic") is True]
    assert synthetic_entities
    for entity in synthetic_entities:
        if not str(entity.get("citation", "")).startswith("synthetic_"):
            bad.append(f"RO-Crate {entity['@id']}: cited to {entity.get('citation')}")
        if not str(entity.get("description", "")).lower().startswith("synthetic"):
            bad.append(f"RO-Crate {entity['@id']}: description does not open with Synthetic")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("edition", EDITIONS)
def test_provenance_boxes_name_synthetic_files_as_such_first(editions, edition):
    ed = editions[edition]
    bad = []
    listed = 0
    paths: set[str] = set()
    for name, page in ed.pages.items():
        for el in page.elements:
            text = " ".join(el.text.split())
            path = re.search(r"(?:data/(?:released|restricted)|restricted-src/data)/\S+", text)
            if el.tag != "li" or "sha256" not in text or not path:
                continue  # not an entry of a provenance listing
            listed += 1
            paths.add(path.group(0))
            said = text.find("Synthetic")
            if said < 0 or said > path.start():
                bad.append(f"{name}: {text[:120]}")
    assert listed, "no provenance listing of a synthetic file found"
    if edition == "restricted":  # the event records, read where they were decrypted
        assert any("restricted-src/data/" in p for p in paths), sorted(paths)
    assert not bad, "synthetic data files listed without saying so first:\n" + "\n".join(bad)


def place_names(repo: Path) -> set[str]:
    """Places the report names (the stand-in's municipalities and seats, the
    map's places): a town may share a word with a paper (Frontera Comalapa,
    Frontera Corozal), and naming the town is not naming the paper."""
    cfg = yaml.safe_load((repo / "config" / "synthetic_events.yaml").read_text(encoding="utf-8"))
    names = set()
    for rows in cfg["municipalities"]["by_state"].values():
        for row in rows:
            names |= {str(row[k]) for k in ("municipality", "seat") if row.get(k)}
    with open(repo / "data" / "geo" / "places.csv", encoding="utf-8", newline="") as fh:
        names |= {row["place"] for row in csv.DictReader(fh)}
    return names


@pytest.fixture(scope="module")
def outlets(repo) -> list[str]:
    """The real outlets to look for: those whose name is not part of a place name."""
    places = place_names(repo)
    return [n for n in REAL_OUTLETS if not any(n in place for place in places)]


def test_synthetic_records_name_no_real_outlet_or_address(editions, outlets):
    ed = editions["restricted"]
    page = next(p for p in ed.pages.values() if 'id="tbl-event-listing"' in p.html)
    start = page.html.index('id="tbl-event-listing"')
    table = page.html[start : page.html.index("</table>", start)]
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]*)</a>', table)
    records = [(href, label) for href, label in links if "camrd-s-" in href]
    assert len(records) > 100, "the scan found no record of the event listing"
    bad = [(h, lab) for h, lab in records if not is_invalid_host(h)]
    bad += [(h, lab) for h, lab in records if not re.fullmatch(r"synthetic-source-\d{3}", lab)]
    assert not bad, f"records with a real source or address: {bad[:5]}"
    shown = real_outlets_in(table, outlets)
    assert not shown, f"real outlets named in the event listing: {shown}"
    # the PDF pages that list records, and their link targets
    listing_pages = {i for i, t in enumerate(ed.pdf_pages) if "synthetic-source-" in t}
    assert listing_pages
    for i in listing_pages:
        text = ed.pdf_pages[i]
        named = real_outlets_in(text, outlets)
        assert not named, (i + 1, named)
    pdf_records = [(i, u) for i, u in ed.pdf_uris if "camrd-s-" in u]
    assert pdf_records, "the PDF links no record address"
    assert all(is_invalid_host(u) for _, u in pdf_records), [
        (i + 1, u) for i, u in pdf_records if not is_invalid_host(u)
    ][:5]


@pytest.mark.parametrize("edition", EDITIONS)
def test_no_synthetic_record_address_outside_a_reserved_domain(editions, edition):
    ed = editions[edition]
    addresses = [u for page in ed.pages.values() for u in page.links if "camrd-s-" in u.lower()]
    addresses += [u for _, u in ed.pdf_uris if "camrd-s-" in u.lower()]
    for name in ("provenance.json", "ro-crate-metadata.json", "search.json"):
        text = (ed.folder / name).read_text(encoding="utf-8")
        addresses += re.findall(r"https?://[^\s\"']*camrd-s-[^\s\"']*", text, re.IGNORECASE)
    bad = [u for u in addresses if not is_invalid_host(u)]
    assert not bad, bad[:10]


@pytest.mark.parametrize("edition", EDITIONS)
def test_reader_facing_text_is_in_us_english(editions, edition):
    ed = editions[edition]
    found = set()
    for name, page in ed.pages.items():
        for el in page.elements:
            found |= {f"{name}: {w} -> {us}" for w, us in variants(el.text)}
        for _, text in page.attributes:
            found |= {f"{name} (attribute): {w} -> {us}" for w, us in variants(text)}
    for i, text in enumerate(ed.pdf_pages):
        found |= {f"report.pdf p. {i + 1}: {w} -> {us}" for w, us in variants(text)}
    assert not found, "British spellings in the built edition:\n" + "\n".join(sorted(found))
