"""filter: segment/segmented.tsv.gz -> segment/tokens.tsv.gz (the model's input) and vocabulary.csv,
after the stopword lists and the token filters."""
from __future__ import annotations

from collections import Counter

from ..artifacts import SEGMENTED, TOKENS, VOCABULARY, Run
from ..parallel import ordered_map
from ..params import FilterParams, Inputs
from ..progress import progress
from ..text.tokens import CHUNK_LINES, TokenTableFilter, read_stopwords, report_chunks


def run(run: Run, inputs: Inputs, params: FilterParams) -> None:
    stopwords = frozenset(read_stopwords(inputs.stopwords))
    task = TokenTableFilter(stopwords, params.min_chars, params.keep_numbers)
    counts: Counter[str] = Counter()
    report_counts: Counter[str] = Counter()
    n_paragraphs = n_tokens = 0
    with run.reader(SEGMENTED) as lines, run.writer(TOKENS) as handle, \
            progress(desc="filter", unit="par", unit_scale=True) as bar:
        for text, chunk_counts, chunk_report_counts, chunk_tokens in ordered_map(
                task, report_chunks(lines, CHUNK_LINES), run.jobs):
            handle.write(text)
            counts.update(chunk_counts)
            report_counts.update(chunk_report_counts)
            n_tokens += chunk_tokens
            lines_written = text.count("\n")
            n_paragraphs += lines_written
            bar.update(lines_written)
        # Written before tokens.tsv.gz is renamed, so tokens.tsv.gz is the last file to land.
        run.write_rows(VOCABULARY, ((token, count, report_counts[token])
                                    for token, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))))
        run.write_params(inputs, params)
    run.log(f"filter: {n_tokens} tokens kept in {n_paragraphs} paragraphs after {len(stopwords)} stopwords; "
            f"vocabulary in {run.path(VOCABULARY)}")
