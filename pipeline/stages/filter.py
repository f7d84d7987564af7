"""filter: segment/segmented.tsv -> segment/tokens.tsv (the model's input) and vocabulary.csv,
after the stopword lists and the token filters."""
from __future__ import annotations

from collections import Counter

from tqdm import tqdm

from ..artifacts import SEGMENTED, TOKENS, VOCABULARY, Run
from ..params import FilterParams, Inputs
from ..text.tokens import read_stopwords, token_filter


def run(run: Run, inputs: Inputs, params: FilterParams) -> None:
    stopwords = frozenset(read_stopwords(inputs.stopwords))
    keep = token_filter(stopwords, params.min_chars, params.keep_numbers)
    counts: Counter[str] = Counter()
    doc_counts: Counter[str] = Counter()
    n_paragraphs = n_tokens = 0
    seen_in_doc: set[str] = set()
    current_doc = None
    source = run.require(SEGMENTED)
    # Lines are handled as text: the doc_id<TAB>position prefix is copied, never parsed.
    with open(source, encoding="utf-8") as lines, run.writer(TOKENS) as handle:
        for line in tqdm(lines, desc="filter", unit="par", unit_scale=True, disable=None):
            prefix, _, text = line.rstrip("\n").rpartition("\t")
            kept = keep(text.split())
            handle.write(f"{prefix}\t{' '.join(kept)}\n")
            counts.update(kept)
            doc_id = prefix.partition("\t")[0]
            if doc_id != current_doc:
                doc_counts.update(seen_in_doc)
                seen_in_doc, current_doc = set(), doc_id
            seen_in_doc.update(kept)
            n_paragraphs += 1
            n_tokens += len(kept)
        doc_counts.update(seen_in_doc)
        # Written before tokens.tsv is renamed, so tokens.tsv is the last file to land.
        run.write_rows(VOCABULARY, ((token, count, doc_counts[token])
                                    for token, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))))
        run.write_params(inputs, params)
    run.log(f"filter: {n_tokens} tokens kept in {n_paragraphs} paragraphs after {len(stopwords)} stopwords; "
            f"vocabulary in {run.path(VOCABULARY)}")
