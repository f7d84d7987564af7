"""Places: one name for a report's place everywhere (tables, figure labels, the report), and
the level at which reports are grouped by place."""
from __future__ import annotations

from pipeline.text.places import UNKNOWN, choose_place_level, group_of, place_name, report_label, unique_labels


def test_place_name_joins_the_known_levels_coarse_to_fine():
    assert place_name({"province": "广东省", "city": "湛江市", "county": "遂溪县", "town": "岭北镇"}) == "广东省湛江市遂溪县岭北镇"
    assert place_name({"province": "", "county": "遂溪县", "town": "遂城镇", "year": "2020"}) == "遂溪县遂城镇"
    assert place_name({"town": None, "year": "2020"}) == ""


def test_report_label_is_the_finest_place_and_the_year_else_the_id():
    assert report_label({"doc_id": "a", "county": "遂溪县", "town": "岭北镇", "year": "2025"}) == "岭北镇 2025"
    assert report_label({"doc_id": "a", "county": "遂溪县", "town": "", "year": ""}) == "遂溪县"
    assert report_label({"doc_id": "a", "year": "2025"}) == "2025"
    assert report_label({"doc_id": "001_b15026bdeddbedce", "town": "", "year": ""}) == "001_b15026bdeddbedce"


def test_repeated_labels_are_told_apart_by_the_report_id():
    labels = unique_labels(["岭北镇 2025", "岭北镇 2025", "海城镇 2023"], ["000_96abec37a7bb9198_x", "b", "c"])
    assert labels == ["岭北镇 2025 (000_96abec37)", "岭北镇 2025 (b)", "海城镇 2023"]


def test_place_level_is_the_coarsest_level_most_reports_have():
    docs = [{"county": "遂溪县", "town": "岭北镇"}, {"county": "遂溪县", "town": "遂城镇"},
            {"county": "海丰县", "town": "海城镇"}, {"county": "", "town": "上社镇"}, {"county": "海丰县", "town": ""}]
    assert choose_place_level(docs) == "county"  # 80% known, two values
    assert choose_place_level([{"town": "a"}, {"town": "b"}, {"county": "c"}]) == "town"
    assert choose_place_level([{"year": "2020"}]) is None
    assert choose_place_level([]) is None


def test_group_of_a_report_unknown_where_not_known():
    documents = {"a": {"year": "2020", "county": "遂溪县"}, "b": {"year": "", "county": ""}}
    assert group_of(documents, "year") == {"a": "2020", "b": UNKNOWN}
    assert group_of(documents, "place", "county") == {"a": "遂溪县", "b": UNKNOWN}
    assert group_of(documents, "place", None) == {"a": UNKNOWN, "b": UNKNOWN}
