"""Hostile inputs: bad data, crossings of the edition boundary, render
failures, a full disk, missing or wrong keys. Each case is refused with a
clear message and a known exit code, and leaves build/ byte for byte as it
was (logs and the lock file aside); data that is merely hostile text is
escaped instead, and the escaping is checked in the outputs.

All cases run one after the other in one copy of the built repository; each
restores what it changed. With PRP_HOSTILE_REPORT=<file> the results are
written there as a Markdown table (case, message, exit code, build unchanged).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.pdftext import page_texts

pytestmark = pytest.mark.slow

RESULTS: list[tuple[str, str, int, str]] = []
# logs and benchmark files are measurements of a run, not outputs
IGNORED = ("build/logs/", "build/benchmarks/", "build/.build.lock")


def snapshot(repo: Path) -> dict[str, str]:
    out = {}
    for p in sorted((repo / "build").rglob("*")):
        rel = p.relative_to(repo).as_posix()
        if p.is_file() and not p.is_symlink() and not rel.startswith(IGNORED):
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def run(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SNAKEMAKE")}
    base.pop("PRP_PUBLIC_ONLY", None)
    base["PYTHONPATH"] = "scripts"
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=repo,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
    )


class Files:
    """Remembers files (bytes and times) before a case changes them."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.saved: dict[Path, tuple[bytes | None, os.stat_result | None]] = {}

    def keep(self, rel: str) -> Path:
        p = self.repo / rel
        if p not in self.saved:
            self.saved[p] = (p.read_bytes(), p.stat()) if p.exists() else (None, None)
        return p

    def write(self, rel: str, data: str | bytes) -> Path:
        p = self.keep(rel)
        p.write_bytes(data.encode() if isinstance(data, str) else data)
        return p

    def append(self, rel: str, text: str) -> Path:
        p = self.keep(rel)
        p.write_bytes(p.read_bytes() + text.encode())
        return p

    def rehash(self) -> None:
        from prp.data.datapackage import rehash_text

        path = self.keep("data/datapackage.yaml")
        text, _ = rehash_text(path.read_text(encoding="utf-8"), self.repo / "data")
        path.write_text(text, encoding="utf-8")

    def restore(self) -> None:
        for p, (data, st) in self.saved.items():
            if data is None:
                if p.exists():
                    p.unlink()
                continue
            p.write_bytes(data)
            os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))


@dataclass
class Case:
    name: str
    mutate: Callable[[Files], object]
    command: tuple[str, ...]
    code: int
    message: str  # regular expression the output must contain
    env: dict[str, str] = field(default_factory=dict)


RAW = "data/raw/acronyms.csv"
HEADER = "order,acronym,name_es,name_en,listed_2018,note\n"
CHAPTER = "report/chapters/part1-background.qmd"
BUILD_PUBLIC = ("prp.tools.build", "public")
VALIDATE = ("prp.tools.build", "--public", "build/clean/acronyms.parquet")


def raw(rows: str, rehash: bool = True) -> Callable[[Files], None]:
    def mutate(f: Files) -> None:
        f.write(RAW, rows)
        if rehash:
            f.rehash()

    return mutate


def chapter(text: str) -> Callable[[Files], None]:
    return lambda f: f.append(CHAPTER, "\n\n" + text + "\n")


def edit(rel: str, old: str, new: str) -> Callable[[Files], None]:
    def mutate(f: Files) -> None:
        p = f.keep(rel)
        text = p.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        p.write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def big_line(f: Files) -> None:
    p = f.keep(RAW)
    with open(p, "w", encoding="utf-8") as fh:
        fh.write(HEADER)
        fh.write('1,AB,,"' + "x" * (200 << 20) + '",true,\n')  # one 200 MB field
    f.rehash()


def missing_raw(f: Files) -> None:
    f.keep(RAW).unlink()


def corrupt_cipher(f: Files) -> None:
    p = f.keep("restricted/data/events.csv.age")
    data = bytearray(p.read_bytes())
    data[-40] ^= 0xFF
    p.write_bytes(bytes(data))


def edited_plaintext(f: Files) -> None:
    f.append("build/restricted-src/report/annex-events.qmd", "\nan edit never sealed\n")


def bad_identity(f: Files) -> None:
    """A throwaway identity with one character changed (its checksum fails)."""
    from pyrage import x25519

    key = str(x25519.Identity.generate())
    f.write("bad.agekey", f"# created\n{key[:-1]}{'P' if key.endswith('Q') else 'Q'}\n")


def stranger_identity(f: Files) -> None:
    from pyrage import x25519

    f.write("stranger.agekey", f"{x25519.Identity.generate()}\n")


ROW = "1,AB,,Name,true,\n"
CASES = [
    # --- data refused at validation
    Case(
        "data file edited, hash not updated",
        raw(HEADER + "1,AB,,Changed,true,\n", rehash=False),
        VALIDATE,
        1,
        r"acronyms\.csv: its sha256 .* is not the one .*datapackage\.yaml records.*make rehash",
    ),
    Case(
        "200 MB single-line CSV field",
        big_line,
        VALIDATE,
        1,
        r"acronyms\.csv, row 2: line is 209,715,\d+ characters long",
    ),
    Case(
        "quoted field spanning lines beyond the limit",
        raw(HEADER + '1,AB,,"' + "x\n" * 600_000 + '",true,\n'),
        VALIDATE,
        1,
        r"acronyms\.csv: not readable as CSV \(field larger than field limit",
    ),
    Case(
        "bytes that are not UTF-8",
        lambda f: (f.write(RAW, HEADER.encode() + b"1,AB,,Caf\xe9,true,\n"), f.rehash()),
        VALIDATE,
        1,
        r"acronyms\.csv, row 2: .*UTF-8",
    ),
    Case(
        "byte-order mark",
        raw("\ufeff" + HEADER + ROW),
        VALIDATE,
        1,
        r"acronyms\.csv.*byte-order mark|BOM",
    ),
    Case("empty file", raw(""), VALIDATE, 1, r"acronyms\.csv.*empty"),
    Case(
        "binary file (NUL bytes)",
        lambda f: (f.write(RAW, b"\x00\x01\x02" * 1000), f.rehash()),
        VALIDATE,
        1,
        r"acronyms\.csv",
    ),
    Case(
        "header renamed",
        raw(HEADER.replace("name_en", "english") + ROW),
        VALIDATE,
        1,
        r"acronyms\.csv, row 1, column 'english': unexpected column name",
    ),
    Case(
        "column missing",
        raw(HEADER.replace(",note", "") + "1,AB,,Name,true\n"),
        VALIDATE,
        1,
        r"acronyms\.csv, row 1: missing column\(s\) note",
    ),
    Case(
        "ragged row",
        raw(HEADER + "1,AB,,Name,true,,extra\n"),
        VALIDATE,
        1,
        r"acronyms\.csv, row 2: row has 7 fields",
    ),
    Case(
        "text in an integer column",
        raw(HEADER + "one,AB,,Name,true,\n"),
        VALIDATE,
        1,
        r"acronyms\.csv, row 2, column 'order'",
    ),
    Case(
        "value breaks a constraint",
        raw(HEADER + "1,ab<script>,,Name,true,\n"),
        VALIDATE,
        1,
        r"acronyms\.csv, row 2, column 'acronym'",
    ),
    Case(
        "duplicate key",
        raw(HEADER + ROW + "2,AB,,Other,true,\n"),
        VALIDATE,
        1,
        r"acronyms\.csv, row 3, column 'acronym'.*AB",
    ),
    Case("raw file deleted", missing_raw, VALIDATE, 1, r"Missing input files.*acronyms\.csv"),
    # --- the edition boundary, refused before any job runs
    Case(
        "public chapter cites a restricted namespace",
        chapter("{{< var restricted_events.hotspots >}}"),
        BUILD_PUBLIC,
        1,
        r"report/chapters/part1-background\.qmd:\d+: .*'restricted_events'",
    ),
    Case(
        "public chapter includes the event listing",
        chapter("{{< include ../tables/event-listing.md >}}"),
        BUILD_PUBLIC,
        1,
        r"report/chapters/part1-background\.qmd:\d+: '?.*event-listing",
    ),
    Case(
        "restricted table included while the key is present",
        chapter("{{< include ../tables/event-listing.md >}}"),
        ("prp.tools.build", "all"),
        1,
        r"part1-background\.qmd:\d+: the public edition may not include the restricted table "
        r"'event-listing'",
    ),
    Case(
        "public chapter shows a restricted figure",
        chapter("![x](../figures/event-points-map.svg)"),
        ("prp.tools.build", "all"),
        1,
        r"part1-background\.qmd:\d+: the public edition may not include the restricted figure",
    ),
    Case(
        "public chapter includes a restricted chapter",
        chapter("{{< include ../restricted/part5-recommendations.qmd >}}"),
        BUILD_PUBLIC,
        1,
        r"part1-background\.qmd:\d+: the public edition may not reference the restricted file "
        r"'report/restricted/part5-recommendations\.qmd'",
    ),
    Case(
        "public chapter links the decrypted events",
        chapter("[rows](../../build/restricted-src/data/events.csv)"),
        BUILD_PUBLIC,
        1,
        r"may not reference the restricted file 'build/restricted-src/data/events\.csv'",
    ),
    Case(
        "unknown variable namespace",
        chapter("{{< var nosuch.value >}}"),
        BUILD_PUBLIC,
        1,
        r"part1-background\.qmd:\d+: 'nosuch' is not a variable namespace of this build",
    ),
    Case(
        "restricted_dir inside a public input folder",
        edit(
            "config/config.yaml",
            "restricted_dir: build/restricted-src/data",
            "restricted_dir: data/raw",
        ),
        BUILD_PUBLIC,
        1,
        r"restricted_dir 'data/raw' overlaps the public input folder 'data'",
    ),
    Case(
        "public figure's rule reads the restricted events (key present)",
        edit(
            "rules/figures.smk",
            'location=clean("events_by_state_location"),',
            'location=clean("events_by_state_location"),\n        extra=clean("camrd_events"),',
        ),
        ("prp.tools.build", "all"),
        1,
        r"a public edition would be built from restricted material.*plot_crime_locations",
    ),
    Case(
        "public figure's rule reads the restricted events (public build)",
        edit(
            "rules/figures.smk",
            'location=clean("events_by_state_location"),',
            'location=clean("events_by_state_location"),\n        extra=clean("camrd_events"),',
        ),
        BUILD_PUBLIC,
        1,
        r"a public edition would be built from restricted material.*plot_crime_locations.*"
        r"build/clean/camrd_events\.parquet",
    ),
    # --- render failures keep the previous edition
    Case(
        "unknown variable of a known namespace",
        chapter("{{< var events.nosuch >}}"),
        BUILD_PUBLIC,
        1,
        r'unknown variable "events\.nosuch"',
    ),
    Case(
        "cross-reference to a missing figure",
        chapter("See @fig-nosuch."),
        BUILD_PUBLIC,
        1,
        r"fig-nosuch",
    ),
    Case(
        "link that would run code",
        chapter("[x](javascript:alert(1))"),
        BUILD_PUBLIC,
        1,
        r'link to "javascript:alert\(1\)" would run code',
    ),
    # --- keys
    Case(
        "restricted edition without an identity",
        lambda f: None,
        ("prp.tools.build", "restricted"),
        2,
        r"the restricted edition needs an age identity: set PRP_AGE_IDENTITY",
        env={"PRP_AGE_IDENTITY": "", "HOME": "/nonexistent"},
    ),
    Case(
        "identity file corrupted",
        bad_identity,
        ("prp.tools.build", "restricted"),
        2,
        r"bad\.agekey:2: malformed age identity",
        env={"PRP_AGE_IDENTITY": "bad.agekey"},
    ),
    Case(
        "identity not among the recipients",
        stranger_identity,
        ("prp.tools.build", "restricted"),
        2,
        r"not among its recipients",
        env={"PRP_AGE_IDENTITY": "stranger.agekey"},
    ),
    Case(
        "ciphertext tampered with",
        corrupt_cipher,
        ("prp.tools.build", "restricted"),
        2,
        r"events\.csv\.age: cannot be decrypted",
    ),
    Case(
        "decrypted chapter edited and not sealed",
        edited_plaintext,
        ("prp.tools.build", "restricted"),
        2,
        r"annex-events\.qmd changed since it was decrypted; run `make seal`",
    ),
    Case(
        "release refused by the audit",
        edit("config/config.yaml", "    upper: 5\n", "    upper: 100000\n"),
        ("prp.tools.release",),
        1,
        r"release refused|cannot protect",
    ),
]


@pytest.fixture(scope="module")
def hostile_repo(built_repo: Path, tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("hostile") / "repo"
    shutil.copytree(built_repo, repo, symlinks=True)
    yield repo
    report = os.environ.get("PRP_HOSTILE_REPORT")
    if report:
        lines = [
            "| # | case | message (first line that matched) | exit | build/ unchanged |",
            "|---|---|---|---|---|",
        ]
        for i, (name, msg, code, same) in enumerate(RESULTS, start=1):
            lines.append(f"| {i} | {name} | `{msg.replace('|', '/')}` | {code} | {same} |")
        Path(report).write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_is_refused_and_build_is_unchanged(hostile_repo: Path, case: Case):
    before = snapshot(hostile_repo)
    files = Files(hostile_repo)
    try:
        case.mutate(files)
        proc = run(hostile_repo, *case.command, env=case.env)
    finally:
        files.restore()
    output = proc.stdout + proc.stderr
    match = re.search(case.message, output, re.S)
    line = next((ln for ln in output.splitlines() if match and match.group(0)[:30] in ln), "")
    after = snapshot(hostile_repo)
    same = before == after
    RESULTS.append(
        (
            case.name,
            (line or (match.group(0) if match else "")).strip()[:160],
            proc.returncode,
            "yes" if same else "NO",
        )
    )
    assert proc.returncode == case.code, output[-3000:]
    assert match, f"expected /{case.message}/ in:\n{output[-3000:]}"
    assert "Traceback" not in output, output[-3000:]
    changed = sorted(set(before.items()) ^ set(after.items()))
    assert same, f"build/ changed: {changed[:10]}"


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.mark.skipif(not _is_root() or not shutil.which("mount"), reason="mounting needs root")
def test_a_full_disk_leaves_the_previous_edition_in_place(hostile_repo: Path):
    """build/ on a tmpfs with barely any room left: rendering the public
    edition again fails with ENOSPC, and every previous output stays."""
    build = hostile_repo / "build"
    used = sum(p.stat().st_size for p in build.rglob("*") if p.is_file())
    moved = hostile_repo / "build.real"
    build.rename(moved)
    build.mkdir()
    size = used + (used // 50) + (2 << 20)  # the pages and the PDF do not fit twice
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(build)], capture_output=True
    )
    if mounted.returncode != 0:
        build.rmdir()
        moved.rename(build)
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr!r}")
    try:
        subprocess.run(["cp", "-a", f"{moved}/.", str(build)], check=True)
        before = snapshot(hostile_repo)
        files = Files(hostile_repo)
        try:
            chapter("One more sentence, so that the public edition is rendered again.")(files)
            proc = run(hostile_repo, *BUILD_PUBLIC)
        finally:
            files.restore()
        after = snapshot(hostile_repo)
        output = proc.stdout + proc.stderr
        RESULTS.append(
            (
                "disk full while rendering (tmpfs)",
                next((ln for ln in output.splitlines() if "No space left" in ln), "")[:160],
                proc.returncode,
                "yes" if before == after else "NO",
            )
        )
        assert proc.returncode == 1, output[-3000:]
        assert "No space left on device" in output
        assert before == after, sorted(set(before.items()) ^ set(after.items()))[:10]
    finally:
        subprocess.run(["umount", str(build)], check=False)
        build.rmdir()
        moved.rename(build)


PAYLOADS = {
    "ZA": "<img src=x onerror=alert(2)>",
    "ZB": "<script>alert(1)</script>",
    "ZC": '=HYPERLINK("http://example.invalid/x","click")',
    "ZD": "+cmd|' /C calc'!A0",
    "ZE": "@SUM(1+1)",
    "ZF": '#set page(fill: red) #panic("typst ran data")',
    "ZG": "`<b>raw</b>`{=html}",
    "ZH": "[click me](javascript:alert(3))",
    "ZI": "{{< var restricted_events.hotspots >}}",
    "ZJ": "$\\input{/etc/passwd}$ and -2+3",
}


def test_hostile_text_in_data_is_escaped_in_html_pdf_and_csv(hostile_repo: Path):
    """Text that would be code in a page, the PDF or a spreadsheet is shown
    as text (this build changes the outputs on purpose: it runs last)."""
    files = Files(hostile_repo)
    original = (hostile_repo / RAW).read_text(encoding="utf-8")
    last = max(int(line.split(",", 1)[0]) for line in original.splitlines()[1:])
    rows = "".join(
        f'{last + i},{acr},,"{text.replace(chr(34), chr(34) * 2)}",false,\n'
        for i, (acr, text) in enumerate(PAYLOADS.items(), start=1)
    )
    files.write(RAW, original + rows)
    files.rehash()
    try:
        proc = run(hostile_repo, *BUILD_PUBLIC)
    finally:
        files.restore()
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    pages = "\n".join(
        p.read_text(encoding="utf-8") for p in (hostile_repo / "build/public").glob("*.html")
    )
    for bad in ("<img src=x", "<script>alert", 'href="javascript:', "<b>raw</b>"):
        assert bad not in pages, bad
    for shown in (
        "&lt;img src=x onerror=alert(2)&gt;",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "click me",
        "restricted_events.hotspots",
        "#set page(fill: red)",
    ):
        assert shown in pages, shown
    pdf = "\n".join(page_texts(hostile_repo / "build/public/report.pdf"))
    assert "#set page(fill: red)" in pdf and "typst ran data" in pdf  # shown, never run
    table = (hostile_repo / "build/tables/acronyms.csv").read_text(encoding="utf-8")
    for neutral in ("'=HYPERLINK", "'+cmd", "'@SUM"):
        assert neutral in table, neutral
    RESULTS.extend(
        (f"data text {text!r}", "escaped: shown as text in HTML, PDF and CSV", 0, "n/a (escaped)")
        for text in PAYLOADS.values()
    )
