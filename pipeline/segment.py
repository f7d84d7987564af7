"""Stage 2, segment: paragraphs -> tokens, in two steps so stopword edits are cheap.

1. :func:`segment_paragraphs` runs jieba with the domain dictionary. Its output (every token
   but white space) is cached in ``segment/segmented.tsv``; only a dictionary edit redoes it.
2. :func:`filter_tokens` applies the stopword lists and the punctuation/number/length rules to
   the cache and writes ``segment/tokens.tsv``, the input of every later stage.

Both TSV files have one line per paragraph: ``doc_id<TAB>position<TAB>space-separated tokens``.
"""
from __future__ import annotations

import multiprocessing
import os
import re
import signal
from collections import Counter, deque
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .files import PipelineError, atomic_open, read_csv, read_word_list, write_csv

# A domain term with no frequency of its own gets this one: high enough that jieba keeps it
# whole even where a neighbouring split scores well (化解矛盾/纠纷 vs 化解/矛盾纠纷).
DEFAULT_TERM_FREQUENCY = 200_000
_NUMERALS = re.compile(r"^[零〇一二三四五六七八九十百千万亿两]+$")
_HAS_WORD_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_HAS_DIGIT = re.compile(r"\d")
_ANY_ALNUM = re.compile(r"[^\W_]")


def load_domain_terms(paths: Iterable[str | Path]) -> list[tuple[str, int]]:
    """Read domain dictionaries: one term per line, optionally followed by a frequency."""
    terms = []
    for path in paths:
        for entry in read_word_list(path):
            parts = entry.split()
            frequency = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else DEFAULT_TERM_FREQUENCY
            terms.append((parts[0], frequency))
    return terms


def make_tokenizer(domain_terms: list[tuple[str, int]]):
    """A jieba tokenizer of its own (no global state) with the domain terms added."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for term, frequency in domain_terms:
        tokenizer.add_word(term, frequency)
    return tokenizer


def segment_text(tokenizer, text: str) -> list[str]:
    """jieba's default accurate mode, keeping only tokens with a letter, digit or hanzi.

    White space and punctuation are dropped here, once: no filter setting keeps them, and a
    smaller cache makes every stopword rerun faster. (``str.isalnum`` is the fast path; the
    regex only sees the rare mixed token such as 互联网+.)
    """
    return [token for token in tokenizer.cut(text, HMM=True) if token.isalnum() or _ANY_ALNUM.search(token)]


# Each worker process builds its own tokenizer once; jieba state is per process.
_WORKER_TOKENIZER = None


def _init_worker(domain_terms: list[tuple[str, int]]) -> None:
    global _WORKER_TOKENIZER
    _WORKER_TOKENIZER = make_tokenizer(domain_terms)


def _init_pool_worker(domain_terms: list[tuple[str, int]]) -> None:
    # Ctrl-C reaches the whole process group; the parent handles it and stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _init_worker(domain_terms)


def _segment_batch(texts: list[str]) -> list[str]:
    return [" ".join(segment_text(_WORKER_TOKENIZER, text)) for text in texts]


def _batches(items: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def segment_paragraphs(
    texts: Iterable[str],
    domain_terms: list[tuple[str, int]],
    jobs: int = 1,
    batch_size: int = 256,
) -> Iterator[str]:
    """Segment each text; yield its tokens joined by single spaces, in input order.

    With ``jobs > 1`` a process pool does the work; every worker loads the domain dictionary
    before segmenting anything, and results come back in order, so output does not depend on
    ``jobs``.
    """
    if jobs <= 1:
        _init_worker(domain_terms)
        for batch in _batches(texts, batch_size):
            yield from _segment_batch(batch)
        return
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with context.Pool(jobs, initializer=_init_pool_worker, initargs=(domain_terms,)) as pool:
        # Pool.imap would read the whole input ahead into its task queue; a bounded window of
        # batches in flight keeps memory flat however large the corpus.
        in_flight: deque = deque()
        for batch in _batches(texts, batch_size):
            in_flight.append(pool.apply_async(_segment_batch, (batch,)))
            if len(in_flight) >= 4 * jobs:
                yield from in_flight.popleft().get()
        while in_flight:
            yield from in_flight.popleft().get()


def keep_token(token: str, stopwords: set[str] | frozenset[str], min_chars: int = 2, keep_numbers: bool = False) -> bool:
    """False for stopwords, punctuation, numbers (unless ``keep_numbers``) and short tokens."""
    return not (
        token in stopwords
        or len(token) < min_chars
        or not (_HAS_WORD_CHAR.search(token) or (keep_numbers and _HAS_DIGIT.search(token)))
        or (not keep_numbers and (_HAS_DIGIT.search(token) or _NUMERALS.match(token)))
    )


def token_filter(stopwords: set[str] | frozenset[str], min_chars: int = 2, keep_numbers: bool = False) -> Callable[[list[str]], list[str]]:
    """A filter over token lists that decides each distinct token once.

    A corpus has millions of tokens but only a vocabulary's worth of distinct ones, so
    memoising the decision makes re-filtering after a stopword edit a dictionary lookup per
    token.
    """
    decisions: dict[str, bool] = {}

    def apply(tokens: list[str]) -> list[str]:
        try:
            return [token for token in tokens if decisions[token]]
        except KeyError:  # a token not seen before: decide the new ones, then filter
            for token in tokens:
                if token not in decisions:
                    decisions[token] = keep_token(token, stopwords, min_chars, keep_numbers)
            return [token for token in tokens if decisions[token]]

    return apply


def filter_tokens(tokens: Iterable[str], stopwords: set[str] | frozenset[str], min_chars: int = 2, keep_numbers: bool = False) -> list[str]:
    """Drop stopwords, punctuation, numbers (unless ``keep_numbers``) and short tokens."""
    return [token for token in tokens if keep_token(token, stopwords, min_chars, keep_numbers)]


def read_stopwords(paths: Iterable[str | Path]) -> set[str]:
    """The union of stopword lists: files, or folders whose every ``*.txt`` applies."""
    words: set[str] = set()
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files = sorted(path.glob("*.txt"))
            if not files:
                raise PipelineError(f"{path}: no stopword lists (*.txt) in this folder")
        elif path.exists():
            files = [path]
        else:
            raise PipelineError(f"{path}: stopword file not found")
        for file in files:
            words.update(read_word_list(file))
    return words


def read_token_table(path: str | Path) -> Iterator[tuple[str, int, list[str]]]:
    """Stream ``(doc_id, position, tokens)`` from a segmented.tsv or tokens.tsv file."""
    path = Path(path)
    if not path.is_file():
        raise PipelineError(f"{path}: not found; run the previous stage first")
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            doc_id, position, tokens = line.rstrip("\n").split("\t")
            yield doc_id, int(position), tokens.split()


# ---------------------------------------------------------------------------------------------
# I/O shell
# ---------------------------------------------------------------------------------------------


def run_segment(output_dir: str | Path, dictionary_paths: list[str | Path], jobs: int, log=print) -> int:
    """paragraphs.csv -> segment/segmented.tsv (the raw segmentation cache)."""
    from tqdm import tqdm

    out = Path(output_dir)
    paragraphs_path = out / "clean" / "paragraphs.csv"
    if not paragraphs_path.is_file():
        raise PipelineError(f"{paragraphs_path}: not found; run the clean stage first")
    domain_terms = load_domain_terms(dictionary_paths)
    total_chars = _total_chars(out / "clean" / "documents.csv")
    # Texts are read in this process, just ahead of the workers, and come back in order, so
    # their keys wait in a queue no longer than the batches in flight.
    keys: deque[tuple[str, str]] = deque()

    def texts() -> Iterator[str]:
        for row in read_csv(paragraphs_path):
            keys.append((row["doc_id"], row["position"]))
            yield row["text"]

    count = 0
    with atomic_open(out / "segment" / "segmented.tsv") as handle, \
            tqdm(total=total_chars, desc=f"segment ({jobs} jobs)", unit="char", unit_scale=True, disable=None) as bar:
        for segmented in segment_paragraphs(texts(), domain_terms, jobs):
            doc_id, position = keys.popleft()
            handle.write(f"{doc_id}\t{position}\t{segmented}\n")
            bar.update(len(segmented) - segmented.count(" "))
            count += 1
    log(f"segment: {count} paragraphs segmented with {len(domain_terms)} domain terms, {jobs} jobs")
    return count


def _total_chars(documents_path: Path) -> int:
    return sum(int(row["n_chars"]) for row in read_csv(documents_path))


def run_filter(
    output_dir: str | Path,
    stopword_paths: list[str | Path],
    min_chars: int = 2,
    keep_numbers: bool = False,
    log=print,
) -> None:
    """segment/segmented.tsv -> segment/tokens.tsv and segment/vocabulary.csv."""
    from tqdm import tqdm

    out = Path(output_dir) / "segment"
    stopwords = frozenset(read_stopwords(stopword_paths))
    keep = token_filter(stopwords, min_chars, keep_numbers)
    counts: Counter[str] = Counter()
    doc_counts: Counter[str] = Counter()
    n_paragraphs = n_tokens = 0
    seen_in_doc: set[str] = set()
    current_doc = None
    source = out / "segmented.tsv"
    if not source.is_file():
        raise PipelineError(f"{source}: not found; run the segment stage first")
    # Lines are handled as text: the doc_id<TAB>position prefix is copied, never parsed.
    with open(source, encoding="utf-8") as lines, atomic_open(out / "tokens.tsv") as handle:
        for line in tqdm(lines, desc="filter", unit="par", unit_scale=True, disable=None):
            prefix, _, text = line.rstrip("\n").rpartition("\t")
            kept = keep(text.split())
            handle.write(f"{prefix}\t{' '.join(kept)}\n")
            counts.update(kept)
            doc_id = prefix.partition("\t")[0]
            if doc_id != current_doc:
                doc_counts.update(seen_in_doc)
                seen_in_doc, current_doc = set(), doc_id
            seen_in_doc.update(kept)
            n_paragraphs += 1
            n_tokens += len(kept)
        doc_counts.update(seen_in_doc)
        # Written before tokens.tsv is renamed, so tokens.tsv is the last file to land.
        write_csv(out / "vocabulary.csv", ("token", "count", "n_documents"),
                  ((token, count, doc_counts[token]) for token, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))))
    log(f"filter: {n_tokens} tokens kept in {n_paragraphs} paragraphs after {len(stopwords)} stopwords; "
        f"vocabulary in {out / 'vocabulary.csv'}")
