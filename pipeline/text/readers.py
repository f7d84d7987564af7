"""Readers: turn a report file (.txt, .html/.htm, .md, .docx, .pdf) into plain text.

One interface, :func:`read_report`, picks the reader by file extension and says which reader
and which encoding it used, what page chrome it dropped (HTML navigation and link lists) and
what looked doubtful, so the cleaning report can show all of it. Every file type is registered
once, in :data:`_READERS`; corpus tables (one report per row) are registered in tables.py.
"""
from __future__ import annotations

import codecs
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..files import PipelineError
from .chars import HAN_CHAR, WORD_CHAR
from .decoding import Decoded, decode_bytes, plausible_text
from .metadata import file_fields
from .tables import TABLE_EXTENSIONS


@dataclass(frozen=True)
class RawReport:
    """The text of one input file and how it was obtained.

    ``dropped`` lists ``(rule, text)`` for page chrome the reader removed itself (HTML
    navigation, link lists); ``warnings`` lists doubts worth a look (a guessed encoding,
    pages without text).
    """

    path: Path
    text: str
    reader: str
    encoding: str
    dropped: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)  # given by the file (front matter, table columns)


def _read_txt(path: Path) -> RawReport:
    decoded = decode_bytes(path.read_bytes())
    return RawReport(path, decoded.text, "txt", decoded.encoding, warnings=decoded.warnings())


# Elements whose text is never report content and is not even chrome worth reporting.
_HTML_INVISIBLE = ("head", "script", "style", "noscript", "template", "svg", "iframe", "object", "select", "button")
# Page structure that HTML itself marks as chrome; its text is dropped and reported.
_HTML_CHROME = ("nav", "header", "footer", "aside", "menu")
_HTML_BLOCKS = ("p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
                "article", "ul", "ol", "dl", "dd", "dt", "blockquote", "pre", "center", "form", "main")
# A block whose words are mostly link text is navigation: breadcrumbs, menus, pagination,
# related-article lists. Report paragraphs carry at most the odd linked law title. Words are
# Han characters and letters: the date beside a related-article link does not count.
_LINK_SHARE = 0.6


def _decode_html(data: bytes) -> Decoded:
    """BOM first, then the page's own <meta charset> if the bytes agree, then :func:`decode_bytes`."""
    from bs4.dammit import EncodingDetector

    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_bytes(data)
    declared = EncodingDetector.find_declared_encoding(data, is_html=True, search_entire_document=False)
    if declared:
        # Pages that declare gb2312 or gbk routinely use characters beyond it.
        encoding = "gb18030" if declared.lower().replace("-", "") in ("gb2312", "gbk", "gb18030", "xgbk") else declared
        try:
            text = data.decode(encoding)
            if plausible_text(text):
                return Decoded(text, encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    return decode_bytes(data)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _read_html(path: Path) -> RawReport:
    decoded = _decode_html(path.read_bytes())
    text, dropped = html_text(decoded.text)
    return RawReport(path, text, "html", decoded.encoding, dropped, decoded.warnings())


def html_text(markup: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The text of an HTML page or fragment, a line per block, and the chrome dropped from it
    (navigation, link lists: ``(rule, text)``). Comments and scripts never reach the text."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")
    dropped: list[tuple[str, str]] = []
    if soup.title and (page_title := _squash(soup.title.get_text(" "))):
        dropped.append(("html_chrome", page_title))  # "<title>_某某县人民政府门户网站": the body has its own
    for tag in soup(_HTML_INVISIBLE):
        tag.decompose()
    for tag in soup(_HTML_CHROME):
        if tag.decomposed:  # inside an element dropped already
            continue
        if text := _squash(tag.get_text(" ")):
            dropped.append(("html_chrome", text))
        tag.decompose()
    # Leaf blocks (no block inside) made mostly of link text.
    for block in soup.find_all(_HTML_BLOCKS):
        if block.decomposed or block.find(_HTML_BLOCKS):
            continue
        text = _squash(block.get_text(" "))
        words = len(WORD_CHAR.findall(text))
        link_words = sum(len(WORD_CHAR.findall(a.get_text())) for a in block.find_all("a"))
        if words and link_words >= _LINK_SHARE * words:
            dropped.append(("html_links", text))
            block.decompose()
    # Block boundaries become line breaks; inline tags (a, span, font) must not break sentences.
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(_HTML_BLOCKS):
        block.insert_before("\n")
        block.insert_after("\n")
    return soup.get_text(""), tuple(dropped)


_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
def front_matter(text: str) -> tuple[dict[str, str], str]:
    """YAML front matter (``---`` ... ``---`` at the top) as metadata fields, and the rest."""
    import yaml

    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        values = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        values = None
    if not isinstance(values, dict):  # a --- rule and text, not front matter: keep the text
        return {}, text
    found = file_fields({str(key): value for key, value in values.items()
                         if value is not None and not isinstance(value, (dict, list))})
    return found, text[match.end():]


def _read_markdown(path: Path) -> RawReport:
    """Markdown: front matter to metadata; the body rendered (markdown-it) and read as HTML, so
    emphasis marks and comments never reach the text."""
    from markdown_it import MarkdownIt

    decoded = decode_bytes(path.read_bytes())
    metadata, body = front_matter(decoded.text)
    text, dropped = html_text(MarkdownIt("commonmark").render(body))
    return RawReport(path, text, "markdown", decoded.encoding, dropped, decoded.warnings(), metadata)


def _docx_lines(document) -> list[str]:
    """Paragraphs and table rows in document order (python-docx's iter_inner_content)."""
    lines = []
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:  # a merged cell is returned once per grid column
                    if not cells or cell.text != cells[-1]:
                        cells.append(cell.text)
                lines.append(" ".join(cells))
        else:
            lines.append(block.text)
    return lines


def _read_docx(path: Path) -> RawReport:
    import zipfile

    import docx

    if not zipfile.is_zipfile(path):  # a .docx is a zip package; a cut-off download is not
        raise ValueError("damaged or truncated: not a complete zip package")
    document = docx.Document(str(path))
    return RawReport(path, "\n".join(_docx_lines(document)), "docx", "docx")


def _read_pdf(path: Path) -> RawReport:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its repair notes are not the user's business
    reader = PdfReader(str(path))
    pages = [page.extract_text() or "" for page in reader.pages]
    # pypdf writes NUL for the glyph gaps of some CID fonts: they are spaces (then removed
    # by normalisation with the rest of the letter spacing).
    text = "\n".join(pages).replace("\x00", " ")
    if not HAN_CHAR.search(text):
        raise ValueError(f"no Chinese text layer in {len(pages)} page(s): a scan? run OCR first")
    if not plausible_text(text, 0.05):
        raise ValueError("its text layer is unreadable: fonts without a character map?")
    empty = sum(1 for page in pages if not page.strip())
    warnings = (f"{empty} of {len(pages)} PDF pages have no text (scanned?)",) if empty else ()
    return RawReport(path, text, "pdf", "pdf", warnings=warnings)


@dataclass(frozen=True)
class Reader:
    """How files of one type are read: ``read`` (None: a type researchers have that cannot be
    read), what a file of it that fails to read is called (``not a readable PDF``; empty: the
    failure says enough), and for a type that cannot be read, what to do about it."""

    read: Callable[[Path], RawReport] | None
    unreadable: str = ""
    hint: str = ""


# Every file type, once; the supported ones are listed in messages in this order.
_READERS: dict[str, Reader] = {
    ".txt": Reader(_read_txt),
    ".text": Reader(_read_txt),
    ".html": Reader(_read_html),
    ".htm": Reader(_read_html),
    ".shtml": Reader(_read_html),
    ".docx": Reader(_read_docx, unreadable="not a readable .docx"),
    ".pdf": Reader(_read_pdf, unreadable="not a readable PDF"),
    ".md": Reader(_read_markdown),
    ".markdown": Reader(_read_markdown),
    # Formats researchers often download that we cannot read.
    ".doc": Reader(None, hint="old Word format: save it as .docx"),
    ".wps": Reader(None, hint="WPS format: save it as .docx"),
    ".rtf": Reader(None, hint="save it as .docx"),
    ".odt": Reader(None, hint="save it as .docx"),
}
REPORT_EXTENSIONS = (*(suffix for suffix, reader in _READERS.items() if reader.read), *TABLE_EXTENSIONS)


def read_report(path: str | os.PathLike) -> RawReport:
    """Read one report file. Raises PipelineError naming the file and the problem."""
    path = Path(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None or reader.read is None:
        raise PipelineError(f"{path}: {unsupported_reason(path)}")
    try:
        if path.stat().st_size == 0:
            raise ValueError("empty file")
        report = reader.read(path)
    except PipelineError:
        raise
    except Exception as err:  # noqa: BLE001 - docx/pdf libraries raise many types; one bad file must not stop the run
        detail = str(err) if isinstance(err, (ValueError, OSError)) and str(err) else f"{type(err).__name__}: {err}"
        raise PipelineError(f"{path}: {f'{reader.unreadable} ({detail})' if reader.unreadable else detail}") from err
    if not report.text.strip():
        raise PipelineError(f"{path}: no text found")
    if not HAN_CHAR.search(report.text):
        raise PipelineError(f"{path}: no Chinese text found (not a report?)")
    return report


def unsupported_reason(path: Path) -> str:
    """Why ``path`` is not read, with a hint where one helps."""
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    hint = reader.hint if reader and reader.hint else f"expected {', '.join(REPORT_EXTENSIONS)}"
    return f"unsupported file type {suffix or '(none)'!r} ({hint})"


def _visible_files(folder: Path) -> list[Path]:
    """Files below ``folder``, hidden ones aside, in a stable order. Linked folders are followed
    once each, so a symlink loop cannot make the walk endless."""
    seen: set[tuple[int, int]] = set()
    found = []
    for root, dirs, files in os.walk(folder, followlinks=True):
        stat = os.stat(root)
        if (stat.st_dev, stat.st_ino) in seen:
            dirs[:] = []
            continue
        seen.add((stat.st_dev, stat.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root) / f for f in files if not f.startswith(".") and (Path(root) / f).is_file())
    return sorted(found)


def list_reports(folder: str | os.PathLike, exclude: tuple[Path, ...] = ()) -> list[Path]:
    """All report files and corpus tables below ``folder`` (recursively), in a stable order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PipelineError(f"{folder}: input folder not found")
    excluded = {p.resolve() for p in exclude}
    paths = [p for p in _visible_files(folder)
             if p.suffix.lower() in REPORT_EXTENSIONS and p.resolve() not in excluded]
    if not paths:
        raise PipelineError(f"{folder}: no reports found (looked for {', '.join(REPORT_EXTENSIONS)})")
    return paths


def list_other_files(folder: str | os.PathLike, exclude: tuple[Path, ...] = ()) -> list[Path]:
    """Files below ``folder`` that are not reports (so they can be listed, not silently ignored)."""
    folder = Path(folder)
    excluded = {p.resolve() for p in exclude}
    return [p for p in _visible_files(folder)
            if p.suffix.lower() not in REPORT_EXTENSIONS and p.resolve() not in excluded]
