"""clean: report files -> clean/documents.csv, paragraphs.csv.gz (last), cleaning_report.csv,
removed_lines.csv, cleaning_summary.txt.

Unreadable files are skipped and listed with the reason; an empty result is an error. The
output does not depend on the number of jobs.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterator


from ..artifacts import (ARTIFACTS, CLEANING_REPORT, CLEANING_SUMMARY, DOCUMENT_KEY_COLUMNS, DOCUMENTS, PARAGRAPHS,
                         REMOVED_LINES, Run)
from ..files import PipelineError, spill
from ..parallel import ordered_map
from ..params import CleanParams, Inputs
from ..progress import progress
from ..text.boilerplate import Rule, find_corpus_chrome, load_rules
from ..text.cleaning import (FileOutcome, ReadReport, Source, clean_read, document_id, format_cleaning_summary,
                             merge_removed, read_file, report_warnings)
from ..text.dedup import DuplicateFinder
from ..text.divisions import load_divisions, resolve_report_place
from ..text.fields import METADATA_FIELDS
from ..text.metadata import (MetadataOverrides, extract_place, merge_metadata, path_metadata, pattern_fields, plain_year,
                             rename_reserved)
from ..text.readers import list_other_files, list_reports, unsupported_reason
from ..text.places import PLACE_LEVELS
from ..text.tables import TABLE_EXTENSIONS, read_table

METADATA_COLUMNS = set(DOCUMENTS.columns)
# The names the output tables use themselves (but the metadata fields): the columns of
# documents.csv and of the per-report tables a report's metadata columns are copied into. A
# metadata column of such a name would be ambiguous: the metadata CSV and PATH_PATTERN may not
# use one; a file's own keys and a table's columns of such a name become table_<name>.
RESERVED_COLUMNS = frozenset(column for artifact in ARTIFACTS
                             if artifact is DOCUMENTS or set(DOCUMENT_KEY_COLUMNS) <= set(artifact.columns)
                             for column in artifact.columns) - set(METADATA_FIELDS)
COPY_SIMILARITY = 0.8  # pass 1 groups copies of a page this alike, so their lines count once


class _ReadTask:
    def __init__(self, to_simplified: bool):
        self.to_simplified = to_simplified

    def __call__(self, source: Source):
        return read_file(source, self.to_simplified)


class _CleanTask:
    def __init__(self, rules: list[Rule], chrome: frozenset[str], max_chars: int):
        self.rules, self.chrome, self.max_chars = rules, chrome, max_chars

    def __call__(self, read: ReadReport):
        return clean_read(read, self.rules, self.chrome, self.max_chars)


def _sources(input_dir: Path, paths: list[Path], text_column: str) -> tuple[list[Source], list[FileOutcome], list[str]]:
    """Every report to read: each file, or each row of a corpus table; the tables that could
    not be read (with the reason); and the tables' metadata columns (extra documents.csv columns)."""
    sources: list[Source] = []
    failed: list[FileOutcome] = []
    extra: dict[str, None] = {}
    for path in paths:
        name = path.relative_to(input_dir).as_posix()
        if path.suffix.lower() not in TABLE_EXTENSIONS:
            sources.append(Source(path, name))
            continue
        try:
            table = read_table(path, text_column)
        except PipelineError as err:
            failed.append(FileOutcome(name, status="skipped", detail=str(err).removeprefix(f"{path}: ")))
            continue
        reader = f"{path.suffix.lower().lstrip('.')} table ({table.text_column})"
        for row in table.rows:
            sources.append(Source(path, f"{name}#{row.row_id}", row, reader, table.encoding))
            extra.update(dict.fromkeys(k for k in rename_reserved(row.metadata, RESERVED_COLUMNS)
                                       if k not in METADATA_COLUMNS))
    return sources, failed, list(extra)

def run(run: Run, inputs: Inputs, params: CleanParams) -> dict[str, int]:
    input_dir = Path(inputs.input)
    rules = load_rules(inputs.rules)
    overrides = MetadataOverrides.load(inputs.metadata or None, input_dir, RESERVED_COLUMNS)
    divisions = load_divisions(tuple(Path(path) for path in inputs.divisions))
    metadata_file = Path(overrides.source) if overrides.source else input_dir / "metadata.csv"
    paths = list_reports(input_dir, exclude=(metadata_file,))
    sources, others, table_columns = _sources(input_dir, paths, params.text_column)
    others += [FileOutcome(path.relative_to(input_dir).as_posix(), status="skipped", detail=unsupported_reason(path))
               for path in list_other_files(input_dir, exclude=(metadata_file,))]
    extra_columns = tuple(dict.fromkeys((*overrides.extra_columns,
                                         *pattern_fields(params.path_pattern, RESERVED_COLUMNS), *table_columns)))

    with spill(run.path(PARAGRAPHS).parent) as read:
        # Pass 1: read and normalise every file; count the short lines of each distinct report,
        # copies of one report (in any format) once, or they would look like page chrome. What was
        # read waits for pass 2 on disk: a gigabyte of reports as Python lines is several in memory.
        outcomes: list[FileOutcome] = []
        indices: list[int] = []  # the sources read, in order
        line_counts: Counter[str] = Counter()
        copies = DuplicateFinder(COPY_SIMILARITY)
        results = ordered_map(_ReadTask(params.simplify), sources, run.jobs, chunksize=4)
        for index, (outcome, result, page) in enumerate(progress(results, total=len(sources), desc="clean: read",
                                                                 unit="file")):
            outcomes.append(outcome)
            if result is None:
                continue
            read.add(result)
            indices.append(index)
            if copies.add(outcome.file, page) is None:
                line_counts.update(result.short_lines)
        chrome = find_corpus_chrome(line_counts, copies.n_distinct, params.chrome_share)
        del line_counts, copies

        # Pass 2: clean, drop duplicate reports, write. Each report read is kept until its cleaned
        # result comes back (ordered_map's window of them at most).
        waiting: dict[int, ReadReport] = {}

        def reports() -> Iterator[ReadReport]:
            for index, result in zip(indices, read):
                waiting[index] = result
                yield result

        cleaned_reports = ordered_map(_CleanTask(rules, chrome, params.max_paragraph_chars), reports(), run.jobs,
                                      chunksize=4)
        duplicates = DuplicateFinder(params.near_duplicate)
        used_ids: set[str] = set()
        # paragraphs.csv.gz is opened first so that it is renamed into place last.
        document_rows: list[dict[str, str]] = []  # written once every report's header keys are known
        with run.table(PARAGRAPHS) as paragraphs, run.table(CLEANING_REPORT) as report_rows, \
                run.table(REMOVED_LINES) as removed_rows:
            for index, (cleaned, body) in zip(indices, progress(cleaned_reports, total=len(indices), desc="clean",
                                                                unit="file")):
                outcome, result, source = outcomes[index], waiting.pop(index), sources[index]
                outcome.doc_id = document_id(source.path, input_dir, source.row.row_id if source.row else "")
                if outcome.doc_id in used_ids:  # x.txt beside x.pdf: the id keeps the file's type
                    outcome.doc_id += source.path.suffix.lower()
                used_ids.add(outcome.doc_id)
                outcome.removed = merge_removed(result.dropped, cleaned.removed)
                outcome.chars_out, outcome.paragraphs = cleaned.n_chars, len(cleaned.paragraphs)
                outcome.lines_rejoined, outcome.chars_simplified = cleaned.lines_rejoined, result.chars_simplified
                if not cleaned.paragraphs:
                    outcome.status, outcome.detail = "skipped", "no report text left after cleaning"
                    continue
                relative = source.path.relative_to(input_dir).as_posix()
                from_path = path_metadata(relative, params.path_pattern, file_name=source.row is None)
                # Front matter or a table's columns over a crawler's header.
                from_file = rename_reserved({**cleaned.given, **result.given}, RESERVED_COLUMNS)
                metadata, outcome.sources = merge_metadata(cleaned.metadata, from_path, from_file)
                given = overrides.given(relative if source.row is None else source.name)
                metadata = overrides.apply(relative if source.row is None else source.name, metadata)
                layers_place = {**from_path, **from_file, **given}  # what the path, the file and the user say
                if metadata.get("year") and plain_year(metadata["year"]) != metadata["year"]:
                    # A metadata CSV or front matter's "2020年" is 2020; "2020-2021" is no one year.
                    outcome.warnings.append(f"year {metadata['year']!r} read as {plain_year(metadata['year']) or 'unknown'}")
                    metadata["year"] = plain_year(metadata["year"])
                # Levels found by searching the body, not named by the title, the path or the user.
                titled = extract_place(metadata.get("title", ""), metadata.get("issuing_body", ""))
                from_text = {level for level in PLACE_LEVELS if metadata.get(level) and metadata[level] != titled[level]
                             and metadata[level] == cleaned.metadata.get(level) and not layers_place.get(level)}
                resolved, outcome.place_status = resolve_report_place(
                    {level: metadata.get(level, "") for level in PLACE_LEVELS}, from_text,
                    int(metadata["year"]) if metadata.get("year") else None, divisions)
                metadata.update(resolved)
                outcome.year, outcome.year_in_text = metadata.get("year", ""), cleaned.metadata.get("year", "")
                outcome.warnings.extend(report_warnings(cleaned, metadata, outcome.chars_in))
                twin = duplicates.add(outcome.doc_id, body)
                if twin is not None:
                    kind = "exact duplicate" if twin.exact else f"near-duplicate (similarity {twin.similarity:.2f})"
                    outcome.status, outcome.detail = "duplicate", f"{kind} of {twin.key}; not in the results"
                    continue
                outcome.status = "kept"
                document_rows.append({"doc_id": outcome.doc_id, "file": outcome.file, **metadata, **outcome.sources,
                                      "n_paragraphs": len(cleaned.paragraphs), "n_chars": cleaned.n_chars})
                for position, paragraph in enumerate(cleaned.paragraphs):
                    paragraphs.write([outcome.doc_id, position, paragraph.kind, paragraph.section,
                                      paragraph.subsection, len(paragraph.text), paragraph.text])

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
            # The keys of front matter and crawlers' headers that name no field are columns of their own.
            extra_columns += tuple(dict.fromkeys(key for row in document_rows for key in row
                                                 if key not in METADATA_COLUMNS and key not in extra_columns
                                                 and key not in RESERVED_COLUMNS))
            with run.table(DOCUMENTS, extra_columns) as documents:
                for row in document_rows:
                    documents.write_dict(row)
            run.write_text(CLEANING_SUMMARY, summary + "\n")
            run.write_params(inputs, params)
    run.log(f"clean: details in {run.path(CLEANING_REPORT)} and {run.path(REMOVED_LINES)}")
    status = Counter(o.status for o in all_outcomes)
    return {"files": len(all_outcomes), "kept": status["kept"], "duplicates": status["duplicate"],
            "skipped": status["skipped"], "paragraphs": sum(o.paragraphs for o in all_outcomes if o.status == "kept")}
