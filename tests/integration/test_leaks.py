"""No restricted input reaches the public edition, through any channel.

In a temporary copy of the repository, with the restricted sources decrypted
into ``build/restricted-src/``, a unique canary string is planted in every
restricted input — every file of the restricted data (for the event table,
in free-text cells of real rows, keeping the file valid), every
restricted-only chapter and the restricted catalog — and both editions are
built. Then:

* no file under ``build/public/`` (nor the public render tree
  ``build/src/public/``) holds a canary, whichever way it is read: raw
  bytes, HTML, PDF text (pypdf), PDF metadata and outline, JSON strings
  (search index, provenance, RO-Crate), SVG text, PNG text chunks;
* the canaries do reach ``build/restricted/`` (HTML and PDF), so the scan
  is able to see them;
* the public HTML links to no restricted page or file, and names no
  section of a restricted chapter;
* changing the restricted inputs, and then deleting the decrypted sources
  altogether, leaves every file of ``build/public/`` byte-identical after
  ``snakemake public``;
* a dry run of ``public`` schedules no job that reads a restricted path.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import secrets
import shutil
import struct
import zlib
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from pypdf import PdfReader

from tests.pdftext import page_texts

from .conftest import copy_repo, snakemake

pytestmark = pytest.mark.slow

RESTRICTED_DIRS = (
    "build/restricted-src/data",
    "build/restricted-src/report",
    "build/restricted-src/config",
)
CSV_TEXT_COLUMNS = ("outlet", "municipality")  # free-text columns that take a canary


# --------------------------------------------------------------------------
# planting


def plant_csv(path: Path, canary: str) -> list[str]:
    """Put a distinct canary into a free-text cell of the first data rows,
    one column per row; returns the canaries planted."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    columns = [c for c in CSV_TEXT_COLUMNS if c in header] or [header[-1]]
    planted = []
    for i, column in enumerate(columns):
        if i >= len(body):
            break
        token = f"{canary}-{path.stem}-{column}"
        j = header.index(column)
        body[i][j] = f"{body[i][j]} {token}"
        planted.append(token)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([header, *body])
    return planted


def plant_text(path: Path, canary: str) -> str:
    """Append a paragraph holding a canary to a text file (a chapter, a README)."""
    token = f"{canary}-{path.stem}"
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(f"{text}\n\nCanary paragraph {token} for the leak test.\n", encoding="utf-8")
    return token


def plant_everywhere(repo: Path, canary: str) -> dict[str, list[str]]:
    """Canaries planted, by restricted input file (relative path)."""
    planted: dict[str, list[str]] = {}
    for folder in RESTRICTED_DIRS:
        for path in sorted((repo / folder).rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(repo).as_posix()
            if path.suffix == ".csv":
                planted[rel] = plant_csv(path, canary)
            elif path.suffix == ".yaml":  # the restricted catalog: a comment keeps it valid
                token = f"{canary}-{path.stem}"
                path.write_text(path.read_text(encoding="utf-8") + f"# {token}\n")
                planted[rel] = [token]
            else:
                planted[rel] = [plant_text(path, canary)]
    return planted


# --------------------------------------------------------------------------
# reading every channel of a built file


def png_text_chunks(data: bytes) -> Iterator[str]:
    """Text of a PNG's tEXt, zTXt and iTXt chunks."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return
    pos = 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"tEXt":
            yield body.decode("latin-1")
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\0")
            yield key.decode("latin-1") + " " + zlib.decompress(rest[1:]).decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\0")
            compressed, rest = rest[0], rest[2:]
            _lang, _, rest = rest.partition(b"\0")
            _tkey, _, text = rest.partition(b"\0")
            text = zlib.decompress(text) if compressed else text
            yield key.decode("latin-1") + " " + text.decode("utf-8", "replace")
        pos += 12 + length


def json_strings(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from json_strings(v)
    elif isinstance(value, str):
        yield value


def pdf_channels(path: Path) -> Iterator[str]:
    yield from page_texts(path)
    reader = PdfReader(path)
    for value in (reader.metadata or {}).values():
        yield str(value)

    def outline(items: list) -> Iterator[str]:
        for item in items:
            if isinstance(item, list):
                yield from outline(item)
            else:
                yield str(getattr(item, "title", ""))

    yield from outline(reader.outline)


def channels(path: Path) -> Iterator[tuple[str, str]]:
    """(channel, text) pairs of one file: its raw bytes, and what a reader
    of its format sees."""
    data = path.read_bytes()
    yield "bytes", data.decode("latin-1")
    suffix = path.suffix.lower()
    if suffix in {".html", ".htm", ".xml", ".svg", ".css", ".js", ".txt", ".json", ".yml", ".md"}:
        text = data.decode("utf-8", "replace")
        yield "text", text
        yield "text-unescaped", unquote(text)
    if suffix == ".json":
        yield "json", "\n".join(json_strings(json.loads(data)))
    if suffix == ".pdf":
        for text in pdf_channels(path):
            yield "pdf", text
    if suffix == ".png":
        for text in png_text_chunks(data):
            yield "png-text", text


def squeeze(text: str) -> str:
    """Text with whitespace, soft hyphens and hyphens removed, so that a
    token broken across lines in a PDF still matches."""
    return re.sub(r"[\s\u00ad\-‐‑]+", "", text)


def find_canaries(folder: Path, canaries: Iterable[str]) -> dict[str, list[str]]:
    """For each canary, '<file>: <channel>' for every file under ``folder``
    in which it is seen (each file's channels are read once for all)."""
    wanted = {c: squeeze(c) for c in canaries}
    hits: dict[str, list[str]] = {c: [] for c in wanted}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        for channel, text in channels(path):
            squeezed = squeeze(text) if channel == "pdf" else ""
            for canary, short in wanted.items():
                if canary in text or (channel == "pdf" and short in squeezed):
                    hits[canary].append(f"{path.relative_to(folder)}: {channel}")
    return hits


def find_canary(folder: Path, canary: str) -> list[str]:
    """'<file>: <channel>' for every file under ``folder`` in which the
    canary is seen."""
    return find_canaries(folder, [canary])[canary]


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"href", "src", "action", "data", "poster"} and value:
                self.links.append(value)
            if name == "srcset" and value:
                self.links += [part.split()[0] for part in value.split(",") if part.strip()]


def html_links(path: Path) -> list[str]:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.links


def restricted_ids(repo: Path) -> set[str]:
    """Ids declared in restricted chapters: ``{#sec-...}``, ``{#tbl-...}``..."""
    ids: set[str] = set()
    for path in (repo / "build" / "restricted-src" / "report").glob("*.qmd"):
        ids.update(
            re.findall(r"\{#((?:sec|tbl|fig)-[A-Za-z0-9_-]+)", path.read_text(encoding="utf-8"))
        )
    return ids


# --------------------------------------------------------------------------
# the build


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    repo = copy_repo(tmp_path_factory.mktemp("leaks"))
    canary = f"CANARY-{secrets.token_hex(8)}"
    ids = restricted_ids(repo)
    tokens = plant_everywhere(repo, canary)
    snakemake(repo, "public", "restricted")
    return {
        "repo": repo,
        "canary": canary,
        "tokens": tokens,
        "ids": ids,
        "public_hashes": tree_hashes(repo / "build" / "public"),
    }


def test_every_restricted_input_got_a_canary(planted):
    repo, tokens = planted["repo"], planted["tokens"]
    for folder in RESTRICTED_DIRS:
        files = [p for p in (repo / folder).rglob("*") if p.is_file()]
        assert files, f"{folder} is empty"
        for path in files:
            rel = path.relative_to(repo).as_posix()
            assert tokens.get(rel), f"no canary in {rel}"
            text = path.read_text(encoding="utf-8")
            assert all(t in text for t in tokens[rel]), rel
    # the planted event table is still valid: the restricted build read it
    assert (repo / "build" / "clean" / "camrd_events.parquet").is_file()


def test_no_canary_in_any_public_file(planted):
    repo = planted["repo"]
    public = repo / "build" / "public"
    assert (public / "index.html").is_file() and (public / "report.pdf").is_file()
    assert any(public.rglob("search.json")), "the public search index was not scanned"
    hits = find_canary(public, planted["canary"])
    assert not hits, "restricted content in the public edition:\n" + "\n".join(hits)


def test_no_canary_in_the_public_render_tree(planted):
    tree = planted["repo"] / "build" / "src" / "public"
    assert tree.is_dir()
    assert not (tree / "restricted").exists()
    hits = find_canary(tree, planted["canary"])
    assert not hits, "restricted content in the public render tree:\n" + "\n".join(hits)


def test_canaries_reach_the_restricted_edition(planted):
    """The scan can see what it looks for: each canary of a rendered input
    (the restricted chapters, the event table) is in the restricted HTML and
    PDF."""
    restricted = planted["repo"] / "build" / "restricted"
    html = "\n".join(p.read_text(encoding="utf-8") for p in restricted.rglob("*.html"))
    pdf = squeeze("\n".join(pdf_channels(restricted / "report.pdf")))
    rendered = {
        rel: toks
        for rel, toks in planted["tokens"].items()
        if rel.startswith("build/restricted-src/report/") or rel.endswith(".csv")
    }
    assert any(r.endswith(".csv") for r in rendered) and any(r.endswith(".qmd") for r in rendered)
    for rel, toks in rendered.items():
        for token in toks:
            assert token in html, f"{token} ({rel}) not in the restricted HTML"
            assert squeeze(token) in pdf, f"{token} ({rel}) not in the restricted PDF"


def test_restricted_edition_is_marked_on_every_page(planted):
    import yaml

    repo = planted["repo"]
    profile = yaml.safe_load(
        (repo / "report" / "_quarto-restricted.yml").read_text(encoding="utf-8")
    )
    marking = profile["edition"]["marking"]
    restricted = repo / "build" / "restricted"
    pages = sorted(restricted.glob("*.html"))
    assert pages
    for page in pages:
        assert marking in page.read_text(encoding="utf-8"), f"{page.name} is not marked"
    unmarked = [
        i + 1
        for i, text in enumerate(page_texts(restricted / "report.pdf"))
        if squeeze(marking) not in squeeze(text)
    ]
    assert not unmarked, f"PDF pages without the marking: {unmarked}"
    public = repo / "build" / "public"
    assert not find_canary(public, marking), "the public edition carries the restricted marking"


def test_public_html_links_to_nothing_restricted(planted):
    repo = planted["repo"]
    public, restricted = repo / "build" / "public", repo / "build" / "restricted"
    restricted_only = {
        p.relative_to(restricted).as_posix() for p in restricted.rglob("*") if p.is_file()
    } - {p.relative_to(public).as_posix() for p in public.rglob("*") if p.is_file()}
    assert "sec-recommendations.html" in restricted_only
    bad = []
    for page in sorted(public.rglob("*.html")):
        for link in html_links(page):
            parts = urlsplit(link)
            if parts.scheme in {"http", "https", "mailto", "data"} or link.startswith("//"):
                if "restricted" in link.lower():
                    bad.append(f"{page.name}: {link}")
                continue
            if not parts.path:
                continue  # a fragment on the same page
            target = (page.parent / unquote(parts.path)).resolve()
            try:
                rel = target.relative_to(public.resolve()).as_posix()
            except ValueError:
                bad.append(f"{page.name}: {link} (outside the public edition)")
                continue
            if rel in restricted_only or "restricted" in rel.lower() or not target.exists():
                bad.append(f"{page.name}: {link}")
    assert not bad, "public links to restricted or missing files:\n" + "\n".join(bad)
    text = "\n".join(p.read_text(encoding="utf-8") for p in public.rglob("*.html"))
    text += "\n".join(p.read_text(encoding="utf-8") for p in public.rglob("*.json"))
    named = sorted(i for i in planted["ids"] if re.search(rf"[#\"'/]{re.escape(i)}\b", text))
    assert not named, f"the public edition names restricted sections: {named}"


def test_dry_run_of_public_reads_no_restricted_path(tmp_path):
    """Every job the public target would run, with its inputs, from scratch."""
    repo = copy_repo(tmp_path)
    proc = snakemake(repo, "-n", "--forceall", "public")
    summary = snakemake(repo, "--detailed-summary", "--forceall", "public")
    listing = proc.stdout + proc.stderr + summary.stdout
    assert "render_edition" in listing and "validate_dataset" in listing
    for folder in RESTRICTED_DIRS:
        assert folder not in listing, f"the public DAG touches {folder}:\n" + "\n".join(
            line for line in listing.splitlines() if folder in line
        )
    # the same dry run names the restricted paths for the restricted target
    # (so the check above can fail)
    restricted = snakemake(repo, "-n", "--forceall", "restricted").stdout
    assert "build/restricted-src/data/" in restricted
    assert "build/restricted-src/report/" in restricted


def test_public_edition_does_not_change_with_restricted_inputs(planted):
    """Runs last: it edits, then deletes, the restricted inputs of the copy."""
    repo, before = planted["repo"], planted["public_hashes"]
    # (i) different restricted inputs
    events = repo / "build" / "restricted-src" / "data" / "events.csv"
    with open(events, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    v = rows[0].index("victims")
    for row in rows[1:50]:
        row[v] = str(int(row[v]) + 1)
    with open(events, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    for path in (repo / "build" / "restricted-src" / "report").glob("*.qmd"):
        path.write_text(
            path.read_text(encoding="utf-8") + "\nAnother paragraph.\n", encoding="utf-8"
        )
    (repo / "build" / "restricted-src" / "data" / "README.md").write_text("changed\n")
    snakemake(repo, "public")
    assert tree_hashes(repo / "build" / "public") == before
    # (ii) no restricted sources at all (a clone without a key)
    shutil.rmtree(repo / "build" / "restricted-src")
    snakemake(repo, "public")
    assert tree_hashes(repo / "build" / "public") == before
