"""Text as crawlers save it: a header block of ``key: value`` lines over the body, and a body
flattened into one line. Both must give the report the same metadata and text as a clean file."""
from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS, read_table, run_stage

HEADER = """标题: 遂溪县2024年度法治政府建设情况
发布时间: 2025-03-26 14:47
发布机构: 遂溪县人民政府办公室
栏目: 其他应主动公开的政府信息
原文链接: https://www.example.gov.cn/zwgk/qtygkxx/202503/t20250326_98057.htm
本地目录: zwgk/qtygkxx/202503/98057_遂溪县2024年度法治政府建设情况
页面链接与图片详见 links.tsv(同目录)
==================== 正文 ====================
"""
CHROME_IN_TEXT = ("标题", "发布时间", "发布机构", "栏目", "原文链接", "本地目录", "links", "tsv", "http", "www", "====",
                  "正文", "zwgk", "htm")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> Path:
    """The seeds, one of them as a crawler saves it: the header above, then the report's body
    on one line. Cleaned, segmented and filtered; returns the output folder."""
    folder = tmp_path_factory.mktemp("crawled")
    corpus = folder / "corpus"
    shutil.copytree(SEEDS, corpus)
    seed = corpus / "000_96abec37a7bb9198.txt"
    body = seed.read_text(encoding="utf-8").splitlines()[1:]  # the report's own title goes: the header has one
    seed.write_text(HEADER + "".join(body) + "\n", encoding="utf-8")
    out = folder / "out"
    run_stage("--output", str(out), "clean", "--input", str(corpus))
    run_stage("--output", str(out), "segment")
    run_stage("--output", str(out), "filter")
    return out


def test_a_crawler_header_is_metadata(crawled):
    document = next(d for d in read_table(crawled / "clean" / "documents.csv") if d["doc_id"] == "000_96abec37a7bb9198")
    assert document["title"] == "遂溪县2024年度法治政府建设情况"
    assert document["publish_date"] == "2025-03-26"
    assert document["issuing_body"] == "遂溪县人民政府办公室"
    assert document["source_url"] == "https://www.example.gov.cn/zwgk/qtygkxx/202503/t20250326_98057.htm"
    assert document["栏目"] == "其他应主动公开的政府信息"  # a key that names no field is a column of its own
    assert document["year"] == "2024"  # the year reported on (the title's), not the publish date's
    removed = [r for r in read_table(crawled / "clean" / "removed_lines.csv") if r["rule"] == "crawler_header"]
    assert int(removed[0]["lines_removed"]) == 8


def test_no_header_line_separator_url_or_file_name_reaches_the_text_or_the_vocabulary(crawled):
    paragraphs = [p["text"] for p in read_table(crawled / "clean" / "paragraphs.csv.gz")
                  if p["doc_id"] == "000_96abec37a7bb9198"]
    assert len(paragraphs) > 5  # the one-line body is cut into paragraphs
    found = [(word, p[:40]) for p in paragraphs for word in CHROME_IN_TEXT if word in p]
    assert not found
    vocabulary = {r["token"] for r in read_table(crawled / "segment" / "vocabulary.csv")}
    assert not [word for word in CHROME_IN_TEXT if word in vocabulary]


# --- flattening invariance on a real corpus ------------------------------------------------

PROVINCIAL = ROOT.parent / "shared" / "corpora" / "prov-gwr-2026" / "txt"
THEMES = ("枫桥经验", "综合行政执法", "综合执法", "依法行政", "法治政府")


def flatten(source: Path, target: Path, glue: str) -> None:
    """Each report of ``source`` rewritten with its body (every line after its title) as one
    line, the lines joined by ``glue``."""
    target.mkdir(parents=True)
    for path in sorted(source.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        title = max(i for i, line in enumerate(lines[:12]) if "工作报告" in line and len(line) <= 60)
        (target / path.name).write_text("\n".join(lines[:title + 1]) + "\n" + "".join(glue + line for line in lines[title + 1:])
                                        + "\n", encoding="utf-8")


def cleaned(corpus: Path, out: Path) -> tuple[dict[str, dict], list[dict]]:
    run_stage("--output", str(out), "clean", "--input", str(corpus))
    return ({d["doc_id"]: d for d in read_table(out / "clean" / "documents.csv")},
            read_table(out / "clean" / "paragraphs.csv.gz"))


@pytest.fixture(scope="module")
def provincial(tmp_path_factory) -> tuple[dict, list]:
    if not PROVINCIAL.is_dir():
        pytest.skip(f"{PROVINCIAL} is absent")
    return cleaned(PROVINCIAL, tmp_path_factory.mktemp("prov") / "out")


def theme_counts(paragraphs: list[dict]) -> Counter:
    return Counter({(p["doc_id"], theme): p["text"].count(theme) for p in paragraphs for theme in THEMES})


@pytest.mark.parametrize("glue", ["", "\u3000\u3000"], ids=["no-separator", "indented"])
def test_a_flattened_corpus_gives_the_same_reports_years_places_and_theme_counts(provincial, glue, tmp_path):
    documents, paragraphs = provincial
    flat = tmp_path / "flat"
    flatten(PROVINCIAL, flat, glue)
    flat_documents, flat_paragraphs = cleaned(flat, tmp_path / "out")
    fields = ("title", "year", "province", "city", "county", "town")
    assert {d: [r[f] for f in fields] for d, r in flat_documents.items()} == \
        {d: [r[f] for f in fields] for d, r in documents.items()}
    assert +theme_counts(flat_paragraphs) == +theme_counts(paragraphs)
    bodies = sum(p["kind"] == "body" for p in paragraphs)
    flat_bodies = sum(p["kind"] == "body" for p in flat_paragraphs)
    assert 0.75 * bodies <= flat_bodies <= 1.25 * bodies, (flat_bodies, bodies)


def test_an_indented_flattened_corpus_keeps_its_section_headings(provincial, tmp_path):
    """A crawler that keeps each paragraph's indentation ("　　") keeps the breaks: 80% of the
    original headings come back as headings. (With no separator at all a heading runs straight
    into its first sentence, "(一)全力促进经济平稳健康发展稳增长政策措施加快落地见效。", and
    where it ends cannot be read from the text: see docs/cleaning.md.)"""
    _, paragraphs = provincial
    flat = tmp_path / "flat"
    flatten(PROVINCIAL, flat, "\u3000\u3000")
    _, flat_paragraphs = cleaned(flat, tmp_path / "out")
    headings = Counter((p["doc_id"], p["text"]) for p in paragraphs if p["kind"] == "heading")
    recovered = headings & Counter((p["doc_id"], p["text"]) for p in flat_paragraphs if p["kind"] == "heading")
    assert sum(recovered.values()) >= 0.8 * sum(headings.values())
