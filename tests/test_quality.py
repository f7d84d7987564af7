"""Topic quality: NPMI as gensim computes it, topic matching across seeds, the K-choice rule on a
corpus with planted topics, and the quality outputs of `make topics` on the seeds."""
from __future__ import annotations

import csv
import logging
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import run_make
from pipeline.lda import LdaParams, topic_term_matrix, train_lda
from pipeline.quality import (Cooccurrence, KSummary, choose_k, completion_perplexity, exclusivity_per_topic, frex,
                              match_topics, npmi_per_topic, relevance, representative, summarise_sweep,
                              sweep_models, top_words, topic_diversity, topic_stability)

logging.getLogger("gensim").setLevel(logging.WARNING)


def planted_corpus(k: int = 5, n_docs: int = 150, length: int = 40, words_per_topic: int = 20,
                   noise: float = 0.1, seed: int = 0) -> list[list[str]]:
    """Paragraphs drawn from ``k`` topics with disjoint vocabularies (Zipf-like within a topic),
    sparse mixes (Dirichlet 0.1), and a share of noise words spread over 200 others."""
    rng = np.random.default_rng(seed)
    zipf = 1 / np.arange(1, words_per_topic + 1)
    zipf /= zipf.sum()
    docs = []
    for _ in range(n_docs):
        mix = rng.dirichlet([0.1] * k)
        doc = []
        for _ in range(length):
            if rng.random() < noise:
                doc.append(f"noise{rng.integers(200)}")
            else:
                doc.append(f"t{rng.choice(k, p=mix)}w{rng.choice(words_per_topic, p=zipf)}")
        docs.append(doc)
    return docs


def read_table(path: Path) -> list[dict[str, str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf"), f"{path.name} lacks the UTF-8 BOM"
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


# ---- measures ---------------------------------------------------------------------------------


def test_npmi_equals_gensim_c_npmi():
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    rng = np.random.default_rng(1)
    vocab = [f"w{i}" for i in range(60)]
    # No word twice in a text: gensim's window bookkeeping then counts exactly as the definition.
    texts = [list(rng.choice(vocab, size=rng.integers(3, 25), replace=False)) for _ in range(80)]
    topics = [list(rng.choice(vocab, size=10, replace=False)) for _ in range(4)]
    dictionary = Dictionary(texts)
    expected = CoherenceModel(topics=topics, texts=texts, dictionary=dictionary, coherence="c_npmi",
                              topn=10, processes=1).get_coherence_per_topic()
    assert npmi_per_topic(topics, texts) == pytest.approx(expected, abs=1e-9)


def test_npmi_extremes_and_unknown_words():
    texts = [["a", "b"], ["a", "b"], ["c", "d"], ["c", "d"]]
    cooc = Cooccurrence.from_texts(texts, ["a", "b", "c", "never"])
    assert cooc.npmi("a", "b") == pytest.approx(1.0, abs=1e-6)  # always together
    assert cooc.npmi("a", "c") < -0.9  # never together
    assert cooc.npmi("a", "never") == -1.0  # absent from the reference: the minimum


def test_diversity_exclusivity_relevance_frex():
    assert topic_diversity([["a", "b"], ["c", "d"]]) == 1.0
    assert topic_diversity([["a", "b"], ["a", "b"]]) == 0.5
    phi = np.array([[0.7, 0.1, 0.1, 0.1], [0.1, 0.1, 0.1, 0.7]])
    assert exclusivity_per_topic(phi, 1) == pytest.approx([0.875, 0.875])
    shared = np.array([[0.5, 0.5], [0.5, 0.5]])
    assert exclusivity_per_topic(shared, 2) == pytest.approx([0.5, 0.5])
    # Relevance with lambda < 1 demotes a word that is frequent everywhere.
    phi = np.array([[0.40, 0.35, 0.25], [0.40, 0.05, 0.55]])
    frequency = np.array([100.0, 10.0, 20.0])
    assert np.argmax(phi[0]) == 0 and np.argmax(relevance(phi, frequency, 0.6)[0]) == 1
    # FREX: 1 for a word ranked first in both frequency and exclusivity within its topic.
    phi = np.array([[0.30, 0.50, 0.20], [0.50, 0.05, 0.45]])
    scores = frex(phi)
    assert scores[0, 1] == pytest.approx(1.0) and np.all((scores > 0) & (scores <= 1))


def test_completion_perplexity_rewards_the_true_topics():
    docs = planted_corpus(k=2, n_docs=30, length=30, noise=0.0, seed=3)
    vocab = sorted({w for d in docs for w in d})
    index = {w: i for i, w in enumerate(vocab)}
    bows = [sorted(__import__("collections").Counter(index[w] for w in d).items()) for d in docs]
    true_phi = np.array([[1.0 if w.startswith(f"t{t}") else 1e-9 for w in vocab] for t in range(2)])
    true_phi /= true_phi.sum(axis=1, keepdims=True)

    def infer(bow):  # the topic of the observed half's words, smoothed
        mass = np.array([sum(c for term, c in bow if vocab[term].startswith(f"t{t}")) for t in range(2)]) + 0.1
        return mass / mass.sum()

    uniform = np.full((2, len(vocab)), 1 / len(vocab))
    assert completion_perplexity(true_phi, bows, infer) < completion_perplexity(uniform, bows, infer) == pytest.approx(len(vocab))


def test_representative_paragraphs_are_the_topics_strongest():
    theta = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.9, 0.1]])
    assert representative(theta, 2) == [[0, 3], [1, 2]]  # ties by row order


# ---- matching topics across seeds -------------------------------------------------------------


def test_match_topics_recovers_a_permutation():
    reference = [["a", "b", "c"], ["d", "e", "f"], ["g", "h", "i"]]
    other = [["g", "h", "x"], ["a", "b", "c"], ["d", "e", "f"]]
    assert match_topics(reference, other) == [(1, 1.0), (2, 1.0), (0, 0.5)]
    # Greedy matching would pair topic 0 with the first close topic; Hungarian maximises the total.
    reference = [["a", "b"], ["a", "c"]]
    other = [["a", "c"], ["a", "b", "c"]]
    pairs = match_topics(reference, other)
    assert sorted(p for p, _ in pairs) == [0, 1] and pairs[1] == (0, 1.0)


def test_match_topics_with_fewer_topics_leaves_some_unmatched():
    assert match_topics([["a"], ["b"], ["c"]], [["b"]]) == [(-1, 0.0), (0, 1.0), (-1, 0.0)]


def test_planted_topics_are_stable_across_seeds():
    from gensim.corpora import Dictionary

    docs = planted_corpus(k=3, n_docs=80, length=30, seed=4)
    dictionary = Dictionary(docs)
    bows = [dictionary.doc2bow(d) for d in docs]
    vocab = [dictionary[i] for i in range(len(dictionary))]
    runs = [top_words(topic_term_matrix(train_lda(bows, dictionary, len(bows), LdaParams(k=3, seed=s, passes=15, no_below=1))),
                      vocab, 5) for s in (1, 2, 3)]
    stability = topic_stability(runs[0], runs[1:])
    assert stability.min() > 0.6, stability
    # Each matched topic is the same planted topic (all top words share its prefix).
    for run in runs[1:]:
        for t, (other, _) in enumerate(match_topics(runs[0], run)):
            assert {w[:2] for w in runs[0][t]} == {w[:2] for w in run[other]}


# ---- choosing K -------------------------------------------------------------------------------


def summary(k, npmi, se=0.01, diversity=0.9, n=3):
    return KSummary(k, n, npmi, se, 0.5, diversity, 0.8, 100.0)


def test_choose_k_one_standard_error_rule():
    sweep = [summary(3, 0.10), summary(4, 0.195), summary(5, 0.20), summary(6, 0.18)]
    assert choose_k(sweep) == 4  # within one SE of the best (5), and simpler
    sweep = [summary(3, 0.10), summary(4, 0.15), summary(5, 0.20)]
    assert choose_k(sweep) == 5
    # A K whose topics repeat each other is not eligible, however coherent.
    sweep = [summary(3, 0.10), summary(4, 0.30, diversity=0.3), summary(5, 0.12)]
    assert choose_k(sweep) == 5


def test_summarise_sweep_means_and_standard_errors():
    rows = [{"k": k, "npmi": v, "c_v": 0.5, "diversity": 1.0, "exclusivity": 0.9, "perplexity": 10.0}
            for k, v in ((3, 0.1), (3, 0.3), (4, 0.2), (4, 0.2))]
    s3, s4 = summarise_sweep(rows)
    assert (s3.k, s3.n_models, s3.npmi, s4.npmi_se) == (3, 2, pytest.approx(0.2), 0.0)
    assert s3.npmi_se == pytest.approx(np.std([0.1, 0.3], ddof=1) / np.sqrt(2))


def test_k_sweep_recovers_the_planted_k():
    from gensim.corpora import Dictionary

    docs = planted_corpus(k=5, seed=0)
    dictionary = Dictionary(docs)
    bows = [dictionary.doc2bow(d) for d in docs]
    held = np.arange(len(bows)) % 5 == 0
    start = time.perf_counter()
    rows = sweep_models([b for b, h in zip(bows, held) if not h], [b for b, h in zip(bows, held) if h], dictionary,
                        docs, LdaParams(seed=1, passes=20, no_below=1), range(3, 8), n_seeds=3, jobs=2)
    summaries = summarise_sweep(rows)
    assert choose_k(summaries) == 5, [(s.k, round(s.npmi, 3)) for s in summaries]
    assert {r["k"] for r in rows} == {3, 4, 5, 6, 7} and len(rows) == 15
    # Too few topics merge planted ones: clearly less coherent; perplexity falls towards the truth.
    by_k = {s.k: s for s in summaries}
    assert by_k[3].npmi < by_k[5].npmi - 0.05
    assert by_k[3].perplexity > by_k[5].perplexity
    assert time.perf_counter() - start < 60


# ---- outputs of make topics ---------------------------------------------------------------------


def test_quality_outputs_on_the_seeds(seed_output):
    quality = seed_output / "quality"
    descriptions = read_table(quality / "topic_descriptions.csv")
    k = len(descriptions)
    assert k == len({r["topic"] for r in read_table(seed_output / "lda" / "topics.csv")})
    assert sum(float(r["share"]) for r in descriptions) == pytest.approx(1.0, abs=1e-4)
    for row in descriptions:
        assert 0.0 <= float(row["stability"]) <= 1.0
        assert -1.0 <= float(row["npmi"]) <= 1.0
        assert row["auto_label"].startswith(f"T{row['topic']} ")
        assert len(row["top_words"].split()) == 10 and len(row["frex_words"].split()) == 10

    stability = read_table(quality / "stability.csv")
    assert len(stability) == k * 4  # four more runs (RUNS=5), one row per topic and run
    for seed in {r["run_seed"] for r in stability}:  # matching is one-to-one within each run
        matched = [r["matched_topic"] for r in stability if r["run_seed"] == seed]
        assert sorted(matched) == sorted({*matched})

    words = read_table(quality / "topic_words.csv")
    assert {r["ranking"] for r in words} == {"probability", "relevance", "frex"}
    assert len(words) == 3 * k * 10

    paragraphs = read_table(quality / "representative_paragraphs.csv")
    assert len(paragraphs) == 5 * k
    assert all(r["text"] and r["year"] and r["place"] for r in paragraphs)
    assert sum(1 for r in paragraphs if r["section"]) > len(paragraphs) / 2
    for t in range(1, k + 1):
        weights = [float(r["weight"]) for r in paragraphs if r["topic"] == str(t)]
        assert weights == sorted(weights, reverse=True)
    assert (quality / "topic_quality.png").stat().st_size > 0
    assert not (quality / "k_sweep.csv").exists()  # K was fixed


@pytest.mark.slow
def test_k_auto_on_the_seeds_within_budget(tmp_path):
    output = tmp_path / "out"
    start = time.perf_counter()
    run_make("topics", "K=auto", f"OUTPUT={output}")
    seconds = time.perf_counter() - start
    assert seconds < 180, f"make topics K=auto took {seconds:.0f} s"
    sweep = read_table(output / "quality" / "k_sweep_summary.csv")
    chosen = [int(r["k"]) for r in sweep if r["chosen"] == "1"]
    assert len(chosen) == 1
    assert len(read_table(output / "quality" / "topic_descriptions.csv")) == chosen[0]
    assert f"K chosen: {chosen[0]}" in (output / "quality" / "k_choice.txt").read_text(encoding="utf-8")
    # A fixed K afterwards: the sweep's outputs are stale and removed.
    run_make("topics", "K=6", f"OUTPUT={output}")
    assert not (output / "quality" / "k_sweep.csv").exists()
    assert len(read_table(output / "quality" / "topic_descriptions.csv")) == 6
