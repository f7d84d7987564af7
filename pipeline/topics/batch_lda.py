"""A faster E-step for gensim's LdaModel: the same variational updates, computed for a whole
chunk of paragraphs at once on a sparse matrix instead of one paragraph at a time, in fixed
parts that worker processes can share."""
from __future__ import annotations

from typing import Callable, Iterable, NamedTuple, Sequence

import numpy as np
from gensim.matutils import dirichlet_expectation
from gensim.models import LdaModel
from scipy import sparse
from scipy.special import psi

from ..parallel import Workers, chunks


def bow_matrix(chunk: Sequence[Sequence[tuple[int, float]]], n_terms: int, dtype=np.float32):
    """Bags of words (lists of ``(id, count)`` pairs, or ``n x 2`` arrays) as a sparse documents x
    terms count matrix (CSR)."""
    pairs = [np.asarray(bow).reshape(-1, 2) for bow in chunk]
    indptr = np.concatenate([[0], np.cumsum([len(p) for p in pairs], dtype=np.int64)])
    stacked = np.concatenate(pairs) if pairs else np.empty((0, 2))
    return sparse.csr_matrix((stacked[:, 1].astype(dtype), stacked[:, 0].astype(np.int64), indptr),
                             shape=(len(chunk), n_terms))


def e_step(exp_elog_beta: np.ndarray, alpha: np.ndarray, counts, gamma: np.ndarray, iterations: int,
           threshold: float, parts: Sequence[int] | None = None,
           allowed: np.ndarray | None = None) -> tuple[np.ndarray, list[PartStatistics] | None]:
    """gensim's variational E-step (Hoffman's online LDA, with Lee & Seung's implicit phi) for a
    whole chunk at once: the same per-document updates and the same per-document stopping rule
    (mean absolute change of gamma below ``threshold``, or ``iterations``), computed on a sparse
    documents x terms ``counts`` matrix (converged documents are dropped from it once they are a
    quarter of its rows), about twice as fast as gensim's loop over documents. Updates ``gamma``
    (documents x topics) in place and returns it.

    Each row's result depends on that row alone, bit for bit, whatever other rows are computed
    with it. ``parts`` (row bounds, from 0 to the number of rows), where given, asks for the
    sufficient statistics of each part of consecutive rows, each summed over its rows in row
    order (:class:`PartStatistics`): they too are then the same however the rows were grouped.

    ``allowed`` (documents x topics, 0 or 1), where given, is the labelled-LDA constraint: a
    document gives no word to a topic it is not allowed (that topic's gamma stays ``alpha``)."""
    eps = np.finfo(exp_elog_beta.dtype).eps
    beta = np.ascontiguousarray(exp_elog_beta.T)  # terms x topics
    collect = parts is not None
    # Each row's theta, and each of its entries' count / phinorm, when it converged: its statistics.
    final_theta = np.zeros_like(gamma) if collect else None
    final_scaled = np.zeros(counts.nnz, dtype=beta.dtype) if collect else None

    def take(rows_taken: np.ndarray) -> None:
        taken = np.flatnonzero(rows_taken)
        gamma[active[taken]] = g[taken]
        if collect:
            final_theta[active[taken]] = np.take(theta, taken, axis=0)
            on_taken = np.repeat(rows_taken, row_nnz)
            final_scaled[np.compress(on_taken, entries)] = (np.compress(on_taken, matrix.data)
                                                            / np.compress(on_taken, phinorm))

    # Paragraphs are independent, so one that has converged can stay in the arrays, its result
    # taken: the arrays are compacted only once a quarter of their rows have converged.
    active = np.arange(counts.shape[0])  # the rows of ``gamma`` that ``matrix`` holds
    entries = np.arange(counts.nnz)  # the entries of ``counts`` that ``matrix`` holds
    matrix, g = counts, gamma
    iterating = np.ones(len(active), dtype=bool)
    scaled = matrix.copy()  # counts / phinorm, on the same sparsity pattern
    row_nnz = np.diff(matrix.indptr)
    rows = np.repeat(np.arange(matrix.shape[0]), row_nnz)
    theta = _constrained(np.exp(dirichlet_expectation(g)), allowed)
    # np.take and np.compress, not fancy or boolean indexing: on these arrays 3-5 times faster
    beta_nz = np.take(beta, matrix.indices, axis=0)
    phinorm = np.einsum("ij,ij->i", np.take(theta, rows, axis=0), beta_nz) + eps
    for _ in range(iterations if counts.shape[0] else 0):
        scaled.data = matrix.data / phinorm
        new = alpha + theta * (scaled @ beta)
        theta = _constrained(np.exp(dirichlet_expectation(new)), allowed)
        phinorm = np.einsum("ij,ij->i", np.take(theta, rows, axis=0), beta_nz) + eps
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
            active, matrix = active[keep], matrix[keep]
            g, theta = np.take(g, keep, axis=0), np.take(theta, keep, axis=0)
            allowed = np.take(allowed, keep, axis=0) if allowed is not None else None
            phinorm, entries = np.compress(on_row, phinorm), np.compress(on_row, entries)
            beta_nz = np.compress(on_row, beta_nz, axis=0)
            row_nnz = np.diff(matrix.indptr)
            rows = np.repeat(np.arange(matrix.shape[0]), row_nnz)
            scaled, iterating = matrix.copy(), np.ones(len(active), dtype=bool)
    else:  # out of iterations: the paragraphs still iterating take their last values
        if counts.shape[0]:
            take(iterating)
    if not collect:
        return gamma, None
    weighted = sparse.csr_matrix((final_scaled, counts.indices, counts.indptr), shape=counts.shape)
    return gamma, [PartStatistics.of(weighted[a:b], final_theta[a:b]) for a, b in zip(parts, parts[1:])]


class PartStatistics(NamedTuple):
    """One part's sufficient statistics on the terms it uses: ``terms`` (ids, ascending) and
    ``values`` (len(terms) x topics, before the product with exp(E[log beta]))."""

    terms: np.ndarray
    values: np.ndarray

    @classmethod
    def of(cls, weighted, theta: np.ndarray) -> "PartStatistics":
        """From a part's count / phinorm (sparse, its rows x all terms) and its rows' theta."""
        terms, local = np.unique(weighted.indices, return_inverse=True)
        used = sparse.csr_matrix((weighted.data, local.ravel(), weighted.indptr - weighted.indptr[0]),
                                 shape=(weighted.shape[0], len(terms)))
        return cls(terms, used.T @ theta)


def summed_statistics(parts: Iterable[PartStatistics], expectations: Iterable[tuple[np.ndarray, np.ndarray]],
                      n_terms: int, k: int, dtype) -> np.ndarray:
    """The ``k`` topics x ``n_terms`` sufficient statistics of a chunk: its parts' summed in part
    order (the same sums whichever process computed each part), times exp(E[log beta]) on the
    terms they use, given as ``(term ids, topics x those terms)`` pairs that cover them (where two
    pairs share a term, its column is the same in both)."""
    total = np.zeros((n_terms, k), dtype=dtype)  # terms x topics
    for part in parts:
        total[part.terms] += part.values
    sstats = np.zeros((k, n_terms), dtype=dtype)  # 0 where no part has a word
    for terms, values in expectations:
        sstats[:, terms] = total[terms].T * values
    return sstats


def expected_topic_words(lam: np.ndarray, psi_totals: np.ndarray) -> np.ndarray:
    """exp(E[log beta]), topics x some terms, from lambda (the topics' Dirichlet parameters) on
    those terms and the digamma of each topic's lambda summed over every term. Element by element
    (scipy's digamma, not gensim's), so a term's column is the same bit for bit whichever terms
    are computed with it: each process computes it on the terms its own paragraphs use."""
    return np.exp(psi(lam) - psi_totals[:, None])


def on_used_terms(counts) -> tuple[sparse.csr_matrix, np.ndarray]:
    """A sparse documents x terms ``counts`` matrix on the terms it uses: (documents x those
    terms, their ids in ascending order)."""
    used = np.zeros(counts.shape[1], dtype=bool)
    used[counts.indices] = True
    position = np.cumsum(used) - 1
    local = sparse.csr_matrix((counts.data, position[counts.indices], counts.indptr),
                              shape=(counts.shape[0], int(used.sum())))
    return local, np.flatnonzero(used)


# One paragraph in HOLDOUT, chosen by a hash of its bag of words (so the same in every process and
# run, and identical paragraphs together), never trains a labelled topic: the topic's validity is
# measured on those it did not see (topics/validity.py).
HOLDOUT = 5


def held_out_rows(counts, block: int = 50_000) -> np.ndarray:
    """Whether each row of a sparse documents x terms ``counts`` matrix is held out of the
    labelled topics' training: a hash of its bag of words (each entry's term id and count mixed,
    summed over the row, mixed again: the same answer whatever the counts' type), vectorised
    over ``block`` rows at a time (its temporaries are several times the matrix's entries)."""
    counts = sparse.csr_matrix(counts)
    held = np.zeros(counts.shape[0], dtype=bool)
    for start in range(0, counts.shape[0], block):
        part = counts[start:start + block]
        values = part.data if part.data.dtype.kind in "iu" else np.rint(part.data)  # float counts are whole numbers
        entries = _mixed((part.indices.astype(np.uint64) << np.uint64(32)) | values.astype(np.uint64))
        sums = np.concatenate([np.zeros(1, dtype=np.uint64), np.cumsum(entries, dtype=np.uint64)])
        bags = _mixed(sums[part.indptr[1:]] - sums[part.indptr[:-1]] + np.uint64(0x9E3779B97F4A7C15))
        held[start:start + part.shape[0]] = bags % np.uint64(HOLDOUT) == 0
    return held


def _mixed(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser on unsigned 64-bit integers (arithmetic modulo 2**64)."""
    values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def labelled_rows(counts, label_term_ids: Sequence[Sequence[int]], holdout: bool = True) -> np.ndarray:
    """Documents x labels, True where a document (a row of the sparse ``counts``) may give words to
    a labelled topic: it has one of the label's term ids and, with ``holdout`` (training), is not
    held out (:func:`held_out_rows`)."""
    counts = sparse.csr_matrix(counts)
    named = np.column_stack([np.asarray(counts[:, list(ids)].sum(axis=1)).ravel() > 0 for ids in label_term_ids])
    return named & ~held_out_rows(counts)[:, None] if holdout else named


def _constrained(theta: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
    return theta if allowed is None else theta * allowed


# Each training chunk's sufficient statistics are summed from this many parts (consecutive
# paragraphs; fewer where a part would have fewer than MIN_PART_PARAGRAPHS), in part order, in one
# process or many: the model depends on the chunk and the parts, never on the number of processes,
# which share a chunk's parts between them (each takes consecutive parts, computed together).
E_STEP_PARTS = 16
MIN_PART_PARAGRAPHS = 50


def _e_step_group(args: tuple) -> tuple[np.ndarray, list[PartStatistics] | None, np.ndarray | None]:
    """:func:`e_step` on a group's terms. ``topics`` is exp(E[log beta]) there, or, where
    ``psi_totals`` is given, lambda there, from which the E-step's exp(E[log beta]) is computed
    (:func:`expected_topic_words`) and returned with its result for the statistics' sum (else
    None: the caller has it)."""
    topics, psi_totals, *rest = args
    beta = topics if psi_totals is None else expected_topic_words(topics, psi_totals)
    gamma, parts = e_step(beta, *rest)
    return gamma, parts, beta if psi_totals is not None and parts is not None else None


def part_bounds(n_rows: int) -> np.ndarray:
    """The row bounds of a chunk's :data:`E_STEP_PARTS` parts."""
    n_parts = max(1, min(E_STEP_PARTS, n_rows // MIN_PART_PARAGRAPHS))
    return np.linspace(0, n_rows, n_parts + 1).astype(int)


class BatchLdaModel(LdaModel):
    """gensim's LdaModel whose inference (training's E-step, ``bound``, ``get_document_topics``)
    is :func:`e_step`, shared between the processes of ``workers`` (set it to a
    :func:`parallel.worker_map`'s), its statistics summed from :data:`E_STEP_PARTS` parts. Saved
    as a plain LdaModel (:meth:`as_lda_model`)."""

    workers: Workers = Workers()
    # Labelled topics (set by train.train_lda): topic s, for s < len(label_term_ids), may take
    # words only in paragraphs that contain one of the term ids label_term_ids[s]; in training,
    # not in the held-out ones (held_out_rows), on which its validity is measured.
    label_term_ids: Sequence[Sequence[int]] = ()
    # Told the number of paragraphs of each training chunk once its E-step is done (progress).
    on_chunk: Callable[[int], None] | None = None

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        for name in ("workers", "on_chunk"):  # a pool, a progress meter: not part of the model
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
        """gensim's M-step without exp(E[log beta]) (see below) and the two things it does only for
        its log: the topics' change (one more ``Elogbeta`` of all topics and terms per chunk) and
        ``print_topics``, about 15% of training on a large vocabulary. ``print_topics(5)`` draws
        from the model's random state, and later random starts come from it, so that draw is
        still made."""
        self.state.blend(rho, other)
        # exp(E[log beta]) is computed where the next chunk's E-step uses it, by each process on
        # its paragraphs' terms (a quarter of the vocabulary, in parallel), not here for every
        # topic and term (a sixth of a chunk's time in one process); update() completes it.
        self.expElogbeta = None
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
        allowed[:, :len(self.label_term_ids)] = labelled_rows(counts, self.label_term_ids, holdout)
        return allowed

    def inference(self, chunk, collect_sstats=False):
        """gensim's ``inference`` (training, ``bound``), labelled topics held out as in training."""
        counts = bow_matrix(list(chunk), self.num_terms, self.dtype)
        return self.infer_counts(counts, collect_sstats, self.allowed_topics(counts))

    def update(self, corpus, *args, **kwargs) -> None:
        """gensim's ``update``, with exp(E[log beta]) computed for every topic and term at its end."""
        super().update(corpus, *args, **kwargs)
        if self.expElogbeta is None:
            self.expElogbeta = expected_topic_words(*self._lambda_and_totals())

    def _lambda_and_totals(self) -> tuple[np.ndarray, np.ndarray]:
        lam = self.state.get_lambda()
        return lam, psi(lam.sum(axis=1))

    def infer_counts(self, counts, collect_sstats: bool = False, allowed: np.ndarray | None = None,
                     random_state: np.random.RandomState | None = None):
        """:meth:`inference` on a sparse documents x terms ``counts`` matrix."""
        n = counts.shape[0]
        # the same random start as gensim's, from the model's own random state
        gamma = (random_state or self.random_state).gamma(100., 1. / 100., (n, self.num_topics))
        gamma = gamma.astype(self.dtype, copy=False)
        parts = part_bounds(n)
        # Each process takes consecutive parts: as many groups as processes, each computed at once,
        # on the terms its paragraphs use.
        groups = parts[np.linspace(0, len(parts) - 1, min(self.workers.jobs, len(parts) - 1) + 1).astype(int)]
        topics, psi_totals = (self.expElogbeta, None) if self.expElogbeta is not None else self._lambda_and_totals()
        tasks, group_terms = [], []
        for a, b in zip(groups, groups[1:]):
            local, terms = on_used_terms(counts[a:b])
            group_terms.append(terms)
            tasks.append((topics[:, terms], psi_totals, self.alpha, local, gamma[a:b], self.iterations,
                          self.gamma_threshold, parts[(parts >= a) & (parts <= b)] - a if collect_sstats else None,
                          None if allowed is None else allowed[a:b]))
        results = self.workers.map(_e_step_group, tasks)
        gamma = np.concatenate([group_gamma for group_gamma, _, _ in results])
        if not collect_sstats:
            return gamma, None
        stats = (PartStatistics(terms[part.terms], part.values)
                 for terms, (_, group, _) in zip(group_terms, results) for part in group)
        used = ((terms, task[0] if beta is None else beta)
                for terms, task, (_, _, beta) in zip(group_terms, tasks, results))
        return gamma, summed_statistics(stats, used, self.num_terms, self.num_topics, self.dtype)


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
