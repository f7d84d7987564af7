"""lda: segment/tokens.tsv.gz -> lda/: the model, its topics described once (label, share, NPMI,
word rankings, representative paragraphs, the topics that carry each tracked theme), and the
topic mix of every paragraph and report.

Paragraphs are the modelling unit (a handful of reports is far too few documents for LDA); a
report's mix is the token-weighted mean of its paragraphs'. With K=auto the stage first sweeps
K (lda/k_sweep*.csv, k_choice.txt, k_sweep.png) and trains the chosen K.
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from ..artifacts import (CORPUS, CORPUS_INDEX, DOCUMENT_TOPICS, K_CHOICE, K_SWEEP, K_SWEEP_PLOT, K_SWEEP_SUMMARY,
                         KEYWORD_COVERAGE, PARAGRAPH_TOPICS, PARAGRAPHS, REPRESENTATIVE, SEEDED_TOPICS, THEME_TOPICS,
                         THEME_VALIDITY, TOKENS, TOPIC_SUMMARY, TOPIC_WORDS, TOPICS, Run)
from ..files import PipelineError, token_row
from ..figures.sweep import plot_k_sweep
from ..parallel import chunks, ordered_map, worker_map
from ..params import Inputs, LdaParams, SweepParams
from ..progress import progress
from ..text.places import place_name
from ..text.structure import section_name
from ..text.themes import Theme, load_themes, theme_topics
from ..text.tokens import CHUNK_LINES, report_chunks
from ..topics.batch_lda import E_STEP_PARTS
from ..topics.choose_k import choice_note, choose_k, split_holdout, summarise_sweep
from ..topics.corpus import (BowCorpus, CountedParagraphs, ParagraphKeys, count_paragraphs, model_corpus_of,
                             vocabulary)
from ..topics.describe import RepresentativeParagraphs, topic_label, topic_share
from ..topics.ensemble import ModelRun, sweep_models
from ..topics.seeding import KeywordCoverage, SeedTopic, choose_seeds, seed_term_ids
from ..topics.validity import ThemeValidityCounter
from ..topics.measures import NPMI_TOP_N, exclusivity_per_topic, npmi_per_topic, top_words, topic_rankings
from ..topics.prevalence import nan_to_none
from ..topics.train import (check_k, check_seedable, infer_topics, topic_term_matrix, train_lda,
                            training_progress)

RANKED_WORDS = 10  # words per topic in each ranking of topic_words.csv and topic_summary.csv


def _save_corpus(run: Run, corpus: BowCorpus, keys: ParagraphKeys) -> None:
    """lda/corpus.npz (what the stability runs and the report read) and corpus_index.csv.gz (the key
    of each row)."""
    with run.atomic(CORPUS) as tmp:
        corpus.save(tmp)
    run.write_rows(CORPUS_INDEX, ((i, *key) for i, key in enumerate(keys)))


def _sweep_k(run: Run, params: LdaParams, sweep: SweepParams, dictionary, corpus: BowCorpus, texts, seed_ids) -> int:
    """Train ``sweep_seeds`` models per K, write the sweep's tables and figure, return the K chosen."""
    held = split_holdout(len(corpus), sweep.holdout, params.seed)
    n_train = int((~held).sum())
    try:
        ks = sweep.ks(n_train)
    except ValueError as err:
        raise PipelineError(str(err)) from None
    if not ks:
        raise PipelineError(f"K sweep: {n_train} training paragraphs support no K in {sweep.k_range}")
    run.log(f"k sweep: K in {ks[0]}..{ks[-1]}, every other K first, then the chosen K's neighbours; "
            f"{sweep.sweep_seeds} seeds each, one start (no restarts), {n_train} training and {int(held.sum())} "
            f"held-out paragraphs, {run.jobs} jobs")
    folder = run.path(CORPUS).parent
    folder.mkdir(parents=True, exist_ok=True)  # a first run: the sweep comes before any lda/ output
    for stale in folder.glob(".sweep.*"):  # left by a sweep that was killed
        shutil.rmtree(stale, ignore_errors=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".sweep.") as tmp:
        train_path, heldout_path = Path(tmp) / "train.npz", Path(tmp) / "heldout.npz"
        corpus.subset(~held).save(train_path)
        corpus.subset(held).save(heldout_path)
        rows = sweep_models(ModelRun(dictionary, train_path, heldout_path, seed_ids), texts,
                            dataclasses.replace(params, restarts=1), ks, sweep.sweep_seeds, run.jobs)
    summaries = summarise_sweep(rows)
    chosen = choose_k(summaries)
    measures = ("npmi", "diversity", "exclusivity", "perplexity")
    run.write_rows(K_SWEEP, ([r["k"], r["seed"], *(r[m] for m in measures)] for r in rows))
    run.write_rows(K_SWEEP_SUMMARY, ([s.k, s.n_models, s.npmi, s.npmi_se, s.diversity, s.exclusivity, s.perplexity,
                                      int(s.k == chosen)] for s in summaries))
    run.write_text(K_CHOICE, choice_note(summaries, len(seed_ids)))
    run.save_figure(K_SWEEP_PLOT, plot_k_sweep(summaries, rows, chosen))
    best = next(s for s in summaries if s.k == chosen)
    run.log(f"k sweep: chose K={chosen} (NPMI {best.npmi:+.4f}, diversity {best.diversity:.2f}); see {run.path(K_CHOICE)}")
    return chosen


def _remove_sweep(run: Run) -> None:
    """A fixed K makes an earlier sweep's outputs stale."""
    removed = [a for a in (K_SWEEP, K_SWEEP_SUMMARY, K_CHOICE, K_SWEEP_PLOT) if run.exists(a)]
    for artifact in removed:
        run.path(artifact).unlink()
    if removed:
        run.log(f"lda: fixed K; removed the earlier K sweep's {', '.join(Path(a.path).name for a in removed)}")


def _choose_seeds(run: Run, coverage: KeywordCoverage, dictionary, params: LdaParams) -> list[SeedTopic]:
    """Write the keyword coverage and the seeding decisions (before fitting); return the seeds."""
    decisions, seeds = choose_seeds(coverage, dictionary.token2id, coverage.n_paragraphs, params)
    run.write_rows(KEYWORD_COVERAGE, coverage.term_rows(dictionary.token2id))
    topic_of = {seed.theme: i + 1 for i, seed in enumerate(seeds)}
    terms_of = {seed.theme: " ".join(seed.terms) for seed in seeds}
    run.write_rows(SEEDED_TOPICS, ([d.theme, int(d.marked), int(d.seeded), topic_of.get(d.theme, ""), d.paragraphs,
                                    d.reports, terms_of.get(d.theme, ""), d.reason] for d in decisions))
    for d in decisions:
        if d.marked:
            run.log(f"lda: {d.theme}: {'seeded topic T' + str(topic_of[d.theme]) if d.seeded else 'not seeded'}, {d.reason}")
    return seeds


class _CountParagraphs:
    """Counts a chunk of whole reports' token-table lines: the theme terms' coverage and the
    counted paragraphs (forked workers inherit the themes)."""

    def __init__(self, themes: Sequence[Theme]):
        self.themes = themes

    def __call__(self, lines: list[str]) -> tuple[KeywordCoverage, CountedParagraphs]:
        coverage = KeywordCoverage(self.themes)
        return coverage, count_paragraphs(coverage.observe(map(token_row, lines)))


def run(run: Run, inputs: Inputs, params: LdaParams, sweep: SweepParams) -> None:
    logging.getLogger("gensim").setLevel(logging.WARNING)
    themes = load_themes(inputs.themes)
    coverage = KeywordCoverage(themes)

    def counted_paragraphs() -> Iterator[CountedParagraphs]:  # whole reports counted in workers, in order
        with run.reader(TOKENS) as lines:
            for part, paragraphs in ordered_map(_CountParagraphs(themes), report_chunks(lines, CHUNK_LINES), run.jobs):
                coverage.merge(part)
                yield paragraphs

    # Closed however counting ends (Ctrl-C, an error), so the workers and the file go with it.
    with contextlib.closing(counted_paragraphs()) as blocks:
        dictionary, corpus, keys = model_corpus_of(blocks, params)
    seeds = _choose_seeds(run, coverage, dictionary, params)
    if seeds:
        check_seedable(params)
    seed_ids = seed_term_ids(seeds, dictionary.token2id)
    texts = run.reference_texts()
    if params.k == "auto":
        params = dataclasses.replace(params, k=_sweep_k(run, params, sweep, dictionary, corpus, texts, seed_ids))
    else:
        _remove_sweep(run)
    _save_corpus(run, corpus, keys)
    n_paragraphs = len(corpus)
    k = len(seeds) + params.k
    check_k(params.k, n_paragraphs, len(dictionary), len(seeds))
    passes = params.resolved_passes(n_paragraphs)
    starts, start_passes = params.restart_plan(n_paragraphs)
    restarts = f" (best of {starts} starts after {start_passes})" if starts > 1 else ""
    seeded = f" + {len(seeds)} seeded" if seeds else ""
    run.log(f"lda: K={params.k}{seeded}, {n_paragraphs} paragraphs, {len(dictionary)} terms, {passes} passes{restarts}, "
            f"seed {params.seed}")
    # Every core works on the one model: each chunk's E-step in parts (topics/batch_lda.py).
    with worker_map(min(run.jobs, E_STEP_PARTS)) as workers:
        with training_progress(params.total_passes(n_paragraphs), n_paragraphs) as on_chunk:
            model = train_lda(corpus, dictionary, n_paragraphs, params, seed_ids, workers, on_chunk)
        phi = topic_term_matrix(model)
        validity = ThemeValidityCounter([seed.theme for seed in seeds], seed_ids)
        free_starts = np.random.RandomState(params.seed)  # the free inferences' own random starts

        # One streamed inference pass: paragraph rows are written as they come; a report's mix is the
        # token-weighted mean of its paragraphs', accumulated in a reports x K array.
        doc_sums: dict[str, np.ndarray] = {}
        representative = RepresentativeParagraphs(params.n_paragraphs)
        # A row per paragraph, numbered topic columns (the labels come from this pass's measures):
        # a row per paragraph and topic was 230 MB of the output at a gigabyte of text.
        with run.table(PARAGRAPH_TOPICS, trailing=[f"T{t + 1}" for t in range(k)]) as table, \
                progress(total=n_paragraphs, desc="lda: infer", unit="par") as bar:
            for start, chunk_keys, chunk in zip(range(0, n_paragraphs, params.chunksize), chunks(keys, params.chunksize),
                                                chunks(corpus, params.chunksize)):
                thetas = infer_topics(model, chunk)
                for (doc_id, position, n_tokens), theta in zip(chunk_keys, thetas):
                    table.write_keyed_floats((doc_id, position, n_tokens), theta.tolist())
                    if doc_id not in doc_sums:
                        doc_sums[doc_id] = np.zeros(k)
                    doc_sums[doc_id] += theta * n_tokens
                doc_ids, positions, _ = zip(*chunk_keys)
                representative.add(list(doc_ids), positions, thetas)
                if seeds:
                    validity.add(model, corpus.counts[start:start + len(chunk)], thetas, free_starts)
                bar.update(len(chunk))

    # The topics, described once: every later stage and the report read these.
    vocab = vocabulary(dictionary)
    rankings = topic_rankings(phi, corpus.term_frequency(), RANKED_WORDS)
    del corpus, keys  # 360 MB at a gigabyte of text; what follows reads the model and the tables
    measured = validity.results() if seeds else []
    # A seeded topic bears its theme's name only where the measures say it is about the theme.
    verdicts = [v.verdict(params.theme_min_precision, params.theme_min_auc) for v in measured]
    themes = [v.theme if named else "" for v, (named, _) in zip(measured, verdicts)] + [""] * params.k
    own_terms = [set(seed.terms) for seed in seeds] + [set()] * params.k
    labels = [topic_label(t, [vocab[i] for i in rankings["relevance"][0][t] if vocab[i] not in own_terms[t]], themes[t])
              for t in range(k)]
    npmi = npmi_per_topic(top_words(phi, vocab, NPMI_TOP_N), texts)
    exclusivity = exclusivity_per_topic(phi, NPMI_TOP_N)
    totals = np.array([sums.sum() for sums in doc_sums.values()])
    mixes = np.array([sums / sums.sum() for sums in doc_sums.values()])
    share = topic_share(mixes, totals)

    run.save_model(model, dictionary)
    run.write_params(inputs, params, sweep)
    # A word the topic holds less than half a token of is there by the prior alone (a theme's topic
    # of a few thousand tokens has such words from about its 20th on): not listed.
    learned = model.state.get_lambda() - model.eta
    run.write_rows(TOPICS, ((t + 1, labels[t], r + 1, vocab[term], float(phi[t, term]))
                            for t in range(k) for r, term in enumerate(np.argsort(-phi[t], kind="stable")[:params.n_words])
                            if learned[t, term] >= 0.5))
    run.write_rows(TOPIC_WORDS, ((t + 1, labels[t], name, r + 1, vocab[ids[t, r]], float(scores[t, r]))
                                 for name, (ids, scores) in rankings.items() for t in range(k) for r in range(ids.shape[1])))
    joined = {name: [" ".join(vocab[i] for i in ids[t]) for t in range(k)] for name, (ids, _) in rankings.items()}
    run.write_rows(THEME_VALIDITY, ((v.theme, v.topic + 1, labels[v.topic], v.named_paragraphs, v.held_out, v.top_named,
                                     nan_to_none(v.precision), nan_to_none(v.masked_auc), int(named), reason,
                                     " ".join(f"{t + 1}:{weight:.3f}" for t, weight in v.carried_by))
                                    for v, (named, reason) in zip(measured, verdicts)))
    for v, (named, reason) in zip(measured, verdicts):
        run.log(f"lda: {v.theme}: on the {v.held_out} held-out paragraphs naming it, theme precision {v.precision:.2f}, "
                f"masked AUC {v.masked_auc:.2f}: {'named' if named else 'not named'}, {reason}")
    run.write_rows(TOPIC_SUMMARY, ((t + 1, labels[t], themes[t], float(share[t]), float(npmi[t]),
                                    float(exclusivity[t]), joined["probability"][t], joined["relevance"][t],
                                    joined["frex"][t]) for t in range(k)))
    _write_representative(run, representative.chosen(), labels)
    run.write_rows(THEME_TOPICS, theme_topics(coverage.themes, phi, share, dictionary.token2id))
    missing = [t.name for t in coverage.themes if not any(term in dictionary.token2id for term in t.terms)]
    if missing:
        run.log(f"lda: themes not in the model's vocabulary (too rare or not one token): {', '.join(missing)}")

    extra, doc_rows = run.document_info()
    with run.table(DOCUMENT_TOPICS, extra, trailing=labels) as table:  # a row per report: Excel opens it
        for (doc_id, mix), n_tokens in zip(zip(doc_sums, mixes), totals):
            table.write([doc_id, *doc_rows[doc_id], round(n_tokens), *map(float, mix)])
    run.log(f"lda: mean NPMI {np.mean(npmi):+.4f}; topics in {run.path(TOPIC_SUMMARY)}")


def _write_representative(run: Run, chosen: dict[int, list[tuple[float, str, int]]], labels: list[str]) -> None:
    wanted = {(doc_id, position) for items in chosen.values() for _, doc_id, position in items}
    paragraphs = {(r["doc_id"], int(r["position"])): r for r in run.rows(PARAGRAPHS)
                  if (r["doc_id"], int(r["position"])) in wanted}
    documents = run.documents()
    rows = []
    for t, items in chosen.items():
        for rank, (weight, doc_id, position) in enumerate(items, 1):
            paragraph, document = paragraphs.get((doc_id, position), {}), documents.get(doc_id, {})
            rows.append([t + 1, labels[t], rank, weight, doc_id, document.get("title", ""), document.get("year", ""),
                         place_name(document), section_name(paragraph), position, paragraph.get("text", "")])
    run.write_rows(REPRESENTATIVE, rows)
