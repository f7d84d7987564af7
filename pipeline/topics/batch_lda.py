"""A faster E-step for gensim's LdaModel: the same variational updates, computed for a whole
chunk of paragraphs at once on a sparse matrix instead of one paragraph at a time, in fixed
parts that worker processes can share."""
from __future__ import annotations

import zlib
from typing import Callable, Iterable, Sequence

import numpy as np
from gensim.matutils import dirichlet_expectation
from gensim.models import LdaModel
from scipy import sparse

from ..parallel import chunks, serial_map


def bow_matrix(chunk: Sequence[Sequence[tuple[int, float]]], n_terms: int, dtype=np.float32):
    """Bags of words (lists of ``(id, count)`` pairs, or ``n x 2`` arrays) as a sparse documents x
    terms count matrix (CSR)."""
    pairs = [np.asarray(bow).reshape(-1, 2) for bow in chunk]
    indptr = np.concatenate([[0], np.cumsum([len(p) for p in pairs], dtype=np.int64)])
    stacked = np.concatenate(pairs) if pairs else np.empty((0, 2))
    return sparse.csr_matrix((stacked[:, 1].astype(dtype), stacked[:, 0].astype(np.int64), indptr),
                             shape=(len(chunk), n_terms))


def e_step(exp_elog_beta: np.ndarray, alpha: np.ndarray, counts, gamma: np.ndarray, iterations: int,
           threshold: float, collect_sstats: bool, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """gensim's variational E-step (Hoffman's online LDA, with Lee & Seung's implicit phi) for a
    whole chunk at once: the same per-document updates and the same per-document stopping rule
    (mean absolute change of gamma below ``threshold``, or ``iterations``), computed on a sparse
    documents x terms ``counts`` matrix (converged documents are dropped from it once they are a
    quarter of its rows), about twice as fast as gensim's loop over documents. Updates ``gamma``
    (documents x topics) in place; returns it and, with ``collect_sstats``, the topics x terms
    sufficient statistics.

    ``allowed`` (documents x topics, 0 or 1), where given, is the labelled-LDA constraint: a
    document gives no word to a topic it is not allowed (that topic's gamma stays ``alpha``)."""
    eps = np.finfo(exp_elog_beta.dtype).eps
    beta = np.ascontiguousarray(exp_elog_beta.T)  # terms x topics
    sstats = np.zeros_like(beta) if collect_sstats else None
    if not counts.shape[0]:
        return gamma, sstats.T if collect_sstats else None

    def take(rows_taken: np.ndarray) -> None:
        """The results of the rows marked: their gamma, and their part of the statistics, summed
        on the terms they use (the same sums, in the same order) rather than into a dense terms
        x topics temporary for every few paragraphs that converge."""
        taken = np.flatnonzero(rows_taken)
        gamma[active[taken]] = g[taken]
        if collect_sstats:
            part = matrix[taken]
            terms, local = np.unique(part.indices, return_inverse=True)
            used = sparse.csr_matrix((part.data / phinorm[np.repeat(rows_taken, row_nnz)], local.ravel(), part.indptr),
                                     shape=(len(taken), len(terms)))
            sstats[terms] += used.T @ theta[taken]

    # Paragraphs are independent, so one that has converged can stay in the arrays, its result
    # taken: the arrays are compacted only once a quarter of their rows have converged.
    active = np.arange(counts.shape[0])  # the rows of ``gamma`` that ``matrix`` holds
    matrix, g = counts, gamma
    iterating = np.ones(len(active), dtype=bool)
    scaled = matrix.copy()  # counts / phinorm, on the same sparsity pattern
    row_nnz = np.diff(matrix.indptr)
    rows = np.repeat(np.arange(matrix.shape[0]), row_nnz)
    theta = _constrained(np.exp(dirichlet_expectation(g)), allowed)
    beta_nz = beta[matrix.indices]
    phinorm = np.einsum("ij,ij->i", theta[rows], beta_nz) + eps
    for _ in range(iterations):
        scaled.data = matrix.data / phinorm
        new = alpha + theta * (scaled @ beta)
        theta = _constrained(np.exp(dirichlet_expectation(new)), allowed)
        phinorm = np.einsum("ij,ij->i", theta[rows], beta_nz) + eps
        done = iterating & (np.abs(new - g).mean(axis=1) < threshold)
        g = new
        if not done.any():
            continue
        take(done)
        iterating &= ~done
        if not iterating.any():
            break
        if iterating.sum() <= 0.75 * len(iterating):
            keep, on_row = np.flatnonzero(iterating), np.repeat(iterating, row_nnz)
            active, matrix, g, theta = active[keep], matrix[keep], g[keep], theta[keep]
            allowed = allowed[keep] if allowed is not None else None
            phinorm, beta_nz = phinorm[on_row], beta_nz[on_row]
            row_nnz = np.diff(matrix.indptr)
            rows = np.repeat(np.arange(matrix.shape[0]), row_nnz)
            scaled, iterating = matrix.copy(), np.ones(len(active), dtype=bool)
    else:  # out of iterations: the paragraphs still iterating take their last values
        take(iterating)
    return gamma, (sstats.T * exp_elog_beta if collect_sstats else None)


# One paragraph in HOLDOUT, chosen by a hash of its bag of words (so the same in every process and
# run, and identical paragraphs together), never trains a labelled topic: the topic's validity is
# measured on those it did not see (topics/validity.py).
HOLDOUT = 5


def held_out_rows(counts) -> np.ndarray:
    """Whether each row of a sparse documents x terms ``counts`` matrix is held out of the
    labelled topics' training."""
    counts = sparse.csr_matrix(counts)
    return np.array([bag_held_out(counts.indices[a:b], counts.data[a:b])
                     for a, b in zip(counts.indptr, counts.indptr[1:])], dtype=bool)


def bag_held_out(term_ids: np.ndarray, counts: np.ndarray) -> bool:
    """Whether one bag of words (its term ids and counts, in id order) is held out: the same
    answer whatever the arrays' types."""
    key = np.asarray(term_ids, dtype=np.int64).tobytes() + np.asarray(counts, dtype=np.float64).tobytes()
    return zlib.crc32(key) % HOLDOUT == 0


def _constrained(theta: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
    return theta if allowed is None else theta * allowed


# Each chunk's E-step is computed in up to this many parts (consecutive paragraphs) and their
# statistics summed in order, whether the parts run in one process or in several: the model
# does not depend on the number of processes. A part has at least MIN_PART_PARAGRAPHS (a smaller
# one costs more to send to a worker than it saves), so small corpora are computed as before.
E_STEP_PARTS = 2
MIN_PART_PARAGRAPHS = 500


def _e_step_part(args: tuple) -> tuple[np.ndarray, np.ndarray | None]:
    return e_step(*args)


class BatchLdaModel(LdaModel):
    """gensim's LdaModel whose inference (training's E-step, ``bound``, ``get_document_topics``)
    is :func:`e_step`, in up to :data:`E_STEP_PARTS` parts mapped by ``part_map`` (set it to a
    :func:`parallel.worker_map` to use several processes). Saved as a plain LdaModel
    (:meth:`as_lda_model`)."""

    part_map: Callable = staticmethod(serial_map)
    # Labelled topics (set by train.train_lda): topic s, for s < len(label_term_ids), may take
    # words only in paragraphs that contain one of the term ids label_term_ids[s]; in training,
    # not in the held-out ones (held_out_rows), on which its validity is measured.
    label_term_ids: Sequence[Sequence[int]] = ()
    # Told the number of paragraphs of each training chunk once its E-step is done (progress).
    on_chunk: Callable[[int], None] | None = None

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        for name in ("part_map", "on_chunk"):  # a pool's map, a progress meter: not part of the model
            state.pop(name, None)
        return state

    def do_estep(self, chunk, state=None):
        gamma = super().do_estep(chunk, state)
        if self.on_chunk is not None:
            self.on_chunk(len(chunk))
        return gamma

    def as_lda_model(self) -> LdaModel:
        """The same trained model as gensim's own class, which gensim alone loads: the labelled
        topics' constraint (lda/seeded_topics.csv names their terms) and the E-step's parts are
        how it was trained, not part of it."""
        plain = LdaModel.__new__(LdaModel)
        plain.__dict__.update({k: v for k, v in self.__getstate__().items() if k != "label_term_ids"})
        return plain

    def do_mstep(self, rho, other, extra_pass=False):
        """gensim's M-step without the two things it does only for its log: the topics' change
        (one more ``Elogbeta`` of all topics and terms per chunk) and ``print_topics``, about 15%
        of training on a large vocabulary. ``print_topics(5)`` draws from the model's random
        state, and later random starts come from it, so that draw is still made."""
        self.state.blend(rho, other)
        self.sync_state()
        if self.num_topics > 5:
            self.random_state.rand(self.num_topics)
        if self.optimize_eta:
            self.update_eta(self.state.get_lambda(), rho)
        if not extra_pass:
            self.num_updates += other.numdocs

    def allowed_topics(self, counts, holdout: bool = True) -> np.ndarray | None:
        """Documents x topics, 1 where a document (a row of the sparse ``counts``) may use a topic:
        a labelled topic only where the document has one of its terms and, with ``holdout``
        (training), is not held out; None without labels."""
        if not len(self.label_term_ids):
            return None
        allowed = np.ones((counts.shape[0], self.num_topics), dtype=self.dtype)
        for topic, ids in enumerate(self.label_term_ids):
            allowed[:, topic] = np.asarray(counts[:, list(ids)].sum(axis=1)).ravel() > 0
        if holdout:
            allowed[held_out_rows(counts), :len(self.label_term_ids)] = 0
        return allowed

    def inference(self, chunk, collect_sstats=False):
        """gensim's ``inference`` (training, ``bound``), labelled topics held out as in training."""
        counts = bow_matrix(list(chunk), self.num_terms, self.dtype)
        return self.infer_counts(counts, collect_sstats, self.allowed_topics(counts))

    def infer_counts(self, counts, collect_sstats: bool = False, allowed: np.ndarray | None = None,
                     random_state: np.random.RandomState | None = None):
        """:meth:`inference` on a sparse documents x terms ``counts`` matrix."""
        n = counts.shape[0]
        # the same random start as gensim's, from the model's own random state
        gamma = (random_state or self.random_state).gamma(100., 1. / 100., (n, self.num_topics)).astype(self.dtype, copy=False)
        n_parts = max(1, min(E_STEP_PARTS, n // MIN_PART_PARAGRAPHS))
        bounds = np.linspace(0, n, n_parts + 1).astype(int)
        tasks = [(self.expElogbeta, self.alpha, counts[a:b], gamma[a:b], self.iterations, self.gamma_threshold,
                  collect_sstats, None if allowed is None else allowed[a:b]) for a, b in zip(bounds, bounds[1:])]
        parts = self.part_map(_e_step_part, tasks) if n_parts > 1 else [e_step(*tasks[0])]
        gamma = np.concatenate([part_gamma for part_gamma, _ in parts])
        if not collect_sstats:
            return gamma, None
        sstats = parts[0][1]
        for _, part_sstats in parts[1:]:
            sstats += part_sstats
        return gamma, sstats


def corpus_bound(model: LdaModel, corpus: Iterable, chunksize: int) -> float:
    """gensim's ``LdaModel.bound`` (the variational lower bound of the corpus's likelihood), its
    per-paragraph part computed a chunk at a time instead of term by term."""
    from scipy.special import gammaln, logsumexp

    elog_beta = dirichlet_expectation(model.state.get_lambda())
    alpha = model.alpha
    score = 0.0
    for batch in chunks(corpus, chunksize):
        gamma, _ = model.inference(batch)
        counts = bow_matrix(batch, model.num_terms, np.float64)
        elog_theta = dirichlet_expectation(gamma)
        rows = np.repeat(np.arange(len(batch)), np.diff(counts.indptr))
        score += float(counts.data @ logsumexp(elog_theta[rows] + elog_beta[:, counts.indices].T, axis=1))
        score += float(np.sum((alpha - gamma) * elog_theta) + np.sum(gammaln(gamma) - gammaln(alpha))
                       + np.sum(gammaln(np.sum(alpha)) - gammaln(gamma.sum(axis=1))))
    return score + model.bound([])  # gensim's topic-word part: the bound of no paragraphs
