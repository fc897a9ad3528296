"""Inline numbers declared in config/numbers/*.yaml."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from prp.artifacts.numbers import SpecError, datasets_of, load_spec, numbers

ROOT = Path(__file__).resolve().parents[2]
FRAMES = {
    "rates": pd.DataFrame(
        {"country": ["A", "A", "B"], "year": [2014, 2015, 2015], "rate": [10.04, 20.55, 3.0]}
    ),
    "counts": pd.DataFrame({"k": ["x", "y", "z"], "n": [1200, 3400, 5]}),
}


def spec(**values):
    return {"dataset": "rates", "values": values}


def test_lookup_sum_count_and_formats():
    s = spec(
        a15={"where": {"country": "A", "year": 2015}, "column": "rate", "format": "{:.1f}"},
        total={"dataset": "counts", "column": "n", "aggregate": "sum", "format": "{:,}"},
        millions={
            "dataset": "counts",
            "column": "n",
            "aggregate": "sum",
            "scale": 1e-3,
            "format": "{:.1f} thousand",
        },
        rows_2015={"where": {"year": [2015, 2015]}, "aggregate": "count"},
        listed={"dataset": "counts", "where": {"k": ["x", "z"]}, "column": "n", "aggregate": "max"},
    )
    assert numbers(s, FRAMES, "t.yaml") == {
        "a15": "20.6",
        "total": "4,605",
        "millions": "4.6 thousand",
        "rows_2015": "2",
        "listed": "1,200",
    }


def test_ambiguous_or_empty_selector_is_an_error():
    with pytest.raises(SpecError, match="2 rows match"):
        numbers(spec(x={"where": {"country": "A"}, "column": "rate"}), FRAMES, "t.yaml")
    with pytest.raises(SpecError, match="no row matches"):
        numbers(spec(x={"where": {"country": "C"}, "column": "rate"}), FRAMES, "t.yaml")
    with pytest.raises(SpecError, match="no column 'nation'"):
        numbers(spec(x={"where": {"nation": "A"}, "column": "rate"}), FRAMES, "t.yaml")


@pytest.mark.parametrize(
    "path", sorted((ROOT / "config" / "numbers").glob("*.yaml")), ids=lambda p: p.stem
)
def test_committed_specs_load_and_name_described_datasets(path):
    from prp.data.datapackage import resource_names

    s = load_spec(path)
    assert set(datasets_of(s)) <= set(resource_names(ROOT / "data"))
