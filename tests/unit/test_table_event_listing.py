"""Restricted annex: the event-level listing (table_event_listing)."""

from __future__ import annotations

import pandas as pd
import pytest
from table_event_listing import ALIGN, COLUMNS, WIDTHS, listing, ordered

from prp.artifacts.tables import rows_table


def events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": ["CAMRD-S-000003", "CAMRD-S-000001", "CAMRD-S-000002"],
            "event_date": pd.to_datetime(["2017-03-01", "2017-01-05", "2017-02-01"]),
            "state": ["Chiapas", "Tamaulipas", "Chiapas"],
            "municipality": ["Tapachula", "Reynosa", "Arriaga"],
            "location_type": ["train_or_tracks", "highway", "shelter"],
            "crime_types": ["assault;robbery", "kidnapping", "extortion"],
            "perpetrator_type": ["gang", "transnational_criminal_organization", "unknown"],
            "victims": pd.array([2, 12, 1], dtype="Int64"),
            "outlet": ["synthetic-source-003", "synthetic-[source]-001", "synthetic-source-002"],
            "article_url": [
                "https://example.invalid/synthetic-source-003/camrd-s-000003",
                "https://example.invalid/synthetic-source-001/camrd-s-000001",
                "https://example.invalid/synthetic-source-002/camrd-s-000002",
            ],
        }
    )


def test_records_ordered_by_state_then_date():
    assert ordered(events())["event_id"].tolist() == [
        "CAMRD-S-000002",
        "CAMRD-S-000003",
        "CAMRD-S-000001",
    ]


def test_listing_has_a_state_row_before_each_state_and_every_record():
    rows, prefix = listing(events())
    assert prefix == "CAMRD-S-"
    assert all(len(row) == len(COLUMNS) for row in rows)
    assert [row[0] for row in rows] == [
        {"strong": "Chiapas"},
        "000002",
        "000003",
        {"strong": "Tamaulipas"},
        "000001",
    ]
    assert rows[0][1:] == [""] * (len(COLUMNS) - 1)
    row = dict(zip(COLUMNS, rows[2], strict=True))
    assert row["Date"] == "2017-03-01" and row["Municipality"] == "Tapachula"
    assert row["Place"] == "Train or tracks" and row["Crimes (victims)"] == "Assault, robbery (2)"
    assert row["Perpetrator"] == "Gang"
    assert row["Source label"] == {
        "text": "synthetic-source-003",
        "href": "https://example.invalid/synthetic-source-003/camrd-s-000003",
    }
    # a label is data, kept as it is (escaped where the filter writes it)
    assert rows[4][6]["text"] == "synthetic-[source]-001"
    assert rows[4][5] == "TCO" and rows[4][4] == "Kidnapping (12)"


def test_markdown_carries_caption_id_widths_and_every_url():
    rows, _ = listing(events())
    md = rows_table(COLUMNS, rows, "event-listing", "Records", "Source: x.", ALIGN, WIDTHS)
    assert '{#tbl-event-listing prp-rows="event-listing" tbl-colwidths=' in md
    for url in events()["article_url"]:
        assert f'"href": "{url}"' in md


def test_missing_columns_and_unknown_perpetrators_fail():
    with pytest.raises(ValueError, match="article_url"):
        listing(events().drop(columns="article_url"))
    with pytest.raises(ValueError, match="aliens"):
        listing(events().assign(perpetrator_type="aliens"))
