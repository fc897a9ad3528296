"""Pure comparison of two report builds, for ``python -m prp.tools.diff``.

:func:`load_build` reads what one build folder holds of one edition into a
:class:`BuildView` (file contents only); every other function here is pure.
:func:`compare` returns an :class:`EditionDiff`: changed variables (with the
chapters quoting them), table cells aligned on key columns, figures whose
data changed, word-level diffs of the rendered sections, and what the
provenance records say changed (inputs, scripts, modules, parameters,
environment) — ignoring the git commit and dirty flag, which change with
every commit without changing the report.
"""

from __future__ import annotations

import csv
import difflib
import html
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

CONTEXT_WORDS = 8
IGNORED_RECORD_KEYS = frozenset({"source_tree"})  # git commit / dirty flag: not a change
COMMIT_BOUND = frozenset({"provenance.json", "ro-crate-metadata.json"})
HASH_TOKEN = re.compile(r"\b[0-9a-f]{12,64}\b")
VAR_REF = re.compile(r"\{\{<\s*var\s+([A-Za-z0-9_.\-]+)\s*>\}\}")
HEADING = re.compile(r"^#\s+(.+?)\s*(\{([^}]*)\})?\s*$", re.MULTILINE)


# ---------------------------------------------------------------- variables


def flatten(data: Any, prefix: str = "") -> dict[str, str]:
    """Nested mapping -> ``{"a.b": "value"}`` with every leaf as text."""
    if isinstance(data, Mapping):
        out: dict[str, str] = {}
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}{key}."))
        return out
    if isinstance(data, list):
        return {prefix.rstrip("."): json.dumps(data, ensure_ascii=False)}
    return {prefix.rstrip("."): "" if data is None else str(data)}


@dataclass(frozen=True)
class Chapter:
    path: str  # relative to the edition's render tree
    title: str
    page: str  # HTML page of the chapter


def chapter_of(path: str, text: str) -> Chapter:
    """Title and page of a chapter from its first level-1 heading."""
    m = HEADING.search(text)
    if not m:
        return Chapter(path, path, "index.html")
    title, attrs = m.group(1), m.group(3) or ""
    ident = next((a[1:] for a in attrs.split() if a.startswith("#")), "")
    page = "index.html" if Path(path).stem == "index" or not ident else f"{ident}.html"
    return Chapter(path, title, page)


def variable_usage(chapters: Mapping[str, str]) -> dict[str, list[str]]:
    """Variable key -> chapter paths (sorted) quoting it with ``{{< var key >}}``."""
    used: dict[str, set[str]] = {}
    for path, text in chapters.items():
        for key in VAR_REF.findall(text):
            used.setdefault(key, set()).add(path)
    return {k: sorted(v) for k, v in used.items()}


@dataclass(frozen=True)
class VarChange:
    key: str
    old: str | None  # None: not defined in that build
    new: str | None
    chapters: tuple[str, ...]


def diff_variables(
    old: Mapping[str, str], new: Mapping[str, str], usage: Mapping[str, Sequence[str]]
) -> list[VarChange]:
    return [
        VarChange(k, old.get(k), new.get(k), tuple(usage.get(k, ())))
        for k in sorted(set(old) | set(new))
        if old.get(k) != new.get(k)
    ]


# ---------------------------------------------------------------- tables


def parse_csv(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return [], []
    width = len(rows[0])
    return rows[0], [r + [""] * (width - len(r)) for r in rows[1:]]


def _keys(columns: Sequence[str], rows: Sequence[Sequence[str]], key: Sequence[str]) -> list[str]:
    if not key:
        return [f"row {i + 1}" for i in range(len(rows))]
    idx = [columns.index(c) for c in key]
    return [" / ".join(r[i] for i in idx) for r in rows]


def choose_key(
    old_cols: Sequence[str],
    old_rows: Sequence[Sequence[str]],
    new_cols: Sequence[str],
    new_rows: Sequence[Sequence[str]],
) -> list[str]:
    """Columns that identify a row in both versions: the shortest prefix of the
    shared leading columns that is unique in both and matches the same set of
    rows; else row position when the row count is unchanged; else the shortest
    prefix unique in both (rows then show as added/removed)."""
    shared = [c for c in new_cols if c in old_cols]
    prefixes = [shared[:n] for n in range(1, min(3, len(shared)) + 1)]
    unique = []
    for key in prefixes:
        ok, nk = _keys(old_cols, old_rows, key), _keys(new_cols, new_rows, key)
        if len(set(ok)) == len(ok) and len(set(nk)) == len(nk):
            unique.append(key)
            if set(ok) == set(nk):
                return key
    if len(old_rows) == len(new_rows):
        return []
    return unique[0] if unique else []


@dataclass(frozen=True)
class CellChange:
    row: str
    column: str
    old: str
    new: str


@dataclass
class TableDiff:
    """One table's (or one figure's data) changes. ``status`` is ``changed``,
    ``added`` (only in the head build) or ``removed`` (only in the base)."""

    id: str
    status: str
    key: list[str]
    columns: list[str]
    rows: list[tuple[str, list[str]]]  # head rows, keyed
    removed_rows: list[tuple[str, list[str]]]  # base rows with no match
    added_rows: list[str]
    cells: list[CellChange]
    added_columns: list[str] = field(default_factory=list)
    removed_columns: list[str] = field(default_factory=list)
    reordered: bool = False

    @property
    def changed(self) -> bool:
        return bool(
            self.status != "changed"
            or self.cells
            or self.added_rows
            or self.removed_rows
            or self.added_columns
            or self.removed_columns
            or self.reordered
        )

    def change_count(self) -> int:
        return len(self.cells) + len(self.added_rows) + len(self.removed_rows)


def diff_table(ident: str, old_text: str | None, new_text: str | None) -> TableDiff:
    """Cell-level comparison of two versions of a CSV (None: file absent)."""
    old_cols, old_rows = parse_csv(old_text) if old_text is not None else ([], [])
    new_cols, new_rows = parse_csv(new_text) if new_text is not None else ([], [])
    if old_text is None or new_text is None:
        status = "added" if old_text is None else "removed"
        cols, rows = (new_cols, new_rows) if old_text is None else (old_cols, old_rows)
        keyed = list(zip(_keys(cols, rows, []), rows, strict=True))
        return TableDiff(
            ident,
            status,
            [],
            cols,
            keyed if status == "added" else [],
            keyed if status == "removed" else [],
            [k for k, _ in keyed] if status == "added" else [],
            [],
        )
    key = choose_key(old_cols, old_rows, new_cols, new_rows)
    ok, nk = _keys(old_cols, old_rows, key), _keys(new_cols, new_rows, key)
    old_by_key = dict(zip(ok, old_rows, strict=True))
    new_set = set(nk)
    shared = [c for c in new_cols if c in old_cols]
    cells: list[CellChange] = []
    added: list[str] = []
    for k, row in zip(nk, new_rows, strict=True):
        before = old_by_key.get(k)
        if before is None:
            added.append(k)
            continue
        for col in shared:
            a, b = before[old_cols.index(col)], row[new_cols.index(col)]
            if a != b:
                cells.append(CellChange(k, col, a, b))
    removed = [(k, r) for k, r in zip(ok, old_rows, strict=True) if k not in new_set]
    common_old = [k for k in ok if k in new_set]
    common_new = [k for k in nk if k in old_by_key]
    return TableDiff(
        ident,
        "changed",
        key,
        new_cols,
        list(zip(nk, new_rows, strict=True)),
        removed,
        added,
        cells,
        [c for c in new_cols if c not in old_cols],
        [c for c in old_cols if c not in new_cols],
        bool(key) and common_old != common_new,
    )


# ---------------------------------------------------------------- rendered text


@dataclass
class Section:
    page: str
    id: str
    title: str
    text: str


BLOCK_TAGS = frozenset(
    "p div li dt dd tr th td h1 h2 h3 h4 h5 h6 blockquote pre figcaption caption br"  # noqa: SIM905
    " section table ul ol dl figure".split()
)
VOID_TAGS = frozenset("area base br col embed hr img input link meta source track wbr".split())  # noqa: SIM905


class _MainText(HTMLParser):
    """Collects the text of ``<main>`` split at h1/h2 headings, skipping
    provenance boxes, scripts and the generated tables given."""

    def __init__(self, page: str, skip_ids: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.skip_ids = skip_ids
        self.in_main = 0
        self.skip_tag: str | None = None
        self.skip_depth = 0
        self.heading: str | None = None
        self.heading_text: list[str] = []
        self.sections: list[Section] = []
        self.parts: list[str] = []
        self.current = (page, "", "")

    def _flush(self) -> None:
        text = " ".join("".join(self.parts).split())
        if text or self.current[1]:
            self.sections.append(Section(self.current[0], self.current[1], self.current[2], text))
        self.parts = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "main":
            self.in_main += 1
            return
        if not self.in_main:
            return
        if self.skip_tag is not None:
            if tag == self.skip_tag:
                self.skip_depth += 1
            return
        classes = (a.get("class") or "").split()
        if tag in VOID_TAGS:
            if tag == "br":
                self.parts.append(" ")
            return
        if (
            tag in ("script", "style", "nav")
            or (tag == "details" and "provenance" in classes)
            or (a.get("id") or "") in self.skip_ids
        ):
            self.skip_tag, self.skip_depth = tag, 1
            return
        if tag in ("h1", "h2") and a.get("id"):
            self._flush()
            self.heading = tag
            self.heading_text = []
            self.current = (self.page, a["id"] or "", "")
        if tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.in_main -= 1
            return
        if not self.in_main:
            return
        if self.skip_tag is not None:
            if tag == self.skip_tag:
                self.skip_depth -= 1
                if self.skip_depth == 0:
                    self.skip_tag = None
            return
        if tag == self.heading:
            title = " ".join("".join(self.heading_text).split())
            self.current = (self.current[0], self.current[1], title)
            self.heading = None
        if tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self.in_main and self.skip_tag is None:
            self.parts.append(data)
            if self.heading:
                self.heading_text.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def page_sections(page: str, text: str, skip_ids: Iterable[str] = ()) -> list[Section]:
    """Text of each h1/h2 section of a page's main content. Hex digests are
    replaced by a placeholder: hash changes belong to the provenance part."""
    parser = _MainText(page, frozenset(skip_ids))
    parser.feed(text)
    parser.close()
    for s in parser.sections:
        s.text = HASH_TOKEN.sub("‹sha256›", s.text)
    return parser.sections


def caption_labels(text: str) -> dict[str, tuple[str, str]]:
    """``tbl-x``/``fig-x`` element id -> (label such as "Table 3.4", caption)."""
    found: dict[str, tuple[str, str]] = {}
    pattern = re.compile(
        r'<(table|figure) id="((?:tbl|fig)-[^"]+)".*?<(?:fig)?caption>'
        r'(?:<span\s+class="prp-caption-label">([^<]*?):?</span>)?(.*?)</(?:fig)?caption>',
        re.DOTALL,
    )
    for m in pattern.finditer(text):
        caption = html.unescape(re.sub(r"<[^>]+>", "", m.group(4))).strip()
        found[m.group(2)] = ((m.group(3) or "").strip(), " ".join(caption.split()))
    return found


Segment = tuple[str, list[str], list[str]]  # ("equal"|"replace"|"delete"|"insert", old, new)


def word_diff(old: str, new: str, context: int = CONTEXT_WORDS) -> list[list[Segment]]:
    """Hunks of a word-level diff, each with up to ``context`` unchanged words
    on either side."""
    a, b = old.split(), new.split()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [
        [(tag, a[i1:i2], b[j1:j2]) for tag, i1, i2, j1, j2 in group]
        for group in matcher.get_grouped_opcodes(context)
    ]


@dataclass
class SectionDiff:
    page: str
    id: str
    title: str
    status: str  # changed | added | removed
    hunks: list[list[Segment]]


def diff_sections(old: Sequence[Section], new: Sequence[Section]) -> list[SectionDiff]:
    before = {(s.page, s.id): s for s in old}
    after = {(s.page, s.id): s for s in new}
    out: list[SectionDiff] = []
    order = [*after, *(k for k in before if k not in after)]
    for key in order:
        o, n = before.get(key), after.get(key)
        if o is not None and n is not None:
            if o.text != n.text:
                out.append(SectionDiff(n.page, n.id, n.title, "changed", word_diff(o.text, n.text)))
        elif n is not None:
            out.append(SectionDiff(n.page, n.id, n.title, "added", word_diff("", n.text)))
        elif o is not None:
            out.append(SectionDiff(o.page, o.id, o.title, "removed", word_diff(o.text, "")))
    return out


# ---------------------------------------------------------------- provenance


def normalise(value: Any, roots: Sequence[str]) -> Any:
    """Replace absolute build roots inside strings so two work trees compare equal."""
    if isinstance(value, str):
        for root in roots:
            if root:
                value = value.replace(root.rstrip("/") + "/", "")
        return value
    if isinstance(value, Mapping):
        return {k: normalise(v, roots) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v, roots) for v in value]
    return value


@dataclass(frozen=True)
class FileChange:
    path: str
    old: str | None  # sha256, None: not used in that build
    new: str | None
    jobs: tuple[str, ...]


@dataclass(frozen=True)
class ValueChange:
    job: str
    key: str
    old: str | None
    new: str | None


@dataclass
class ProvenanceDiff:
    inputs: list[FileChange]  # source inputs (outside build/)
    code: list[FileChange]  # scripts and shared modules
    params: list[ValueChange]
    environment: list[ValueChange]
    other: list[ValueChange]
    jobs_added: list[str]
    jobs_removed: list[str]
    intermediate: list[str]  # build/ files read by some job whose hash changed
    jobs_changed: list[str]  # jobs whose record differs in any way

    @property
    def changed(self) -> bool:
        return bool(
            self.inputs
            or self.code
            or self.params
            or self.environment
            or self.other
            or self.jobs_added
            or self.jobs_removed
        )


def _commit_bound(path: str) -> bool:
    """Files whose bytes embed the git commit (provenance records and their
    exports): their hashes change with every commit and are not compared."""
    return path.startswith("build/provenance/") or Path(path).name in COMMIT_BOUND


def _files(rec: Mapping[str, Any], *keys: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in keys:
        items = rec.get(key) or []
        for item in items if isinstance(items, list) else [items]:
            if isinstance(item, Mapping) and "path" in item:
                path = str(item["path"])
                out[path] = "" if _commit_bound(path) else str(item.get("sha256"))
    return out


def _file_changes(
    old: Mapping[str, Mapping[str, Any]],
    new: Mapping[str, Mapping[str, Any]],
    keys: tuple[str, ...],
) -> dict[str, tuple[str | None, str | None, list[str]]]:
    found: dict[str, tuple[str | None, str | None, list[str]]] = {}
    for job in sorted(set(old) & set(new)):
        a, b = _files(old[job], *keys), _files(new[job], *keys)
        for path in sorted(set(a) | set(b)):
            if a.get(path) != b.get(path):
                entry = found.setdefault(path, (a.get(path), b.get(path), []))
                entry[2].append(job)
    return found


def _comparable(rec: Mapping[str, Any]) -> dict[str, Any]:
    """A record without the fields that change with the commit alone."""
    out = {k: v for k, v in rec.items() if k not in IGNORED_RECORD_KEYS}
    for key in ("inputs", "outputs"):
        out[key] = _files(rec, key)
    return out


def _value_changes(job: str, old: Any, new: Any) -> list[ValueChange]:
    """Leaf-by-leaf changes of a record field (a key of "" is the field itself)."""
    a = {} if old is None else flatten(old)
    b = {} if new is None else flatten(new)
    return [
        ValueChange(job, k, a.get(k), b.get(k))
        for k in sorted(set(a) | set(b))
        if a.get(k) != b.get(k)
    ]


def diff_provenance(
    old: Mapping[str, Mapping[str, Any]],
    new: Mapping[str, Mapping[str, Any]],
    roots: Sequence[str] = (),
) -> ProvenanceDiff:
    """Compare two sets of job records (name -> record)."""
    old = {k: normalise(v, roots) for k, v in old.items()}
    new = {k: normalise(v, roots) for k, v in new.items()}
    inputs = _file_changes(old, new, ("inputs",))
    code = _file_changes(old, new, ("script", "modules"))
    params: list[ValueChange] = []
    env: list[ValueChange] = []
    other: list[ValueChange] = []
    known = {"inputs", "outputs", "script", "modules", "params", "environment"}
    changed_jobs: list[str] = []
    for job in sorted(set(old) & set(new)):
        a, b = old[job], new[job]
        params += _value_changes(job, a.get("params"), b.get("params"))
        env += _value_changes(job, a.get("environment"), b.get("environment"))
        for key in sorted((set(a) | set(b)) - known - IGNORED_RECORD_KEYS):
            if a.get(key) != b.get(key):
                other += [
                    ValueChange(job, f"{key}.{c.key}".rstrip("."), c.old, c.new)
                    for c in _value_changes(job, a.get(key), b.get(key))
                ]
        if _comparable(a) != _comparable(b):
            changed_jobs.append(job)
    # one environment change shows once, not once per job
    env_once: dict[tuple[str, str | None, str | None], ValueChange] = {}
    for c in env:
        env_once.setdefault((c.key, c.old, c.new), c)

    def files(found: Mapping[str, tuple[str | None, str | None, list[str]]]) -> list[FileChange]:
        return [FileChange(p, o, n, tuple(j)) for p, (o, n, j) in sorted(found.items())]

    return ProvenanceDiff(
        inputs=files({p: v for p, v in inputs.items() if not p.startswith("build/")}),
        code=files(code),
        params=params,
        environment=list(env_once.values()),
        other=other,
        jobs_added=sorted(set(new) - set(old)),
        jobs_removed=sorted(set(old) - set(new)),
        intermediate=sorted(
            p for p, (o, n, _) in inputs.items() if p.startswith("build/") and o != n
        ),
        jobs_changed=changed_jobs,
    )


# ---------------------------------------------------------------- one build, one edition


@dataclass
class BuildView:
    """What one build shows of one edition (file contents, no paths)."""

    variables: dict[str, str]
    chapters: dict[str, str]  # chapter path -> qmd text
    tables: dict[str, str]  # table id -> csv text
    figures: dict[str, str]  # figure id -> data csv text
    svgs: dict[str, str]  # figure id -> svg text
    pages: dict[str, str]  # html page name -> html
    jobs: dict[str, dict[str, Any]]  # provenance records
    root: str = ""


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def load_build(build: Path, edition: str) -> BuildView:
    """Read what ``build`` (a build/ folder) holds of ``edition``."""
    src, site = build / "src" / edition, build / edition
    if not site.is_dir() and not src.is_dir():
        raise SystemExit(f"prp.tools.diff: {build} holds no build of the {edition} edition")
    var_text = _read(src / "_variables.yml")
    variables = flatten(yaml.safe_load(var_text) or {}) if var_text else {}
    chapters = {
        p.relative_to(src).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(src.rglob("*.qmd"))
    }
    tables: dict[str, str] = {}
    for p in sorted((src / "tables").glob("*.md")):
        text = _read(build / "tables" / f"{p.stem}.csv")
        if text is not None:
            tables[p.stem] = text
    figures: dict[str, str] = {}
    svgs: dict[str, str] = {}
    for p in sorted((src / "figures").glob("*.svg")):
        data = _read(build / "figures" / f"{p.stem}.csv")
        if data is not None:
            figures[p.stem] = data
        svgs[p.stem] = p.read_text(encoding="utf-8")
    pages = {p.name: p.read_text(encoding="utf-8") for p in sorted(site.glob("*.html"))}
    trail = site / "provenance.json"
    if trail.is_file():
        jobs = json.loads(trail.read_text(encoding="utf-8")).get("jobs", {})
    else:
        jobs = {
            p.relative_to(build / "provenance").with_suffix("").as_posix(): json.loads(
                p.read_text(encoding="utf-8")
            )
            for p in sorted((build / "provenance").rglob("*.json"))
        }
    return BuildView(
        variables, chapters, tables, figures, svgs, pages, jobs, str(build.resolve().parent)
    )


@dataclass
class EditionDiff:
    edition: str
    base_label: str
    head_label: str
    variables: list[VarChange]
    tables: list[TableDiff]
    figures: list[TableDiff]
    images_only: list[str]  # figures whose image changed with unchanged data
    sections: list[SectionDiff]
    provenance: ProvenanceDiff
    chapters: dict[str, Chapter]
    labels: dict[str, tuple[str, str]]  # tbl-/fig- id -> (label, caption)
    svgs: dict[str, tuple[str | None, str | None]]  # changed figure -> (old, new)

    def empty(self) -> bool:
        return not (
            self.variables
            or self.tables
            or self.figures
            or self.images_only
            or self.sections
            or self.provenance.changed
        )


def compare(
    edition: str, base: BuildView, head: BuildView, base_label: str, head_label: str
) -> EditionDiff:
    """Everything that differs between two builds of one edition."""
    chapters = {p: chapter_of(p, t) for p, t in {**base.chapters, **head.chapters}.items()}
    usage = variable_usage({**base.chapters, **head.chapters})
    variables = diff_variables(base.variables, head.variables, usage)
    tables = [
        d
        for t in sorted(set(base.tables) | set(head.tables))
        if (d := diff_table(t, base.tables.get(t), head.tables.get(t))).changed
    ]
    figures = [
        d
        for f in sorted(set(base.figures) | set(head.figures))
        if (d := diff_table(f, base.figures.get(f), head.figures.get(f))).changed
    ]
    data_changed = {d.id for d in figures}
    images_only = sorted(
        f
        for f in set(base.svgs) | set(head.svgs)
        if f not in data_changed and base.svgs.get(f) != head.svgs.get(f)
    )
    skip = {f"tbl-{t}" for t in set(base.tables) | set(head.tables)}
    labels: dict[str, tuple[str, str]] = {}
    for text in [*base.pages.values(), *head.pages.values()]:
        labels.update(caption_labels(text))
    old_sections = [s for p, t in base.pages.items() for s in page_sections(p, t, skip)]
    new_sections = [s for p, t in head.pages.items() for s in page_sections(p, t, skip)]
    for s in new_sections:  # chapter titles as printed (with their number)
        if s.id and s.page.startswith("sec-") and s.id == s.page[:-5]:
            for path, ch in chapters.items():
                if ch.page == s.page:
                    chapters[path] = Chapter(ch.path, s.title, ch.page)
    svgs = {f: (base.svgs.get(f), head.svgs.get(f)) for f in [*sorted(data_changed), *images_only]}
    return EditionDiff(
        edition,
        base_label,
        head_label,
        variables,
        tables,
        figures,
        images_only,
        diff_sections(old_sections, new_sections),
        diff_provenance(base.jobs, head.jobs, [base.root, head.root]),
        chapters,
        labels,
        svgs,
    )
