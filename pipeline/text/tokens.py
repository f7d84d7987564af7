"""Tokens: segmentation as jieba cuts (by default sped up by jieba-next where it is installed)
with the domain dictionary, and the filters applied after it.

Segmentation (:class:`Segmenter`) keeps every token but punctuation and white space, so that
its output can be cached and re-filtered cheaply: only a dictionary edit redoes it. The
filters (:func:`token_filter`) drop stopwords, numbers and short tokens.
"""
from __future__ import annotations

import functools
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..files import PipelineError, read_word_list
from ..parallel import chunks, ordered_map
from ..params import FilterParams, SegmentParams
from .chars import WORD_CHAR

# A domain term with no frequency of its own gets this one: high enough that jieba keeps it
# whole even where a neighbouring split scores well (化解矛盾/纠纷 vs 化解/矛盾纠纷).
DEFAULT_TERM_FREQUENCY = 200_000
_NUMERALS = re.compile(r"^[零〇一二三四五六七八九十百千万亿两]+$")
_HAS_DIGIT = re.compile(r"\d")
_ANY_ALNUM = re.compile(r"[^\W_]")


Cut = Callable[[str], Iterable[str]]  # a segmenter: text -> its tokens
DomainTerms = list[tuple[str, int]]  # (term, frequency), as jieba's add_word takes them


def load_domain_terms(paths: Iterable[str | Path]) -> DomainTerms:
    """Read domain dictionaries: one term per line, optionally followed by a frequency."""
    terms = []
    for path in paths:
        for entry in read_word_list(path):
            parts = entry.split()
            frequency = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else DEFAULT_TERM_FREQUENCY
            terms.append((parts[0], frequency))
    return terms


def _tokenizer(module: str, domain_terms: DomainTerms):
    """A ``Tokenizer`` of jieba or a fork with its API, of its own (this process's), with jieba's
    dictionary loaded and the domain terms added at their frequencies."""
    import importlib
    import logging

    package = importlib.import_module(module)
    logging.getLogger(module).setLevel(logging.WARNING)  # no "Building prefix dict" on stderr
    tokenizer = package.Tokenizer()
    tokenizer.initialize()
    for term, frequency in domain_terms:
        tokenizer.add_word(term, frequency)
    return tokenizer


def _jieba_like(module: str) -> Callable[[DomainTerms], Cut]:
    """A factory for jieba or a fork with its API (``Tokenizer``, ``add_word``, ``cut(HMM=)``)."""

    def build(domain_terms: DomainTerms) -> Cut:
        tokenizer = _tokenizer(module, domain_terms)
        return lambda text: tokenizer.cut(text, HMM=True)

    return build


def _rjieba(domain_terms: DomainTerms) -> Cut:
    import rjieba

    tokenizer = rjieba.Jieba()
    for term, frequency in domain_terms:
        tokenizer.add_word(term, frequency, None)
    return lambda text: tokenizer.cut(text, True)


@functools.lru_cache(maxsize=1)
def _not_a_word_to_jieba_hmm() -> re.Pattern:
    """A hanzi of jieba's range that jieba's HMM (its new-word finder) gives no probability as a
    word of one character. Where every hanzi has one, cutting all of them apart is a path of
    finite probability, so the best path never involves the floor probability at which
    implementations can differ."""
    import jieba.finalseg

    single = jieba.finalseg.emit_P["S"]
    # jieba's own range of hanzi (its re_han_default: U+4E00 to U+9FD5), not text/chars.HAN
    return re.compile("[" + "".join(c for c in map(chr, range(0x4E00, 0x9FD6)) if c not in single) + "]")


def _jieba_next(domain_terms: DomainTerms) -> Cut:
    """jieba's cut with jieba_next (a fork of jieba with its dictionary and code, the inner loops
    in Rust: about 3x faster) doing the work, on every paragraph of ../shared/corpora as jieba
    0.42 does (make bench-segmenters). Two differences are removed:

    - jieba 0.42 keeps ``-`` inside a run of text (新大-龙岐湾: its HMM makes 新大 a word); the
      fork, from jieba 0.39, cuts the text there. Text is split into runs here with jieba's
      own patterns, as jieba's ``cut`` does, and only the runs go to the fork (its
      ``_cut_dag``: the dictionary and HMM cut of one run), so the fork's module constants
      are left as they are, for any other user of it in the process.
    - On a hanzi its HMM has no probability for as a word of its own (衞, 擧, 坣, 犇: variants
      OpenCC leaves, rare names; 0.05% of the city corpus's paragraphs), jieba's Viterbi ties
      at its floor probability and the fork breaks the tie another way. A paragraph with one is
      cut by jieba itself.
    """
    import jieba

    run_pattern, skip_pattern = jieba.re_han_default, jieba.re_skip_default
    cut_run = _tokenizer("jieba_next", domain_terms)._cut_dag
    tie_prone = _not_a_word_to_jieba_hmm()
    reference: list[Cut] = []  # built on first need: most corpora never need it

    def fast(text: str) -> Iterator[str]:  # jieba.Tokenizer.cut(text, HMM=True), line for line
        for block in run_pattern.split(text):
            if not block:
                continue
            if run_pattern.match(block):
                yield from cut_run(block)
            else:
                for piece in skip_pattern.split(block):
                    if skip_pattern.match(piece):
                        yield piece
                    else:
                        yield from piece

    def cut(text: str) -> Iterable[str]:
        if tie_prone.search(text) is None:
            return fast(text)
        if not reference:
            reference.append(_jieba_like("jieba")(domain_terms))
        return reference[0](text)

    return cut


# SEGMENTER= choices: name -> (the PyPI package that provides it, a factory of its cut function).
# jieba is the reference, and the only one the project needs. The default, jieba_next, is jieba's
# tokens cut by jieba-next where that is installed (pyproject.toml's extra "fast") and loads, by
# jieba itself otherwise (see check_segmenter): the same tokens either way. The others are opt-in
# (pyproject.toml: one extra each, installed by make on first use), each with jieba's dictionary
# and word frequencies, cutting some paragraphs otherwise. All are measured against jieba by
# `make bench-segmenters`.
SEGMENTERS: dict[str, tuple[str, Callable[[DomainTerms], Cut]]] = {
    "jieba": ("jieba", _jieba_like("jieba")),
    "jieba_fast": ("jieba-fast", _jieba_like("jieba_fast")),
    "jieba_next": ("jieba-next", _jieba_next),
    "rjieba": ("rjieba", _rjieba),
}
REFERENCE_SEGMENTER = "jieba"
ACCELERATED_SEGMENTER = "jieba_next"  # jieba's tokens, by jieba-next where it loads, else by jieba
# The release of jieba-next checked to cut as jieba does (make bench-segmenters): pinned by the
# extra ACCELERATOR_EXTRA of pyproject.toml; another release is not used.
ACCELERATOR_RELEASE = "1.0.0rc1"
ACCELERATOR_EXTRA = "fast"
OPT_IN_SEGMENTERS = tuple(s for s in SEGMENTERS
                          if s not in (REFERENCE_SEGMENTER, ACCELERATED_SEGMENTER, SegmentParams.segmenter))


@functools.lru_cache(maxsize=1)
def accelerator_problem() -> str:
    """Why jieba-next cannot cut for the default segmenter in this process ("" if it can): not
    installed, another release than the one checked, or it does not load (its compiled part
    built for another platform, say). Asked once per process."""
    import importlib
    from importlib import metadata

    try:
        importlib.import_module("jieba_next")
        importlib.import_module("jieba_next.tokenizer").Tokenizer._cut_dag  # what _jieba_next uses
    except ModuleNotFoundError as err:
        if err.name == "jieba_next":
            return "jieba-next not installed"
        return f"jieba-next does not load ({err})"
    except Exception as err:  # noqa: BLE001 - whatever its import raises, jieba cuts instead
        return f"jieba-next does not load ({type(err).__name__}: {err})"
    try:
        release = metadata.version("jieba-next")
    except metadata.PackageNotFoundError:
        release = "of unknown release"
    if release != ACCELERATOR_RELEASE:
        return f"jieba-next {release} is installed, not {ACCELERATOR_RELEASE} (the release checked to cut as jieba does)"
    return ""


@functools.lru_cache(maxsize=None)
def _say_once(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def check_segmenter(segmenter: str) -> str:
    """The segmenter that cuts for ``segmenter`` in this process: itself, or jieba for the
    default where jieba-next is not installed or does not load (the same tokens, slower: said
    once, in one line on stderr). A clear error for an unknown segmenter, or an opt-in one that
    is not installed or does not load."""
    import importlib

    if segmenter not in SEGMENTERS:
        raise PipelineError(f"unknown segmenter {segmenter!r}: one of {', '.join(SEGMENTERS)}")
    if segmenter == ACCELERATED_SEGMENTER:
        problem = accelerator_problem()
        if problem:
            _say_once(f"segment: {problem}; segmenting with jieba (same tokens, slower). "
                      f"pip install '.[{ACCELERATOR_EXTRA}]' to speed it up")
            return REFERENCE_SEGMENTER
        return segmenter
    try:
        importlib.import_module(segmenter)
    except ImportError as err:
        raise PipelineError(f"segmenter {segmenter} is not installed or does not load ({err}): "
                            f"`make topics SEGMENTER={segmenter}` installs it, or pip install "
                            f"{SEGMENTERS[segmenter][0]}") from None
    return segmenter


def make_tokenizer(domain_terms: DomainTerms, segmenter: str = SegmentParams.segmenter) -> Cut:
    """A cut function of its own (its own dictionary state) with the domain terms added: jieba's
    default accurate mode with HMM for new words, or the same from another ``segmenter``."""
    return SEGMENTERS[check_segmenter(segmenter)][1](domain_terms)


def segment_text(cut: Cut, text: str) -> list[str]:
    """The tokens of ``text`` with a letter, digit or hanzi.

    White space and punctuation are dropped here, once: no filter setting keeps them, and a
    smaller cache makes every stopword rerun faster. (``str.isalnum`` is the fast path; the
    regex only sees the rare mixed token such as 互联网+.)
    """
    return [token for token in cut(text) if token.isalnum() or _ANY_ALNUM.search(token)]


class Segmenter:
    """A picklable task for :func:`parallel.ordered_map`: a batch of texts -> their tokens joined
    by single spaces. Each process builds its own tokenizer, with the domain dictionary loaded,
    on its first batch (segmenter state is per process)."""

    def __init__(self, domain_terms: DomainTerms, segmenter: str = SegmentParams.segmenter):
        self.domain_terms = domain_terms
        self.segmenter = segmenter
        self._cut = None

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_cut": None}

    def __call__(self, texts: list[str]) -> list[str]:
        if self._cut is None:
            self._cut = make_tokenizer(self.domain_terms, self.segmenter)
        return [" ".join(segment_text(self._cut, text)) for text in texts]


def segment_paragraphs(texts: Iterable[str], domain_terms: DomainTerms, jobs: int = 1,
                       batch_size: int = 256, segmenter: str = SegmentParams.segmenter) -> Iterator[str]:
    """Segment each text in ``jobs`` processes; yield its tokens joined by single spaces, in
    input order (so the output does not depend on ``jobs``)."""
    # Decided here, once: every worker cuts with the same one, and the note is said once.
    batches = ordered_map(Segmenter(domain_terms, check_segmenter(segmenter)), chunks(texts, batch_size), jobs)
    return (segmented for batch in batches for segmented in batch)


def keep_token(token: str, stopwords: set[str] | frozenset[str], min_chars: int = FilterParams.min_chars,
                keep_numbers: bool = FilterParams.keep_numbers) -> bool:
    """False for stopwords, punctuation, numbers (unless ``keep_numbers``) and short tokens."""
    return not (
        token in stopwords
        or len(token) < min_chars
        or not (WORD_CHAR.search(token) or (keep_numbers and _HAS_DIGIT.search(token)))
        or (not keep_numbers and (_HAS_DIGIT.search(token) or _NUMERALS.match(token)))
    )


def token_filter(stopwords: set[str] | frozenset[str], min_chars: int = FilterParams.min_chars,
                keep_numbers: bool = FilterParams.keep_numbers) -> Callable[[list[str]], list[str]]:
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


class TokenTableFilter:
    """A picklable task for the filter stage: a list of token-table lines (``doc_id<TAB>position
    <TAB>tokens``, every line of a report in the same list) -> ``(lines, token counts, report
    counts, tokens kept)``, the lines as they are with only the kept tokens. A report counts
    once per token type it keeps."""

    def __init__(self, stopwords: frozenset[str], min_chars: int = FilterParams.min_chars,
                 keep_numbers: bool = FilterParams.keep_numbers):
        self.stopwords, self.min_chars, self.keep_numbers = stopwords, min_chars, keep_numbers
        self._keep: Callable[[list[str]], list[str]] | None = None

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_keep": None}  # a closure: rebuilt in each process

    def __call__(self, lines: list[str]) -> tuple[str, Counter, Counter, int]:
        if self._keep is None:  # decisions are memoised per process (see token_filter)
            self._keep = token_filter(self.stopwords, self.min_chars, self.keep_numbers)
        kept_lines, counts, report_counts, n_tokens = [], Counter(), Counter(), 0
        seen_in_report: set[str] = set()
        current = None
        # Lines are handled as text: the doc_id<TAB>position prefix is copied, never parsed.
        for line in lines:
            prefix, _, text = line.rstrip("\n").rpartition("\t")
            kept = self._keep(text.split())
            kept_lines.append(f"{prefix}\t{' '.join(kept)}\n")
            counts.update(kept)
            doc_id = prefix.partition("\t")[0]
            if doc_id != current:
                report_counts.update(seen_in_report)
                seen_in_report, current = set(), doc_id
            seen_in_report.update(kept)
            n_tokens += len(kept)
        report_counts.update(seen_in_report)
        return "".join(kept_lines), counts, report_counts, n_tokens


# Paragraphs per task of the stages that read the token tables in worker processes (whole reports):
# large enough that merging the tasks' counts is cheap.
CHUNK_LINES = 5000


def report_chunks(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    """Consecutive lists of about ``size`` token-table lines, cut only where the report changes."""
    chunk: list[str] = []
    last = None
    for line in lines:
        doc_id = line.partition("\t")[0]
        if len(chunk) >= size and doc_id != last:
            yield chunk
            chunk = []
        chunk.append(line)
        last = doc_id
    if chunk:
        yield chunk


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
