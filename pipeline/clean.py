"""Stage 1, clean: raw report text -> metadata plus paragraphs with their section headings.

The core is :func:`clean_report` (text in, :class:`CleanedReport` out). Everything it removes is
recorded per rule, so the cleaning report can show what was dropped and why.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .files import PipelineError

CJK = r"\u4e00-\u9fff"

# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------

# Zero-width and other invisible format characters that scrapers leave in text.
_INVISIBLE = re.compile("[\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
# Non-breaking spaces, also as literal entities written out by careless scrapers.
_NBSP_LITERAL = re.compile(r"&nbsp;?|&#160;|&#xa0;|\\u00a0|\\xa0", re.IGNORECASE)
# Spaces between two CJK characters or a CJK character and a digit are typesetting, not words.
_SPACE_IN_CJK = re.compile(rf"(?<=[{CJK}\d%])[ \t]+(?=[{CJK}])|(?<=[{CJK}])[ \t]+(?=[\d{CJK}])")
_BULLETS = re.compile(r"^[•·●○■□◆◇▪▶►\-*]\s+|^[•·●○■□◆◇▪▶►]")


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def normalize_text(text: str, to_simplified: bool = True) -> str:
    """Normalise characters and line endings; keep line structure.

    NFKC turns full-width ASCII letters, digits, punctuation and the ideographic space into
    their ASCII forms, so later rules see one spelling ("，" -> ",", "２０２０" -> "2020").
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _NBSP_LITERAL.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    if to_simplified:
        text = _t2s().convert(text)
    lines = []
    for line in text.split("\n"):
        line = _BULLETS.sub("", line.strip()).strip()
        lines.append(_SPACE_IN_CJK.sub("", line))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Boilerplate rules
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A named regular expression; a line it matches is boilerplate."""

    name: str
    pattern: re.Pattern


def parse_rules(text: str, source: str = "rules") -> list[Rule]:
    """Parse ``name  regex`` lines (``#`` starts a comment line)."""
    rules = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parts = stripped.split(None, 1)
        if len(parts) != 2:
            raise PipelineError(f"{source}:{number}: expected '<name> <regular expression>', got {stripped!r}")
        try:
            rules.append(Rule(parts[0], re.compile(parts[1])))
        except re.error as err:
            raise PipelineError(f"{source}:{number}: bad regular expression for rule {parts[0]!r}: {err}") from err
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
# Metadata
# ---------------------------------------------------------------------------------------------

_PLACE = re.compile(
    rf"^(?:关于|中共)?"
    rf"(?P<province>[{CJK}]{{1,7}}?(?:省|自治区))?"
    rf"(?P<city>[{CJK}]{{1,6}}?(?:市|州|盟|地区))?"
    rf"(?P<county>[{CJK}]{{1,6}}?(?:县|区|旗))?"
    rf"(?P<town>[{CJK}]{{1,6}}?(?:镇|乡|街道))?"
)
_MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")
# "我镇", "全镇" and the like are not place names.
_NOT_PLACE_START = set("我全本各该乡城村市县镇区治依在对和到为以是有两三每多此其诸")
_TOWN_IN_TEXT = re.compile(rf"(?:^|(?<=[,。、:\s年]))([{CJK}]{{2}}(?:镇|乡))")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_DATE_PATTERNS = (
    re.compile(r"(?:时间|日期|发布时间|发布日期|成文日期)\s*:?\s*((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})"),
    re.compile(r"^((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"),
)
_SIGNED = re.compile(r"^((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_DOC_NUMBER = re.compile(rf"[{CJK}]{{1,12}}[〔\[(](?:19|20)\d{{2}}[〕\])]\s*\d+\s*号")
_FILE_HEADER = re.compile(rf"^([{CJK}()]{{2,40}}?)文件$")
_SIGNATURE = re.compile(rf"^([{CJK}()]{{2,40}}(?:人民政府|人民政府办公室|委员会|党委|办事处|司法所))$")

METADATA_FIELDS = (
    "title", "province", "city", "county", "town", "year",
    "publish_date", "signed_date", "doc_number", "issuing_body",
)


def _iso_date(match: re.Match) -> str:
    year, month, day = (int(g) for g in match.groups()[:3])
    return f"{year:04d}-{month:02d}-{day:02d}"


def extract_place(*texts: str) -> dict[str, str]:
    """Province, city, county and town from the start of a title or an issuing body."""
    place = {"province": "", "city": "", "county": "", "town": ""}
    for text in texts:
        if not text:
            continue
        text = re.sub(r"\s", "", text)
        for name in _MUNICIPALITIES:
            if text.startswith(name) and not place["province"]:
                place["province"] = name
                text = text[len(name):]
        match = _PLACE.match(text)
        if match:
            for key, value in match.groupdict().items():
                if value and not place[key] and value[0] not in _NOT_PLACE_START:
                    place[key] = value
    return place


def extract_metadata(lines: list[str], title: str, first_paragraph: str) -> dict[str, str]:
    """Metadata from the normalised lines of one report (before any line is removed)."""
    meta = dict.fromkeys(METADATA_FIELDS, "")
    meta["title"] = title
    for line in lines:
        if not meta["publish_date"]:
            for pattern in _DATE_PATTERNS:
                match = pattern.search(line)
                if match:
                    meta["publish_date"] = _iso_date(match)
                    break
        if not meta["doc_number"]:
            match = _DOC_NUMBER.search(line) if len(line) < 40 else None
            if match:
                meta["doc_number"] = match.group(0).replace(" ", "")
        if not meta["issuing_body"]:
            match = _FILE_HEADER.match(line)
            if match:
                meta["issuing_body"] = match.group(1)
    for line in reversed(lines[-15:]):
        if not meta["signed_date"]:
            match = _SIGNED.match(line)
            if match:
                meta["signed_date"] = _iso_date(match)
        if not meta["issuing_body"]:
            match = _SIGNATURE.match(line)
            if match:
                meta["issuing_body"] = match.group(1)

    place = extract_place(title, meta["issuing_body"])
    if not place["town"] and not place["county"]:
        # No title to go by: the most frequent "XX镇" near the start of the text.
        counts: dict[str, int] = defaultdict(int)
        for name in _TOWN_IN_TEXT.findall(first_paragraph):
            if name[0] not in _NOT_PLACE_START:
                counts[name] += 1
        if counts:
            place["town"] = max(counts, key=lambda name: (counts[name], -first_paragraph.index(name)))
    meta.update(place)

    # The year reported on: the title says it; else the opening sentence; else the year before
    # publication (reports on year N are published early in year N+1).
    for source in (title, first_paragraph[:200]):
        match = _YEAR.search(source)
        if match:
            meta["year"] = match.group(1)
            break
    else:
        date = meta["publish_date"] or meta["signed_date"]
        if date:
            meta["year"] = str(int(date[:4]) - 1)
    return meta


# ---------------------------------------------------------------------------------------------
# The core
# ---------------------------------------------------------------------------------------------


@dataclass
class Paragraph:
    """One paragraph (or heading) of cleaned text with the headings it sits under."""

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

    @property
    def n_chars(self) -> int:
        return sum(len(p.text) for p in self.paragraphs)


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
    removed: dict[str, list[str]] = defaultdict(list)
    lines = [line for line in normalize_text(text, to_simplified).split("\n") if line]

    kept: list[str] = []
    for line in lines:
        rule = next((r.name for r in rules if r.pattern.search(line)), None)
        if rule is None and line in corpus_chrome:
            rule = "corpus_repeated"
        if rule:
            removed[rule].append(line)
        else:
            kept.append(line)

    # The title: a short line mentioning 报告 near the top, possibly wrapped onto two lines.
    title = ""
    for index, line in enumerate(kept[:12]):
        if _looks_like_title(line):
            start = index
            if index > 0 and len(kept[index - 1]) <= 40 and not _ends_sentence(kept[index - 1]) \
                    and not heading_level(kept[index - 1]) and len(line) <= 12:
                start = index - 1
            title = "".join(kept[start:index + 1])
            removed["before_title"].extend(kept[:start])
            kept = kept[index + 1:]
            break
    body_lines = []
    for line in kept:
        if title and line == title:
            removed["title_repeated"].append(line)
        else:
            body_lines.append(line)
    body_lines = join_broken_lines(body_lines)

    paragraphs: list[Paragraph] = []
    seen: set[str] = set()
    section = subsection = ""
    for line in body_lines:
        if line in seen:
            removed["duplicate_paragraph"].append(line)
            continue
        seen.add(line)
        level = heading_level(line)
        if level == 1:
            section, subsection = line, ""
        elif level > 1:
            subsection = line
        paragraphs.append(Paragraph(line, "heading" if level else "body", section, subsection))

    first_body = next((p.text for p in paragraphs if p.kind == "body"), "")
    metadata = extract_metadata(lines, title, first_body)
    return CleanedReport(metadata, paragraphs, dict(removed))


def find_corpus_chrome(line_document_counts: dict[str, int], n_documents: int, min_share: float = 0.5, min_documents: int = 5) -> frozenset[str]:
    """Lines found in at least ``min_share`` of the documents (and ``min_documents``) are chrome.

    Real report sentences are not repeated verbatim across half a corpus; portal menus and
    footers are. Needs enough documents to tell the two apart.
    """
    if n_documents < min_documents:
        return frozenset()
    threshold = max(min_documents, min_share * n_documents)
    return frozenset(line for line, count in line_document_counts.items() if count >= threshold)


# ---------------------------------------------------------------------------------------------
# I/O shell
# ---------------------------------------------------------------------------------------------

PARAGRAPH_COLUMNS = ("doc_id", "position", "kind", "section", "subsection", "n_chars", "text")


def document_id(path: Path, input_dir: Path) -> str:
    """A stable id from the file's path inside the corpus folder (no tabs or spaces)."""
    relative = path.relative_to(input_dir).with_suffix("").as_posix()
    return re.sub(r"\s+", "_", relative)


def _shingles(text: str, size: int = 5) -> set[bytes]:
    compact = re.sub(r"\s", "", text)
    return {compact[i:i + size].encode() for i in range(max(1, len(compact) - size + 1))}


def run_clean(
    input_dir: str | Path,
    output_dir: str | Path,
    rules_path: str | Path,
    metadata_path: str | Path | None = None,
    to_simplified: bool = True,
    near_duplicate_threshold: float = 0.9,
    log=print,
) -> dict[str, int]:
    """Clean every report under ``input_dir`` into ``output_dir``/clean.

    Writes documents.csv, paragraphs.csv (last: it is what Make waits for), cleaning_report.csv
    (one row per input file) and removed_lines.csv (one row per file and rule).
    Unreadable files are skipped and listed; an empty result is an error.
    """
    from datasketch import MinHash, MinHashLSH
    from tqdm import tqdm

    from .files import CsvTable
    from .metadata import MetadataOverrides
    from .readers import list_reports, read_report

    input_dir, out = Path(input_dir), Path(output_dir) / "clean"
    rules = load_rules(rules_path)
    paths = list_reports(input_dir)
    overrides = MetadataOverrides.load(metadata_path, input_dir)

    # Pass 1: which short lines recur across many files (portal menus, footers)?
    line_counts: dict[str, int] = defaultdict(int)
    readable: dict[Path, object] = {}
    skipped: dict[Path, str] = {}
    for path in tqdm(paths, desc="clean: read", unit="file", disable=None):
        try:
            report = read_report(path)
        except PipelineError as err:
            skipped[path] = str(err).removeprefix(f"{path}: ")
            continue
        readable[path] = (report.reader, report.encoding, len(report.text))
        short = {line for line in report.text.splitlines() if 0 < len(line.strip()) <= 100}
        for line in set(normalize_text("\n".join(short), to_simplified).split("\n")):
            if line:
                line_counts[line] += 1
    chrome = find_corpus_chrome(line_counts, len(readable))
    del line_counts

    extra_columns = overrides.extra_columns
    doc_columns = ("doc_id", "file", *METADATA_FIELDS, *extra_columns, "n_paragraphs", "n_chars")
    lsh = MinHashLSH(threshold=near_duplicate_threshold, num_perm=64)
    kept_ids: set[str] = set()
    stats = {"files": len(paths), "kept": 0, "skipped": len(skipped), "duplicates": 0, "paragraphs": 0}
    out.mkdir(parents=True, exist_ok=True)
    # paragraphs.csv is opened first so that it is renamed into place last.
    with CsvTable(out / "paragraphs.csv", PARAGRAPH_COLUMNS) as paragraphs, \
            CsvTable(out / "documents.csv", doc_columns) as documents, \
            CsvTable(out / "cleaning_report.csv", ("file", "doc_id", "status", "detail", "reader", "encoding", "chars_in", "chars_out", "paragraphs", "lines_removed")) as report_rows, \
            CsvTable(out / "removed_lines.csv", ("file", "rule", "lines_removed", "examples")) as removed_rows:
        for path in tqdm(paths, desc="clean", unit="file", disable=None):
            name = path.relative_to(input_dir).as_posix()
            if path in skipped:
                report_rows.write([name, "", "skipped", skipped[path], "", "", 0, 0, 0, 0])
                continue
            raw = read_report(path)
            cleaned = clean_report(raw.text, rules, chrome, to_simplified)
            doc_id = document_id(path, input_dir)
            removed = {rule: lines for rule, lines in cleaned.removed.items() if lines}
            n_removed = sum(len(lines) for lines in removed.values())
            for rule, lines in sorted(removed.items()):
                removed_rows.write([name, rule, len(lines), " | ".join(line[:60] for line in lines[:3])])
            row = [name, doc_id, "", "", raw.reader, raw.encoding, len(raw.text), cleaned.n_chars, len(cleaned.paragraphs), n_removed]
            if not cleaned.paragraphs:
                row[2:4] = ["skipped", "no report text left after cleaning"]
                skipped[path] = "no report text left after cleaning"
                report_rows.write(row)
                continue
            minhash = MinHash(num_perm=64, seed=1)
            minhash.update_batch(_shingles("".join(p.text for p in cleaned.paragraphs if p.kind == "body")))
            twins = sorted(lsh.query(minhash))
            if twins:
                row[2:4] = ["duplicate", f"same report as {twins[0]}"]
                report_rows.write(row)
                stats["duplicates"] += 1
                continue
            lsh.insert(doc_id, minhash)
            kept_ids.add(doc_id)
            row[2] = "kept"
            report_rows.write(row)
            metadata = overrides.apply(name, cleaned.metadata)
            documents.write_dict({"doc_id": doc_id, "file": name, **metadata,
                                  "n_paragraphs": len(cleaned.paragraphs), "n_chars": cleaned.n_chars})
            for position, paragraph in enumerate(cleaned.paragraphs):
                paragraphs.write([doc_id, position, paragraph.kind, paragraph.section, paragraph.subsection, len(paragraph.text), paragraph.text])
            stats["kept"] += 1
            stats["paragraphs"] += len(cleaned.paragraphs)
        if not kept_ids:
            raise PipelineError(f"{input_dir}: no report could be cleaned ({len(skipped)} skipped); see the reasons above")
        overrides.check_unused(log)

    stats["skipped"] = len(skipped)
    log(f"clean: {stats['kept']} reports kept, {stats['paragraphs']} paragraphs; "
        f"{stats['duplicates']} duplicates dropped; {stats['skipped']} files skipped; "
        f"{len(chrome)} corpus-wide chrome lines removed")
    for path, reason in skipped.items():
        log(f"clean: SKIPPED {path}: {reason}")
    return stats
