"""Term discovery: cohesion and branching entropy, candidates mined from paragraphs, and the
dictionary edit that accepts them."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from pipeline.params import MiningParams
from pipeline.text.tokens import load_domain_terms
from pipeline.topics.terms import (ACCEPT_HEADER, add_terms, branching_entropy, marked_candidates, mine_terms,
                                   proposable, runs, swallowed_terms)


def test_branching_entropy_counts_boundaries_as_distinct():
    assert branching_entropy([4], 0) == 0.0
    assert branching_entropy([1, 1], 0) == pytest.approx(1.0)
    assert branching_entropy([], 4) == pytest.approx(2.0)


def planted_paragraphs() -> list[tuple[str, list[str]]]:
    """行政 执法 监督 six times in three reports, each time between other words; its fragments
    行政 执法 and 执法 监督 never occur outside it."""
    lefts, rights = ["加强", "完善", "健全", "开展", "推动", "落实"], ["工作", "机制", "体系", "力度", "制度", "平台"]
    paragraphs = []
    for i in range(6):
        paragraphs.append((f"r{i % 3}", [lefts[i], "行政", "执法", "监督", rights[i], "，", "群众", f"事项{i}"]))
        paragraphs.append((f"r{i % 3}", ["司法", "所", lefts[(i + 1) % 6], "法治", "宣传", rights[(i + 2) % 6]]))
        paragraphs.append((f"r{(i + 1) % 3}", [f"基层{i}", "治理", lefts[(i + 3) % 6], "人民", "调解", f"组织{i}"]))
    return paragraphs


def test_mine_terms_finds_the_cohesive_free_compound():
    mined = mine_terms(planted_paragraphs, settings=MiningParams(min_count=3, min_reports=2))
    assert "人民调解" in {c.term for c in mined}  # mined before the dictionary filters it
    ranked = [c for c in mined if proposable(c.parts, stopwords={"工作", "加强", "开展"}, known={"人民调解"})]
    terms = [c.term for c in ranked]
    assert set(terms[:2]) == {"行政执法监督", "法治宣传"}, terms  # equally cohesive and free: tie by term
    top = ranked[terms.index("行政执法监督")]
    assert top.count == 6 and top.n_reports == 3 and top.parts == ("行政", "执法", "监督")
    assert top.cohesion > 0 and top.freedom == pytest.approx(math.log2(6))
    assert all(len(c.examples) <= 2 and "【" in c.examples[0][1] for c in ranked)
    # Fragments with a fixed neighbour have no freedom; stopwords never start or end a candidate.
    assert "行政执法" not in terms and "执法监督" not in terms
    assert not any(t.endswith("工作") or t.startswith(("加强", "开展")) for t in terms)
    assert "人民调解" not in terms  # already in the dictionary


def test_mined_counts_reports_and_measures_are_those_of_every_occurrence():
    """Against counting each candidate's occurrences one by one, on random paragraphs of a small
    vocabulary (so n-grams repeat): count, reports, cohesion, neighbours and examples."""
    import random
    from collections import Counter, defaultdict

    rng = random.Random(3)
    words = ["法治", "政府", "建设", "依法", "行政", "执法", "监督", "人民", "调解", "枫桥", "经验", "普法", "所", "，", "2025"]
    paragraphs = [(f"r{rng.randrange(6)}", rng.choices(words, k=rng.randrange(1, 14))) for _ in range(400)]
    settings = MiningParams(min_count=2, min_reports=1, min_cohesion=-100.0, min_freedom=0.0, min_term_chars=2)
    mined = {c.parts: c for c in mine_terms(lambda: paragraphs, settings)}

    ngrams, reports, left, right, examples = Counter(), defaultdict(set), defaultdict(list), defaultdict(list), defaultdict(list)
    n_tokens = 0
    for report, tokens in paragraphs:
        for run in runs(tokens):
            n_tokens += len(run)
            for n in range(1, settings.max_tokens + 1):
                for i in range(len(run) - n + 1):
                    parts = tuple(run[i:i + n])
                    ngrams[parts] += 1
                    reports[parts].add(report)
                    left[parts].append(run[i - 1] if i else None)
                    right[parts].append(run[i + n] if i + n < len(run) else None)
                    if report not in {r for r, _ in examples[parts]}:
                        examples[parts].append((report, "".join(run[max(0, i - 6):i]) + "【" + "".join(parts) + "】"
                                                + "".join(run[i + n:i + n + 6])))
    expected = [parts for parts, count in ngrams.items()
                if len(parts) > 1 and count >= 2 and len(parts[0]) > 1 and len(parts[-1]) > 1]
    assert expected and set(mined) == set(expected)

    def entropy(neighbours):
        counted = Counter(x for x in neighbours if x is not None)
        return branching_entropy(list(counted.values()), neighbours.count(None))

    for parts in expected:
        c = mined[parts]
        assert (c.count, c.n_reports) == (ngrams[parts], len(reports[parts]))
        assert c.cohesion == min(math.log2(c.count * n_tokens / (ngrams[parts[:i]] * ngrams[parts[i:]]))
                                 for i in range(1, len(parts)))
        assert c.freedom == min(entropy(left[parts]), entropy(right[parts]))
        assert c.examples == examples[parts][:2]


def test_stopwords_and_the_dictionary_apply_after_mining():
    assert proposable(("行政", "执法", "监督"), stopwords={"工作"}, known=set())
    assert not proposable(("加强", "执法", "监督"), stopwords={"加强"}, known=set())
    assert not proposable(("执法", "工作"), stopwords={"工作"}, known=set())
    assert not proposable(("人民", "调解"), stopwords=set(), known={"人民调解"})


def test_swallowed_theme_terms():
    assert swallowed_terms("矛盾纠纷化解", {"矛盾纠纷", "普法"}) == ["矛盾纠纷"]
    assert swallowed_terms("矛盾纠纷", {"矛盾纠纷"}) == []


def test_add_terms_appends_once_under_a_header():
    text = "# dictionary\n法治政府\n述法 50000\n"
    new_text, added = add_terms(text, ["执法监督检查", "述法", "执法监督检查"])
    assert added == ["执法监督检查"]
    assert new_text.startswith(text) and new_text.count(ACCEPT_HEADER) == 1 and new_text.endswith("执法监督检查\n")
    again, added = add_terms(new_text, ["党内法规制度"])
    assert added == ["党内法规制度"] and again.count(ACCEPT_HEADER) == 1
    assert add_terms(again, ["党内法规制度"]) == (again, [])
    assert [t for t, _ in load_domain_terms_from_text(again)][-2:] == ["执法监督检查", "党内法规制度"]


def load_domain_terms_from_text(text: str):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "terms.txt"
        path.write_text(text, encoding="utf-8")
        return load_domain_terms([path])


def test_marked_candidates_are_the_rows_marked_in_the_accept_column():
    rows = [("1", "党内法规制度", "是"), ("2", "法治宣传教育", "y"), ("3", "人民群众", "")]
    assert marked_candidates({"rank": r, "term": t, "accept": a} for r, t, a in rows) == ["党内法规制度", "法治宣传教育"]
