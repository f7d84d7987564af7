"""The modelled corpus: the model's vocabulary, the one list of terms by id every stage reads."""
from __future__ import annotations

from pipeline.params import LdaParams
from pipeline.topics.corpus import model_corpus, vocabulary


def test_vocabulary_lists_the_terms_by_id():
    rows = [("a", i, tokens) for i, tokens in enumerate((["x", "y", "z"], ["y", "z", "w"], ["z", "x", "y"]))]
    dictionary, corpus, _ = model_corpus(rows, LdaParams(no_below=2, no_above=1.0, min_tokens=1))
    terms = vocabulary(dictionary)
    assert terms == ["x", "y", "z"]  # first seen first; w is in one paragraph only: filtered out
    assert all(dictionary.token2id[term] == i for i, term in enumerate(terms))
    assert len(terms) == corpus.counts.shape[1]
