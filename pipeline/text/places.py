"""The place of a report, named one way everywhere: in tables, figure labels and the report."""
from __future__ import annotations

from collections import Counter
from typing import Iterable, Mapping

PLACE_LEVELS = ("province", "city", "county", "town")  # coarse to fine
UNKNOWN = "(未注明)"  # the group of reports whose year or place is not known


def place_name(row: Mapping[str, str]) -> str:
    """"广东省湛江市遂溪县岭北镇": the report's known place levels, coarse to fine."""
    return "".join(row.get(level) or "" for level in PLACE_LEVELS)


def place_terms(rows: Iterable[Mapping[str, str]]) -> list[str]:
    """Every place name the reports' metadata gives, at any level (岭北镇, 遂溪县, ...), sorted:
    the segmenter keeps them whole, and a report's own are not its keywords."""
    return sorted({row[level] for row in rows for level in PLACE_LEVELS if len(row.get(level) or "") >= 2})


def own_places(row: Mapping[str, str]) -> list[str]:
    """The place names of one report, coarse to fine."""
    return [row[level] for level in PLACE_LEVELS if row.get(level)]


def report_label(row: Mapping[str, str]) -> str:
    """A short label for a report: its finest known place and its year, else its id."""
    place = next((row[level] for level in reversed(PLACE_LEVELS) if row.get(level)), "")
    label = f"{place} {row.get('year') or ''}".strip()
    return label or row["doc_id"]


def unique_labels(labels: list[str], doc_ids: list[str]) -> list[str]:
    """Disambiguate repeated labels with the report id."""
    seen = Counter(labels)
    return [f"{label} ({doc_id[:12]})" if seen[label] > 1 else label for label, doc_id in zip(labels, doc_ids)]


def choose_place_level(documents: Iterable[Mapping[str, str]], min_coverage: float = 0.8) -> str | None:
    """The level at which to group reports by place: the coarsest level known for most reports
    (``min_coverage``) and with at least two values; else the best-covered level; None when
    no report has a place."""
    documents = list(documents)
    if not documents:
        return None
    coverage = {level: sum(1 for d in documents if d.get(level)) / len(documents) for level in PLACE_LEVELS}
    distinct = {level: len({d[level] for d in documents if d.get(level)}) for level in PLACE_LEVELS}
    for level in PLACE_LEVELS:
        if coverage[level] >= min_coverage and distinct[level] >= 2:
            return level
    best = max(PLACE_LEVELS, key=lambda level: (coverage[level], -PLACE_LEVELS.index(level)))
    return best if coverage[best] > 0 else None


def place_order(name: str) -> tuple:
    """Places by name, unknown last."""
    return (name == UNKNOWN, name)


def group_of(documents: Mapping[str, Mapping[str, str]], dimension: str, level: str | None = None) -> dict[str, str]:
    """doc_id -> its group: its year (``dimension="year"``) or its place at ``level``;
    :data:`UNKNOWN` where it is not known."""
    if dimension == "year":
        return {d: row.get("year") or UNKNOWN for d, row in documents.items()}
    return {d: (row.get(level) or UNKNOWN) if level else UNKNOWN for d, row in documents.items()}
