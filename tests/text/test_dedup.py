"""Duplicate reports: exact copies (white space aside) and near-duplicates, the first kept."""
from __future__ import annotations

from conftest import SEEDS
from pipeline.text.dedup import DuplicateFinder, Fingerprint
from pipeline.text.normalize import normalize


def test_duplicate_finder_tells_exact_from_near_and_keeps_the_first():
    finder = DuplicateFinder(0.9)
    text = "\n".join(normalize((SEEDS / "003_4bf76c9d5e1e5dd2.txt").read_text(encoding="utf-8"))[0])
    assert finder.add("a", Fingerprint.of(text)) is None
    assert finder.add("b", Fingerprint.of(text.replace(",", ", "))) == ("a", 1.0, True)  # white space aside
    near = finder.add("c", Fingerprint.of(text.replace("法治政府建设", "法治建设", 3) + "另有一句补充说明。"))
    assert near is not None and near.key == "a" and not near.exact and near.similarity >= 0.9
    other = "\n".join(normalize((SEEDS / "004_ff3b8e62458ed95c.txt").read_text(encoding="utf-8"))[0])
    assert finder.add("d", Fingerprint.of(other)) is None
