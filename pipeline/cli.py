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
@_report_errors
def clean(input_dir, output, rules, metadata, simplify) -> None:
    """Read and clean reports -> clean/documents.csv, paragraphs.csv, cleaning_report.csv."""
    from .clean import run_clean

    run_clean(input_dir, output, rules, metadata, simplify, log=_log)


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


@main.command()
@OUTPUT
@click.option("-k", "--topics", "k", default=8, show_default=True, type=int, help="Number of topics.")
@click.option("--seed", default=42, show_default=True, type=int, help="Random seed.")
@click.option("--passes", default=0, show_default=True, type=click.IntRange(0), help="Training passes; 0 = auto.")
@click.option("--iterations", default=200, show_default=True, type=click.IntRange(1))
@click.option("--alpha", default="auto", show_default=True, help="Document-topic prior: auto, symmetric, asymmetric.")
@click.option("--eta", default="auto", show_default=True, help="Topic-word prior: auto or symmetric.")
@click.option("--no-below", default=2, show_default=True, type=click.IntRange(1), help="Drop terms in fewer paragraphs.")
@click.option("--no-above", default=0.5, show_default=True, type=click.FloatRange(0, 1), help="Drop terms in a larger share of paragraphs.")
@click.option("--keep-n", default=50_000, show_default=True, type=click.IntRange(1), help="Vocabulary cap.")
@click.option("--min-tokens", default=5, show_default=True, type=click.IntRange(1), help="Skip shorter paragraphs.")
@_report_errors
def lda(output, k, seed, passes, iterations, alpha, eta, no_below, no_above, keep_n, min_tokens) -> None:
    """Train LDA over paragraphs -> lda/topics.csv, paragraph_topics.csv, document_topics.csv, coherence.csv."""
    from .lda import LdaParams, run_lda

    params = LdaParams(k=k, seed=seed, passes=passes, iterations=iterations, alpha=alpha, eta=eta,
                       no_below=no_below, no_above=no_above, keep_n=keep_n, min_tokens=min_tokens)
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
