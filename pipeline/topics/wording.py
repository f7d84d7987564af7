"""What a group of texts is said with, against the rest: weighted log-odds with an informative
Dirichlet prior (Monroe, Colaresi and Quinn 2008, "Fightin' Words"), and what it serves here:
the terms that distinguish a theme's paragraphs, the terms whose share of reports rose, and the
words spread evenly over every topic (stopword candidates).

The prior is the pooled counts of both groups (as R's tidylo does), so a term's z-score grows
with the evidence for it and a rare term cannot top the list on one or two occurrences.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from typing import Iterable, Mapping, NamedTuple, Sequence

import numpy as np

from ..text.places import PLACE_LEVELS


class LogOdds(NamedTuple):
    """One term's weighted log-odds of group A against group B."""

    term: str
    count_a: int
    count_b: int
    delta: float  # log-odds ratio, A against B, smoothed by the prior
    z: float  # delta over its standard error


def log_odds(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per term, the weighted log-odds of group A against group B and its z-score.

    With ``y`` a term's counts (``a``, ``b``: one entry per term, every term in at least one
    group), ``n`` the groups' totals and the prior ``alpha = y_a + y_b`` (``alpha0 = n_a + n_b``):

        delta = log((y_a + alpha) / (n_a + alpha0 - y_a - alpha)) - log((y_b + alpha) / (n_b + alpha0 - y_b - alpha))
        z = delta / sqrt(1 / (y_a + alpha) + 1 / (y_b + alpha))
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    alpha = a + b
    alpha0, n_a, n_b = alpha.sum(), a.sum(), b.sum()
    delta = (np.log((a + alpha) / (n_a + alpha0 - a - alpha)) - np.log((b + alpha) / (n_b + alpha0 - b - alpha)))
    return delta, delta / np.sqrt(1 / (a + alpha) + 1 / (b + alpha))


def ranked_log_odds(terms: np.ndarray, a: np.ndarray, b: np.ndarray, top: int | None = None,
                    min_count: int = 1) -> list[LogOdds]:
    """The terms that distinguish group A from group B: those more frequent in A than the prior
    expects (z > 0, :func:`log_odds`) and occurring at least ``min_count`` times in A, highest z
    first (ties by term, so the order is reproducible), at most ``top`` of them. ``terms`` is an
    object array of str aligned with the counts ``a`` and ``b``. Only the candidates are sorted:
    a period's vocabulary runs to millions of terms."""
    if top is not None and top <= 0:
        return []
    delta, z = log_odds(a, b)
    candidates = np.flatnonzero((z > 0) & (np.asarray(a) >= min_count))
    if top is not None and len(candidates) > top:
        # Every candidate at least as high as the top-th: ties at the cut are then ordered by term.
        cut = np.partition(z[candidates], len(candidates) - top)[len(candidates) - top]
        candidates = candidates[z[candidates] >= cut]
    order = sorted(candidates.tolist(), key=lambda i: (-z[i], terms[i]))[:top]
    return [LogOdds(terms[i], int(a[i]), int(b[i]), float(delta[i]), float(z[i])) for i in order]


EARLIEST_YEAR = 1900  # the open early period is labelled from here ("1900-1999")


def period_of(year: int, width: int, first: int) -> str:
    """"2020-2024": the ``width``-year period a year falls in, periods starting at ``first`` (and
    every ``width`` years from it); "1900-1999" for the years before ``first``."""
    if year < first:
        return f"{EARLIEST_YEAR}-{first - 1}"
    start = first + (year - first) // width * width
    return f"{start}-{start + width - 1}"


def period_start(period: str) -> int:
    """The first year of a period (for sorting)."""
    return int(period.split("-")[0])


_PLACE_SUFFIX = re.compile(r"(?:自治区|自治州|自治县|自治旗|特别行政区|省|市|县|区|地区|盟|旗|镇|乡|街道)$")
# The peoples named in autonomous places (黔东南苗族侗族自治州 -> 黔东南), longest first.
_PEOPLES = sorted("蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 "
                  "景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 "
                  "保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺".split(), key=len, reverse=True)
_PEOPLE_SUFFIX = re.compile("(?:" + "|".join(_PEOPLES) + ")族?$")


def _short_place(name: str) -> str:
    """广西壮族自治区 -> 广西, 黔东南苗族侗族自治州 -> 黔东南, 遂溪县 -> 遂溪."""
    short = _PLACE_SUFFIX.sub("", name)
    if name.endswith(("自治区", "自治州", "自治县", "自治旗")):
        while (stripped := _PEOPLE_SUFFIX.sub("", short)) != short and len(stripped) >= 2:
            short = stripped
    return short


def corpus_places(documents: Iterable[Mapping[str, str]], divisions: Iterable[tuple[str, str]]) -> frozenset[str]:
    """The place names no term list shows: every division's full name (``divisions``: (code,
    name) pairs), but short forms only of the corpus's own places (``documents``' place levels):
    the short forms of 6,800 divisions include words such as 振兴, 平安 and 光明."""
    return frozenset(n for _, n in divisions) | place_words(
        {d[level] for d in documents for level in PLACE_LEVELS})


def place_words(names: Iterable[str]) -> frozenset[str]:
    """Place names as they appear among tokens: each full name (东莞市, 遂溪县) and its short form
    without the level (东莞, 遂溪; 广西 from 广西壮族自治区) where two characters or more remain."""
    words = set()
    for name in names:
        if not name:
            continue
        words.add(name)
        short = _short_place(name)
        if len(short) >= 2:
            words.add(short)
    return frozenset(words)


_NOT_A_TERM = re.compile(r"\d|^[A-Za-z]{1,2}$")


def is_term(token: str, excluded: frozenset[str]) -> bool:
    """A token worth listing as a term: two characters or more, no digit (years, amounts), not a
    place name or otherwise ``excluded`` (a theme's own words)."""
    return len(token) >= 2 and not _NOT_A_TERM.search(token) and token not in excluded


def normalized_entropy(weights: np.ndarray) -> np.ndarray:
    """Per row, the entropy of the row's distribution over its columns, over log(columns): 1 for
    a word spread evenly over every topic, 0 for a word of one topic alone."""
    p = weights / np.maximum(weights.sum(axis=1, keepdims=True), np.finfo(float).tiny)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.where(p > 0, p * np.log(p), 0.0).sum(axis=1)
    return h / math.log(weights.shape[1]) if weights.shape[1] > 1 else np.zeros(len(weights))


class PhraseJoiner:
    """Joins the token runs of known multiword terms into one token (新质 生产力 -> 新质生产力),
    longest first, so that a policy phrase is counted as one term and not as its fragments. A
    phrase is given as the tokens to match and the term they stand for: its parts that are model
    tokens, and all its parts joined (渐进式 延迟 退休年龄 -> 渐进式延迟法定退休年龄, 法定 being a
    stopword the model's tokens no longer hold)."""

    def __init__(self, phrases: Iterable[tuple[Sequence[str], str]]):
        # By their first two tokens: a paragraph's candidate positions are found in one pass over
        # its token pairs, not by trying every phrase that starts with a common word (行政, 依法).
        self.by_pair: dict[tuple[str, str], list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for parts, term in phrases:
            if len(parts) >= 2:
                self.by_pair[(parts[0], parts[1])].append((tuple(parts), term))
        for candidates in self.by_pair.values():
            candidates.sort(key=lambda candidate: (-len(candidate[0]), candidate))

    def __call__(self, tokens: Sequence[str]) -> list[str]:
        starts = [i for i, pair in enumerate(zip(tokens, tokens[1:])) if pair in self.by_pair]
        joined, done = [], 0  # tokens before ``done`` are in ``joined``
        for i in starts:
            if i < done:  # inside a phrase joined already
                continue
            for parts, term in self.by_pair[(tokens[i], tokens[i + 1])]:
                if tuple(tokens[i:i + len(parts)]) == parts:
                    joined.extend(tokens[done:i])
                    joined.append(term)
                    done = i + len(parts)
                    break
        joined.extend(tokens[done:])
        return joined
