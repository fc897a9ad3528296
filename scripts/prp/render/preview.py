"""One chapter's page, fast: the watcher's save-to-preview path.

``make watch`` rebuilds the whole edition through Snakemake after every
change (every page's cross-references, the PDF, the provenance). That takes
tens of seconds; this module shows an edited chapter's page within about a
second, until the full build replaces it:

* the chapter is rendered alone, by the same filters, extension, metadata,
  variables, bibliography and chunked-HTML writer as the full render
  (:mod:`prp.render.book`, :mod:`prp.render.html`), in a copy of the last
  full build's render tree ``build/src/<edition>/`` (links to its files, the
  edited sources copied from ``report/``);
* crossref.lua numbers it and resolves references to other chapters from the
  registry the last full build saved (``_generated/crossref.json`` in the
  tree), so "Table 4.1" and "Part 4" read as in the full build;
* its body is spliced into the page the last full build wrote (sidebar,
  navigation and head stay those of the full build), links to ids of other
  pages point at those pages, and the page is written, whole (atomic
  replace), into the overlay ``build/.preview/<edition>/``, which the
  watcher's server prefers to ``build/<edition>/`` until the full build is
  done. ``build/<edition>/`` itself (the pipeline's outputs, with their
  provenance) is never written here.

A table that a running full build has just rewritten (after a raw CSV
changed, say) is previewed the same way: the chapters that include
it are rendered with the new file while the build goes on to the edition
(the watcher calls :func:`plan` with ``build/tables/...`` paths as each job
ends). Numbers and provenance boxes on such a page are the last full
build's until the full build replaces the page.

The fast path is taken only when it is safe (:func:`plan`): the edited files
are sources of the edition's chapters or tables they include, the book's
chapter list and what the chapters use (sources, generated tables and
figures, variable namespaces) are those of the last full build, and the
references the chapters make (as the edition boundary,
:mod:`prp.runtime.boundary`, reads them) are a subset of those the last
full build made, which the workflow checked. Anything else
raises :class:`PreviewUnsafe`, and the watcher waits for the full build.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from prp.render.book import CROSSREF_REGISTRY, reader_args, render_context
from prp.render.config import Chapter, RenderError, book_chapters, load_config
from prp.render.html import chunk_writer_args
from prp.render.needs import INCLUDE_RE, artifact_files, edition_needs, relative, source_file
from prp.render.pandoc import run_pandoc

PREVIEW = Path("build") / ".preview"
MAX_PAGES = 3  # more chapters touched at once: wait for the full build
ARTIFACT_DIRS = ("tables/", "figures/")  # generated files chapters include, under build/
PREVIEWED = "build/tables/"  # generated files previewed when a build rewrites them
BODY_OPEN, BODY_CLOSE = "<!--prp:body-->", "<!--/prp:body-->"
_ID_RE = re.compile(r'\sid="([^"]+)"')
_LOCAL_HREF_RE = re.compile(r'href="#([^"]+)"')
_H1_NUMBER_RE = re.compile(r'<h1 data-number="([^"]+)"')
# the bookkeeping attributes crossref.lua gives chapter headings (the full
# render drops them from the AST: filters/html_pages.lua)
_H1_TAG_RE = re.compile(r"<h1\b[^>]*>")
_PRIVATE_ATTR_RE = re.compile(r'\sdata-prp-[\w-]+="[^"]*"')
_DATA_NUMBER_RE = re.compile(r'(<h[1-6] data-number=")([^".]+)((?:\.[^"]*)?")')


class PreviewUnsafe(Exception):
    """The fast path cannot decide safely what to show: the full build must."""


@dataclass(frozen=True)
class Plan:
    """What the fast path renders for a set of changed files."""

    edition: str
    profile: str
    overlay: dict[str, str]
    chapters: tuple[Chapter, ...]  # chapters whose page changes
    sources: tuple[str, ...]  # every source of the edition, relative to report/
    artifacts: tuple[str, ...] = ()  # generated files taken from build/, not the tree


@dataclass(frozen=True)
class Page:
    name: str  # e.g. sec-police.html
    chapter: str  # e.g. chapters/part4-police.qmd
    path: Path  # the overlay file written
    seconds: float


def overlay_dir(root: Path, edition: str) -> Path:
    """Where the preview pages of an edition are served from."""
    return root / PREVIEW / edition


def edition_settings(root: Path, edition: str) -> tuple[str, dict[str, str]]:
    """(Quarto profile, source overlay) of an edition, as the workflow sets
    them (config/config.yaml; a restricted edition reads ``restricted/``
    chapters from the decrypted tree)."""
    config = yaml.safe_load((root / "config" / "config.yaml").read_text(encoding="utf-8"))
    ed = (config.get("editions") or {}).get(edition)
    if not ed:
        raise PreviewUnsafe(f"edition {edition!r} is not in config/config.yaml")
    overlay: dict[str, str] = {}
    if ed.get("restricted"):
        from prp.data.crypt import PLAIN

        overlay = {"restricted/": str(root / PLAIN / "report")}
    return str(ed["profile"]), overlay


def _closure(report: Path, rel: str, overlay: Mapping[str, str], seen: set[str]) -> None:
    """``rel``, every source it includes and every generated table or figure
    they include (``tables/x.md``, a figure with its image), into ``seen``."""
    if rel in seen:
        return
    seen.add(rel)
    path = source_file(report, rel, overlay)
    if not path.is_file():
        return
    for target in INCLUDE_RE.findall(path.read_text(encoding="utf-8")):
        inc = relative(target.strip("\"'"), rel)
        if inc.startswith(ARTIFACT_DIRS):
            seen.update(artifact_files(inc))
        elif not inc.startswith(("_generated/", "../")):
            _closure(report, inc, overlay, seen)


def _references(report: Path, profile: str, overlay: Mapping[str, str]) -> set[tuple[str, str]]:
    from prp.runtime.boundary import Reference, references

    own = report.name + "/"  # file names are given relative to report/'s parent

    def name(r: Reference) -> str:
        if r.kind == "file" and r.name.startswith(own):
            return "report/" + r.name[len(own) :]
        return r.name

    return {(r.kind, name(r)) for r in references(report, profile, overlay)}


def plan(root: Path, edition: str, changed: Iterable[str]) -> Plan | None:
    """What to render for ``changed`` (paths relative to the repository);
    None when no page of the edition shows them. Raises
    :class:`PreviewUnsafe` when only the full build can tell."""
    changed = sorted(set(changed))
    report, tree = root / "report", root / "build" / "src" / edition
    built = {rel[len("build/") :] for rel in changed if rel.startswith("build/")}
    for rel in changed:
        if rel.startswith("build/"):
            # a figure's image is served from the full build's folder: its
            # new page would show the old picture
            if not rel.startswith(PREVIEWED):
                raise PreviewUnsafe(f"{rel} is not a generated table")
        elif not (rel.startswith("report/") and rel.endswith((".qmd", ".md"))):
            raise PreviewUnsafe(f"{rel} is not a chapter or an included text")
    if not (tree / CROSSREF_REGISTRY).is_file() or not (root / "build" / edition).is_dir():
        raise PreviewUnsafe("no full build of the edition to start from")
    profile, overlay = edition_settings(root, edition)
    try:
        now = book_chapters(load_config(report, profile))
        then = book_chapters(load_config(tree, profile))
        needs_now = edition_needs(report, profile, overlay)
        needs_then = edition_needs(tree, profile)
    except (RenderError, OSError, yaml.YAMLError) as exc:
        raise PreviewUnsafe(f"the book's configuration cannot be read: {exc}") from exc
    if now != then:
        raise PreviewUnsafe("the chapter list changed")
    for key in ("sources", "artifacts", "variables"):
        if needs_now[key] != needs_then[key]:
            raise PreviewUnsafe(f"the chapters now use other {key} than the last build")
    # the edition boundary: only references the last (checked) build made
    new = _references(report, profile, overlay) - _references(tree, profile, {})
    if new:
        shown = ", ".join(f"{kind} {name}" for kind, name in sorted(new)[:3])
        raise PreviewUnsafe(f"new reference(s) to check first: {shown}")
    artifacts = built & set(needs_now["artifacts"])
    touched = {rel[len("report/") :] for rel in changed} & set(needs_now["sources"]) | artifacts
    if not touched:
        return None
    chapters = []
    for ch in now:
        seen: set[str] = set()
        _closure(report, ch.file, overlay, seen)
        if seen & touched:
            chapters.append(ch)
    if any(ch.kind == "index" for ch in chapters):
        raise PreviewUnsafe("the front page is assembled by the full build")
    if len(chapters) > MAX_PAGES:
        raise PreviewUnsafe(f"{len(chapters)} chapters changed")
    return Plan(
        edition,
        profile,
        overlay,
        tuple(chapters),
        tuple(needs_now["sources"]),
        tuple(sorted(artifacts)),
    )


def _mirror(tree: Path, dest: Path) -> None:
    """``dest``: the render tree as symbolic links to its files."""
    for path in tree.rglob("*"):
        if path.is_file():
            link = dest / path.relative_to(tree)
            link.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(path, link)


def _between(page: str, name: str) -> tuple[int, int]:
    a, b = page.find(BODY_OPEN), page.find(BODY_CLOSE)
    if a < 0 or b < a:
        raise RenderError(f"{name}: no <!--prp:body--> markers")
    return a + len(BODY_OPEN), b


def _renumber(body: str, shell_body: str) -> str:
    """The writer numbers the one chapter's sections from 1 (data-number);
    give them the chapter's number in the book, from the full build's page."""
    new, old = _H1_NUMBER_RE.search(body), _H1_NUMBER_RE.search(shell_body)
    if not (new and old) or new.group(1) == old.group(1):
        return body
    first = new.group(1)
    return _DATA_NUMBER_RE.sub(
        lambda m: m.group(1) + (old.group(1) if m.group(2) == first else m.group(2)) + m.group(3),
        body,
    )


def _owners(site: Path, skip: str) -> dict[str, str]:
    owner: dict[str, str] = {}
    for page in sorted(site.glob("*.html")):
        if page.name != skip:
            for ident in _ID_RE.findall(page.read_text(encoding="utf-8")):
                owner.setdefault(ident, page.name)
    return owner


def link_other_pages(body: str, owner: Mapping[str, str]) -> str:
    """``href="#id"`` for an id the body does not hold: to the page that does."""
    here = set(_ID_RE.findall(body))

    def repl(m: re.Match[str]) -> str:
        ident = m.group(1)
        if ident in here or ident not in owner:
            return m.group(0)
        return f'href="{owner[ident]}#{ident}"'

    return _LOCAL_HREF_RE.sub(repl, body)


def splice(shell: str, body: str, name: str) -> str:
    """The full build's page ``shell`` with its body replaced."""
    a, b = _between(shell, name)
    return shell[:a] + _renumber(body, shell[a:b]) + shell[b:]


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def render(root: Path, p: Plan) -> list[Page]:
    """Render the planned chapters; write their pages into the overlay.
    Raises RenderError (the filters' messages) and leaves the overlay as it
    was when a chapter does not render."""
    root = root.resolve()
    tree = root / "build" / "src" / p.edition
    site = root / "build" / p.edition
    work = root / PREVIEW / "work" / p.edition
    shutil.rmtree(work, ignore_errors=True)
    src = work / "src"
    _mirror(tree, src)
    report = root / "report"
    for rel in p.sources:  # the sources as saved now
        dest = src / rel
        dest.unlink(missing_ok=True)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source_file(report, rel, p.overlay), dest)
    for rel in p.artifacts:  # as the running build has just written them
        dest = src / rel
        dest.unlink(missing_ok=True)
        shutil.copyfile(root / "build" / rel, dest)
    registry = json.loads((tree / CROSSREF_REGISTRY).read_text(encoding="utf-8"))
    pages: list[tuple[str, Chapter, str, float]] = []
    for ch in p.chapters:
        started = time.monotonic()
        out = work / ch.file.replace("/", "_")
        out.mkdir(parents=True)
        name = f"{(registry['chapters'].get(ch.file) or {}).get('id', '')}.html"
        if name == ".html" or not (site / name).is_file():
            raise PreviewUnsafe(f"{ch.file}: its page is not in the last build")
        _, env, extra = render_context(src, p.profile, out, only=[ch.file])
        env["PRP_CROSSREF_LOAD"] = str(tree / CROSSREF_REGISTRY)
        env["PRP_RENDER_FORMAT"] = "html"
        # one pandoc run: the full render's reader, filters and page writer
        run_pandoc(
            [*reader_args(src, out, "html", extra), *chunk_writer_args(src, out / "html")],
            cwd=src,
            env=env,
        )
        if not (out / "html" / name).is_file():
            raise PreviewUnsafe(f"{ch.file}: its heading id changed ({name} not written)")
        chunk = (out / "html" / name).read_text(encoding="utf-8")
        a, b = _between(chunk, name)
        body = _H1_TAG_RE.sub(lambda m: _PRIVATE_ATTR_RE.sub("", m.group(0)), chunk[a:b])
        body = link_other_pages(body, _owners(site, name))
        shell = (site / name).read_text(encoding="utf-8")
        pages.append((name, ch, splice(shell, body, name), time.monotonic() - started))
    written = []
    for name, ch, text, seconds in pages:  # all rendered: now write them
        path = overlay_dir(root, p.edition) / name
        write_atomic(path, text)
        written.append(Page(name, ch.file, path, seconds))
    return written
