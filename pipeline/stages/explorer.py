"""explorer: lda/ -> explorer/ldavis.json: the interactive topic explorer's data, pyLDAvis on the
model's word distributions and the reports' mixes, which the report shows in its page and as
explorer.html. A stage of its own: the report is written twice (before and after the stability
runs), and this is the same both times. Last, explorer/model.sha256 records which
lda/document_topics.csv it was prepared from, so the report never shows it beside another
model's tables."""
from __future__ import annotations

import json

from ..artifacts import CORPUS, DOCUMENT_TOPICS, EXPLORER_BASIS, EXPLORER_DATA, Run
from ..report.explorer import prepare_explorer
from ..topics.corpus import BowCorpus, vocabulary
from ..topics.train import topic_term_matrix


def run(run: Run) -> None:
    run.path(EXPLORER_BASIS).unlink(missing_ok=True)  # until the new data is written, none is current
    basis = run.fingerprint(DOCUMENT_TOPICS)
    model, dictionary = run.load_model()
    # LDAvis uses the mixes only for each topic's token total, which the reports' token-weighted
    # mixes give exactly as the paragraphs' would, from a table a hundredth the size.
    _, _, theta, lengths = run.document_topics()
    vocab = vocabulary(dictionary)
    try:
        explorer = {"data": prepare_explorer(topic_term_matrix(model), theta, lengths, vocab,
                                             BowCorpus.saved_term_frequency(run.require(CORPUS))), "error": ""}
    except Exception as err:  # the report is still worth having without it: it says why, loudly
        explorer = {"data": None, "error": f"{type(err).__name__}: {err}"}
        run.log(f"explorer: WARNING the interactive explorer could not be prepared: {explorer['error']}")
    run.write_params()
    run.write_text(EXPLORER_DATA, json.dumps(explorer, ensure_ascii=False))
    run.write_basis(EXPLORER_BASIS, DOCUMENT_TOPICS, basis)
    if explorer["data"]:
        run.log(f"explorer: {model.num_topics} topics in {run.path(EXPLORER_DATA)}")
