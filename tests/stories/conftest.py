"""Fixtures of the story tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.service import tallies


@pytest.fixture
def chart_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "charts"
    monkeypatch.setattr(tallies, "CHART_DIR", path)
    return path
