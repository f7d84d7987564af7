"""Parameters are checked when they are made: a bad value fails before any work, naming the
parameter and what a valid one is."""
from __future__ import annotations

import dataclasses

import pytest

from conftest import run_stage
from pipeline import params as P
from pipeline.artifacts import STAGES

PARAMETER_CLASSES = sorted({cls for stage in STAGES.values() for cls in stage.params} | {P.Inputs},
                           key=lambda cls: cls.__name__)


@pytest.mark.parametrize("cls", PARAMETER_CLASSES, ids=lambda cls: cls.__name__)
def test_the_defaults_are_valid(cls):
    cls()


@pytest.mark.parametrize("cls, values", [
    (P.LdaParams, {"init": "randm"}), (P.LdaParams, {"k": 1}), (P.LdaParams, {"k": "7"}),
    (P.LdaParams, {"alpha": "a lot"}), (P.LdaParams, {"no_above": 1.5}), (P.LdaParams, {"passes": -1}),
    (P.SweepParams, {"k_range": "9:3"}), (P.SweepParams, {"k_range": "3-9"}), (P.CleanParams, {"chrome_share": 2.0}),
    (P.FilterParams, {"keep_numbers": "yes"}), (P.BootstrapParams, {"n_boot": 0}), (P.Inputs, {"stopwords": "a.txt"}),
])
def test_a_bad_value_fails_on_construction_with_its_name(cls, values):
    (name, value), = values.items()
    with pytest.raises(P.ParameterError, match=rf"^parameter {name}="):
        cls(**values)


def test_every_numeric_parameter_has_a_check():
    """A number with no range is a value nobody thought about: zero topics, negative passes."""
    unchecked = [f"{cls.__name__}.{f.name}" for cls in PARAMETER_CLASSES for f in dataclasses.fields(cls)
                 if isinstance(f.default, (int, float)) and not isinstance(f.default, bool)
                 and f.metadata.get("check") is None]
    assert not unchecked, unchecked


def test_the_command_line_refuses_a_bad_value_before_any_work(tmp_path):
    result = run_stage("--output", str(tmp_path), "lda", "--init", "randm", check=False)
    assert result.returncode == 2
    assert "parameter init='randm': must be one of seeded, random" in result.stderr
    assert not (tmp_path / "lda").exists()


def test_passes_zero_gives_a_large_corpus_one_pass_and_a_smaller_one_enough_visits():
    """PASSES=0: about 50,000 paragraph visits on a small corpus; two passes on a larger one;
    one from P.ONE_PASS_PARAGRAPHS paragraphs, which make the visits two passes make on the city
    corpus. A number given is kept."""
    auto = P.LdaParams()
    assert auto.resolved_passes(2_500) == 20
    assert auto.resolved_passes(216_000) == 2
    assert auto.resolved_passes(P.ONE_PASS_PARAGRAPHS - 1) == 2
    assert auto.resolved_passes(P.ONE_PASS_PARAGRAPHS) == 1
    assert P.LdaParams(passes=3).resolved_passes(P.ONE_PASS_PARAGRAPHS) == 3
