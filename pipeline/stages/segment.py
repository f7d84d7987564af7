"""segment: clean/paragraphs.csv.gz -> segment/segmented.tsv.gz, jieba's tokens (or SEGMENTER='s) with the
domain dictionary and the reports' place names (every token but punctuation and white space): the
cache every stopword edit re-filters, redone only when the dictionary or the segmenter changes."""
from __future__ import annotations

from collections import deque
from typing import Iterator


from ..artifacts import DOCUMENTS, PARAGRAPHS, SEGMENTED, Run
from ..params import Inputs, SegmentParams
from ..progress import progress
from ..text.places import place_terms
from ..text.tokens import DEFAULT_TERM_FREQUENCY, check_segmenter, load_domain_terms, segment_paragraphs


def segmentation_terms(dictionary: tuple[str, ...], documents: list[dict]) -> list[tuple[str, int]]:
    """The domain dictionary's terms, then the reports' own place names: those stay whole too
    (岭北镇, not 岭 + 北镇)."""
    return load_domain_terms(dictionary) + [(place, DEFAULT_TERM_FREQUENCY) for place in place_terms(documents)]


def run(run: Run, inputs: Inputs, params: SegmentParams) -> int:
    documents = list(run.rows(DOCUMENTS))
    domain_terms = segmentation_terms(inputs.dictionary, documents)
    total_chars = sum(int(row["n_chars"]) for row in documents)
    # Texts are read here, just ahead of the workers, and come back in order, so their keys
    # wait in a queue no longer than the batches in flight.
    keys: deque[tuple[str, str]] = deque()

    def texts() -> Iterator[str]:
        for row in run.rows(PARAGRAPHS):
            keys.append((row["doc_id"], row["position"]))
            yield row["text"]

    count = 0
    with run.writer(SEGMENTED) as handle, \
            progress(total=total_chars, desc=f"segment ({run.jobs} jobs)", unit="char", unit_scale=True) as bar:
        for segmented in segment_paragraphs(texts(), domain_terms, run.jobs, segmenter=params.segmenter):
            doc_id, position = keys.popleft()
            handle.write(f"{doc_id}\t{position}\t{segmented}\n")
            bar.update(len(segmented) - segmented.count(" "))
            count += 1
        run.write_params(inputs, params)
    run.log(f"segment: {count} paragraphs segmented by {check_segmenter(params.segmenter)} with {len(domain_terms)} domain terms "
            f"and place names kept whole, {run.jobs} jobs")
    return count
