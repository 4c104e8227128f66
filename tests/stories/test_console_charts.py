"""The console shows no image: a story's chart is drawn and its path printed only when the config asks
(`outputs.console.charts: true`); the root's edit with the latest figures is printed either way."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from bot.core.chart import png_size
from bot.service.app import run_once
from tests.conftest import SEEDS, MakeConfig

FOLLOWUP = Path(__file__).parent / "followup"


@pytest.mark.parametrize("charts", [False, True])
async def test_console_charts_only_when_asked(tmp_path: Path, make_config: MakeConfig, charts: bool) -> None:
    # The seed (8 April) and a follow-up of 9 April: one story whose tolls span two dates.
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    for path in FOLLOWUP.iterdir():
        shutil.copy(path, folder / path.name)
    config = make_config.yaml({
        "sources": [{"name": "news", "type": "folder", "path": str(folder), "lang": "fr"}],
        "outputs": {"console": {"enabled": True, "color": "never", **({"charts": True} if charts else {})}},
    })
    assert config.console.charts is charts
    out = io.StringIO()
    await run_once(config, out=out)
    printed = out.getvalue()

    # The root is edited to the story's latest figures (the health ministry's 47 killed) in both cases.
    edits = printed.split("updated:")[1:]
    assert edits and any("47" in edit for edit in edits), printed
    drawn = sorted((tmp_path / "charts").glob("*.png")) if (tmp_path / "charts").is_dir() else []
    if charts:
        [line] = {row.strip() for row in printed.splitlines() if "[chart:" in row}
        path = Path(line.removeprefix("[chart: ").removesuffix("]"))
        assert path in drawn and png_size(path) == (800, 450)
    else:
        assert "[chart:" not in printed and drawn == []
