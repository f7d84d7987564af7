"""Every year column of every table holds numbers only, with an empty cell for a report
without a year: what pandas, R and Excel need to read the column as numbers."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest


def year_cells(output: Path) -> dict[str, list[str]]:
    """``table/column -> cells`` for every column of every CSV named ``year`` or ``*_year``."""
    found = {}
    for table in sorted(output.rglob("*.csv")):
        with open(table, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for column in rows[0] if rows else ():
            if column == "year" or column.endswith("_year"):
                found[f"{table.relative_to(output)}:{column}"] = [row[column] for row in rows]
    return found


@pytest.mark.parametrize("output_name", ["seed_output", "hostile_output"])
def test_year_columns_are_numbers_or_empty(output_name, request):
    cells = year_cells(request.getfixturevalue(output_name))
    assert "themes/theme_adoption.csv:year" in cells and "prevalence/prevalence_by_year.csv:year" in cells
    for column, values in cells.items():
        wrong = sorted({v for v in values if v and not (v.isdigit() and len(v) == 4)})
        assert not wrong, f"{column}: {wrong[:5]}"


def test_a_report_without_a_year_is_an_empty_year_cell(hostile_output):
    """The hostile corpus's metadata gives one report the year "未知": it is a report without
    a year, counted in the tables under an empty year, and warned about."""
    cells = year_cells(hostile_output)
    assert "" in cells["clean/documents.csv:year"]
    for table in ("themes/theme_adoption.csv", "themes/theme_frequency_by_year.csv", "prevalence/prevalence_by_year.csv"):
        assert "" in cells[f"{table}:year"], table
    with open(hostile_output / "clean" / "cleaning_report.csv", encoding="utf-8-sig", newline="") as handle:
        assert any("year '未知' read as unknown" in row["warnings"] for row in csv.DictReader(handle))
