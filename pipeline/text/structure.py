"""Document structure: headings, sentence ends, the title, broken lines, repeated paragraphs
and the section each paragraph sits under."""
from __future__ import annotations

import re
from typing import Mapping, NamedTuple

_NUM = "一二三四五六七八九十百"
_HEADING_LEVELS = (
    (1, re.compile(rf"^[{_NUM}]+\s*[、.]")),
    (2, re.compile(rf"^\(\s*[{_NUM}]+\s*\)")),
    (3, re.compile(r"^\d{1,2}\s*[、.](?!\d)")),
    (4, re.compile(r"^\(\s*\d{1,2}\s*\)")),
)
_TERMINAL = tuple("。！？!?;；:…")
_CLOSERS = "”’\"')）】」』"


def heading_level(line: str) -> int:
    """1-4 for a numbered heading line ("一、", "(一)", "1.", "(1)"), else 0.

    A numbered line that carries a whole sentence ("(一)加强领导。我镇……") is body text.
    """
    if len(line) > 40 or "。" in line.rstrip("。")[:-1]:
        return 0
    for level, pattern in _HEADING_LEVELS:
        if pattern.match(line):
            return level
    return 0


def ends_sentence(line: str) -> bool:
    return line.rstrip(_CLOSERS).endswith(_TERMINAL) or line.endswith(("》", "”", "\""))


def looks_like_title(line: str) -> bool:
    return "报告" in line and len(line) <= 60 and not re.search(r"[,。;:]", line) and not heading_level(line)


def is_list_item(line: str) -> bool:
    """A short line that is neither a sentence nor a heading: an entry of a link list."""
    return len(line) <= 80 and not ends_sentence(line) and not heading_level(line)


def join_broken_lines(lines: list[str]) -> list[str]:
    """Rejoin lines broken mid-sentence (a hard wrap or a page break left by PDF or Word).

    A body line that does not end a sentence continues on the next non-empty line unless that
    line is a heading. Headings are short numbered lines and never continue.
    """
    joined: list[str] = []
    for line in lines:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and not heading_level(previous)
            and not heading_level(line)
            and not ends_sentence(previous)
        ):
            glue = " " if previous[-1:].isascii() and previous[-1:].isalnum() and line[:1].isascii() and line[:1].isalnum() else ""
            joined[-1] = previous + glue + line
        else:
            joined.append(line)
    return joined


class Paragraph(NamedTuple):
    """One paragraph (or heading) of cleaned text with the headings it sits under.

    A tuple: worker processes send thousands of these back, and tuples pickle fast."""

    text: str
    kind: str  # "heading" or "body"
    section: str  # the current level-1 heading
    subsection: str  # the current lower-level heading


def find_title(kept: list[str]) -> tuple[str, int, int]:
    """The title (a short line mentioning 报告 near the top, possibly wrapped onto two lines),
    with the index of its first and last line; ``("", 0, -1)`` if there is none."""
    for index, line in enumerate(kept[:12]):
        if looks_like_title(line):
            start = index
            if index > 0 and len(kept[index - 1]) <= 40 and not ends_sentence(kept[index - 1]) \
                    and not heading_level(kept[index - 1]) and len(line) <= 12:
                start = index - 1
            return "".join(kept[start:index + 1]), start, index
    return "", 0, -1


def drop_title_repeats(lines: list[str], title: str, removed: dict[str, list[str]]) -> list[str]:
    """Drop the title where it recurs (a repeated page, a running header), also when wrapped."""
    kept: list[str] = []
    skip = 0
    for index, line in enumerate(lines):
        if skip:
            skip -= 1
            continue
        for width in (1, 2, 3):
            if title and title.startswith(line) and "".join(lines[index:index + width]) == title:
                removed["title_repeated"].extend(lines[index:index + width])
                skip = width - 1
                break
        else:
            kept.append(line)
    return kept


def drop_repeated_paragraphs(texts: list[str], removed: dict[str, list[str]]) -> list[str]:
    """Drop a paragraph seen before in the same report (a page saved with its text twice).

    A repeated heading goes only with the repeated text under it: two sections may share a
    heading such as "(一)加强组织领导".
    """
    seen: set[str] = set()
    repeated = []
    for text in texts:
        repeated.append(text in seen)
        seen.add(text)
    kept = []
    for index, text in enumerate(texts):
        if repeated[index] and heading_level(text):
            following = next((j for j in range(index + 1, len(texts)) if not heading_level(texts[j])), None)
            drop = following is None or repeated[following]
        else:
            drop = repeated[index]
        if drop:
            removed["duplicate_paragraph"].append(text)
        else:
            kept.append(text)
    return kept


def sectioned(texts: list[str]) -> list[Paragraph]:
    paragraphs = []
    section = subsection = ""
    for text in texts:
        level = heading_level(text)
        if level == 1:
            section, subsection = text, ""
        elif level > 1:
            subsection = text
        paragraphs.append(Paragraph(text, "heading" if level else "body", section, subsection))
    return paragraphs


# Rules of config/boilerplate.txt that remove document furniture (not page chrome): the


_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")

# A run-on line: a body a crawler flattened into one line. Far longer than a paragraph (the
# 法治政府 reports of ../shared/corpora/fazhi-reports average 216 characters a paragraph), it is
# cut at its own section markers and then into units of at least PARAGRAPH_CHARS at sentence ends.
RUN_ON_CHARS = 1000
PARAGRAPH_CHARS = 200
_NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九", 1)}
_INLINE_MARKER = re.compile(
    rf"(?P<l1>[{_NUM}]{{1,3}})、|\(\s*(?P<l2>[{_NUM}]{{1,3}})\s*\)|(?<![\d.])(?P<l3>\d{{1,2}})[、.](?!\d)"
    rf"|\(\s*(?P<l4>\d{{1,2}})\s*\)|第(?P<l5>[{_NUM}]{{1,3}})[,、]")
_SENTENCE_ENDS = "。！？!?；;"
_BOUNDARY = tuple(_SENTENCE_ENDS + ":") + tuple(_CLOSERS)
HEADING_MAX_CHARS = 40  # as heading_level: a longer line is never a heading


def chinese_number(text: str) -> int:
    """一 -> 1, 十二 -> 12, 二十 -> 20, 九十九 -> 99; 0 for anything else."""
    if not text or any(c not in _NUMERALS and c != "十" for c in text):
        return 0
    if "十" not in text:
        return _NUMERALS[text] if len(text) == 1 else 0
    tens, _, units = text.partition("十")
    if (tens and tens not in _NUMERALS) or (units and units not in _NUMERALS):
        return 0
    return (_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[units] if units else 0)


def _marker_cuts(line: str) -> list[int]:
    """Where a run-on line's own section markers begin a new section: a marker ("二、",
    "(三)", "4.", "(5)", "第六,") whose number follows the last one of its level (a lower level
    starts again at 1 under each new higher one), after a sentence end, or after a marker and a
    heading-sized stretch with no sentence end ("一、强化思想引领(一)加强理论武装。")."""
    last = dict.fromkeys(range(1, 6), 0)
    cuts, previous, after_marker = [], 0, False
    for match in _INLINE_MARKER.finditer(line):
        level = next(int(name[1]) for name, value in match.groupdict().items() if value)
        value = match.group(f"l{level}")
        number = int(value) if value.isdigit() else chinese_number(value)
        if number != last[level] + 1:
            continue
        start = match.start()
        before = line[previous:start]
        # A heading-sized stretch with no sentence end counts as a boundary only after a marker
        # ("一、强化思想引领(一)…"); before the first one, "统一、规范" is no section.
        if start and not (line[start - 1] in _BOUNDARY
                          or (after_marker and len(before) <= HEADING_MAX_CHARS
                              and not any(c in _SENTENCE_ENDS for c in before))):
            continue
        after_marker = True
        last[level] = number
        for lower in range(level + 1, 6):
            last[lower] = 0
        if start:
            cuts.append(start)
        previous = start
    return cuts


def _sentence_units(text: str, min_chars: int) -> list[str]:
    """``text`` cut at sentence ends into units of at least ``min_chars`` (the last may be shorter)."""
    units, unit = [], ""
    for sentence in _SENTENCE_END.split(text):
        unit += sentence
        if len(unit) >= min_chars:
            units.append(unit)
            unit = ""
    if unit:
        if units and len(unit) < min_chars // 2:
            units[-1] += unit
        else:
            units.append(unit)
    return units


def split_run_on(texts: list[str], run_on_chars: int = RUN_ON_CHARS, paragraph_chars: int = PARAGRAPH_CHARS) -> list[str]:
    """Lines longer than ``run_on_chars`` (a body a crawler flattened) cut into paragraph-sized
    pieces: first at the report's own section markers (see :func:`_marker_cuts`), a section's
    short first sentence ("(一)加强理论武装。") becoming its heading, then at sentence ends into
    units of at least ``paragraph_chars``. Other lines are returned as they are."""
    out: list[str] = []
    for text in texts:
        if len(text) <= run_on_chars:
            out.append(text)
            continue
        bounds = [0, *_marker_cuts(text), len(text)]
        for start, end in zip(bounds, bounds[1:]):
            piece = text[start:end]
            if not piece:
                continue
            first = _SENTENCE_END.split(piece, 1)
            if len(first) == 2 and heading_level(first[0]) and first[1]:
                out.append(first[0])
                piece = first[1]
            out.extend([piece] if heading_level(piece) else _sentence_units(piece, paragraph_chars))
    return out



def split_long(texts: list[str], max_chars: int) -> list[str]:
    """Paragraphs longer than ``max_chars`` cut into pieces at sentence ends (at ``max_chars``
    where a sentence is longer still): a scraped page can be one line of 400 KB, and one
    paragraph that size would be one document of the topic model."""
    out: list[str] = []
    for text in texts:
        if len(text) <= max_chars or heading_level(text):
            out.append(text)
            continue
        piece = ""
        for sentence in _SENTENCE_END.split(text):
            while len(sentence) > max_chars:
                if piece:
                    out.append(piece)
                    piece = ""
                out.append(sentence[:max_chars])
                sentence = sentence[max_chars:]
            if len(piece) + len(sentence) > max_chars:
                out.append(piece)
                piece = ""
            piece += sentence
        if piece:
            out.append(piece)
    return out


def section_name(paragraph: Mapping[str, str]) -> str:
    """"二、… / （一）…": a paragraph's section and subsection, as every table names them."""
    return " / ".join(x for x in (paragraph.get("section", ""), paragraph.get("subsection", "")) if x)
