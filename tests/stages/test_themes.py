"""The themes stage on the seeds: tracked themes counted per report, aliases included, and
linked to the topics that carry them."""
from __future__ import annotations

import pytest

from conftest import read_table
from pipeline.report.context import unguard_row


def test_theme_counts_match_the_seeds(seed_output):
    rows = read_table(seed_output / "themes" / "theme_counts.csv")
    mentioning = {theme: {r["doc_id"] for r in rows if r["theme"] == theme and int(r["count"]) > 0}
                  for theme in {r["theme"] for r in rows}}
    assert len(mentioning["枫桥经验"]) == 3
    assert len(mentioning["综合行政执法"]) == 4  # literally in 3, as 综合执法 in one more
    terms = read_table(seed_output / "themes" / "theme_term_counts.csv")
    literal = {r["doc_id"] for r in terms if r["term"] == "综合行政执法" and int(r["count"]) > 0}
    alias = {r["doc_id"] for r in terms if r["term"] == "综合执法" and int(r["count"]) > 0}
    assert len(literal) == 3 and len(alias - literal) == 1
    assert mentioning["综合行政执法"] == literal | alias


def test_theme_topics_link_themes_to_topics(seed_output):
    rows = read_table(seed_output / "lda" / "theme_topics.csv")
    fengqiao = [r for r in rows if r["theme"] == "枫桥经验"]
    assert fengqiao, "枫桥经验 should be a token in the topic model"
    assert sum(float(r["topic_share"]) for r in fengqiao) == pytest.approx(1.0, abs=1e-4)


def test_every_occurrence_is_in_theme_contexts_with_its_context(seed_output):
    counts = read_table(seed_output / "themes" / "theme_counts.csv")
    contexts = read_table(seed_output / "themes" / "theme_contexts.csv")
    assert list(contexts[0]) == ["theme", "term", "doc_id", "year", "place", "section", "left", "match", "right"]
    for theme in {r["theme"] for r in counts}:
        assert sum(r["theme"] == theme for r in contexts) == sum(int(r["count"]) for r in counts if r["theme"] == theme)
    per_report = {(r["doc_id"], r["theme"]): int(r["count"]) for r in counts}
    for (doc_id, theme), n in per_report.items():
        assert sum(1 for r in contexts if r["doc_id"] == doc_id and r["theme"] == theme) == n
    paragraphs = "\n".join(r["text"] for r in read_table(seed_output / "clean" / "paragraphs.csv.gz"))
    for row in map(unguard_row, contexts):  # undo the CSV's guard of cells such as "+N”活动"
        assert row["match"] == row["term"] and len(row["left"]) <= 40 and len(row["right"]) <= 40
        assert row["left"] + row["match"] + row["right"] in paragraphs
        assert row["year"] and row["place"]
    assert any(r["section"] for r in contexts)


def test_theme_adoption_counts_reports_and_places_by_year(seed_output):
    documents = {r["doc_id"]: r for r in read_table(seed_output / "clean" / "documents.csv")}
    counts = read_table(seed_output / "themes" / "theme_counts.csv")
    adoption = read_table(seed_output / "themes" / "theme_adoption.csv")
    themes = list(dict.fromkeys(r["theme"] for r in counts))
    years = sorted({d["year"] for d in documents.values()})
    assert [(r["theme"], r["year"]) for r in adoption] == [(t, y) for t in themes for y in years]
    for row in adoption:
        in_year = [r for r in counts if r["theme"] == row["theme"] and documents[r["doc_id"]]["year"] == row["year"]]
        assert int(row["reports"]) == len(in_year)
        assert int(row["reports_mentioning"]) == sum(int(r["count"]) > 0 for r in in_year)
    fengqiao = [r for r in adoption if r["theme"] == "枫桥经验"]
    assert sum(int(r["first_mentions"]) for r in fengqiao) == 3  # three places mention it, each once first
    assert fengqiao[-1]["places_ever_share"] == "0.600000"  # 3 of the 5 places
    by_province = read_table(seed_output / "themes" / "theme_adoption_by_province.csv")
    assert {r["province"] for r in by_province} == {"广东省"}
    in_a_province = sum(1 for d in documents.values() if d["province"])
    assert 0 < in_a_province < len(documents)  # reports without a province are left out of this table
    assert sum(int(r["reports"]) for r in by_province if r["theme"] == "枫桥经验") == in_a_province


def test_a_corpus_of_several_provinces_gets_a_province_map(tmp_path):
    """Reports filed under cities of two provinces: the list of divisions gives their provinces,
    and the themes stage draws the tile map (the seeds, one county, have none)."""
    import shutil

    from conftest import SEEDS, run_stage

    seeds = sorted(SEEDS.glob("*.txt"))
    for i, seed in enumerate(seeds):
        folder = tmp_path / "corpus" / ("东莞市" if i % 2 else "杭州市")
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(seed, folder / seed.name)
    out = tmp_path / "out"
    run_stage("--output", str(out), "clean", "--input", str(tmp_path / "corpus"))
    result = run_stage("--output", str(out), "themes")
    assert {d["province"] for d in read_table(out / "clean" / "documents.csv")} == {"广东省", "浙江省"}
    assert (out / "themes" / "theme_map.png").stat().st_size > 20_000, result.stderr
