"""No data-derived number may be typed by hand into the report's sources.

Every count, rate, share and amount in the prose comes from a generated
variable (``{{< var ns.key >}}``), so that new data rewrites the text. This
test scans every ``report/**/*.qmd`` and fails on a number that looks like
data:

* four or more digits (``607,474``, ``12000``, ``1,5``… thousands grouped or not);
* a percentage (``43%``, ``43 percent``, ``4.5 per cent``);
* money (``US$60``, ``$5.15``, ``USD 20``, ``€3``);
* a figure scaled in words (``134.7 million``).

Not scanned: shortcodes ``{{< … >}}``, quotations (``"…"``, ``“…”``, e.g.
statutory text, cited verbatim), citations ``[@…]`` and cross-references
``@tbl-…``, code (fenced and inline), attribute blocks such as heading ids
``{#sec-…}``, link targets, HTML comments and YAML front matter.

Allowed where they appear (a short, explicit list):

* years 1900–2099 written as four bare digits, used as dates (``in 2015``,
  ``FY2015``, ``2014–2018``);
* article, section and clause numbers (``Article 67``, ``Section 5.1.2``);
* numbers of laws and reports (``Report 198``, ``Law No. 1234``) and ISBNs;
* the denominator of a rate (``per 100,000 people``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "report"

# Spans that are not prose (or not ours): blanked out before scanning.
NOT_SCANNED = [
    re.compile(r"\A---\n.*?\n---\n", re.S),  # YAML front matter
    re.compile(r"^(```|~~~).*?^\1", re.S | re.M),  # fenced code
    re.compile(r"`[^`\n]+`"),  # inline code
    re.compile(r"<!--.*?-->", re.S),  # HTML comments
    re.compile(r"\{\{<.*?>\}\}", re.S),  # shortcodes: {{< var … >}}, {{< include … >}}
    re.compile(r"\{[#.][^{}\n]*\}|\{[\w-]+=[^{}\n]*\}"),  # attributes: {#sec-x .cls key="v"}
    re.compile(r"\]\([^)\s]*\)"),  # link targets
    re.compile(r"<https?://[^>\s]+>"),  # autolinks
    re.compile(r"(?<!\^)\[[^\[\]]*?-?@[\w][^\[\]]*\]"),  # citations [@key, p. 12; @b]
    re.compile(r"(?<![\w@])-?@[\w][\w:.-]*"),  # bare citations / cross-references
    re.compile(r"\"(?:[^\"\n]|\n(?!\s*\n)){1,1000}?\""),  # "straight quotations"
    re.compile(r"“(?:[^”\n]|\n(?!\s*\n)){1,1000}?”"),  # “curly quotations”
]

# Explicitly allowed numbers-with-context (blanked before scanning).
ALLOWED = [
    re.compile(
        r"\b(?:Articles?|Art\.|Sections?|Clauses?|Chapters?|Title)\s+[0-9IVXL]+(?:\.[0-9a-z]+)*\b"
    ),
    re.compile(r"\b(?:Report|Law|Decree|Resolution|Bill)\s+(?:No\.\s*|Number\s+)?\d+\b"),
    re.compile(r"\bISBN(?:-1[03])?:?\s*[\d-]+[\dX]\b"),
    # the unit of a rate: "per 100,000 people"
    re.compile(r"\bper\s+(?:10{0,2}(?:,000)+|10{3,})\b"),
]

NUMBER = r"\d[\d,]*(?:\.\d+)?"
PATTERNS = {
    "money": re.compile(rf"(?:US\$|\$|USD\s?|€|£)\s?{NUMBER}"),
    "percentage": re.compile(rf"(?<![\w.,]){NUMBER}\s?(?:%|percent\b|per\s+cent\b)", re.I),
    "scaled figure": re.compile(
        rf"(?<![\w.,]){NUMBER}\s+(?:thousand|million|billion|trillion)\b", re.I
    ),
    "4+ digits": re.compile(r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})+|\d{4,})(?:\.\d+)?(?![\w,]|\.\d)"),
}
YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass(frozen=True)
class Finding:
    line: int
    kind: str
    text: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.kind} {self.text!r}"


def _blank(match: re.Match[str]) -> str:
    """Same length, newlines kept, so offsets still map to lines."""
    return re.sub(r"[^\n]", " ", match.group(0))


def scannable(text: str) -> str:
    """The text with everything that is not scanned, or explicitly allowed, blanked out."""
    for pattern in NOT_SCANNED + ALLOWED:
        text = pattern.sub(_blank, text)
    return text


def hand_typed_numbers(text: str) -> list[Finding]:
    """Every hand-typed data-like number in a chapter's source, in order."""
    prose = scannable(text)
    findings: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in PATTERNS.items():
        for m in pattern.finditer(prose):
            if any(a <= m.start() < b or a < m.end() <= b for a, b in taken):
                continue  # already reported as money / percentage / …
            if kind == "4+ digits" and YEAR.fullmatch(m.group(0)):
                continue  # a year used as a date
            taken.append((m.start(), m.end()))
            findings.append(Finding(prose.count("\n", 0, m.start()) + 1, kind, m.group(0).strip()))
    return sorted(findings, key=lambda f: (f.line, f.text))


def flagged(text: str) -> list[str]:
    return [f.text for f in hand_typed_numbers(text)]


# --- the scanner itself -------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mexico apprehended 607,474 migrants.", ["607,474"]),
        ("Guatemalans were 43% of them.", ["43%"]),
        ("Guatemalans were 43 percent of them.", ["43 percent"]),
        ("It is 4.5 per cent.", ["4.5 per cent"]),
        ("A smuggler charges US$60 a day.", ["US$60"]),
        ("The minimum wage is $5.15 an hour.", ["$5.15"]),
        ("The fee is USD 7,000.", ["USD 7,000"]),
        ("Over 12000 messages were sent.", ["12000"]),
        ("About 1.250,5 or 22,000.5 people.", ["22,000.5"]),
        ("Revenues of 134.7 million a year.", ["134.7 million"]),
        ("A year of 2,015 and a count of 2150.", ["2,015", "2150"]),
        ("Two lines:\nthe second has 9,999 cases.", ["9,999"]),
        ("A rate of 16.3 per 100,000, up from 1,200 per 100,000.", ["1,200"]),
        ("A footnote^[with 5,000 cases [@key]] counts.", ["5,000"]),
    ],
)
def test_scanner_flags_data_numbers(text, expected):
    assert flagged(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Guatemalans were {{< var a.b >}}% of them.",
        "They were {{< var a.b >}} percent, or {{< var a.c >}}.",
        "The law was passed in 2015.",
        "From FY2013 to FY2016, and over 2014–2018.",
        "Article 67 of the law; Articles 11 and 33; Section 5.1.2; Clause 2.2.a.",
        "Policy Research Project Report 198; ISBN 978-0-89940-826-2.",
        "The statute says “a period of 1,000 hours” exactly.",
        'The statute says "a fee of US$5,000" exactly.',
        "As shown [@dhs_2016, p. 1234] and [see @a_2017; @b_2018, table 12].",
        "See @tbl-apprehensions-2017 and @sec-part-2018.",
        "## Heading {#sec-fy2015-2016 .unnumbered}",
        "Code `x = 12345` is not prose.\n\n```\nprint(99,999)\n```\n",
        "<!-- 12,345 in a comment -->",
        "A [link](https://example.org/2019/12345.html).",
        "Aged 15 to 17, 36 hours, 3.5 km.",
        "A rate of {{< var a.b >}} per 100,000 people, or per 1,000 births.",
    ],
)
def test_scanner_passes_allowed_text(text):
    assert flagged(text) == []


def test_quotation_does_not_run_across_paragraphs():
    # An unmatched quote mark must not hide the next paragraph.
    assert flagged('He said "yes.\n\nThen 4,321 came.') == ["4,321"]


def test_line_numbers():
    found = hand_typed_numbers("one\n\nthree has 1,000\n")
    assert [(f.line, f.kind) for f in found] == [(3, "4+ digits")]


# --- the report -----------------------------------------------------------------

SOURCES = sorted(REPORT.rglob("*.qmd"))


def test_report_sources_found():
    assert len(SOURCES) >= 5, f"expected the book's chapters under {REPORT}"


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(REPORT)) for p in SOURCES])
def test_no_hand_typed_numbers(path):
    findings = hand_typed_numbers(path.read_text(encoding="utf-8"))
    assert not findings, (
        f"{path.relative_to(ROOT)}: numbers typed by hand (use {{{{< var ns.key >}}}}):\n"
        + "\n".join(f"  {f}" for f in findings)
    )
