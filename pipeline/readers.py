"""Readers: turn a report file (.txt, .html/.htm, .docx, .pdf) into plain text.

One interface, :func:`read_report`, picks the reader by file extension and says which reader
and which encoding it used, so the cleaning report can show it.
"""
from __future__ import annotations

import codecs
import os
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .files import PipelineError

SUPPORTED_EXTENSIONS = (".txt", ".text", ".html", ".htm", ".shtml", ".docx", ".pdf")


@dataclass(frozen=True)
class RawReport:
    """The text of one input file and how it was obtained."""

    path: Path
    text: str
    reader: str
    encoding: str


def _plausible_text(text: str) -> bool:
    """Reject binary junk: real reports are nearly all letters, digits, punctuation, spaces."""
    if not text:
        return True
    sample = text[:20000]
    bad = sum(1 for ch in sample if unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs") and ch not in "\n\r\t\f")
    return bad / len(sample) < 0.01


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode report bytes, returning ``(text, encoding)``.

    BOMs are trusted first, then strict UTF-8, then GB18030 (a superset of GBK and GB2312, the
    usual legacy encoding of Chinese government pages), then charset-normalizer's best guess
    (Big5, UTF-16 without BOM, ...). Raises ValueError if nothing yields plausible text.
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding), encoding
    if b"\x00" not in data:
        for encoding in ("utf-8", "gb18030"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _plausible_text(text):
                return text, encoding
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        text = str(best)
        if _plausible_text(text) and any("\u4e00" <= ch <= "\u9fff" for ch in text[:5000]):
            return text, best.encoding
    raise ValueError("not text in any known encoding (binary file?)")


def _read_txt(path: Path) -> RawReport:
    text, encoding = decode_bytes(path.read_bytes())
    return RawReport(path, text, "txt", encoding)


# Elements whose text is never report content.
_HTML_DROP = ("script", "style", "noscript", "iframe", "nav", "header", "footer", "form", "button", "select")
_HTML_BLOCKS = ("p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article", "ul", "ol", "dd", "dt", "blockquote", "pre", "title")


def _read_html(path: Path) -> RawReport:
    from bs4 import BeautifulSoup, UnicodeDammit

    data = path.read_bytes()
    dammit = UnicodeDammit(data, ["utf-8", "gb18030"], is_html=True)
    if dammit.unicode_markup is None or not _plausible_text(dammit.unicode_markup):
        raise ValueError("HTML in an unknown encoding")
    soup = BeautifulSoup(dammit.unicode_markup, "lxml")
    for tag in soup(_HTML_DROP):
        tag.decompose()
    # Mark block boundaries with newlines; inline tags (a, span, font) must not break sentences.
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(_HTML_BLOCKS):
        block.insert_before("\n")
        block.insert_after("\n")
    return RawReport(path, soup.get_text(""), "html", dammit.original_encoding or "utf-8")


def _read_docx(path: Path) -> RawReport:
    import docx

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as err:
        raise ValueError(f"not a readable .docx (damaged or truncated: {err})") from err
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    return RawReport(path, "\n".join(lines), "docx", "docx")


def _read_pdf(path: Path) -> RawReport:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, OSError, ValueError, KeyError) as err:
        raise ValueError(f"not a readable PDF ({err})") from err
    text = "\n".join(pages)
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        raise ValueError("PDF has no text layer (a scan? run OCR first)")
    return RawReport(path, text, "pdf", "pdf")


_READERS = {
    ".txt": _read_txt,
    ".text": _read_txt,
    ".html": _read_html,
    ".htm": _read_html,
    ".shtml": _read_html,
    ".docx": _read_docx,
    ".pdf": _read_pdf,
}


def read_report(path: str | os.PathLike) -> RawReport:
    """Read one report file. Raises PipelineError naming the file and the problem."""
    path = Path(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise PipelineError(f"{path}: unsupported file type {path.suffix!r} (expected {', '.join(SUPPORTED_EXTENSIONS)})")
    try:
        if path.stat().st_size == 0:
            raise ValueError("empty file")
        report = reader(path)
    except (ValueError, OSError) as err:
        raise PipelineError(f"{path}: {err}") from err
    if not report.text.strip():
        raise PipelineError(f"{path}: no text found")
    return report


def list_reports(folder: str | os.PathLike) -> list[Path]:
    """All report files below ``folder`` (recursively), in a stable order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PipelineError(f"{folder}: input folder not found")
    paths = sorted(
        p for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in SUPPORTED_EXTENSIONS
    )
    if not paths:
        raise PipelineError(f"{folder}: no reports found (looked for {', '.join(SUPPORTED_EXTENSIONS)})")
    return paths
