"""Running pandoc (the pinned binary of pypandoc-binary) with the book filters."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prp.render.config import RenderError

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
FILTERS = HERE / "filters"
TEMPLATES = HERE / "templates"
# Files read at run time, relative to this folder: inputs of every rule whose
# script imports this module (prp.runtime.deps).
RUNTIME_FILES = ("filters/*.lua", "templates/*", "templates/typst/*")
# The fallback's own filters stand in for what Quarto does itself; the
# report's format (the prp extension) runs between them at Quarto's entry
# points, and citeproc runs last, as in Quarto:
#   source.lua      book assembly, conditional content, include/var shortcodes
#   [pre-ast, post-ast, pre-quarto]  extension filters
#   crossref.lua    numbering and @fig/@tbl references (Quarto's crossref)
#   [post-quarto, pre-render]        extension filters
#   callouts.lua, output.lua         Quarto's rendering of callouts, alt text, floats
#   [post-render, pre-finalize, post-finalize]  extension filters
#   citeproc
FALLBACK_BEFORE = ("source.lua",)
FALLBACK_CROSSREF = ("crossref.lua",)
FALLBACK_RENDER = ("callouts.lua", "output.lua")

Pass = Callable[[list[str], dict[str, str]], bytes]
"""One format's pandoc pass over the book, bound to its book and format: it
reads the book, runs the filters and citeproc, then writes with the given
writer arguments (filters that must run after citeproc may lead them), with
these variables added to the filters' environment; what pandoc printed
(:func:`prp.render.book.pandoc_pass`)."""

_ERROR_RE = re.compile(r"PRP-RENDER-ERROR: (.*)")
_MISSING_CITE_RE = re.compile(r"\[WARNING\] Citeproc: citation (\S+) not found")


def pandoc_executable() -> str:
    """``$PRP_PANDOC`` if set, else the pandoc shipped with pypandoc-binary."""
    if os.environ.get("PRP_PANDOC"):
        return os.environ["PRP_PANDOC"]
    try:
        import pypandoc
    except ImportError as exc:  # pragma: no cover - environment problem
        raise RenderError("pandoc not available: install pypandoc-binary") from exc
    return pypandoc.get_pandoc_path()


RTS_OPTIONS = ("+RTS", "-A128m", "-RTS")
"""The Haskell runtime's options for the pinned pandoc: a 128 MB allocation
area (the default is 4 MB) makes the garbage collector run far less often
on the book's filter passes, 15-25% less CPU per pass (medians of 5, see
``make bench``) for about 250 MB more memory per pandoc process. Not given to
a ``$PRP_PANDOC``, whose build may not accept runtime options."""


def pandoc_command(args: list[str]) -> list[str]:
    if os.environ.get("PRP_PANDOC"):
        return [os.environ["PRP_PANDOC"], *args]
    return [pandoc_executable(), *RTS_OPTIONS, *args]


def filter_args(src: Path | None = None, fmt: str = "html") -> list[str]:
    """Command-line arguments that run the book filters, the extension's
    filters for ``fmt`` ("html" or "pdf") and citeproc, in Quarto's order."""
    from prp.render.extension import load_format

    ext = load_format(src, fmt) if src is not None else None

    def lua(names: tuple[str, ...]) -> list[str]:
        return [a for n in names for a in ("--lua-filter", str(FILTERS / n))]

    def points(*names: str) -> list[str]:
        if ext is None:
            return []
        return [a for f in ext.at(*names) for a in ("--lua-filter", str(f))]

    return [
        *lua(FALLBACK_BEFORE),
        *points("pre-ast", "post-ast", "pre-quarto"),
        *lua(FALLBACK_CROSSREF),
        *points("post-quarto", "pre-render"),
        *lua(FALLBACK_RENDER),
        *points("post-render", "pre-finalize", "post-finalize"),
        "--citeproc",
    ]


def filter_output(path: Path, lua_filter: Path) -> Any:
    """The JSON a filter of a pass wrote for the renderer to ``path``."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RenderError(f"pandoc pass: nothing usable from {lua_filter.name}: {exc}") from exc


def problems(stderr: str) -> tuple[list[str], list[str]]:
    """Split pandoc's stderr into render errors and missing citation keys."""
    return _ERROR_RE.findall(stderr), _MISSING_CITE_RE.findall(stderr)


def run_pandoc(
    args: list[str], *, cwd: Path, env: dict[str, str] | None = None, stdin: bytes | None = None
) -> bytes:
    """Run pandoc; raise RenderError with the filters' messages on failure and
    on citations that the bibliography does not have."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run(
        pandoc_command(args),
        input=stdin,
        cwd=cwd,
        env=full_env,
        capture_output=True,
        check=False,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    errors, missing = problems(stderr)
    if errors:
        raise RenderError("; ".join(errors))
    if proc.returncode != 0:
        raise RenderError(f"pandoc failed (exit {proc.returncode}): {stderr.strip()[-2000:]}")
    if missing:
        raise RenderError(
            "citation key(s) not in the bibliography: " + ", ".join(sorted(set(missing)))
        )
    for line in stderr.splitlines():
        if line.strip():
            log.warning("pandoc: %s", line)
    return proc.stdout
