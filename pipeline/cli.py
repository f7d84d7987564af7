"""Command line: one subcommand per stage, each a thin layer over the stage's ``run``.

Options are made from the parameter classes of ``params.py`` (name, type, default and help),
so no default is written here.
"""
from __future__ import annotations

import dataclasses
import importlib
import os
import shlex
import sys
import time
import types
import typing
from pathlib import Path
from typing import Any, Callable

import click

from .files import PipelineError
from .parallel import DEFAULT_JOBS
from .params import OUTPUT, Inputs

# How much lower a yielding stage's priority is (Stage.yields): at 10, Linux gives it about a tenth
# of a core the model's processes want.
YIELDING_NICENESS = 10


class _NumberOrName(click.ParamType):
    """A whole number or a name (K=6, K=auto): which ones are valid, params.py checks."""

    name = "N|name"

    def convert(self, value, param, ctx):
        try:
            return int(value)
        except (TypeError, ValueError):
            return value


def _option(cls, f: dataclasses.Field) -> Callable:
    """A click option for one parameter field: its type and default from the field."""
    name = f.name.replace("_", "-")
    help_text = f.metadata.get("help", "")
    hint = typing.get_type_hints(cls)[f.name]
    if isinstance(hint, types.UnionType):
        flags = (f"--{name}", "-k") if f.name == "k" else (f"--{name}",)
        return click.option(*flags, f.name, type=_NumberOrName(), default=None, help=f"{help_text} [default: {f.default}]")
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


def _report_errors(action: Callable[[], Any], log: Callable[[str], None]) -> Any:
    """Turn input problems into one clear line and a non-zero exit, not a traceback."""
    try:
        return action()
    except PipelineError as err:
        log(f"error: {err}")
        sys.exit(2)
    except KeyboardInterrupt:
        log("interrupted: no partial output was kept")
        sys.exit(130)


def _logger(command: str) -> Callable[[str], None]:
    """A log on stderr whose every line starts with ``command:`` (make topics runs two stages at
    once, and a line must say whose it is)."""
    prefix = f"{command}: "

    def log(message: str) -> None:
        for line in message.splitlines() or [""]:
            click.echo(line if line.startswith(prefix) else prefix + line, err=True)

    return log


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

        started = time.monotonic()
        if spec.yields and hasattr(os, "nice"):  # not on Windows: there it runs at the usual priority
            os.nice(max(0, YIELDING_NICENESS - os.nice(0)))  # to that niceness, however often asked
        log = _logger(name)
        log(shlex.join([sys.executable, "-m", "pipeline", *sys.argv[1:]]))
        run = Run(settings["output"], name, settings["jobs"], log=log)
        module = importlib.import_module(f".stages.{name}", __package__)
        _report_errors(lambda: module.run(run, *(([build(Inputs, options)] if spec.inputs else [])
                                                  + [build(cls, options) for cls in spec.params])), log)
        log(f"done in {time.monotonic() - started:.0f} s")

    from .artifacts import stage_artifacts

    writes = ", ".join(a.path for a in stage_artifacts(name))
    return click.command(name=name, help=f"{spec.help}\n\nWrites {writes}.")(
        options_from(*spec.params, inputs=spec.inputs)(command))


def _accept_command(name: str, stage: str, function: str, argument: str, inputs: tuple[str, ...], help: str,
                    force: bool = False) -> click.Command:
    """A subcommand that adds words to one of the user's lists: ``pipeline.stages.<stage>.<function>(run,
    inputs, words[, force])``."""

    @click.argument(argument, nargs=-1)
    @click.pass_obj
    def command(settings: dict, **options) -> None:
        from .artifacts import Run

        log = _logger(name)
        run = Run(settings["output"], stage, settings["jobs"], log=log)
        accept = getattr(importlib.import_module(f".stages.{stage}", __package__), function)
        extra = (options.pop("force"),) if force else ()
        _report_errors(lambda: accept(run, build(Inputs, options), list(options[argument]), *extra), log)

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
        "accept-stopwords", "terms", "accept_stopwords", "words", ("stopwords", "themes"),
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

    out, log = Path(settings["output"]), _logger("leftovers")
    found = leftover_files(out)
    if delete:
        for path in found:
            path.unlink()
        for folder in sorted({p.parent for p in found}, key=lambda p: -len(p.parts)):  # a stopped sweep's
            while folder != out and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
        log(f"deleted {len(found)} file(s) no stage writes from {out}/")
        return
    if found:
        log(f"{len(found)} file(s) in {out}/ are written by no stage of this version (an earlier version's, or a "
            "stopped stage's), so they are not results of this run:")
        for path in found[:20]:
            log(f"  {path}")
        if len(found) > 20:
            log(f"  ... and {len(found) - 20} more")
        log("delete them with: " + shlex.join([sys.executable, "-m", "pipeline", "--output", str(out), "leftovers",
                                               "--delete"]))


_add_commands(main)
