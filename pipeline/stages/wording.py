"""wording: clean/ + segment/tokens.tsv.gz -> what each theme is said with (themes/theme_terms.csv
and its figure) and the terms that rose (themes/emerging_terms.csv, written last); and
accept-theme, which tracks an emerging term as a theme.

Both rank terms by weighted log-odds (topics/wording.py). Tokens are the model's (after
stopwords), so a stopword edit updates them; a theme's own words, place names and numbers are
never listed. The stage does not read the model, so it runs beside the lda stage."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import groupby, islice
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

import numpy as np

from ..artifacts import (DOCUMENTS, EMERGING_TERMS, MINED_TERMS, PARAGRAPHS, PLOT_THEME_TERMS, THEME_TERMS, TOKENS,
                         VOCABULARY, Run)
from ..figures.bars import plot_theme_terms
from ..files import PipelineError, token_row, unguard
from ..parallel import ordered_map
from ..params import Inputs, WordingParams
from ..text.divisions import load_divisions
from ..text.metadata import plain_year
from ..text.themes import load_themes, theme_matcher, tracked_terms
from ..text.tokens import CHUNK_LINES, report_chunks
from ..topics.terms import ACCEPT_HEADER, append_to_list, check_term, swallowed_terms
from ..topics.wording import LogOdds, PhraseJoiner, corpus_places, is_term, period_of, period_start, ranked_log_odds

ALL_YEARS = "all"  # the period of the terms over every year
FIRST_PERIOD_YEAR = 2000  # periods start here; the years before are one period


def run(run: Run, inputs: Inputs, params: WordingParams) -> None:
    # Each report's period and the corpus's place names, in one pass (the reports' rows are not
    # kept: every worker forked later would hold them too).
    period: dict[str, str] = {}

    def documents() -> Iterator[dict[str, str]]:
        for d in run.rows(DOCUMENTS):
            if y := plain_year(d["year"]):
                period[d["doc_id"]] = period_of(int(y), params.period_years, FIRST_PERIOD_YEAR)
            yield d

    places = corpus_places(documents(), load_divisions(tuple(Path(p) for p in inputs.divisions)))
    themes = load_themes(inputs.themes)

    # Which paragraphs name which theme (by the text, as the themes stage counts them).
    pattern, owner = theme_matcher(themes)
    named: dict[tuple[str, int], set[str]] = {}
    for row in run.rows(PARAGRAPHS):
        if found := {owner[m.group(0)] for m in pattern.finditer(row["text"])}:
            named[(row["doc_id"], int(row["position"]))] = found

    mined = [r["parts"].split() for r in islice(run.rows(MINED_TERMS), params.phrases)]
    # Which of their parts are model tokens: of the vocabulary, only those are kept (at a gigabyte
    # the whole of it is a million strings, held, and copied, by every worker forked after it).
    parts_wanted = {p for parts in mined for p in parts}
    in_vocabulary = {t for r in run.rows(VOCABULARY) if (t := unguard(r["token"])) in parts_wanted}
    join = PhraseJoiner(([p for p in parts if p in in_vocabulary], "".join(parts)) for parts in mined)

    # One pass over the tokens, whole reports at a time in worker processes (a report's
    # paragraphs are consecutive), their counts merged in order.
    counts = WordingCounts()
    task = _CountReports(period, named, join)
    with run.reader(TOKENS) as lines:
        for chunk in ordered_map(task, _checked_reports(report_chunks(lines, CHUNK_LINES), run.path(TOKENS)), run.jobs):
            counts.merge(chunk)
    theme_words = tracked_terms(themes)
    run.write_params(inputs, params)
    terms = TermIndex(counts.period_counts[ALL_YEARS], places)
    terms_by_theme = _write_theme_terms(run, themes, counts, terms, params)
    run.save_figure(PLOT_THEME_TERMS, plot_theme_terms(terms_by_theme, params.top // 2, params.min_paragraphs))
    tracked = [w for w in terms.terms if any(t in w for t in theme_words)]  # 放管服改革 too
    _write_emerging_terms(run, counts.term_reports, counts.reports_in, terms, tracked, params)


@dataclass
class WordingCounts:
    """What the wording tables are ranked from, for some whole reports: per theme and period and
    per period, the (phrase-joined) terms' counts; the paragraphs and reports naming each theme
    per period; per period, in how many reports each term occurs, and its reports."""

    theme_counts: dict[tuple[str, str], Counter] = field(default_factory=lambda: defaultdict(Counter))
    period_counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    theme_paragraphs: Counter = field(default_factory=Counter)
    theme_reports: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    term_reports: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    reports_in: Counter = field(default_factory=Counter)

    def merge(self, other: "WordingCounts") -> None:
        """Add ``other``'s counts (of other reports): merged in the reports' order, every count and
        the order terms are first seen in are those of one pass over them all."""
        for mine, theirs in ((self.theme_counts, other.theme_counts), (self.period_counts, other.period_counts),
                             (self.term_reports, other.term_reports)):
            for key, counter in theirs.items():
                mine[key].update(counter)
        for key, reports in other.theme_reports.items():
            self.theme_reports[key] |= reports
        for mine, theirs in ((self.theme_paragraphs, other.theme_paragraphs), (self.reports_in, other.reports_in)):
            mine.update(theirs)


class _CountReports:
    """Counts a chunk of whole reports' token-table lines (:class:`WordingCounts`); forked workers
    inherit the maps instead of receiving them."""

    def __init__(self, period: dict[str, str], named: dict[tuple[str, int], set[str]], join: PhraseJoiner):
        self.period, self.named, self.join = period, named, join

    def __call__(self, lines: list[str]) -> WordingCounts:
        counts = WordingCounts()
        for doc_id, group in groupby(map(token_row, lines), key=lambda row: row[0]):
            terms = set()
            periods = (ALL_YEARS, self.period[doc_id]) if doc_id in self.period else (ALL_YEARS,)
            for _, position, tokens in group:
                tokens = self.join(tokens)
                terms.update(tokens)
                for p in periods:
                    counts.period_counts[p].update(tokens)
                for theme in self.named.get((doc_id, position), ()):
                    for p in periods:
                        counts.theme_counts[(theme, p)].update(tokens)
                        counts.theme_paragraphs[(theme, p)] += 1
                        counts.theme_reports[(theme, p)].add(doc_id)
            if doc_id in self.period:
                counts.term_reports[self.period[doc_id]].update(terms)
                counts.reports_in[self.period[doc_id]] += 1
        return counts


def _checked_reports(chunks: Iterator[list[str]], path: Path) -> Iterator[list[str]]:
    """The chunks, once it is checked that each report's paragraphs are consecutive (a report
    counted in two places would count twice in its period's reports)."""
    seen: set[str] = set()
    for chunk in chunks:
        for doc_id, _ in groupby(line.partition("\t")[0] for line in chunk):
            if doc_id in seen:
                raise PipelineError(f"{path}: the paragraphs of {doc_id} are not consecutive; rerun the filter stage")
            seen.add(doc_id)
        yield chunk


def _own_words(theme_terms: Sequence[str], counts: Counter) -> set[str]:
    """A theme's own words among the tokens: its terms, and tokens that hold or are held by one
    (综合执法 for 综合行政执法's alias, 枫桥 for 枫桥经验)."""
    return {w for w in counts if any(w in t or t in w for t in theme_terms)}


class TermIndex:
    """Every term counted (phrases joined), each at a fixed position, so that the counts of a
    group are an array; and which of them may be listed at all (:func:`is_term`, places
    excluded)."""

    def __init__(self, terms: Iterable[str], places: frozenset[str]):
        self.terms = np.array(list(terms), dtype=object)
        self.position = {term: i for i, term in enumerate(self.terms)}
        self.listable = np.fromiter((is_term(t, places) for t in self.terms), bool, len(self.terms))

    def counts(self, counter: Mapping[str, int]) -> np.ndarray:
        """The counts as an array over the terms (0 where a term is not counted)."""
        out = np.zeros(len(self.terms), dtype=np.int64)
        out[np.fromiter(map(self.position.__getitem__, counter), np.int64, len(counter))] = \
            np.fromiter(counter.values(), np.int64, len(counter))
        return out

    def at(self, words: Iterable[str]) -> np.ndarray:
        """A mask over the terms, true at ``words``."""
        mask = np.zeros(len(self.terms), dtype=bool)
        mask[[self.position[w] for w in words]] = True
        return mask

    def ranked(self, a: np.ndarray, b: np.ndarray, keep: np.ndarray, params: WordingParams) -> list[LogOdds]:
        """The kept terms that distinguish counts ``a`` from counts ``b`` (:func:`ranked_log_odds`)."""
        kept = np.flatnonzero(keep)
        return ranked_log_odds(self.terms[kept], a[kept], b[kept], params.top, params.min_count)


def _write_theme_terms(run: Run, themes, counts: WordingCounts, terms: TermIndex,
                       params: WordingParams) -> dict[str, tuple[int, int, list]]:
    """theme_terms.csv: each theme's paragraphs against the rest of their period, over all years
    and per period; returns, per theme, its paragraphs, reports and top terms over all years."""
    wanted: dict[str, list[str]] = {}  # per theme, the periods it gets rows for (all years first)
    for theme in themes:
        periods = sorted({p for (t, p) in counts.theme_counts if t == theme.name and p != ALL_YEARS}, key=period_start)
        if (len(periods) == 1 and counts.theme_paragraphs[(theme.name, periods[0])]
                == counts.theme_paragraphs[(theme.name, ALL_YEARS)]):
            periods = []  # one period holding every paragraph: the same rows as all years
        wanted[theme.name] = [p for p in (ALL_YEARS, *periods)
                              if counts.theme_paragraphs[(theme.name, p)] >= params.min_paragraphs]
    ranked: dict[tuple[str, str], list[LogOdds]] = {}
    for p in {p for periods in wanted.values() for p in periods}:  # a period's counts as an array once
        in_period = terms.counts(counts.period_counts[p])
        for theme in themes:
            if p in wanted[theme.name]:
                counts_a = counts.theme_counts[(theme.name, p)]
                a = terms.counts(counts_a)
                keep = terms.listable & (in_period > 0) & ~terms.at(_own_words(theme.terms, counts_a))
                ranked[(theme.name, p)] = terms.ranked(a, in_period - a, keep, params)
    rows, overall = [], {}
    for theme in themes:
        paragraphs = counts.theme_paragraphs[(theme.name, ALL_YEARS)]
        overall[theme.name] = (paragraphs, len(counts.theme_reports[(theme.name, ALL_YEARS)]),
                               ranked.get((theme.name, ALL_YEARS), []))
        for p in wanted[theme.name]:
            n_paragraphs, n_reports = counts.theme_paragraphs[(theme.name, p)], len(counts.theme_reports[(theme.name, p)])
            rows += [[theme.name, p, n_paragraphs, n_reports, rank, r.term, r.count_a, r.count_b, round(r.z, 3)]
                     for rank, r in enumerate(ranked[(theme.name, p)], 1)]
    run.write_rows(THEME_TERMS, rows)
    return overall


def _write_emerging_terms(run: Run, term_reports: dict[str, Counter], reports_in: Counter, terms: TermIndex,
                          tracked: Sequence[str], params: WordingParams) -> None:
    """emerging_terms.csv: each period with enough reports (and enough before it) against all
    the years before it, by the number of reports using each term (tracked theme terms left out)."""
    listable = terms.listable & ~terms.at(tracked)
    rows = []
    before = np.zeros(len(terms.terms), dtype=np.int64)
    n_before = 0
    for p in sorted(reports_in, key=period_start):
        n_in, in_period = reports_in[p], terms.counts(term_reports[p])
        if n_in >= params.min_reports and n_before >= params.min_reports:
            ranked = terms.ranked(in_period, before, listable & ((in_period > 0) | (before > 0)), params)
            rows += [[p, rank, r.term, r.count_b, r.count_a, round(r.count_b / n_before, 4), round(r.count_a / n_in, 4),
                      round(r.z, 3), n_before, n_in] for rank, r in enumerate(ranked, 1)]
        before += in_period
        n_before += n_in
    run.write_rows(EMERGING_TERMS, rows)
    run.log(f"wording: emerging terms for {len({r[0] for r in rows})} period(s) in {run.path(EMERGING_TERMS)}")


# ---- accept-theme ----------------------------------------------------------------------------


THEME_HEADER = "# --- accepted from the emerging terms (make accept-theme) ---"


def accept_themes(run: Run, inputs: Inputs, names: Sequence[str]) -> list[str]:
    """Track ``names`` (emerging terms, say) as themes: append each to the themes file, and to
    the first domain dictionary so that it stays one token. Returns the themes added."""
    if not names:
        raise PipelineError(f"no theme to add: name it (THEME=新质生产力); candidates are in {run.path(EMERGING_TERMS)}")
    tracked = tracked_terms(load_themes(inputs.themes))
    problems = [f"{n}: {why}" for n in names if (why := check_term(n))]
    problems += [f"{n}: '=', ',' and '*' are the theme file's syntax" for n in names if re.search(r"[=,，、*]", n)]
    problems += [f"{n}: contains the tracked theme term(s) {', '.join(s)}, which would stop being tokens"
                 for n in names if n not in tracked and (s := swallowed_terms(n, tracked))]
    if problems:
        raise PipelineError("not added:\n  " + "\n  ".join(problems))
    added = append_to_list(Path(inputs.themes), [n for n in names if n not in tracked], THEME_HEADER)
    append_to_list(Path(inputs.dictionary[0]), added, ACCEPT_HEADER)
    run.log(f"accept-theme: now tracking {' '.join(added) or '-'} (in {inputs.themes}, and kept whole by "
            f"{inputs.dictionary[0]})" + (f"; already tracked: {' '.join(n for n in names if n not in added)}"
                                          if len(added) < len(names) else "")
            + ("; rerun `make topics`" if added else ""))
    return added
