"""The book's configuration: Quarto profile merge, chapter structure, variables,
dates and the metadata handed to pandoc.

Configuration keys read (all optional unless noted):

``book``
    ``title`` (required), ``subtitle``, ``author`` (string, list of strings or
    of ``{name: ...}`` maps), ``date`` (``YYYY``, ``YYYY-MM`` or
    ``YYYY-MM-DD``; or ``today``), ``chapters`` (required: files and
    ``- part: "Title"`` + ``chapters:`` groups), ``appendices`` (files).
``date-format``
    Quarto/moment tokens: ``YYYY YY MMMM MMM MM M DD D``, e.g. ``MMMM YYYY``.
``report``
    Title-page facts: ``series``, ``number``, ``isbn``, ``publisher``,
    ``period``, ``director``, ``participants`` (list).
``edition``
    ``name`` (PDF running header, sidebar) and ``marking`` (banner on every
    HTML page, header of every PDF page, title page).
``language``
    ``crossref-ch-prefix`` (default "Chapter"), ``crossref-apx-prefix``,
    ``crossref-fig-prefix``, ``crossref-tbl-prefix``, ``crossref-title-delim``,
    ``section-title-references``, ``section-title-appendices``; the same
    ``*-prefix``/``title-delim`` keys are also read from ``crossref:``.
``bibliography``, ``csl``, ``lang``, ``toc-depth``
    As in Quarto. ``format: typst: papersize`` sets the PDF paper.
``source-date-epoch``
    Fixed build time (seconds); the ``SOURCE_DATE_EPOCH`` environment
    variable wins; else the book date; else 0.
"""

from __future__ import annotations

import calendar
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from prp.data.errors import UserError


class RenderError(UserError):
    """The book cannot be rendered; the message names the file and the problem."""


@dataclass(frozen=True)
class Chapter:
    """One chapter file of the book, in render order."""

    file: str  # path relative to the book root
    kind: str  # "index", "chapter", "appendix" or "part" (a part page file)
    part: str | None = None  # title of the part this chapter opens, if any


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Quarto's profile merge: maps merged recursively, the later value wins."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


# libyaml's parser when PyYAML has it (the pinned wheel does): the workflow
# reads the book's configuration at every start.
YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)  # noqa: S506
    except yaml.YAMLError as exc:
        raise RenderError(f"{path}: invalid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RenderError(f"{path}: expected a mapping at the top level")
    return data


def load_config(src: str | Path, profile: str) -> dict[str, Any]:
    """Merge ``_quarto-<profile>.yml`` over ``_quarto.yml`` (several profiles,
    comma-separated, are merged in order). Lists are replaced, not merged, so
    the chapter list comes from the profile file when it has one."""
    src = Path(src)
    base_file = src / "_quarto.yml"
    if not base_file.exists():
        raise RenderError(f"{src}: no _quarto.yml (not a Quarto project)")
    config = _read_yaml(base_file)
    for name in [p.strip() for p in profile.split(",") if p.strip()]:
        prof_file = src / f"_quarto-{name}.yml"
        if not prof_file.exists():
            raise RenderError(f"profile {name!r}: {prof_file.name} not found in the book")
        config = deep_merge(config, _read_yaml(prof_file))
    return config


def book_chapters(config: dict[str, Any]) -> list[Chapter]:
    """Chapter files in book order; index.qmd first and unnumbered."""
    book = config.get("book") or {}
    entries = book.get("chapters")
    if not entries:
        raise RenderError("_quarto.yml: book: chapters is empty or missing")
    out: list[Chapter] = []
    pending_part: list[str | None] = [None]

    def add(file: str, kind: str) -> None:
        if not isinstance(file, str) or not file.endswith((".qmd", ".md")):
            raise RenderError(f"book: chapters: {file!r} is not a .qmd/.md file")
        if file == "index.qmd":
            kind = "index"
        out.append(Chapter(file=file, kind=kind, part=pending_part[0]))
        pending_part[0] = None

    def walk(items: list[Any], kind: str) -> None:
        for item in items:
            if isinstance(item, str):
                add(item, kind)
            elif isinstance(item, dict) and "part" in item:
                title = str(item["part"])
                if title.endswith((".qmd", ".md")):
                    add(title, "part")
                else:
                    pending_part[0] = title
                walk(item.get("chapters") or [], kind)
            else:
                raise RenderError(f"book: chapters: cannot read entry {item!r}")

    walk(entries, "chapter")
    appendices = book.get("appendices") or []
    if appendices:
        pending_part[0] = language(config)["appendices-title"]
        walk(appendices, "appendix")
    files = [c.file for c in out]
    if len(set(files)) != len(files):
        dup = sorted({f for f in files if files.count(f) > 1})
        raise RenderError(f"book: chapters lists {', '.join(dup)} more than once")
    if files[0] != "index.qmd":
        if "index.qmd" in files:
            raise RenderError("book: chapters: index.qmd must be the first chapter")
        raise RenderError("book: chapters: the first chapter must be index.qmd (the front page)")
    return out


def language(config: dict[str, Any]) -> dict[str, str]:
    """Labels for numbering and generated headings."""
    lang = config.get("language") or {}
    xref = config.get("crossref") or {}

    def pick(key: str, default: str) -> str:
        value = lang.get(f"crossref-{key}", xref.get(key, default))
        return str(value)

    return {
        "ch-prefix": pick("ch-prefix", "Chapter"),
        "apx-prefix": pick("apx-prefix", "Appendix"),
        "fig-prefix": pick("fig-prefix", "Figure"),
        "tbl-prefix": pick("tbl-prefix", "Table"),
        "title-delim": pick("title-delim", ":"),
        "references-title": str(lang.get("section-title-references", "References")),
        "appendices-title": str(lang.get("section-title-appendices", "Appendices")),
    }


def load_variables(src: Path) -> dict[str, Any]:
    """``_variables.yml`` with every scalar kept exactly as written (strings)."""
    path = src / "_variables.yml"
    if not path.exists():
        return {}
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        raise RenderError(f"_variables.yml: invalid YAML: {exc}") from exc
    return data or {}


_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def source_date_epoch(config: dict[str, Any], environ: dict[str, str] | None = None) -> int:
    """Build time: $SOURCE_DATE_EPOCH, else ``source-date-epoch``, else the book date."""
    env = os.environ if environ is None else environ
    for raw in (env.get("SOURCE_DATE_EPOCH"), config.get("source-date-epoch")):
        if raw not in (None, ""):
            try:
                return int(str(raw))
            except ValueError as exc:
                raise RenderError(
                    f"SOURCE_DATE_EPOCH / source-date-epoch: not an integer: {raw!r}"
                ) from exc
    match = _DATE_RE.match(str((config.get("book") or {}).get("date", "")))
    if match:
        y, m, d = (int(g) if g else 1 for g in match.groups())
        return calendar.timegm((y, m, d, 0, 0, 0))
    return 0


def format_date(value: Any, fmt: str | None, epoch: int) -> str:
    """Render the book date with a Quarto (moment.js) style format."""
    if value is None:
        return ""
    text = str(value)
    if text in ("today", "now", "last-modified"):
        text = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d")
    match = _DATE_RE.match(text)
    if not match or not fmt:
        return text
    y, m, d = match.groups()
    parts = {"YYYY": y, "YY": y[2:]}
    if m:
        mi = int(m)
        parts.update(
            {
                "MMMM": calendar.month_name[mi],
                "MMM": calendar.month_abbr[mi],
                "MM": f"{mi:02d}",
                "M": str(mi),
            }
        )
    if d:
        di = int(d)
        parts.update({"DD": f"{di:02d}", "D": str(di)})
    token = re.compile(r"YYYY|YY|MMMM|MMM|MM|M|DD|D")
    missing = [t for t in token.findall(fmt) if t not in parts]
    if missing:
        return text
    return token.sub(lambda mt: parts[mt.group(0)], fmt)


def _scalars_to_str(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _scalars_to_str(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scalars_to_str(v) for v in value]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _authors(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, dict):
            out.append(str(item.get("name", "")))
        else:
            out.append(str(item))
    return [a for a in out if a]


_H1_RE = re.compile(r"^#[ \t]+(.*?)[ \t]*(\{[^}]*\})?[ \t]*$", re.M)


def chapter_heading(src: Path | None, file: str) -> tuple[str | None, bool]:
    """The id of a chapter file's level-1 heading (``# Title {#sec-x}``;
    pandoc's automatic id when it has none) and whether it is unnumbered
    (``.unnumbered`` or ``-``). (None, False) for a missing file or heading."""
    if src is None or not (src / file).is_file():
        return None, False
    text = re.sub(r"(?ms)^(```|~~~).*?^\1", "", (src / file).read_text(encoding="utf-8"))
    match = _H1_RE.search(text)
    if not match:
        return None, False
    attrs = match.group(2) or ""
    ident = re.search(r"#([\w:.-]+)", attrs)
    auto = re.sub(r"[^\w\s.-]", "", match.group(1).lower()).strip()
    auto = re.sub(r"\s+", "-", re.sub(r"^[^a-z]+", "", auto)) or "section"
    unnumbered = ".unnumbered" in attrs or re.search(r"[{\s]-[\s}]", attrs) is not None
    return (ident.group(1) if ident else auto), unnumbered


def render_items(config: dict[str, Any], src: Path | None = None) -> list[dict[str, Any]]:
    """``book.render`` as Quarto writes it into every page's metadata: the
    chapter files in order, numbered chapters 1, 2, ... and, after an
    ``appendix`` divider item, appendices numbered 1, 2, ... again. The
    extension's filters read the book structure from here in both engines."""
    items: list[dict[str, Any]] = []
    number = 0
    in_appendix = False
    for ch in book_chapters(config):
        if ch.kind == "appendix" and not in_appendix:
            in_appendix, number = True, 0
            items.append({"type": "appendix", "depth": 0, "text": f"{ch.part} {{.unnumbered}}"})
        item: dict[str, Any] = {
            "type": "chapter",
            "file": ch.file,
            "depth": 1 if in_appendix else 0,
        }
        if ch.kind != "index" and not chapter_heading(src, ch.file)[1]:
            number += 1
            item["number"] = number
        items.append(item)
    return items


def pandoc_metadata(config: dict[str, Any], epoch: int, src: Path | None = None) -> dict[str, Any]:
    """The metadata block given to pandoc (strings are read as markdown)."""
    book = config.get("book") or {}
    if not book.get("title"):
        raise RenderError("_quarto.yml: book: title is missing")
    edition = config.get("edition") or {}
    lang = str(config.get("lang", "en"))
    formats = config.get("format")
    # format options of the typst format: `typst` or a custom one (`prp-typst`)
    typst_fmt: dict[str, Any] = {}
    if isinstance(formats, dict):
        for name, options in formats.items():
            if str(name).split("-")[-1] == "typst" and isinstance(options, dict):
                typst_fmt = options
    meta: dict[str, Any] = {
        "title": book["title"],
        "subtitle": book.get("subtitle"),
        "author": _authors(book.get("author")),
        "date": format_date(
            book.get("date"), config.get("date-format") or book.get("date-format"), epoch
        ),
        "lang": lang,
        "lang-code": lang.split("-")[0],
        "report": config.get("report") or {},
        "edition": edition,
        "edition-marking": edition.get("marking"),
        "toc-depth": config.get("toc-depth", 2),
        "papersize": typst_fmt.get("papersize", "us-letter"),
        "prp-crossref": language(config),
        "language": config.get("language") or {},
        "book": {"render": render_items(config, src)},
        "link-citations": True,
    }
    if config.get("bibliography"):
        meta["bibliography"] = config["bibliography"]
    if config.get("csl"):
        meta["csl"] = config["csl"]
    out = {k: _scalars_to_str(v) for k, v in meta.items() if v not in (None, "", [], {})}
    out["link-citations"] = True
    return out
