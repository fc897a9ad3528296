"""The Quarto engine: ``quarto render --profile <edition>`` in the render tree.

Quarto renders the book with the report's format (``_extensions/prp``) by
itself; this module only finds the executable, runs it and maps Quarto's
output onto the edition's file names. Quarto names a chapter's page after
its source file (``chapters/part1-background.html``) and offers no option to
name it otherwise; the edition's pages are named after the chapter's heading
id (``sec-background.html``), which links, the diff tool, the live preview
and the tests rely on. So the pages are renamed after the render, and every
relative address in every page (links, images, scripts, style sheets,
Quarto's ``quarto:offset``) and in ``search.json`` is rewritten to match: a
deliberate, documented mapping (README, "Two engines").
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from prp.render.config import RenderError, book_chapters, chapter_heading, load_config
from prp.render.pandoc import problems

QUARTO_ENV = "PRP_QUARTO"
# Quarto writes these into the project folder; they are not part of an edition.
QUARTO_WORK = (".quarto",)


def quarto_executable(configured: str | None = None) -> str:
    """The Quarto to run: ``$PRP_QUARTO``, else ``configured`` (the
    ``quarto`` key of config/config.yaml, absolute or relative to the
    working directory), else ``quarto`` on PATH."""
    for origin, value in ((QUARTO_ENV, os.environ.get(QUARTO_ENV)), ("config quarto", configured)):
        if value:
            path = Path(value).expanduser()
            if not (path.is_file() and os.access(path, os.X_OK)):
                raise RenderError(f"{origin}={value}: not an executable Quarto")
            return str(path.resolve())
    found = shutil.which("quarto")
    if found is None:
        raise RenderError(
            "engine='quarto' needs Quarto (1.11 or later): set PRP_QUARTO or the `quarto` key "
            "of config/config.yaml to its executable, or put `quarto` on PATH; "
            "or use engine='pandoc'"
        )
    return found


def page_names(src: Path, config: dict[str, Any]) -> dict[str, str]:
    """Quarto's page name -> the edition's page name, for every chapter:
    ``index.qmd`` stays ``index.html``, any other chapter becomes
    ``<heading id>.html`` as in the pandoc renderer."""
    names = {}
    for chapter in book_chapters(config):
        quarto_name = re.sub(r"\.(qmd|md)$", ".html", chapter.file)
        if chapter.kind == "index":
            names[quarto_name] = "index.html"
            continue
        ident, _ = chapter_heading(src, chapter.file)
        if not ident:
            raise RenderError(f"{chapter.file}: chapter has no level-1 heading")
        names[quarto_name] = f"{ident}.html"
    return names


_URL_ATTR = re.compile(r'(\s(?:href|src|poster|data)=")([^"]*)(")')
_OFFSET = re.compile(r'(<meta name="quarto:offset" content=")([^"]*)(")')


def _is_relative(url: str) -> bool:
    return bool(url) and not (
        url.startswith(("#", "/", "data:", "mailto:", "javascript:")) or "://" in url
    )


def map_url(url: str, old_page: str, new_page: str, names: dict[str, str]) -> str:
    """A relative address written in ``old_page``, as ``new_page`` must
    write it, with renamed pages renamed."""
    if not _is_relative(url):
        return url
    path, sep, frag = url.partition("#")
    path, qsep, query = path.partition("?")
    if not path:
        return url
    target = posixpath.normpath(posixpath.join(posixpath.dirname(old_page), path))
    target = names.get(target, target)
    rel = posixpath.relpath(target, posixpath.dirname(new_page) or ".")
    return rel + qsep + query + sep + frag


def rename_pages(out: Path, names: dict[str, str]) -> None:
    """Rename Quarto's pages in ``out`` to the edition's names and rewrite
    every relative address in every page and in search.json."""
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    clash = {names[p] for p in pages if p in names and names[p] != p} & (set(pages) - set(names))
    if clash:
        raise RenderError(f"Quarto output: renamed pages would overwrite {sorted(clash)}")
    for old in pages:
        if old.startswith("site_libs/"):
            continue
        new = names.get(old, old)
        text = (out / old).read_text(encoding="utf-8")

        def repl(m: re.Match[str], old: str = old, new: str = new) -> str:
            return m.group(1) + map_url(m.group(2), old, new, names) + m.group(3)

        text = _URL_ATTR.sub(repl, text)
        offset = "../" * new.count("/") or "./"
        text = _OFFSET.sub(rf"\g<1>{offset}\g<3>", text)
        if new != old:
            (out / old).unlink()
        (out / new).parent.mkdir(parents=True, exist_ok=True)
        (out / new).write_text(text, encoding="utf-8")
    for folder in sorted({(out / p).parent for p in names}, reverse=True):
        if folder != out and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    index = out / "search.json"
    if index.exists():
        entries = json.loads(index.read_text(encoding="utf-8"))
        for entry in entries:
            for key in ("href", "objectID"):
                if isinstance(entry.get(key), str):
                    entry[key] = map_url(entry[key], "index.html", "index.html", names)
        index.write_text(json.dumps(entries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def render_with_quarto(src: Path, profile: str, staging: Path, quarto: str | None = None) -> None:
    """``quarto render --profile <profile>`` in ``src``; the output folder
    (``project: output-dir``) is moved to ``staging`` with the edition's
    page names."""
    exe = quarto_executable(quarto)
    config = load_config(src, profile)
    out_dir = src / str((config.get("project") or {}).get("output-dir", "_book"))
    for leftover in (out_dir, *(src / w for w in QUARTO_WORK)):
        shutil.rmtree(leftover, ignore_errors=True)
    proc = subprocess.run(
        [exe, "render", "--profile", profile],
        cwd=src,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RenderError(f"quarto render failed: {(proc.stderr or proc.stdout).strip()[-2000:]}")
    # Quarto reports an error raised in an extension's filter and goes on,
    # leaving that filter's work undone: the book's filters fail this way
    failed = problems(proc.stderr + proc.stdout)[0]
    if failed:
        raise RenderError("quarto render: " + "; ".join(dict.fromkeys(f.strip() for f in failed)))
    if not (out_dir / "report.pdf").is_file() or not (out_dir / "index.html").is_file():
        raise RenderError(f"quarto render wrote no index.html and report.pdf into {out_dir}")
    shutil.rmtree(staging)
    shutil.move(str(out_dir), str(staging))
    for work_dir in QUARTO_WORK:
        shutil.rmtree(src / work_dir, ignore_errors=True)
    rename_pages(staging, page_names(src, config))
