"""Normalisation: one spelling for every character, line ending and space, before any rule runs."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np

from .chars import HAN
from .structure import RUN_ON_CHARS

# Invisible format characters (zero-width spaces and joiners, soft hyphen, BOM, direction
# marks, variation selectors, Hangul fillers) and control characters other than tab/newline.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb]"
)
# Non-breaking and other wide spaces written out as entities or escapes by careless scrapers.
_ESCAPED_SPACE = re.compile(
    r"&(?:amp;)?(?:nbsp|ensp|emsp|thinsp|#160|#x0*a0|#8194|#8195|#12288|#x3000);?|\\u00a0|\\xa0|\\u3000",
    re.IGNORECASE,
)
# Characters written out as escapes by careless scrapers: R's "<U+00A0>", "\u00a0" in text.
_ESCAPED_CHAR = re.compile(r"<U\+([0-9A-Fa-f]{4,6})>|\\u([dD][89abAB][0-9A-Fa-f]{2}\\u[dD][c-fC-F][0-9A-Fa-f]{2}|[0-9A-Fa-f]{4})")
# White space next to a non-ASCII character is typesetting ("2020 年", "( 一 )", PDF glyph
# gaps); only spaces between two ASCII letters or digits can separate words.
_SPACE_NEXT_TO_WIDE = re.compile(r"(?<=[^\x00-\x7f]) +| +(?=[^\x00-\x7f])")
_SPACES = re.compile(r"[ \t]{2,}|\t")
_BULLET_CHARS = frozenset("•·●○■□◆◇▪▶►-*")
_BULLETS = re.compile(r"^[•·●○■□◆◇▪▶►\-*]\s+|^[•·●○■□◆◇▪▶►]")
# Markdown a renderer left as text: CommonMark does not close "**交通建设。**我们" (emphasis
# next to CJK punctuation), and a .txt saved from Markdown was never rendered. A run of two or
# more * or _ is never report text ("____" blanks to fill in go too), nor a heading's "## ".
_MARKUP_RUN = re.compile(r"\*{2,}|_{2,}")
# A line of separator marks ("******", "___ 正文 ___") stays as it is: it may close a crawler's
# header (metadata.crawler_header), and the boilerplate rule "separator" drops it afterwards.
_SEPARATOR_LINE = re.compile(r"[*_=\-—–~#+·. ]*(?:正文|正文开始|正文内容|内容|全文)?[*_=\-—–~#+·. ]*")
_HEADING_MARK = re.compile(r"^#{1,6}\s+")
# Characters NFKC leaves as they are (ASCII, the CJK block, common CJK punctuation). NFKC runs
# only on the stretches between them, with one character before for composition: the same
# result as NFKC on the whole text at twice the speed.
_NFKC_STABLE = f"\x00-\x7f{HAN}\u3001\u3002\u3008-\u3011\u3014-\u301b\u2010\u2012-\u2016\u2018-\u2023\u2027\u00b7"
_NFKC_UNSTABLE = re.compile(f"[{_NFKC_STABLE}]?[^{_NFKC_STABLE}]+")


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _letter_spaced(line: str) -> bool:
    """True for "遂 溪 县 2 0 2 0 年": PDF text with a space after every glyph."""
    if line.count(" ") * 3 < len(line) or len(line) < 9:
        return False
    parts = line.split(" ")
    return sum(1 for part in parts if len(part) <= 1) >= 0.8 * len(parts)


def _unescape(match: re.Match) -> str:
    """The character an escape stands for; a surrogate pair written as two escapes is one
    character; a lone surrogate, or a code beyond Unicode, stays as written."""
    code = match.group(1) or match.group(2)
    if "\\" in code:  # \ud83d\ude00
        high, low = int(code[:4], 16), int(code[-4:], 16)
        return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
    value = int(code, 16)
    return chr(value) if value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else match.group(0)


def _nfkc(text: str) -> str:
    return _NFKC_UNSTABLE.sub(lambda match: unicodedata.normalize("NFKC", match.group()), text)


def _normalize_line(line: str) -> str:
    line = line.strip()
    if ("*" in line or "_" in line) and not _SEPARATOR_LINE.fullmatch(line):
        line = _MARKUP_RUN.sub("", line).strip()
    if line[:1] == "#":
        line = _HEADING_MARK.sub("", line)
    if line[:1] in _BULLET_CHARS:
        line = _BULLETS.sub("", line).strip()
    if " " not in line and "\t" not in line:  # most lines of Chinese text: nothing more to do
        return line
    if _letter_spaced(line):
        # Single spaces are glyph gaps; longer runs were real spaces.
        line = " ".join(part.replace(" ", "") for part in re.split(r" {2,}", line))
    return _SPACE_NEXT_TO_WIDE.sub("", _SPACES.sub(" ", line))


def _count_changed(before: str, after: str) -> int:
    """Characters that differ between two texts (vectorised; OpenCC t2s keeps lengths)."""
    if before == after:
        return 0
    if len(before) != len(after):
        return abs(len(before) - len(after)) or 1
    a = np.frombuffer(before.encode("utf-32-le"), dtype=np.uint32)
    b = np.frombuffer(after.encode("utf-32-le"), dtype=np.uint32)
    return int(np.count_nonzero(a != b))


# A body a crawler flattened into one line keeps its paragraphs' indentation ("　　", two
# ideographic spaces, NFKC-ed to spaces) between them: there, and only in a run-on line, it is
# a paragraph break.
_INDENT = re.compile(r"(?<=[^\x00-\x7f]) {2,}| {2,}(?=[^\x00-\x7f])")


def _indent_breaks(line: str) -> list[str]:
    return _INDENT.split(line) if len(line) > RUN_ON_CHARS and "  " in line else [line]


def normalize(text: str, to_simplified: bool = True) -> tuple[list[str], int]:
    """Normalised non-empty lines of ``text``, and how many characters t2s converted.

    - Line endings: CR, CRLF, form feed, U+2028 and the other separators become line breaks.
    - Escaped characters (``<U+00A0>``, ``\\u3000``) are unescaped; invisible characters go;
      NBSP (literal or escaped as ``&nbsp;``) is a space.
    - NFKC turns full-width letters, digits, punctuation and the ideographic space into their
      ASCII forms, so later rules see one spelling ("，" -> ",", "２０２０" -> "2020"), and
      compatibility ideographs and Kangxi radicals (common in PDF text) into ordinary ones.
    - OpenCC t2s converts traditional characters to simplified (``to_simplified``).
    - Per line: outer spaces, list bullets, Markdown left as text (``**``, ``__``, a heading's
      ``## ``) and spaces next to Chinese text go.
    """
    text = "\n".join(text.splitlines())
    text = _ESCAPED_CHAR.sub(_unescape, text)
    text = _ESCAPED_SPACE.sub(" ", _INVISIBLE.sub("", text))
    text = _nfkc(text)
    converted = 0
    if to_simplified:
        simplified = _t2s().convert(text)
        converted = _count_changed(text, simplified)
        text = simplified
    lines = (_normalize_line(part) for line in text.split("\n") for part in _indent_breaks(line))
    return [line for line in lines if line], converted
