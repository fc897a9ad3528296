"""The built HTML editions in a real browser.

Serves ``build/<edition>/`` over HTTP on 127.0.0.1 and drives Debian's
Chromium (``/usr/bin/chromium``) with Playwright. Every page of the site
(the table of contents of the front page, the search index, and every local
page those pages link to) is opened and must show:

* no console error and no uncaught script error;
* no failed request and no HTTP error for any resource it loads;
* every image loaded (``naturalWidth > 0``);
* every link into the site resolving: the target page exists and, when the
  link has a ``#fragment``, an element with that id exists on that page.

Skipped only when ``/usr/bin/chromium`` is absent (CI installs the Debian
package ``chromium``; see ``.ci/run``).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
EDITIONS = ["public", "restricted"]
TIMEOUT_MS = 20_000

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} not found: install Debian's package 'chromium' to run the browser tests",
        allow_module_level=True,
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on a free port of 127.0.0.1; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def site(built_repo, request) -> Iterator[str]:
    """Base URL of one edition served from build/<edition>/."""
    with serve(built_repo / "build" / request.param) as base:
        yield base


@dataclass
class PageReport:
    url: str
    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def is_local(url: str, base: str) -> bool:
    return urlsplit(url).netloc == urlsplit(base).netloc and urlsplit(url).scheme in (
        "http",
        "https",
    )


def is_page(url: str) -> bool:
    path = urlsplit(url).path
    return path.endswith((".html", "/"))


def listed_pages(base: str) -> list[str]:
    """Pages the site lists: its front page, the pages named by the search
    index (search.json), in order, without repeats."""
    pages = [urljoin(base, "index.html")]
    try:
        with urllib.request.urlopen(urljoin(base, "search.json"), timeout=10) as resp:
            entries = json.load(resp)
    except urllib.error.HTTPError:
        entries = []
    for entry in entries:
        page = urldefrag(urljoin(base, entry["href"]))[0]
        if page not in pages:
            pages.append(page)
    return pages


def status_of(url: str) -> int:
    request = urllib.request.Request(url, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def console_error(msg) -> str:
    """A console error with the resource it is about (e.g. a favicon the
    browser asked for because the page declares none)."""
    where = (msg.location or {}).get("url", "")
    return f"console error: {msg.text}" + (f" [{where}]" if where else "")


def visit(browser, url: str) -> PageReport:
    report = PageReport(url)
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on(
        "console", lambda msg: msg.type == "error" and report.problems.append(console_error(msg))
    )
    page.on("pageerror", lambda err: report.problems.append(f"script error: {err}"))
    page.on(
        "requestfailed",
        lambda req: report.problems.append(f"request failed: {req.url} ({req.failure})"),
    )
    page.on(
        "response",
        lambda resp: (
            resp.status >= 400 and report.problems.append(f"HTTP {resp.status}: {resp.url}")
        ),
    )
    try:
        response = page.goto(url, wait_until="load")
        if response is None or response.status != 200:
            report.problems.append(
                f"page not served (status {response.status if response else 'none'})"
            )
            return report
        broken = page.eval_on_selector_all(
            "img",
            "imgs => imgs.filter(i => !i.complete || i.naturalWidth === 0)"
            ".map(i => i.getAttribute('src'))",
        )
        report.problems += [f"image did not load: {src}" for src in broken]
        report.ids = set(
            page.eval_on_selector_all(
                "[id], a[name]", "els => els.map(e => e.id || e.getAttribute('name'))"
            )
        )
        report.links = page.eval_on_selector_all(
            "a[href]", "as => as.map(a => a.href).filter(h => h.startsWith('http'))"
        )
    finally:
        page.close()
    return report


def crawl(browser, base: str) -> dict[str, PageReport]:
    """Visit every listed page and every local page they link to."""
    queue = listed_pages(base)
    reports: dict[str, PageReport] = {}
    while queue:
        url = queue.pop(0)
        if url in reports:
            continue
        reports[url] = visit(browser, url)
        for link in reports[url].links:
            target = urldefrag(link)[0]
            if (
                is_local(target, base)
                and is_page(target)
                and target not in reports
                and target not in queue
            ):
                queue.append(target)
    return reports


def link_problems(reports: dict[str, PageReport], base: str) -> list[str]:
    """Links whose page or anchor does not exist."""
    problems: list[str] = []
    statuses: dict[str, int] = {}
    for url, report in reports.items():
        for link in report.links:
            if not is_local(link, base):
                continue
            target, fragment = urldefrag(link)
            name = target.removeprefix(base) or "index.html"
            if target in reports:
                if reports[target].problems and any(
                    "page not served" in p for p in reports[target].problems
                ):
                    problems.append(f"{url}: link to missing page {name}")
                elif fragment and fragment not in reports[target].ids:
                    problems.append(f"{url}: link to {name}#{fragment}, no such anchor")
            else:
                if target not in statuses:
                    statuses[target] = status_of(target)
                if statuses[target] != 200:
                    problems.append(f"{url}: link to {name} (HTTP {statuses[target]})")
    return problems


@pytest.mark.parametrize("site", EDITIONS, indirect=True)
def test_every_page_loads_cleanly_and_links_resolve(browser, site):
    reports = crawl(browser, site)
    assert len(reports) > 1, "the site lists its chapter pages"
    problems = [f"{url.removeprefix(site)}: {p}" for url, r in reports.items() for p in r.problems]
    problems += link_problems(reports, site)
    assert not problems, f"{len(problems)} problem(s) in the served site:\n" + "\n".join(problems)


def test_checker_sees_console_errors_broken_images_and_links(browser, tmp_path):
    """The checks above can fail: a small site with a script error, a missing
    image, a missing anchor and a missing page is reported on every count,
    and its good links are not."""
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html><head><title>i</title><link rel="icon" href="data:,"></head>'
        '<body><h1 id="top">i</h1>'
        '<a href="bad.html">bad</a><a href="#top">top</a></body></html>',
        encoding="utf-8",
    )
    (tmp_path / "bad.html").write_text(
        '<!DOCTYPE html><html><head><title>b</title><link rel="icon" href="data:,"></head><body>'
        '<img src="no-such-image.png" alt="x">'
        '<a href="index.html#top">ok</a>'
        '<a href="index.html#no-such-anchor">a</a>'
        '<a href="no-such-page.html">b</a>'
        "<script>console.error('boom')</script>"
        "</body></html>",
        encoding="utf-8",
    )
    with serve(tmp_path) as base:
        reports = crawl(browser, base)
        problems = [p for r in reports.values() for p in r.problems] + link_problems(reports, base)
    text = "\n".join(problems)
    assert set(reports) == {base + "index.html", base + "bad.html", base + "no-such-page.html"}
    assert "console error: boom" in text
    assert "image did not load: no-such-image.png" in text
    assert "index.html#no-such-anchor, no such anchor" in text
    assert "link to missing page no-such-page.html" in text
    assert "#top" not in text
    assert not reports[base + "index.html"].problems
