"""The contract between the stages: every output file, its path under the output folder, its
columns and the stage that writes it, named once; and the one way stages read and write them.

A stage gets a :class:`Run` and touches files only through it. ``run.path(artifact)`` refuses
an artifact of a stage that is neither the running stage nor one it declares in
:data:`STAGES` (``after``), so the Makefile, whose prerequisites are generated from the same
declarations (``python -m pipeline.deps``), always knows what a stage reads.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from . import params as P
from .files import (CsvTable, PipelineError, atomic_open, atomic_path, dict_reader, open_text, part_of, read_csv,
                    save_figure, table_parts, token_row, write_csv)
from .text.fields import METADATA_FIELDS  # what cleaning extracts about each report: documents.csv's columns

@dataclass(frozen=True)
class Artifact:
    """One output file: where it lives, which stage writes it, what it holds."""

    path: str  # relative to the output folder
    stage: str
    note: str
    columns: tuple[str, ...] = ()  # for tables; documents.csv and per-report tables may add metadata columns

    def at(self, out: Path) -> Path:
        return out / self.path


A = Artifact
REFERENCE_PARAGRAPHS = 20_000  # paragraphs, evenly spread, that NPMI counts co-occurrences in
# Per-report columns every per-report table carries after doc_id (plus the metadata CSV's own).
DOCUMENT_KEY_COLUMNS = ("title", "year", "province", "city", "county", "town")

# ---- clean ------------------------------------------------------------------------------------
DOCUMENTS = A("clean/documents.csv", "clean", "one row per kept report: metadata (title, place, year, ...), and "
              "where its year and place came from (file, path or text)",
              ("doc_id", "file", *METADATA_FIELDS, "year_source", "place_source", "n_paragraphs", "n_chars"))
PARAGRAPHS = A("clean/paragraphs.csv.gz", "clean", "one row per kept paragraph or heading, with its section",
               ("doc_id", "position", "kind", "section", "subsection", "n_chars", "text"))
CLEANING_REPORT = A("clean/cleaning_report.csv", "clean", "one row per input file: kept, skipped or duplicate, and why",
                    ("file", "doc_id", "status", "detail", "reader", "encoding", "chars_in", "chars_out", "paragraphs",
                     "lines_removed", "lines_rejoined", "duplicate_paragraphs", "chars_simplified", "warnings"))
REMOVED_LINES = A("clean/removed_lines.csv", "clean", "lines removed as boilerplate, per file and rule, with examples",
                  ("file", "rule", "lines_removed", "examples"))
CLEANING_SUMMARY = A("clean/cleaning_summary.txt", "clean", "the cleaning summary printed at the end of the stage")

# ---- segment, filter --------------------------------------------------------------------------
SEGMENTED = A("segment/segmented.tsv.gz", "segment",
              "jieba's (or SEGMENTER='s) segmentation of every paragraph (cache, before stopwords)",
              ("doc_id", "position", "tokens"))
TOKENS = A("segment/tokens.tsv.gz", "filter", "tokens per paragraph after stopwords and filters (model input)",
           ("doc_id", "position", "tokens"))
VOCABULARY = A("segment/vocabulary.csv", "filter", "token counts after filtering", ("token", "count", "n_documents"))

# ---- lda --------------------------------------------------------------------------------------
TOPIC_LABEL = ("topic", "label")
DOCUMENT_TOPICS = A("lda/document_topics.csv", "lda", "one row per report: its share of each topic (the token-weighted "
                    "mean of its paragraphs'), a column per topic headed by the topic's label",
                    ("doc_id", *DOCUMENT_KEY_COLUMNS, "n_tokens"))
TOPICS = A("lda/topics.csv", "lda", "top words per topic with P(word | topic)", (*TOPIC_LABEL, "rank", "word", "weight"))
TOPIC_SUMMARY = A("lda/topic_summary.csv", "lda",
                  "one row per topic: label, the theme it is named after (a seeded topic that passed the validity "
                  "measures of theme_validity.csv), share of the modelled text, NPMI, exclusivity, top words by "
                  "three rankings",
                  (*TOPIC_LABEL, "theme", "share", "npmi", "exclusivity", "top_words", "relevant_words",
                   "frex_words"))
KEYWORD_COVERAGE = A("lda/keyword_coverage.csv", "lda", "before fitting: the paragraphs and reports each theme term "
                     "occurs in (after stopwords), and whether the model's vocabulary has it",
                     ("theme", "term", "in_vocabulary", "paragraphs", "reports"))
SEEDED_TOPICS = A("lda/seeded_topics.csv", "lda", "before fitting: each theme, whether it got a topic of its own, "
                  "and why", ("theme", "marked", "seeded", "topic", "paragraphs", "reports", "terms", "reason"))
TOPIC_WORDS = A("lda/topic_words.csv", "lda", "top words per topic by probability, relevance (λ=0.6) and FREX",
                (*TOPIC_LABEL, "ranking", "rank", "word", "score"))
PARAGRAPH_TOPICS = A("lda/paragraph_topics.csv.gz", "lda", "topic shares per modelled paragraph: a row per "
                     "paragraph, a column per topic (T1, T2, ...: topic_summary.csv's topics)",
                     ("doc_id", "position", "n_tokens"))
REPRESENTATIVE = A("lda/representative_paragraphs.csv", "lda",
                   "the paragraphs most about each topic (one per report first), with report, place and section",
                   (*TOPIC_LABEL, "rank", "weight", "doc_id", "title", "year", "place", "section", "position", "text"))
CORPUS = A("lda/corpus.npz", "lda", "bag-of-words corpus of the modelled paragraphs (scipy sparse paragraphs x terms)")
CORPUS_INDEX = A("lda/corpus_index.csv.gz", "lda", "the paragraph behind each row of corpus.npz",
                 ("row", "doc_id", "position", "n_tokens"))
MODEL = A("lda/model/lda.gensim", "lda", "the trained gensim LdaModel")
DICTIONARY = A("lda/model/dictionary.gensim", "lda", "the model's gensim Dictionary")
THEME_VALIDITY = A("lda/theme_validity.csv", "lda",
                   "each seeded theme's topic, measured with the theme constraint lifted on the paragraphs it never "
                   "trained on (held_out_naming of the paragraphs_naming the theme, and all others): of the "
                   "held_out_naming paragraphs where it weighs most, how many name the theme (precision), how well it "
                   "ranks them with the themes' own terms removed (masked_auc), whether it is named after the theme "
                   "and why, and the free topics (topic:share) holding most of the theme paragraphs' text",
                   ("theme", *TOPIC_LABEL, "paragraphs_naming", "held_out_naming", "top_paragraphs_naming", "precision",
                    "masked_auc", "named", "reason", "carried_by"))
THEME_TOPICS = A("lda/theme_topics.csv", "lda", "which topics carry each theme",
                 ("theme", "topic", "term_weight", "topic_share"))
K_SWEEP = A("lda/k_sweep.csv", "lda", "K=auto: the measures of every model of the sweep",
            ("k", "seed", "npmi", "diversity", "exclusivity", "perplexity"))
K_SWEEP_SUMMARY = A("lda/k_sweep_summary.csv", "lda", "K=auto: the measures per K, averaged over seeds",
                    ("k", "n_models", "npmi", "npmi_se", "diversity", "exclusivity", "perplexity", "chosen"))
K_CHOICE = A("lda/k_choice.txt", "lda", "K=auto: the rule and the K it chose")
K_SWEEP_PLOT = A("lda/k_sweep.png", "lda", "K=auto: the measures against K")

# ---- tfidf, themes ----------------------------------------------------------------------------
KEYWORDS = A("tfidf/keywords.csv", "tfidf", "most distinctive terms per report (TF-IDF over reports)",
             ("doc_id", *DOCUMENT_KEY_COLUMNS, "rank", "term", "score"))
# The themes stage reads the cleaned text alone, not the tokens or the model: a stopword edit
# does not rerun it, nor redraw its figures.
THEME_COUNTS = A("themes/theme_counts.csv", "themes", "tracked-theme occurrences per report, and per 10,000 characters",
                 ("doc_id", *DOCUMENT_KEY_COLUMNS, "theme", "count", "per_10k_chars"))
THEME_TERM_COUNTS = A("themes/theme_term_counts.csv", "themes", "occurrences per report of each theme term and alias",
                      ("doc_id", "theme", "term", "count"))
THEME_CONTEXTS = A("themes/theme_contexts.csv", "themes", "every occurrence of a theme name or alias, with about 40 "
                   "characters either side (one row per occurrence: as many as theme_counts.csv counts)",
                   ("theme", "term", "doc_id", "year", "place", "section", "left", "match", "right"))
INTERVAL = ("ci_low", "ci_high")
ADOPTION = ("reports", "reports_mentioning", "share_reports", "places", "places_mentioning", "first_mentions",
            "ci_low", "ci_high", "places_ever_share")
THEME_ADOPTION = A("themes/theme_adoption.csv", "themes", "per theme and year: reports and places mentioning it, "
                   "places mentioning it for the first time, the share of all places that have by then (bootstrap "
                   "interval over the year's reports where it has enough)", ("theme", "year", *ADOPTION))
THEME_ADOPTION_BY_PROVINCE = A("themes/theme_adoption_by_province.csv", "themes",
                               "theme_adoption.csv within each province, for the reports whose province is known",
                               ("province", "theme", "year", *ADOPTION))
THEME_RATE_BY_YEAR = A("themes/theme_frequency_by_year.csv", "themes",
                       "each theme's occurrences per 10,000 characters, by year",
                       ("year", "theme", "n_reports", "n_chars", "count", "per_10k_chars", *INTERVAL))
THEME_RATE_BY_PLACE = A("themes/theme_frequency_by_place.csv", "themes",
                        "each theme's occurrences per 10,000 characters, by place",
                        ("place_level", "place", "theme", "n_reports", "n_chars", "count", "per_10k_chars", *INTERVAL))
PLOT_THEMES_BY_REPORT = A("themes/themes_by_report.png", "themes", "report × theme heatmap (also .svg)")
PLOT_THEMES_BY_YEAR = A("themes/themes_by_year.png", "themes", "themes by year")
PLOT_THEMES_BY_PLACE = A("themes/themes_by_place.png", "themes", "themes by place")
PLOT_THEME_ADOPTION = A("themes/theme_adoption.png", "themes", "each theme's share of reports mentioning it, by year, "
                        "with the reports behind each year and bootstrap intervals")
PLOT_PLACES_EVER = A("themes/theme_adoption_places.png", "themes",
                     "cumulative adoption: the share of places that have mentioned each theme by each year")
PLOT_THEME_MAP = A("themes/theme_map.png", "themes", "each province's share of reports mentioning each theme, on a "
                   "tile map of China (when reports of two provinces or more are known)")
PLOT_THEME_RATE_BY_YEAR = A("themes/theme_frequency_by_year.png", "themes", "theme frequency by year")
PLOT_THEME_RATE_BY_PLACE = A("themes/theme_frequency_by_place.png", "themes", "theme frequency by place")

# ---- plots ------------------------------------------------------------------------------------
PLOT_TOPIC_WORDS = A("plots/topic_words.png", "plots", "top words per topic")
PLOT_DOCUMENT_TOPICS = A("plots/document_topics.png", "plots", "report × topic heatmap (also .svg)")
PLOT_KEYWORDS = A("plots/tfidf_keywords.png", "plots", "TF-IDF keywords, first reports")
PLOTS_DONE = A("plots/.complete", "plots", "marks the plots stage as finished")

# ---- quality ----------------------------------------------------------------------------------
STABILITY_RUNS = A("quality/stability.csv", "quality", "each topic matched to the topics of each extra run",
                   (*TOPIC_LABEL, "run_seed", "matched_topic", "top_word_jaccard"))
TOPIC_STABILITY = A("quality/topic_stability.csv", "quality", "per topic, seeded and free side by side: the theme it "
                    "is named after, share, NPMI, and stability: mean top-word overlap with its match in the other runs "
                    "(1 = comes back every time); for a seeded topic also without its theme's own terms, against the "
                    "same theme's topic of each run",
                    (*TOPIC_LABEL, "theme", "share", "npmi", "stability", "stability_without_theme_terms"))
PLOT_TOPIC_QUALITY = A("quality/topic_quality.png", "quality", "stability and NPMI per topic")
RUNS = A("quality/runs.csv", "quality", "each model trained (the lda stage's and the extra seeds): mean NPMI and "
         "topic diversity", ("run_seed", "npmi", "diversity"))
QUALITY_BASIS = A("quality/model.sha256", "quality", "the SHA-256 of the lda/document_topics.csv the stability runs were "
                  "compared with (written last): the report shows stability only for the model it describes")

# ---- prevalence -------------------------------------------------------------------------------
PREVALENCE_BY_YEAR = A("prevalence/prevalence_by_year.csv", "prevalence", "each topic's share of each year's modelled text",
                       ("year", *TOPIC_LABEL, "n_reports", "n_tokens", "prevalence", *INTERVAL))
PREVALENCE_BY_PLACE = A("prevalence/prevalence_by_place.csv", "prevalence",
                        "each topic's share of each place's modelled text",
                        ("place_level", "place", *TOPIC_LABEL, "n_reports", "n_tokens", "prevalence", *INTERVAL))
PLOT_PREVALENCE_BY_YEAR = A("prevalence/prevalence_by_year.png", "prevalence", "topic shares by year")
PLOT_PREVALENCE_BY_PLACE = A("prevalence/prevalence_by_place.png", "prevalence", "topic shares by place")

# ---- explorer ---------------------------------------------------------------------------------
EXPLORER_DATA = A("explorer/ldavis.json", "explorer", "the interactive topic explorer's data (pyLDAvis on the model), "
                  "or why it could not be prepared: the report shows it")
EXPLORER_BASIS = A("explorer/model.sha256", "explorer", "the SHA-256 of the lda/document_topics.csv the explorer's data "
                   "was prepared from (written last): the report shows it only beside that model's tables")

# ---- mine ------------------------------------------------------------------------------------
MINED_TERMS = A("terms/mined_terms.csv.gz", "mine", "every candidate multiword term mined, before stopwords and the dictionary",
                ("term", "parts", "count", "n_reports", "cohesion_bits", "freedom_bits", "score", "example_report",
                 "example", "example_2"))
# ---- wording: what themes are said with, what rose ---------------------------------------------
THEME_TERMS = A("themes/theme_terms.csv", "wording",
                "per theme, over all years and per period: the terms that distinguish the paragraphs naming it from "
                "the other paragraphs (weighted log-odds z, informative Dirichlet prior; its own words and place "
                "names left out)", ("theme", "period", "paragraphs", "reports", "rank", "term", "count_theme",
                                    "count_other", "z"))
EMERGING_TERMS = A("themes/emerging_terms.csv", "wording",
                   "per recent period: the terms whose share of reports rose most against all the years before "
                   "(weighted log-odds z over report counts); tracked themes, place names and numbers left out",
                   ("period", "rank", "term", "reports_before", "reports_in", "share_before", "share_in", "z",
                    "n_reports_before", "n_reports_in"))
PLOT_THEME_TERMS = A("themes/theme_terms.png", "wording", "each theme's most distinguishing terms, with the "
                     "paragraphs behind them")

# ---- terms: what is proposed for the user's lists ----------------------------------------------
STOPWORD_CANDIDATES = A("terms/stopword_candidates.csv", "terms",
                        "words in most reports and spread evenly over the topics (no theme or dictionary term); "
                        "mark keepers in the accept column, then make accept-stopwords",
                        ("rank", "term", "report_share", "topic_spread", "top_topic", "top_topic_share", "count",
                         "example", "accept"))
TERM_CANDIDATES = A("terms/term_candidates.csv", "terms",
                    "candidate multiword terms; mark keepers in the accept column, then make accept-terms",
                    ("rank", "term", "parts", "count", "n_reports", "cohesion_bits", "freedom_bits", "score",
                     "swallows_theme", "example_report", "example", "example_2", "accept"))

# ---- report -----------------------------------------------------------------------------------
EXPLORER = A("explorer.html", "report", "the interactive topic explorer alone, full window")
REPORT = A("report.html", "report", "every result in one self-contained page")


def params_artifact(stage: str) -> Artifact:
    """``params/<stage>.json``: the parameters a stage ran with (defaults resolved)."""
    return A(f"params/{stage}.json", stage, f"the parameters the {stage} stage ran with")


ARTIFACTS: tuple[Artifact, ...] = tuple(v for v in dict(globals()).values() if isinstance(v, Artifact))
OWNED_PATHS = frozenset(a.path for a in ARTIFACTS)


@dataclass(frozen=True)
class Stage:
    """A stage, declared once: the CLI command (with ``help`` as its help), the Makefile rule and
    the order ``make topics`` runs the stages in are all made from this.

    ``target`` is the artifact it writes last (Make's target: a stage that stopped half-way has
    none), ``after`` the stages whose artifacts it reads, ``inputs`` the user's input files it
    reads (fields of :class:`params.Inputs`), ``params`` its parameter classes."""

    name: str
    help: str
    target: Artifact
    after: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
    params: tuple[type, ...] = ()
    # Stages whose results it shows without waiting for them: it says they are on their way when
    # they are not yet of the current model, and `make topics` runs it again once they are; they
    # run after it.
    shows: tuple[str, ...] = ()
    # make topics runs two stages at a time where the graph allows; a stage that takes much memory
    # runs alone: after every stage before it in the run order, before every stage after it.
    alone: bool = False
    # A stage that runs beside the lda stage runs at a lower priority (os.nice): it takes the cycles
    # the model's training leaves idle instead of slowing it, and the model is the critical path.
    yields: bool = False


# A page marks where the results of a shown stage are not yet of the current model with this
# attribute (="stage"); `make topics` runs the showing stage again while its page has one.
PENDING_ATTRIBUTE = "data-pending-stage"


def run_order(stages: Iterable[Stage]) -> list[str]:
    """The stages in the order ``make topics`` runs them: by depth in the graph (a stage comes
    after those it reads, and after a stage that shows it), then by name. A stage's place in
    the declaration does not matter."""
    names = [s.name for s in stages]
    if len(set(names)) < len(names):
        raise ValueError(f"stages declared twice: {sorted({n for n in names if names.count(n) > 1})}")
    stages = {s.name: s for s in stages}
    before = {name: set(s.after) for name, s in stages.items()}
    for name, s in stages.items():
        for shown in s.shows:
            before[shown].add(name)
    unknown = {b for bs in before.values() for b in bs} - stages.keys()
    if unknown:
        raise ValueError(f"stages read or show undeclared stages: {sorted(unknown)}")
    depth: dict[str, int] = {}

    def depth_of(name: str, path: tuple[str, ...] = ()) -> int:
        if name in path:
            raise ValueError(f"stages in a cycle: {' -> '.join(path + (name,))}")
        if name not in depth:
            depth[name] = 1 + max((depth_of(b, path + (name,)) for b in before[name]), default=-1)
        return depth[name]

    return sorted(stages, key=lambda name: (depth_of(name), name))


# In run order (artifacts.run_order): clean, segment, themes, filter, mine, then lda beside tfidf and
# then wording (neither reads the model), then explorer, plots, prevalence and terms two at a time,
# the report, and quality. On the 100 MB bench corpus the heaviest stages (alone) take 650-810 MB.
_DECLARED = (
    Stage("clean", "Read and clean reports: metadata, paragraphs with their sections, what was removed and why.",
          PARAGRAPHS, (), ("input", "rules", "metadata", "divisions"), (P.CleanParams,), alone=True),
    Stage("segment", "Segment paragraphs with jieba (or --segmenter), before stopwords: the cache a stopword edit "
          "re-filters.",
          SEGMENTED, ("clean",), ("dictionary",), (P.SegmentParams,), alone=True),
    Stage("filter", "Apply stopwords and token filters: the model's tokens and the vocabulary.",
          TOKENS, ("segment",), ("stopwords",), (P.FilterParams,)),
    Stage("lda", "Train LDA over paragraphs and describe its topics (with -k auto, first sweep K).",
          DOCUMENT_TOPICS, ("clean", "filter"), ("themes",), (P.LdaParams, P.SweepParams)),
    Stage("tfidf", "TF-IDF keywords, with reports as documents.",
          KEYWORDS, ("clean", "filter"), (), (P.TfidfParams,), yields=True),
    Stage("themes", "Count tracked themes per report, by year and place, with their figures (text only, no model).",
          THEME_COUNTS, ("clean",), ("themes",), (P.BootstrapParams,), alone=True),
    Stage("plots", "Draw the figures of topics and keywords.",
          PLOTS_DONE, ("clean", "lda", "tfidf"), (), (P.PlotParams,)),
    Stage("prevalence", "Topic prevalence by year and place, with bootstrap intervals.",
          PREVALENCE_BY_PLACE, ("clean", "lda"), (), (P.BootstrapParams,)),
    Stage("explorer", "Prepare the interactive topic explorer's data (pyLDAvis).",
          EXPLORER_BASIS, ("lda",)),
    Stage("mine", "Mine candidate multiword terms (before stopwords and the dictionary).",
          MINED_TERMS, ("segment",), (), (P.MiningParams,), alone=True),
    Stage("terms", "What to add to your lists: mined terms for the dictionary, words that tell no topic apart for "
          "the stopwords (mark keepers in the accept columns).",
          TERM_CANDIDATES, ("clean", "filter", "lda", "mine"), ("stopwords", "dictionary", "themes", "divisions"),
          (P.TermParams,)),
    Stage("wording", "What themes are said with, and terms that rose (no model: it runs beside the lda stage).",
          EMERGING_TERMS, ("clean", "filter", "mine"), ("themes", "divisions"), (P.WordingParams,), yields=True),
    # Written twice by make topics: as soon as the topics are, and again after the stability runs.
    Stage("report", "Write one self-contained page of results (and the explorer alone).",
          REPORT, ("clean", "segment", "filter", "lda", "tfidf", "themes", "plots", "prevalence", "explorer", "terms",
           "wording"), (), (P.ReportParams,), shows=("quality",), alone=True),
    Stage("quality", "Topic stability across seeds.",
          QUALITY_BASIS, ("filter", "lda"), (), (P.QualityParams,), alone=True),
)
_BY_NAME = {s.name: s for s in _DECLARED}
STAGES: dict[str, Stage] = {name: _BY_NAME[name] for name in run_order(_DECLARED)}


def runs_after(stage: str) -> list[str]:
    """The stages that must be finished before ``stage`` starts, beyond those it reads, so that a
    stage marked alone runs alone (see :attr:`Stage.alone`)."""
    earlier = list(STAGES)[:list(STAGES).index(stage)]
    return earlier if STAGES[stage].alone else [s for s in earlier if STAGES[s].alone]


def _owned(relative: str) -> bool:
    """Whether a file (its path under the output folder, with "/") is one a stage of this version
    writes: an artifact, an SVG beside a PNG one, a part gensim saves beside the model, a stage's
    parameters."""
    path = Path(relative)
    if path.name.endswith(".tmp") or any(part.startswith(".sweep.") for part in path.parts):
        return False  # left by a stage that was stopped
    candidates = {relative, path.with_suffix(".png").as_posix() if path.suffix == ".svg" else relative,
                  part.as_posix() if (part := part_of(path)) else relative}
    return (any(c in OWNED_PATHS for c in candidates)
            or relative.startswith(MODEL.path + ".")
            or (path.parent.as_posix() == "params" and path.stem in STAGES and path.suffix == ".json"))


def output_entries() -> list[str]:
    """The names the stages write directly in the output folder: their folders (clean, lda, ...,
    params) and top-level files (report.html)."""
    return sorted({a.path.split("/")[0] for a in ARTIFACTS} | {params_artifact("clean").path.split("/")[0]})


def leftover_files(out: Path) -> list[Path]:
    """Files under the stages' own entries of the output folder (:func:`output_entries`, and
    other pages beside report.html) that no stage of this version writes: an earlier version's
    outputs, or a stopped stage's temporary files. Make's own stamps (.params/) and folders of
    other tools (outputs/bench/) are left out."""
    out = Path(out)
    if not out.is_dir():
        return []
    found = [p for p in out.glob("*.html")]
    for entry in output_entries():
        if (out / entry).is_dir():
            found += [p for p in (out / entry).rglob("*") if p.is_file()]
    return sorted(p for p in found if not _owned(p.relative_to(out).as_posix()))


def stage_artifacts(stage: str) -> list[Artifact]:
    return [a for a in ARTIFACTS if a.stage == stage]


# ---------------------------------------------------------------------------------------------
# Reading and writing through the contract
# ---------------------------------------------------------------------------------------------


@dataclass
class Run:
    """One stage's view of the output folder: read what it declares, write what it owns."""

    out: Path
    stage: str
    jobs: int = 1
    log: Callable[[str], None] = print

    def __post_init__(self) -> None:
        self.out = Path(self.out)
        if self.stage not in STAGES:
            raise ValueError(f"unknown stage {self.stage!r}")

    def path(self, artifact: Artifact) -> Path:
        if artifact.stage not in (self.stage, *STAGES[self.stage].after, *STAGES[self.stage].shows):
            raise RuntimeError(f"stage {self.stage} reads {artifact.path} of stage {artifact.stage}, "
                               f"which it does not declare in artifacts.STAGES")
        return artifact.at(self.out)

    def exists(self, artifact: Artifact) -> bool:
        return self.path(artifact).is_file()

    def require(self, artifact: Artifact) -> Path:
        path = self.path(artifact)
        if not path.is_file():
            raise PipelineError(f"{path}: not found; run the {artifact.stage} stage first (make topics does)")
        return path

    # ---- tables ----
    def rows(self, artifact: Artifact) -> Iterator[dict[str, str]]:
        """Stream a CSV artifact's rows as dicts, its parts included (files.CsvTable)."""
        return (row for part in table_parts(self.require(artifact)) for row in read_csv(part))

    def header(self, artifact: Artifact) -> list[str]:
        with open_text(self.require(artifact), encoding="utf-8-sig") as handle:
            return dict_reader(handle).fieldnames or []

    def table(self, artifact: Artifact, extra: Sequence[str] = (), trailing: Sequence[str] = ()) -> CsvTable:
        """A streaming writer for a CSV artifact; ``extra`` columns follow the per-report keys,
        ``trailing`` ones (a column per topic) come last."""
        return CsvTable(self.path(artifact), (*_with_extra(artifact.columns, extra), *trailing))

    def write_rows(self, artifact: Artifact, rows: Iterable[Sequence[Any]], extra: Sequence[str] = ()) -> None:
        write_csv(self.path(artifact), _with_extra(artifact.columns, extra), rows)

    # ---- token tables (TSV: doc_id, position, space-separated tokens) ----
    def token_rows(self, artifact: Artifact, every: int = 1) -> Iterator[tuple[str, int, list[str]]]:
        """The rows of a token table; with ``every``, only every ``every``-th (the first, the
        ``every + 1``-th, ...), and the others are not parsed."""
        with self.reader(artifact) as handle:
            yield from map(token_row, islice(handle, 0, None, every))

    def token_count(self, artifact: Artifact) -> tuple[int, int]:
        """``(rows, tokens)`` of a token table, counted without splitting it into tokens (its
        tokens are joined by single spaces and hold none)."""
        rows = tokens = 0
        with self.reader(artifact) as handle:
            for line in handle:
                text = line.rstrip("\n").rpartition("\t")[2]
                rows += 1
                tokens += (text.count(" ") + 1) if text else 0
        return rows, tokens

    def reference_texts(self, limit: int = REFERENCE_PARAGRAPHS) -> list[list[str]]:
        """Up to ``limit`` paragraphs' tokens, evenly spread over the corpus: the reference every
        NPMI of the pipeline is counted on."""
        with self.reader(TOKENS) as handle:
            n_rows = sum(1 for _ in handle)
        return [tokens for _, _, tokens in self.token_rows(TOKENS, every=max(1, -(-n_rows // limit))) if tokens]

    def fingerprint(self, artifact: Artifact) -> str:
        """The SHA-256 of an artifact's bytes: which version of it another stage used."""
        import hashlib

        digest = hashlib.sha256()
        for part in table_parts(self.require(artifact)):
            with open(part, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        return digest.hexdigest()

    def write_basis(self, basis: Artifact, used: Artifact, fingerprint: str) -> None:
        """Record in ``basis`` (sha256sum's format) which version of ``used`` this stage's results
        were computed from."""
        self.write_text(basis, f"{fingerprint}  {used.path}\n")

    def based_on(self, basis: Artifact, used: Artifact) -> bool:
        """Whether ``basis`` records the current version of ``used``: results of a stage that ran
        on an earlier model are not shown as if they were of this one."""
        if not (self.exists(basis) and self.exists(used)):
            return False
        return self.path(basis).read_text(encoding="utf-8").split()[:1] == [self.fingerprint(used)]

    # ---- text and parameters ----
    def write_text(self, artifact: Artifact, text: str) -> None:
        with self.writer(artifact) as handle:
            handle.write(text)

    def save_figure(self, artifact: Artifact, figure, formats: Sequence[str] = ("png",)) -> list[Path]:
        """Save a matplotlib figure as the artifact (and in other ``formats`` beside it), then close it."""
        return save_figure(figure, self.path(artifact), formats)

    def atomic(self, artifact: Artifact):
        """A temporary path renamed to the artifact's on success (for files other libraries write)."""
        return atomic_path(self.path(artifact))

    def writer(self, artifact: Artifact):
        """A text file opened for writing under a temporary name, renamed on success (gzip-
        compressed if its name ends in .gz)."""
        return atomic_open(self.path(artifact))

    def reader(self, artifact: Artifact):
        """A text artifact opened for reading (decompressed if its name ends in .gz)."""
        return open_text(self.require(artifact))

    def write_params(self, *params: Any) -> None:
        """Record the parameters this stage ran with: params/<stage>.json (of the user's input
        files, those the stage reads)."""
        merged = {}
        for group in params:
            values = asdict(group)
            if isinstance(group, P.Inputs):
                values = {k: v for k, v in values.items() if k in STAGES[self.stage].inputs}
            merged.update({k: list(v) if isinstance(v, tuple) else v for k, v in values.items()})
        with atomic_open(params_artifact(self.stage).at(self.out)) as handle:
            handle.write(json.dumps(merged, ensure_ascii=False, indent=1) + "\n")

    def read_params(self, stage: str, cls):
        """The parameters ``stage`` ran with, as ``cls`` (fields it does not know are ignored)."""
        if stage not in (self.stage, *STAGES[self.stage].after):
            raise RuntimeError(f"stage {self.stage} reads the parameters of {stage}, which it does not declare")
        path = params_artifact(stage).at(self.out)
        if not path.is_file():
            raise PipelineError(f"{path}: not found; run the {stage} stage first")
        known = {f.name for f in fields(cls)}
        values = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items() if k in known})

    def all_params(self) -> list[tuple[str, dict]]:
        """Every stage's recorded parameters (for the report)."""
        found = []
        for stage in STAGES:
            path = params_artifact(stage).at(self.out)
            if path.is_file():
                found.append((stage, json.loads(path.read_text(encoding="utf-8"))))
        return found

    # ---- per-report metadata for per-report tables ----
    def document_info(self) -> tuple[tuple[str, ...], dict[str, list[str]]]:
        """``(extra, rows)``: the metadata CSV's own columns, and each report's values of the
        per-report key columns and then of those (``rows[doc_id]``), for per-report tables."""
        known = set(DOCUMENTS.columns)
        # From the header, not the first row: a corpus with no kept report still has its columns.
        extra = tuple(c for c in self.header(DOCUMENTS) if c not in known)
        columns = DOCUMENT_KEY_COLUMNS + extra
        return extra, {row["doc_id"]: [row[c] for c in columns] for row in self.rows(DOCUMENTS)}

    def documents(self) -> dict[str, dict[str, str]]:
        return {row["doc_id"]: row for row in self.rows(DOCUMENTS)}

    # ---- the model ----
    def load_model(self):
        """The trained gensim LdaModel and its Dictionary."""
        from gensim.corpora import Dictionary
        from gensim.models import LdaModel

        return LdaModel.load(str(self.require(MODEL))), Dictionary.load(str(self.require(DICTIONARY)))

    def save_model(self, model, dictionary) -> None:
        """Save the model as gensim's plain LdaModel (``gensim.models.LdaModel.load`` opens it
        without this package) and its Dictionary."""
        from .topics.batch_lda import BatchLdaModel

        if isinstance(model, BatchLdaModel):
            model = model.as_lda_model()
        target = self.path(MODEL)
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as tmp:
            model.save(str(tmp))
            for extra in Path(tmp).parent.glob(Path(tmp).name + ".*"):  # large arrays gensim saves apart
                extra.replace(target.parent / (target.name + extra.name[len(Path(tmp).name):]))
        with atomic_path(self.path(DICTIONARY)) as tmp:
            dictionary.save(str(tmp))

    def document_topics(self) -> tuple[list[str], list[int], np.ndarray, np.ndarray]:
        """lda/document_topics.csv as ``(doc_ids, topic numbers, reports x topics shares, each
        report's modelled tokens)``: its topic columns are those after n_tokens, each numbered
        by its label ("T3 调解·信访") in lda/topic_summary.csv."""
        header = self.header(DOCUMENT_TOPICS)
        columns = header[header.index("n_tokens") + 1:] if "n_tokens" in header else []
        number = {label: topic for topic, label in self.topic_labels().items()}
        if not columns or any(column not in number for column in columns):
            raise PipelineError(f"{self.path(DOCUMENT_TOPICS)}: its topic columns are not the topics of "
                                f"{self.path(TOPIC_SUMMARY)} (written by another version?); rerun the lda stage")
        topics = [number[column] for column in columns]
        doc_ids, tokens, shares = [], [], []
        for row in self.rows(DOCUMENT_TOPICS):
            doc_ids.append(row["doc_id"])
            tokens.append(float(row["n_tokens"]))
            shares.append([float(row[c]) for c in columns])
        return doc_ids, topics, np.array(shares, dtype=float).reshape(len(doc_ids), len(columns)), np.array(tokens)

    def topic_labels(self) -> dict[int, str]:
        """Topic number -> its label, as the lda stage named it (the one label every output uses)."""
        return {int(r["topic"]): r["label"] for r in self.rows(TOPIC_SUMMARY)}


def _with_extra(columns: tuple[str, ...], extra: Sequence[str]) -> tuple[str, ...]:
    """Insert ``extra`` (metadata columns) after the per-report key columns, if the table has them."""
    if not extra:
        return columns
    if "n_paragraphs" in columns:  # documents.csv: the metadata CSV's columns before the counts
        at = columns.index("n_paragraphs")
    elif DOCUMENT_KEY_COLUMNS[-1] in columns:
        at = columns.index(DOCUMENT_KEY_COLUMNS[-1]) + 1
    else:
        at = len(columns)
    return (*columns[:at], *extra, *columns[at:])
