"""Faithful precision: an inline number that gives a fact the 2018 text
printed is rendered no more precisely than the print gave it, and a printed
word fraction ("two-thirds") stays a word fraction.

Pairs of (variable, printed value) come from two places:

* found by construction: a variable of ``config/numbers/*.yaml`` that selects
  the same rows, column and aggregate of the same dataset as a row of
  ``data/published/printed_values.csv`` (so a new variable for a printed fact
  is checked without editing this file);
* listed by hand where the selections differ: ``PRINTED`` of
  ``test_numbers_parts_1_2``.

Precision is counted in significant digits: '43%' has two, '20.5 million'
three, 'approximately 178,000' three (trailing zeros of a whole number are
not significant), '0.6 percent' one.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from prp.artifacts.fmt import word_fraction
from prp.artifacts.numbers import FRACTION, datasets_of, load_spec, numbers, render
from prp.data.datapackage import resource
from prp.data.validate import read_validated
from tests.unit.test_numbers_parts_1_2 import PRINTED as PRINTED_PARTS_1_2

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "config" / "numbers").glob("*.yaml"))
PRINTED_VALUES = ROOT / "data" / "published" / "printed_values.csv"
AGGREGATE_OF = {"lookup": "one", "sum": "sum", "count": "count"}
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
WORD_FRACTION = re.compile(
    r"\b(one|two|three|four)[- ](half|halves|third|thirds|quarter|quarters|fifth|fifths)\b"
    r"|\bhalf\b",
    re.IGNORECASE,
)
# Variables paired with a printed value on purpose at another precision.
EXEMPT = {
    "front_summary.table_1_1_peak_total": (
        "Table 1.1's exact total, quoted beside the printed bound 'over 350,000' to show "
        "that the bound contradicts the table"
    ),
}


UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}


def words_number(text: str) -> str | None:
    """The first number written in words, as digits: 'over one hundred' ->
    '100', 'Eighteen' -> '18', 'two-year' -> '2' (None if there is none)."""
    total, current, seen = 0, 0, False
    for word in re.findall(r"[a-z]+", text.lower()):
        if word in UNITS:
            current, seen = current + UNITS.index(word), True
        elif word in TENS:
            current, seen = current + 20 + 10 * TENS.index(word), True
        elif word in SCALES and seen:
            if SCALES[word] == 100:
                current *= 100
            else:
                total, current = total + current * SCALES[word], 0
        elif seen and word != "and":
            break
    return str(total + current) if seen else None


def number_text(text: str) -> str | None:
    """The first number of a printed or rendered text, digits or words."""
    m = NUMBER.search(text)
    if m:
        return m.group(0)
    return words_number(text)


def significant_digits(text: str) -> int:
    """Significant digits of the first number in ``text`` (digits or words)."""
    number = number_text(text)
    if number is None:
        raise ValueError(f"no number in {text!r}")
    digits = number.replace(",", "")
    if "." in digits:
        return len(digits.replace(".", "").lstrip("0")) or 1
    return len(digits.lstrip("0").rstrip("0")) or 1


def _selection(pairs: dict[str, object]) -> frozenset:
    out = []
    for col, want in pairs.items():
        if isinstance(want, tuple):
            out.append((col, want))
        elif (
            isinstance(want, list)
            and len(want) == 2
            and all(isinstance(w, int | float) and not isinstance(w, bool) for w in want)
        ):
            out.append((col, ("range", int(want[0]), int(want[1]))))
        elif isinstance(want, list):
            out.append((col, tuple(sorted(str(w) for w in want))))
        else:
            out.append((col, (str(want),)))
    return frozenset(out)


def selector_pairs(selector: str) -> dict[str, object]:
    out: dict[str, object] = {}
    for part in filter(None, (s.strip() for s in selector.split(";"))):
        col, _, val = part.partition("=")
        m = re.fullmatch(r"(-?\d+)\.\.(-?\d+)", val)
        out[col] = ("range", int(m.group(1)), int(m.group(2))) if m else val.split("|")
    return out


def printed_rows() -> dict[str, dict[str, str]]:
    with open(PRINTED_VALUES, encoding="utf-8", newline="") as fh:
        return {r["quantity"]: r for r in csv.DictReader(fh)}


def printed_index(rows: dict[str, dict[str, str]]) -> dict[tuple, list[str]]:
    """(dataset, column, selection, aggregate) -> printed quantities."""
    index: dict[tuple, list[str]] = {}
    for q, r in rows.items():
        agg = AGGREGATE_OF.get(r["derivation"])
        if not agg or not r["dataset"] or "+" in r["dataset"]:
            continue
        name, _, column = r["dataset"].partition(".")
        key = (
            name,
            "" if agg == "count" else column,
            _selection(selector_pairs(r["selector"])),
            agg,
        )
        index.setdefault(key, []).append(q)
    return index


def frame(name: str):
    res = resource(ROOT / "data", name)
    return read_validated(ROOT / "data" / res["path"], res)


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    """namespace.key -> display string, for every declarative variable."""
    out = {}
    for path in SPECS:
        spec = load_spec(path)
        frames = {d: frame(d) for d in datasets_of(spec)}
        for key, value in numbers(spec, frames, str(path)).items():
            out[f"{path.stem}.{key}"] = value
    return out


def found_pairs() -> dict[str, str]:
    rows = printed_rows()
    index = printed_index(rows)
    pairs = {}
    for path in SPECS:
        spec = load_spec(path)
        for key, value in spec["values"].items():
            agg = value.get("aggregate", "one")
            sel = (
                value.get("dataset", spec.get("dataset")),
                "" if agg == "count" else value.get("column", ""),
                _selection(value.get("where") or {}),
                agg,
            )
            for quantity in index.get(sel, []):
                pairs[f"{path.stem}.{key}"] = quantity
    return pairs


PAIRS = {**found_pairs(), **PRINTED_PARTS_1_2}


def test_pairs_are_found_in_every_part():
    parts = {var.split(".")[0].split("_")[0] for var in PAIRS}
    assert {"front", "part1", "part2", "part3", "part4"} <= parts
    assert len(PAIRS) >= 60
    assert set(EXEMPT) <= set(PAIRS)


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("43%", 2),
        ("20.5 million", 3),
        ("approximately 178,000", 3),
        ("0.6 percent", 1),
        ("2015", 4),
        ("more than 600,000", 1),
        ("327,984", 6),
        ("43.0", 3),
        ("over one hundred", 1),
        ("well over one million", 1),
        ("Eighteen", 2),
        ("two-year", 1),
        ("twenty-five states", 2),
    ],
)
def test_significant_digits(text, digits):
    assert significant_digits(text) == digits


@pytest.mark.parametrize("variable", sorted(set(PAIRS) - set(EXEMPT)))
def test_rendered_no_more_precise_than_printed(variable, rendered):
    printed = printed_rows()[PAIRS[variable]]["printed"]
    shown = rendered[variable]
    if WORD_FRACTION.search(printed):
        assert WORD_FRACTION.fullmatch(shown), (
            f"{variable}: printed as a word fraction ({printed!r}), rendered {shown!r}; "
            f"use `format: {FRACTION}`"
        )
        return
    assert number_text(printed) and number_text(shown), (printed, shown)
    assert significant_digits(shown) <= significant_digits(printed), (
        f"{variable} renders {shown!r}, more precise than the 2018 print {printed!r} "
        f"({PAIRS[variable]})"
    )


def test_a_share_printed_as_a_fraction_renders_as_one():
    spec = {"format": FRACTION, "scale": 0.01}
    assert render(66.666667, spec) == "two-thirds"
    assert render(50.0, spec) == "one-half"
    assert word_fraction(0.75) == "three-quarters"
    with pytest.raises(ValueError, match="not a half"):
        word_fraction(0.68)
    # and the check above would catch a percentage where 2018 printed words
    assert not WORD_FRACTION.fullmatch("67")
