"""Command line: one subcommand per stage, each a thin layer over the stage's ``run``.

Options are made from the parameter classes of ``params.py`` (name, type, default and help),
so no default is written here.
"""
from __future__ import annotations

import dataclasses
import importlib
import shlex
import sys
import time
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


def _stage_command(name: str) -> click.Command:
    """The subcommand of a stage declared in ``artifacts.STAGES``: its help, the options of its
    inputs and parameter classes, and a call of ``pipeline.stages.<name>.run(run, [inputs,]
    *params)``."""
    from .artifacts import STAGES

    spec = STAGES[name]

    @click.pass_obj
    def command(settings: dict, **options) -> None:
        from .artifacts import Run

        # Every line a stage prints starts with its name: make topics runs two stages at once.
        started = time.monotonic()
        _log(f"{name}: python -m pipeline {shlex.join(sys.argv[1:])}")
        run = Run(settings["output"], name, settings["jobs"], log=_log)
        module = importlib.import_module(f".stages.{name}", __package__)
        _report_errors(lambda: module.run(run, *(([build(Inputs, options)] if spec.inputs else [])
                                                  + [build(cls, options) for cls in spec.params])))
        _log(f"{name}: done in {time.monotonic() - started:.0f} s")

    return click.command(name=name, help=spec.help)(options_from(*spec.params, inputs=spec.inputs)(command))


def _accept_command(name: str, stage: str, function: str, argument: str, inputs: tuple[str, ...], help: str,
                    force: bool = False) -> click.Command:
    """A subcommand that adds words to one of the user's lists: ``pipeline.stages.<stage>.<function>(run,
    inputs, words[, force])``."""

    @click.argument(argument, nargs=-1)
    @click.pass_obj
    def command(settings: dict, **options) -> None:
        from .artifacts import Run

        run = Run(settings["output"], stage, settings["jobs"], log=_log)
        accept = getattr(importlib.import_module(f".stages.{stage}", __package__), function)
        extra = (options.pop("force"),) if force else ()
        _report_errors(lambda: accept(run, build(Inputs, options), list(options[argument]), *extra))

    if force:
        command = click.option("--force", is_flag=True, help="Add terms even if they contain a tracked theme term.")(command)
    return click.command(name=name, help=help)(options_from(inputs=inputs)(command))


def _add_commands(group: click.Group) -> None:
    from .artifacts import EMERGING_TERMS, STAGES, STOPWORD_CANDIDATES, TERM_CANDIDATES

    for name in STAGES:
        group.add_command(_stage_command(name))
    group.add_command(_accept_command(
        "accept-terms", "terms", "accept", "words", ("dictionary", "themes"),
        f"Add WORDS, or the candidates marked in {TERM_CANDIDATES.path}'s accept column, to the dictionary.",
        force=True))
    group.add_command(_accept_command(
        "accept-stopwords", "wording", "accept", "words", ("stopwords", "themes"),
        f"Add WORDS, or the candidates marked in {STOPWORD_CANDIDATES.path}'s accept column, to the genre "
        "stopword list."))
    group.add_command(_accept_command(
        "accept-theme", "wording", "accept_themes", "names", ("themes", "dictionary"),
        f"Track NAMES (from {EMERGING_TERMS.path}, say) as themes: add them to the themes file and the "
        "dictionary."))


@main.command(name="leftovers")
@click.option("--delete", is_flag=True, help="Delete them.")
@click.pass_obj
def leftovers(settings: dict, delete: bool) -> None:
    """List the files in the output folder that no stage of this version writes (an earlier
    version's outputs, a stopped stage's temporary files); with --delete, delete them."""
    from .artifacts import leftover_files

    out = settings["output"]
    found = leftover_files(out)
    if delete:
        for path in found:
            path.unlink()
        _log(f"leftovers: deleted {len(found)} file(s) no stage writes from {out}/")
        return
    if found:
        shown = "\n  ".join(str(p) for p in found[:20]) + (f"\n  ... and {len(found) - 20} more" if len(found) > 20 else "")
        _log(f"leftovers: {len(found)} file(s) in {out}/ are written by no stage of this version (an earlier "
             f"version's, or a stopped stage's), so they are not results of this run:\n  {shown}\n"
             f"Delete them with: {shlex.join([sys.executable, '-m', 'pipeline', '--output', str(out), 'leftovers', '--delete'])}")


_add_commands(main)
