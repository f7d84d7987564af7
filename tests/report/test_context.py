"""What report.html shows, built from the tables: the formula guard undone for display, and
a topic's words marked in its paragraphs."""
from __future__ import annotations

import pytest

from pipeline.files import safe_cell, unguard
from pipeline.report.context import highlight
from report.hostile import FORMULA_START, HOSTILE


@pytest.mark.parametrize("value", [*HOSTILE.values(), "plain 文本", "'quoted", "''=x", ""])
def test_unguard_undoes_exactly_the_formula_guard(value):
    guarded = safe_cell(value)
    assert unguard(guarded) == value
    if value[:1] in FORMULA_START:
        assert guarded.startswith("'")


def test_highlight_marks_longest_words_and_keeps_text():
    text = "推进依法行政,建设法治政府,法治宣传"
    pieces = highlight(text, ["法治", "法治政府", "依法行政"])
    assert "".join(p for p, _ in pieces) == text
    assert [p for p, marked in pieces if marked] == ["依法行政", "法治政府", "法治"]
