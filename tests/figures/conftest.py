"""The figures' font: registered once for the session (matplotlib's settings are process-wide)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def font():
    from pipeline.figures.style import use_chinese_font

    return use_chinese_font()
