"""Corpus tables: one report per row of a CSV, TSV, JSON Lines or Excel file, as scrapers write
them. The text column is found (or named), the other columns are the row's metadata, and each
row gets an id from the file and its id column or row number. Every table format is registered
once (:data:`_TABLE_READERS`); a file of another type is refused, not read as CSV."""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..files import PipelineError, dict_reader
from ..params import CleanParams
from .chars import HAN_CHAR
from .decoding import decode_bytes
from .metadata import metadata_name

ID_COLUMNS = ("id", "doc_id", "uuid", "编号")


@dataclass
class TableRow:
    """One row of a corpus table: its id (unique within the file), its text and its metadata."""

    row_id: str
    text: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class Table:
    """A corpus table read: the text column chosen and why, its rows, and the encoding read."""

    text_column: str
    reason: str
    rows: list[TableRow]
    encoding: str
    warnings: tuple[str, ...] = ()


# A table's rows as string dicts, the encoding read, and decoding warnings.
_Records = tuple[list[dict[str, str]], str, tuple[str, ...]]


def _xlsx_records(path: Path) -> _Records:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        values = list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    header = [str(c).strip() if c is not None else f"column_{i + 1}" for i, c in enumerate(values[0])] if values else []
    rows = [{h: "" if v is None else str(v) for h, v in zip(header, row)} for row in values[1:]]
    return rows, "xlsx", ()


def _jsonl_records(path: Path) -> _Records:
    decoded = decode_bytes(path.read_bytes())
    rows = []
    for number, line in enumerate(decoded.text.lstrip("\ufeff").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise ValueError(f"line {number} is not JSON ({err.msg})") from err
        if not isinstance(record, dict):
            raise ValueError(f"line {number} is not a JSON object")
        rows.append({str(k): "" if v is None else str(v) for k, v in record.items()})
    return rows, decoded.encoding, decoded.warnings()


def _delimited_records(delimiter: str) -> Callable[[Path], _Records]:
    def read(path: Path) -> _Records:
        decoded = decode_bytes(path.read_bytes())
        reader = dict_reader(io.StringIO(decoded.text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
        rows = [{(k or "").strip(): v or "" for k, v in row.items() if k is not None} for row in reader]
        return rows, decoded.encoding, decoded.warnings()

    return read


# Every table format, once: how its rows are read. A file of another type is not a table.
_TABLE_READERS: dict[str, Callable[[Path], _Records]] = {
    ".csv": _delimited_records(","),
    ".tsv": _delimited_records("\t"),
    ".jsonl": _jsonl_records,
    ".ndjson": _jsonl_records,
    ".xlsx": _xlsx_records,
}
TABLE_EXTENSIONS = tuple(_TABLE_READERS)


def choose_text_column(rows: list[dict[str, str]], named: str = "") -> tuple[str | None, str]:
    """The column that holds the reports' text, and why it was chosen (or why none was).

    ``named`` (TEXT_COLUMN=) wins if the table has it. Otherwise: the column with the longest
    mean value among those with Chinese text and a mean of at least ``MIN_TEXT_CHARS``.
    """
    columns = list(dict.fromkeys(k for row in rows for k in row))
    if named:
        if named in columns:
            return named, f"text column {named!r} (named by TEXT_COLUMN)"
        return None, f"no column {named!r} (TEXT_COLUMN); columns: {', '.join(columns)}"
    lengths = {c: sum(len(row.get(c, "")) for row in rows) / max(1, len(rows)) for c in columns}
    han = {c: any(HAN_CHAR.search(row.get(c, "")[:2000]) for row in rows) for c in columns}
    candidates = [c for c in columns if han[c] and lengths[c] >= MIN_TEXT_CHARS]
    if not candidates:
        described = ", ".join(f"{c} ({lengths[c]:.0f})" for c in columns)
        return None, (f"no column holds report text (a mean of {MIN_TEXT_CHARS}+ Chinese characters); "
                      f"columns and mean lengths: {described}; name one with TEXT_COLUMN=")
    best = max(candidates, key=lambda c: (lengths[c], -columns.index(c)))
    return best, f"text column {best!r} (longest, mean {lengths[best]:,.0f} characters)"


MIN_TEXT_CHARS = 200


def _row_id(value: str) -> str:
    """A row's id as it appears in doc_id: no white space."""
    return re.sub(r"\s+", "_", value.strip())


def read_table(path: str | Path, text_column: str = CleanParams.text_column) -> Table:
    """Read a corpus table. Raises PipelineError naming the file if it has no text column."""
    path = Path(path)
    records_of = _TABLE_READERS.get(path.suffix.lower())
    if records_of is None:
        raise PipelineError(f"{path}: not a corpus table (expected {', '.join(TABLE_EXTENSIONS)})")
    try:
        records, encoding, warnings = records_of(path)
    except PipelineError:
        raise
    except Exception as err:  # noqa: BLE001 - csv, json and openpyxl raise many types; name the file
        raise PipelineError(f"{path}: not a readable table ({type(err).__name__}: {err})") from err
    if not records:
        raise PipelineError(f"{path}: a table with no rows")
    records = [row for row in records if any(value.strip() for value in row.values())]  # blank rows: nothing
    if not records:
        raise PipelineError(f"{path}: a table with no rows")
    column, reason = choose_text_column(records, text_column)
    if column is None:
        raise PipelineError(f"{path}: {reason}")
    columns = list(dict.fromkeys(k for row in records for k in row))
    id_column = next((c for c in columns if c.lower() in ID_COLUMNS
                      and len({_row_id(row.get(c, "")) for row in records}) == len(records)
                      and all(_row_id(row.get(c, "")) for row in records)), None)
    rows = []
    for number, record in enumerate(records, 1):
        row_id = _row_id(record[id_column]) if id_column else str(number)
        metadata = {metadata_name(k): v.strip() for k, v in record.items() if k not in (column, id_column)}
        rows.append(TableRow(row_id, record.get(column, ""), metadata))
    return Table(column, reason, rows, encoding, warnings)
