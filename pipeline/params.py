"""Every parameter of the pipeline, with its default and the reason for it, once.

Each stage takes one frozen dataclass below. The click CLI builds its options from these
fields (name, type, default, help: see :func:`cli.options_from`) and the Makefile passes a
variable on only when the user sets it, so a default lives here and nowhere else. The
parameters a stage ran with are written to ``params/<stage>.json`` in the output folder, which
is where the report reads them from.

A field's help text is its ``metadata["help"]``; ``metadata["make"]`` names the Makefile
variable that sets it, where there is one; ``metadata["check"]`` says what a valid value is.
Every class checks its values when it is made, so a bad one fails before any work, with the
parameter's name.
"""
from __future__ import annotations

import math
import numbers
import types
import typing
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, Callable

from .files import PipelineError

OUTPUT = "outputs"  # the results folder, unless --output / OUTPUT= says otherwise

Check = Callable[[Any], str]  # a value -> what is wrong with it ("" if nothing)


def param(default: Any, help: str, make: str = "", check: Check | None = None) -> Any:
    """A dataclass field with its help text and, optionally, the Makefile variable behind it and
    a check of its values."""
    return field(default=default, metadata={"help": help, "make": make, "check": check})


def at_least(low: float) -> Check:
    return lambda value: "" if value >= low else f"must be at least {low}"


def between(low: float, high: float) -> Check:
    return lambda value: "" if low <= value <= high else f"must be between {low} and {high}"


def finite(value: float) -> str:
    return "" if math.isfinite(value) else "must be a finite number"


def one_of(*choices: str) -> Check:
    return lambda value: "" if value in choices else f"must be one of {', '.join(choices)}"


def number_or(*names: str) -> Check:
    """A positive number (as text: gensim's priors), or one of ``names``."""

    def check(value: str) -> str:
        if value in names:
            return ""
        try:
            return "" if float(value) > 0 else "must be above 0"
        except ValueError:
            return f"must be a number or one of {', '.join(names)}"

    return check


class ParameterError(PipelineError, ValueError):
    """A parameter value that cannot work: named, with what a valid one is."""


def _type_problem(value: Any, hint: Any) -> str:
    if isinstance(hint, types.UnionType):
        return "" if any(not _type_problem(value, h) for h in typing.get_args(hint)) else f"{value!r} is not valid"
    if typing.get_origin(hint) is tuple:
        return "" if isinstance(value, tuple) and all(isinstance(v, str) for v in value) else "must be a list of names"
    if hint is float:
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    else:
        ok = isinstance(value, hint)
    return "" if ok else f"{value!r} is not a {hint.__name__}"


class Checked:
    """A parameter class whose values are checked on construction (type, then the field's check)."""

    def __post_init__(self) -> None:
        hints = typing.get_type_hints(type(self))
        for f in fields(self):
            value = getattr(self, f.name)
            problem = _type_problem(value, hints[f.name]) or (f.metadata.get("check") or (lambda v: ""))(value)
            if problem:
                raise ParameterError(f"parameter {f.name}={value!r}: {problem}")


def defaults(cls) -> dict[str, Any]:
    """Field name -> default of a parameter class."""
    return {f.name: f.default for f in fields(cls) if f.default is not MISSING}


# ---------------------------------------------------------------------------------------------
# What the user edits: the corpus and the word lists (the Makefile tracks these files)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inputs(Checked):
    """Files and folders the user provides or edits. Make reruns the stages that read one when
    it changes (see the Makefile)."""

    input: str = param("seeds", "Folder of reports, searched recursively.", "INPUT")
    rules: str = param("config/boilerplate.txt", "Boilerplate rules: web-page chrome and document furniture.", "RULES")
    metadata: str = param("", "Metadata CSV (file, year, place, ...); default: INPUT/metadata.csv if present.", "METADATA")
    dictionary: tuple[str, ...] = param(("config/domain_terms.txt",),
                                        "Domain dictionaries: policy terms jieba keeps whole.", "DICTIONARY")
    stopwords: tuple[str, ...] = param(("stopwords/general.txt", "stopwords/genre.txt"),
                                       "Stopword files (or folders whose every *.txt applies); each must exist.",
                                       "STOPWORDS")
    themes: str = param("config/themes.txt", "Themes to track, with aliases.", "THEMES")
    divisions: tuple[str, ...] = param(("config/divisions.csv", "config/divisions_extra.csv"),
                                       "The national list of administrative divisions (config/divisions.md): a "
                                       "report's city or county gives its city and province.", "DIVISIONS")


# ---------------------------------------------------------------------------------------------
# Stages
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanParams(Checked):
    """Reading and cleaning the reports."""

    simplify: bool = param(True, "Convert traditional characters to simplified (OpenCC t2s).")
    near_duplicate: float = param(0.9, "Estimated shingle Jaccard similarity from which a report is a near-duplicate "
                                        "of an earlier one and dropped.", check=between(0, 1))
    text_column: str = param("", "Corpus tables (CSV, JSONL, XLSX): the column holding the report text; by default "
                                 "the column with the longest Chinese text.", "TEXT_COLUMN")
    path_pattern: str = param("", "Where metadata sits in the path, e.g. {level}/{place}/{year}: names matched "
                                  "against the end of each report's path; by default year and place are taken from "
                                  "folder and file names where unambiguous.", "PATH_PATTERN")
    max_paragraph_chars: int = param(3000, "Longer paragraphs are cut at sentence ends (a scraped page can be one "
                                           "line of 400 KB).", check=at_least(100))
    chrome_share: float = param(0.5, "Short lines found in at least this share of the distinct reports (and in at "
                                     "least 5) are page chrome: real sentences do not repeat across half a corpus.", check=between(0, 1))


def _known_segmenter(value: str) -> str:
    from .text.tokens import SEGMENTERS  # the segmenters are the tokens module's; it imports this one

    return one_of(*SEGMENTERS)(value)


@dataclass(frozen=True)
class SegmentParams(Checked):
    """Word segmentation."""

    segmenter: str = param("jieba_next", "jieba_next: jieba's tokens, cut by jieba-next (jieba's code and dictionary, "
                                         "partly in Rust, about 3x faster) where it is installed (pip install "
                                         "'.[fast]'; make installs it where a wheel exists), by jieba itself "
                                         "otherwise, said in one line; jieba: jieba alone, the reference; or an "
                                         "opt-in one, faster but cutting some paragraphs otherwise: jieba_fast, "
                                         "rjieba (make installs it on first use). Each one's speed and share of "
                                         "paragraphs cut as jieba cuts them: docs/scaling.md, make bench-segmenters.",
                                         "SEGMENTER", check=_known_segmenter)


@dataclass(frozen=True)
class FilterParams(Checked):
    """Which tokens reach the model, after the stopword lists."""

    min_chars: int = param(2, "Drop shorter tokens: single characters are mostly function words in this genre.", check=at_least(1))
    keep_numbers: bool = param(False, "Keep tokens with digits (years, counts): they make topics about numbers.")


# Paragraph visits (passes x paragraphs) that passes=0 aims at: on prov-gwr-2026 (2,500
# paragraphs, K=11, 5 seeds) 50,000 gave NPMI +0.082 in 7 s a model, 200,000 +0.083 in 14 s.
PARAGRAPH_VISITS = 50_000
# ... but two passes below ONE_PASS_PARAGRAPHS paragraphs, one at or above: the ~430,000 visits
# two passes make on the 147 MB city corpus, a cautious threshold (one pass was within the seeds'
# spread of two there, a third bought nothing). On that corpus (216,000 paragraphs), mean NPMI of 5
# seeds (sd about 0.006) for one, two, three passes: K=8 +0.124, +0.127, +0.126; K=20 +0.148,
# +0.151, +0.150 (stability at K=20 0.48, 0.50, 0.51). A larger corpus makes those visits in one
# pass, over paragraphs it has not seen before (measured on no real corpus that large: see
# docs/scaling.md).
MIN_PASSES = 2  # below ONE_PASS_PARAGRAPHS
ONE_PASS_PARAGRAPHS = 430_000


def _topic_count(value: int | str) -> str:
    if value == "auto" or (isinstance(value, numbers.Integral) and value >= 2):
        return ""
    return "must be a number of topics, at least 2, or auto"


@dataclass(frozen=True)
class LdaParams(Checked):
    """The topic model. The defaults were tuned for topic quality (NPMI coherence, topic
    diversity) on the seed reports against tomotopy's Gibbs sampler and scikit-learn's LDA
    (``make bench-quality``); gensim's own defaults (random start, learned priors,
    no_below=2) scored far lower."""

    k: int | str = param(8, "Number of free topics (seeded topics come on top), or auto: sweep K_RANGE and choose K by the rule written beside the model.", "K", check=_topic_count)
    seed: int = param(42, "Random seed: the same seed, data and parameters give the same model.", "SEED", check=between(0, 2**32 - 1))
    passes: int = param(0, "Passes over the corpus; 0 picks enough for about 50,000 paragraph visits "
                           f"(many on a small corpus, two on a large one, one from {ONE_PASS_PARAGRAPHS:,} "
                           "paragraphs), at most 50.", "PASSES", check=at_least(0))
    iterations: int = param(100, "Maximum inference iterations per paragraph and pass: 200 took about 10% "
                                 "longer for no better NPMI (make bench-quality); 50 lowered stability on the seeds.", check=at_least(1))
    alpha: str = param("0.5", "Document-topic prior: a number, or auto, symmetric, asymmetric. 0.5 lets a "
                              "paragraph mix a few topics; smaller values made topics less distinct.", check=number_or("auto", "symmetric", "asymmetric"))
    eta: str = param("0.01", "Topic-word prior: a number or auto. A small value gives topics with sharper word "
                             "lists; auto spread every topic over the common words.", check=number_or("auto", "symmetric"))
    no_below: int = param(3, "Drop terms in fewer paragraphs: terms seen in 2 paragraphs are mostly noise to the "
                             "model (the largest single gain in tuning).", check=at_least(1))
    no_above: float = param(0.5, "Drop terms in a larger share of paragraphs.", check=between(0, 1))
    keep_n: int = param(50_000, "Vocabulary cap: the most frequent terms.", check=at_least(1))
    min_tokens: int = param(5, "Paragraphs with fewer tokens (after vocabulary filtering) are not modelled.", check=at_least(1))
    chunksize: int = param(2000, "Paragraphs per online-update chunk.", check=at_least(1))
    init: str = param("seeded", "Topic start: seeded (each topic from the word counts of one random paragraph, as "
                                "Blei's lda-c does) or random (gensim's near-uniform start, from which variational "
                                "inference tends to settle on look-alike topics).", check=one_of("seeded", "random"))
    restarts: int = param(3, "On corpora small enough for 10 or more passes, train this many seeded starts for a "
                             "fifth of the passes each and continue the one with the best evidence lower bound.", check=at_least(1))
    seeded: bool = param(True, "Give each theme marked * in THEMES a topic of its own, before the K free topics "
                               "(0: plain LDA). It is a labelled topic: it takes words only in paragraphs that name "
                               "the theme, so what it learns is the theme's context; it is named after the theme only "
                               "where its validity measures show it is about the theme (README, Themes).", "SEEDED")
    seed_strength: float = param(0.0, "Extra prior weight of a seeded theme's own terms in its topic, as a multiple of "
                                      "each term's corpus count. 0: none, the constraint alone. A prior puts the "
                                      "theme's word on top of its topic by construction, which then raises its theme "
                                      "precision by construction too (city corpus, K=8, held-out paragraphs: at 10, "
                                      "枫桥经验's precision 0.995 but masked AUC 0.52, 放管服's 1.00 and 0.50: a topic "
                                      "of one word; docs/themes.md).", check=at_least(0))
    seed_min_share: float = param(0.001, "A marked theme is seeded only where its terms occur in at least this share "
                                         "of the paragraphs (and in NO_BELOW): rarer, its topic would be the few "
                                         "paragraphs that name it.", check=between(0, 1))
    seed_min_reports: int = param(3, "... and in at least this many reports: a topic of one or two reports is "
                                     "their local wording, not a theme of the corpus.", check=at_least(0))
    theme_min_precision: float = param(0.5, "A seeded topic is named after its theme only if, set free of the theme "
                                             "constraint, at least this share of the paragraphs where it weighs most "
                                             "name the theme (as many paragraphs as name it).", check=between(0, 1))
    theme_min_auc: float = param(0.8, "... and only if, with the themes' own terms removed from every paragraph, its "
                                      "weight ranks the paragraphs naming the theme above the others with at least "
                                      "this ROC AUC (0.5 = chance): it carries the theme's context, not only its word.", check=between(0, 1))
    n_words: int = param(30, "Top words per topic in the topics table.", check=at_least(1))
    n_paragraphs: int = param(3, "Representative paragraphs per topic (one per report first).", check=at_least(0))

    def resolved_passes(self, n_paragraphs: int) -> int:
        if self.passes > 0:
            return self.passes
        floor = 1 if n_paragraphs >= ONE_PASS_PARAGRAPHS else MIN_PASSES
        return max(floor, min(50, math.ceil(PARAGRAPH_VISITS / max(1, n_paragraphs))))

    def restart_plan(self, n_paragraphs: int) -> tuple[int, int]:
        """``(starts, passes per start)``: several short starts only when passes are plentiful."""
        passes = self.resolved_passes(n_paragraphs)
        if self.restarts <= 1 or passes < 10:
            return 1, 0
        return self.restarts, passes // 5

    def total_passes(self, n_paragraphs: int) -> int:
        """Passes over the corpus, restarts included (for progress bars)."""
        starts, start_passes = self.restart_plan(n_paragraphs)
        return self.resolved_passes(n_paragraphs) + (starts - 1) * start_passes


def _k_range(value: str) -> str:
    try:
        low, high, *step = (int(x) for x in value.split(":"))
    except ValueError:
        return "use MIN:MAX or MIN:MAX:STEP"
    if len(step) > 1 or not 2 <= low <= high or (step and step[0] < 1):
        return "use MIN:MAX or MIN:MAX:STEP, with 2 <= MIN <= MAX and STEP >= 1"
    return ""


@dataclass(frozen=True)
class SweepParams(Checked):
    """K=auto: which K to try and how. The K in the range that the corpus supports (at most one
    topic per 5 training paragraphs), coarse to fine (``topics.choose_k.SWEEP_PLAN``),
    ``seeds`` models each, trained on all but a random ``holdout`` share of the paragraphs,
    which gives held-out perplexity."""

    k_range: str = param("3:15", "K values to try: MIN:MAX or MIN:MAX:STEP.", "K_RANGE", check=_k_range)
    sweep_seeds: int = param(3, "Models per K (seeds SEED, SEED+1, ...).", check=at_least(1))
    holdout: float = param(0.2, "Share of paragraphs held out for perplexity.", check=between(0.01, 0.9))

    def ks(self, n_train: int) -> list[int]:
        low, high, *step = (int(x) for x in self.k_range.split(":"))  # checked on construction
        return [k for k in range(low, high + 1, step[0] if step else 1) if k <= max(2, n_train // 5)]


@dataclass(frozen=True)
class TfidfParams(Checked):
    """TF-IDF keywords, reports as documents."""

    top_n: int = param(20, "Keywords per report.", check=at_least(1))


@dataclass(frozen=True)
class QualityParams(Checked):
    """Topic stability across seeds."""

    runs: int = param(5, "Models compared for stability, the lda stage's included (more seeds, same parameters).", "RUNS", check=at_least(1))
    n_words: int = param(10, "Top words compared between runs (Jaccard overlap).", check=at_least(1))


@dataclass(frozen=True)
class BootstrapParams(Checked):
    """Bootstrap-over-reports intervals: topic shares by year and place (prevalence stage); theme
    frequencies by year and place and the share of reports mentioning a theme by year (themes stage)."""

    n_boot: int = param(2000, "Bootstrap resamples of reports.", check=at_least(1))
    min_reports: int = param(3, "Smallest group (year, place) that gets an interval: a bootstrap of 1-2 reports "
                                "is not one.", check=at_least(1))
    boot_seed: int = param(0, "Bootstrap random seed.", check=at_least(0))


@dataclass(frozen=True)
class MiningParams(Checked):
    """Term discovery: thresholds a candidate multiword term must pass."""

    sample_tokens: int = param(5_000_000, "Tokens read, from paragraphs spread evenly over the corpus: term mining's "
                                          "memory is bounded by this setting, not by the corpus's vocabulary.", check=at_least(1000))
    min_count: int = param(3, "Fewest occurrences.", check=at_least(1))
    min_reports: int = param(2, "Fewest reports it occurs in: a term of one report is usually a local name or slogan.", check=at_least(1))
    max_tokens: int = param(4, "Most jieba tokens per candidate.", check=at_least(2))
    min_term_chars: int = param(3, "Shortest candidate, in characters.", check=at_least(2))
    max_term_chars: int = param(12, "Longest candidate, in characters.", check=at_least(2))
    min_cohesion: float = param(1.0, "Least PMI (bits) of the weakest split.", check=finite)
    min_freedom: float = param(0.9, "Least branching entropy (bits) on either side.", check=finite)


@dataclass(frozen=True)
class TermParams(Checked):
    """What is proposed for the user's lists: multiword terms (the mined ones) for the dictionary,
    and words that tell no topic apart for the stopwords."""

    top: int = param(200, "Candidate terms written.", check=at_least(1))
    stopword_report_share: float = param(0.5, "Stopword candidates are words in at least this share of the reports, "
                                              "ranked by that share times their spread over the topics (the "
                                              "normalised entropy of the word's topic assignments: 1 = evenly over "
                                              "every topic, 0 = one topic alone).", check=between(0, 1))
    stopword_top: int = param(50, "Stopword candidates listed.", check=at_least(1))


@dataclass(frozen=True)
class WordingParams(Checked):
    """What themes are said with, and terms that rose (weighted log-odds)."""

    period_years: int = param(5, "Years per period for the terms by period (periods start at 2000, 2005, ...).", check=at_least(1))
    min_paragraphs: int = param(30, "A theme's terms are given for a period only where at least this many of its "
                                    "paragraphs name the theme.", check=at_least(1))
    min_reports: int = param(20, "Emerging terms: a period, and the years before it, need at least this many reports.", check=at_least(1))
    top: int = param(20, "Terms per theme and period, and per period of emerging terms.", check=at_least(1))
    min_count: int = param(5, "A term is listed for a theme only with this many occurrences in its paragraphs, and "
                              "as emerging only with this many reports in the period.", check=at_least(1))
    phrases: int = param(5000, "The best mined multiword terms (the mine stage's) counted as one term where "
                               "their parts that are model tokens follow each other.", check=at_least(0))


@dataclass(frozen=True)
class ReportParams(Checked):
    """report.html and explorer.html."""

    explorer: bool = param(True, "Show the interactive topic explorer (pyLDAvis; the explorer stage prepares its data) "
                                 "in the report and as a page of its own.")


@dataclass(frozen=True)
class PlotParams(Checked):
    """The figures of the plots stage."""

    n_words: int = param(10, "Top words per topic and keywords per report drawn.", check=at_least(1))
    max_reports: int = param(40, "Reports drawn in the TF-IDF keywords figure (all are in the report).", check=at_least(1))
