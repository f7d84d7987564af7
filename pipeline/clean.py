"""Stage 1, clean: raw report text -> metadata plus paragraphs with their section headings.

The core is :func:`clean_report` (text in, :class:`CleanedReport` out): normalise characters,
drop boilerplate lines by the rules in ``config/boilerplate.txt`` and lines repeated across the
corpus, find the title, rejoin broken lines, drop repeated paragraphs, extract metadata.
Everything removed is recorded per rule, so the cleaning report can show what was dropped
and why. :func:`run_clean` adds the corpus: readers, corpus-wide chrome, duplicate reports,
the metadata CSV and the cleaning report.
"""
from __future__ import annotations

import gc
import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .files import PipelineError
from .metadata import METADATA_FIELDS, extract_metadata

# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------

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
# White space next to a non-ASCII character is typesetting ("2020 年", "( 一 )", PDF glyph
# gaps); only spaces between two ASCII letters or digits can separate words.
_SPACE_NEXT_TO_WIDE = re.compile(r"(?<=[^\x00-\x7f]) +| +(?=[^\x00-\x7f])")
_SPACES = re.compile(r"[ \t]{2,}|\t")
_BULLET_CHARS = frozenset("•·●○■□◆◇▪▶►-*")
_BULLETS = re.compile(r"^[•·●○■□◆◇▪▶►\-*]\s+|^[•·●○■□◆◇▪▶►]")
# Characters NFKC leaves as they are (ASCII, the CJK block, common CJK punctuation). NFKC runs
# only on the stretches between them, with one character before for composition: the same
# result as NFKC on the whole text at twice the speed.
_NFKC_STABLE = "\x00-\x7f\u4e00-\u9fff\u3001\u3002\u3008-\u3011\u3014-\u301b\u2010\u2012-\u2016\u2018-\u2023\u2027\u00b7"
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


def _nfkc(text: str) -> str:
    return _NFKC_UNSTABLE.sub(lambda match: unicodedata.normalize("NFKC", match.group()), text)


def _normalize_line(line: str) -> str:
    line = line.strip()
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


def normalize(text: str, to_simplified: bool = True) -> tuple[list[str], int]:
    """Normalised non-empty lines of ``text``, and how many characters t2s converted.

    - Line endings: CR, CRLF, form feed, U+2028 and the other separators become line breaks.
    - Invisible characters go; NBSP (literal or escaped as ``&nbsp;``/``\\u00a0``) is a space.
    - NFKC turns full-width letters, digits, punctuation and the ideographic space into their
      ASCII forms, so later rules see one spelling ("，" -> ",", "２０２０" -> "2020"), and
      compatibility ideographs and Kangxi radicals (common in PDF text) into ordinary ones.
    - OpenCC t2s converts traditional characters to simplified (``to_simplified``).
    - Per line: outer spaces, list bullets, and spaces next to Chinese text go.
    """
    text = "\n".join(text.splitlines())
    text = _ESCAPED_SPACE.sub(" ", _INVISIBLE.sub("", text))
    text = _nfkc(text)
    converted = 0
    if to_simplified:
        simplified = _t2s().convert(text)
        converted = _count_changed(text, simplified)
        text = simplified
    lines = (_normalize_line(line) for line in text.split("\n"))
    return [line for line in lines if line], converted


def normalize_text(text: str, to_simplified: bool = True) -> str:
    """The normalised text, one non-empty line per line (see :func:`normalize`)."""
    return "\n".join(normalize(text, to_simplified)[0])


# ---------------------------------------------------------------------------------------------
# Boilerplate rules
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A named regular expression; a line it matches is boilerplate.

    With ``drops_list`` (a ``+`` after the name in the rule file) the short lines that follow
    a match (the list under a "相关文章" heading) go too, recorded as ``<name>_list``.
    """

    name: str
    pattern: re.Pattern
    drops_list: bool = False


def parse_rules(text: str, source: str = "rules") -> list[Rule]:
    """Parse ``name  regex`` lines (``#`` starts a comment line; ``name+`` also drops a list)."""
    rules = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parts = stripped.split(None, 1)
        if len(parts) != 2:
            raise PipelineError(f"{source}:{number}: expected '<name> <regular expression>', got {stripped!r}")
        name, drops_list = parts[0].removesuffix("+"), parts[0].endswith("+")
        try:
            rules.append(Rule(name, re.compile(parts[1]), drops_list))
        except re.error as err:
            raise PipelineError(f"{source}:{number}: bad regular expression for rule {name!r}: {err}") from err
    return rules


def load_rules(path: str | Path) -> list[Rule]:
    """Read the user-editable boilerplate rule file."""
    path = Path(path)
    if not path.is_file():
        raise PipelineError(f"{path}: boilerplate rule file not found")
    return parse_rules(path.read_text(encoding="utf-8-sig"), str(path))


# ---------------------------------------------------------------------------------------------
# Structure: headings, titles, broken lines
# ---------------------------------------------------------------------------------------------

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


def _ends_sentence(line: str) -> bool:
    return line.rstrip(_CLOSERS).endswith(_TERMINAL) or line.endswith(("》", "”", "\""))


def _looks_like_title(line: str) -> bool:
    return "报告" in line and len(line) <= 60 and not re.search(r"[,。;:]", line) and not heading_level(line)


def _is_list_item(line: str) -> bool:
    """A short line that is neither a sentence nor a heading: an entry of a link list."""
    return len(line) <= 80 and not _ends_sentence(line) and not heading_level(line)


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
            and not _ends_sentence(previous)
        ):
            glue = " " if previous[-1:].isascii() and previous[-1:].isalnum() and line[:1].isascii() and line[:1].isalnum() else ""
            joined[-1] = previous + glue + line
        else:
            joined.append(line)
    return joined


# ---------------------------------------------------------------------------------------------
# The core
# ---------------------------------------------------------------------------------------------


class Paragraph(NamedTuple):
    """One paragraph (or heading) of cleaned text with the headings it sits under.

    A tuple: worker processes send thousands of these back, and tuples pickle fast."""

    text: str
    kind: str  # "heading" or "body"
    section: str  # the current level-1 heading
    subsection: str  # the current lower-level heading


@dataclass
class CleanedReport:
    """What cleaning keeps of one report, and what it removed (rule name -> removed lines)."""

    metadata: dict[str, str]
    paragraphs: list[Paragraph]
    removed: dict[str, list[str]] = field(default_factory=dict)
    lines_rejoined: int = 0
    chars_simplified: int = 0

    @property
    def n_chars(self) -> int:
        return sum(len(p.text) for p in self.paragraphs)


# Rules are tried on lines up to this long. Chrome is short; a longer line is report text, and
# a rule that matched inside it ("【打印】" in a scraped paragraph) would delete a paragraph.
RULE_MAX_CHARS = 200


def _anchored(pattern: str) -> bool:
    """True if ``pattern`` is ^ and then an expression with no top-level | (so it can only
    match at the start of a line)."""
    if not pattern.startswith("^"):
        return False
    depth, index, in_class = 0, 1, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 1
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            index += 2 if pattern[index + 1:index + 3] == "^]" else 1 if pattern[index + 1:index + 2] == "]" else 0
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            return False
        index += 1
    return True


@lru_cache(maxsize=8)
def _rule_prefilter(patterns: tuple[str, ...]) -> tuple[re.Pattern | None, tuple[re.Pattern, ...]]:
    """The rules that can only match at a line start, as one pattern (one search instead of
    twenty), and the others. A line matches some rule iff it matches one of these."""
    # Group numbers change in the combined pattern: rules with back-references stay apart.
    combinable = [_anchored(pattern) and not re.search(r"\\\d|\(\?P=", pattern) for pattern in patterns]
    anchored = [pattern[1:] for pattern, ok in zip(patterns, combinable) if ok]
    others = tuple(re.compile(pattern) for pattern, ok in zip(patterns, combinable) if not ok)
    try:
        combined = re.compile("^(?:" + "|".join(f"(?:{pattern})" for pattern in anchored) + ")") if anchored else None
    except re.error:  # e.g. inline flags, allowed only at the start of a pattern
        return None, tuple(re.compile(pattern) for pattern in patterns)
    return combined, others


def _first_rule(line: str, rules: list[Rule], prefilter: tuple[re.Pattern | None, tuple[re.Pattern, ...]]) -> Rule | None:
    """The first rule (in file order) matching ``line``; ``prefilter`` from :func:`_rule_prefilter`."""
    combined, others = prefilter
    if (combined is None or not combined.search(line)) and not any(p.search(line) for p in others):
        return None
    return next((rule for rule in rules if rule.pattern.search(line)), None)


def _drop_rule_lines(lines: list[str], rules: list[Rule], corpus_chrome: frozenset[str],
                     removed: dict[str, list[str]]) -> list[str]:
    """Lines no rule matches. A ``+`` rule also drops the list of short lines after it, but
    only once the report body has begun, so a title near the top is never taken for one."""
    prefilter = _rule_prefilter(tuple(rule.pattern.pattern for rule in rules))
    kept: list[str] = []
    list_rule = ""
    in_body = False
    for line in lines:
        rule = _first_rule(line, rules, prefilter) if len(line) <= RULE_MAX_CHARS else None
        if rule is not None:
            removed[rule.name].append(line)
            list_rule = f"{rule.name}_list" if rule.drops_list and in_body else ""
        elif line in corpus_chrome and not heading_level(line):
            removed["corpus_repeated"].append(line)
        elif list_rule and _is_list_item(line):
            removed[list_rule].append(line)
        else:
            list_rule = ""
            in_body = in_body or (len(line) >= 20 and _ends_sentence(line))
            kept.append(line)
    return kept


def _find_title(kept: list[str]) -> tuple[str, int, int]:
    """The title (a short line mentioning 报告 near the top, possibly wrapped onto two lines),
    with the index of its first and last line; ``("", 0, -1)`` if there is none."""
    for index, line in enumerate(kept[:12]):
        if _looks_like_title(line):
            start = index
            if index > 0 and len(kept[index - 1]) <= 40 and not _ends_sentence(kept[index - 1]) \
                    and not heading_level(kept[index - 1]) and len(line) <= 12:
                start = index - 1
            return "".join(kept[start:index + 1]), start, index
    return "", 0, -1


def _drop_title_repeats(lines: list[str], title: str, removed: dict[str, list[str]]) -> list[str]:
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


def _drop_repeated_paragraphs(texts: list[str], removed: dict[str, list[str]]) -> list[str]:
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


def _sectioned(texts: list[str]) -> list[Paragraph]:
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
# lines they remove still name the report's place ("中共遂溪县委、遂溪县人民政府:").
FURNITURE_RULES = ("file_header", "salutation", "signature")


def clean_lines(lines: list[str], rules: list[Rule], corpus_chrome: frozenset[str] = frozenset()) -> CleanedReport:
    """Clean one report given as normalised lines (see :func:`normalize`)."""
    removed: dict[str, list[str]] = defaultdict(list)
    kept = _drop_rule_lines(lines, rules, corpus_chrome, removed)
    title, start, end = _find_title(kept)
    removed["before_title"].extend(kept[:start])
    body = _drop_title_repeats(kept[end + 1:] if title else kept, title, removed)
    joined = join_broken_lines(body)
    paragraphs = _sectioned(_drop_repeated_paragraphs(joined, removed))
    first_body = next((p.text for p in paragraphs if p.kind == "body"), "")
    # The report's own words, with its addressee and signature: where it names its place.
    report_text = "\n".join([*(removed.get(rule, [])[0] for rule in FURNITURE_RULES if removed.get(rule)),
                             *(p.text for p in paragraphs)])
    metadata = extract_metadata(lines, title, first_body, report_text)
    return CleanedReport(metadata, paragraphs, {rule: found for rule, found in removed.items() if found},
                         lines_rejoined=len(body) - len(joined))


def clean_report(
    text: str,
    rules: list[Rule],
    corpus_chrome: frozenset[str] = frozenset(),
    to_simplified: bool = True,
) -> CleanedReport:
    """Clean one report's raw text.

    Parameters
    ----------
    text : the report as read from its file.
    rules : boilerplate rules (see ``config/boilerplate.txt``).
    corpus_chrome : normalised lines that recur across many reports of the corpus, which are
        page chrome by definition (see :func:`find_corpus_chrome`).
    to_simplified : convert traditional characters to simplified (OpenCC t2s).
    """
    lines, converted = normalize(text, to_simplified)
    cleaned = clean_lines(lines, rules, corpus_chrome)
    cleaned.chars_simplified = converted
    return cleaned


def find_corpus_chrome(line_document_counts: dict[str, int], n_documents: int, min_share: float = 0.5, min_documents: int = 5) -> frozenset[str]:
    """Lines found in at least ``min_share`` of the documents (and ``min_documents``) are chrome.

    Real report sentences are not repeated verbatim across half a corpus; portal menus and
    footers are. Needs enough documents to tell the two apart. Count copies of one report
    once (see :func:`run_clean`), or a report saved five times would look like chrome.
    """
    if n_documents < min_documents:
        return frozenset()
    threshold = max(min_documents, min_share * n_documents)
    return frozenset(line for line, count in line_document_counts.items() if count >= threshold)


# ---------------------------------------------------------------------------------------------
# Near-duplicate reports
# ---------------------------------------------------------------------------------------------

NUM_PERM = 128


def compact(text: str) -> str:
    """``text`` without white space: what duplicate detection compares."""
    return "".join(text.split())


def shingle_hashes(text: str, size: int = 5, sample: int = 16) -> list[int]:
    """32-bit hashes of the ``size``-character shingles of ``compact(text)`` that are 0 mod
    ``sample`` (with repeats; MinHash ignores them).

    Keeping the shingles whose hash is 0 mod m is Broder's (1997) sampling: the resemblance of
    the samples estimates that of the full sets, at 1/m of the MinHash work. The hashes are a
    polynomial rolling hash over the code points, vectorised with numpy; hashing shingle by
    shingle in Python was most of the cleaning time on a large corpus.
    """
    codes = np.frombuffer(compact(text).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < size:
        codes = np.concatenate([codes, np.zeros(size - len(codes), dtype=np.uint64)])
    n = len(codes) - size + 1
    hashes = np.zeros(n, dtype=np.uint64)
    for offset in range(size):
        hashes = hashes * np.uint64(0x100000001B3) + codes[offset:offset + n]
    hashes >>= np.uint64(32)
    sampled = hashes[hashes % np.uint64(sample) == 0]
    # A very short text may have no shingle in the sample: then it is its own sample.
    return (sampled if len(sampled) else hashes).tolist()


@lru_cache(maxsize=1)
def _scratch_minhash():
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int)  # values are hashed already


def text_minhash(text: str, sample: int = 16):
    """A datasketch LeanMinHash of the text's character shingles, one in ``sample`` kept."""
    from datasketch import LeanMinHash

    # One MinHash per process, cleared and refilled: making one generates its permutations,
    # which took longer than hashing a report.
    scratch = _scratch_minhash()
    scratch.clear()
    scratch.update_batch(shingle_hashes(text, sample=sample))
    return LeanMinHash(scratch)


@dataclass(frozen=True)
class Fingerprint:
    """What duplicate detection compares: a digest of the exact text (white space aside) and
    a MinHash for near-duplicates. Computed in worker processes; small to send back."""

    digest: str
    minhash: object

    @classmethod
    def of(cls, text: str, sample: int = 16) -> "Fingerprint":
        return cls(hashlib.sha1(compact(text).encode()).hexdigest(), text_minhash(text, sample))


class Twin(NamedTuple):
    """The earlier text a text duplicates: its key, the estimated Jaccard similarity of their
    shingles, and whether the texts are identical (white space aside)."""

    key: str
    similarity: float
    exact: bool


class DuplicateFinder:
    """Exact (same text) and near (MinHash Jaccard >= threshold) duplicates among the texts
    added so far; the first text added is the one kept."""

    def __init__(self, threshold: float):
        from datasketch import MinHashLSH

        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._exact: dict[str, str] = {}
        self._minhashes: dict = {}

    def add(self, key: str, fingerprint: Fingerprint) -> Twin | None:
        """Record a text by its fingerprint; return the earlier text it duplicates, if any."""
        if fingerprint.digest in self._exact:
            return Twin(self._exact[fingerprint.digest], 1.0, exact=True)
        minhash = fingerprint.minhash
        # LSH proposes candidates; the estimated Jaccard similarity decides.
        scored = sorted(((minhash.jaccard(self._minhashes[other]), other) for other in self._lsh.query(minhash)),
                        key=lambda pair: (-pair[0], pair[1]))
        if scored and scored[0][0] >= self.threshold:
            return Twin(scored[0][1], scored[0][0], exact=False)
        self._exact[fingerprint.digest] = key
        self._minhashes[key] = minhash
        self._lsh.insert(key, minhash)
        return None

    @property
    def n_distinct(self) -> int:
        """Texts added that duplicated none before them."""
        return len(self._minhashes)


# ---------------------------------------------------------------------------------------------
# The cleaning report
# ---------------------------------------------------------------------------------------------

REPORT_COLUMNS = ("file", "doc_id", "status", "detail", "reader", "encoding", "chars_in", "chars_out",
                  "paragraphs", "lines_removed", "lines_rejoined", "duplicate_paragraphs", "chars_simplified",
                  "warnings")
REMOVED_COLUMNS = ("file", "rule", "lines_removed", "examples")
N_EXAMPLES = 3


@dataclass
class FileOutcome:
    """What happened to one input file: one row of cleaning_report.csv."""

    file: str
    doc_id: str = ""
    status: str = ""  # kept, duplicate or skipped
    detail: str = ""
    reader: str = ""
    encoding: str = ""
    chars_in: int = 0
    chars_out: int = 0
    paragraphs: int = 0
    removed: dict[str, list[str]] = field(default_factory=dict)
    lines_rejoined: int = 0
    chars_simplified: int = 0
    warnings: list[str] = field(default_factory=list)

    def row(self) -> list:
        return [self.file, self.doc_id, self.status, self.detail, self.reader, self.encoding, self.chars_in,
                self.chars_out, self.paragraphs, sum(len(v) for v in self.removed.values()), self.lines_rejoined,
                len(self.removed.get("duplicate_paragraph", ())), self.chars_simplified, "; ".join(self.warnings)]


def report_warnings(cleaned: CleanedReport, chars_in: int) -> list[str]:
    """Doubts about one cleaned report that a person should look at."""
    warnings = []
    if chars_in and cleaned.n_chars < 0.4 * chars_in:
        warnings.append(f"only {100 * cleaned.n_chars / chars_in:.0f}% of the text kept")
    if not cleaned.metadata.get("title"):
        warnings.append("no title found")
    if not cleaned.metadata.get("year"):
        warnings.append("no year found")
    if len(cleaned.removed.get("duplicate_paragraph", ())) > len(cleaned.paragraphs):
        warnings.append("text repeated within the file")
    return warnings


def _example(line: str, width: int = 40) -> str:
    return line if len(line) <= width else line[:width] + "…"


def cleaning_summary(outcomes: list[FileOutcome], chrome_lines: int = 0, top_rules: int = 12) -> str:
    """A short human summary of the cleaning report: counts, rules with examples, problems."""
    status = Counter(o.status for o in outcomes)
    readers = Counter(f"{o.reader} ({o.encoding})" if o.reader == "txt" else o.reader for o in outcomes if o.reader)
    chars_in = sum(o.chars_in for o in outcomes if o.status == "kept")
    chars_out = sum(o.chars_out for o in outcomes if o.status == "kept")
    lines = [
        f"clean: {len(outcomes)} files: {status['kept']} kept, {status['duplicate']} duplicates dropped, "
        f"{status['skipped']} skipped",
        "  read as: " + (", ".join(f"{name} {n}" for name, n in sorted(readers.items())) or "-"),
        f"  characters kept: {chars_out:,} of {chars_in:,}" + (f" ({100 * chars_out / chars_in:.0f}%)" if chars_in else ""),
    ]
    by_rule: dict[str, list[str]] = defaultdict(list)
    files_by_rule: Counter[str] = Counter()
    for outcome in outcomes:
        for rule, removed in outcome.removed.items():
            by_rule[rule].extend(removed[:N_EXAMPLES])
            files_by_rule[rule] += 1
    totals = Counter({rule: sum(len(o.removed.get(rule, ())) for o in outcomes) for rule in by_rule})
    if totals:
        lines.append(f"  lines removed by rule ({chrome_lines} corpus-wide repeated lines found):")
        for rule, count in totals.most_common(top_rules):
            examples = list(dict.fromkeys(by_rule[rule]))[:2]
            lines.append(f"    {rule:<22} {count:>6} in {files_by_rule[rule]:>4} files  e.g. "
                         + " | ".join(_example(e) for e in examples))
        if len(totals) > top_rules:
            lines.append(f"    ... {len(totals) - top_rules} more rules in removed_lines.csv")
    rejoined = sum(o.lines_rejoined for o in outcomes)
    simplified = sum(1 for o in outcomes if o.chars_simplified)
    lines.append(f"  broken lines rejoined: {rejoined}; files with traditional characters converted: {simplified}")
    for outcome in outcomes:
        if outcome.status == "duplicate":
            lines.append(f"  DUPLICATE {outcome.file}: {outcome.detail}")
    warned = [o for o in outcomes if o.warnings and o.status == "kept"]
    for outcome in warned[:10]:
        lines.append(f"  warning {outcome.file}: {'; '.join(outcome.warnings)}")
    if len(warned) > 10:
        lines.append(f"  ... {len(warned) - 10} more files with warnings in cleaning_report.csv")
    skipped = [o for o in outcomes if o.status == "skipped"]
    if skipped:
        lines.append(f"  SKIPPED {len(skipped)} file(s), not in the results:")
        lines.extend(f"    SKIPPED {o.file}: {o.detail}" for o in skipped)
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# I/O shell
# ---------------------------------------------------------------------------------------------

PARAGRAPH_COLUMNS = ("doc_id", "position", "kind", "section", "subsection", "n_chars", "text")
# Lines longer than this are report text, never menu or footer chrome.
_CHROME_MAX_CHARS = 100
# Shingle sampling for grouping copies of a page before cleaning (see shingle_hashes).
PAGE_SAMPLE = 32


def document_id(path: Path, input_dir: Path) -> str:
    """A stable id from the file's path inside the corpus folder (no tabs or spaces)."""
    relative = path.relative_to(input_dir).with_suffix("").as_posix()
    return re.sub(r"\s+", "_", relative)


@dataclass
class _Read:
    """A file read and normalised (pass 1), waiting to be cleaned (pass 2)."""

    lines: list[str]
    dropped: tuple[tuple[str, str], ...]
    chars_simplified: int
    short_lines: frozenset[str]  # candidates for corpus-wide chrome, counted by the parent


# Per-process settings of the worker functions (set by _init_worker; workers share nothing).
_WORKER: dict = {}


def _init_worker(settings: dict) -> None:
    _WORKER.clear()
    _WORKER.update(settings)


def _init_pool_worker(settings: dict) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: one message, no tracebacks
    _init_worker(settings)


def _read_file(path: Path, name: str) -> tuple[FileOutcome, _Read | None, Fingerprint | None]:
    """Pass 1 for one file: read, normalise, and the fingerprint of the whole page."""
    from .readers import read_report

    outcome = FileOutcome(name)
    try:
        raw = read_report(path)
    except PipelineError as err:
        outcome.status, outcome.detail = "skipped", str(err).removeprefix(f"{path}: ")
        return outcome, None, None
    outcome.reader, outcome.encoding, outcome.chars_in = raw.reader, raw.encoding, len(raw.text)
    outcome.warnings.extend(raw.warnings)
    lines, converted = normalize(raw.text, _WORKER["to_simplified"])
    short_lines = frozenset(line for line in lines if len(line) <= _CHROME_MAX_CHARS)
    # Only a rough grouping of copies is needed here: a sparser sample is enough.
    page = Fingerprint.of("".join(lines), PAGE_SAMPLE)
    return outcome, _Read(lines, raw.dropped, converted, short_lines), page


def _read_file_task(task: tuple[Path, str]):
    return _read_file(*task)


def _clean_file(index: int) -> tuple[CleanedReport, Fingerprint | None]:
    """Pass 2 for file ``index``: clean, and the fingerprint of the report text kept.

    The normalised lines are looked up in ``_WORKER["read"]``: forked workers inherit them
    from the parent, so they are not sent through a pipe again."""
    cleaned = clean_lines(_WORKER["read"][index].lines, _WORKER["rules"], _WORKER["chrome"])
    body = "\n".join(p.text for p in cleaned.paragraphs)
    return cleaned, Fingerprint.of(body) if body else None


def _ordered_map(function, items, jobs: int, settings: dict):
    """``map(function, items)`` in ``jobs`` processes; results come back in input order, so
    the output does not depend on ``jobs``."""
    if jobs <= 1:
        _init_worker(settings)
        try:
            yield from map(function, items)
        finally:
            _WORKER.clear()  # the texts it holds
        return
    import multiprocessing
    import os

    # Forked workers inherit the settings (and the texts in them) without pickling.
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    gc.freeze()  # the garbage collector would touch (and so copy) every inherited page
    try:
        with context.Pool(jobs, initializer=_init_pool_worker, initargs=(settings,)) as pool:
            yield from pool.imap(function, items, chunksize=4)
    finally:
        gc.unfreeze()


def run_clean(
    input_dir: str | Path,
    output_dir: str | Path,
    rules_path: str | Path,
    metadata_path: str | Path | None = None,
    to_simplified: bool = True,
    near_duplicate_threshold: float = 0.9,
    log=print,
    jobs: int = 1,
) -> dict[str, int]:
    """Clean every report under ``input_dir`` into ``output_dir``/clean, in ``jobs`` processes.

    Writes documents.csv, paragraphs.csv (last: it is what Make waits for), cleaning_report.csv
    (one row per input file), removed_lines.csv (one row per file and rule, with examples) and
    cleaning_summary.txt (what is also printed at the end). Unreadable files are skipped and
    listed; an empty result is an error. The output does not depend on ``jobs``.
    """
    from tqdm import tqdm

    from .files import CsvTable, atomic_open
    from .metadata import MetadataOverrides
    from .readers import list_other_files, list_reports, unsupported_reason

    input_dir, out = Path(input_dir), Path(output_dir) / "clean"
    rules = load_rules(rules_path)
    paths = list_reports(input_dir)
    overrides = MetadataOverrides.load(metadata_path, input_dir)
    metadata_file = Path(overrides.source) if overrides.source else input_dir / "metadata.csv"
    names = [path.relative_to(input_dir).as_posix() for path in paths]
    others = [FileOutcome(path.relative_to(input_dir).as_posix(), status="skipped", detail=unsupported_reason(path))
              for path in list_other_files(input_dir, exclude=(metadata_file,))]

    # Pass 1: read and normalise every file; count the short lines of each distinct report,
    # copies of one report (in any format) once, or they would look like page chrome.
    outcomes: list[FileOutcome] = []
    read: dict[int, _Read] = {}
    line_counts: Counter[str] = Counter()
    copies = DuplicateFinder(0.8)
    results = _ordered_map(_read_file_task, zip(paths, names), jobs, {"to_simplified": to_simplified})
    for index, (outcome, result, page) in enumerate(tqdm(results, total=len(paths), desc="clean: read",
                                                                    unit="file", disable=None)):
        outcomes.append(outcome)
        if result is None:
            continue
        read[index] = result
        if copies.add(outcome.file, page) is None:
            line_counts.update(result.short_lines)
    chrome = find_corpus_chrome(line_counts, copies.n_distinct)
    del line_counts, copies

    # Pass 2: clean, drop duplicate reports, write.
    indices = sorted(read)
    cleaned_reports = _ordered_map(_clean_file, indices, jobs, {"rules": rules, "chrome": chrome, "read": read})
    doc_columns = ("doc_id", "file", *METADATA_FIELDS, *overrides.extra_columns, "n_paragraphs", "n_chars")
    duplicates = DuplicateFinder(near_duplicate_threshold)
    out.mkdir(parents=True, exist_ok=True)
    # paragraphs.csv is opened first so that it is renamed into place last.
    with CsvTable(out / "paragraphs.csv", PARAGRAPH_COLUMNS) as paragraphs, \
            CsvTable(out / "documents.csv", doc_columns) as documents, \
            CsvTable(out / "cleaning_report.csv", REPORT_COLUMNS) as report_rows, \
            CsvTable(out / "removed_lines.csv", REMOVED_COLUMNS) as removed_rows:
        for index, (cleaned, body) in zip(indices, tqdm(cleaned_reports, total=len(indices), desc="clean",
                                                                unit="file", disable=None)):
            outcome, result = outcomes[index], read[index]
            outcome.doc_id = document_id(paths[index], input_dir)
            outcome.removed = _merge_removed(result.dropped, cleaned.removed)
            outcome.chars_out, outcome.paragraphs = cleaned.n_chars, len(cleaned.paragraphs)
            outcome.lines_rejoined, outcome.chars_simplified = cleaned.lines_rejoined, result.chars_simplified
            if not cleaned.paragraphs:
                outcome.status, outcome.detail = "skipped", "no report text left after cleaning"
                continue
            outcome.warnings.extend(report_warnings(cleaned, outcome.chars_in))
            twin = duplicates.add(outcome.doc_id, body)
            if twin is not None:
                kind = "exact duplicate" if twin.exact else f"near-duplicate (similarity {twin.similarity:.2f})"
                outcome.status, outcome.detail = "duplicate", f"{kind} of {twin.key}; not in the results"
                continue
            outcome.status = "kept"
            metadata = overrides.apply(outcome.file, cleaned.metadata)
            documents.write_dict({"doc_id": outcome.doc_id, "file": outcome.file, **metadata,
                                  "n_paragraphs": len(cleaned.paragraphs), "n_chars": cleaned.n_chars})
            for position, paragraph in enumerate(cleaned.paragraphs):
                paragraphs.write([outcome.doc_id, position, paragraph.kind, paragraph.section,
                                  paragraph.subsection, len(paragraph.text), paragraph.text])

        read.clear()
        all_outcomes = outcomes + others
        for outcome in all_outcomes:
            report_rows.write(outcome.row())
            for rule, lines in sorted(outcome.removed.items()):
                removed_rows.write([outcome.file, rule, len(lines), " | ".join(_example(line, 60) for line in lines[:N_EXAMPLES])])
        summary = cleaning_summary(all_outcomes, len(chrome))
        unused = overrides.unused()
        if unused:
            summary += f"\n  WARNING {overrides.source}: {len(unused)} rows match no report file, e.g. {', '.join(unused[:3])}"
        log(summary)
        if not any(o.status == "kept" for o in all_outcomes):
            raise PipelineError(f"{input_dir}: no report could be cleaned ({len(all_outcomes)} files, "
                                f"all skipped or duplicates); see the reasons above")
        with atomic_open(out / "cleaning_summary.txt") as handle:
            handle.write(summary + "\n")
    log(f"clean: details in {out / 'cleaning_report.csv'} and {out / 'removed_lines.csv'}")
    status = Counter(o.status for o in all_outcomes)
    return {"files": len(all_outcomes), "kept": status["kept"], "duplicates": status["duplicate"],
            "skipped": status["skipped"], "paragraphs": sum(o.paragraphs for o in all_outcomes if o.status == "kept")}


def _merge_removed(dropped: tuple[tuple[str, str], ...], removed: dict[str, list[str]]) -> dict[str, list[str]]:
    """What the reader dropped (HTML chrome) first, then what cleaning removed, by rule."""
    merged: dict[str, list[str]] = defaultdict(list)
    for rule, line in dropped:
        merged[rule].append(line)
    for rule, lines in removed.items():
        merged[rule].extend(lines)
    return dict(merged)
