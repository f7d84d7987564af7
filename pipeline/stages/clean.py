"""clean: report files -> clean/documents.csv, paragraphs.csv (last), cleaning_report.csv,
removed_lines.csv, cleaning_summary.txt.

Unreadable files are skipped and listed with the reason; an empty result is an error. The
output does not depend on the number of jobs.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from tqdm import tqdm

from ..artifacts import CLEANING_REPORT, CLEANING_SUMMARY, DOCUMENTS, PARAGRAPHS, REMOVED_LINES, Run
from ..files import PipelineError
from ..parallel import ordered_map
from ..params import CleanParams, Inputs
from ..text.boilerplate import Rule, find_corpus_chrome, load_rules
from ..text.cleaning import (FileOutcome, ReadReport, clean_read, document_id, format_cleaning_summary,
                             merge_removed, read_file, report_warnings)
from ..text.dedup import DuplicateFinder
from ..text.metadata import MetadataOverrides
from ..text.readers import list_other_files, list_reports, unsupported_reason

COPY_SIMILARITY = 0.8  # pass 1 groups copies of a page this alike, so their lines count once


class _ReadTask:
    def __init__(self, to_simplified: bool):
        self.to_simplified = to_simplified

    def __call__(self, item: tuple[Path, str]):
        return read_file(*item, self.to_simplified)


class _CleanTask:
    """Holds every report read in pass 1: forked workers inherit them instead of receiving them."""

    def __init__(self, read: dict[int, ReadReport], rules: list[Rule], chrome: frozenset[str]):
        self.read, self.rules, self.chrome = read, rules, chrome

    def __call__(self, index: int):
        return clean_read(self.read[index], self.rules, self.chrome)


def run(run: Run, inputs: Inputs, params: CleanParams) -> dict[str, int]:
    input_dir = Path(inputs.input)
    rules = load_rules(inputs.rules)
    paths = list_reports(input_dir)
    overrides = MetadataOverrides.load(inputs.metadata or None, input_dir)
    metadata_file = Path(overrides.source) if overrides.source else input_dir / "metadata.csv"
    names = [path.relative_to(input_dir).as_posix() for path in paths]
    others = [FileOutcome(path.relative_to(input_dir).as_posix(), status="skipped", detail=unsupported_reason(path))
              for path in list_other_files(input_dir, exclude=(metadata_file,))]

    # Pass 1: read and normalise every file; count the short lines of each distinct report,
    # copies of one report (in any format) once, or they would look like page chrome.
    outcomes: list[FileOutcome] = []
    read: dict[int, ReadReport] = {}
    line_counts: Counter[str] = Counter()
    copies = DuplicateFinder(COPY_SIMILARITY)
    results = ordered_map(_ReadTask(params.simplify), zip(paths, names), run.jobs, chunksize=4)
    for index, (outcome, result, page) in enumerate(tqdm(results, total=len(paths), desc="clean: read",
                                                         unit="file", disable=None)):
        outcomes.append(outcome)
        if result is None:
            continue
        read[index] = result
        if copies.add(outcome.file, page) is None:
            line_counts.update(result.short_lines)
    chrome = find_corpus_chrome(line_counts, copies.n_distinct, params.chrome_share)
    del line_counts, copies

    # Pass 2: clean, drop duplicate reports, write.
    indices = sorted(read)
    cleaned_reports = ordered_map(_CleanTask(read, rules, chrome), indices, run.jobs, chunksize=4)
    duplicates = DuplicateFinder(params.near_duplicate)
    # paragraphs.csv is opened first so that it is renamed into place last.
    with run.table(PARAGRAPHS) as paragraphs, run.table(DOCUMENTS, overrides.extra_columns) as documents, \
            run.table(CLEANING_REPORT) as report_rows, run.table(REMOVED_LINES) as removed_rows:
        for index, (cleaned, body) in zip(indices, tqdm(cleaned_reports, total=len(indices), desc="clean",
                                                        unit="file", disable=None)):
            outcome, result = outcomes[index], read[index]
            outcome.doc_id = document_id(paths[index], input_dir)
            outcome.removed = merge_removed(result.dropped, cleaned.removed)
            outcome.chars_out, outcome.paragraphs = cleaned.n_chars, len(cleaned.paragraphs)
            outcome.lines_rejoined, outcome.chars_simplified = cleaned.lines_rejoined, result.chars_simplified
            if not cleaned.paragraphs:
                outcome.status, outcome.detail = "skipped", "no report text left after cleaning"
                continue
            outcome.warnings.extend(report_warnings(cleaned, outcome.chars_in))
            twin = duplicates.add(outcome.doc_id, body)
            if twin is not None:
                kind = "exact duplicate" if twin.exact else f"near-duplicate (similarity {twin.similarity:.2f})"
                outcome.status, outcome.detail = "duplicate", f"{kind} of {twin.key}; not in the results"
                continue
            outcome.status = "kept"
            metadata = overrides.apply(outcome.file, cleaned.metadata)
            documents.write_dict({"doc_id": outcome.doc_id, "file": outcome.file, **metadata,
                                  "n_paragraphs": len(cleaned.paragraphs), "n_chars": cleaned.n_chars})
            for position, paragraph in enumerate(cleaned.paragraphs):
                paragraphs.write([outcome.doc_id, position, paragraph.kind, paragraph.section,
                                  paragraph.subsection, len(paragraph.text), paragraph.text])

        read.clear()
        all_outcomes = outcomes + others
        for outcome in all_outcomes:
            report_rows.write_dict(outcome.as_row())
            for row in outcome.removed_rows():
                removed_rows.write_dict(row)
        summary = format_cleaning_summary(all_outcomes, len(chrome))
        unused = overrides.unused()
        if unused:
            summary += f"\n  WARNING {overrides.source}: {len(unused)} rows match no report file, e.g. {', '.join(unused[:3])}"
        run.log(summary)
        if not any(o.status == "kept" for o in all_outcomes):
            raise PipelineError(f"{input_dir}: no report could be cleaned ({len(all_outcomes)} files, "
                                f"all skipped or duplicates); see the reasons above")
        run.write_text(CLEANING_SUMMARY, summary + "\n")
        run.write_params(inputs, params)
    run.log(f"clean: details in {run.path(CLEANING_REPORT)} and {run.path(REMOVED_LINES)}")
    status = Counter(o.status for o in all_outcomes)
    return {"files": len(all_outcomes), "kept": status["kept"], "duplicates": status["duplicate"],
            "skipped": status["skipped"], "paragraphs": sum(o.paragraphs for o in all_outcomes if o.status == "kept")}
