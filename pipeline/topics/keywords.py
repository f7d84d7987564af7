"""TF-IDF keywords: the terms most distinctive of each report against the others."""
from __future__ import annotations

from typing import Iterable, Iterator

import numpy as np

from ..params import TfidfParams


def top_terms(
    documents: Iterable[str],
    top_n: int = TfidfParams.top_n,
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
