"""Theme adoption: reports and places mentioning a theme per year, first mentions, and the
cumulative share of places."""
from __future__ import annotations

import numpy as np

from pipeline.topics.adoption import adoption_rows
from pipeline.text.places import UNKNOWN

COLUMNS = ("theme", "year", "reports", "reports_mentioning", "share_reports", "places", "places_mentioning",
           "first_mentions", "ci_low", "ci_high", "places_ever_share")


def _table(reports, min_reports=3):
    doc_ids = [r[0] for r in reports]
    year_of = {r[0]: r[1] for r in reports}
    place_of = {r[0]: r[2] for r in reports}
    mentioned = np.array([[r[3]] for r in reports], dtype=bool)
    rows = adoption_rows(doc_ids, year_of, place_of, mentioned, ["枫桥经验"], 0, 200, min_reports)
    return [dict(zip(COLUMNS, row)) for row in rows]


def test_first_mentions_count_each_place_once_in_its_first_year():
    reports = [  # (doc, year, place, mentions the theme)
        ("a1", "2019", "甲市", False), ("b1", "2019", "乙市", True),
        ("a2", "2021", "甲市", True), ("b2", "2021", "乙市", True), ("c2", "2021", "", True),
        ("a3", "2022", "甲市", True), ("d3", "2022", "丁市", False), ("x", "", "丙市", True),
    ]
    rows = {r["year"]: r for r in _table(reports)}
    assert list(rows) == ["2019", "2021", "2022", UNKNOWN]  # years in time order, unknown last
    assert [rows[y]["reports_mentioning"] for y in rows] == [1, 3, 1, 1]
    assert rows["2021"]["reports"] == 3 and rows["2021"]["share_reports"] == 1.0
    assert rows["2021"]["places"] == 2  # the report without a place counts for the share only
    assert [rows[y]["first_mentions"] for y in ("2019", "2021", "2022")] == [1, 1, 0]
    assert rows[UNKNOWN]["first_mentions"] is None  # a report without a year is never a first mention
    # Of the 3 places with a dated report (丙 has none): 1 by 2019, 2 by 2021 and 2022; it never falls.
    assert rows["2019"]["places_ever_share"] == 1 / 3 and rows["2021"]["places_ever_share"] == 2 / 3
    assert rows["2022"]["places_ever_share"] == 2 / 3
    assert rows[UNKNOWN]["places_ever_share"] is None


def test_intervals_only_for_years_with_enough_reports():
    reports = [(f"r{i}", "2020", f"p{i}", i % 2 == 0) for i in range(10)] + [("s", "2021", "q", True)]
    rows = {r["year"]: r for r in _table(reports)}
    assert rows["2020"]["ci_low"] < 0.5 < rows["2020"]["ci_high"]
    assert rows["2021"]["ci_low"] is None and rows["2021"]["ci_high"] is None
