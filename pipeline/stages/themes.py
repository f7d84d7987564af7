"""themes: clean/ + lda/ -> themes/: every occurrence of a tracked theme in context
(theme_contexts.csv), counts per report and term (theme_counts.csv, written last, and
theme_term_counts.csv), when and where each theme is taken up (theme_adoption*.csv), and the
topics that carry each theme (theme_topics.csv)."""
from __future__ import annotations

import numpy as np

from ..artifacts import (PARAGRAPHS, THEME_ADOPTION, THEME_ADOPTION_BY_PROVINCE, THEME_CONTEXTS, THEME_COUNTS,
                         THEME_TERM_COUNTS, THEME_TOPICS, TOPIC_SUMMARY, Run)
from ..params import BootstrapParams, Inputs
from ..text.adoption import adoption_rows
from ..text.places import place_name
from ..text.structure import section_name
from ..text.themes import CONTEXT_CHARS, load_themes, theme_matcher, theme_topics
from ..topics.train import topic_term_matrix


def run(run: Run, inputs: Inputs, boot: BootstrapParams) -> None:
    themes = load_themes(inputs.themes)
    pattern, owner = theme_matcher(themes)
    extra, doc_rows = run.document_info()
    documents = run.documents()
    place_of = {d: place_name(row) for d, row in documents.items()}

    term_counts: dict[str, dict[str, int]] = {doc_id: dict.fromkeys(owner, 0) for doc_id in doc_rows}
    chars: dict[str, int] = dict.fromkeys(doc_rows, 0)
    with run.table(THEME_CONTEXTS) as contexts:
        for row in run.rows(PARAGRAPHS):
            doc_id, text = row["doc_id"], row["text"]
            chars[doc_id] += len(text)
            for match in pattern.finditer(text):
                term = match.group(0)
                term_counts[doc_id][term] += 1
                contexts.write([owner[term], term, doc_id, documents[doc_id].get("year", ""), place_of[doc_id],
                                section_name(row), text[max(0, match.start() - CONTEXT_CHARS):match.start()], term,
                                text[match.end():match.end() + CONTEXT_CHARS]])
    counts = {doc_id: {t.name: sum(c[term] for term in t.terms) for t in themes} for doc_id, c in term_counts.items()}

    model, dictionary = run.load_model()
    share = np.array([float(r["share"]) for r in run.rows(TOPIC_SUMMARY)])
    rows = theme_topics(themes, topic_term_matrix(model), share, dictionary.token2id)
    missing = [t.name for t in themes if not any(term in dictionary.token2id for term in t.terms)]
    if missing:
        run.log(f"themes: not in the topic model's vocabulary (too rare or not one token): {', '.join(missing)}")
    run.write_rows(THEME_TOPICS, rows)
    run.write_rows(THEME_TERM_COUNTS, ([doc_id, theme.name, term, by_term[term]]
                                       for doc_id, by_term in term_counts.items() for theme in themes for term in theme.terms))
    _write_adoption(run, documents, place_of, counts, [t.name for t in themes], boot)
    with run.table(THEME_COUNTS, extra) as table:
        for doc_id, theme_counts in counts.items():
            for theme in themes:
                n = theme_counts[theme.name]
                table.write([doc_id, *doc_rows[doc_id], theme.name, n, 1e4 * n / chars[doc_id] if chars[doc_id] else 0.0])
        run.write_params(inputs, boot)
    found = {t.name: sum(1 for c in counts.values() if c[t.name]) for t in themes}
    run.log("themes: reports mentioning each theme: " + ", ".join(f"{k} {v}/{len(counts)}" for k, v in found.items()))


def _write_adoption(run: Run, documents: dict, place_of: dict[str, str], counts: dict[str, dict[str, int]],
                    names: list[str], boot: BootstrapParams) -> None:
    """theme_adoption.csv over all reports, and by province over the reports whose province is known."""
    def table(doc_ids: list[str]):
        mentioned = np.array([[counts[d][name] > 0 for name in names] for d in doc_ids], dtype=bool).reshape(-1, len(names))
        year_of = {d: documents[d].get("year", "") for d in doc_ids}
        return adoption_rows(doc_ids, year_of, place_of, mentioned, names, boot.boot_seed, boot.n_boot, boot.min_reports)

    run.write_rows(THEME_ADOPTION, table(list(counts)))
    provinces = sorted({documents[d].get("province", "") for d in counts} - {""})
    run.write_rows(THEME_ADOPTION_BY_PROVINCE, ([province, *row] for province in provinces
                                                for row in table([d for d in counts
                                                                  if documents[d].get("province") == province])))
