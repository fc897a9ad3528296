"""render_book: one edition of a Quarto book as HTML pages and a PDF."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from prp.render.config import (
    Chapter,
    RenderError,
    book_chapters,
    load_config,
    load_variables,
    pandoc_metadata,
    source_date_epoch,
)
from prp.render.html import write_html
from prp.render.pandoc import Pass, filter_args, run_pandoc
from prp.render.pdf import write_pdf
from prp.render.quarto import render_with_quarto

log = logging.getLogger(__name__)

FORMATS = ("html", "pdf")
CROSSREF_REGISTRY = "_generated/crossref.json"
"""Where the pipeline keeps, in the render tree, the cross-reference registry
of the HTML pass (crossref.lua; ``render_book(registry=...)``): the book's
numbers and referencable ids, read by the watcher's one-page preview
(:mod:`prp.render.preview`)."""


def _attr(value: str) -> str:
    if '"' in value or "\n" in value:
        raise RenderError(f"book: chapters: unusable character in {value!r}")
    return value


def driver_markdown(chapters: Iterable[Chapter]) -> str:
    """The document pandoc reads: one marker per chapter; source.lua reads the files."""
    lines = []
    for ch in chapters:
        attrs = f'file="{_attr(ch.file)}" kind="{ch.kind}"'
        if ch.part:
            attrs += f' part="{_attr(ch.part)}"'
        lines += [f"::: {{.prp-chapter {attrs}}}", ":::", ""]
    return "\n".join(lines)


def metadata_files(src: Path, config: dict[str, Any]) -> list[Path]:
    """The book's ``metadata-files`` (Quarto merges them into every
    document's metadata), each of which must exist in the project."""
    names = config.get("metadata-files") or []
    if isinstance(names, str):
        names = [names]
    files = [src / str(name) for name in names]
    missing = [str(f.relative_to(src)) for f in files if not f.is_file()]
    if missing:
        raise RenderError(f"_quarto.yml: metadata-files not found in the book: {missing}")
    return files


def pandoc_pass(
    src: Path,
    work: Path,
    fmt: str,
    env: dict[str, str],
    extra_meta: Iterable[Path],
    writer: Iterable[str],
) -> bytes:
    """One pandoc process: read the book, run its filters and citeproc for
    the target format ``fmt``, write with ``writer`` (pandoc's writer
    arguments); what pandoc printed."""
    args = [*reader_args(src, work, fmt, extra_meta), *writer]
    return run_pandoc(args, cwd=src, env={**env, "PRP_RENDER_FORMAT": fmt})


def reader_args(src: Path, work: Path, fmt: str, extra_meta: Iterable[Path] = ()) -> list[str]:
    """pandoc's arguments that read the driver in ``work`` and run the book
    filters and citeproc for one target format (the writer's are the caller's)."""
    meta_args: list[str] = []
    for path in extra_meta:
        meta_args += ["--metadata-file", str(path)]
    return [
        "-f",
        "markdown",
        *meta_args,
        "--metadata-file",
        str(work / "metadata.json"),
        *filter_args(src, fmt),
        str(work / "book.md"),
    ]


def _swap(staging: Path, out: Path) -> None:
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        if old.exists():
            shutil.rmtree(old)
        os.replace(out, old)
        os.replace(staging, out)
        shutil.rmtree(old)
    else:
        os.replace(staging, out)


def _written(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file())


def render_context(
    src: Path,
    profile: str,
    work: Path,
    only: Iterable[str] | None = None,
    ast_cache: Path | None = None,
) -> tuple[dict[str, Any], dict[str, str], list[Path]]:
    """Write the driver, metadata and variables of a render into ``work``;
    return the book's configuration, the filters' environment and the
    metadata files. ``only``: the chapter files to render (default: all);
    ``ast_cache``: the folder of parsed files (``render_book``)."""
    config = load_config(src, profile)
    chapters = book_chapters(config)
    if only is not None:
        wanted = set(only)
        chapters = [ch for ch in chapters if ch.file in wanted]
    epoch = source_date_epoch(config)
    meta = pandoc_metadata(config, epoch, src)
    (work / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    (work / "variables.json").write_text(
        json.dumps(load_variables(src), ensure_ascii=False), encoding="utf-8"
    )
    (work / "book.md").write_text(driver_markdown(chapters), encoding="utf-8")
    env = {
        "PRP_RENDER_SRC": str(src),
        "PRP_RENDER_PROFILE": profile,
        "PRP_RENDER_VARS": str(work / "variables.json"),
        # written into the tree by the pipeline (absent: no provenance shown)
        "PRP_RENDER_PROVENANCE": str(src / "_generated" / "provenance.json"),
        "SOURCE_DATE_EPOCH": str(epoch),
    }
    if ast_cache is not None:
        env["PRP_AST_CACHE"] = str(Path(ast_cache).resolve())
    return config, env, metadata_files(src, config)


def render_with_pandoc(
    src: Path,
    profile: str,
    staging: Path,
    registry: Path | None = None,
    ast_cache: Path | None = None,
) -> None:
    with tempfile.TemporaryDirectory(prefix="prp-render-") as tmp:
        work = Path(tmp)
        config, env, extra = render_context(src, profile, work, ast_cache=ast_cache)
        epoch = source_date_epoch(config)
        save = {"PRP_CROSSREF_SAVE": str(registry)} if registry is not None else {}
        if registry is not None:
            registry.parent.mkdir(parents=True, exist_ok=True)
        book_title = str(config["book"]["title"])
        # With no parse kept yet (a first render of this edition), the PDF
        # pass waits until the HTML pass has read every file, and then reads
        # their parses from the cache instead of parsing them again (1.8 s of
        # CPU for the restricted edition). With kept parses both start at once.
        signal = work / "html-read"
        wait = ast_cache is not None and not any(Path(ast_cache).glob("*.json"))
        html_read = threading.Event()
        html_env = {**env, **save, "PRP_AST_READ_SIGNAL": str(signal)} if wait else {**env, **save}

        def bound(fmt: str, base: dict[str, str]) -> Pass:
            def run_pass(writer: list[str], more: dict[str, str]) -> bytes:
                return pandoc_pass(src, work, fmt, {**base, **more}, extra, writer)

            return run_pass

        # each format's filters and its writer in one pandoc process: no AST
        # passed through JSON and back (0.3-0.4 s per format and edition)
        def html() -> None:
            try:
                write_html(
                    bound("html", html_env), src=src, work=work, dest=staging, book_title=book_title
                )
            finally:
                html_read.set()

        def pdf() -> None:
            while wait and not html_read.wait(0.02) and not signal.exists():
                pass
            write_pdf(bound("pdf", env), src=src, work=work, dest=staging, timestamp=epoch)

        # the two formats are independent from the first pandoc pass to the
        # written files (pandoc and typst processes; work/html and work/pdf):
        # each runs in its own thread, so one's processes overlap the other's
        with ThreadPoolExecutor(max_workers=len(FORMATS)) as pool:
            for future in [pool.submit(html), pool.submit(pdf)]:
                future.result()


def render_book(
    src: Path,
    profile: str,
    out: Path,
    *,
    engine: str = "pandoc",
    quarto: str | None = None,
    registry: Path | None = None,
    ast_cache: Path | None = None,
) -> list[Path]:
    """Render the edition ``profile`` of the Quarto book ``src`` into ``out``.

    Writes ``out/index.html`` (front page), one page per chapter, ``site.css``,
    the images the pages show, ``search.json`` and ``report.pdf``. Everything is
    written next to ``out`` first and swapped in at the end, so a failure leaves
    ``out`` as it was. Returns the files written, sorted. ``engine="quarto"``
    runs Quarto (``quarto``: its executable, see
    :func:`prp.render.quarto.quarto_executable`) instead of pandoc + typst.
    ``registry``: where the pandoc engine writes the cross-reference registry
    (:data:`CROSSREF_REGISTRY`; not written by default). ``ast_cache``: a
    folder where the pandoc engine keeps each source file's parse, keyed by
    its text, the reader and pandoc's version, for the next render to read
    back (one folder per edition; none by default). It changes no output.
    """
    src, out = Path(src).resolve(), Path(out).resolve()
    registry = Path(registry).resolve() if registry is not None else None  # pandoc runs in src
    if engine not in ("pandoc", "quarto"):
        raise ValueError(f"engine must be 'pandoc' or 'quarto', not {engine!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".rendering", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)
    try:
        if engine == "quarto":
            render_with_quarto(src, profile, staging, quarto)
        else:
            render_with_pandoc(src, profile, staging, registry, ast_cache)
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    files = _written(out)
    log.info("%s (%s): %d files", out, profile, len(files))
    return files
