"""Real-world variants of the seed reports: every variant of every seed report (another
encoding, a portal page, a Word or PDF attachment, traditional characters, repeated...) reads
and cleans to the same tokens, theme counts, place and year as the report itself.

Tolerance reached: 100% token overlap (identical token multisets) for all 5 seeds x 11
variants, and identical theme counts. TOKEN_OVERLAP pins it; loosen it only with a reason.
The same variants, gathered into one messy corpus, go through the clean stage in
tests/stages/test_clean.py.
"""
from __future__ import annotations

from collections import Counter

import pytest

import corpus_variants as cv
from conftest import ROOT, SEEDS
from pipeline.text.boilerplate import load_rules
from pipeline.text.cleaning import clean_report
from pipeline.text.readers import read_report
from pipeline.text.themes import load_themes, theme_matcher
from pipeline.text.tokens import load_domain_terms, make_tokenizer, segment_text, token_filter

TOKEN_OVERLAP = 1.0
RULES = load_rules(ROOT / "config" / "boilerplate.txt")
THEMES = load_themes(ROOT / "config" / "themes.txt")
SEED_PATHS = sorted(SEEDS.glob("*.txt"))
PLACE_AND_TIME = ("title", "year", "province", "city", "county", "town")


@pytest.fixture(scope="module")
def tokenizer():
    return make_tokenizer(load_domain_terms([ROOT / "config" / "domain_terms.txt"]))


@pytest.fixture(scope="module")
def originals():
    """Each seed's cleaned report: the reference every variant must reproduce."""
    return {seed.stem[:3]: clean_report(read_report(seed).text, RULES) for seed in SEED_PATHS}


def text_of(report) -> str:
    return "\n".join(p.text for p in report.paragraphs)


def tokens(tokenizer, report) -> Counter[str]:
    # No stopwords: function words count too, which makes the comparison stricter.
    return Counter(token_filter(frozenset())(segment_text(tokenizer, text_of(report))))


def theme_counts(report) -> Counter[str]:
    """Occurrences of each theme in the report, matched as the themes stage matches them."""
    pattern, owner = theme_matcher(THEMES)
    return Counter(owner[match.group(0)] for match in pattern.finditer(text_of(report)))


def overlap(a: Counter, b: Counter) -> float:
    """Shared tokens (with multiplicity) over the larger of the two: missing and extra tokens
    both lower it."""
    return sum((a & b).values()) / max(sum(a.values()), sum(b.values()), 1)


@pytest.mark.parametrize("variant", cv.VARIANTS)
@pytest.mark.parametrize("seed", [p.stem[:3] for p in SEED_PATHS])
def test_variant_cleans_to_the_reports_tokens_and_theme_counts(seed, variant, variant_files, originals, tokenizer):
    original = originals[seed]
    cleaned = clean_report(read_report(variant_files[seed, variant]).text, RULES)
    expected, found = tokens(tokenizer, original), tokens(tokenizer, cleaned)
    assert overlap(expected, found) >= TOKEN_OVERLAP, (
        f"missing {dict((expected - found).most_common(8))}, extra {dict((found - expected).most_common(8))}")
    assert theme_counts(cleaned) == theme_counts(original)
    for key in PLACE_AND_TIME:
        assert cleaned.metadata[key] == original.metadata[key], key
