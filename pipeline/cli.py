"""Command line: one subcommand per stage, each a thin layer over the stage's ``run``.

Options are made from the parameter classes of ``params.py`` (name, type, default and help),
so no default is written here.
"""
from __future__ import annotations

import dataclasses
import functools
import importlib
import sys
import typing
from typing import Any, Callable

import click

from .files import PipelineError
from .parallel import DEFAULT_JOBS
from .params import OUTPUT, Inputs, LdaParams


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


def _option(cls, f: dataclasses.Field) -> Callable:
    """A click option for one parameter field: its type and default from the field."""
    name = f.name.replace("_", "-")
    help_text = f.metadata.get("help", "")
    hint = typing.get_type_hints(cls)[f.name]
    if f.name == "k" and cls is LdaParams:
        return click.option(f"--{name}", "-k", f.name, type=_TopicCount(), default=None,
                            help=f"{help_text} [default: {f.default}]")
    if hint is bool:
        return click.option(f"--{name}/--no-{name}", f.name, default=None, help=f"{help_text} [default: {f.default}]")
    if typing.get_origin(hint) is tuple:
        return click.option(f"--{name}", f.name, multiple=True, help=f"{help_text} Repeatable. [default: {' '.join(f.default)}]")
    return click.option(f"--{name}", f.name, type=hint if hint in (int, float) else str, default=None,
                        help=f"{help_text} [default: {f.default}]")


def options_from(*classes, inputs: tuple[str, ...] = ()) -> Callable:
    """Decorate a command with an option per field of ``classes`` (and the named ``inputs``)."""

    def decorate(command: Callable) -> Callable:
        selected = [(Inputs, f) for f in dataclasses.fields(Inputs) if f.name in inputs]
        selected += [(cls, f) for cls in classes for f in dataclasses.fields(cls)]
        for cls, f in reversed(selected):
            command = _option(cls, f)(command)
        return command

    return decorate


def build(cls, options: dict[str, Any]):
    """An instance of ``cls`` from the options the user gave (the rest keep their defaults)."""
    names = {f.name for f in dataclasses.fields(cls)}
    given = {k: (tuple(v) if isinstance(v, (list, tuple)) else v) for k, v in options.items()
             if k in names and v is not None and v != ()}
    return cls(**given)


def _stage(name: str):
    """A subcommand that runs ``pipeline.stages.<name>.run(run, [inputs,] *params)``, with the
    options of the stage's inputs and parameter classes (``artifacts.STAGES``)."""
    from .artifacts import STAGES

    classes, inputs = STAGES[name].params, STAGES[name].inputs

    def decorate(function: Callable) -> Callable:
        @main.command(name=name, help=function.__doc__)
        @options_from(*classes, inputs=inputs)
        @click.pass_obj
        @functools.wraps(function)
        def command(settings: dict, **options):
            from .artifacts import Run

            run = Run(settings["output"], name, settings["jobs"], log=_log)
            module = importlib.import_module(f".stages.{name}", __package__)
            args = ([build(Inputs, options)] if inputs else []) + [build(cls, options) for cls in classes]
            _report_errors(lambda: module.run(run, *args))

        return command

    return decorate


def _report_errors(action: Callable[[], Any]) -> Any:
    """Turn input problems into one clear line and a non-zero exit, not a traceback."""
    try:
        return action()
    except PipelineError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("interrupted: no partial output was kept", err=True)
        sys.exit(130)


def _log(message: str) -> None:
    click.echo(message, err=True)


@click.group()
@click.version_option()
@click.option("--output", "-o", default=OUTPUT, show_default=True, type=click.Path(file_okay=False),
              help="Output folder; each stage writes its own subfolder.")
@click.option("--jobs", "-j", default=DEFAULT_JOBS, show_default=True, type=click.IntRange(1),
              help="Worker processes (results do not depend on it).")
@click.pass_context
def main(ctx: click.Context, output: str, jobs: int) -> None:
    """Find themes in Chinese rule-of-law government annual reports (法治政府建设年度报告)."""
    ctx.obj = {"output": output, "jobs": jobs}


@_stage("clean")
def clean():
    """Read and clean reports -> clean/documents.csv, paragraphs.csv, cleaning_report.csv."""


@_stage("segment")
def segment():
    """Segment paragraphs with jieba (or --segmenter) -> segment/segmented.tsv (cache, before stopwords)."""


@_stage("filter")
def filter_():
    """Apply stopwords and token filters -> segment/tokens.tsv, vocabulary.csv."""


@_stage("lda")
def lda():
    """Train LDA over paragraphs -> lda/ (with -k auto, first sweep K -> lda/k_*)."""


@_stage("tfidf")
def tfidf():
    """TF-IDF with reports as documents -> tfidf/keywords.csv."""


@_stage("themes")
def themes():
    """Count tracked themes per report, by year and place, with their figures -> themes/ (text only, no model)."""


@_stage("plots")
def plots():
    """Draw the figures of topics and keywords -> plots/*.png."""


@_stage("quality")
def quality():
    """Topic stability across seeds -> quality/."""


@_stage("prevalence")
def prevalence():
    """Topic prevalence by year and place, with bootstrap intervals -> prevalence/."""


@_stage("explorer")
def explorer():
    """Prepare the interactive topic explorer's data (pyLDAvis) -> explorer/ldavis.json."""


@_stage("mine")
def mine():
    """Mine candidate multiword terms -> terms/mined_terms.csv (before stopwords and the dictionary)."""


@_stage("terms")
def terms():
    """The mined terms to propose -> terms/term_candidates.csv (mark keepers in its accept column)."""


@_stage("wording")
def wording():
    """What themes are said with, terms that rose, stopword candidates -> themes/theme_terms.csv, emerging_terms.csv,
    terms/stopword_candidates.csv."""


@_stage("report")
def report():
    """Write one self-contained page of results -> report.html (and explorer.html)."""


@main.command(name="accept-stopwords")
@click.argument("words", nargs=-1)
@options_from(inputs=("stopwords", "themes"))
@click.pass_obj
def accept_stopwords(settings: dict, words, **options) -> None:
    """Add WORDS, or the candidates marked in terms/stopword_candidates.csv's accept column, to the genre stopword list."""
    from .artifacts import Run
    from .stages.wording import accept

    run = Run(settings["output"], "wording", settings["jobs"], log=_log)
    _report_errors(lambda: accept(run, build(Inputs, options), list(words)))


@main.command(name="accept-theme")
@click.argument("names", nargs=-1)
@options_from(inputs=("themes", "dictionary"))
@click.pass_obj
def accept_theme(settings: dict, names, **options) -> None:
    """Track NAMES (from themes/emerging_terms.csv, say) as themes: add them to the themes file and the dictionary."""
    from .artifacts import Run
    from .stages.wording import accept_themes

    run = Run(settings["output"], "wording", settings["jobs"], log=_log)
    _report_errors(lambda: accept_themes(run, build(Inputs, options), list(names)))


@main.command(name="accept-terms")
@click.argument("words", nargs=-1)
@options_from(inputs=("dictionary", "themes"))
@click.option("--force", is_flag=True, help="Add terms even if they contain a tracked theme term.")
@click.pass_obj
def accept_terms(settings: dict, words, force, **options) -> None:
    """Add WORDS, or the candidates marked in terms/term_candidates.csv's accept column, to the dictionary."""
    from .artifacts import Run
    from .stages.terms import accept

    run = Run(settings["output"], "terms", settings["jobs"], log=_log)
    _report_errors(lambda: accept(run, build(Inputs, options), list(words), force))
