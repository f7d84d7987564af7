"""terms: terms/mined_terms.csv.gz -> terms/term_candidates.csv: the best mined candidates that no
stopword starts or ends and the dictionary does not have yet; and accept-terms, which appends
the candidates a user marked to the domain dictionary."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from ..artifacts import MINED_TERMS, TERM_CANDIDATES, Run
from ..files import PipelineError
from ..params import Inputs, TermParams
from ..text.themes import load_themes, tracked_terms
from ..text.tokens import load_domain_terms, read_stopwords
from ..topics.terms import ACCEPT_HEADER, added_note, append_to_list, check_term, marked_in, proposable, swallowed_terms


def run(run: Run, inputs: Inputs, params: TermParams) -> None:
    stopwords = read_stopwords(inputs.stopwords)
    known = {term for term, _ in load_domain_terms(inputs.dictionary)}
    protected = tracked_terms(load_themes(inputs.themes))
    ranked = [r for r in run.rows(MINED_TERMS) if proposable(r["parts"].split(), stopwords, known)]
    run.write_params(inputs, params)
    with run.table(TERM_CANDIDATES) as table:
        for rank, r in enumerate(ranked[:params.top], 1):
            table.write([rank, r["term"], r["parts"], r["count"], r["n_reports"], r["cohesion_bits"], r["freedom_bits"],
                         r["score"], " ".join(swallowed_terms(r["term"], protected)), r["example_report"], r["example"],
                         r["example_2"], ""])
    top = ", ".join(r["term"] for r in ranked[:10])
    run.log(f"terms: {len(ranked)} candidate terms (top {min(params.top, len(ranked))} in {run.path(TERM_CANDIDATES)}): "
            f"{top} ...")


def accept(run: Run, inputs: Inputs, terms: Sequence[str] = (), force: bool = False) -> list[str]:
    """Append ``terms`` (or, with none given, the candidates marked in the accept column) to the
    first domain dictionary; returns the terms added."""
    terms = list(terms) or marked_in(run.require(TERM_CANDIDATES))
    if not terms:
        raise PipelineError(f"no terms to add: name them (TERMS=\"词1 词2\") or mark them in the 'accept' column "
                            f"of {run.path(TERM_CANDIDATES)}")
    problems = [f"{t}: {why}" for t in terms if (why := check_term(t))]
    if not force:
        protected = tracked_terms(load_themes(inputs.themes))
        problems += [f"{t}: contains the tracked theme term(s) {', '.join(s)}, which would stop being tokens "
                     f"(use --force to add anyway)" for t in terms if (s := swallowed_terms(t, protected))]
    if problems:
        raise PipelineError("not added:\n  " + "\n  ".join(problems))
    path = Path(inputs.dictionary[0])
    added = append_to_list(path, terms, ACCEPT_HEADER)
    run.log(added_note("accept-terms", path, terms, added, "resegment with them"))
    return added
