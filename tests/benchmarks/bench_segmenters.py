"""`make bench-segmenters`: each segmenter (SEGMENTER=) against jieba, the reference, on every real corpus
in ../shared/corpora (or CORPUS=name).

On each corpus's cleaned paragraphs (the clean stage, run into make eval's folders) and with the
segment stage's own domain terms (the dictionary and the reports' place names), it times each
segmenter in one process and compares its tokens, after the segment stage's punctuation filter,
with jieba's. Per corpus and segmenter it prints a few differing tokens and one line:

SEGMENTER corpus=<name> segmenter=<name> mb_s=<x> speedup=<x> identity=<share of paragraphs cut
          exactly as jieba cuts them> differing=<n> paragraphs=<n> terms_split=<domain terms jieba
          keeps whole more often than this segmenter does>
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[1])]
from benchmarks.eval_corpora import CORPORA, INPUTS, present_corpora  # noqa: E402
from benchmarks.measure import ROOT, timed  # noqa: E402

from pipeline.artifacts import DOCUMENTS, PARAGRAPHS, STAGES, Run  # noqa: E402
from pipeline.params import Inputs  # noqa: E402
from pipeline.stages.segment import segmentation_terms  # noqa: E402
from pipeline.text.tokens import REFERENCE_SEGMENTER as REFERENCE  # noqa: E402
from pipeline.text.tokens import SEGMENTERS, check_segmenter, make_tokenizer, segment_text  # noqa: E402


def segmented(segmenter: str, domain_terms: list[tuple[str, int]], texts: list[str]) -> tuple[list[str], float]:
    """Each text's tokens joined by spaces, and the seconds it took (one process, tokenizer built)."""
    cut = make_tokenizer(domain_terms, segmenter)
    list(cut("预热"))  # lazy set-up (a prefix table, a cache) is not segmentation
    start = time.perf_counter()
    joined = [" ".join(segment_text(cut, text)) for text in texts]
    return joined, time.perf_counter() - start


def term_counts(joined: list[str], terms: set[str]) -> Counter:
    return Counter(token for line in joined for token in line.split(" ") if token in terms)


def compare(name: str, workdir: Path, segmenters: list[str]) -> list[str]:
    folder, out = CORPORA / name / INPUTS[name], workdir / name
    timed(["make", "--no-print-directory", str(out / STAGES["clean"].target.path), f"INPUT={folder}", f"OUTPUT={out}"])
    run = Run(out, "segment")
    domain_terms = segmentation_terms(Inputs().dictionary, list(run.rows(DOCUMENTS)))
    texts = [row["text"] for row in run.rows(PARAGRAPHS)]
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"\n=== {name}: {len(texts)} paragraphs, {mb:.1f} MB cleaned text, {len(domain_terms)} domain terms "
          "and place names", flush=True)
    terms = {term for term, _ in domain_terms}
    reference, reference_s = segmented(REFERENCE, domain_terms, texts)
    reference_terms = term_counts(reference, terms)
    lines = []
    for segmenter in [REFERENCE, *segmenters]:
        joined, seconds = (reference, reference_s) if segmenter == REFERENCE else segmented(segmenter, domain_terms, texts)
        differing = [i for i, (a, b) in enumerate(zip(reference, joined)) if a != b]
        counts = term_counts(joined, terms)
        split = sorted(t for t in terms if counts[t] < reference_terms[t])
        for i in differing[:3]:
            ours, theirs = set(reference[i].split(" ")), set(joined[i].split(" "))
            print(f"  {segmenter}: jieba {' '.join(sorted(ours - theirs)[:6])} | {segmenter} "
                  f"{' '.join(sorted(theirs - ours)[:6])}")
        if split:
            print(f"  {segmenter}: domain terms split more often than by jieba: {' '.join(split[:10])}")
        line = (f"SEGMENTER corpus={name} segmenter={segmenter} mb_s={mb / seconds:.2f} "
                f"speedup={reference_s / seconds:.2f} identity={1 - len(differing) / len(texts):.5f} "
                f"differing={len(differing)} paragraphs={len(texts)} terms_split={len(split)}")
        print(line, flush=True)
        lines.append(line)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="", help="one corpus (a folder name in ../shared/corpora); default: all")
    parser.add_argument("--workdir", type=Path, default=ROOT / "outputs" / "eval")
    parser.add_argument("--segmenters", default=",".join(s for s in SEGMENTERS if s != REFERENCE),
                        help="comma-separated, compared with jieba")
    args = parser.parse_args()
    # The default without jieba-next (not installed, or does not load) is jieba itself, as its
    # one line on stderr says: nothing to measure.
    segmenters = [s for s in args.segmenters.split(",") if check_segmenter(s) == s]
    lines = []
    for name in present_corpora(args.corpus):
        lines += compare(name, args.workdir, segmenters)
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
