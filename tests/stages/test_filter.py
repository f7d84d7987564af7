"""The filter stage: a stopword list that is not there is named in a one-line error."""
from __future__ import annotations

import shutil

from conftest import run_stage


def test_missing_stopword_file_fails_clearly(seed_output, tmp_path):
    output = tmp_path / "out"
    shutil.copytree(seed_output, output)
    missing = tmp_path / "nope.txt"
    result = run_stage("--output", str(output), "filter", "--stopwords", str(missing), check=False)
    assert result.returncode == 2
    assert f"{missing}: stopword file not found" in result.stderr
