"""The interactive topic explorer's data: pyLDAvis.prepare on the pipeline's own matrices."""
from __future__ import annotations

import json
from typing import Any

def prepare_explorer(phi, theta, doc_lengths, vocab: list[str], term_frequency, r_terms: int = 30) -> dict[str, Any]:
    """pyLDAvis.prepare on our own matrices, as plain JSON-ready data.

    Topics keep our numbering (``sort_topics=False``, 1-based) so "3" in the explorer is T3 in
    the tables. Terms that occur in no modelled paragraph are dropped: pyLDAvis divides by
    their frequency. One job: no worker processes for a second of work.
    """
    import numpy as np
    import pyLDAvis

    keep = np.asarray(term_frequency) > 0
    phi = np.asarray(phi, dtype=np.float64)[:, keep]
    phi /= phi.sum(axis=1, keepdims=True)
    theta = np.asarray(theta, dtype=np.float64)
    theta /= theta.sum(axis=1, keepdims=True)
    vocab = [term for term, k in zip(vocab, keep) if k]
    prepared = pyLDAvis.prepare(phi, theta, np.asarray(doc_lengths), vocab, np.asarray(term_frequency)[keep],
                                R=r_terms, n_jobs=1, sort_topics=False, start_index=1)
    return json.loads(prepared.to_json())


def relevance_ranking(data: dict[str, Any], topic: int, lam: float) -> list[str]:
    """The terms LDAvis lists for ``topic`` at relevance weight ``lam`` (for checks and tests):
    :func:`~pipeline.topics.measures.relevance_score` on the log probabilities and lifts it lists."""
    import numpy as np

    from ..topics.measures import relevance_score

    tinfo = data["tinfo"]
    rows = [(term, lp, ll) for cat, term, lp, ll in
            zip(tinfo["Category"], tinfo["Term"], tinfo["logprob"], tinfo["loglift"]) if cat == f"Topic{topic}"]
    if not rows:
        return []
    terms, log_prob, log_lift = zip(*rows)
    scores = relevance_score(np.array(log_prob, dtype=float), np.array(log_lift, dtype=float), lam)
    return [terms[i] for i in np.argsort(-scores, kind="stable")]  # ties in LDAvis's order, as sorted() kept them
