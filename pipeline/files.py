"""File helpers shared by every stage: atomic writes, Excel-friendly CSV, word lists.

Every output is written to a temporary name beside its target and renamed into place only
when complete, so a crash or Ctrl-C never leaves a half-written file under the final name.
"""
from __future__ import annotations

import contextlib
import csv
import gzip
import io
import os
import pickle
import re
import secrets
import sys
import tempfile
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Sequence

# Cells starting with these are read as formulas by Excel and LibreOffice.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class PipelineError(Exception):
    """A problem with the user's input that deserves a clear message, not a traceback."""


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created as open() creates files (mode 0666 less the umask; mkstemp's would be 0600), under a
    # name no other process or run picks.
    tmp_path = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    os.close(os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


# Per-paragraph tables and caches (names ending .gz) are gzip-compressed: a third to a tenth of
# their size, read by pandas, R and DuckDB as they are. Level 3 (city corpus's paragraphs.csv):
# 2.69x at 63 MB/s, against 2.50x at 101 MB/s for level 1 and 2.90x at 29 MB/s for level 6.
GZIP_LEVEL = 3


def compressed(path: str | os.PathLike) -> bool:
    return str(path).endswith(".gz")


def open_text(path: str | os.PathLike, encoding: str = "utf-8") -> IO[str]:
    """Open a text output for reading, decompressing it if its name ends in .gz."""
    if compressed(path):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding=encoding, newline="")
    return open(path, encoding=encoding, newline="")


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, encoding: str = "utf-8") -> Iterator[IO[str]]:
    """Open ``path`` for text writing through :func:`atomic_path`, gzip-compressed if its name
    ends in .gz (with no time or name in the gzip header: the same text gives the same bytes)."""
    with atomic_path(path) as tmp:
        if compressed(path):
            with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                                        compresslevel=GZIP_LEVEL) as packed, \
                    io.TextIOWrapper(packed, encoding=encoding, newline="") as handle:
                yield handle
        else:
            with open(tmp, "w", encoding=encoding, newline="") as handle:
                yield handle


@contextlib.contextmanager
def spill(folder: str | os.PathLike | None = None) -> Iterator[Spill]:
    """A :class:`Spill` in ``folder`` (made if need be), closed (and so gone) when the block ends."""
    if folder is not None:
        Path(folder).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=folder) as handle:
        yield Spill(handle)


class Spill:
    """Items written once, then read back once in the same order, through an unnamed temporary
    file (the system deletes it when it is closed or the process dies): what a corpus's first
    pass must hand its second without holding it all in memory."""

    def __init__(self, handle: IO[bytes]):
        self._handle = handle

    def add(self, item: Any) -> None:
        pickle.dump(item, self._handle, protocol=pickle.HIGHEST_PROTOCOL)

    def __iter__(self) -> Iterator[Any]:
        self._handle.seek(0)
        while True:
            try:
                yield pickle.load(self._handle)
            except EOFError:
                return


def safe_cell(value: Any) -> Any:
    """Format one CSV cell: fixed-precision floats (reproducible), formula-safe text."""
    if isinstance(value, float):
        return f"{value:.6f}"
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def unguard(value: str) -> str:
    """A cell's text as it was before :func:`safe_cell`'s formula guard: what a stage reading a
    table back works with (a token, a term), and what the report shows (HTML escaping, not the
    apostrophe, is what makes the text safe in the page)."""
    if value.startswith("'") and safe_cell(value[1:]) == value:
        return value[1:]
    return value


# Excel opens at most this many rows, the header included. An uncompressed table longer than
# that goes on in parts (keywords.csv, keywords_part2.csv, ...), each with the header, which
# Run.rows reads as one table; a compressed one (.gz) is not for Excel and stays whole.
EXCEL_ROWS = 1_048_576
_PART = re.compile(r"_part(\d+)$")


def part_path(path: str | os.PathLike, number: int) -> Path:
    """The file of part ``number`` (1: the table's own file) of a table."""
    path = Path(path)
    return path if number == 1 else path.with_name(f"{path.stem}_part{number}{path.suffix}")


def table_parts(path: str | os.PathLike) -> list[Path]:
    """A table's files: itself, then its further parts while they exist."""
    parts = [Path(path)]
    while (following := part_path(path, len(parts) + 1)).is_file():
        parts.append(following)
    return parts


def part_of(path: str | os.PathLike) -> Path | None:
    """For a table's further part (keywords_part2.csv), the table's own file; else None."""
    path = Path(path)
    match = _PART.search(path.stem)
    return path.with_name(path.stem[:match.start()] + path.suffix) if match and int(match.group(1)) > 1 else None


class CsvTable:
    """A streaming CSV writer: UTF-8 with BOM (so Excel reads Chinese), written atomically: every
    part (past ``max_rows`` data rows, :data:`EXCEL_ROWS` less the header by default) appears
    together when the table is done, its first file last, and parts an earlier, longer table
    left are removed."""

    def __init__(self, path: str | os.PathLike, columns: Sequence[str], max_rows: int | None = None):
        self.path = Path(path)
        self.columns = list(columns)
        # A compressed table is not for Excel: it stays whole (decided once, not on every row).
        self.max_rows = None if compressed(self.path) else max_rows or EXCEL_ROWS - 1
        self._parts = 0

    def __enter__(self) -> "CsvTable":
        self._stack = contextlib.ExitStack()
        self._next_part()
        return self

    def _next_part(self) -> None:
        self._parts += 1
        self._handle = self._stack.enter_context(atomic_open(part_path(self.path, self._parts), encoding="utf-8-sig"))
        self._writer = csv.writer(self._handle, lineterminator="\n")
        self._writer.writerow(self.columns)
        self._rows = 0

    def _room_for_a_row(self) -> None:
        if self.max_rows is not None and self._rows >= self.max_rows and self._rows:
            self._next_part()
        self._rows += 1

    def write(self, row: Sequence[Any]) -> None:
        self._room_for_a_row()
        self._writer.writerow([safe_cell(v) for v in row])

    def write_keyed_floats(self, key: Sequence[Any], values: Sequence[float]) -> None:
        """One row, ``key`` then ``values``, as :meth:`write` would write it. For tables of
        millions of rows: the floats in one string format, not a cell at a time."""
        self._room_for_a_row()
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow([safe_cell(v) for v in key])
        prefix = buffer.getvalue()[:-1]  # as write() quotes it (a cell with a line break too)
        self._handle.write(prefix + "".join(f",{value:.6f}" for value in values) + "\n")

    def write_dict(self, row: dict) -> None:
        self.write([row.get(c, "") for c in self.columns])

    def __exit__(self, *exc) -> bool:
        suppressed = bool(self._stack.__exit__(*exc))  # the parts are renamed into place last first
        if exc[0] is None:
            for stale in table_parts(self.path)[self._parts:]:
                stale.unlink()
        return suppressed


def write_csv(path: str | os.PathLike, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write ``rows`` to ``path`` as one atomic CSV table."""
    with CsvTable(path, columns) as table:
        for row in rows:
            table.write(row)


def dict_reader(handle: Iterable[str], **options: Any) -> csv.DictReader:
    """``csv.DictReader`` for cells of any size: scrapers write whole reports on one line or in
    one cell, past the csv module's default limit of 128 KB a field."""
    # The module's one setting, raised where it is needed, not on import; a C long on Windows.
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    return csv.DictReader(handle, **options)


def read_csv(path: str | os.PathLike) -> Iterator[dict[str, str]]:
    """Stream the rows of a CSV written by :class:`CsvTable` (one file: its further parts are
    read by ``Run.rows``) as dicts."""
    with open_text(path, encoding="utf-8-sig") as handle:
        yield from dict_reader(handle)


def token_row(line: str) -> tuple[str, int, list[str]]:
    """One line of a token table (TSV: doc_id, position, space-separated tokens) as its fields."""
    doc_id, position, tokens = line.rstrip("\n").split("\t")
    return doc_id, int(position), tokens.split()


def read_word_list(path: str | os.PathLike) -> list[str]:
    """One entry per line; blank lines and ``#`` comments are ignored."""
    path = Path(path)
    if not path.is_file():
        raise PipelineError(f"{path}: word list not found")
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as err:
        raise PipelineError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from err
    entries = []
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            entries.append(line)
    return entries


def save_figure(figure, path: str | os.PathLike, formats: Sequence[str] = ("png",)) -> list[Path]:
    """Save a matplotlib figure atomically in each format (``path`` with its suffix replaced),
    then close it. No creation date in the metadata: the same data gives the same file."""
    from matplotlib import pyplot as plt

    written = []
    for fmt in formats:
        target = Path(path).with_suffix("." + fmt)
        with atomic_path(target) as tmp:
            figure.savefig(tmp, format=fmt, bbox_inches="tight", metadata={"Date": None} if fmt == "svg" else {})
        written.append(target)
    plt.close(figure)
    return written
