"""Stage 4, tfidf: the same tokens, reports as documents -> the most distinctive terms per report."""
from __future__ import annotations

from itertools import groupby
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from .files import CsvTable
from .segment import read_token_table


def top_terms(
    documents: Iterable[str],
    top_n: int = 20,
    min_df: int = 1,
    max_df: float = 1.0,
    sublinear_tf: bool = True,
) -> Iterator[list[tuple[str, float]]]:
    """For each document (space-separated tokens), its ``top_n`` terms by TF-IDF, best first.

    Ties are broken by the term itself so the ranking is reproducible.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=str.split, min_df=min_df, max_df=max_df, sublinear_tf=sublinear_tf)
    matrix = vectorizer.fit_transform(documents).tocsr()
    terms = vectorizer.get_feature_names_out()
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        indices, scores = matrix.indices[start:end], matrix.data[start:end]
        order = np.lexsort((terms[indices], -scores))[:top_n]
        yield [(str(terms[indices[i]]), float(scores[i])) for i in order]


def documents_from_tokens(tokens_path: Path) -> Iterator[tuple[str, str]]:
    """Stream ``(doc_id, all of the report's tokens)`` from tokens.tsv, one report at a time."""
    rows = read_token_table(tokens_path)
    for doc_id, group in groupby(rows, key=lambda row: row[0]):
        yield doc_id, " ".join(" ".join(tokens) for _, _, tokens in group)


def run_tfidf(output_dir: str | Path, top_n: int = 20, log=print) -> None:
    """segment/tokens.tsv -> tfidf/keywords.csv (one row per report and rank)."""
    from .metadata import document_info

    out = Path(output_dir)
    doc_ids: list[str] = []

    def texts() -> Iterator[str]:
        for doc_id, text in documents_from_tokens(out / "segment" / "tokens.tsv"):
            doc_ids.append(doc_id)
            yield text

    doc_columns, doc_rows = document_info(out)
    with CsvTable(out / "tfidf" / "keywords.csv", ("doc_id", *doc_columns, "rank", "term", "score")) as table:
        for i, terms in enumerate(top_terms(texts(), top_n)):
            for rank, (term, score) in enumerate(terms, 1):
                table.write([doc_ids[i], *doc_rows.get(doc_ids[i], [""] * len(doc_columns)), rank, term, score])
    log(f"tfidf: top {top_n} terms for {len(doc_ids)} reports")
