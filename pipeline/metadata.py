"""Optional metadata CSV beside the corpus: file name -> year, place and any other columns.

Its values override what cleaning extracted, and its extra columns flow through to every
per-report output table.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from .files import PipelineError

DEFAULT_NAME = "metadata.csv"
# Per-report columns that every per-report table carries, beside doc_id.
DOCUMENT_KEY_COLUMNS = ("title", "year", "province", "city", "county", "town")


@dataclass
class MetadataOverrides:
    """Rows of the metadata CSV, keyed by file name (as given, or its stem)."""

    rows: dict[str, dict[str, str]] = field(default_factory=dict)
    extra_columns: tuple[str, ...] = ()
    source: str = ""
    _used: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, path: str | Path | None, input_dir: str | Path) -> "MetadataOverrides":
        """Read ``path``, or ``metadata.csv`` in the corpus folder if it exists."""
        from .clean import METADATA_FIELDS

        if path is None:
            path = Path(input_dir) / DEFAULT_NAME
            if not path.is_file():
                return cls()
        path = Path(path)
        if not path.is_file():
            raise PipelineError(f"{path}: metadata file not found")
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                columns = [c.strip() for c in reader.fieldnames or []]
                if "file" not in columns:
                    raise PipelineError(f"{path}: metadata CSV needs a 'file' column (got {', '.join(columns) or 'no header'})")
                rows = {}
                for row in reader:
                    row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
                    rows[row["file"]] = row
        except UnicodeDecodeError as err:
            raise PipelineError(f"{path}: metadata CSV is not UTF-8 ({err.reason})") from err
        reserved = {"file", "doc_id", "n_paragraphs", "n_chars", *METADATA_FIELDS}
        extras = tuple(c for c in columns if c not in reserved)
        return cls(rows, extras, str(path))

    def apply(self, file_name: str, extracted: dict[str, str]) -> dict[str, str]:
        """Extracted metadata, overridden by the CSV's non-empty cells for this file."""
        row = self.rows.get(file_name) or self.rows.get(Path(file_name).name) or self.rows.get(Path(file_name).stem)
        merged = dict(extracted)
        for column in self.extra_columns:
            merged[column] = ""
        if row:
            self._used.add(row["file"])
            merged.update({k: v for k, v in row.items() if k != "file" and v})
        return merged

    def check_unused(self, log) -> None:
        unused = sorted(set(self.rows) - self._used)
        if unused:
            log(f"clean: WARNING {self.source}: {len(unused)} rows match no report file, e.g. {unused[:3]}")


def document_info(output_dir: str | Path) -> tuple[tuple[str, ...], dict[str, list[str]]]:
    """Per-report columns (key metadata plus the metadata CSV's extras) for output tables.

    Returns ``(columns, rows)`` where ``rows[doc_id]`` lists the values in column order.
    """
    from .clean import METADATA_FIELDS
    from .files import read_csv

    path = Path(output_dir) / "clean" / "documents.csv"
    if not path.is_file():
        raise PipelineError(f"{path}: not found; run the clean stage first")
    known = {"doc_id", "file", "n_paragraphs", "n_chars", *METADATA_FIELDS}
    rows: dict[str, list[str]] = {}
    columns: tuple[str, ...] = ()
    for row in read_csv(path):
        if not columns:
            columns = DOCUMENT_KEY_COLUMNS + tuple(c for c in row if c not in known)
        rows[row["doc_id"]] = [row[c] for c in columns]
    return columns, rows
