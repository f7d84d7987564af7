"""Training the topic model: vocabulary, a reproducible gensim LdaModel with a seeded start and
restarts, and inference of a paragraph's topic mix. Data in, model out: no paths."""
from __future__ import annotations

import contextlib
from typing import Callable, Iterator, Sequence

import numpy as np

from ..files import PipelineError
from ..parallel import Workers
from ..params import LdaParams
from ..progress import progress
from .batch_lda import BatchLdaModel, bow_matrix, corpus_bound, labelled_rows
from .corpus import BowCorpus, term_totals
from .seeding import seed_prior


def parse_prior(value: float | str) -> float | str:
    """A Dirichlet prior as gensim wants it: a float, or one of its named strategies (which
    params.LdaParams checks)."""
    try:
        return float(value)
    except ValueError:
        return value


# A seeded topic starts from the mean of the paragraphs using its terms, weighted as this many
# paragraphs: summed over all of them (a thousand on a large corpus) it starts far sharper than
# the free topics and takes half the corpus in a one-pass fit; weighted as one, a free topic
# can take its subject first (tests/topics/test_seeding.py).
SEEDED_START_PARAGRAPHS = 5


def initial_topics(corpus, n_paragraphs: int, n_terms: int, k: int, seed: int, seed_ids: Sequence[Sequence[int]] = (),
                   smoothing: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Topics x terms start and the corpus's term counts (a :class:`BowCorpus`, or bags of words).

    Seeded topics come first, each started from the word counts of the paragraphs that use its
    terms (not those held out of its training), weighted as :data:`SEEDED_START_PARAGRAPHS` mean
    paragraphs at most; each of the ``k`` free topics from those of one random paragraph, as
    Blei's lda-c does. Every row gets ``smoothing``.
    """
    counts = corpus.counts if isinstance(corpus, BowCorpus) else bow_matrix(list(corpus), n_terms, np.float64)
    rng = np.random.RandomState(seed)
    picks = rng.choice(n_paragraphs, size=k, replace=False)
    n_seeded = len(seed_ids)
    start = np.full((n_seeded + k, n_terms), smoothing)
    start[n_seeded:] += counts[picks].toarray()
    term_counts = term_totals(counts.indices, counts.data, n_terms)
    seeded_rows = np.zeros((n_seeded, n_terms))
    trains = labelled_rows(counts, seed_ids) if n_seeded else None  # as the labelled topics train
    for s in range(n_seeded):
        seeded_rows[s] = np.asarray(counts[np.flatnonzero(trains[:, s])].sum(axis=0)).ravel()
    weight = SEEDED_START_PARAGRAPHS * term_counts.sum() / max(1, n_paragraphs)
    start[:n_seeded] += seeded_rows * np.minimum(1, weight / np.maximum(seeded_rows.sum(axis=1, keepdims=True), 1))
    return start, term_counts


def _start_model(corpus, dictionary, n_paragraphs: int, params: LdaParams, seed: int, passes: int,
                 seed_ids: Sequence[Sequence[int]], workers: Workers | None, on_chunk: Callable[[int], None] | None):
    from gensim.matutils import dirichlet_expectation

    eta = parse_prior(params.eta)
    start = None
    if params.init == "seeded" or seed_ids:
        start, term_counts = initial_topics(corpus, n_paragraphs, len(dictionary), params.k, seed, seed_ids)
        if seed_ids:
            check_seedable(params)
            eta = seed_prior(eta, params.k, seed_ids, term_counts, params.seed_strength)
    model = BatchLdaModel(
        corpus=None,
        id2word=dictionary,
        num_topics=len(seed_ids) + params.k,
        random_state=seed,
        passes=passes,
        iterations=params.iterations,
        alpha=parse_prior(params.alpha),
        eta=eta,
        chunksize=params.chunksize,
        eval_every=None,  # perplexity logging costs ~30% of training time
    )
    model.label_term_ids = [list(ids) for ids in seed_ids]
    if workers is not None:
        model.workers = workers
    model.on_chunk = on_chunk
    if params.init == "seeded":
        model.state.sstats[...] = start
        model.expElogbeta = np.exp(dirichlet_expectation(start)).astype(model.dtype, copy=False)
    model.update(corpus)
    return model


def train_lda(corpus, dictionary, n_paragraphs: int, params: LdaParams, seed_ids: Sequence[Sequence[int]] = (),
              workers: Workers | None = None, on_chunk: Callable[[int], None] | None = None):
    """Train a reproducible gensim LdaModel on a (streamed, re-iterable) bag-of-words corpus:
    one seeded topic per entry of ``seed_ids`` (the term ids of a seeded theme), then
    ``params.k`` free topics. ``workers``: a :func:`parallel.worker_map`'s, to share each chunk's
    E-step between processes (the same model with any number of them); ``on_chunk`` is told the paragraphs of each
    training chunk as it is done (see :func:`training_progress`).

    With restarts (see LdaParams), candidate starts get seeds derived from ``params.seed`` by
    numpy's SeedSequence, so runs with neighbouring seeds share no start.
    """
    passes = params.resolved_passes(n_paragraphs)
    starts, start_passes = params.restart_plan(n_paragraphs)
    if starts == 1:
        return _start_model(corpus, dictionary, n_paragraphs, params, params.seed, passes, seed_ids, workers, on_chunk)
    seeds = [int(s) for s in np.random.SeedSequence(params.seed).generate_state(starts)]
    candidates = [_start_model(corpus, dictionary, n_paragraphs, params, s, start_passes, seed_ids, workers, on_chunk)
                  for s in seeds]
    best = max(candidates, key=lambda model: corpus_bound(model, corpus, params.chunksize))
    best.update(corpus, passes=passes - start_passes)
    return best


def topic_term_matrix(model) -> np.ndarray:
    """Topics x terms, rows summing to 1."""
    topics = model.get_topics()
    return topics / topics.sum(axis=1, keepdims=True)


def infer_topics(model, bows: Sequence[list[tuple[int, int]]]) -> np.ndarray:
    """Paragraphs' full topic mixes (paragraphs x topics; no topic dropped for being small). A
    labelled topic weighs 0 in a paragraph without its terms (not its prior's small share), and
    in every one with them, held out of training or not."""
    counts = bow_matrix(bows, model.num_terms, model.dtype)
    allowed = model.allowed_topics(counts, holdout=False)
    gamma, _ = model.infer_counts(counts, allowed=allowed)
    if allowed is not None:
        gamma = gamma * allowed
    return gamma / gamma.sum(axis=1, keepdims=True)


def check_seedable(params: LdaParams) -> None:
    """Seeded topics need a numeric topic-word prior to add their terms' weight to."""
    if isinstance(parse_prior(params.eta), str):
        raise PipelineError(f"eta={params.eta!r} cannot be combined with seeded topics: give a number, or SEEDED=0")


def check_k(k: int, n_paragraphs: int, n_terms: int, n_seeded: int = 0) -> None:
    """Refuse a K (free topics, plus ``n_seeded`` seeded ones) the corpus cannot support, with a
    message that says why."""
    if k < 2:
        raise PipelineError(f"K={k}: need at least 2 topics")
    if k + n_seeded > n_paragraphs or k + n_seeded > n_terms:
        seeded = f" (plus {n_seeded} seeded)" if n_seeded else ""
        raise PipelineError(
            f"K={k}{seeded} is larger than the corpus allows: {n_paragraphs} paragraphs and {n_terms} terms "
            f"survive filtering; use K <= {max(2, min(n_paragraphs, n_terms) // 2 - n_seeded)}")



@contextlib.contextmanager
def training_progress(passes: int, n_paragraphs: int) -> Iterator[Callable[[int], None]]:
    """A progress meter for training (``passes`` over ``n_paragraphs``, restarts included): yields
    the ``on_chunk`` callback :func:`train_lda` tells each chunk's paragraphs."""
    with progress(total=passes * n_paragraphs, desc="lda: train", unit="par") as bar:
        yield bar.update
