"""Cleaning one report: raw text -> metadata plus paragraphs with their section headings.

The core is :func:`clean_report` (text in, :class:`CleanedReport` out): normalise characters,
drop boilerplate lines by the rules in ``config/boilerplate.txt`` and lines repeated across the
corpus, find the title, rejoin broken lines, drop repeated paragraphs, extract metadata.
Everything removed is recorded per rule, so the cleaning report can show what was dropped and
why; :class:`FileOutcome` and :func:`format_cleaning_summary` are that report.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..files import PipelineError
from ..params import CleanParams
from .boilerplate import Rule, drop_rule_lines
from .dedup import Fingerprint
from .metadata import crawler_header, extract_metadata, file_fields
from .normalize import normalize
from .readers import RawReport, read_report
from .tables import TableRow
from .structure import (Paragraph, drop_repeated_paragraphs, drop_title_repeats, find_title, join_broken_lines,
                        sectioned, split_long, split_run_on)

@dataclass
class CleanedReport:
    """What cleaning keeps of one report, and what it removed (rule name -> removed lines)."""

    metadata: dict[str, str]
    paragraphs: list[Paragraph]
    removed: dict[str, list[str]] = field(default_factory=dict)
    lines_rejoined: int = 0
    chars_simplified: int = 0
    given: dict[str, str] = field(default_factory=dict)  # a crawler's header, as metadata (see file_fields)

    @property
    def n_chars(self) -> int:
        return sum(len(p.text) for p in self.paragraphs)



# Rules of config/boilerplate.txt that remove document furniture (not page chrome): the
# lines they remove still name the report's place ("中共遂溪县委、遂溪县人民政府:").
FURNITURE_RULES = ("file_header", "salutation", "signature")


def clean_lines(lines: list[str], rules: list[Rule], corpus_chrome: frozenset[str] = frozenset(),
                max_paragraph_chars: int = CleanParams.max_paragraph_chars) -> CleanedReport:
    """Clean one report given as normalised lines (see :func:`normalize`)."""
    removed: dict[str, list[str]] = defaultdict(list)
    header, header_lines = crawler_header(lines)
    given = file_fields(header)
    removed["crawler_header"].extend(lines[:header_lines])
    kept = drop_rule_lines(lines[header_lines:], rules, corpus_chrome, removed)
    title, start, end = find_title(kept)
    if not title and given.get("title"):
        # The header names the title ("XX区2024年度法治政府建设情况" need not say 报告): the
        # year reported on is read from it, and a line repeating it goes (below).
        title = given["title"]
    removed["before_title"].extend(kept[:start])
    body = drop_title_repeats(kept[end + 1:] if title else kept, title, removed)
    joined = join_broken_lines(body)
    paragraphs = sectioned(split_long(split_run_on(drop_repeated_paragraphs(joined, removed)), max_paragraph_chars))
    first_body = next((p.text for p in paragraphs if p.kind == "body"), "")
    # The report's own words, with its addressee and signature: where it names its place.
    report_text = "\n".join([*(removed.get(rule, [])[0] for rule in FURNITURE_RULES if removed.get(rule)),
                             *(p.text for p in paragraphs)])
    metadata = extract_metadata(lines, title, first_body, report_text)
    return CleanedReport(metadata, paragraphs, {rule: found for rule, found in removed.items() if found},
                         lines_rejoined=len(body) - len(joined), given=given)


def clean_report(
    text: str,
    rules: list[Rule],
    corpus_chrome: frozenset[str] = frozenset(),
    to_simplified: bool = True,
) -> CleanedReport:
    """Clean one report's raw text.

    Parameters
    ----------
    text : the report as read from its file.
    rules : boilerplate rules (see ``config/boilerplate.txt``).
    corpus_chrome : normalised lines that recur across many reports of the corpus, which are
        page chrome by definition (see :func:`find_corpus_chrome`).
    to_simplified : convert traditional characters to simplified (OpenCC t2s).
    """
    lines, converted = normalize(text, to_simplified)
    cleaned = clean_lines(lines, rules, corpus_chrome)
    cleaned.chars_simplified = converted
    return cleaned


N_EXAMPLES = 3  # removed lines kept as examples per file and rule


@dataclass
class FileOutcome:
    """What happened to one input file: one row of cleaning_report.csv."""

    file: str
    doc_id: str = ""
    status: str = ""  # kept, duplicate or skipped
    detail: str = ""
    reader: str = ""
    encoding: str = ""
    chars_in: int = 0
    chars_out: int = 0
    paragraphs: int = 0
    removed: dict[str, list[str]] = field(default_factory=dict)
    lines_rejoined: int = 0
    chars_simplified: int = 0
    given: dict[str, str] = field(default_factory=dict)  # a crawler's header, as metadata (see file_fields)
    warnings: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # year_source, place_source
    year: str = ""  # the year kept
    place_status: str = ""  # what the list of divisions made of its place (see divisions.resolve_place)
    year_in_text: str = ""  # the year the text gives

    def as_row(self) -> dict:
        """The outcome as a cleaning-report row (removed lines and warnings counted or joined)."""
        return {"file": self.file, "doc_id": self.doc_id, "status": self.status, "detail": self.detail,
                "reader": self.reader, "encoding": self.encoding, "chars_in": self.chars_in,
                "chars_out": self.chars_out, "paragraphs": self.paragraphs,
                "lines_removed": sum(len(v) for v in self.removed.values()), "lines_rejoined": self.lines_rejoined,
                "duplicate_paragraphs": len(self.removed.get("duplicate_paragraph", ())),
                "chars_simplified": self.chars_simplified, "warnings": "; ".join(self.warnings)}

    def removed_rows(self) -> list[dict]:
        """One removed-lines row per rule, with up to N_EXAMPLES examples."""
        return [{"file": self.file, "rule": rule, "lines_removed": len(lines),
                 "examples": " | ".join(example(line, 60) for line in lines[:N_EXAMPLES])}
                for rule, lines in sorted(self.removed.items())]


def report_warnings(cleaned: CleanedReport, metadata: dict[str, str], chars_in: int) -> list[str]:
    """Doubts about one cleaned report (with its merged ``metadata``) that a person should look at."""
    warnings = []
    if chars_in and cleaned.n_chars < 0.4 * chars_in:
        warnings.append(f"only {100 * cleaned.n_chars / chars_in:.0f}% of the text kept")
    if not metadata.get("title"):
        warnings.append("no title found")
    if not metadata.get("year"):
        warnings.append("no year found")
    if len(cleaned.removed.get("duplicate_paragraph", ())) > len(cleaned.paragraphs):
        warnings.append("text repeated within the file")
    return warnings


def example(line: str, width: int = 40) -> str:
    return line if len(line) <= width else line[:width] + "…"


def format_cleaning_summary(outcomes: list[FileOutcome], chrome_lines: int = 0, top_rules: int = 12) -> str:
    """A short human summary of the cleaning report: counts, rules with examples, problems."""
    status = Counter(o.status for o in outcomes)
    readers = Counter(f"{o.reader} ({o.encoding})" if o.reader == "txt" else o.reader for o in outcomes if o.reader)
    chars_in = sum(o.chars_in for o in outcomes if o.status == "kept")
    chars_out = sum(o.chars_out for o in outcomes if o.status == "kept")
    lines = [
        f"clean: {len(outcomes)} files: {status['kept']} kept, {status['duplicate']} duplicates dropped, "
        f"{status['skipped']} skipped",
        "  read as: " + (", ".join(f"{name} {n}" for name, n in sorted(readers.items())) or "-"),
        f"  characters kept: {chars_out:,} of {chars_in:,}" + (f" ({100 * chars_out / chars_in:.0f}%)" if chars_in else ""),
    ]
    by_rule: dict[str, list[str]] = defaultdict(list)
    files_by_rule: Counter[str] = Counter()
    for outcome in outcomes:
        for rule, removed in outcome.removed.items():
            by_rule[rule].extend(removed[:N_EXAMPLES])
            files_by_rule[rule] += 1
    totals = Counter({rule: sum(len(o.removed.get(rule, ())) for o in outcomes) for rule in by_rule})
    if totals:
        lines.append(f"  lines removed by rule ({chrome_lines} corpus-wide repeated lines found):")
        for rule, count in totals.most_common(top_rules):
            examples = list(dict.fromkeys(by_rule[rule]))[:2]
            lines.append(f"    {rule:<22} {count:>6} in {files_by_rule[rule]:>4} files  e.g. "
                         + " | ".join(example(e) for e in examples))
        if len(totals) > top_rules:
            lines.append(f"    ... {len(totals) - top_rules} more rules in the removed-lines table")
    kept = [o for o in outcomes if o.status == "kept"]
    for name in ("year", "place"):
        found = Counter(o.sources.get(f"{name}_source") or "none" for o in kept)
        line = f"  {name} from: " + ", ".join(f"{source} {found[source]}" for source in ("file", "path", "text", "none")
                                             if found[source])
        if name == "year":
            differ = sum(1 for o in kept if o.year_in_text and o.sources.get("year_source") in ("file", "path")
                         and o.year_in_text != o.year)
            line += f" (the text gives another year in {differ}: the file's or path's wins)"
        lines.append(line)
    statuses = Counter(o.place_status for o in kept)
    if statuses.keys() - {"known", ""}:
        lines.append(f"  place parents from the list of divisions: {statuses['resolved']} filled, "
                     f"{statuses['corrected']} corrected (names found in the text that the list does not confirm), "
                     f"{statuses['ambiguous']} ambiguous (left unfilled), {statuses['unknown']} not in the list")
    rejoined = sum(o.lines_rejoined for o in outcomes)
    simplified = sum(1 for o in outcomes if o.chars_simplified)
    lines.append(f"  broken lines rejoined: {rejoined}; files with traditional characters converted: {simplified}")
    for outcome in outcomes:
        if outcome.status == "duplicate":
            lines.append(f"  DUPLICATE {outcome.file}: {outcome.detail}")
    warned = [o for o in outcomes if o.warnings and o.status == "kept"]
    if warned:
        lines.append(f"  kept with warnings: {len(warned)} of {status['kept']} reports")
    for outcome in warned[:10]:
        lines.append(f"  warning {outcome.file}: {'; '.join(outcome.warnings)}")
    if len(warned) > 10:
        lines.append(f"  ... {len(warned) - 10} more files with warnings in the cleaning report")
    skipped = [o for o in outcomes if o.status == "skipped"]
    if skipped:
        lines.append(f"  SKIPPED {len(skipped)} file(s), not in the results:")
        lines.extend(f"    SKIPPED {o.file}: {o.detail}" for o in skipped)
    return "\n".join(lines)


def merge_removed(dropped: tuple[tuple[str, str], ...], removed: dict[str, list[str]]) -> dict[str, list[str]]:
    """What the reader dropped (HTML chrome) first, then what cleaning removed, by rule."""
    merged: dict[str, list[str]] = defaultdict(list)
    for rule, line in dropped:
        merged[rule].append(line)
    for rule, lines in removed.items():
        merged[rule].extend(lines)
    return dict(merged)



# ---------------------------------------------------------------------------------------------
# A corpus is cleaned in two passes: read and normalise every file (so that lines repeated
# across the corpus can be counted), then clean each report knowing them.
# ---------------------------------------------------------------------------------------------

CHROME_MAX_CHARS = 100  # longer lines are report text, never menu or footer chrome
PAGE_SAMPLE = 32  # shingle sampling for grouping copies of a page before cleaning (see dedup)


def document_id(path: Path, input_dir: Path, row_id: str = "") -> str:
    """A stable id from the file's path inside the corpus folder (no tabs or spaces), and the
    row's id for a row of a corpus table."""
    relative = path.relative_to(input_dir).with_suffix("").as_posix()
    return re.sub(r"\s+", "_", relative) + (f"#{row_id}" if row_id else "")


@dataclass(frozen=True)
class Source:
    """One report to read: a file, or one row of a corpus table (read already)."""

    path: Path
    name: str  # the file's path inside the corpus folder, with "#<row id>" for a table row
    row: TableRow | None = None
    reader: str = ""  # for a table row: the table's format and encoding
    encoding: str = ""


@dataclass
class ReadReport:
    """A file read and normalised (pass 1), waiting to be cleaned (pass 2)."""

    lines: list[str]
    dropped: tuple[tuple[str, str], ...]
    chars_simplified: int
    short_lines: frozenset[str]  # candidates for corpus-wide chrome, counted by the caller
    given: dict[str, str]  # metadata the file gives (front matter, table columns)


def read_file(source: Source, to_simplified: bool) -> tuple[FileOutcome, ReadReport | None, Fingerprint | None]:
    """Pass 1 for one report: read, normalise, and the fingerprint of the whole page (a file that
    cannot be read is an outcome with the reason, not an error)."""
    outcome = FileOutcome(source.name)
    if source.row is not None:
        raw = RawReport(source.path, source.row.text, source.reader, source.encoding, metadata=source.row.metadata)
    else:
        try:
            raw = read_report(source.path)
        except PipelineError as err:
            outcome.status, outcome.detail = "skipped", str(err).removeprefix(f"{source.path}: ")
            return outcome, None, None
    outcome.reader, outcome.encoding, outcome.chars_in = raw.reader, raw.encoding, len(raw.text)
    outcome.warnings.extend(raw.warnings)
    try:
        lines, converted = normalize(raw.text, to_simplified)
        short_lines = frozenset(line for line in lines if len(line) <= CHROME_MAX_CHARS)
        # Only a rough grouping of copies is needed here: a sparser sample is enough.
        page = Fingerprint.of("".join(lines), PAGE_SAMPLE)
    except Exception as err:  # noqa: BLE001 - one odd text must not stop the corpus; it is listed instead
        outcome.status, outcome.detail = "skipped", f"could not be normalised ({type(err).__name__}: {err})"
        return outcome, None, None
    return outcome, ReadReport(lines, raw.dropped, converted, short_lines, dict(raw.metadata)), page


def clean_read(read: ReadReport, rules: list[Rule], chrome: frozenset[str],
               max_paragraph_chars: int = CleanParams.max_paragraph_chars) -> tuple[CleanedReport, Fingerprint | None]:
    """Pass 2 for one report: clean, and the fingerprint of the report text kept."""
    cleaned = clean_lines(read.lines, rules, chrome, max_paragraph_chars)
    body = "\n".join(p.text for p in cleaned.paragraphs)
    return cleaned, Fingerprint.of(body) if body else None
