"""Decoding: report and CSV bytes to text, whatever encoding a portal or Excel saved them in.

Readers of report files (readers.py), corpus tables (tables.py) and the CSVs a person edits
(the metadata CSV, accepted terms) all decode here, so one encoding rule holds for all of them.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from ..files import PipelineError, dict_reader
from .chars import HAN_CHAR

# Control characters (but tab, newlines, form feed), private-use characters and the
# replacement character: a few in a real report are noise, many mean a wrong decoding.
_JUNK_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd\ufffe\uffff]")


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
    han = "".join(HAN_CHAR.findall(text[:20000]))
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
    if plausible_text(text) and HAN_CHAR.search(text[:5000]):
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
    if best is not None and best.replaced <= MAX_REPLACED_SHARE * len(data) and HAN_CHAR.search(best.text[:5000]):
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
    reader = dict_reader(io.StringIO(text, newline=""), dialect=dialect)
    rows = list(reader)
    return [c.strip() for c in reader.fieldnames or []], rows
