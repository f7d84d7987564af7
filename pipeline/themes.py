"""Stage 5, themes: literal theme counts per report, and the LDA topics that carry each theme."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from .files import CsvTable, PipelineError, read_csv, write_csv


@dataclass(frozen=True)
class Theme:
    """A tracked theme: its name and the aliases that count for it."""

    name: str
    aliases: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def parse_themes(lines: Iterable[str]) -> list[Theme]:
    """Parse ``name = alias, alias`` lines (already stripped of comments)."""
    themes = []
    for line in lines:
        name, _, aliases = line.partition("=")
        alias_list = tuple(a.strip() for a in re.split(r"[,，、]", aliases) if a.strip())
        themes.append(Theme(name.strip(), alias_list))
    return themes


def load_themes(path: str | Path) -> list[Theme]:
    from .files import read_word_list

    themes = parse_themes(read_word_list(path))
    if not themes:
        raise PipelineError(f"{path}: no themes defined")
    return themes


def theme_matcher(themes: list[Theme]) -> tuple[re.Pattern, dict[str, str]]:
    """One regex over every term, longest first (so 综合行政执法改革 is not also 综合行政执法)."""
    owner = {term: theme.name for theme in themes for term in theme.terms}
    pattern = re.compile("|".join(re.escape(term) for term in sorted(owner, key=lambda t: (-len(t), t))))
    return pattern, owner


def count_themes(text: str, themes: list[Theme]) -> dict[str, int]:
    """Non-overlapping occurrences of each theme (name or alias) in ``text``."""
    pattern, owner = theme_matcher(themes)
    counts = dict.fromkeys((theme.name for theme in themes), 0)
    for match in pattern.finditer(text):
        counts[owner[match.group(0)]] += 1
    return counts


def theme_topics(themes: list[Theme], phi: np.ndarray, topic_prevalence: np.ndarray, token_ids: dict[str, int]) -> list[tuple[str, int, float, float]]:
    """For each theme and topic: ``(theme, topic, term_weight, topic_share)``.

    term_weight is P(theme terms | topic), the summed probability of the theme's terms in the
    topic; topic_share is P(topic | theme terms), by Bayes' rule with the corpus-wide topic
    prevalence, i.e. the share of the theme's occurrences the model attributes to the topic.
    Themes none of whose terms are in the model's vocabulary get no rows.
    """
    rows = []
    for theme in themes:
        ids = [token_ids[t] for t in theme.terms if t in token_ids]
        if not ids:
            continue
        term_weight = phi[:, ids].sum(axis=1)
        joint = term_weight * topic_prevalence
        share = joint / joint.sum() if joint.sum() > 0 else joint
        rows.extend((theme.name, t + 1, float(term_weight[t]), float(share[t])) for t in range(phi.shape[0]))
    return rows


def run_themes(output_dir: str | Path, themes_path: str | Path, log=print) -> None:
    """clean/paragraphs.csv + lda/ -> themes/: theme_counts.csv (per report and theme, written
    last), theme_term_counts.csv (per report and term) and theme_topics.csv."""
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    from .lda import topic_term_matrix
    from .metadata import document_info

    out = Path(output_dir)
    themes = load_themes(themes_path)
    pattern, owner = theme_matcher(themes)
    doc_columns, doc_rows = document_info(out)

    term_counts: dict[str, dict[str, int]] = {doc_id: dict.fromkeys(owner, 0) for doc_id in doc_rows}
    chars: dict[str, int] = dict.fromkeys(doc_rows, 0)
    for row in read_csv(out / "clean" / "paragraphs.csv"):
        chars[row["doc_id"]] += len(row["text"])
        for match in pattern.finditer(row["text"]):
            term_counts[row["doc_id"]][match.group(0)] += 1
    counts = {doc_id: {t.name: sum(c[term] for term in t.terms) for t in themes} for doc_id, c in term_counts.items()}

    model = LdaModel.load(str(out / "lda" / "model" / "lda.gensim"))
    dictionary = Dictionary.load(str(out / "lda" / "model" / "dictionary.gensim"))
    phi = topic_term_matrix(model)
    prevalence = np.zeros(model.num_topics)
    for row in read_csv(out / "lda" / "document_topics.csv"):
        prevalence[int(row["topic"]) - 1] += float(row["weight"]) * chars.get(row["doc_id"], 0)
    prevalence /= prevalence.sum()
    rows = theme_topics(themes, phi, prevalence, dictionary.token2id)
    missing = [t.name for t in themes if not any(term in dictionary.token2id for term in t.terms)]
    if missing:
        log(f"themes: not in the topic model's vocabulary (too rare or not one token): {', '.join(missing)}")
    write_csv(out / "themes" / "theme_topics.csv", ("theme", "topic", "term_weight", "topic_share"), rows)

    with CsvTable(out / "themes" / "theme_term_counts.csv", ("doc_id", "theme", "term", "count")) as table:
        for doc_id, by_term in term_counts.items():
            for theme in themes:
                for term in theme.terms:
                    table.write([doc_id, theme.name, term, by_term[term]])
    with CsvTable(out / "themes" / "theme_counts.csv", ("doc_id", *doc_columns, "theme", "count", "per_10k_chars")) as table:
        for doc_id, theme_counts in counts.items():
            for theme in themes:
                n = theme_counts[theme.name]
                table.write([doc_id, *doc_rows[doc_id], theme.name, n, 1e4 * n / chars[doc_id] if chars[doc_id] else 0.0])
    found = {t.name: sum(1 for c in counts.values() if c[t.name]) for t in themes}
    log("themes: reports mentioning each theme: " + ", ".join(f"{k} {v}/{len(counts)}" for k, v in found.items()))
