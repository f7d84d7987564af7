"""A synthetic corpus of any size, assembled from the seed reports.

Reports are recombined from the seeds' sentences and headings with new places and years, so
the corpus is varied (no report or paragraph is one repeated block) and realistic in
vocabulary, length and structure. Deterministic for a given seed.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

from pipeline.text.boilerplate import load_rules
from pipeline.text.cleaning import clean_report
from pipeline.text.readers import list_reports, read_report

ROOT = Path(__file__).resolve().parents[2]
_HAN = re.compile("[\u4e00-\u9fff]")
_CJK_NAMES = "安宝北昌城川丰凤福光桂海和河红华黄江金锦兰乐岭龙梅南宁平浦清泉荣瑞山上石松太潭田文西溪霞新兴阳永玉元云长中珠竹"


def _seed_material() -> tuple[list[str], list[str]]:
    rules = load_rules(ROOT / "config" / "boilerplate.txt")
    sentences, headings = [], []
    for path in list_reports(ROOT / "seeds"):
        for paragraph in clean_report(read_report(path).text, rules).paragraphs:
            if paragraph.kind == "heading":
                headings.append(re.sub(r"^[^、)]{1,4}[、)]", "", paragraph.text))
            else:
                sentences.extend(s + "。" for s in paragraph.text.split("。") if len(s) > 8)
    return sentences, headings


def _place(rng: random.Random) -> tuple[str, str]:
    county = "".join(rng.choices(_CJK_NAMES, k=2)) + "县"
    town = "".join(rng.choices(_CJK_NAMES, k=2)) + rng.choice(["镇", "镇", "乡", "街道"])
    return county, town


def synthetic_report(rng: random.Random, sentences: list[str], headings: list[str]) -> str:
    """One report: title, opening, numbered sections of recombined paragraphs, signature."""
    county, town = _place(rng)
    year = rng.randint(2019, 2025)
    lines = [f"{county}{town}{year}年法治政府建设年度报告", ""]
    numerals = "一二三四五六七八九十"
    for s, numeral in enumerate(numerals[: rng.randint(3, 6)]):
        lines.append(f"{numeral}、{rng.choice(headings)}")
        for _ in range(rng.randint(2, 5)):
            paragraph = "".join(rng.sample(sentences, rng.randint(2, 6)))
            lines.append(re.sub(r"(?:我|全|本)镇", lambda m: rng.choice([town, m.group(0)]), paragraph))
    lines += ["", f"{county}{town}人民政府", f"{year + 1}年{rng.randint(1, 3)}月{rng.randint(1, 28)}日"]
    return "\n".join(lines)


def _real_material(source: Path) -> tuple[list[str], list[str]]:
    """The paragraphs and section headings of a real corpus's report files, as lines: lines of 40
    characters or more, at least half of them Chinese, are paragraphs, numbered short ones headings."""
    paragraphs, headings = [], []
    for path in sorted(p for p in source.rglob("*") if p.suffix in (".txt", ".md") and p.is_file()):
        for line in path.read_text(encoding="utf-8", errors="ignore").splitlines():
            line = line.strip().strip("*#").strip()
            if len(line) >= 40 and len(_HAN.findall(line)) >= len(line) / 2:  # not a note in English
                paragraphs.append(line)
            elif 4 <= len(line) <= 30 and re.match(r"^[一二三四五六七八九十]{1,3}、", line):
                headings.append(re.sub(r"^[^、]{1,4}、", "", line))
    return paragraphs, headings


def real_report(rng: random.Random, paragraphs: list[str], headings: list[str]) -> str:
    """One report of a real corpus's own paragraphs, drawn at random, under a new place and year:
    the vocabulary, its growth with size and the paragraphs' lengths are the corpus's."""
    county, town = _place(rng)
    year = rng.randint(2005, 2025)
    lines = [f"{county}{town}{year}年法治政府建设年度报告", ""]
    for numeral in "一二三四五六七八九十"[: rng.randint(3, 6)]:
        lines.append(f"{numeral}、{rng.choice(headings)}")
        lines += rng.sample(paragraphs, rng.randint(3, 8))
    lines += ["", f"{county}{town}人民政府", f"{year + 1}年{rng.randint(1, 3)}月{rng.randint(1, 28)}日"]
    return "\n".join(lines)


def make_corpus(folder: Path, megabytes: float, seed: int = 0, source: Path | None = None) -> tuple[int, int]:
    """Write reports into ``folder`` until they total ``megabytes``; return (files, bytes). From
    the seeds' sentences, or with ``source`` (a real corpus's folder) from its paragraphs."""
    rng = random.Random(seed)
    material, report = (_real_material(source), real_report) if source else (_seed_material(), synthetic_report)
    folder.mkdir(parents=True, exist_ok=True)
    target, total, count = int(megabytes * 1e6), 0, 0
    while total < target:
        data = report(rng, *material).encode("utf-8")
        (folder / f"{count // 1000:03d}").mkdir(exist_ok=True)
        (folder / f"{count // 1000:03d}" / f"report_{count:06d}.txt").write_bytes(data)
        total += len(data)
        count += 1
    return count, total
