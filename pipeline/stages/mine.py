"""mine: segment/segmented.tsv.gz -> terms/mined_terms.csv.gz: every candidate multiword term, ranked,
before stopwords and the dictionary filter them (the terms stage does that, in a second), so a
stopword edit does not mine the corpus again."""
from __future__ import annotations

import math

from ..artifacts import MINED_TERMS, SEGMENTED, Run
from ..params import MiningParams
from ..topics.terms import mine_terms

# Candidates written with their example contexts: a person reads the top of the ranking, and the
# terms stage proposes its top few hundred. On the city corpus the examples of all 190,000 were
# two thirds of the table.
WITH_EXAMPLES = 20_000


def run(run: Run, params: MiningParams) -> None:
    _, total = run.token_count(SEGMENTED)
    step = max(1, math.ceil(total / params.sample_tokens))

    def paragraphs():  # every step-th paragraph: an even sample of at most sample_tokens tokens
        return ((doc_id, tokens) for doc_id, _, tokens in run.token_rows(SEGMENTED, every=step))

    if step > 1:
        run.log(f"mine: mining one paragraph in {step} ({total:,} tokens in all; sample_tokens={params.sample_tokens:,})")
    ranked = mine_terms(paragraphs, params)
    run.write_params(params)
    with run.table(MINED_TERMS) as table:
        for rank, c in enumerate(ranked):
            examples = (c.examples if rank < WITH_EXAMPLES else []) + [("", "")] * 2
            table.write([c.term, " ".join(c.parts), c.count, c.n_reports, c.cohesion, c.freedom, c.score,
                         examples[0][0], examples[0][1], examples[1][1]])
    run.log(f"mine: {len(ranked)} candidate terms in {run.path(MINED_TERMS)}")
