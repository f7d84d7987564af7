"""explorer: lda/ -> explorer/ldavis.json: the interactive topic explorer's data, pyLDAvis on the
model's word distributions and the reports' mixes, which the report shows in its page and as
explorer.html. A stage of its own: the report is written twice (before and after the stability
runs), and this is the same both times. It names the lda/document_topics.csv it was prepared
from (SHA-256), so the report never shows it beside another model's tables."""
from __future__ import annotations

import json

from ..artifacts import CORPUS, DOCUMENT_TOPICS, EXPLORER_DATA, Run, long_to_matrix
from ..report.explorer import prepare_explorer
from ..topics.corpus import BowCorpus
from ..topics.train import topic_term_matrix


def run(run: Run) -> None:
    basis = run.fingerprint(DOCUMENT_TOPICS)  # the report shows the data only for this model
    model, dictionary = run.load_model()
    rows = list(run.rows(DOCUMENT_TOPICS))
    # LDAvis uses the mixes only for each topic's token total, which the reports' token-weighted
    # mixes give exactly as the paragraphs' would, from a table a hundredth the size.
    _, _, theta = long_to_matrix(rows, "doc_id", "topic", "weight")
    lengths = [float(n) for n in {r["doc_id"]: r["n_tokens"] for r in rows}.values()]
    vocab = [dictionary[i] for i in range(len(dictionary))]
    try:
        explorer = {"model": basis, "data": prepare_explorer(topic_term_matrix(model), theta, lengths, vocab,
                                                             BowCorpus.load(run.require(CORPUS)).term_frequency()),
                    "error": ""}
    except Exception as err:  # the report is still worth having without it: it says why, loudly
        explorer = {"model": basis, "data": None, "error": f"{type(err).__name__}: {err}"}
        run.log(f"explorer: WARNING the interactive explorer could not be prepared: {explorer['error']}")
    run.write_params()
    run.write_text(EXPLORER_DATA, json.dumps(explorer, ensure_ascii=False))
    if explorer["data"]:
        run.log(f"explorer: {model.num_topics} topics in {run.path(EXPLORER_DATA)}")
