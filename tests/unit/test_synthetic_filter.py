"""prp-synthetic.lua by itself, run by pandoc on small documents: which
values get the synthetic mark, where its footnote goes, and a value span
wrapped in another of the same variable (Quarto's typst path) counted once."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from prp.render.pandoc import pandoc_command

FILTER = Path(__file__).resolve().parents[2] / "report/_extensions/prp/filters/prp-synthetic.lua"
META = "---\nprp-synthetic:\n  note: Invented.\n  variables: [ev.n, ev.k]\n---\n\n"


def run(markdown: str, fmt: str) -> str:
    """The document after the filter, as the target format's text."""
    env = {**os.environ, "PRP_RENDER_FORMAT": fmt}
    proc = subprocess.run(
        pandoc_command(["-f", "markdown", "-t", "json", "--lua-filter", str(FILTER)]),
        input=(META + markdown).encode("utf-8"),
        capture_output=True,
        env=env,
        check=True,
    )
    writer = "html" if fmt == "html" else "typst"
    out = subprocess.run(
        pandoc_command(["-f", "json", "-t", writer, "--wrap=none"]),
        input=proc.stdout,
        capture_output=True,
        check=True,
    )
    return out.stdout.decode("utf-8")


def var(name: str, value: str) -> str:
    return f'[{value}]{{.prp-var data-var="{name}"}}'


def test_listed_values_are_marked_and_others_are_not():
    html = run(f"# One\n\nWe saw {var('ev.n', '12')} of {var('ev.total', '40')}.\n", "html")
    assert html.count("<sup>‡</sup>") == 1
    assert html.index(">12<") < html.index("‡") < html.index(">40<")
    assert 'title="Invented."' in html


def test_a_value_wrapped_twice_is_one_value():
    wrapped = f'[{var("ev.n", "12")}]{{.prp-var data-var="ev.n"}}'
    html = run(f"# One\n\nSeen: {wrapped}.\n", "html")
    assert html.count("<sup>‡</sup>") == 1
    assert html.count('data-var="ev.n"') == 1  # the outer span is gone
    other = f'[{var("ev.n", "12")}]{{.prp-var data-var="ev.k"}}'
    assert run(f"# One\n\nSeen: {other}.\n", "html").count("<sup>‡</sup>") == 2


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_one_footnote_per_chapter_and_none_in_headings_or_tables(fmt):
    doc = (
        f"# One\n\n## Count {var('ev.n', '12')}\n\n"
        f"| a |\n|---|\n| {var('ev.k', '3')} |\n\n"
        f"First {var('ev.n', '12')}, again {var('ev.k', '3')}.\n\n"
        f"# Two\n\nOnce more {var('ev.n', '12')} and {var('ev.n', '12')}.\n"
    )
    out = run(doc, fmt)
    assert out.count("‡") >= 6  # every listed value: heading, table cell, 4 in the text
    footnotes = out.count("#footnote(numbering")
    if fmt == "html":
        assert footnotes == 0 and out.count("<sup>‡</sup>") == 6
    else:
        # chapter One's first footnote-bearing value is in its text, not the
        # heading or the table; chapter Two has its own
        assert footnotes == 2
        first = out.index("#footnote(numbering")
        assert out.index("First") < first < out.index("again")


def test_without_settings_the_document_is_unchanged():
    env = {**os.environ, "PRP_RENDER_FORMAT": "html"}
    text = f"# One\n\nWe saw {var('ev.n', '12')}.\n".encode()

    def ast(*extra: str) -> dict:
        cmd = pandoc_command(["-f", "markdown", "-t", "json", *extra])
        return json.loads(subprocess.run(cmd, input=text, capture_output=True, env=env).stdout)

    assert ast("--lua-filter", str(FILTER)) == ast()
