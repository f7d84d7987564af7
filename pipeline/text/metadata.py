"""Report metadata: what cleaning extracts from the text, and the optional metadata CSV.

Extracted: title, province/city/county/town (where the text names them), the year reported
on, publish and signing dates, document number (文号) and issuing body. The metadata CSV beside
the corpus (file name -> year, place, any other column) overrides what was extracted, and its
extra columns flow through to every per-report output table (see ``artifacts.Run.document_info``).

Which names the output tables use themselves is the contract's (artifacts.py), which this layer
does not import: the clean stage derives them and passes them in (``reserved``).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection

from ..files import PipelineError
from .chars import HAN, HAN_FIRST, HAN_LAST
from .decoding import user_csv
from .fields import METADATA_FIELDS
from .places import PLACE_LEVELS

DEFAULT_NAME = "metadata.csv"

# ---------------------------------------------------------------------------------------------
# Metadata a file gives as keys and values: front matter, a table's columns, a crawler's header
# ---------------------------------------------------------------------------------------------

# Keys (lowercased, as crawlers, portals and front matter spell them) that name a metadata field.
FIELD_OF_KEY = {
    **dict.fromkeys(("title", "标题", "题目", "文章标题", "名称"), "title"),
    **dict.fromkeys(("year", "年份", "年度"), "year"),
    **dict.fromkeys(("province", "省份", "省"), "province"),
    **dict.fromkeys(("city", "城市", "地市"), "city"),
    **dict.fromkeys(("county", "区县", "县区"), "county"),
    **dict.fromkeys(("town", "乡镇", "街道"), "town"),
    **dict.fromkeys(("publish_date", "date", "published", "发布日期", "发布时间", "发文日期", "公开日期", "时间", "日期"),
                    "publish_date"),
    **dict.fromkeys(("signed_date", "成文日期"), "signed_date"),
    **dict.fromkeys(("doc_number", "文号", "发文字号"), "doc_number"),
    **dict.fromkeys(("issuing_body", "publisher", "发布机构", "发文机关", "发文单位", "发布单位", "来源", "信息来源",
                     "来源单位"), "issuing_body"),
    **dict.fromkeys(("source_url", "url", "link", "原文链接", "原文地址", "链接", "网址", "来源链接", "页面地址"),
                    "source_url"),
}
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)


def metadata_name(key: str) -> str:
    """A key's name among a report's metadata: the field it names (``标题`` -> ``title``), else
    the key itself."""
    return FIELD_OF_KEY.get(key.strip().lower(), key.strip())


def rename_reserved(metadata: dict[str, str], reserved: Collection[str]) -> dict[str, str]:
    """The metadata a file gives (front matter, a crawler's header, a table's columns) with
    ``table_`` before the names in ``reserved``, the names the output tables use themselves
    (``doc_id``, ``topic``, ``year_source``): a column of such a name would be ambiguous."""
    return {f"table_{name}" if name in reserved else name: value for name, value in metadata.items()}


def file_fields(pairs: dict[str, str]) -> dict[str, str]:
    """Keys and values a file gives (front matter, a crawler's header) as metadata: known keys
    fill their fields (the first key of a field wins), the others keep their name (extra columns
    of documents.csv); a URL under a key that names no field is the source URL (front matter's
    ``source:``)."""
    found: dict[str, str] = {}
    urls: list[str] = []  # URLs under keys that name no field: the source URL if no key names one
    for key, value in pairs.items():
        value = str(value).strip()
        if not value:
            continue
        name = metadata_name(key)
        if name not in METADATA_FIELDS and _URL.match(value):
            urls.append(value)
            continue
        if name == "publish_date" and (date := _any_date(value)):
            value = date
        found.setdefault(name, value)
    if urls and "source_url" not in found:
        found["source_url"] = urls[0]
    return found


# A crawler's header: "标题: ...", "发布时间: ..." lines at the head of a file, closed by a
# separator line or by the first line that is not one.
_HEADER_LINE = re.compile(r"^([^\s:,。;!?()、]{1,12}?)\s*:\s*(.*)$")  # no 、: "一、主要成效:" is a heading
_SEPARATOR_CHARS = "=-—–_*~#+·. "
_SEPARATOR_WORDS = ("", "正文", "正文开始", "正文内容", "内容", "全文")
HEADER_MAX_LINES = 25  # a header is this many lines at most, separator included
HEADER_MIN_PAIRS = 3  # without a separator, this many "key: value" lines make a header


def _is_separator(line: str) -> bool:
    """"==========", "----- 正文 -----", "【正文】": where a crawler's header ends."""
    rest = line.strip(_SEPARATOR_CHARS)
    marks = len(line) - len(rest)
    return (marks >= 3 or (rest.startswith("【") and rest.endswith("】"))) \
        and rest.strip("【】[]:") in _SEPARATOR_WORDS


def crawler_header(lines: list[str]) -> tuple[dict[str, str], int]:
    """The ``key: value`` pairs of a crawler's header at the head of a report's normalised lines,
    and how many lines it spans (0: no header).

    A header is either the lines before a separator line (``====``, ``---- 正文 ----``) among
    the first :data:`HEADER_MAX_LINES`, at least two of them ``key: value`` lines and most of
    them so (a note such as "页面链接详见 links.tsv" may sit among them), or, with no separator,
    a run of at least :data:`HEADER_MIN_PAIRS` ``key: value`` lines from the first line. Keys are
    short and hold no sentence punctuation, so a report's first sentence is never one.
    """
    pairs = [(_HEADER_LINE.match(line) if len(line) <= 300 else None) for line in lines[:HEADER_MAX_LINES]]
    separator = next((i for i, line in enumerate(lines[:HEADER_MAX_LINES]) if _is_separator(line)), None)
    if separator:
        found = [m for m in pairs[:separator] if m and m.group(2)]
        if len(found) >= 2 and 2 * len([m for m in pairs[:separator] if m]) >= separator:
            return _first_of_each(found), separator + 1
    run = 0
    while run < len(pairs) and pairs[run] and pairs[run].group(2):
        run += 1
    if run >= HEADER_MIN_PAIRS:
        return _first_of_each(pairs[:run]), run
    return {}, 0


def _first_of_each(matches: list[re.Match]) -> dict[str, str]:
    """key -> value of ``key: value`` lines in their order, the first line of a key winning."""
    pairs: dict[str, str] = {}
    for match in matches:
        pairs.setdefault(match.group(1), match.group(2))
    return pairs


# ---------------------------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------------------------

# Provincial-level divisions: a closed list, so a province is only ever a real one.
PROVINCES = (
    "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省",
    "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省", "内蒙古自治区",
    "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
)
_PLACE = re.compile(
    rf"^(?:关于|中共)?"
    rf"(?P<province>[{HAN}]{{1,7}}?(?:省|自治区))?"
    rf"(?P<city>[{HAN}]{{1,6}}?(?:市|州|盟|地区))?"
    rf"(?P<county>[{HAN}]{{1,6}}?(?:县|区|旗))?"
    rf"(?P<town>[{HAN}]{{1,6}}?(?:镇|乡|街道))?"
)
_MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")
# "我镇", "全镇", "市委" and the like are not place names.
_NOT_PLACE_START = set("我全本各该乡城村市县镇区治依在对和到为以是有两三每多此其诸省州")
_TOWN_IN_TEXT = re.compile(rf"(?:^|(?<=[,。、:\s年]))([{HAN}]{{2}}(?:镇|乡))")
# A superior government named as such in the text: 中共湛江市委, 湛江市人民政府, 《广东省...》.
_GOVERNMENT = r"(?=委|人民政府|政府|党委|司法局|司法厅|依法治)"
_NAMED_AFTER = r"(?:(?<=《)|(?<=[、,:\s])|^)(?:中共)?"
# A name part: Han characters that are not the function words and levels around a name
# ("上社镇在县委" holds no county name).
_NOT_IN_NAME = sorted("镇乡村在的和与及对向是为委府局厅省市县区")
_NAME_CHAR = "[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in zip([ord(HAN_FIRST)] + [ord(c) + 1 for c in _NOT_IN_NAME],
                                                               [ord(c) - 1 for c in _NOT_IN_NAME] + [ord(HAN_LAST)])) + "]"
_PROVINCE_NAMES = "|".join(PROVINCES)
_PROVINCE_IN_TEXT = re.compile(rf"(?:(?<=中共)|(?<=《)|(?<=〈))({_PROVINCE_NAMES})|({_PROVINCE_NAMES}){_GOVERNMENT}")
_CITY_IN_TEXT = re.compile(rf"{_NAMED_AFTER}({_NAME_CHAR}{{2,4}}?(?:市|州|盟)){_GOVERNMENT}")
_COUNTY_IN_TEXT = re.compile(rf"{_NAMED_AFTER}({_NAME_CHAR}{{2,4}}?(?:县|区|旗)){_GOVERNMENT}")
_NAMED_IN_TEXT = {"province": _PROVINCE_IN_TEXT, "city": _CITY_IN_TEXT, "county": _COUNTY_IN_TEXT}
_TRIGGER = re.compile(rf"[省区市州盟县旗]{_GOVERNMENT}|[《〈]|中(?=共)")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_DATE_PATTERNS = (
    re.compile(r"(?:时间|日期|发布时间|发布日期|成文日期)\s*:?\s*((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})"),
    re.compile(r"^((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"),
)
_SIGNED = re.compile(r"^((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_DOC_NUMBER = re.compile(rf"[{HAN}]{{1,12}}[〔\[(](?:19|20)\d{{2}}[〕\])]\s*\d+\s*号")
_FILE_HEADER = re.compile(rf"^([{HAN}()]{{2,40}}?)文件$")
_SIGNATURE = re.compile(rf"^([{HAN}()]{{2,40}}(?:人民政府|人民政府办公室|委员会|党委|办事处|司法所))$")


def _iso_date(match: re.Match) -> str:
    year, month, day = (int(g) for g in match.groups()[:3])
    return f"{year:04d}-{month:02d}-{day:02d}"


_DATE_IN_VALUE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def _any_date(value: str) -> str:
    """The ISO date in a value such as "2025-03-26 14:47" or "2025年3月26日", or ""."""
    match = _DATE_IN_VALUE.search(value)
    return _iso_date(match) if match else ""


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


def _windows(text: str) -> list[tuple[int, str]]:
    """``(offset, window)`` around each place where a government is named (a level and a
    government word, or 《, or 中共): the place patterns are slow on whole texts."""
    windows = []
    for hit in _TRIGGER.finditer(text):
        start = max(0, hit.start() - 9)
        # "X" stands for the text cut off before the window, so ^ still means a line start.
        windows.append((start - 1, "X" + text[start:hit.end() + 9]) if start else (0, text[:hit.end() + 9]))
    return windows


def _most_named(pattern: re.Pattern, windows: list[tuple[int, str]]) -> str:
    """The name ``pattern`` finds most often in the windows (earliest on ties), or ""."""
    found: dict[int, str] = {}  # start in the text -> name; windows may overlap
    for offset, window in windows:
        for match in pattern.finditer(window):
            found[offset + match.start(match.lastindex)] = next(group for group in match.groups() if group)
    counts = Counter(name for _, name in sorted(found.items()) if name[0] not in _NOT_PLACE_START)
    return max(counts, key=lambda name: counts[name]) if counts else ""


def extract_metadata(lines: list[str], title: str, first_paragraph: str, report_text: str | None = None) -> dict[str, str]:
    """Metadata from the normalised lines of one report (before any line is removed).

    Places the title does not name are looked for in ``report_text`` (the report without the
    page around it: a portal footer names the portal's owner, not the report's place), or in
    all lines if it is not given.
    """
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
        counts: dict[str, int] = Counter()
        for name in _TOWN_IN_TEXT.findall(first_paragraph):
            if name[0] not in _NOT_PLACE_START:
                counts[name] += 1
        if counts:
            place["town"] = max(counts, key=lambda name: (counts[name], -first_paragraph.index(name)))
    # Levels the title does not name: the superior governments the report names as such
    # (a township report addresses 中共遂溪县委 and cites 《广东省...》 and 湛江市人民政府).
    missing = [level for level in ("province", "city", "county") if not place[level]]
    if missing:
        text = "\n".join(lines) if report_text is None else report_text
        windows = _windows(text)  # one scan for the three levels
        for level in missing:
            place[level] = _most_named(_NAMED_IN_TEXT[level], windows)
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
# Metadata in the path: folder and file names, or a pattern the user gives
# ---------------------------------------------------------------------------------------------

FIRST_YEAR = 1949
_YEAR_IN_PATH = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# A folder or file-name part that is a place name, and its level by its last characters.
_PLACE_NAME = re.compile(rf"^[{HAN}]{{1,12}}?(?P<suffix>省|自治区|特别行政区|市|自治州|州|地区|盟|自治县|县|区|旗|镇|乡|街道)$")
_LEVEL_OF_SUFFIX = {"省": "province", "自治区": "province", "特别行政区": "province", "市": "city", "自治州": "city",
                    "州": "city", "地区": "city", "盟": "city", "自治县": "county", "县": "county", "区": "county",
                    "旗": "county", "镇": "town", "乡": "town", "街道": "town"}


def place_in_name(name: str) -> tuple[str, str] | None:
    """``(level, name)`` if a folder or file-name part is a place name (``浙江省``, ``三亚市``,
    ``伊犁哈萨克自治州``, ``南山区``); the four municipalities are provinces."""
    match = _PLACE_NAME.match(name)
    if not match:
        return None
    return ("province" if name in _MUNICIPALITIES else _LEVEL_OF_SUFFIX[match.group("suffix")]), name


def _pattern_regex(pattern: str, reserved: Collection[str] = ()) -> re.Pattern:
    """``{level}/{place}/{year}`` -> a regex over the end of a path (without its suffix).
    Raises PipelineError for a pattern that names a part twice or with a name that is not one
    (or that is in ``reserved``, an output table's column)."""
    parts = re.split(r"(\{[^{}]*\})", pattern.strip("/"))
    names = [p[1:-1] for p in parts if p.startswith("{") and p.endswith("}")]
    wrong = [n for n in names if not n.isidentifier() or n in reserved]
    if wrong or len(set(names)) < len(names):
        raise PipelineError(f"PATH_PATTERN {pattern!r}: each part needs a name of its own, a word that is not an output "
                            f"column ({', '.join(sorted(reserved))})")
    body = "".join(f"(?P<{p[1:-1]}>[^/]+?)" if p in (f"{{{n}}}" for n in names) else re.escape(p) for p in parts)
    return re.compile(rf"(?:^|/){body}$")


def pattern_fields(pattern: str, reserved: Collection[str]) -> tuple[str, ...]:
    """The names in a PATH_PATTERN that are not metadata fields: extra columns of documents.csv
    (the pattern is checked here, before any report is read: no name may be in ``reserved``, the
    output tables' own columns)."""
    if not pattern:
        return ()
    names = list(_pattern_regex(pattern, reserved).groupindex)
    return tuple(n for n in names if n not in (*METADATA_FIELDS, "place"))


def path_metadata(relative: str, pattern: str = "", last_year: int | None = None, file_name: bool = True) -> dict[str, str]:
    """Year and place that the path of a report (inside the corpus folder) gives unambiguously.

    - year: a four-digit number from 1949 to next year standing alone in a folder or file name;
      two different such years make it ambiguous (a report on 2021 filed as ``..._2022``).
    - place: a folder name, or a ``_``-separated part of the file name, that is a place name
      (``浙江省``, ``东莞市``, ``南山区``); two different names for one level make it ambiguous.
    - ``pattern`` (PATH_PATTERN, e.g. ``{level}/{place}/{year}``) names the parts instead; its
      fields win, and its other names (``level``) become columns of their own.
    - ``file_name=False`` (a row of a table): only the folders count, not the table's name.
    """
    import datetime

    last_year = last_year or datetime.date.today().year + 1
    stem = relative.rsplit(".", 1)[0] if "." in relative.rsplit("/", 1)[-1] else relative
    parts = stem.split("/") if file_name else [*stem.split("/")[:-1], ""]
    found: dict[str, str] = {}
    years = {y for part in parts for y in _YEAR_IN_PATH.findall(part) if FIRST_YEAR <= int(y) <= last_year}
    if len(years) == 1:
        found["year"] = years.pop()
    names: dict[str, set[str]] = {level: set() for level in PLACE_LEVELS}
    for segment in parts[:-1] + parts[-1].split("_"):
        if place := place_in_name(segment):
            names[place[0]].add(place[1])
    found.update({level: values.pop() for level, values in names.items() if len(values) == 1})
    if pattern:
        match = _pattern_regex(pattern).search(stem)
        if match:
            for name, value in match.groupdict().items():
                if name == "place":
                    if place := place_in_name(value):
                        found[place[0]] = place[1]
                elif name != "year" or (value.isdigit() and FIRST_YEAR <= int(value) <= last_year):
                    found[name] = value
    return found


def plain_year(value: str) -> str:
    """A year as the tables hold it, four digits: ``2020`` from ``2020``, ``2020年`` or
    ``2020-03-01``; "" for a value that names no year or more than one (``2020-2021``)."""
    years = set(_YEAR_IN_PATH.findall(value or ""))
    return years.pop() if len(years) == 1 else ""


def merge_metadata(from_text: dict[str, str], from_path: dict[str, str], from_file: dict[str, str]
                   ) -> tuple[dict[str, str], dict[str, str]]:
    """The report's metadata, and where its year and place came from.

    The file's own metadata (front matter, a table's columns) wins, then the path, then the
    text: a report's text names the year it reviews as often as its own ("2022年工作回顾" in a
    report of 2023), and a portal page names the portal's owner. A source that gives a place
    replaces the text's place but for coarser levels it does not give. Returns ``(metadata, {"year_source": ...,
    "place_source": ...})`` with sources ``file``, ``path``, ``text`` or empty.
    """
    merged = dict(from_text)
    # Levels the title or the issuing body name (not a search of the body): a folder that
    # names the city does not make the title's county wrong.
    named = extract_place(from_text.get("title", ""), from_text.get("issuing_body", ""))
    sources = {"year_source": "text" if from_text.get("year") else "",
               "place_source": "text" if any(from_text.get(level) for level in PLACE_LEVELS) else ""}
    for name, layer in (("path", from_path), ("file", from_file)):
        given = [i for i, level in enumerate(PLACE_LEVELS) if layer.get(level)]
        if given:
            # The layer's levels; the text's coarser ones where the layer has none (a city's
            # province); finer ones only where the title names them: a city's report names its
            # districts in its body.
            merged.update({level: layer.get(level) or (merged.get(level, "") if i < given[-1]
                                                        else named[level] if named[level] == merged.get(level) else "")
                           for i, level in enumerate(PLACE_LEVELS)})
            sources["place_source"] = name
        if layer.get("year"):
            merged["year"] = layer["year"]
            sources["year_source"] = name
        merged.update({k: v for k, v in layer.items() if v and k != "year" and k not in PLACE_LEVELS})
    return merged, sources


# ---------------------------------------------------------------------------------------------
# The metadata CSV
# ---------------------------------------------------------------------------------------------


def _key(name: str) -> str:
    return name.strip().replace("\\", "/")


@dataclass
class MetadataOverrides:
    """Rows of the metadata CSV, keyed by file name (path inside the corpus, name, or stem)."""

    rows: dict[str, dict[str, str]] = field(default_factory=dict)
    extra_columns: tuple[str, ...] = ()
    source: str = ""
    _used: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, path: str | Path | None, input_dir: str | Path, reserved: Collection[str]) -> "MetadataOverrides":
        """Read ``path``, or ``metadata.csv`` in the corpus folder if it exists (see :meth:`parse`)."""
        if path is None:
            path = Path(input_dir) / DEFAULT_NAME
            if not path.is_file():
                return cls()
        path = Path(path)
        if not path.is_file():
            raise PipelineError(f"{path}: metadata file not found")
        return cls.parse(path.read_bytes(), str(path), reserved)

    @classmethod
    def parse(cls, data: bytes, source: str, reserved: Collection[str]) -> "MetadataOverrides":
        """Parse CSV bytes: UTF-8 (with or without BOM), GBK or UTF-16 as Excel saves them;
        comma, semicolon or tab separated. A column named like one in ``reserved`` (the output
        tables' own columns) but ``file`` is an error: the user renames it."""
        columns, records = user_csv(data, source)
        if "file" not in columns:
            raise PipelineError(f"{source}: metadata CSV needs a 'file' column (got {', '.join(columns) or 'no header'})")
        clashes = sorted(set(columns) & (set(reserved) - {"file"}))
        if clashes:
            raise PipelineError(f"{source}: column(s) {', '.join(clashes)} clash with output table columns; rename them")
        rows: dict[str, dict[str, str]] = {}
        for number, row in enumerate(records, 2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            key = _key(row.get("file", ""))
            if not key:
                continue
            if key in rows:
                raise PipelineError(f"{source}:{number}: a second row for {key!r}")
            rows[key] = row
        extras = tuple(c for c in columns if c != "file" and c not in METADATA_FIELDS)
        return cls(rows, extras, source)

    def given(self, file_name: str) -> dict[str, str]:
        """The CSV's non-empty cells for this file (path inside the corpus, name or stem)."""
        path = Path(file_name)
        key = next((k for k in (file_name, path.name, path.stem) if k in self.rows), None)
        if key is None:
            return {}
        self._used.add(key)
        return {k: v for k, v in self.rows[key].items() if k != "file" and v}

    def apply(self, file_name: str, extracted: dict[str, str]) -> dict[str, str]:
        """Extracted metadata, overridden by the CSV's non-empty cells for this file."""
        return {**extracted, **dict.fromkeys(self.extra_columns, ""), **self.given(file_name)}

    def unused(self) -> list[str]:
        """Rows that matched no report file (a typo in a file name?)."""
        return sorted(set(self.rows) - self._used)
