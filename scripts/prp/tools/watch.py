"""``python -m prp.tools.watch`` — rebuild an edition on every change and serve it
with automatic reload.

* Watches ``report/``, ``data/``, ``scripts/``, ``config/``, ``rules/``,
  ``profiles/`` and the ``Snakefile`` (watchfiles, changes grouped over
  ~100 ms); after each batch of changes it rebuilds the edition through
  ``prp.tools.build`` (so it never runs alongside another build of the same
  folder), in the background, and prints every job that ran with its wall
  time (from the timing file the job writes beside its log,
  :mod:`prp.runtime.timing`, otherwise from Snakemake's own time stamps).
  Changes made while a build runs start another build when it ends (their
  files are made newer than its outputs first, and that build ignores
  Snakemake's recorded input checksums: the outputs written after the edit,
  with the checksums taken after it, would otherwise look up to date).
* Save-to-preview: a saved chapter (or a text it includes) is first rendered
  alone (:mod:`prp.render.preview`, about a second) into the overlay
  ``build/.preview/<edition>/``, which the server prefers to
  ``build/<edition>/``; the background build then replaces it (the overlay
  pages of the changes it built are dropped when it succeeds). When the fast
  path cannot decide safely (a new table, variable, file or chapter, the
  front page, configuration) only the full build runs; when the chapter does
  not render, the error is printed and shown on the pages, and the last good
  page stays.
* CSV-to-page: when the background build rewrites a table (a raw CSV
  changed), the pages that include it are previewed the same way as soon as
  the table's job ends, before the edition is rendered.
* Serves ``build/<edition>/`` on localhost. HTML responses get a small
  script injected that polls ``/__build_id`` and reloads the page when a
  rebuild or a preview has finished; the files on disk are never modified.
* With ``--engine quarto`` (``make watch ENGINE=quarto``, where Quarto is
  installed: ``$PRP_QUARTO``, the ``quarto`` key of config/config.yaml, or
  PATH) the edition is built once, then ``quarto preview`` serves its render
  tree ``build/src/<edition>/`` with Quarto's own live reload: a saved
  chapter, included snippet or extension file is copied into the tree and
  Quarto re-renders that page; any other change (data, code, configuration,
  a chapter that now needs another table or number) stops the preview,
  rebuilds the edition and starts the preview again. Quarto names pages
  after their source files (``chapters/part1-background.html``); the
  edition's own names (``sec-*.html``) are given by the pipeline's render.
* Ctrl-C stops the server, the watcher and any running build, and exits
  without a traceback. ``--timeout`` and ``--max-rebuilds`` stop it by
  themselves (used by the tests).
"""

from __future__ import annotations

import argparse
import contextlib
import html
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import watchfiles
import yaml

from prp.render.needs import edition_needs
from prp.render.quarto import quarto_executable
from prp.runtime.timing import timing_path

WATCHED = ("report", "data", "scripts", "config", "rules", "profiles", "Snakefile")
BUILD_ID_PATH = "/__build_id"
BUSY = 75  # prp.tools.build: another build holds the lock
RELOAD_SCRIPT = """<script>/* injected by prp.tools.watch: reload after a rebuild */
(function () {
  var seen = "%s";
  function poll() {
    fetch("%s", {cache: "no-store"})
      .then(function (r) { return r.text(); })
      .then(function (id) { if (id !== seen) { location.reload(); } })
      .catch(function () {})
      .finally(function () { setTimeout(poll, 250); });
  }
  setTimeout(poll, 250);
})();
</script>"""


# ---------------------------------------------------------------- pure helpers


ERROR_BANNER = (
    '<div role="alert" style="position:fixed;top:0;left:0;right:0;z-index:9999;'
    "padding:.6em 1em;background:#8b0000;color:#fff;font:14px/1.4 monospace;"
    'white-space:pre-wrap">prp.tools.watch: %s</div>'
)


def inject_reload(page: str, build_id: str, error: str | None = None) -> str:
    """The page with the reload script (and ``error``, shown on top of the
    page) before its last ``</body>``."""
    script = RELOAD_SCRIPT % (html.escape(build_id), BUILD_ID_PATH)
    if error:
        script = ERROR_BANNER % html.escape(error) + script
    at = page.lower().rfind("</body>")
    return page + script if at < 0 else page[:at] + script + page[at:]


@dataclass
class Job:
    jobid: str
    rule: str
    wildcards: str = ""
    log: str = ""
    output: str = ""  # Snakemake's "output:" line: comma-separated paths
    started: datetime | None = None
    finished: datetime | None = None

    @property
    def name(self) -> str:
        return f"{self.rule}[{self.wildcards}]" if self.wildcards else self.rule

    @property
    def outputs(self) -> list[str]:
        return [p.strip() for p in self.output.split(",") if p.strip()]


STAMP_LINE = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")
RULE_LINE = re.compile(r"^(?:local)?(?:rule|checkpoint) (\w+):$")
FIELD_LINE = re.compile(r"^\s+(jobid|log|wildcards|output): (.*)$")
FINISHED_LINE = re.compile(r"^Finished jobid: (\d+)")


class SnakemakeLog:
    """Follows Snakemake's console output line by line; :meth:`feed` returns
    the job a line reports as finished."""

    def __init__(self) -> None:
        self.stamp: datetime | None = None
        self.pending: Job | None = None
        self.jobs: dict[str, Job] = {}
        self.nothing_to_do = False
        self.errors: list[str] = []

    def feed(self, line: str) -> Job | None:
        line = line.rstrip("\n")
        if m := STAMP_LINE.match(line):
            self.stamp = datetime.strptime(" ".join(m.group(1).split()), "%a %b %d %H:%M:%S %Y")
            return None
        if m := RULE_LINE.match(line):
            self.pending = Job("", m.group(1), started=self.stamp)
            return None
        if self.pending is not None and (m := FIELD_LINE.match(line)):
            key, value = m.group(1), m.group(2).strip()
            if key == "jobid":
                self.pending.jobid = value
                self.jobs[value] = self.pending
            elif key == "log":  # a failed job's adds "(check log file(s) ...)"
                self.pending.log = value.split(" (")[0]
            else:
                setattr(self.pending, key, value)
            return None
        if m := FINISHED_LINE.match(line):
            self.pending = None
            job = self.jobs.get(m.group(1))
            if job is not None:
                job.finished = self.stamp
            return job
        if line.startswith("Nothing to be done"):
            self.nothing_to_do = True
        elif line.startswith(("Error in rule", "RuleException", "MissingInputException")):
            self.errors.append(line)
        return None


def benchmark_seconds(text: str) -> float | None:
    """Wall time (column ``s``) of a timing file's last row (Snakemake's
    benchmark format, :mod:`prp.runtime.timing`)."""
    rows = [r.split("\t") for r in text.strip().splitlines()]
    if len(rows) < 2 or "s" not in rows[0]:
        return None
    try:
        return float(rows[-1][rows[0].index("s")])
    except (ValueError, IndexError):
        return None


def job_seconds(job: Job, read: Callable[[str], str | None]) -> float | None:
    timing = timing_path(job.log) if job.log else None
    if timing is not None:
        text = read(timing.as_posix())
        if text is not None and (s := benchmark_seconds(text)) is not None:
            return s
    if job.started and job.finished:
        return (job.finished - job.started).total_seconds()
    return None


def format_seconds(s: float | None) -> str:
    if s is None:
        return "?"
    return f"{s:.1f} s" if s < 60 else f"{int(s // 60)} min {s % 60:04.1f} s"


def describe_changes(changes: Iterable[tuple[object, str]], root: Path, limit: int = 5) -> str:
    paths = sorted({Path(p).resolve().relative_to(root).as_posix() for _, p in changes})
    more = f" and {len(paths) - limit} more" if len(paths) > limit else ""
    return ", ".join(paths[:limit]) + more


# ---------------------------------------------------------------- server


class BuildState:
    """The id of the last finished build or preview (open pages reload when
    it changes) and the preview's error, shared with the server threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._id = str(time.time_ns())
        self._error: str | None = None

    @property
    def id(self) -> str:
        with self._lock:
            return self._id

    @property
    def error(self) -> str | None:
        with self._lock:
            return self._error

    def bump(self, error: str | None = None) -> None:
        with self._lock:
            self._id = str(time.time_ns())
            self._error = error


class ReloadingHandler(SimpleHTTPRequestHandler):
    """Static files of the edition; HTML gets the reload script."""

    state: BuildState
    overlay: Path | None

    def __init__(
        self, *args: Any, state: BuildState, overlay: Path | None = None, **kwargs: Any
    ) -> None:
        self.state = state
        self.overlay = overlay
        super().__init__(*args, **kwargs)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass  # the terminal shows builds, not requests

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path = unquote(urlsplit(self.path).path)
        if path == BUILD_ID_PATH:
            self._send(self.state.id.encode(), "text/plain; charset=utf-8")
            return
        target = Path(self.translate_path(self.path))
        if target.is_dir() and path.endswith("/"):
            target = target / "index.html"
        if target.suffix == ".html" and self.overlay is not None:
            # a preview page, until the full build replaces it
            try:
                rel = target.resolve().relative_to(Path(self.directory).resolve())
            except ValueError:
                rel = None
            if rel is not None and (self.overlay / rel).is_file():
                target = self.overlay / rel
        if target.suffix == ".html" and target.is_file():
            try:
                text = target.read_text(encoding="utf-8")
            except FileNotFoundError:  # an overlay page dropped meanwhile
                text = (Path(self.translate_path(self.path))).read_text(encoding="utf-8")
            page = inject_reload(text, self.state.id, self.state.error)
            self._send(page.encode("utf-8"), "text/html; charset=utf-8")
            return
        super().do_GET()

    def _send(self, body: bytes, ctype: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class PreviewServer(ThreadingHTTPServer):
    """The preview's HTTP server. A reader who closes the tab or reloads it
    while a response is being written (the page polls ``/__build_id``) is
    not an error: it prints nothing. Anything else prints its traceback."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):  # broken pipe, reset, aborted
            return
        super().handle_error(request, client_address)


def make_server(
    host: str, port: int, site: Path, state: BuildState, overlay: Path | None = None
) -> PreviewServer:
    handler = partial(ReloadingHandler, directory=str(site), state=state, overlay=overlay)
    return PreviewServer((host, port), handler)


# ---------------------------------------------------------------- building


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNAKEMAKE")}
    env["PYTHONPATH"] = "scripts"
    return env


def rebuild(
    edition: str,
    cores: int,
    root: Path,
    verbose: bool,
    state: BuildState,
    running: Callable[[subprocess.Popen[str] | None], None] | None = None,
    done: Callable[[], object] | None = None,
    extra: Sequence[str] = (),
    finished: Callable[[Job], object] | None = None,
) -> int:
    """Run ``prp.tools.build <edition>``; print each job as it finishes. A successful
    build gets a new build id (open pages then reload) before it is reported,
    after ``done()``. ``running`` is told the build's process (and None at its end);
    ``extra``: more Snakemake options; ``finished`` is called with each job
    that ends (while the build goes on)."""
    cmd = [sys.executable, "-m", "prp.tools.build", "--cores", str(cores), *extra, edition]
    started = time.monotonic()
    log = SnakemakeLog()
    tail: list[str] = []
    proc = subprocess.Popen(
        cmd,
        cwd=root,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # Ctrl-C is forwarded by us, once
    )
    if running is not None:
        running(proc)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            tail = [*tail[-40:], line.rstrip("\n")]
            if verbose:
                print(f"    | {line.rstrip()}", flush=True)
            job = log.feed(line)
            if job is not None and job.rule not in (edition, "all"):
                seconds = job_seconds(job, lambda p: _read(root / p))
                print(f"  ran {job.name:<50} {format_seconds(seconds):>10}", flush=True)
                if finished is not None:
                    finished(job)
        code = proc.wait()
    except KeyboardInterrupt:
        _stop_build(proc)
        raise
    finally:
        if running is not None:
            running(None)
    took = format_seconds(time.monotonic() - started)
    ran = sum(1 for j in log.jobs.values() if j.finished and j.rule not in (edition, "all"))
    if code == 0:
        if done is not None:
            done()
        state.bump()
        what = "nothing to do" if log.nothing_to_do or not ran else f"{ran} jobs"
        print(f"prp.tools.watch: build of {edition} finished in {took} ({what})", flush=True)
    elif code == BUSY:
        print(
            "prp.tools.watch: another build is running in this folder; waiting for the next change"
        )
    else:
        print(f"prp.tools.watch: build of {edition} FAILED after {took} (exit {code}):", flush=True)
        for line in log.errors or tail[-15:]:
            print(f"    {line}")
    return code


def _stop_build(proc: subprocess.Popen[str]) -> None:
    """Interrupt a running build the way Ctrl-C would, then wait for it."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


class _Filter(watchfiles.DefaultFilter):
    ignore_dirs = (*watchfiles.DefaultFilter.ignore_dirs, ".ruff_cache", ".snakemake", "build")


# The build after edits made during a build: Snakemake records its inputs'
# checksums when a job ends and then takes a newer input with the same
# checksum as built; without checksums, the newer modification time decides.
CATCH_UP = ("--max-checksum-file-size", "0")
DEBOUNCE_MS = 100  # changes are grouped over this long before anything runs
STEP_MS = 50  # ... and yielded once none came for this long


def lower_priority(pid: int) -> None:
    """Give a background build's session less CPU than the watcher, whose
    previews should not wait for it (its own autogroup; best effort)."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/autogroup").write_text("10")


class Overlay:
    """The preview pages of an edition (``build/.preview/<edition>/``), each
    with the number of the change it shows."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._pages: dict[str, int] = {}

    def clear(self) -> None:
        with self._lock:
            shutil.rmtree(self.folder, ignore_errors=True)
            self._pages.clear()

    def shown(self, names: Iterable[str], change: int) -> None:
        with self._lock:
            for name in names:
                self._pages[name] = change

    def drop_upto(self, change: int) -> list[str]:
        """Drop the pages of changes up to ``change`` (a full build that read
        them has replaced them); later ones stay."""
        with self._lock:
            gone = sorted(n for n, c in self._pages.items() if c <= change)
            for name in gone:
                (self.folder / name).unlink(missing_ok=True)
                del self._pages[name]
            return gone

    def pages(self) -> list[str]:
        with self._lock:
            return sorted(self._pages)


class Builder:
    """Full builds in a background thread: one at a time; changes that come
    in while one runs start another when it ends."""

    def __init__(
        self,
        edition: str,
        cores: int,
        root: Path,
        verbose: bool,
        state: BuildState,
        overlay: Overlay,
        max_builds: int | None = None,
        on_idle: Callable[[], None] | None = None,
    ) -> None:
        self.edition, self.cores, self.root, self.verbose = edition, cores, root, verbose
        self.state, self.overlay = state, overlay
        self.max_builds, self.on_idle = max_builds, on_idle
        self.builds = 0
        self._cond = threading.Condition()
        self._pending: set[str] = set()
        self._change = 0
        self._thread: threading.Thread | None = None
        self._proc: subprocess.Popen[str] | None = None
        self._closed = False
        self._touched: dict[str, int] = {}  # path -> the mtime (ns) we gave it

    def next_change(self) -> int:
        with self._cond:
            self._change += 1
            return self._change

    def own_touch(self, rel: str) -> bool:
        """Whether the only change to ``rel`` is our own :meth:`_freshen`."""
        with self._cond:
            mtime = self._touched.get(rel)
        if mtime is None:
            return False
        try:
            return (self.root / rel).stat().st_mtime_ns == mtime
        except OSError:
            return False

    def request(self, rels: Iterable[str]) -> None:
        """Build (again) for these changed files."""
        with self._cond:
            if self._closed:
                return
            self._pending.update(rels)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="prp.tools.watch build", daemon=True
                )
                self._thread.start()

    @property
    def busy(self) -> bool:
        with self._cond:
            return self._thread is not None

    def _running(self, proc: subprocess.Popen[str] | None) -> None:
        with self._cond:
            self._proc = proc
        if proc is not None:
            lower_priority(proc.pid)

    def _run(self) -> None:
        limit = False
        catch_up = False
        while True:
            with self._cond:
                if self._closed or not self._pending:
                    self._thread = None
                    self._cond.notify_all()
                    break
                self._pending.clear()
                upto = self._change
            started = time.time()
            code = rebuild(
                self.edition,
                self.cores,
                self.root,
                self.verbose,
                self.state,
                running=self._running,
                done=partial(self.overlay.drop_upto, upto),
                extra=CATCH_UP if catch_up else (),
                finished=partial(self._table_built, upto),
            )
            if code == BUSY:
                time.sleep(1)
            with self._cond:
                self.builds += 1
                during = set(self._pending)
            # Edits made while this build ran: the outputs it wrote are newer
            # than them, and the input checksums Snakemake recorded at the end
            # of its jobs may already be theirs, so it would find the next
            # build up to date. Make them newer and let mtimes decide.
            self._freshen(during, started)
            catch_up = bool(during)
            with self._cond:
                limit = self.max_builds is not None and self.builds >= self.max_builds
                if limit:
                    self._closed = True
        if self.on_idle is not None and (limit or self._closed):
            self.on_idle()

    def _table_built(self, upto: int, job: Job) -> None:
        """CSV-to-page: a table the build has just rewritten is shown at
        once in the pages that include it (the build goes on; its end
        replaces them)."""
        from prp.render.preview import PREVIEWED

        tree = self.root / "build" / "src" / self.edition
        tables = [
            p
            for p in job.outputs
            if p.startswith(PREVIEWED)
            and p.endswith(".md")
            and _read(self.root / p) != _read(tree / p[len("build/") :])
        ]
        if tables:
            show_preview(self.root, self.edition, tables, self.overlay, self.state, upto)

    def _freshen(self, rels: Iterable[str], since: float) -> None:
        for rel in sorted(rels):
            path = self.root / rel
            try:
                st = path.stat()
            except OSError:
                continue
            if st.st_mtime >= since - 2:
                now = time.time_ns()
                os.utime(path, ns=(st.st_atime_ns, now))
                with self._cond:
                    self._touched[rel] = now

    def close(self, timeout: float = 60) -> None:
        """Stop: no more builds; a running one is interrupted."""
        with self._cond:
            self._closed = True
            proc, thread = self._proc, self._thread
        if proc is not None:
            _stop_build(proc)
        if thread is not None:
            thread.join(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until no build runs or is pending."""
        with self._cond:
            return self._cond.wait_for(lambda: self._thread is None, timeout)


def show_preview(
    root: Path, edition: str, rels: list[str], overlay: Overlay, state: BuildState, change: int
) -> None:
    """Render the changed chapters' pages into the overlay, if the fast path
    is safe for these changes; print what happened."""
    from prp.render.config import RenderError
    from prp.render.preview import PreviewUnsafe, plan, render

    started = time.monotonic()
    try:
        todo = plan(root, edition, rels)
        if todo is None:
            return
        pages = render(root, todo)
    except PreviewUnsafe as exc:
        print(
            f"prp.tools.watch: no preview ({exc}); the build shows it (a table it rewrites "
            "is previewed as soon as it is written)",
            flush=True,
        )
        return
    except RenderError as exc:
        message = f"preview FAILED: {exc}"
        print(f"prp.tools.watch: {message} (the page shows the last good version)", flush=True)
        state.bump(error=message)
        return
    overlay.shown([p.name for p in pages], change)
    state.bump()
    names = ", ".join(p.name for p in pages)
    took = format_seconds(time.monotonic() - started)
    print(f"prp.tools.watch: preview of {names} in {took}", flush=True)


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m prp.tools.watch",
        description="Rebuild an edition when its sources change and serve it with live reload.",
    )
    ap.add_argument("--edition", choices=["public", "restricted"], default="public")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    ap.add_argument("--cores", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    ap.add_argument("--no-initial-build", action="store_true")
    ap.add_argument("--max-rebuilds", type=int, help="stop after this many rebuilds")
    ap.add_argument("--timeout", type=float, help="stop after this many seconds")
    ap.add_argument("--verbose", action="store_true", help="show Snakemake's output")
    ap.add_argument(
        "--engine",
        choices=["pandoc", "quarto"],
        default="pandoc",
        help="quarto: serve the render tree with `quarto preview` (needs Quarto)",
    )
    return ap.parse_args(argv)


# ---------------------------------------------------------------- quarto preview


def configured_quarto(root: Path) -> str | None:
    """The ``quarto`` key of config/config.yaml (relative to the repository)."""
    try:
        config = yaml.safe_load((root / "config" / "config.yaml").read_text(encoding="utf-8"))
    except OSError:
        return None
    value = (config or {}).get("quarto") or None
    return str(root / value) if value and not Path(value).is_absolute() else value


def tree_files(root: Path, profile: str) -> tuple[set[str], tuple[list[str], ...]]:
    """Files of report/ that the edition's render tree copies, and what the
    tree needs from the pipeline (artifacts, number files): a change of the
    latter needs a rebuild, a change of the former only a copy."""
    report = root / "report"
    needs = edition_needs(report, profile)
    copied = {*needs["sources"], *needs["extension"], "references.bib"}
    return copied, (needs["artifacts"], needs["variables"])


def start_preview(
    exe: str, tree: Path, profile: str, host: str, port: int
) -> subprocess.Popen[str]:
    cmd = [exe, "preview", "--profile", profile, "--no-browser", "--host", host]
    if port:
        cmd += ["--port", str(port)]
    print(f"prp.tools.watch: quarto preview in {tree} (Ctrl-C stops)", flush=True)
    return subprocess.Popen(cmd, cwd=tree, text=True, start_new_session=True)


def stop_preview(proc: subprocess.Popen[str] | None) -> None:
    if proc is not None:
        _stop_build(proc)


def preview_with_quarto(args: argparse.Namespace, root: Path) -> int:
    """Build once, then let ``quarto preview`` serve the render tree."""
    exe = quarto_executable(configured_quarto(root))
    profile, tree = args.edition, root / "build" / "src" / args.edition
    state = BuildState()
    stop = threading.Event()
    timer = threading.Timer(args.timeout, stop.set) if args.timeout else None
    paths = [root / p for p in WATCHED if (root / p).exists()]
    proc: subprocess.Popen[str] | None = None
    rebuilds = 0
    try:
        if timer:
            timer.daemon = True
            timer.start()
        if rebuild(args.edition, args.cores, root, args.verbose, state) != 0 and not tree.is_dir():
            return 1
        needs = tree_files(root, profile)[1]
        proc = start_preview(exe, tree, profile, args.host, args.port)
        for changes in watchfiles.watch(
            *paths, watch_filter=_Filter(), stop_event=stop, debounce=800, rust_timeout=1000
        ):
            print(f"prp.tools.watch: changed: {describe_changes(changes, root)}", flush=True)
            rels = {Path(p).resolve().relative_to(root).as_posix() for _, p in changes}
            in_report = {r[len("report/") :] for r in rels if r.startswith("report/")}
            copied_now, needs_now = tree_files(root, profile)
            if (
                rels == {f"report/{r}" for r in in_report}
                and in_report <= copied_now
                and (needs_now == needs)
            ):
                for rel in sorted(in_report):
                    if (root / "report" / rel).is_file():
                        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
                        (tree / rel).write_bytes((root / "report" / rel).read_bytes())
                print(f"prp.tools.watch: copied {len(in_report)} file(s) into the tree", flush=True)
            else:
                stop_preview(proc)
                rebuild(args.edition, args.cores, root, args.verbose, state)
                needs = needs_now
                proc = start_preview(exe, tree, profile, args.host, args.port)
            rebuilds += 1
            if args.max_rebuilds is not None and rebuilds >= args.max_rebuilds:
                break
    except KeyboardInterrupt:
        print("\nprp.tools.watch: interrupted", flush=True)
    finally:
        if timer:
            timer.cancel()
        stop_preview(proc)
        print(f"prp.tools.watch: stopped after {rebuilds} change(s)", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    root = Path.cwd().resolve()
    # Ctrl-C (SIGINT) stops the watcher even when it was started with SIGINT
    # ignored, as a shell script's background commands are: Python would
    # keep ignoring it, and the watcher would only stop when killed
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if args.engine == "quarto":
        return preview_with_quarto(args, root)
    from prp.render.preview import overlay_dir

    site = root / "build" / args.edition
    site.mkdir(parents=True, exist_ok=True)
    paths = [root / p for p in WATCHED if (root / p).exists()]
    state = BuildState()
    overlay = Overlay(overlay_dir(root, args.edition))
    overlay.clear()  # pages of an earlier session
    stop = threading.Event()
    timer = threading.Timer(args.timeout, stop.set) if args.timeout else None
    builder = Builder(
        args.edition,
        args.cores,
        root,
        args.verbose,
        state,
        overlay,
        max_builds=args.max_rebuilds,
        on_idle=stop.set,
    )
    server = make_server(args.host, args.port, site, state, overlay.folder)
    serving = threading.Thread(
        target=server.serve_forever, name="prp.tools.watch http", daemon=True
    )
    serving.start()
    host, port = str(server.server_address[0]), int(server.server_address[1])
    print(f"prp.tools.watch: serving build/{args.edition}/ at http://{host}:{port}/", flush=True)
    ready = False
    try:
        if timer:
            timer.daemon = True
            timer.start()
        if not args.no_initial_build:
            rebuild(args.edition, args.cores, root, args.verbose, state)
        for changes in watchfiles.watch(
            *paths,
            watch_filter=_Filter(),
            stop_event=stop,
            debounce=DEBOUNCE_MS,
            step=STEP_MS,
            rust_timeout=200,
            yield_on_timeout=True,
        ):
            if not ready:  # the first yield: the watches are in place
                ready = True
                names = ", ".join(p.name for p in paths)
                print(f"prp.tools.watch: watching {names}; Ctrl-C stops", flush=True)
            rels = sorted(
                rel
                for rel in {Path(p).resolve().relative_to(root).as_posix() for _, p in changes}
                if not builder.own_touch(rel)
            )
            if not rels:
                continue
            print(f"prp.tools.watch: changed: {describe_changes(changes, root)}", flush=True)
            change = builder.next_change()
            show_preview(root, args.edition, rels, overlay, state, change)
            builder.request(rels)
    except KeyboardInterrupt:
        print("\nprp.watch: interrupted", flush=True)
    finally:
        if timer:
            timer.cancel()
        builder.close()
        server.shutdown()
        server.server_close()
        print(f"prp.tools.watch: stopped after {builder.builds} rebuild(s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
