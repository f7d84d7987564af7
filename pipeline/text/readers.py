"""Readers: turn a report file (.txt, .html/.htm, .docx, .pdf) into plain text.

One interface, :func:`read_report`, picks the reader by file extension and says which reader
and which encoding it used, what page chrome it dropped (HTML navigation and link lists) and
what looked doubtful, so the cleaning report can show all of it.
"""
from __future__ import annotations

import codecs
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..files import PipelineError
from .metadata import file_fields

SUPPORTED_EXTENSIONS = (".txt", ".text", ".html", ".htm", ".shtml", ".docx", ".pdf", ".md", ".markdown")
TABLE_EXTENSIONS = (".csv", ".tsv", ".jsonl", ".ndjson", ".xlsx")  # one report per row (text/tables.py)
REPORT_EXTENSIONS = SUPPORTED_EXTENSIONS + TABLE_EXTENSIONS
# Formats researchers often download that we cannot read, with what to do about them.
_CONVERT_HINTS = {
    ".doc": "old Word format: save it as .docx",
    ".wps": "WPS format: save it as .docx",
    ".rtf": "save it as .docx",
    ".odt": "save it as .docx",
}

# Control characters (but tab, newlines, form feed), private-use characters and the
# replacement character: a few in a real report are noise, many mean a wrong decoding.
_JUNK_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd\ufffe\uffff]")
_HAN = re.compile("[\u4e00-\u9fff]")


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


def plausible_text(text: str, max_junk_share: float = 0.01) -> bool:
    """Reject binary junk and wrong decodings: real reports have almost no control or
    private-use characters."""
    sample = text[:20000]
    if not sample:
        return True
    return len(_JUNK_CHARS.findall(sample)) / len(sample) < max_junk_share


def _mostly_gb2312(text: str) -> bool:
    """True if the Han characters are nearly all in GB2312, the common simplified set.

    Big5 bytes also decode as GB18030, but into rare characters; real GBK text is >99% GB2312.
    """
    han = "".join(_HAN.findall(text[:20000]))
    if len(han) < 50:
        return True
    uncommon = han.encode("gb2312", errors="replace").count(b"?")  # the text has no "?": only Han
    return uncommon <= 0.1 * len(han)


def _guess_encoding(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer's best guess, if it yields plausible Chinese text."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    text = str(best)
    if plausible_text(text) and _HAN.search(text[:5000]):
        return text, best.encoding
    return None


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes: the encoding used, and how many bytes could not be decoded in it
    and were replaced by U+FFFD (a few stray bytes in a web page do not cost the report)."""

    text: str
    encoding: str
    replaced: int = 0

    def warnings(self) -> tuple[str, ...]:
        found = []
        if self.encoding not in ("utf-8", "utf-8-sig", "utf-16", "gb18030"):
            found.append(f"encoding guessed: {self.encoding}")
        if self.replaced:
            found.append(f"{self.replaced} undecodable byte(s) replaced by U+FFFD")
        return tuple(found)


# A text with more bytes than this share undecodable in its best encoding is not text at all.
MAX_REPLACED_SHARE = 0.01


def decode_bytes(data: bytes) -> Decoded:
    """Decode report bytes.

    BOMs are trusted first, then strict UTF-8, then GB18030 (a superset of GBK and GB2312, the
    usual legacy encoding of Chinese government pages), then charset-normalizer's best guess
    (Big5, UTF-16 without BOM, ...). Failing all of these, UTF-8 or GB18030 with the few bytes
    they cannot decode replaced (stray bytes, stray NULs), whichever replaces fewer. Raises
    ValueError if nothing yields plausible text.
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding), encoding)
            except UnicodeDecodeError as err:
                raise ValueError(f"starts with a {encoding} byte-order mark but is not {encoding} ({err.reason})") from err
    if b"\x00" not in data:  # NUL bytes: UTF-16/32 without BOM, binary, or a stray NUL
        for encoding in ("utf-8", "gb18030"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if plausible_text(text) and (encoding == "utf-8" or _mostly_gb2312(text)):
                return Decoded(text, encoding)
    guess = _guess_encoding(data)
    if guess is not None:
        return Decoded(*guess)
    nuls = data.count(b"\x00")
    stripped = data.replace(b"\x00", b"")
    best = None
    for encoding in ("utf-8", "gb18030"):
        text = stripped.decode(encoding, errors="replace")
        replaced = text.count("\ufffd") - stripped.decode(encoding, errors="ignore").count("\ufffd") + nuls
        if (encoding == "utf-8" or _mostly_gb2312(text)) and (best is None or replaced < best.replaced):
            best = Decoded(text, encoding, replaced)
    if best is not None and best.replaced <= MAX_REPLACED_SHARE * len(data) and _HAN.search(best.text[:5000]):
        return best
    raise ValueError("not text in any known encoding (a binary file?)")


def user_csv(data: bytes, source: str) -> tuple[list[str], list[dict[str, str]]]:
    """A CSV a person saved, as Excel saves it (UTF-8 with or without BOM, GBK or UTF-16; comma,
    semicolon or tab separated): its columns and rows. Raises PipelineError naming ``source``."""
    import csv
    import io

    try:
        text = decode_bytes(data).text
    except ValueError as err:
        raise PipelineError(f"{source}: not readable text ({err})") from err
    try:
        dialect = csv.Sniffer().sniff(text[:5000], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    rows = list(reader)
    return [c.strip() for c in reader.fieldnames or []], rows


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
_WORD_CHARS = re.compile(r"[\u4e00-\u9fffA-Za-z]")


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
        words = len(_WORD_CHARS.findall(text))
        link_words = sum(len(_WORD_CHARS.findall(a.get_text())) for a in block.find_all("a"))
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
    if not _HAN.search(text):
        raise ValueError(f"no Chinese text layer in {len(pages)} page(s): a scan? run OCR first")
    if not plausible_text(text, 0.05):
        raise ValueError("its text layer is unreadable: fonts without a character map?")
    empty = sum(1 for page in pages if not page.strip())
    warnings = (f"{empty} of {len(pages)} PDF pages have no text (scanned?)",) if empty else ()
    return RawReport(path, text, "pdf", "pdf", warnings=warnings)


_READERS = {
    ".txt": _read_txt,
    ".text": _read_txt,
    ".html": _read_html,
    ".htm": _read_html,
    ".shtml": _read_html,
    ".docx": _read_docx,
    ".pdf": _read_pdf,
    ".md": _read_markdown,
    ".markdown": _read_markdown,
}


def read_report(path: str | os.PathLike) -> RawReport:
    """Read one report file. Raises PipelineError naming the file and the problem."""
    path = Path(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise PipelineError(f"{path}: {unsupported_reason(path)}")
    try:
        if path.stat().st_size == 0:
            raise ValueError("empty file")
        report = reader(path)
    except PipelineError:
        raise
    except Exception as err:  # noqa: BLE001 - docx/pdf libraries raise many types; one bad file must not stop the run
        detail = str(err) if isinstance(err, (ValueError, OSError)) and str(err) else f"{type(err).__name__}: {err}"
        kind = {".docx": "not a readable .docx", ".pdf": "not a readable PDF"}.get(path.suffix.lower())
        raise PipelineError(f"{path}: {kind + ' (' + detail + ')' if kind else detail}") from err
    if not report.text.strip():
        raise PipelineError(f"{path}: no text found")
    if not _HAN.search(report.text):
        raise PipelineError(f"{path}: no Chinese text found (not a report?)")
    return report


def unsupported_reason(path: Path) -> str:
    """Why ``path`` is not read, with a hint where one helps."""
    suffix = path.suffix.lower()
    hint = _CONVERT_HINTS.get(suffix, f"expected {', '.join(REPORT_EXTENSIONS)}")
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
