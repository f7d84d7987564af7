"""`make bench`: the real pipeline on a synthetic corpus of a requested size (default 100 MB).

Prints per stage: seconds, MB/s and peak RSS (summed over the stage's whole process tree,
workers included); single-process jieba throughput measured in the same run as the reference
for the segmentation speedup; the time of a stopword-only rerun of filtering and of a no-op
`make topics`. The last line is the machine-readable summary:

BENCH mb=<size> total_s=<x> segment_s=<x> segment_speedup=<x> rerun_stopwords_s=<x> noop_s=<x> peak_rss_mb=<x>
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.measure import timed as timed_with_output  # noqa: E402
from benchmarks.synthetic import ROOT, make_corpus  # noqa: E402

sys.path.insert(0, str(ROOT))
from pipeline.artifacts import PARAGRAPHS, STAGES, TOKENS  # noqa: E402

# Each stage is timed alone: Make builds its target (the file the stage writes last) once the
# stages before it, in the contract's order, are done.
STAGE_TARGETS = [(name, stage.target.path) for name, stage in STAGES.items()]  # (name, target relative to OUTPUT)


def timed(command: list[str]) -> tuple[float, float]:
    """Seconds and peak RSS (MB, the whole process tree) of ``command``."""
    seconds, peak, _ = timed_with_output(command)
    return seconds, peak


def cleaned_text_mb(paragraphs_csv: Path) -> float:
    import csv

    with open(paragraphs_csv, encoding="utf-8-sig", newline="") as handle:
        return sum(len(row["text"].encode("utf-8")) for row in csv.DictReader(handle)) / 1e6


def single_process_jieba_mb_s(paragraphs_csv: Path, sample_mb: float) -> float:
    """Plain jieba (default dictionary, accurate mode, one process) on a sample of the corpus."""
    import csv
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    texts, size = [], 0
    with open(paragraphs_csv, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            texts.append(row["text"])
            size += len(row["text"].encode("utf-8"))
            if size >= sample_mb * 1e6:
                break
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    start = time.perf_counter()
    for text in texts:
        tokenizer.lcut(text)
    return size / 1e6 / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100.0, help="corpus size in MB")
    parser.add_argument("--k", type=int, default=20, help="topics")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--workdir", type=Path, default=ROOT / "outputs" / "bench")
    parser.add_argument("--sample-mb", type=float, default=5.0, help="text for the single-process jieba reference")
    args = parser.parse_args()

    corpus = args.workdir / f"corpus_{args.mb:g}mb"
    output = args.workdir / "out"
    stopwords = args.workdir / "stopwords"
    if not (corpus / ".complete").exists():
        shutil.rmtree(corpus, ignore_errors=True)
        files, size = make_corpus(corpus, args.mb)
        (corpus / ".complete").write_text(f"{files} {size}\n")
    files, size = (int(x) for x in (corpus / ".complete").read_text().split())
    mb = size / 1e6
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(stopwords, ignore_errors=True)
    shutil.copytree(ROOT / "stopwords", stopwords)
    make = ["make", "--no-print-directory", f"INPUT={corpus}", f"OUTPUT={output}", f"K={args.k}",
            f"JOBS={args.jobs}", f"STOPWORDS={stopwords}"]
    print(f"corpus: {files} reports, {mb:.1f} MB in {corpus}; K={args.k}, JOBS={args.jobs}", flush=True)

    results = {}
    for name, target in STAGE_TARGETS:
        seconds, peak = timed([*make, str(output / target)])
        results[name] = (seconds, peak)
        print(f"{name:>8}: {seconds:8.1f} s {mb / seconds:8.2f} MB/s  peak RSS {peak:7.0f} MB", flush=True)
    total = sum(s for s, _ in results.values())
    peak_rss = max(p for _, p in results.values())

    # Both rates are over the same thing: the cleaned paragraph text that jieba segments.
    text_mb = cleaned_text_mb(PARAGRAPHS.at(output))
    reference = single_process_jieba_mb_s(PARAGRAPHS.at(output), args.sample_mb)
    segment_s = results["segment"][0]
    speedup = (text_mb / segment_s) / reference
    print(f"single-process jieba: {reference:.2f} MB/s; segment stage: {text_mb / segment_s:.2f} MB/s of "
          f"{text_mb:.1f} MB cleaned text with {args.jobs} jobs (speedup {speedup:.2f}x)", flush=True)

    with open(stopwords / "genre.txt", "a", encoding="utf-8") as handle:
        handle.write("\n# added by make bench\n工作机制\n")
    rerun_s, _ = timed([*make, str(TOKENS.at(output))])
    print(f"stopword-only rerun of filtering: {rerun_s:.1f} s ({100 * rerun_s / segment_s:.1f}% of first segmentation)", flush=True)
    timed([*make, "topics"])
    noop_s, _ = timed([*make, "topics"])
    print(f"no-op make topics: {noop_s:.2f} s", flush=True)
    print(f"BENCH mb={mb:.1f} total_s={total:.1f} segment_s={segment_s:.1f} segment_speedup={speedup:.2f} "
          f"rerun_stopwords_s={rerun_s:.1f} noop_s={noop_s:.2f} peak_rss_mb={peak_rss:.0f}")


if __name__ == "__main__":
    main()
