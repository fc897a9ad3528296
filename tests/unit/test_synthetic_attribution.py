"""Synthetic means synthetic in the prose and in every source line.

Which inline numbers are synthetic is not listed here: a namespace is
synthetic when the rule that writes it reads a dataset that the data package
flags ``x-synthetic`` (found through Snakemake's own dry run, so a new rule
or spec is covered without editing this file). Then, in every chapter:

* a sentence that quotes such a number says that it comes from synthetic
  data ("synthetic stand-in", "synthetic records", "invented" ...) before the
  number, in the same sentence or in the sentence before it in the same
  paragraph, or as the very noun the number counts ("1,000 synthetic
  records");
* it cites no real work: its citations are all of synthetic works (keys
  starting ``synthetic_``). A printed 2018 value quoted beside a synthetic
  figure goes in a sentence of its own.

And every source line names a synthetic source first, once, and refuses a
real citation for it.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from prp.artifacts.catalog import load_catalog
from prp.artifacts.sources import (
    SYNTHETIC_KEY_PREFIX,
    SourceError,
    check_attribution,
    source_line,
)
from prp.data.datapackage import load_package
from prp.tools.dag import planned_jobs

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
REPORT = ROOT / "report"
CHAPTERS = sorted(REPORT.rglob("*.qmd"))
VAR_RE = re.compile(r"\{\{<\s*var\s+([a-z0-9_]+)\.([a-z0-9_]+)\s*>\}\}")
CITE_RE = re.compile(r"(?<![\w.])@([a-z0-9_][a-z0-9_:-]*)")
SYNTHETIC_WORDS = re.compile(
    r"synthetic (stand-in|records?|events?|data|counts?|database|table)|invented",
    re.IGNORECASE,
)
# abbreviations after which a full stop does not end a sentence
ABBREVIATIONS = ("U.S.", "e.g.", "i.e.", "p.", "pp.", "No.", "Dr.", "St.", "vs.", "etc.", "al.")


def synthetic_datasets() -> set[str]:
    return {r["name"] for r in load_package(DATA)["resources"] if r.get("x-synthetic")}


def parameter_keys(rule: str) -> set[str]:
    """Variables a numbers script sets from its parameters, not from data
    (its ``FROM_PARAMETERS``; the same list goes into its number file)."""
    module = importlib.import_module(rule)
    return set(getattr(module, "FROM_PARAMETERS", ()))


@pytest.fixture(scope="module")
def synthetic_namespaces() -> dict[str, set[str]]:
    """Namespace -> the variables of it that are not computed from data."""
    from tests.keys import ensure_unsealed

    synthetic = synthetic_datasets()
    # the restricted rules exist only with the restricted sources decrypted
    restricted = ensure_unsealed(ROOT)
    found = {}
    for job in planned_jobs(ROOT, ["all"], forceall=True):
        for out in job.outputs:
            m = re.fullmatch(r"build/numbers/([a-z0-9_]+)\.yml", out)
            if not m:
                continue
            read = {Path(p).stem for p in job.inputs if p.startswith("build/clean/")}
            if read & synthetic:
                found[m.group(1)] = parameter_keys(job.rule)
    # the event namespaces are found
    assert {"events", *(["restricted_events"] if restricted else [])} <= set(found)
    assert "k" in found["events"]
    return found


def paragraphs(text: str) -> list[str]:
    """Blocks separated by blank lines, comments and code blocks removed,
    list items as blocks of their own, line breaks joined."""
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL)
    text = re.sub(r"^```.*?^```", " ", text, flags=re.DOTALL | re.MULTILINE)
    out = []
    for block in re.split(r"\n\s*\n", text):
        for item in re.split(r"\n(?=\s*(?:[-*+]|\d+\.)\s)", block):
            joined = " ".join(line.strip() for line in item.splitlines()).strip()
            if joined:
                out.append(joined)
    return out


def sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph (a full stop after a known abbreviation and
    inside a shortcode or citation bracket does not end one)."""
    out, start, depth = [], 0, 0
    for i, ch in enumerate(paragraph):
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth = max(0, depth - 1)
        elif ch in ".?!" and depth == 0:
            nxt = paragraph[i + 1 : i + 3]
            if not (nxt[:1] == " " and nxt[1:2] and not nxt[1:2].islower()):
                continue
            head = paragraph[start : i + 1]
            if head.endswith(ABBREVIATIONS) or re.search(r"\b[A-Z]\.$", head):
                continue
            out.append(paragraph[start : i + 1].strip())
            start = i + 1
    if paragraph[start:].strip():
        out.append(paragraph[start:].strip())
    return out


def problems(text: str, namespaces: dict[str, set[str]]) -> list[str]:
    """What breaks the rule in a chapter; ``namespaces`` maps each synthetic
    namespace to its variables that do not rest on data."""

    def synthetic(m: re.Match[str]) -> bool:
        return m.group(1) in namespaces and m.group(2) not in namespaces[m.group(1)]

    found = []
    for para in paragraphs(text):
        previous = ""
        for sent in sentences(para):
            first = next((m for m in VAR_RE.finditer(sent) if synthetic(m)), None)
            if first is not None:
                before = previous + " " + sent[: first.start()]
                counted = " ".join(sent[first.end() :].split()[:2])  # "N synthetic records"
                if not (SYNTHETIC_WORDS.search(before) or SYNTHETIC_WORDS.match(counted)):
                    found.append(f"not announced as synthetic: {sent[:160]}")
                real = [k for k in CITE_RE.findall(sent) if not k.startswith(SYNTHETIC_KEY_PREFIX)]
                real = [k for k in real if not k.startswith(("sec-", "fig-", "tbl-"))]
                if real:
                    found.append(f"synthetic number cited to {real}: {sent[:160]}")
            previous = sent
    return found


def test_sentence_splitter():
    para = (
        "The U.S. Border Patrol counts {{< var a.b >}} events. The stand-in holds "
        "more [@x, p. 2]. Next one starts here."
    )
    assert sentences(para) == [
        "The U.S. Border Patrol counts {{< var a.b >}} events.",
        "The stand-in holds more [@x, p. 2].",
        "Next one starts here.",
    ]


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("The synthetic stand-in holds {{< var events.n >}} events.", []),
        ("These records are invented. They hold {{< var events.n >}} events.", []),
        ("It lists {{< var events.n >}} synthetic records.", []),
        ("It lists {{< var events.n >}} records, all synthetic.", ["not announced"]),
        ("The database holds {{< var events.n >}} events.", ["not announced"]),
        (
            "The synthetic stand-in holds {{< var events.n >}} events [@leutert_2018_camrd].",
            ["cited to ['leutert_2018_camrd']"],
        ),
        ("The synthetic records hold {{< var events.n >}} [@synthetic_camrd_standin].", []),
        ("A real count: {{< var border.total >}} [@cbp].", []),  # not a synthetic namespace
        ("Counts below {{< var events.k >}} are withheld [@sdc].", []),  # a parameter
        (
            "The synthetic stand-in holds many.\n\nA new paragraph: {{< var events.n >}}.",
            ["not announced"],
        ),
    ],
)
def test_rule_on_examples(text, bad):
    found = problems(text, {"events": {"k"}})
    assert len(found) == len(bad)
    for f, b in zip(found, bad, strict=True):
        assert b in f


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: str(p.relative_to(REPORT)))
def test_synthetic_numbers_are_announced_and_never_cited_to_a_real_work(path, synthetic_namespaces):
    found = problems(path.read_text(encoding="utf-8"), synthetic_namespaces)
    assert not found, f"{path.relative_to(ROOT)}:\n  " + "\n  ".join(found)


# --------------------------------------------------------------- source lines


def catalog_datasets() -> list[tuple[str, list[str]]]:
    cat = load_catalog(ROOT / "config" / "artifacts")
    return [(k, m["datasets"]) for kind in ("tables", "figures") for k, m in cat[kind].items()]


@pytest.mark.parametrize(("artifact", "datasets"), catalog_datasets(), ids=lambda x: str(x))
def test_source_line_names_synthetic_data_first_and_once(artifact, datasets):
    synthetic = synthetic_datasets()
    line = source_line(DATA, datasets)
    if set(datasets) & synthetic:
        assert line.startswith("Source: Synthetic stand-in"), line
        assert line.count("Synthetic stand-in") == 1, line
        assert "leutert_2018_camrd" not in line
    else:
        assert "Synthetic" not in line, line


def test_events_by_state_source_line():
    line = source_line(DATA, ["events_by_state"])
    assert line.startswith("Source: Synthetic stand-in")
    assert line.count("Synthetic") == 1
    assert "[@synthetic_camrd_standin]" in line


def test_a_synthetic_resource_cited_to_a_real_work_is_refused():
    res = {
        "x-synthetic": True,
        "x-source-line": "Synthetic stand-in for the CAMRD",
        "x-citation": {"key": "leutert_2018_camrd"},
        "sources": [{"title": "x"}],
    }
    with pytest.raises(SourceError, match="leutert_2018_camrd"):
        check_attribution("events", res)
    with pytest.raises(SourceError, match="no work"):
        check_attribution("events", {**res, "x-citation": {}})
    with pytest.raises(SourceError, match="Synthetic"):
        check_attribution(
            "events",
            {**res, "x-citation": {"key": "synthetic_x"}, "x-source-line": "CAMRD counts"},
        )
    with pytest.raises(SourceError, match="real data"):
        check_attribution("border", {"x-citation": {"key": "synthetic_x"}, "sources": []})


def test_every_synthetic_resource_cites_a_synthetic_work_of_the_bibliography():
    bib = (REPORT / "references.bib").read_text(encoding="utf-8")
    for res in load_package(DATA)["resources"]:
        check_attribution(res["name"], res)
        if res.get("x-synthetic"):
            key = res["x-citation"]["key"]
            entry = re.search(r"@\w+\{" + re.escape(key) + r",(.*?)\n\}", bib, re.DOTALL)
            assert entry, f"{res['name']}: {key} is not in references.bib"
            title = re.search(r"title\s*=\s*\{+([^}]*)", entry.group(1))
            assert title and title.group(1).lower().startswith("synthetic"), key
