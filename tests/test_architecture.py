"""The layout's rules, checked: one contract for paths, stages that never import each other,
every default once, layers that import downwards only, and modules that change nothing on import."""
from __future__ import annotations

import ast
import subprocess
import sys
import re
from pathlib import Path

import pytest

from conftest import ROOT
from pipeline import deps
from pipeline.artifacts import ARTIFACTS, STAGES, PARAGRAPHS, TOKENS, Run

PACKAGE = ROOT / "pipeline"


def string_literals(path: Path) -> list[tuple[int, str]]:
    """Every string constant in a module but its docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_no_output_path_outside_the_contract():
    names = {a.path for a in ARTIFACTS} | {Path(a.path).name for a in ARTIFACTS if not a.path.startswith(".")}
    folders = {a.path.split("/")[0] + "/" for a in ARTIFACTS if "/" in a.path}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "artifacts.py":
            continue
        for line, text in string_literals(path):
            if any(re.search(rf"(?<![\w/]){re.escape(name)}(?![\w.])", text) for name in names) \
                    or any(text.startswith(folder) for folder in folders):
                found.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    for path in sorted((PACKAGE / "report" / "templates").iterdir()):
        for line, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(f'"{folder}' in text or f"'{folder}" in text for folder in folders):
                found.append(f"{path.relative_to(ROOT)}:{line}: {text.strip()}")
    assert not found, "output paths written outside pipeline/artifacts.py:\n" + "\n".join(found)


def test_no_stage_imports_another_stage():
    modules = deps.module_files()
    stage_modules = {f"pipeline.stages.{s}" for s in STAGES}
    for name, path in modules.items():
        imported = deps.imports_of(name, path, modules) & stage_modules
        if name.startswith("pipeline.stages."):
            assert not imported - {name}, f"{name} imports {imported}"
        elif name not in ("pipeline.cli",):  # the CLI dispatches to stages; nothing else may import one
            assert not imported, f"{name} imports {imported}"


def test_every_declared_stage_has_a_shell_and_a_command():
    from click.testing import CliRunner

    from pipeline.cli import main

    for stage in STAGES:
        assert (PACKAGE / "stages" / f"{stage}.py").is_file(), stage
        result = CliRunner().invoke(main, [stage, "--help"])
        assert result.exit_code == 0, result.output


def test_options_repeat_no_default():
    """Every option's default is None: the value, when not given, comes from params.py."""
    import click

    from pipeline.cli import main

    for name, command in main.commands.items():
        for option in command.params:
            if not isinstance(option, click.Option) or option.name in ("help", "force"):
                continue
            unset = option.default in (None, ()) or getattr(option.default, "name", "") == "UNSET"
            assert unset, f"{name} --{option.name} has its own default {option.default!r}"


def test_the_makefile_repeats_no_default():
    assignments = re.findall(r"^([A-Z_]+)\s*\?=\s*(.*)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert {name for name, _ in assignments} <= {"PYTHON"}, assignments


def test_a_stage_cannot_read_what_it_does_not_declare(tmp_path):
    assert Run(tmp_path, "lda").path(TOKENS) == tmp_path / TOKENS.path
    with pytest.raises(RuntimeError, match="does not declare"):
        Run(tmp_path, "tfidf").path(STAGES["themes"].target)
    with pytest.raises(RuntimeError, match="does not declare"):
        Run(tmp_path, "segment").path(TOKENS)  # filter's output, downstream of segment
    assert Run(tmp_path, "segment").path(PARAGRAPHS).name == "paragraphs.csv.gz"


def test_text_never_imports_topics_or_the_contract():
    """text/ is the lowest layer of pure code: topics/ may use it, not the other way round, and
    neither knows where files live."""
    found = []
    for path in sorted((PACKAGE / "text").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 2 and (node.module or "").split(".")[0] in (
                    "topics", "artifacts", "stages"):
                found.append(f"{path.name}: from ..{node.module}")
    assert not found, found


def test_importing_the_package_changes_no_process_state():
    """Importing any module leaves the umask, the csv module's field limit, the logging setup and
    matplotlib's settings as they were."""
    code = """
import csv, logging, os, pkgutil, importlib, sys
def umask():
    value = os.umask(0o22)
    os.umask(value)
    return value
import matplotlib
before = (umask(), csv.field_size_limit(), logging.root.level, len(logging.root.handlers), dict(matplotlib.rcParams))
import pipeline
for module in pkgutil.walk_packages(pipeline.__path__, 'pipeline.'):
    if module.name not in ('pipeline.__main__',):
        importlib.import_module(module.name)
after = (umask(), csv.field_size_limit(), logging.root.level, len(logging.root.handlers), dict(matplotlib.rcParams))
changed = [name for name, b, a in zip(('umask', 'csv', 'log level', 'log handlers', 'matplotlib'), before, after) if b != a]
print(' '.join(changed))
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"changed on import: {result.stdout}"
