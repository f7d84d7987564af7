"""`make bench`: the real pipeline on a synthetic corpus of a requested size (default 100 MB), on
a real corpus of ../shared/corpora (`make bench CORPUS=city-gwr-lawtext`), or on a corpus of the
requested size recombined from a real corpus's paragraphs under new places and years, so that
its vocabulary is real (`make bench MB=1000 CORPUS=city-gwr-lawtext`).

Prints the time and peak RSS of `make topics` from scratch (total_s: end to end as the user
runs it, two stages at a time where the graph allows); then per stage, each run alone: seconds,
MB/s and peak RSS (summed over the stage's whole process tree, workers included), and their
sum; single-process jieba throughput measured in the same run as the reference for the
segmentation speedup; the researcher's loop: a stopword edit, then `make topics`, timed
up to the updated report (written before the stability runs, after which make writes it again:
that full time is printed too); a no-op `make topics`; the hand-assembled baseline researchers write today
(jieba.lcut per report file, gensim LdaModel with its defaults, no cleaning); tomotopy's LDA at
the model's K on the model's own bags of words, its time and NPMI beside the pipeline's. The
last line is the machine-readable summary:

BENCH mb=<x> total_s=<x> stopword_loop_s=<x> noop_s=<x> segment_s=<x> segment_speedup=<x> peak_rss_mb=<x>
      peak_pss_mb=<x> baseline_ratio=<x> lda_s=<x> tomotopy_s=<x> npmi=<x> npmi_tomotopy=<x> lda_speedup=<x>
      lda_jobs_identical=<0|1> output_mb=<x> largest_mb=<x> report_mb=<x>

lda_speedup is the lda stage's time at JOBS=1 over its time at the bench's JOBS, run last on the
same tokens; lda_jobs_identical whether all its files came out byte-identical.

With --quick (QUICK=1), only make topics from scratch, the output's size and the stopword loop:
the figures a corpus of a gigabyte is judged on, in a third of the time.
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
from benchmarks.eval_corpora import CORPORA, INPUTS, tomotopy_words  # noqa: E402
from pipeline.artifacts import MODEL, PARAGRAPHS, REPORT, STAGES, TOKENS, TOPIC_SUMMARY, Run  # noqa: E402
from pipeline.files import read_csv  # noqa: E402
from pipeline.topics.measures import Cooccurrence, npmi_per_topic  # noqa: E402

# Each stage is timed alone: Make builds its target (the file the stage writes last) once the
# stages before it, in the contract's order, are done.
STAGE_TARGETS = [(name, stage.target.path) for name, stage in STAGES.items()]  # (name, target relative to OUTPUT)


def folder_sizes(folder: Path) -> tuple[float, float, str, float]:
    """``(MB, largest file's MB, its path, report.html's MB)`` of an output folder."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    largest = max(files, key=lambda p: p.stat().st_size)
    report = folder / REPORT.path
    return (sum(p.stat().st_size for p in files) / 1e6, largest.stat().st_size / 1e6,
            largest.relative_to(folder).as_posix(), report.stat().st_size / 1e6 if report.exists() else 0.0)


def timed(command: list[str], watch: Path | None = None, changes: list[float] | None = None,
          stage_peaks: dict[str, float] | None = None, pss_peak: list[float] | None = None,
          log: Path | None = None) -> tuple[float, float]:
    """Seconds and peak RSS (MB, the whole process tree) of ``command`` (see measure.timed)."""
    seconds, peak, _ = timed_with_output(command, watch=watch, changes=changes, stage_peaks=stage_peaks,
                                         pss_peak=pss_peak, log=log)
    return seconds, peak


def stage_spans(log: Path) -> str:
    """When each stage ran, in seconds from the start of a timed make log (measure.timed's): from
    its first line to its "done in" line; which ran side by side can be read off."""
    spans, started = [], {}
    for line in log.read_text(encoding="utf-8").splitlines():
        seconds, _, text = line.strip().partition(" ")
        name, colon, rest = text.partition(": ")
        if colon and name in STAGES:
            started.setdefault(name, float(seconds))
            if rest.startswith("done in"):
                spans.append(f"{name} {started.pop(name):.0f}-{float(seconds):.0f}")
    return ", ".join(spans)


def cleaned_text_mb(paragraphs_csv: Path) -> float:
    return sum(len(row["text"].encode("utf-8")) for row in read_csv(paragraphs_csv)) / 1e6


def single_process_jieba_mb_s(paragraphs_csv: Path, sample_mb: float) -> float:
    """Plain jieba (default dictionary, accurate mode, one process) on a sample of the corpus:
    paragraphs evenly spread over it (its first megabytes can be faster or slower to cut than
    the whole: 5% on the synthetic corpus)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    texts = [row["text"] for row in read_csv(paragraphs_csv)]
    total = sum(len(text.encode("utf-8")) for text in texts)
    texts = texts[::max(1, round(total / (sample_mb * 1e6)))]
    size = sum(len(text.encode("utf-8")) for text in texts)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    start = time.perf_counter()
    for text in texts:
        tokenizer.lcut(text)
    return size / 1e6 / (time.perf_counter() - start)


def baseline_seconds(corpus: Path, k: int) -> float:
    """What researchers assemble by hand today: every report file read as it is, ``jieba.lcut``
    per report, gensim's LdaModel with its defaults on reports as documents; no cleaning."""
    import logging

    import jieba
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    jieba.setLogLevel(logging.WARNING)
    logging.getLogger("gensim").setLevel(logging.WARNING)
    start = time.perf_counter()
    files = sorted(p for p in corpus.rglob("*") if p.suffix in (".txt", ".md", ".html") and p.is_file())
    documents = [jieba.lcut(p.read_text(encoding="utf-8", errors="replace")) for p in files]
    dictionary = Dictionary(documents)
    LdaModel([dictionary.doc2bow(d) for d in documents], id2word=dictionary, num_topics=k, random_state=0)
    return time.perf_counter() - start


def lda_speedup(make: list[str], output: Path, lda_s: float) -> tuple[float, bool]:
    """The lda stage again, alone, at JOBS=1 on the same tokens: its time over ``lda_s`` (the same
    stage at the bench's JOBS), and whether the model's arrays and every table it wrote came out
    byte-identical (gensim's pickles themselves differ from save to save: they record the time
    and a set's order)."""
    import hashlib

    from gensim.models import LdaModel

    def digests() -> dict[str, str]:
        folder = MODEL.at(output).parents[1]  # lda/
        found = {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in sorted(folder.rglob("*")) if p.is_file() and MODEL.at(output).parent not in p.parents}
        model = LdaModel.load(str(MODEL.at(output)))
        for name, array in (("expElogbeta", model.expElogbeta), ("sstats", model.state.sstats), ("eta", model.eta),
                            ("alpha", model.alpha)):
            found[f"model {name}"] = hashlib.sha256(array.tobytes()).hexdigest()
        return found

    before = digests()
    os.utime(TOKENS.at(output))  # the lda stage is due again, and nothing before it
    seconds, _ = timed([*(a for a in make if not a.startswith("JOBS=")), "JOBS=1", str(output / STAGES["lda"].target.path)])
    after = digests()
    differ = sorted(k for k in after if after[k] != before.get(k))
    print(f"lda stage at JOBS=1: {seconds:.1f} s, {seconds / lda_s:.2f}x its time at the bench's JOBS ({lda_s:.1f} s); "
          f"model and {len(after) - 4} tables {'byte-identical' if not differ else 'DIFFER: ' + ', '.join(differ)}",
          flush=True)
    return seconds / lda_s, not differ


def stopword_loop(stopwords: Path, make: list[str], output: Path) -> tuple[float, float]:
    """The researcher's loop: one more stopword, then make topics, timed up to the updated report
    (written before the stability runs, which follow, and the report again with them); its output,
    timed, in stopword_loop.log beside the output folder."""
    with open(stopwords / "genre.txt", "a", encoding="utf-8") as handle:
        handle.write("\n# added by make bench\n工作机制\n")
    report_written: list[float] = []
    make_s, loop_peak = timed([*make, "topics"], watch=output / REPORT.path, changes=report_written,
                              log=output.parent / "stopword_loop.log")
    loop_s = report_written[0]
    print(f"stopword edit -> updated report: {loop_s:.1f} s; with the stability runs and the report again, "
          f"make topics took {make_s:.1f} s (report written at {', '.join(f'{t:.1f}' for t in report_written)} s; "
          f"peak RSS {loop_peak:.0f} MB)", flush=True)
    print(f"  stages (seconds from the edit): {stage_spans(output.parent / 'stopword_loop.log')}", flush=True)
    return loop_s, loop_peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=None, help="corpus size in MB (default 100, or a real corpus as it is)")
    parser.add_argument("--k", type=int, default=20, help="topics")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--workdir", type=Path, default=ROOT / "outputs" / "bench")
    parser.add_argument("--sample-mb", type=float, default=5.0, help="text for the single-process jieba reference")
    parser.add_argument("--corpus", default="", help="a real corpus of ../shared/corpora instead of the synthetic one")
    parser.add_argument("--quick", action="store_true", help="only make topics from scratch, sizes, the stopword loop")
    args = parser.parse_args()

    if args.corpus and args.corpus not in INPUTS:
        sys.exit(f"unknown corpus {args.corpus!r}: one of {', '.join(INPUTS)}")
    source = CORPORA / args.corpus / INPUTS[args.corpus] if args.corpus else None
    if source is not None and args.mb is None:
        corpus = source
        sizes = [p.stat().st_size for p in corpus.rglob("*") if p.is_file()]
        files, size = len(sizes), sum(sizes)
        output = args.workdir / f"out_{args.corpus}"
    else:
        mb = args.mb or 100.0
        name = f"corpus_{args.corpus}_{mb:g}mb" if source else f"corpus_{mb:g}mb"
        corpus = args.workdir / name
        output = args.workdir / ("out_" + name.removeprefix("corpus_") if source else "out")
        if not (corpus / ".complete").exists():
            shutil.rmtree(corpus, ignore_errors=True)
            files, size = make_corpus(corpus, mb, source=source)
            (corpus / ".complete").write_text(f"{files} {size}\n")
        files, size = (int(x) for x in (corpus / ".complete").read_text().split())
    stopwords = args.workdir / "stopwords"
    mb = size / 1e6
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(stopwords, ignore_errors=True)
    shutil.copytree(ROOT / "stopwords", stopwords)
    make = ["make", "--no-print-directory", f"INPUT={corpus}", f"OUTPUT={output}", f"K={args.k}",
            f"JOBS={args.jobs}", f"STOPWORDS={stopwords}"]
    print(f"corpus: {files} reports, {mb:.1f} MB in {corpus}; K={args.k}, JOBS={args.jobs}", flush=True)

    # End to end as the user runs it: make topics from scratch (two stages at a time where the
    # graph allows), into a folder of its own; then each stage alone, one after another.
    fresh = output.with_name(output.name + "_fresh")
    shutil.rmtree(fresh, ignore_errors=True)
    stage_peaks, pss_peak = dict.fromkeys(STAGES, 0.0), []
    end_to_end_s, end_to_end_peak = timed([f"OUTPUT={fresh}" if a.startswith("OUTPUT=") else a for a in make] + ["topics"],
                                          stage_peaks=stage_peaks, pss_peak=pss_peak,
                                          log=args.workdir / "make_topics.log")
    output_mb, largest_mb, largest, report_mb = folder_sizes(fresh)
    print(f"make topics from scratch: {end_to_end_s:.1f} s, peak RSS {end_to_end_peak:.0f} MB (summed over the "
          f"processes; shared pages counted once, PSS: {pss_peak[0]:.0f} MB); output {output_mb:.0f} MB "
          f"({output_mb / mb:.2f}x the input), largest file {largest} {largest_mb:.0f} MB, report.html "
          f"{report_mb:.1f} MB", flush=True)
    print("  peak RSS by stage (its workers included; two stages may run at once): "
          + ", ".join(f"{name} {peak:.0f} MB" for name, peak in stage_peaks.items()), flush=True)
    print(f"  stages (seconds from the start): {stage_spans(args.workdir / 'make_topics.log')}", flush=True)
    sizes = f"output_mb={output_mb:.0f} largest_mb={largest_mb:.0f} report_mb={report_mb:.1f}"
    if args.quick:  # the loop on the fresh folder, as a user would run it next
        loop_s, loop_peak = stopword_loop(stopwords, [f"OUTPUT={fresh}" if a.startswith("OUTPUT=") else a
                                                      for a in make], fresh)
        shutil.rmtree(fresh, ignore_errors=True)
        print(f"BENCH mb={mb:.1f} total_s={end_to_end_s:.1f} stopword_loop_s={loop_s:.1f} "
              f"peak_rss_mb={max(end_to_end_peak, loop_peak):.0f} peak_pss_mb={pss_peak[0]:.0f} {sizes}")
        return
    shutil.rmtree(fresh, ignore_errors=True)

    results, references = {}, []
    for name, target in STAGE_TARGETS:
        # The single-process reference is measured just before and just after the segment stage
        # (the machine's speed drifts by several per cent over minutes).
        if name == "segment":
            references.append(single_process_jieba_mb_s(PARAGRAPHS.at(output), args.sample_mb))
        seconds, peak = timed([*make, str(output / target)])
        if name == "segment":
            references.append(single_process_jieba_mb_s(PARAGRAPHS.at(output), args.sample_mb))
        results[name] = (seconds, peak)
        print(f"{name:>8}: {seconds:8.1f} s {mb / seconds:8.2f} MB/s  peak RSS {peak:7.0f} MB", flush=True)
    # The report was written before the stability runs; make topics writes it again after them.
    results["report again"] = timed([*make, "topics"])
    print(f"report again, with the stability runs: {results['report again'][0]:.1f} s", flush=True)
    stages_s = sum(s for s, _ in results.values())
    peak_rss = max(end_to_end_peak, *(p for _, p in results.values()))
    print(f"the stages one after another: {stages_s:.1f} s (make topics from scratch: {end_to_end_s:.1f} s)", flush=True)

    # Both rates are over the same thing: the cleaned paragraph text that jieba segments.
    text_mb = cleaned_text_mb(PARAGRAPHS.at(output))
    reference = sum(references) / len(references)
    segment_s = results["segment"][0]
    speedup = (text_mb / segment_s) / reference
    print(f"single-process jieba: {reference:.2f} MB/s (before and after the stage: "
          f"{' and '.join(f'{r:.2f}' for r in references)}); segment stage: {text_mb / segment_s:.2f} MB/s of "
          f"{text_mb:.1f} MB cleaned text with {args.jobs} jobs (speedup {speedup:.2f}x)", flush=True)

    loop_s, loop_peak = stopword_loop(stopwords, make, output)
    noop_s, _ = timed([*make, "topics"])
    print(f"no-op make topics: {noop_s:.2f} s", flush=True)

    run = Run(output, "report")
    summary = list(run.rows(TOPIC_SUMMARY))
    npmi = sum(float(r["npmi"]) for r in summary) / len(summary)
    words, tomotopy_s = tomotopy_words(run, len(summary), 42)
    cooc = Cooccurrence.from_texts(run.reference_texts(), sorted({w for topic in words for w in topic}))
    npmi_tomotopy = sum(npmi_per_topic(words, cooc=cooc)) / len(words)
    lda_s = results["lda"][0]
    print(f"lda stage {lda_s:.1f} s, NPMI {npmi:+.4f}; tomotopy at K={len(summary)} on the same bags of words "
          f"{tomotopy_s:.1f} s, NPMI {npmi_tomotopy:+.4f}", flush=True)
    baseline_s = baseline_seconds(corpus, args.k)
    print(f"hand-assembled baseline (jieba.lcut per report, LdaModel defaults): {baseline_s:.1f} s; "
          f"the pipeline takes {end_to_end_s / baseline_s:.2f}x that", flush=True)
    # Last: it leaves the stages after lda due.
    speedup_lda, identical = lda_speedup(make, output, lda_s) if args.jobs > 1 else (1.0, True)
    print(f"BENCH mb={mb:.1f} total_s={end_to_end_s:.1f} stopword_loop_s={loop_s:.1f} noop_s={noop_s:.2f} "
          f"segment_s={segment_s:.1f} segment_speedup={speedup:.2f} peak_rss_mb={max(peak_rss, loop_peak):.0f} "
          f"peak_pss_mb={pss_peak[0]:.0f} "
          f"baseline_ratio={end_to_end_s / baseline_s:.2f} lda_s={lda_s:.1f} tomotopy_s={tomotopy_s:.1f} npmi={npmi:.4f} "
          f"npmi_tomotopy={npmi_tomotopy:.4f} lda_speedup={speedup_lda:.2f} lda_jobs_identical={int(identical)} {sizes}")


if __name__ == "__main__":
    main()
