"""The topic explorer's data: LDAvis's relevance ranking, as the page's slider applies it."""
from __future__ import annotations

from pipeline.report.explorer import relevance_ranking


def test_relevance_ranking_follows_lambda():
    data = {"tinfo": {"Category": ["Default", "Topic1", "Topic1", "Topic1"], "Term": ["x", "common", "rare", "mid"],
                      "logprob": [0, -1.0, -5.0, -2.0], "loglift": [0, 0.1, 3.0, 1.0]}}
    assert relevance_ranking(data, 1, 1.0) == ["common", "mid", "rare"]
    assert relevance_ranking(data, 1, 0.0) == ["rare", "mid", "common"]
