"""Stage 3, lda: paragraph tokens -> topics, paragraph and document topic distributions.

Paragraphs are the modelling unit (a handful of reports is far too few documents for LDA);
a report's topic distribution is the token-weighted mean of its paragraphs'.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from .files import CsvTable, PipelineError, atomic_path, write_csv
from .segment import read_token_table


@dataclass(frozen=True)
class LdaParams:
    """Model parameters, documented once.

    The defaults were tuned for topic quality (NPMI coherence, topic diversity) on the seed
    reports, against tomotopy's Gibbs sampler and scikit-learn's LDA (make bench-quality);
    gensim's own defaults (random start, learned priors, no_below=2) scored far lower.

    k : number of topics (the CLI and Make also take "auto": see pipeline/quality.py).
    seed : random seed; the same seed, data and parameters give the same model.
    passes : passes over the corpus; 0 picks enough passes for about 200,000 paragraph
        visits (many on a small corpus, one on a large one), capped at 50.
    iterations : maximum inference iterations per paragraph and pass.
    alpha : document-topic prior per topic: a number, or "auto", "symmetric", "asymmetric".
        0.5 lets a paragraph mix a few topics; smaller values made topics less distinct.
    eta : topic-word prior: a number or "auto". A small value (0.01) gives topics with
        sharper word lists; "auto" spread every topic over the common words.
    no_below : drop terms in fewer than this many paragraphs; terms seen in 2 paragraphs are
        mostly noise to the model and cost coherence (the largest single gain in tuning).
    no_above : drop terms in more than this share of paragraphs.
    keep_n : keep at most this many terms (the most frequent).
    min_tokens : paragraphs with fewer tokens (after vocabulary filtering) are not modelled.
    init : "seeded" starts each topic from the word counts of one randomly chosen paragraph
        (as Blei's lda-c does), "random" uses gensim's near-uniform start, from which
        variational inference tends to settle on look-alike topics.
    restarts : on corpora small enough for 10 or more passes, train this many seeded starts
        for a fifth of the passes each and continue the one with the highest evidence lower
        bound (the model's own fit, not the coherence it is judged by).
    """

    k: int = 8
    seed: int = 42
    passes: int = 0
    iterations: int = 200
    alpha: float | str = 0.5
    eta: float | str = 0.01
    no_below: int = 3
    no_above: float = 0.5
    keep_n: int = 50_000
    min_tokens: int = 5
    chunksize: int = 2000
    init: str = "seeded"
    restarts: int = 3

    def resolved_passes(self, n_paragraphs: int) -> int:
        if self.passes > 0:
            return self.passes
        return max(1, min(50, math.ceil(200_000 / max(1, n_paragraphs))))

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


def parse_prior(value: float | str) -> float | str:
    """A Dirichlet prior as gensim wants it: a float, or one of its named strategies."""
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except ValueError:
        if value not in ("auto", "symmetric", "asymmetric"):
            raise PipelineError(f"prior {value!r}: give a number or auto, symmetric, asymmetric") from None
        return value


def build_dictionary(token_lists: Iterable[list[str]], params: LdaParams):
    """A gensim Dictionary over paragraphs, with the document-frequency filters applied."""
    from gensim.corpora import Dictionary

    dictionary = Dictionary(token_lists)
    dictionary.filter_extremes(no_below=params.no_below, no_above=params.no_above, keep_n=params.keep_n)
    dictionary.compactify()
    return dictionary


def seeded_start(corpus, n_paragraphs: int, n_terms: int, k: int, seed: int, smoothing: float = 1.0) -> np.ndarray:
    """Topics x terms start: ``smoothing`` plus the word counts of one random paragraph each.

    One streaming pass over the corpus, so it works on an MmCorpus of any size.
    """
    rng = np.random.RandomState(seed)
    picks = rng.choice(n_paragraphs, size=k, replace=False)
    topic_of = {int(p): t for t, p in enumerate(picks)}
    start = np.full((k, n_terms), smoothing)
    for i, bow in enumerate(corpus):
        if i in topic_of:
            for term, count in bow:
                start[topic_of[i], term] += count
    return start


def _start_model(corpus, dictionary, n_paragraphs: int, params: LdaParams, seed: int, passes: int):
    from gensim.matutils import dirichlet_expectation
    from gensim.models import LdaModel

    model = LdaModel(
        corpus=None,
        id2word=dictionary,
        num_topics=params.k,
        random_state=seed,
        passes=passes,
        iterations=params.iterations,
        alpha=parse_prior(params.alpha),
        eta=parse_prior(params.eta),
        chunksize=params.chunksize,
        eval_every=None,  # perplexity logging costs ~30% of training time
    )
    if params.init == "seeded":
        start = seeded_start(corpus, n_paragraphs, len(dictionary), params.k, seed)
        model.state.sstats[...] = start
        model.expElogbeta = np.exp(dirichlet_expectation(start)).astype(model.dtype, copy=False)
    elif params.init != "random":
        raise PipelineError(f"init {params.init!r}: use seeded or random")
    model.update(corpus)
    return model


def train_lda(corpus, dictionary, n_paragraphs: int, params: LdaParams):
    """Train a reproducible gensim LdaModel on a (streamed, re-iterable) bag-of-words corpus.

    With restarts (see LdaParams), candidate starts get seeds derived from ``params.seed`` by
    numpy's SeedSequence, so runs with neighbouring seeds share no start.
    """
    passes = params.resolved_passes(n_paragraphs)
    starts, start_passes = params.restart_plan(n_paragraphs)
    if starts == 1:
        return _start_model(corpus, dictionary, n_paragraphs, params, params.seed, passes)
    seeds = [int(s) for s in np.random.SeedSequence(params.seed).generate_state(starts)]
    candidates = [_start_model(corpus, dictionary, n_paragraphs, params, s, start_passes) for s in seeds]
    best = max(candidates, key=lambda m: m.bound(corpus))
    best.update(corpus, passes=passes - start_passes)
    return best


def topic_term_matrix(model) -> np.ndarray:
    """Topics x terms, rows summing to 1."""
    topics = model.get_topics()
    return topics / topics.sum(axis=1, keepdims=True)


def topic_labels(model, n_words: int = 3) -> list[str]:
    """Short labels such as "T1 调解·纠纷·矛盾纠纷" (1-based topic numbers, as in the tables)."""
    return [f"T{t + 1} " + "·".join(w for w, _ in model.show_topic(t, n_words)) for t in range(model.num_topics)]


def paragraph_topics(model, bow: list[tuple[int, int]]) -> np.ndarray:
    """A paragraph's full topic distribution (no topic dropped for being small)."""
    theta = np.zeros(model.num_topics)
    for topic, weight in model.get_document_topics(bow, minimum_probability=0.0):
        theta[topic] = weight
    return theta / theta.sum()


def check_k(k: int, n_paragraphs: int, n_terms: int) -> None:
    """Refuse a K the corpus cannot support, with a message that says why."""
    if k < 2:
        raise PipelineError(f"K={k}: need at least 2 topics")
    if k > n_paragraphs or k > n_terms:
        raise PipelineError(
            f"K={k} is larger than the corpus allows: {n_paragraphs} paragraphs and {n_terms} terms "
            f"survive filtering; use K <= {max(2, min(n_paragraphs, n_terms) // 2)}")


# ---------------------------------------------------------------------------------------------
# I/O shell
# ---------------------------------------------------------------------------------------------


class _BowStream:
    """Re-iterable bag-of-words over tokens.tsv, keeping only modelled paragraphs."""

    def __init__(self, tokens_path: Path, dictionary, min_tokens: int):
        self.tokens_path, self.dictionary, self.min_tokens = tokens_path, dictionary, min_tokens

    def with_keys(self) -> Iterator[tuple[str, int, list[tuple[int, int]]]]:
        for doc_id, position, tokens in read_token_table(self.tokens_path):
            bow = self.dictionary.doc2bow(tokens)
            if sum(count for _, count in bow) >= self.min_tokens:
                yield doc_id, position, bow

    def __iter__(self):
        return (bow for _, _, bow in self.with_keys())


def coherence_scores(model, texts: list[list[str]], dictionary, topn: int = 10) -> dict[str, list[float]]:
    """Per-topic c_npmi and c_v coherence (gensim, one process for reproducibility)."""
    from gensim.models import CoherenceModel

    scores = {}
    for measure in ("c_npmi", "c_v"):
        scorer = CoherenceModel(model=model, texts=texts, dictionary=dictionary, coherence=measure, topn=topn, processes=1)
        scores[measure] = [float(x) for x in scorer.get_coherence_per_topic()]
    return scores


def sample_texts(tokens_path: Path, limit: int = 20_000) -> list[list[str]]:
    """Up to ``limit`` paragraphs, evenly spread over the corpus, as reference texts for coherence."""
    with open(tokens_path, encoding="utf-8") as handle:
        n_lines = sum(1 for _ in handle)
    step = max(1, math.ceil(n_lines / limit))
    return [tokens for i, (_, _, tokens) in enumerate(read_token_table(tokens_path)) if i % step == 0 and tokens]


@contextlib.contextmanager
def _training_progress(passes: int, n_paragraphs: int):
    """A progress bar with ETA fed by gensim's own "PROGRESS: pass p, at document #d" log lines."""
    import re

    from tqdm import tqdm

    pattern = re.compile(r"PROGRESS: pass (\d+), at document #(\d+)")
    logger = logging.getLogger("gensim.models.ldamodel")

    class _Handler(logging.Handler):
        done, last = 0, 0  # each training call (restarts) counts its passes from 0 again

        def emit(self, record):
            match = pattern.search(record.getMessage())
            if match:
                position = int(match.group(1)) * n_paragraphs + int(match.group(2))
                if position < self.last:
                    self.done += self.last
                self.last = position
                bar.n = min(total, self.done + position)
                bar.refresh()

    total = passes * n_paragraphs
    with tqdm(total=total, desc="lda: train", unit="par", disable=None) as bar:
        handler = _Handler(logging.INFO)
        old_level, old_propagate = logger.level, logger.propagate
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
        try:
            yield
            bar.n = total
            bar.refresh()
        finally:
            logger.removeHandler(handler)
            logger.setLevel(old_level)
            logger.propagate = old_propagate


def run_lda(output_dir: str | Path, params: LdaParams, n_words: int = 30, log=print) -> None:
    """segment/tokens.tsv -> lda/ (topics, paragraph and document topics, coherence, model)."""
    from gensim.corpora import MmCorpus
    from tqdm import tqdm

    from .metadata import document_info

    logging.getLogger("gensim").setLevel(logging.WARNING)
    out = Path(output_dir)
    tokens_path = out / "segment" / "tokens.tsv"
    lda_dir = out / "lda"
    lda_dir.mkdir(parents=True, exist_ok=True)

    dictionary = build_dictionary((tokens for _, _, tokens in read_token_table(tokens_path)), params)
    stream = _BowStream(tokens_path, dictionary, params.min_tokens)
    # Serialise the bag-of-words once: passes then read a compact binary file, not the text.
    mm_path = lda_dir / "corpus.mm"
    with atomic_path(mm_path) as tmp:
        MmCorpus.serialize(str(tmp), iter(stream))
        Path(str(tmp) + ".index").replace(str(mm_path) + ".index")
    corpus = MmCorpus(str(mm_path))
    n_paragraphs = len(corpus)
    check_k(params.k, n_paragraphs, len(dictionary))
    passes = params.resolved_passes(n_paragraphs)
    starts, start_passes = params.restart_plan(n_paragraphs)
    restarts = f" (best of {starts} starts after {start_passes})" if starts > 1 else ""
    log(f"lda: K={params.k}, {n_paragraphs} paragraphs, {len(dictionary)} terms, {passes} passes{restarts}, seed {params.seed}")

    with _training_progress(params.total_passes(n_paragraphs), n_paragraphs):
        model = train_lda(corpus, dictionary, n_paragraphs, params)

    coherence = coherence_scores(model, sample_texts(tokens_path), dictionary)
    labels = topic_labels(model)
    doc_columns, doc_rows = document_info(out)

    model_dir = lda_dir / "model"
    model_dir.mkdir(exist_ok=True)
    with atomic_path(model_dir / "lda.gensim") as tmp:
        model.save(str(tmp))
        for extra in Path(tmp).parent.glob(Path(tmp).name + ".*"):
            extra.replace(model_dir / ("lda.gensim" + extra.name[len(Path(tmp).name):]))
    dictionary.save(str(model_dir / "dictionary.gensim"))
    # The parameters as trained (K resolved when it was "auto"), so later stages can retrain alike.
    with atomic_path(model_dir / "params.json") as tmp:
        tmp.write_text(json.dumps(dataclasses.asdict(params), indent=1) + "\n", encoding="utf-8")

    phi = topic_term_matrix(model)
    write_csv(lda_dir / "topics.csv", ("topic", "label", "rank", "word", "weight"),
              ((t + 1, labels[t], r + 1, dictionary[int(term)], float(phi[t, term]))
               for t in range(params.k) for r, term in enumerate(np.argsort(-phi[t], kind="stable")[:n_words])))
    write_csv(lda_dir / "coherence.csv", ("topic", "label", "measure", "value"),
              [(t + 1, labels[t], m, v[t]) for m, v in coherence.items() for t in range(params.k)]
              + [("all", "", m, float(np.mean(v))) for m, v in coherence.items()])

    # One streamed inference pass: paragraph rows are written as they come; a report's mix is
    # the token-weighted mean of its paragraphs', accumulated in a reports x K array.
    doc_sums: dict[str, np.ndarray] = {}
    with CsvTable(lda_dir / "paragraph_topics.csv", ("doc_id", "position", "topic", "weight")) as table:
        for doc_id, position, bow in tqdm(stream.with_keys(), total=n_paragraphs, desc="lda: infer", unit="par", disable=None):
            theta = paragraph_topics(model, bow)
            for t in range(params.k):
                table.write([doc_id, position, t + 1, float(theta[t])])
            if doc_id not in doc_sums:
                doc_sums[doc_id] = np.zeros(params.k)
            doc_sums[doc_id] += theta * sum(count for _, count in bow)
    with CsvTable(lda_dir / "document_topics.csv", ("doc_id", *doc_columns, "topic", "label", "weight")) as table:
        for doc_id, sums in doc_sums.items():
            mix = sums / sums.sum()
            for t in range(params.k):
                table.write([doc_id, *doc_rows.get(doc_id, [""] * len(doc_columns)), t + 1, labels[t], float(mix[t])])
    log(f"lda: mean coherence c_npmi={np.mean(coherence['c_npmi']):.4f} c_v={np.mean(coherence['c_v']):.4f}")
