"""One report, two engines: real Quarto renders both editions as the pandoc +
typst fallback does.

Quarto comes from the offline bundle ``../shared/tools/quarto/`` (CI has it),
installed into ``.cache/quarto/`` by ``tests/quarto_install.py``; without the
bundle these tests are skipped and say why. In a copy of the built
repository the workflow renders both editions again with ``render_engine:
quarto`` (``--config render_engine=quarto quarto=<exe>``), and what a reader
sees is compared with the fallback's editions of the same build
(``tests/parity.py``):

* the same output paths: ``index.html``, the chapter pages ``sec-*.html``,
  ``references.html``, ``report.pdf``, ``search.json``, the figures;
* per page the chapter title as shown ("Part 3. ...", "Appendix B. ..."),
  the figure and table numbers of the captions, the texts of the
  cross-references and the places they lead to, the citations (keys and
  author-date texts); in the PDF the outline, the caption numbers and --
  when Quarto runs the pinned pandoc and typst, as the bundle does -- the text
  of every page;
* author-date citations in both PDFs, never typst's numeric ones;
* the restricted marking on every HTML page (banner and ``<title>``) and at
  the head and the foot of every PDF page of the restricted edition, in both
  engines; and no restricted-only chapter, section, citation or the marking in
  any file of the public Quarto edition.

The deliberate differences (page chrome, search UI, Quarto's site_libs/) are
listed in the README, "Two engines".
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.parity import differences, html_pages, marking_problems, read_pdf
from tests.quarto_install import NoQuarto, install

from .conftest import snakemake
from .test_leaks import find_canaries

pytestmark = pytest.mark.slow

EDITIONS = ("public", "restricted")
# the fallback's own page chrome, which Quarto's site_libs/ replaces (README:
# "Differences that remain, deliberately")
FALLBACK_CHROME = {"favicon.svg"}
PINS = {"pandoc": "3.9", "typst": "0.15.2"}  # those of requirements.lock


@pytest.fixture(scope="module")
def quarto_exe() -> Path:
    try:
        return install()
    except NoQuarto as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def quarto_repo(built_repo: Path, quarto_exe: Path, tmp_path_factory) -> Path:
    """A copy of the built repository whose editions Quarto rendered."""
    repo = tmp_path_factory.mktemp("engines") / "repo"
    shutil.copytree(built_repo, repo, symlinks=True)
    snakemake(repo, "all", "--config", "render_engine=quarto", f"quarto={quarto_exe}")
    return repo


def same_pins(quarto_exe: Path) -> bool:
    """Does this Quarto run the pandoc and typst the fallback is pinned to?"""
    out = subprocess.run(
        [str(quarto_exe), "check", "versions"], capture_output=True, text=True, check=False
    )
    text = out.stdout + out.stderr
    return all(re.search(rf"{tool}\D+{re.escape(v)}\b", text, re.I) for tool, v in PINS.items())


def marking_of(repo: Path) -> str:
    profile = (repo / "report" / "_quarto-restricted.yml").read_text(encoding="utf-8")
    return str(yaml.safe_load(profile)["edition"]["marking"])


@pytest.mark.parametrize("edition", EDITIONS)
def test_quarto_renders_what_the_fallback_renders(built_repo, quarto_repo, quarto_exe, edition):
    fallback, quarto = built_repo / "build" / edition, quarto_repo / "build" / edition
    found = differences(fallback, quarto, pdf_text=same_pins(quarto_exe))
    assert not found, "\n".join(found)

    # the same pages under the same names, the PDF, the search index, the figures
    def files(root: Path) -> set[str]:
        return {
            p.relative_to(root).as_posix()
            for p in root.rglob("*")
            if p.is_file()
            and p.suffix in (".html", ".pdf", ".svg", ".json")
            and not p.relative_to(root).as_posix().startswith("site_libs/")
            and p.relative_to(root).as_posix() not in FALLBACK_CHROME
        }

    assert files(fallback) == files(quarto)
    names = sorted(html_pages(quarto))
    assert "index.html" in names and "references.html" in names
    assert all(
        re.fullmatch(r"sec-[a-z0-9-]+\.html", n)
        for n in names
        if "/" not in n and n not in ("index.html", "references.html")
    ), names


@pytest.mark.parametrize("edition", EDITIONS)
def test_citations_are_author_date_in_both_pdfs(built_repo, quarto_repo, edition):
    for repo in (built_repo, quarto_repo):
        pdf = read_pdf(repo / "build" / edition / "report.pdf")
        # a citation may run across a page break: the running head, the
        # marking and the page number come between its halves
        furniture = re.compile(
            r"^(Organized Crime and Central American Migration in Mexico|RESTRICTED|\d+$)"
        )
        text = " ".join(
            "\n".join(ln for ln in page.splitlines() if not furniture.match(ln.strip()))
            for page in pdf.pages
        )
        assert not re.search(r"\[\d+(?:[,–-]\s*\d+)*\]", text), "numeric citation in the PDF"
        cites = {
            t for page in html_pages(repo / "build" / edition).values() for t in page.cite_texts
        }
        assert cites
        # a long citation breaks across lines, hyphenated (typst's hyphen or a
        # soft hyphen): compare without spaces and hyphens on both sides
        squeezed = re.sub(r"[\s\u00ad\u2010-]+", "", text)
        missing = sorted(
            c for c in cites if not in_flow(re.sub(r"[\s\u00ad\u2010-]+", "", c), squeezed)
        )
        assert not missing, f"{repo.name}: citations of the HTML not in the PDF: {missing[:5]}"


def in_flow(cite: str, text: str, gap: int = 4000) -> bool:
    """Is ``cite`` in ``text``, whole or in two halves with at most ``gap``
    characters between them? A citation that runs across a page break has
    the next page's footnotes, or a figure that floated there, between its
    halves in the PDF's text."""
    if cite in text:
        return True
    for cut in range(3, len(cite) - 2):
        head, tail = cite[:cut], cite[cut:]
        at = text.find(head)
        while at >= 0:
            end = at + len(head)
            if text.find(tail, end, end + gap + len(tail)) >= 0:
                return True
            at = text.find(head, at + 1)
    return False


def test_restricted_marking_on_every_page_in_both_engines(built_repo, quarto_repo):
    marking = marking_of(built_repo)
    for repo in (built_repo, quarto_repo):
        problems = marking_problems(repo / "build" / "restricted", marking)
        assert not problems, "\n".join(problems)


def restricted_only(repo: Path) -> list[str]:
    """Strings that only the restricted edition may show: the marking, the ids
    and titles of restricted chapters and their sections, and the works only
    restricted chapters cite."""
    out = [marking_of(repo)]
    # the restricted chapters, as the build decrypted them (prp.data.crypt)
    for path in sorted((repo / "build" / "restricted-src" / "report").glob("*.qmd")):
        text = path.read_text(encoding="utf-8")
        out += re.findall(r"\{#((?:sec|tbl|fig)-[A-Za-z0-9_-]+)", text)
        out += [t.strip() for t in re.findall(r"^#+\s+(.*?)\s*\{", text, re.M) if len(t) > 12]
    cited = {}
    for edition in EDITIONS:
        meta = repo / "build" / "src" / edition / "_generated" / "citations.yml"
        nocite = yaml.safe_load(meta.read_text(encoding="utf-8")).get("nocite", "")
        cited[edition] = set(re.findall(r"@([^,\s]+)", nocite))
    out += [f"ref-{key}" for key in sorted(cited["restricted"] - cited["public"])]
    return out


def test_no_restricted_text_in_the_public_quarto_edition(quarto_repo):
    public = quarto_repo / "build" / "public"
    strings = restricted_only(quarto_repo)
    assert len(strings) > 5
    leaks = {s: hits for s, hits in find_canaries(public, strings).items() if hits}
    assert not leaks, leaks


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_quarto_editions_pass_the_preflight(quarto_repo, edition):
    """The print and web checks of ``make preflight`` on what Quarto rendered."""
    import prp.tools.preflight as pf

    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    findings = pf.preflight(
        quarto_repo / "build" / edition,
        marking=pf.edition_marking(quarto_repo / "report", edition),
        bib=quarto_repo / "build" / "src" / edition / "references.bib",
        browser=pf.CHROMIUM.exists(),
    )
    assert not findings, pf.render(edition, findings)
