"""`make eval`: the pipeline on every real corpus in ../shared/corpora, each into its own folder.

Per corpus it prints what was read, used and skipped (reasons counted); the theme counts against
GNU grep's counts on the same cleaned text; residue tokens (see RESIDUE); the share of reports
with a year and with a place; seconds and peak memory of the whole `make topics` (every process);
the NPMI of the pipeline's topics and of tomotopy's Gibbs LDA on the same tokens at the same K
(mean of 3 seeds each, scored on the same reference); and mean topic stability. It ends each
corpus with one line:

EVAL corpus=<name> files=<n> used=<n> skipped=<n> year_share=<x> place_share=<x> province_share=<x>
     themes_match=<0|1> adoption_match=<0|1> residue=<n> residue_text=<n> seconds=<x> peak_rss_mb=<x> npmi=<x>
     npmi_tomotopy=<x> stability=<x>

adoption_match: for every theme and year, themes/theme_adoption.csv's reports_mentioning equals the
number of that year's reports whose cleaned text contains the theme's name or an alias (plain
substring search). The seeded topics' share, NPMI and stability are printed beside the free
topics' means.
"""
from __future__ import annotations

import argparse
import math
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[1])]
from benchmarks.measure import ROOT, timed  # noqa: E402

from pipeline.artifacts import (CLEANING_REPORT, CORPUS, DOCUMENTS, PARAGRAPHS, RUNS, THEME_ADOPTION,  # noqa: E402
                                EMERGING_TERMS, STOPWORD_CANDIDATES, THEME_CONTEXTS, THEME_COUNTS, THEME_TERMS,
                                THEME_VALIDITY, TOPIC_STABILITY, TOPICS, VOCABULARY, Run)
from pipeline.params import Inputs  # noqa: E402
from pipeline.text.themes import load_themes  # noqa: E402
from pipeline.topics.corpus import BowCorpus  # noqa: E402
from pipeline.topics.measures import NPMI_TOP_N, Cooccurrence, npmi_per_topic  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
# Each corpus's folder of reports, as its SOURCE.md describes it.
INPUTS = {
    "fazhi-reports": "reports",
    "prov-gwr-2026": "txt",
    "national-gwr-govcn": "Corpus",
    "national-gwr-wikisource": "txt",
    "shenzhen-gwr": "txt",
    "city-gwr-lawtext": ".",
}
# Residue: a token with a lowercase Latin letter (page script, markup, escapes, URLs, wiki flags)
# or an escape mark. Uppercase acronyms (GDP, PPP, CPI) are words of these reports.
RESIDUE = re.compile(r"[a-z]|U\+|\\u|&#|&[a-z]+;")
# Residue in the cleaned text itself (paragraphs and theme contexts): Markdown emphasis and
# heading marks, URLs, file names.
TEXT_RESIDUE = re.compile(r"\*\*|__|^#{1,6}\s|https?://|www\.|(?<![A-Za-z0-9])[A-Za-z0-9_-]+\."
                          r"(?:tsv|csv|html?|shtml|pdf|docx?|xlsx?|jpe?g|png|txt|md)(?![A-Za-z0-9])", re.IGNORECASE)
SEEDS = (42, 43, 44)
TOMOTOPY_TOKENS = 3_000_000  # tomotopy trains on paragraphs spread evenly over the corpus up to this many tokens



def _cell(value: str) -> str:
    return f"{float(value):.2f}" if value else "n/a"

def k_for(n_reports: int) -> int:
    """A K suited to the corpus's size: the square root of the reports, from 3 to 20."""
    return max(3, min(20, round(math.sqrt(n_reports))))


def grep_count(text_file: Path, terms: list[str]) -> int:
    """Occurrences of any of ``terms`` in the file, by GNU grep (-o: every match, non-overlapping)."""
    pattern = "|".join(re.escape(t) for t in sorted(terms, key=lambda t: (-len(t), t)))
    result = subprocess.run(["grep", "-oE", pattern, str(text_file)], capture_output=True, text=True)
    return len(result.stdout.splitlines())


def tomotopy_words(run: Run, k: int, seed: int) -> tuple[list[list[str]], float]:
    """tomotopy's LDA on the model's own bags of words (lda/corpus.npz; paragraphs spread evenly up
    to TOMOTOPY_TOKENS): its topics' top words, and the seconds it took to train."""
    import time

    import tomotopy as tp
    _, dictionary = run.load_model()
    bows = list(BowCorpus.load(run.require(CORPUS)))
    total = sum(c for bow in bows for _, c in bow)
    step = max(1, math.ceil(total / TOMOTOPY_TOKENS))
    documents = [[dictionary[int(t)] for t, c in bow for _ in range(int(c))] for bow in bows[::step]]
    start = time.perf_counter()
    model = tp.LDAModel(k=k, seed=seed)
    for document in documents:
        model.add_doc(document)
    model.train(1000 if step == 1 else 300, workers=1)
    seconds = time.perf_counter() - start
    return [[w for w, _ in model.get_topic_words(t, NPMI_TOP_N)] for t in range(k)], seconds


def tomotopy_npmi(run: Run, k: int, cooc_texts: list[list[str]]) -> float:
    """tomotopy's LDA (:func:`tomotopy_words`), 3 seeds, scored on the pipeline's reference texts."""
    topics = [tomotopy_words(run, k, seed)[0] for seed in SEEDS]
    cooc = Cooccurrence.from_texts(cooc_texts, sorted({w for t in topics for topic in t for w in topic}))
    return float(np.mean([np.mean(npmi_per_topic(t, cooc=cooc)) for t in topics]))


def find_text_residue(run: Run) -> list[tuple[str, str, str]]:
    """``(table, text, residue)`` for every cleaned paragraph and theme context with TEXT_RESIDUE."""
    texts = [(PARAGRAPHS.path, row["text"]) for row in run.rows(PARAGRAPHS)]
    texts += [(THEME_CONTEXTS.path, row["left"] + row["match"] + row["right"]) for row in run.rows(THEME_CONTEXTS)]
    return [(path, text, found.group()) for path, text in texts if (found := TEXT_RESIDUE.search(text))]


def check_adoption(run: Run) -> list[str]:
    """Where theme_adoption.csv's reports_mentioning differs from a plain substring search of each
    report's cleaned text: ``theme year: table n, text m``."""
    texts: dict[str, list[str]] = defaultdict(list)
    for row in run.rows(PARAGRAPHS):
        texts[row["doc_id"]].append(row["text"])
    joined = {doc_id: "\n".join(parts) for doc_id, parts in texts.items()}
    year_of = {d["doc_id"]: d["year"] for d in run.rows(DOCUMENTS)}  # "" in both tables where it is not known
    terms = {theme.name: theme.terms for theme in load_themes(Inputs().themes)}
    mismatches = []
    for row in run.rows(THEME_ADOPTION):
        found = sum(1 for doc_id, year in year_of.items() if year == row["year"]
                    and any(term in joined.get(doc_id, "") for term in terms[row["theme"]]))
        if found != int(row["reports_mentioning"]):
            mismatches.append(f"{row['theme']} {row['year']}: table {row['reports_mentioning']}, text {found}")
    return mismatches


def evaluate(name: str, workdir: Path, jobs: str) -> str:
    folder = CORPORA / name / INPUTS[name]
    out = workdir / name
    n_files = sum(1 for p in folder.rglob("*") if p.is_file())
    k = k_for(n_files)
    print(f"\n=== {name}: {folder} ({n_files} files), K={k}", flush=True)
    seconds, peak, log = timed(["make", "--no-print-directory", "topics", f"INPUT={folder}", f"OUTPUT={out}",
                                f"K={k}", *([f"JOBS={jobs}"] if jobs else [])])
    run = Run(out, "report")
    outcomes = list(run.rows(CLEANING_REPORT))
    status = Counter(r["status"] for r in outcomes)
    reasons = Counter(r["detail"].split(" of ")[0].split(":")[0][:60] for r in outcomes if r["status"] != "kept")
    print(f"files/rows read {len(outcomes)}: kept {status['kept']}, duplicates {status['duplicate']}, "
          f"skipped {status['skipped']}" + "".join(f"\n  {n} x {reason}" for reason, n in reasons.most_common()))

    counted = Counter()
    for row in run.rows(THEME_COUNTS):
        counted[row["theme"]] += int(row["count"])
    mismatches = []
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt") as handle:
        for row in run.rows(PARAGRAPHS):
            handle.write(row["text"] + "\n")
        handle.flush()
        for theme in load_themes(Inputs().themes):
            grepped = grep_count(Path(handle.name), list(theme.terms))
            if grepped != counted[theme.name]:
                mismatches.append(f"{theme.name}: pipeline {counted[theme.name]}, grep {grepped}")
    print("themes: " + ", ".join(f"{t} {n}" for t, n in counted.items() if n)
          + ("" if not mismatches else "\n  MISMATCH " + "; ".join(mismatches)))

    adoption_mismatches = check_adoption(run)
    print("adoption: " + ("reports_mentioning matches the cleaned text for every theme and year" if not adoption_mismatches
                          else "MISMATCH " + "; ".join(adoption_mismatches[:10])))
    stability_rows = list(run.rows(TOPIC_STABILITY))
    validity_rows = list(run.rows(THEME_VALIDITY))
    free = stability_rows[len(validity_rows):]  # the seeded topics come first, one per validity row
    by_topic = {r["topic"]: r for r in stability_rows}
    for row in validity_rows:
        quality = by_topic[row["topic"]]
        print(f"theme {row['theme']}: {'named' if row['named'] == '1' else 'NOT named'} T{row['topic']}, precision "
              f"{_cell(row['precision'])} ({row['top_paragraphs_naming']} of {row['held_out_naming']} held out), masked "
              f"AUC {_cell(row['masked_auc'])}, stability without its terms "
              f"{_cell(quality['stability_without_theme_terms'])}, share {float(quality['share']):.3f}, NPMI "
              f"{float(quality['npmi']):+.4f}")
    if free:
        print(f"free topics ({len(free)}): mean share {np.mean([float(r['share']) for r in free]):.3f}, mean NPMI "
              f"{np.mean([float(r['npmi']) for r in free]):+.4f}, mean stability "
              f"{np.mean([float(r['stability']) for r in free]):.2f}")

    top_tokens = [r["token"] for r in run.rows(VOCABULARY)][:1000]
    topic_words = [r["word"] for r in run.rows(TOPICS) if int(r["rank"]) <= 20]
    residue = sorted({t for t in top_tokens + topic_words if RESIDUE.search(t)})
    print(f"residue tokens (top 1,000 tokens, topics' top 20 words): {residue or 'none'}")
    with_terms = Counter(r["theme"] for r in run.rows(THEME_TERMS) if r["period"] == "all")
    emerging = Counter(r["period"] for r in run.rows(EMERGING_TERMS))
    latest = max(emerging, default="")
    print(f"wording: terms for {len(with_terms)} of {len(load_themes(Inputs().themes))} themes (the others are named in "
          f"too few paragraphs); emerging terms for {len(emerging)} period(s)"
          + (f", {latest}: " + " ".join(r["term"] for r in run.rows(EMERGING_TERMS) if r["period"] == latest)
             if latest else "")
          + f"; {sum(1 for _ in run.rows(STOPWORD_CANDIDATES))} stopword candidates")
    text_residue = find_text_residue(run)
    print(f"residue in cleaned paragraphs and theme contexts (markup, URLs, file names): {len(text_residue)}"
          + "".join(f"\n  {path}: {found!r} in {text[:60]!r}" for path, text, found in text_residue[:5]))

    documents = list(run.rows(DOCUMENTS))
    year_share = sum(1 for d in documents if d["year"]) / len(documents)
    place_share = sum(1 for d in documents if any(d[level] for level in ("province", "city", "county", "town"))) / len(documents)
    province_share = sum(1 for d in documents if d["province"]) / len(documents)
    sources = {field: Counter(d[f"{field}_source"] or "none" for d in documents) for field in ("year", "place")}
    print(f"year known for {year_share:.1%} ({dict(sources['year'])}), place for {place_share:.1%} "
          f"({dict(sources['place'])})")

    npmi = float(np.mean([float(r["npmi"]) for r in run.rows(RUNS) if int(r["run_seed"]) in SEEDS]))
    npmi_tomotopy = tomotopy_npmi(run, len(stability_rows), run.reference_texts())  # the model's K, seeded included
    stability = float(np.mean([float(r["stability"]) for r in run.rows(TOPIC_STABILITY)]))
    print(f"seconds {seconds:.1f}, peak RSS {peak:.0f} MB; NPMI pipeline {npmi:+.4f} vs tomotopy {npmi_tomotopy:+.4f} "
          f"(seeds {', '.join(map(str, SEEDS))}); mean stability {stability:.2f}")
    return (f"EVAL corpus={name} files={len(outcomes)} used={status['kept']} skipped={len(outcomes) - status['kept']} "
            f"year_share={year_share:.3f} place_share={place_share:.3f} province_share={province_share:.3f} themes_match={int(not mismatches)} "
            f"adoption_match={int(not adoption_mismatches)} "
            f"residue={len(residue)} residue_text={len(text_residue)} seconds={seconds:.1f} peak_rss_mb={peak:.0f} npmi={npmi:.4f} "
            f"npmi_tomotopy={npmi_tomotopy:.4f} stability={stability:.3f}")


def present_corpora(name: str = "") -> list[str]:
    """The corpus named (all by default) that ../shared/corpora holds; an unknown name exits, a
    missing corpus is reported as skipped."""
    if name and name not in INPUTS:
        sys.exit(f"unknown corpus {name!r}: one of {', '.join(INPUTS)}")
    present = []
    for candidate in [name] if name else list(INPUTS):
        if (CORPORA / candidate / INPUTS[candidate]).is_dir():
            present.append(candidate)
        else:
            print(f"\n=== {candidate}: not in {CORPORA}; skipped")
    return present


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="", help="one corpus (a folder name in ../shared/corpora); default: all")
    parser.add_argument("--workdir", type=Path, default=ROOT / "outputs" / "eval")
    parser.add_argument("--jobs", default="")
    args = parser.parse_args()
    lines = []
    for name in present_corpora(args.corpus):
        line = evaluate(name, args.workdir, args.jobs)
        print(line, flush=True)
        lines.append(line)
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
