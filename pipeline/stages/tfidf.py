"""tfidf: segment/tokens.tsv.gz -> tfidf/keywords.csv, with reports (not paragraphs) as documents."""
from __future__ import annotations

from itertools import groupby
from typing import Iterator

from ..artifacts import KEYWORDS, TOKENS, Run
from ..params import TfidfParams
from ..text.places import own_places
from ..topics.keywords import place_fragments, top_terms


def run(run: Run, params: TfidfParams) -> None:
    doc_ids: list[str] = []

    def texts() -> Iterator[list[str]]:  # one report's tokens at a time
        for doc_id, group in groupby(run.token_rows(TOKENS), key=lambda row: row[0]):
            doc_ids.append(doc_id)
            yield [token for _, _, tokens in group for token in tokens]

    extra, doc_rows = run.document_info()
    documents = run.documents()

    def excluded(i: int) -> set[str]:  # called after texts() has been read: doc_ids is complete
        return place_fragments(own_places(documents[doc_ids[i]]))

    with run.table(KEYWORDS, extra) as table:
        for i, terms in enumerate(top_terms(texts(), params.top_n, excluded)):
            for rank, (term, score) in enumerate(terms, 1):
                table.write([doc_ids[i], *doc_rows[doc_ids[i]], rank, term, score])
        run.write_params(params)
    run.log(f"tfidf: top {params.top_n} terms for {len(doc_ids)} reports")
