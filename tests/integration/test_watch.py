"""``prp.tools.watch``: its log parsing and page injection (fast), and the live
loop on a built copy — edit a chapter, the page served on localhost shows
the new text after the rebuild, and the watcher stops by itself; Ctrl-C
stops it cleanly (slow, bounded)."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from prp.tools.watch import (
    BuildState,
    Job,
    SnakemakeLog,
    benchmark_seconds,
    inject_reload,
    job_seconds,
    make_server,
)

CHROMIUM = Path("/usr/bin/chromium")
LOG = """\
[Sun Nov 29 00:23:02 2026]
localrule render_edition:
    input: build/src/public/index.qmd
    output: build/public/index.html
    log: build/logs/render_edition/public.log
    jobid: 7
    wildcards: edition=public

[Sun Nov 29 00:23:04 2026]
rule export_provenance:
    jobid: 9
    wildcards: edition=public
[Sun Nov 29 00:23:20 2026]
Finished jobid: 7 (Rule: render_edition)
[Sun Nov 29 00:23:23 2026]
Finished jobid: 9 (Rule: export_provenance)
"""


def test_snakemake_log_reports_finished_jobs_with_times():
    log = SnakemakeLog()
    done = [j for line in LOG.splitlines(keepends=True) if (j := log.feed(line)) is not None]
    assert [j.name for j in done] == [
        "render_edition[edition=public]",
        "export_provenance[edition=public]",
    ]
    assert done[0].log == "build/logs/render_edition/public.log"
    assert done[0].outputs == ["build/public/index.html"] and done[1].outputs == []
    # the timing file the job wrote beside its log (prp.runtime.timing)
    bench = {"build/benchmarks/render_edition/public.tsv": "s\th:m:s\n17.25\t0:00:17\n"}
    assert job_seconds(done[0], bench.get) == 17.25  # the job's own timing wins
    assert job_seconds(done[1], bench.get) == 19.0  # else Snakemake's time stamps
    assert not log.nothing_to_do
    idle = SnakemakeLog()
    idle.feed("Nothing to be done (all requested files are present and up to date).\n")
    assert idle.nothing_to_do and idle.jobs == {}


def test_benchmark_and_job_times_tolerate_missing_data():
    assert benchmark_seconds("s\th:m:s\n1.5\t0:00:01\n2.5\t0:00:02\n") == 2.5
    assert benchmark_seconds("") is None and benchmark_seconds("x\n1\n") is None
    job = Job("1", "r", started=datetime(2026, 1, 1), finished=None)
    assert job_seconds(job, lambda _: None) is None


def test_a_reader_leaving_mid_response_prints_nothing_but_a_server_error_does(tmp_path, capsys):
    server = make_server("127.0.0.1", 0, tmp_path, BuildState())
    try:
        for gone in (BrokenPipeError(32, "Broken pipe"), ConnectionResetError(104, "reset")):
            try:
                raise gone
            except ConnectionError:
                server.handle_error(None, ("127.0.0.1", 49980))
        assert capsys.readouterr().err == ""
        try:
            raise ValueError("a bug in the handler")
        except ValueError:
            server.handle_error(None, ("127.0.0.1", 49980))
        err = capsys.readouterr().err
        assert "Traceback" in err and "a bug in the handler" in err
    finally:
        server.server_close()


def test_reload_script_is_injected_before_the_closing_body():
    page = inject_reload("<html><body><p>x</p></body></html>", 'id"1')
    assert page.endswith("</script></body></html>")
    assert 'var seen = "id&quot;1"' in page and "/__build_id" in page
    assert inject_reload("<p>no body</p>", "1").startswith("<p>no body</p><script>")


# ---------------------------------------------------------------- live (slow)


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("SNAKEMAKE")}
    e["PYTHONPATH"] = "scripts"
    return e


class Watcher:
    """``python -m prp.tools.watch`` in a copy, with its output read in a thread."""

    def __init__(self, repo: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "prp.tools.watch", "--port", "0", *args],
            cwd=repo,
            env=env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no {text!r} within {timeout} s; output:\n{''.join(self.seen)}")

    def finish(self, timeout: float) -> str:
        try:
            self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        time.sleep(0.2)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return "".join(self.seen)


@contextmanager
def browser_tab(url: str) -> Iterator[Any]:
    """A headless Chromium page open on ``url`` (None without Chromium)."""
    if not CHROMIUM.exists():
        yield None
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            tab = browser.new_page()
            tab.goto(url)
            yield tab
        finally:
            browser.close()


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode("utf-8")


@pytest.mark.slow
def test_edit_a_chapter_and_the_served_page_reloads_with_it(built_repo, tmp_path):
    repo = tmp_path / "watch"
    shutil.copytree(built_repo, repo, symlinks=True)
    w = Watcher(repo, "--max-rebuilds", "2", "--timeout", "1500")
    url = w.wait_for("serving build/public/ at", 30).split(" at ")[1].strip()
    # the start-up build: a copy in another folder rebuilds (module paths are absolute)
    w.wait_for("build of public finished", 900)
    before = get(url + "__build_id")
    page = get(url + "sec-police.html")
    assert "/__build_id" in page and "Rebuilt by the watcher" not in page
    chapter = repo / "report/chapters/part4-police.qmd"
    original = chapter.read_text()
    with browser_tab(url + "sec-police.html") as tab:
        chapter.write_text(original + "\nRebuilt by the watcher, sentence 4711.\n")
        w.wait_for("changed: report/chapters/part4-police.qmd", 60)
        ran = w.wait_for("ran render_edition[edition=public]", 300)
        assert ran.split()[-1] == "s"  # a duration
        w.wait_for("build of public finished", 120)
        assert get(url + "__build_id") != before
        assert "Rebuilt by the watcher, sentence 4711." in get(url + "sec-police.html")
        if tab is not None:  # the open page reloads by itself
            tab.wait_for_function(
                "document.body.innerText.includes('sentence 4711')", timeout=15_000
            )
    on_disk = (repo / "build/public/sec-police.html").read_text()
    assert "sentence 4711" in on_disk and "/__build_id" not in on_disk  # injected, not written
    chapter.write_text(original)  # the second rebuild; then it stops by itself
    w.wait_for("changed: report/chapters/part4-police.qmd", 60)
    out = w.finish(300)
    assert w.proc.returncode == 0, out
    assert "stopped after 2 rebuild(s)" in out and "Traceback" not in out
    assert "sentence 4711" not in (repo / "build/public/sec-police.html").read_text()


@pytest.mark.slow
def test_ctrl_c_stops_server_and_watcher_cleanly(built_repo, tmp_path):
    repo = tmp_path / "stop"
    shutil.copytree(built_repo, repo, symlinks=True)
    w = Watcher(repo, "--no-initial-build", "--timeout", "120")
    url = w.wait_for("serving build/public/ at", 30).split(" at ")[1].strip()
    assert "/__build_id" in get(url)
    os.killpg(w.proc.pid, signal.SIGINT)
    out = w.finish(30)
    assert w.proc.returncode == 0, out
    assert "interrupted" in out and "stopped after 0 rebuild(s)" in out
    assert "Traceback" not in out


# ---------------------------------------------------------------- save-to-preview

POLICE = "report/chapters/part4-police.qmd"
XREF = re.compile(r'<a href="([^"]*#(?:tbl|fig|sec)-[^"]+)" class="quarto-xref">(.*?)</a>')


@pytest.fixture(scope="module")
def preview_repo(built_repo, tmp_path_factory) -> Path:
    """One copy of the built repository for this module's preview tests
    (each restores what it edits)."""
    repo = tmp_path_factory.mktemp("preview") / "repo"
    shutil.copytree(built_repo, repo, symlinks=True)
    return repo


def page_body(page: str) -> str:
    return page[page.index("<!--prp:body-->") : page.index("<!--/prp:body-->")]


@pytest.mark.slow
@pytest.mark.parametrize(
    "chapter",
    [
        "chapters/part4-police.qmd",
        "chapters/part3-organized-crime.qmd",
        "chapters/appendix-data.qmd",
    ],
)
def test_the_preview_of_an_unchanged_chapter_is_the_full_builds_page(preview_repo, chapter):
    """Numbers, cross-references (also to other chapters), citations, variables:
    byte for byte those of the full build."""
    from prp.render.preview import plan, render

    todo = plan(preview_repo, "public", [f"report/{chapter}"])
    assert todo is not None and [c.file for c in todo.chapters] == [chapter]
    (page,) = render(preview_repo, todo)
    full = (preview_repo / "build/public" / page.name).read_text(encoding="utf-8")
    assert page.path == preview_repo / "build/.preview/public" / page.name
    assert page.path.read_text(encoding="utf-8") == full
    page.path.unlink()


@pytest.mark.slow
def test_the_preview_refuses_what_only_the_full_build_may_decide(preview_repo):
    from prp.render.config import RenderError
    from prp.render.preview import PreviewUnsafe, plan, render

    chapter = preview_repo / POLICE
    original = chapter.read_text(encoding="utf-8")
    overlay = preview_repo / "build/.preview/public"
    edits = {
        # a restricted variable namespace, table or file: the boundary is the full build's
        "{{< var restricted_events.total >}}": "other variables",
        "{{< include ../tables/event-listing.md >}}": "other artifacts",
        "[x](../restricted/chapters/part5.qmd)": "new reference",
        "{{< include other.qmd >}}": "other sources",
    }
    try:
        for text, why in edits.items():
            chapter.write_text(original + f"\n\n{text}\n", encoding="utf-8")
            with pytest.raises(PreviewUnsafe, match=why):
                plan(preview_repo, "public", [POLICE])
        chapter.write_text(original, encoding="utf-8")
        with pytest.raises(PreviewUnsafe, match="not a chapter"):
            plan(preview_repo, "public", ["data/raw/human_rights_practices.csv"])
        # a chapter of the restricted edition only: no page of the public one
        assert plan(preview_repo, "public", ["report/restricted/chapters/x.qmd"]) is None
        # a render error: reported, nothing written
        chapter.write_text(original + "\n\n{{< bogus >}}\n", encoding="utf-8")
        todo = plan(preview_repo, "public", [POLICE])
        assert todo is not None
        with pytest.raises(RenderError, match="unsupported shortcode"):
            render(preview_repo, todo)
        assert not (overlay / "sec-police.html").exists()
    finally:
        chapter.write_text(original, encoding="utf-8")


TABLE = "build/tables/police-laws.md"


@pytest.mark.slow
def test_a_table_the_build_rewrote_is_shown_in_the_pages_that_include_it(preview_repo):
    """CSV-to-page: the watcher previews a table as soon as its job ends
    (before the edition is rendered): only the chapters that include it,
    with the new file; a figure waits for the full build (its image would be
    the old one)."""
    from prp.render.preview import PreviewUnsafe, plan, render

    table = preview_repo / TABLE
    original = table.read_text(encoding="utf-8")
    try:
        word = original.split("\n| ", 2)[1].split()[0]  # the first cell of the first row
        table.write_text(
            original.replace("| " + word, "| Rewritten cell 4713 " + word, 1), encoding="utf-8"
        )
        todo = plan(preview_repo, "public", [TABLE])
        assert todo is not None and [c.file for c in todo.chapters] == ["chapters/part4-police.qmd"]
        assert todo.artifacts == ("tables/police-laws.md",)
        (page,) = render(preview_repo, todo)
        shown = page.path.read_text(encoding="utf-8")
        assert "Rewritten cell 4713" in page_body(shown)
        assert "Rewritten cell 4713" not in (preview_repo / "build/public" / page.name).read_text()
        # the render tree of the last full build is not touched
        assert "Rewritten cell 4713" not in (
            preview_repo / "build/src/public/tables/police-laws.md"
        ).read_text(encoding="utf-8")
        page.path.unlink()
        with pytest.raises(PreviewUnsafe, match="not a generated table"):
            plan(preview_repo, "public", ["build/figures/homicide-rates.svg"])
        # a table no public chapter includes: no page
        assert plan(preview_repo, "public", ["build/tables/not-included.md"]) is None
    finally:
        table.write_text(original, encoding="utf-8")


@pytest.mark.slow
def test_save_shows_the_preview_then_the_full_build_and_builds_edits_made_meanwhile(
    preview_repo,
):
    repo = preview_repo
    chapter = repo / POLICE
    original = chapter.read_text(encoding="utf-8")
    site, overlay = repo / "build/public", repo / "build/.preview/public"
    full_xrefs = dict(
        (href.split("#")[1], text)
        for href, text in XREF.findall((site / "sec-police.html").read_text())
    )
    background = (site / "sec-background.html").read_text()
    fig = re.search(r'<figure id="(fig-[^"]+)"', background).group(1)
    fig_label = re.search(
        r'id="' + fig + r'".*?<span class="prp-caption-label">([^<:]+):', background, re.S
    ).group(1)
    w = Watcher(repo, "--no-initial-build", "--max-rebuilds", "3", "--timeout", "1500")
    url = w.wait_for("serving build/public/ at", 30).split(" at ")[1].strip()
    w.wait_for("watching", 30)
    try:
        # 1. a sentence with references to this chapter's table and another chapter's figure
        first = "Previewed sentence 4711, see @tbl-police-laws and @" + fig + "."
        t0 = time.monotonic()
        chapter.write_text(original + f"\n{first}\n", encoding="utf-8")
        w.wait_for("preview of sec-police.html", 60)
        served = get(url + "sec-police.html")
        took = time.monotonic() - t0
        assert "Previewed sentence 4711" in served, w.seen
        assert "Previewed sentence 4711" not in (site / "sec-police.html").read_text()
        assert (overlay / "sec-police.html").is_file()
        xrefs = dict((h.split("#")[1], t) for h, t in XREF.findall(page_body(served)))
        assert xrefs["tbl-police-laws"] == full_xrefs["tbl-police-laws"] == "Table 4.1"
        assert xrefs[fig] == fig_label
        assert f'href="sec-background.html#{fig}"' in served
        print(f"save-to-preview in the test: {took:.2f} s")
        # 2. a second edit while the full build of the first runs
        second = "Second sentence 4712, saved during the build."
        chapter.write_text(original + f"\n{first}\n\n{second}\n", encoding="utf-8")
        w.wait_for("preview of sec-police.html", 60)
        assert second in get(url + "sec-police.html")
        # 3. the first build ends; the second edit is built after it
        w.wait_for("build of public finished", 900)
        w.wait_for("ran render_edition[edition=public]", 600)
        w.wait_for("build of public finished", 600)
        on_disk = (site / "sec-police.html").read_text()
        assert first.split(",")[0] in on_disk and second in on_disk
        assert not (overlay / "sec-police.html").exists()  # replaced by the full build
        served = get(url + "sec-police.html")
        assert page_body(served) == page_body(on_disk)
        # the full build's cross-references read as the preview's did
        final = dict((h.split("#")[1], t) for h, t in XREF.findall(page_body(on_disk)))
        assert final["tbl-police-laws"] == xrefs["tbl-police-laws"] and final[fig] == xrefs[fig]
    finally:
        chapter.write_text(original, encoding="utf-8")  # the third build; then it stops
    out = w.finish(900)
    assert w.proc.returncode == 0, out
    assert "stopped after 3 rebuild(s)" in out and "Traceback" not in out
    assert "Second sentence 4712" not in (site / "sec-police.html").read_text()
