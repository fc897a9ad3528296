"""Tests of scripts/plot_poverty_rates.py (started with prp.tools.scaffold: they fail until
the script, expected() and the catalog entry are written)."""

from pathlib import Path

import pandas as pd
import pytest
from plot_poverty_rates import figure_data, line_text, plot

from prp.artifacts.catalog import load_catalog
from prp.tools.scaffold import TODO

ROOT = Path(__file__).resolve().parents[2]


def sample() -> pd.DataFrame:
    """A few rows shaped like data/raw/poverty_rates.csv."""
    return pd.DataFrame(
        {
            "geography": ["El Salvador", "Guatemala", "Honduras"],
            "population": ["total", "total", "total"],
            "year": [2015, 2014, 2015],
            "poverty_line_usd_per_day": [5.5, 5.5, 5.5],
            "poverty_line_definition": [
                "international line of US$5.50 a day",
                "international line of US$5.50 a day",
                "international line of US$5.50 a day",
            ],
            "comparator": ["approximately", "approximately", "approximately"],
            "rate_percent": [35.0, 59.0, 66.0],
            "endnote": [24, 24, 24],
            "lettered_note": ["ii", "ii", "ii"],
            "note": ["", "2014 is the latest year available according to note ii", ""],
        }
    )


def expected() -> pd.DataFrame:
    """Highest rate first; each label carries the year of its rate."""
    return pd.DataFrame(
        {
            "country": ["Honduras (2015)", "Guatemala (2014)", "El Salvador (2015)"],
            "percent_poor": [66.0, 59.0, 35.0],
            "year": [2015, 2014, 2015],
            "poverty_line_usd": [5.5, 5.5, 5.5],
        }
    )


def test_figure_data_on_a_small_sample() -> None:
    pd.testing.assert_frame_equal(figure_data(sample()), expected())


def test_plot_draws_one_bar_per_row() -> None:
    data = expected()
    fig = plot(data)
    assert len(fig.axes[0].patches) == len(data)


def test_catalog_entry_is_filled_in() -> None:
    meta = load_catalog(ROOT / "config" / "artifacts")["figures"]["poverty-rates"]
    unfinished = [key for key, value in meta.items() if TODO in str(value)]
    assert not unfinished, f"config/artifacts: fill in {unfinished} of poverty-rates"


def test_line_text_names_the_shared_line_and_rejects_a_mix() -> None:
    assert line_text(expected()) == "US$5.50"
    mixed = expected().assign(poverty_line_usd=[5.5, 3.2, 5.5])
    with pytest.raises(ValueError, match="different poverty lines"):
        line_text(mixed)
