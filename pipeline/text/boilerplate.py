"""Boilerplate rules (config/boilerplate.txt): named regular expressions for lines that are
web-page chrome or document furniture, and the corpus-wide repeated lines that are chrome too."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..files import PipelineError
from ..params import CleanParams
from .structure import ends_sentence, heading_level, is_list_item

@dataclass(frozen=True)
class Rule:
    """A named regular expression; a line it matches is boilerplate.

    With ``drops_list`` (a ``+`` after the name in the rule file) the short lines that follow
    a match (the list under a "相关文章" heading) go too, recorded as ``<name>_list``.
    """

    name: str
    pattern: re.Pattern
    drops_list: bool = False

    @property
    def inline(self) -> bool:
        """An ``inline_`` rule removes only the text it matches, where it sits in a line (a
        breadcrumb and share bar before the body on one line, a "来源: … 附件下载" tail)."""
        return self.name.startswith(INLINE_PREFIX)


INLINE_PREFIX = "inline_"


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


def strip_inline(line: str, rules: list[Rule], removed: dict[str, list[str]]) -> str:
    """``line`` without the text the inline rules match, each removed text recorded under its
    rule's name. Rules run in file order, each over the line once, so that a rule anchored at
    the start sees what the rules before it left there (a share bar after a breadcrumb)."""
    def cut(match: re.Match) -> str:
        if match.group():
            removed[name].append(match.group().strip())
        return ""

    for rule in rules:
        name = rule.name
        line = rule.pattern.sub(cut, line).strip()
    return line


def drop_rule_lines(lines: list[str], rules: list[Rule], corpus_chrome: frozenset[str],
                     removed: dict[str, list[str]]) -> list[str]:
    """Lines no rule matches. A ``+`` rule also drops the list of short lines after it, but
    only once the report body has begun, so a title near the top is never taken for one."""
    inline = [rule for rule in rules if rule.inline]
    rules = [rule for rule in rules if not rule.inline]
    prefilter = _rule_prefilter(tuple(rule.pattern.pattern for rule in rules))
    inline_prefilter = _rule_prefilter(tuple(rule.pattern.pattern for rule in inline))
    kept: list[str] = []
    list_rule = ""
    in_body = False
    for line in lines:
        if inline and _first_rule(line, inline, inline_prefilter):
            line = strip_inline(line, inline, removed)
            if not line:
                continue
        rule = _first_rule(line, rules, prefilter) if len(line) <= RULE_MAX_CHARS else None
        if rule is not None:
            removed[rule.name].append(line)
            list_rule = f"{rule.name}_list" if rule.drops_list and in_body else ""
        elif line in corpus_chrome and not heading_level(line):
            removed["corpus_repeated"].append(line)
        elif list_rule and is_list_item(line):
            removed[list_rule].append(line)
        else:
            list_rule = ""
            in_body = in_body or (len(line) >= 20 and ends_sentence(line))
            kept.append(line)
    return kept


def find_corpus_chrome(line_document_counts: dict[str, int], n_documents: int,
                       min_share: float = CleanParams.chrome_share, min_documents: int = 5) -> frozenset[str]:
    """Lines found in at least ``min_share`` of the documents (and ``min_documents``) are chrome.

    Real report sentences are not repeated verbatim across half a corpus; portal menus and
    footers are. Needs enough documents to tell the two apart. Count copies of one report
    once (see :func:`run_clean`), or a report saved five times would look like chrome.
    """
    if n_documents < min_documents:
        return frozenset()
    threshold = max(min_documents, min_share * n_documents)
    return frozenset(line for line, count in line_document_counts.items() if count >= threshold)

