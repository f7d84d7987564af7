"""A corpus with planted topics, for tests of training, measures and the choice of K."""
from __future__ import annotations

import numpy as np


def planted_corpus(k: int = 5, n_docs: int = 150, length: int = 40, words_per_topic: int = 20,
                   noise: float = 0.1, seed: int = 0) -> list[list[str]]:
    """Paragraphs drawn from ``k`` topics with disjoint vocabularies (Zipf-like within a topic),
    sparse mixes (Dirichlet 0.1), and a share of noise words spread over 200 others."""
    rng = np.random.default_rng(seed)
    zipf = 1 / np.arange(1, words_per_topic + 1)
    zipf /= zipf.sum()
    docs = []
    for _ in range(n_docs):
        mix = rng.dirichlet([0.1] * k)
        doc = []
        for _ in range(length):
            if rng.random() < noise:
                doc.append(f"noise{rng.integers(200)}")
            else:
                doc.append(f"t{rng.choice(k, p=mix)}w{rng.choice(words_per_topic, p=zipf)}")
        docs.append(doc)
    return docs
