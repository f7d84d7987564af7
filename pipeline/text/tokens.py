"""Tokens: jieba segmentation (or an opt-in faster segmenter) with the domain dictionary, and the
filters applied after it.

Segmentation (:class:`Segmenter`) keeps every token but punctuation and white space, so that
its output can be cached and re-filtered cheaply: only a dictionary edit redoes it. The
filters (:func:`token_filter`) drop stopwords, numbers and short tokens.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..files import PipelineError, read_word_list
from ..parallel import chunks, ordered_map
from ..params import FilterParams, SegmentParams

# A domain term with no frequency of its own gets this one: high enough that jieba keeps it
# whole even where a neighbouring split scores well (化解矛盾/纠纷 vs 化解/矛盾纠纷).
DEFAULT_TERM_FREQUENCY = 200_000
_NUMERALS = re.compile(r"^[零〇一二三四五六七八九十百千万亿两]+$")
_HAS_WORD_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z]")
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


def _jieba_like(module: str) -> Callable[[DomainTerms], Cut]:
    """A factory for jieba or a fork with its API (``Tokenizer``, ``add_word``, ``cut(HMM=)``)."""

    def build(domain_terms: DomainTerms) -> Cut:
        import importlib
        import logging

        package = importlib.import_module(module)
        logging.getLogger(module).setLevel(logging.WARNING)
        tokenizer = package.Tokenizer()
        tokenizer.initialize()
        for term, frequency in domain_terms:
            tokenizer.add_word(term, frequency)
        return lambda text: tokenizer.cut(text, HMM=True)

    return build


def _rjieba(domain_terms: DomainTerms) -> Cut:
    import rjieba

    tokenizer = rjieba.Jieba()
    for term, frequency in domain_terms:
        tokenizer.add_word(term, frequency, None)
    return lambda text: tokenizer.cut(text, True)


# SEGMENTER= choices: name -> (the PyPI package that provides it, a factory of its cut function).
# jieba is the reference; the others are opt-in (pyproject.toml: one extra each, installed by
# make on first use), each with jieba's dictionary and word frequencies, measured against jieba
# by `make bench-segmenters`.
SEGMENTERS: dict[str, tuple[str, Callable[[DomainTerms], Cut]]] = {
    "jieba": ("jieba", _jieba_like("jieba")),
    "jieba_fast": ("jieba-fast", _jieba_like("jieba_fast")),
    "jieba_next": ("jieba-next", _jieba_like("jieba_next")),
    "rjieba": ("rjieba", _rjieba),
}


def check_segmenter(segmenter: str) -> None:
    """A clear error for an unknown segmenter or one that is not installed or does not load."""
    import importlib

    if segmenter not in SEGMENTERS:
        raise PipelineError(f"unknown segmenter {segmenter!r}: one of {', '.join(SEGMENTERS)}")
    try:
        importlib.import_module(segmenter)
    except ImportError as err:
        raise PipelineError(f"segmenter {segmenter} is not installed or does not load ({err}): "
                            f"`make topics SEGMENTER={segmenter}` installs it, or pip install "
                            f"{SEGMENTERS[segmenter][0]}") from None


def make_tokenizer(domain_terms: DomainTerms, segmenter: str = SegmentParams.segmenter) -> Cut:
    """A cut function of its own (no global state) with the domain terms added: jieba's default
    accurate mode with HMM for new words, or the same from another ``segmenter``."""
    check_segmenter(segmenter)
    return SEGMENTERS[segmenter][1](domain_terms)


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
    check_segmenter(segmenter)
    batches = ordered_map(Segmenter(domain_terms, segmenter), chunks(texts, batch_size), jobs)
    return (segmented for batch in batches for segmented in batch)


def keep_token(token: str, stopwords: set[str] | frozenset[str], min_chars: int = FilterParams.min_chars,
                keep_numbers: bool = FilterParams.keep_numbers) -> bool:
    """False for stopwords, punctuation, numbers (unless ``keep_numbers``) and short tokens."""
    return not (
        token in stopwords
        or len(token) < min_chars
        or not (_HAS_WORD_CHAR.search(token) or (keep_numbers and _HAS_DIGIT.search(token)))
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


def filter_tokens(tokens: Iterable[str], stopwords: set[str] | frozenset[str], min_chars: int = FilterParams.min_chars,
                keep_numbers: bool = FilterParams.keep_numbers) -> list[str]:
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
