"""Every CSV the pipeline writes goes through files.py, whose cells are guarded against
spreadsheet formulas (the dynamic check, on every table of a hostile run, is in
tests/stages/test_report.py)."""
from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT
from pipeline.files import CsvTable

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


def test_keyed_floats_are_the_rows_write_would_write(tmp_path):
    """paragraph_topics.csv.gz's fast path writes exactly what a row at a time writes: the key
    quoted or formula-guarded as any cell, floats at fixed precision."""
    values = [0.5, 1 / 3, 1e-9, 0.0]
    keys = [("report, 1", 2, 30), ("=cmd", 0, 5), ('quote "q"', 1, 7), ("line\nbreak", 3, 4)]
    columns = ("doc_id", "position", "n_tokens", "T1", "T2", "T3", "T4")
    with CsvTable(tmp_path / "fast.csv", columns) as table:
        for key in keys:
            table.write_keyed_floats(key, values)
    with CsvTable(tmp_path / "slow.csv", columns) as table:
        for key in keys:
            table.write([*key, *values])
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "slow.csv").read_bytes()
    assert "'=cmd,0,5,0.500000,0.333333,0.000000,0.000000\n" in (tmp_path / "fast.csv").read_text(encoding="utf-8-sig")


def test_a_compressed_table_reads_back_and_is_the_same_bytes_every_time(tmp_path):
    """Per-paragraph tables are gzip (.csv.gz): they read back as written, and the same rows give
    the same file (no time or name in the gzip header), so two runs give identical tables."""
    import gzip

    from pipeline.files import read_csv, write_csv

    rows = [("报告, 一", 1, 0.25), ("=formula", 2, 1 / 3), ("line\nbreak", 3, 0.0)]
    write_csv(tmp_path / "a.csv.gz", ("doc_id", "position", "weight"), rows)
    write_csv(tmp_path / "b.csv.gz", ("doc_id", "position", "weight"), rows)
    assert (tmp_path / "a.csv.gz").read_bytes() == (tmp_path / "b.csv.gz").read_bytes()
    assert gzip.decompress((tmp_path / "a.csv.gz").read_bytes()).startswith("\ufeffdoc_id".encode())
    assert [tuple(r.values()) for r in read_csv(tmp_path / "a.csv.gz")] == [
        ("报告, 一", "1", "0.250000"), ("'=formula", "2", "0.333333"), ("line\nbreak", "3", "0.000000")]


def test_a_spill_gives_its_items_back_in_order_and_leaves_no_file(tmp_path):
    from pipeline.files import spill

    items = [("报告", list(range(i))) for i in range(200)]
    with spill(tmp_path / "clean") as spilled:
        for item in items:
            spilled.add(item)
        assert list(spilled) == items
        assert not list((tmp_path / "clean").iterdir())  # unnamed: nothing to clean up after a crash


def test_a_table_longer_than_excel_opens_goes_on_in_parts_read_as_one(tmp_path):
    """Excel opens 1,048,576 rows: past them (here past 5) a table continues in parts, each with
    the BOM and the header; read one after another they are the table, and a shorter rewrite
    leaves no stale part behind. An interrupted write leaves the earlier table as it was."""
    from pipeline.files import read_csv, table_parts

    def read(path):
        return [row for part in table_parts(path) for row in read_csv(part)]

    path = tmp_path / "keywords.csv"
    rows = [[f"报告{i}", i, 0.5] for i in range(12)]
    with CsvTable(path, ["doc_id", "rank", "score"], max_rows=5) as table:
        for row in rows[:4]:
            table.write(row)
        table.write_keyed_floats(("报告x", 1), [0.25])
        table.write_keyed_floats(("报告x", 2), [0.75])  # the part's sixth row: to the next part
        for row in rows[4:]:
            table.write(row)
    parts = table_parts(path)
    assert [p.name for p in parts] == ["keywords.csv", "keywords_part2.csv", "keywords_part3.csv"]
    for part in parts:
        lines = part.read_text(encoding="utf-8").splitlines()
        assert lines[0] == "\ufeffdoc_id,rank,score" and 1 < len(lines) <= 6
    assert [r["doc_id"] for r in read(path)] == [r[0] for r in rows[:4]] + ["报告x"] * 2 + [r[0] for r in rows[4:]]

    try:
        with CsvTable(path, ["doc_id", "rank", "score"], max_rows=5) as table:
            for row in rows:
                table.write(row)
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert len(read(path)) == 14 and not list(tmp_path.glob("*.tmp"))

    with CsvTable(path, ["doc_id", "rank", "score"], max_rows=5) as table:
        table.write(rows[0])
    assert table_parts(path) == [path] and not (tmp_path / "keywords_part2.csv").exists()

    packed = tmp_path / "paragraph_topics.csv.gz"
    with CsvTable(packed, ["doc_id", "rank", "score"], max_rows=5) as table:
        for row in rows:
            table.write(row)
    assert table_parts(packed) == [packed] and len(read(packed)) == 12

