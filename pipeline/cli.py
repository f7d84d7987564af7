"""Command line: one subcommand per stage, each a thin layer over the stage's ``run_*`` function."""
from __future__ import annotations

import functools
import os
import sys

import click

from .files import PipelineError

OUTPUT = click.option("--output", "-o", default="outputs", show_default=True, type=click.Path(file_okay=False),
                      help="Output folder; each stage writes a subfolder.")


def _report_errors(function):
    """Turn input problems into one clear line and a non-zero exit, not a traceback."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except PipelineError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("interrupted: no partial output was kept", err=True)
            sys.exit(130)

    return wrapper


def _log(message: str) -> None:
    click.echo(message, err=True)


@click.group()
@click.version_option()
def main() -> None:
    """Find themes in Chinese rule-of-law government annual reports (法治政府建设年度报告)."""


@main.command()
@click.option("--input", "-i", "input_dir", default="seeds", show_default=True, type=click.Path(file_okay=False),
              help="Folder of reports (.txt, .html, .docx, .pdf), searched recursively.")
@OUTPUT
@click.option("--rules", default="config/boilerplate.txt", show_default=True, type=click.Path(dir_okay=False),
              help="Boilerplate rule file.")
@click.option("--metadata", default=None, type=click.Path(dir_okay=False),
              help="Metadata CSV (file, year, place, ...); default: INPUT/metadata.csv if present.")
@click.option("--simplify/--no-simplify", default=True, show_default=True,
              help="Convert traditional characters to simplified.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1),
              help="Worker processes for reading and cleaning (output does not depend on it).")
@_report_errors
def clean(input_dir, output, rules, metadata, simplify, jobs) -> None:
    """Read and clean reports -> clean/documents.csv, paragraphs.csv, cleaning_report.csv."""
    from .clean import run_clean

    run_clean(input_dir, output, rules, metadata, simplify, log=_log, jobs=jobs)


@main.command()
@OUTPUT
@click.option("--dictionary", "-d", "dictionaries", multiple=True, default=["config/domain_terms.txt"], show_default=True,
              type=click.Path(dir_okay=False), help="Domain dictionary (repeatable).")
@click.option("--jobs", "-j", default=os.cpu_count() or 1, show_default=True, type=click.IntRange(1),
              help="Worker processes for segmentation.")
@_report_errors
def segment(output, dictionaries, jobs) -> None:
    """Segment paragraphs with jieba -> segment/segmented.tsv (cache, before stopwords)."""
    from .segment import run_segment

    run_segment(output, list(dictionaries), jobs, log=_log)


@main.command(name="filter")
@OUTPUT
@click.option("--stopwords", "-s", multiple=True, default=["stopwords"], show_default=True, type=click.Path(),
              help="Stopword file or folder of *.txt lists (repeatable).")
@click.option("--min-chars", default=2, show_default=True, type=click.IntRange(1), help="Drop shorter tokens.")
@click.option("--keep-numbers", is_flag=True, help="Keep tokens with digits.")
@_report_errors
def filter_(output, stopwords, min_chars, keep_numbers) -> None:
    """Apply stopwords and token filters -> segment/tokens.tsv, vocabulary.csv."""
    from .segment import run_filter

    run_filter(output, list(stopwords), min_chars, keep_numbers, log=_log)


class _TopicCount(click.ParamType):
    """K: a whole number of topics, or "auto" for the K sweep."""

    name = "K|auto"

    def convert(self, value, param, ctx):
        if isinstance(value, int) or str(value).lower() == "auto":
            return value if isinstance(value, int) else "auto"
        try:
            return int(value)
        except ValueError:
            self.fail(f"{value!r} is neither a number of topics nor 'auto'", param, ctx)


@main.command()
@OUTPUT
@click.option("-k", "--topics", "k", default="8", show_default=True, type=_TopicCount(),
              help="Number of topics, or 'auto': sweep K and choose by the rule in quality/k_choice.txt.")
@click.option("--seed", default=42, show_default=True, type=int, help="Random seed.")
@click.option("--passes", default=0, show_default=True, type=click.IntRange(0), help="Training passes; 0 = auto.")
@click.option("--iterations", default=200, show_default=True, type=click.IntRange(1))
@click.option("--alpha", default="0.5", show_default=True, help="Document-topic prior: a number, auto, symmetric, asymmetric.")
@click.option("--eta", default="0.01", show_default=True, help="Topic-word prior: a number or auto.")
@click.option("--no-below", default=3, show_default=True, type=click.IntRange(1), help="Drop terms in fewer paragraphs.")
@click.option("--no-above", default=0.5, show_default=True, type=click.FloatRange(0, 1), help="Drop terms in a larger share of paragraphs.")
@click.option("--keep-n", default=50_000, show_default=True, type=click.IntRange(1), help="Vocabulary cap.")
@click.option("--min-tokens", default=5, show_default=True, type=click.IntRange(1), help="Skip shorter paragraphs.")
@click.option("--init", default="seeded", show_default=True, type=click.Choice(["seeded", "random"]),
              help="Topic start: from random paragraphs (seeded) or gensim's near-uniform one.")
@click.option("--restarts", default=3, show_default=True, type=click.IntRange(1),
              help="Seeded starts to try on small corpora; the best fit is trained on.")
@click.option("--k-range", default="3:15", show_default=True, help="K=auto: K values to try, MIN:MAX or MIN:MAX:STEP.")
@click.option("--sweep-seeds", default=3, show_default=True, type=click.IntRange(1), help="K=auto: models per K.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1),
              help="K=auto: processes training sweep models (results do not depend on it).")
@_report_errors
def lda(output, k, seed, passes, iterations, alpha, eta, no_below, no_above, keep_n, min_tokens, init, restarts,
        k_range, sweep_seeds, jobs) -> None:
    """Train LDA over paragraphs -> lda/topics.csv, paragraph_topics.csv, document_topics.csv, coherence.csv.

    With -k auto, first sweeps K -> quality/k_sweep.csv, k_sweep_summary.csv, k_choice.txt, k_sweep.png.
    """
    import dataclasses

    from .lda import LdaParams, parse_prior, run_lda
    from .quality import SweepSettings, remove_sweep_outputs, run_k_sweep

    params = LdaParams(k=8 if k == "auto" else k, seed=seed, passes=passes, iterations=iterations,
                       alpha=parse_prior(alpha), eta=parse_prior(eta), no_below=no_below, no_above=no_above,
                       keep_n=keep_n, min_tokens=min_tokens, init=init, restarts=restarts)
    if k == "auto":
        try:
            bounds = [int(x) for x in k_range.split(":")]
            settings = SweepSettings(bounds[0], bounds[1], *bounds[2:3], seeds=sweep_seeds, jobs=jobs)
        except (ValueError, IndexError, TypeError):
            raise click.BadParameter(f"{k_range!r}: use MIN:MAX or MIN:MAX:STEP", param_hint="--k-range") from None
        params = dataclasses.replace(params, k=run_k_sweep(output, params, settings, log=_log))
    else:
        remove_sweep_outputs(output, log=_log)
    run_lda(output, params, log=_log)


@main.command()
@OUTPUT
@click.option("--top-n", default=20, show_default=True, type=click.IntRange(1), help="Terms per report.")
@_report_errors
def tfidf(output, top_n) -> None:
    """TF-IDF with reports as documents -> tfidf/keywords.csv."""
    from .tfidf import run_tfidf

    run_tfidf(output, top_n, log=_log)


@main.command()
@OUTPUT
@click.option("--themes", "themes_path", default="config/themes.txt", show_default=True, type=click.Path(dir_okay=False))
@_report_errors
def themes(output, themes_path) -> None:
    """Count tracked themes per report and link them to topics -> themes/."""
    from .themes import run_themes

    run_themes(output, themes_path, log=_log)


@main.command()
@OUTPUT
@_report_errors
def plots(output) -> None:
    """Draw the figures -> plots/*.png."""
    from .plots import run_plots

    run_plots(output, log=_log)


@main.command()
@OUTPUT
@click.option("--explorer/--no-explorer", default=True, show_default=True,
              help="Build the interactive topic explorer (pyLDAvis) into the report and explorer.html.")
@_report_errors
def report(output, explorer) -> None:
    """Write one self-contained page of results -> report.html (and explorer.html)."""
    from .report import run_report

    run_report(output, explorer=explorer, log=_log)


@main.command()
@OUTPUT
@click.option("--runs", default=5, show_default=True, type=click.IntRange(1),
              help="Models compared for stability, the lda stage's included (more seeds, same parameters).")
@click.option("--paragraphs", "n_paragraphs", default=5, show_default=True, type=click.IntRange(1),
              help="Representative paragraphs per topic.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1), help="Processes for the extra runs.")
@_report_errors
def quality(output, runs, n_paragraphs, jobs) -> None:
    """Topic stability, descriptions and representative paragraphs -> quality/."""
    from .quality import run_quality

    run_quality(output, runs=runs, n_paragraphs=n_paragraphs, jobs=jobs, log=_log)


@main.command()
@OUTPUT
@click.option("--bootstrap", "n_boot", default=2000, show_default=True, type=click.IntRange(100),
              help="Bootstrap resamples of reports.")
@click.option("--min-reports", default=3, show_default=True, type=click.IntRange(2),
              help="Smallest group (year, place) that gets an interval.")
@click.option("--seed", default=0, show_default=True, type=int, help="Bootstrap random seed.")
@_report_errors
def prevalence(output, n_boot, min_reports, seed) -> None:
    """Topic prevalence and theme frequency by year and place, with bootstrap intervals -> quality/."""
    from .prevalence import run_prevalence

    run_prevalence(output, n_boot=n_boot, min_reports=min_reports, seed=seed, log=_log)


@main.command()
@OUTPUT
@click.option("--stopwords", "-s", multiple=True, default=["stopwords"], show_default=True, type=click.Path(),
              help="Stopword file or folder (repeatable): candidates may not start or end with one.")
@click.option("--dictionary", "-d", "dictionaries", multiple=True, default=["config/domain_terms.txt"], show_default=True,
              type=click.Path(dir_okay=False), help="Domain dictionary (repeatable): its terms are not proposed again.")
@click.option("--themes", "themes_path", default="config/themes.txt", show_default=True, type=click.Path(dir_okay=False),
              help="Tracked themes: candidates containing one are flagged in swallows_theme.")
@click.option("--top", "top_n", default=200, show_default=True, type=click.IntRange(1), help="Candidates written.")
@click.option("--min-count", default=3, show_default=True, type=click.IntRange(2), help="Fewest occurrences.")
@click.option("--min-reports", default=2, show_default=True, type=click.IntRange(1), help="Fewest reports it occurs in.")
@_report_errors
def terms(output, stopwords, dictionaries, themes_path, top_n, min_count, min_reports) -> None:
    """Mine candidate multiword terms -> quality/term_candidates.csv (mark keepers in its accept column)."""
    from .terms import TermSettings, run_terms

    run_terms(output, list(stopwords), list(dictionaries), themes_path, top_n,
              TermSettings(min_count=min_count, min_reports=min_reports), log=_log)


@main.command(name="accept-terms")
@OUTPUT
@click.argument("words", nargs=-1)
@click.option("--dictionary", "-d", default="config/domain_terms.txt", show_default=True,
              type=click.Path(dir_okay=False), help="The domain dictionary to extend.")
@click.option("--themes", "themes_path", default="config/themes.txt", show_default=True, type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Add terms even if they contain a tracked theme term.")
@_report_errors
def accept_terms(output, words, dictionary, themes_path, force) -> None:
    """Add WORDS, or the candidates marked in quality/term_candidates.csv's accept column, to the dictionary."""
    from .terms import run_accept_terms

    run_accept_terms(output, dictionary, list(words), themes_path, force, log=_log)
