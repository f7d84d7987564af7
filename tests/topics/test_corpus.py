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


def test_selected_counts_are_scipys_selection_of_rows_and_columns_in_any_blocks():
    """The modelled paragraphs (at least min_tokens tokens of the kept terms) on the kept terms,
    numbered by their place among them: what selecting columns, then rows, with scipy gives."""
    import numpy as np
    from scipy import sparse

    from pipeline.topics.corpus import selected_counts

    rng = np.random.default_rng(3)
    counts = sparse.random(300, 40, density=0.1, format="csr", random_state=4, data_rvs=lambda n: rng.integers(1, 300, n))
    counts.sort_indices()
    columns = np.sort(rng.choice(40, size=25, replace=False))
    on_columns = counts[:, columns].tocsr()
    lengths = np.asarray(on_columns.sum(axis=1)).ravel()
    expected_rows = np.flatnonzero(lengths >= 150)
    expected = on_columns[expected_rows]
    assert 0 < len(expected_rows) < counts.shape[0]  # some rows are left out
    for block in (1, 7, 1000):
        matrix, rows, totals = selected_counts(counts, columns, 150, block=block)
        assert rows.tolist() == expected_rows.tolist() and totals.tolist() == lengths[expected_rows].tolist()
        assert matrix.dtype == np.uint16 and matrix.shape == expected.shape  # counts up to 299
        assert (matrix.indptr == expected.indptr).all() and (matrix.indices == expected.indices).all()
        assert (matrix.data == expected.data).all()


def test_the_keys_are_each_modelled_paragraphs_report_position_and_tokens(monkeypatch):
    from pipeline.topics.corpus import ParagraphKeys

    monkeypatch.setattr(ParagraphKeys, "BLOCK", 3)  # iterated across blocks
    rows = [("a", 0, ["x", "y"]), ("a", 1, ["z"]), ("b", 0, ["x", "y", "y"]), ("c", 3, ["x", "z"]), ("a", 2, ["y", "z"])]
    _, corpus, keys = model_corpus(rows, LdaParams(no_below=1, no_above=1.0, min_tokens=2))
    expected = [("a", 0, 2), ("b", 0, 3), ("c", 3, 2), ("a", 2, 2)]  # ("a", 1): one token, not modelled
    assert list(keys) == expected and len(keys) == len(corpus) == 4
    assert [keys[i] for i in range(len(keys))] == expected
    assert all(isinstance(v, int) for key in keys for v in key[1:])  # plain ints, as the tables write them


def test_paragraphs_counted_in_blocks_are_one_passs_corpus():
    """Counted in blocks (in worker processes, in the lda stage), a report cut between two blocks
    is still one report, and the dictionary, matrix and keys are one block's."""
    import numpy as np

    from pipeline.topics.corpus import count_paragraphs, model_corpus_of

    rng = np.random.default_rng(5)
    words = [f"w{i}" for i in range(40)]
    rows = [(f"r{i // 4}", i % 4, list(rng.choice(words, size=rng.integers(0, 12)))) for i in range(60)]
    params = LdaParams(no_below=2, no_above=0.9, min_tokens=3)
    expected_dictionary, expected, expected_keys = model_corpus(rows, params)
    splits = [(0, 3), (3, 10), (10, 10), (10, 41), (41, 60)]  # reports cut between blocks, and an empty block
    for dictionary, corpus, keys in (model_corpus(rows, params, block_tokens=7),
                                     model_corpus_of((count_paragraphs(rows[a:b]) for a, b in splits), params)):
        assert dictionary.token2id == expected_dictionary.token2id and dictionary.dfs == expected_dictionary.dfs
        assert list(keys) == list(expected_keys) and keys.doc_ids == expected_keys.doc_ids
        assert (corpus.counts != expected.counts).nnz == 0 and corpus.counts.dtype == expected.counts.dtype
        assert (corpus.counts.indices == expected.counts.indices).all()
    assert 0 < len(expected_keys) < len(rows) and len(expected_keys.doc_ids) == 15
