"""TF-IDF keywords: the terms most distinctive of each report against the others.

Two kinds of token are never a report's keyword, by rule: the report's own place names and
their fragments (岭北镇, 岭北, 北镇: every report names its own place, so they top its
TF-IDF and say nothing), and count fragments that jieba cuts out of numbers (一号, 余人次, 三年).
"""
from __future__ import annotations

import re
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from ..params import TfidfParams

# Numerals (optionally then 余 or 多), or a bare 余, followed only by measure words: what jieba
# leaves of "3000余人次" (余人次) or "一号文件" (一号). 多元, 一站式, 三项制度 are not.
COUNT_FRAGMENT = re.compile(r"^(?:[零〇一二三四五六七八九十百千万亿两]+[余多]?|余)"
                            r"[个件次人项条号年月日天家所名位期批轮场篇份元户座处套台辆本册张]+$")


def place_fragments(places: Sequence[str]) -> set[str]:
    """The place names and every prefix and suffix of two or more characters (遂溪县 -> 遂溪, 溪县)."""
    fragments = set()
    for place in places:
        for i in range(len(place) - 1):
            fragments.add(place[i:])
            fragments.add(place[:len(place) - i])
    return fragments


def is_keyword(term: str, own_places: set[str]) -> bool:
    """False for a report's own place names and their fragments, and for count fragments."""
    return term not in own_places and not COUNT_FRAGMENT.match(term)


def top_terms(
    documents: Iterable[list[str]],
    top_n: int = TfidfParams.top_n,
    excluded: Callable[[int], set[str]] | None = None,
    sublinear_tf: bool = True,
) -> Iterator[list[tuple[str, float]]]:
    """For each document (its tokens), its ``top_n`` terms by TF-IDF (scikit-learn's: smoothed
    idf, rows L2-normalised), best first, skipping the terms :func:`is_keyword` rejects
    (``excluded(i)``: document i's place fragments, asked for once every document has been read).

    Ties are broken by the term itself so the ranking is reproducible.
    """
    from .corpus import count_tokens, term_totals

    types, counts = count_tokens(documents)
    if not types:  # every token was a stopword: no report has a keyword
        yield from ([] for _ in range(counts.shape[0]))
        return
    # scikit-learn's TfidfTransformer, one row at a time: its whole-matrix float copies were 2.5 GB
    # at a gigabyte of text, three times the counts. Smoothed idf, as if one more document held
    # every term once.
    documents_with = term_totals(counts.indices, None, len(types))
    idf = np.log((counts.shape[0] + 1) / (documents_with + 1.0)) + 1.0
    terms = np.array(types, dtype=object)  # object, not fixed-width: one very long token stays one
    # Ties by the term: its rank in term order, an integer sort key.
    term_rank = np.empty(len(terms), dtype=np.int64)
    term_rank[np.argsort(terms, kind="stable")] = np.arange(len(terms))
    for row in range(counts.shape[0]):
        start, end = counts.indptr[row], counts.indptr[row + 1]
        indices, tf = counts.indices[start:end], counts.data[start:end].astype(np.float64)
        scores = (np.log(tf) + 1.0 if sublinear_tf else tf) * idf[indices]
        norm = np.sqrt(np.dot(scores, scores))
        scores = scores / norm if norm > 0 else scores
        places = excluded(row) if excluded is not None else set()
        kept: list[tuple[str, float]] = []
        for i in np.lexsort((term_rank[indices], -scores)):
            if len(kept) == top_n:
                break
            term = terms[indices[i]]
            if is_keyword(term, places):
                kept.append((term, float(scores[i])))
        yield kept
