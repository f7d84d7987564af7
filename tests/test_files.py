"""Every CSV the pipeline writes goes through files.py, whose cells are guarded against
spreadsheet formulas (the dynamic check, on every table of a hostile run, is in
tests/stages/test_report.py)."""
from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

CSV_WRITERS = {"writer", "DictWriter"}


def csv_writers(path: Path) -> list[str]:
    """Where a module creates a CSV writer (csv.writer, csv.DictWriter, however csv is imported)
    or writes a table another way (pandas' to_csv, numpy's savetxt)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    csv_names = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names if alias.name == "csv"}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "csv":
            found += [f"{node.lineno} from csv import {a.name}" for a in node.names if a.name in CSV_WRITERS | {"*"}]
        elif isinstance(node, ast.Attribute):
            on_csv = isinstance(node.value, ast.Name) and node.value.id in csv_names
            if (on_csv and node.attr in CSV_WRITERS) or node.attr in ("to_csv", "savetxt"):
                found.append(f"{node.lineno} .{node.attr}")
    return found


def test_no_csv_writer_bypasses_files_py():
    """Static proof: only pipeline/files.py may create CSV writers; every other module of the
    package (stages write through artifacts.Run, whose tables are files.CsvTable) uses
    CsvTable/write_csv, and so safe_cell."""
    modules = sorted((ROOT / "pipeline").rglob("*.py"))
    assert len(modules) > 40  # the subpackages too
    assert csv_writers(ROOT / "pipeline" / "files.py")  # the check sees the one that exists
    offenders = [f"{path.relative_to(ROOT).as_posix()}:{where}" for path in modules
                 if path != ROOT / "pipeline" / "files.py" for where in csv_writers(path)]
    assert offenders == []
