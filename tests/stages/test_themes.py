"""The themes stage on the seeds: tracked themes counted per report, aliases included, and
linked to the topics that carry them."""
from __future__ import annotations

import pytest

from conftest import read_table


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
    rows = read_table(seed_output / "themes" / "theme_topics.csv")
    fengqiao = [r for r in rows if r["theme"] == "枫桥经验"]
    assert fengqiao, "枫桥经验 should be a token in the topic model"
    assert sum(float(r["topic_share"]) for r in fengqiao) == pytest.approx(1.0, abs=1e-4)
