"""The modelled paragraphs as bags of words: counted in blocks of consecutive paragraphs (in
worker processes, in the lda stage), merged into what one pass over the tokens would give, and
held as one sparse paragraphs x terms count matrix. gensim streams it like any
corpus; the batched E-step (:mod:`.batch_lda`) takes its rows as they are."""
from __future__ import annotations

from array import array
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, NamedTuple

import numpy as np
from scipy import sparse

from ..memory import release_freed_memory
from ..params import LdaParams

if TYPE_CHECKING:  # gensim is imported where a Dictionary is built, not to load this module
    from gensim.corpora import Dictionary


class BowCorpus:
    """Paragraphs x terms counts (CSR). Iterating yields each paragraph's bag of words as an
    ``n x 2`` array of (term id, count) rows, which gensim reads as its own ``(id, count)`` pairs."""

    # Rows whose pairs are laid out at a time while iterating: all of them at once, 8 bytes an
    # entry, would be more than the corpus itself in every process holding it.
    ITERATION_BLOCK = 20_000

    def __init__(self, counts: sparse.csr_matrix):
        counts = sparse.csr_matrix(counts)
        if counts.dtype.kind not in "iu" or counts.data.min(initial=0) < 0:
            raise ValueError(f"a corpus holds counts (non-negative integers), not {counts.dtype} values")
        # Counts in the smallest unsigned type that holds them (a byte, for paragraphs): every
        # process that trains a model holds the corpus, 3 bytes an entry less each than int32.
        self.counts = counts.astype(count_type(int(counts.data.max(initial=0))), copy=False)

    @classmethod
    def from_bows(cls, bows: Iterable[Iterable[tuple[int, int]]], n_terms: int) -> "BowCorpus":
        """From gensim-style bags of words (lists of ``(term id, count)``)."""
        from .batch_lda import bow_matrix

        return cls(bow_matrix(list(bows), n_terms, np.int32))

    @classmethod
    def load(cls, path: str | Path) -> "BowCorpus":
        return cls(sparse.load_npz(path))

    def save(self, path: str | Path) -> None:
        """To ``path`` as it is, in ``scipy.sparse.save_npz``'s format (``load_npz`` reads it),
        zip-compressed at level 1 (at level 6, ``save_npz``'s, saving took 4 s of the city
        corpus's lda stage)."""
        import zipfile

        counts = self.counts
        arrays = {"indices": counts.indices, "indptr": counts.indptr, "format": np.array(b"csr"),
                  "shape": np.array(counts.shape), "data": counts.data}
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for name, values in arrays.items():
                with archive.open(name + ".npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, values, allow_pickle=False)

    def __len__(self) -> int:
        return self.counts.shape[0]

    def __iter__(self) -> Iterator[np.ndarray]:
        indptr = self.counts.indptr
        for first in range(0, len(self), self.ITERATION_BLOCK):
            last = min(first + self.ITERATION_BLOCK, len(self))
            a, b = indptr[first], indptr[last]
            pairs = np.column_stack((self.counts.indices[a:b], self.counts.data[a:b])).astype(np.int32, copy=False)
            offsets = indptr[first:last + 1] - a
            for start, end in zip(offsets[:-1], offsets[1:]):
                yield pairs[start:end]

    def subset(self, mask: np.ndarray) -> "BowCorpus":
        return BowCorpus(self.counts[np.flatnonzero(mask)])

    def lengths(self) -> np.ndarray:
        """Tokens per paragraph."""
        return np.asarray(self.counts.sum(axis=1), dtype=np.int64).ravel()

    def term_frequency(self) -> np.ndarray:
        """Occurrences of each term (the model's term counts)."""
        return term_totals(self.counts.indices, self.counts.data, self.counts.shape[1])

    @staticmethod
    def saved_term_frequency(path: str | Path) -> np.ndarray:
        """:meth:`term_frequency` of a saved corpus, read without building the corpus."""
        with np.load(path) as saved:
            return term_totals(saved["indices"], saved["data"], int(saved["shape"][1]))


def count_type(largest: int) -> np.dtype:
    """The smallest unsigned integer type that holds counts up to ``largest``."""
    return np.min_scalar_type(largest)


def term_totals(term_ids: np.ndarray, counts: np.ndarray | None, n_terms: int, block: int = 1 << 22) -> np.ndarray:
    """Each term's summed counts over entries (``term_ids[i]`` occurs ``counts[i]`` times; with
    ``counts`` None, its number of entries: the rows it is in), ``block`` entries at a time: at
    once, numpy's own int64 copy of the ids and the float64 weights are a copy of the corpus
    twice its size. Integer counts are summed exactly, in any order."""
    totals = np.zeros(n_terms)
    for first in range(0, len(term_ids), block):
        weights = None if counts is None else counts[first:first + block]
        totals += np.bincount(term_ids[first:first + block], weights=weights, minlength=n_terms)
    return totals


class CountedBlock(NamedTuple):
    """Consecutive documents counted on their own: their token types, first seen first, and their
    documents x those types count matrix (CSR, each row's types in order, the counts in the
    smallest unsigned type that holds them). Blocks counted apart, in worker processes say, are
    put together by :func:`merge_blocks`."""

    types: list[str]
    counts: sparse.csr_matrix


def count_block(documents: Iterator[list[str]], max_tokens: int | None = None) -> CountedBlock:
    """The documents' (token lists') :class:`CountedBlock`, taking documents from ``documents``
    until ``max_tokens`` tokens are counted (with None, all of them)."""
    ids: dict[str, int] = {}
    codes, indptr = array("i"), [0]  # each token's type id, document after document: no strings kept
    for tokens in documents:
        codes.extend([ids.setdefault(t, len(ids)) for t in tokens])
        indptr.append(len(codes))
        if max_tokens is not None and len(codes) >= max_tokens:
            break
    # One entry per token; summing the duplicates counts each type in its document (and sorts
    # each row's types), in one vectorised step instead of a count per document.
    counts = sparse.csr_matrix((np.ones(len(codes), dtype=np.int32), np.frombuffer(codes, dtype=np.int32),
                                np.asarray(indptr, dtype=np.int64)), shape=(len(indptr) - 1, len(ids)))
    counts.sum_duplicates()
    # Kept in arrays of its own (views would keep the per-token ones alive), the counts narrowed.
    data = counts.data.astype(count_type(int(counts.data.max(initial=0))))
    return CountedBlock(list(ids), sparse.csr_matrix((data, counts.indices.copy(), counts.indptr.astype(np.int64)),
                                                     shape=counts.shape))


def merge_blocks(blocks: Iterable[CountedBlock]) -> tuple[list[str], sparse.csr_matrix]:
    """Every type of the blocks in first-seen order, and the documents x types count matrix (in
    the smallest unsigned type that holds its counts): what counting all the blocks' documents in
    one pass gives, whoever counted each block. A block's types are renumbered to the whole's
    and each row's entries put in the whole's order as it comes: its arrays are reordered in
    place, so a block is used up by its merge."""
    ids: dict[str, int] = {}
    held: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # each block's counts, type ids and row ends
    for block in blocks:
        to_whole = np.fromiter((ids.setdefault(t, len(ids)) for t in block.types), np.int32, len(block.types))
        renumbered = sparse.csr_matrix((block.counts.data, to_whole[block.counts.indices], block.counts.indptr),
                                       shape=(block.counts.shape[0], len(ids)))
        renumbered.has_sorted_indices = False
        renumbered.sort_indices()
        held.append((renumbered.data, renumbered.indices, renumbered.indptr[1:].astype(np.int64)))
        del block, renumbered
    # The blocks stacked into arrays made once, each block let go once copied (concatenating them
    # held every entry twice: 0.6 GB more at a gigabyte of text), the counts in the smallest type.
    entries = sum(len(b[0]) for b in held)
    largest = max((int(b[0].max(initial=0)) for b in held), default=0)
    data, indices = np.empty(entries, count_type(largest)), np.empty(entries, np.int32)
    indptr = np.zeros(sum(len(b[2]) for b in held) + 1, np.int64)
    row = 0
    while held:
        block_data, block_indices, row_ends = held.pop(0)
        first, n = indptr[row], len(block_data)
        data[first:first + n], indices[first:first + n] = block_data, block_indices
        indptr[row + 1:row + len(row_ends) + 1] = row_ends + first
        row += len(row_ends)
        del block_data, block_indices, row_ends
        release_freed_memory()  # else the blocks' pages stay resident beside the matrix (pipeline/memory.py)
    return list(ids), sparse.csr_matrix((data, indices, indptr), shape=(row, len(ids)))


def count_tokens(token_lists: Iterable[list[str]], block_tokens: int = 2_000_000) -> tuple[list[str], sparse.csr_matrix]:
    """Every token type in first-seen order, and the documents x types count matrix (in the
    smallest unsigned type that holds its counts), counted in blocks of whole documents of about
    ``block_tokens`` tokens (:func:`count_block`, :func:`merge_blocks`): a corpus's every token
    id at once would be several times the matrix (tfidf's 54,000 reports at a gigabyte were one
    block of 50,000 documents, 1.2 GB)."""
    documents = iter(token_lists)

    def blocks() -> Iterator[CountedBlock]:
        while (block := count_block(documents, block_tokens)).counts.shape[0]:  # until none are left
            yield block

    return merge_blocks(blocks())


def filtered_vocabulary(types: list[str], counts: sparse.csr_matrix, params: LdaParams):
    """gensim's ``filter_extremes``: the types in at least ``no_below`` paragraphs and at most a
    ``no_above`` share of them, the ``keep_n`` in most paragraphs (ties: first seen). Returns
    the gensim Dictionary (ids in first-seen order) and the kept types' columns of ``counts``
    (ascending: a column's place among them is its term id)."""
    from gensim.corpora import Dictionary

    paragraphs = term_totals(counts.indices, None, len(types)).astype(np.int64)
    occurrences = term_totals(counts.indices, counts.data, len(types))
    eligible = np.flatnonzero((paragraphs >= params.no_below) & (paragraphs <= params.no_above * counts.shape[0]))
    kept = np.sort(eligible[np.argsort(-paragraphs[eligible], kind="stable")[:params.keep_n]])
    dictionary = Dictionary()
    dictionary.token2id = {types[old]: new for new, old in enumerate(kept)}
    dictionary.dfs = {new: int(paragraphs[old]) for new, old in enumerate(kept)}
    dictionary.cfs = {new: int(occurrences[old]) for new, old in enumerate(kept)}
    dictionary.num_docs, dictionary.num_pos, dictionary.num_nnz = counts.shape[0], int(occurrences.sum()), counts.nnz
    return dictionary, kept


def selected_counts(counts: sparse.csr_matrix, columns: np.ndarray, min_tokens: int,
                    block: int = 50_000) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """The rows of ``counts`` with at least ``min_tokens`` counts in the ascending ``columns``,
    on those columns alone (numbered by their place among them), with counts in the smallest
    unsigned type; and the rows' indices and token totals. In two passes of ``block`` rows over
    the entries, so that nothing but the result is as large as ``counts`` (scipy's column, then
    row, selection made two whole copies and their temporaries: the lda stage's peak)."""
    new_id = np.full(counts.shape[1], -1, dtype=np.int32)
    new_id[columns] = np.arange(len(columns), dtype=np.int32)
    n_rows, indptr = counts.shape[0], counts.indptr

    def blocks():  # each block's first and end row, its entries' rows (from 0), term ids, counts, and which are kept
        for first in range(0, n_rows, block):
            last = min(first + block, n_rows)
            rows = np.repeat(np.arange(last - first), np.diff(indptr[first:last + 1]))
            ids, data = counts.indices[indptr[first]:indptr[last]], counts.data[indptr[first]:indptr[last]]
            yield first, last, rows, ids, data, new_id[ids] >= 0

    entries, lengths, largest = np.zeros(n_rows, dtype=np.int64), np.zeros(n_rows, dtype=np.int64), 0
    for first, last, rows, _, data, kept in blocks():
        entries[first:last] = np.bincount(rows[kept], minlength=last - first)
        lengths[first:last] = np.bincount(rows[kept], weights=data[kept], minlength=last - first)
        largest = max(largest, int(data[kept].max(initial=0)))
    chosen = lengths >= min_tokens
    out_indptr = np.concatenate([[0], np.cumsum(entries * chosen)])
    out_indices = np.empty(out_indptr[-1], dtype=np.int32)
    out_data = np.empty(out_indptr[-1], dtype=count_type(largest))
    for first, last, rows, ids, data, kept in blocks():
        kept &= chosen[first:last][rows]
        out_indices[out_indptr[first]:out_indptr[last]] = new_id[ids[kept]]
        out_data[out_indptr[first]:out_indptr[last]] = data[kept]
    modelled = np.flatnonzero(chosen)
    matrix = sparse.csr_matrix((out_data, out_indices, out_indptr[np.concatenate([[0], modelled + 1])]),
                               shape=(len(modelled), len(columns)))
    return matrix, modelled, lengths[modelled]


def vocabulary(dictionary: Dictionary) -> list[str]:
    """The model's terms by id: ``vocabulary(dictionary)[i]`` is the term of id ``i``, the list
    every table's and measure's words are read from."""
    return [dictionary[i] for i in range(len(dictionary))]


class ParagraphKeys:
    """The key of each modelled paragraph, ``(doc_id, position, n_tokens)``, held as arrays and a
    list of the reports' ids (as a list of tuples, 1.4 million paragraphs took 300 MB). Iterates
    and indexes as that list of tuples would."""

    BLOCK = 100_000  # keys made into tuples at a time while iterating

    def __init__(self, doc_ids: list[str], report: np.ndarray, position: np.ndarray, n_tokens: np.ndarray):
        self.doc_ids, self.report, self.position, self.n_tokens = doc_ids, report, position, n_tokens

    def __len__(self) -> int:
        return len(self.report)

    def __getitem__(self, i: int) -> tuple[str, int, int]:
        return self.doc_ids[self.report[i]], int(self.position[i]), int(self.n_tokens[i])

    def __iter__(self) -> Iterator[tuple[str, int, int]]:
        for first in range(0, len(self), self.BLOCK):
            last = first + self.BLOCK
            yield from zip(map(self.doc_ids.__getitem__, self.report[first:last].tolist()),
                           self.position[first:last].tolist(), self.n_tokens[first:last].tolist())


class CountedParagraphs(NamedTuple):
    """Consecutive paragraphs counted on their own (:func:`count_paragraphs`): their reports (in
    order, each once), each paragraph's report (an index into them) and position, and their
    :class:`CountedBlock`."""

    reports: list[str]
    report: np.ndarray
    position: np.ndarray
    block: CountedBlock


def count_paragraphs(rows: Iterable[tuple[str, int, list[str]]], max_tokens: int | None = None) -> CountedParagraphs:
    """``(doc_id, position, tokens)`` rows counted (all of them, or until ``max_tokens`` tokens)."""
    reports: list[str] = []
    report, position = array("i"), array("i")

    def tokens() -> Iterator[list[str]]:
        for doc_id, at, row_tokens in rows:
            if not reports or doc_id != reports[-1]:  # a report's paragraphs come together
                reports.append(doc_id)
            report.append(len(reports) - 1)
            position.append(at)
            yield row_tokens

    block = count_block(tokens(), max_tokens)
    return CountedParagraphs(reports, np.frombuffer(report, dtype=np.int32), np.frombuffer(position, dtype=np.int32),
                             block)


def model_corpus(rows: Iterable[tuple[str, int, list[str]]], params: LdaParams, block_tokens: int = 2_000_000):
    """:func:`model_corpus_of` ``(doc_id, position, tokens)`` rows, counted here in blocks of
    about ``block_tokens`` tokens."""
    rows = iter(rows)

    def blocks() -> Iterator[CountedParagraphs]:
        while len((counted := count_paragraphs(rows, block_tokens)).report):  # until none are left
            yield counted

    return model_corpus_of(blocks(), params)


def model_corpus_of(blocks: Iterable[CountedParagraphs], params: LdaParams):
    """What the model is trained on, from consecutive blocks of counted paragraphs (counted in
    worker processes, say): the gensim Dictionary, the :class:`BowCorpus` of the paragraphs with
    at least ``min_tokens`` tokens in it, and their :class:`ParagraphKeys`."""
    doc_ids: list[str] = []
    report, position = [], []  # each block's paragraphs' reports (indices into doc_ids) and positions

    def counts_of(blocks: Iterable[CountedParagraphs]) -> Iterator[CountedBlock]:
        for paragraphs in blocks:
            # A report cut between two blocks is one report.
            joined = bool(doc_ids) and bool(paragraphs.reports) and paragraphs.reports[0] == doc_ids[-1]
            report.append(paragraphs.report + (len(doc_ids) - joined))
            position.append(paragraphs.position)
            doc_ids.extend(paragraphs.reports[joined:])
            yield paragraphs.block

    types, counts = merge_blocks(counts_of(blocks))
    dictionary, kept = filtered_vocabulary(types, counts, params)
    del types  # every type's string: not needed while selecting
    release_freed_memory()  # the per-term sums' temporaries, before the selection doubles the matrix
    matrix, modelled, lengths = selected_counts(counts, kept, params.min_tokens)
    del counts
    release_freed_memory()  # held through training otherwise
    report_all = np.concatenate(report) if report else np.zeros(0, np.int32)
    position_all = np.concatenate(position) if position else np.zeros(0, np.int32)
    keys = ParagraphKeys(doc_ids, report_all[modelled], position_all[modelled], lengths)
    return dictionary, BowCorpus(matrix), keys
