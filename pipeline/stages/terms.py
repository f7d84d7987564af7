"""terms: what the user is proposed to add to their lists, and the commands that add it.

- terms/term_candidates.csv (from terms/mined_terms.csv.gz): the best mined candidates that no
  stopword starts or ends and the dictionary does not have yet; accept-terms appends the ones a
  user marked to the domain dictionary.
- terms/stopword_candidates.csv (from segment/vocabulary.csv and the model): the words in most
  reports that tell no topic apart; accept-stopwords appends the marked ones to the genre
  stopword list.

Both are small: the stage takes seconds. The model's word counts come from the filter stage's
vocabulary, so no stage reads the tokens again for them (the wording stage, which ranks what
themes are said with, then need not wait for the model)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from ..artifacts import DOCUMENTS, MINED_TERMS, PARAGRAPHS, STOPWORD_CANDIDATES, TERM_CANDIDATES, VOCABULARY, Run
from ..files import PipelineError, unguard
from ..params import Inputs, TermParams
from ..text.divisions import load_divisions
from ..text.themes import load_themes, tracked_terms
from ..text.tokens import load_domain_terms, read_stopwords
from ..topics.terms import ACCEPT_HEADER, added_note, append_to_list, check_term, marked_in, proposable, swallowed_terms
from ..topics.wording import corpus_places, normalized_entropy

STOPWORD_HEADER = "# --- accepted from the stopword suggestions (make accept-stopwords) ---"


def run(run: Run, inputs: Inputs, params: TermParams) -> None:
    stopwords = read_stopwords(inputs.stopwords)
    known = {term for term, _ in load_domain_terms(inputs.dictionary)}
    protected = tracked_terms(load_themes(inputs.themes))
    ranked = [r for r in run.rows(MINED_TERMS) if proposable(r["parts"].split(), stopwords, known)]
    run.write_params(inputs, params)
    documents = list(run.rows(DOCUMENTS))
    places = corpus_places(documents, load_divisions(tuple(Path(p) for p in inputs.divisions)))
    # Every report in documents.csv has paragraphs (clean skips one with none left), so a line in the tokens.
    _write_stopword_candidates(run, len(documents), known, places | frozenset(protected), params)
    # The stage's target, written last.
    with run.table(TERM_CANDIDATES) as table:
        for rank, r in enumerate(ranked[:params.top], 1):
            table.write([rank, r["term"], r["parts"], r["count"], r["n_reports"], r["cohesion_bits"], r["freedom_bits"],
                         r["score"], " ".join(swallowed_terms(r["term"], protected)), r["example_report"], r["example"],
                         r["example_2"], ""])
    top = ", ".join(r["term"] for r in ranked[:10])
    run.log(f"terms: {len(ranked)} candidate terms (top {min(params.top, len(ranked))} in {run.path(TERM_CANDIDATES)}): "
            f"{top} ...")


def accept(run: Run, inputs: Inputs, terms: Sequence[str] = (), force: bool = False) -> list[str]:
    """Append ``terms`` (or, with none given, the candidates marked in the accept column) to the
    first domain dictionary; returns the terms added."""
    terms = list(terms) or marked_in(run.require(TERM_CANDIDATES))
    if not terms:
        raise PipelineError(f"no terms to add: name them (TERMS=\"词1 词2\") or mark them in the 'accept' column "
                            f"of {run.path(TERM_CANDIDATES)}")
    problems = [f"{t}: {why}" for t in terms if (why := check_term(t))]
    if not force:
        protected = tracked_terms(load_themes(inputs.themes))
        problems += [f"{t}: contains the tracked theme term(s) {', '.join(s)}, which would stop being tokens "
                     f"(use --force to add anyway)" for t in terms if (s := swallowed_terms(t, protected))]
    if problems:
        raise PipelineError("not added:\n  " + "\n  ".join(problems))
    path = Path(inputs.dictionary[0])
    added = append_to_list(path, terms, ACCEPT_HEADER)
    run.log(added_note("accept-terms", path, terms, added, "resegment with them"))
    return added


def _write_stopword_candidates(run: Run, n_reports: int, known: set[str], excluded: frozenset[str],
                               params: TermParams) -> None:
    """stopword_candidates.csv: of the model's words (no dictionary term, place or theme term) in
    at least ``stopword_report_share`` of the ``n_reports`` reports, the ``stopword_top`` with the
    highest report share times spread over the topics (the normalised entropy of the word's
    expected topic assignments in the model)."""
    model, dictionary = run.load_model()
    expected = model.state.sstats  # topics x words: the words' expected topic assignments
    n_reports = max(1, n_reports)
    vocabulary = {unguard(r["token"]): (int(r["count"]), int(r["n_documents"])) for r in run.rows(VOCABULARY)
                  if int(r["n_documents"]) / n_reports >= params.stopword_report_share}  # the frequent few
    frequent = [w for w in vocabulary if w in dictionary.token2id and w not in known and w not in excluded]
    ids = [dictionary.token2id[w] for w in frequent]
    by_topic = expected[:, ids].T if ids else np.zeros((0, expected.shape[0]))
    spread = normalized_entropy(by_topic)
    share = {w: vocabulary[w][1] / n_reports for w in frequent}
    candidates = sorted(range(len(frequent)),
                        key=lambda i: (-share[frequent[i]] * spread[i], frequent[i]))[:params.stopword_top]
    examples = _examples(run, [frequent[i] for i in candidates])
    rows = []
    for rank, i in enumerate(candidates, 1):
        word, top = frequent[i], int(np.argmax(by_topic[i]))
        rows.append([rank, word, round(share[word], 4), round(float(spread[i]), 4), top + 1,
                     round(float(by_topic[i, top] / by_topic[i].sum()), 4), vocabulary[word][0],
                     examples.get(word, ""), ""])
    run.write_rows(STOPWORD_CANDIDATES, rows)
    run.log(f"terms: {len(rows)} stopword candidates (in >= {params.stopword_report_share:.0%} of the reports, "
            f"spread most evenly over the topics) in {run.path(STOPWORD_CANDIDATES)}: "
            + " ".join(r[1] for r in rows[:10]))


def _examples(run: Run, words: list[str], width: int = 30) -> dict[str, str]:
    """A stretch of text around the first occurrence of each word."""
    found: dict[str, str] = {}
    missing = set(words)
    for row in run.rows(PARAGRAPHS):
        text = row["text"]
        for word in [w for w in missing if w in text]:
            at = text.index(word)
            found[word] = text[max(0, at - width):at + len(word) + width]
            missing.discard(word)
        if not missing:
            break
    return found


def genre_list(inputs: Inputs) -> Path:
    """Where accepted stopwords go: the last stopword list given (stopwords/genre.txt by
    default; in a folder, its genre.txt)."""
    last = Path(inputs.stopwords[-1])
    return last / "genre.txt" if last.is_dir() else last


def accept_stopwords(run: Run, inputs: Inputs, words: Sequence[str] = ()) -> list[str]:
    """Append ``words`` (or, with none given, the candidates marked in the accept column) to the
    genre stopword list; returns the words added."""
    words = list(words) or marked_in(run.require(STOPWORD_CANDIDATES))
    if not words:
        raise PipelineError(f"no words to add: name them (WORDS=\"工作 推进\") or mark them in the 'accept' column "
                            f"of {run.path(STOPWORD_CANDIDATES)}")
    clashes = [w for w in words if w in tracked_terms(load_themes(inputs.themes))]
    if clashes:
        raise PipelineError(f"not added: {' '.join(clashes)} is a tracked theme term (config/themes.txt)")
    path = genre_list(inputs)
    added = append_to_list(path, words, STOPWORD_HEADER)
    run.log(added_note("accept-stopwords", path, words, added, "model without them"))
    return added
