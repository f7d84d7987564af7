"""Tracked themes (config/themes.txt): names with aliases, counted literally in the text, and
the topics that carry them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from ..files import PipelineError, read_word_list


@dataclass(frozen=True)
class Theme:
    """A tracked theme: its name and the aliases that count for it."""

    name: str
    aliases: tuple[str, ...] = ()
    seeded: bool = False  # marked "*" in themes.txt: the topic model gives it a topic of its own

    @property
    def terms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


CONTEXT_CHARS = 40  # characters either side of an occurrence in theme_contexts.csv
SEED_MARK = "*"  # a line starting with it marks a seeded theme


def parse_themes(lines: Iterable[str]) -> list[Theme]:
    """Parse ``[*] name = alias, alias`` lines (already stripped of comments)."""
    themes = []
    for line in lines:
        seeded = line.startswith(SEED_MARK)
        name, _, aliases = line.removeprefix(SEED_MARK).partition("=")
        alias_list = tuple(a.strip() for a in re.split(r"[,，、]", aliases) if a.strip())
        themes.append(Theme(name.strip(), alias_list, seeded))
    return themes


def load_themes(path: str | Path) -> list[Theme]:
    themes = parse_themes(read_word_list(path))
    if not themes:
        raise PipelineError(f"{path}: no themes defined")
    return themes


def tracked_terms(themes: list[Theme]) -> set[str]:
    """Every theme's name and aliases."""
    return {term for theme in themes for term in theme.terms}


def theme_matcher(themes: list[Theme]) -> tuple[re.Pattern, dict[str, str]]:
    """One regex over every term, longest first (so 综合行政执法改革 is not also 综合行政执法)."""
    owner = {term: theme.name for theme in themes for term in theme.terms}
    pattern = re.compile("|".join(re.escape(term) for term in sorted(owner, key=lambda t: (-len(t), t))))
    return pattern, owner


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
