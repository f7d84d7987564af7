"""themes: clean/paragraphs.csv + lda/ -> themes/: theme_counts.csv (per report and theme,
written last), theme_term_counts.csv (per report and term) and theme_topics.csv."""
from __future__ import annotations

import numpy as np

from ..artifacts import PARAGRAPHS, THEME_COUNTS, THEME_TERM_COUNTS, THEME_TOPICS, TOPIC_SUMMARY, Run
from ..params import Inputs
from ..text.themes import load_themes, theme_matcher, theme_topics
from ..topics.train import topic_term_matrix


def run(run: Run, inputs: Inputs) -> None:
    themes = load_themes(inputs.themes)
    pattern, owner = theme_matcher(themes)
    extra, doc_rows = run.document_info()

    term_counts: dict[str, dict[str, int]] = {doc_id: dict.fromkeys(owner, 0) for doc_id in doc_rows}
    chars: dict[str, int] = dict.fromkeys(doc_rows, 0)
    for row in run.rows(PARAGRAPHS):
        chars[row["doc_id"]] += len(row["text"])
        for match in pattern.finditer(row["text"]):
            term_counts[row["doc_id"]][match.group(0)] += 1
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
    with run.table(THEME_COUNTS, extra) as table:
        for doc_id, theme_counts in counts.items():
            for theme in themes:
                n = theme_counts[theme.name]
                table.write([doc_id, *doc_rows[doc_id], theme.name, n, 1e4 * n / chars[doc_id] if chars[doc_id] else 0.0])
        run.write_params(inputs)
    found = {t.name: sum(1 for c in counts.values() if c[t.name]) for t in themes}
    run.log("themes: reports mentioning each theme: " + ", ".join(f"{k} {v}/{len(counts)}" for k, v in found.items()))
