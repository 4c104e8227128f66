"""`python -m bot ask` and `python -m bot console` on the configured database."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from bot.cli.console import run_console
from bot.config import load_config
from bot.core.models import Casualty
from tests.commands.conftest import SEED_ID, World
from tests.conftest import SEEDS


def write_config(world: World, tmp_path: Path) -> Path:
    path = tmp_path / "cli.yaml"
    path.write_text(
        f"database: {world.config.database}\nlanguage: en\n"
        f"sources:\n  - {{name: seed, type: folder, path: {SEEDS}, lang: fr, tags: [libya]}}\n"
        "channels:\n  - {output: console, id: console, language: en}\n"
        "outputs:\n  console: {enabled: true, color: never}\n", encoding="utf-8")
    return path


def test_subcommands_have_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    for name in ("ask", "console"):
        with pytest.raises(SystemExit):
            parser.parse_args([name, "--help"])
        assert "usage: python -m bot " + name in capsys.readouterr().out


def test_ask_an_alert(world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(world, tmp_path)
    wounded = next(s.id for s in world.store.alerts(types=["casualty"])
                   if isinstance(s.alert, Casualty) and s.alert.wounded)
    assert main(["ask", "-c", str(config), f"A{wounded}", "How many were wounded?"]) == 0
    out = capsys.readouterr().out
    assert "27 wounded (Health Ministry, Tripoli)" in out and "Other sources gave no figure" in out


def test_ask_a_story_in_french(world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(world, tmp_path)
    assert main(["ask", "-c", str(config), f"S{world.story_id()}", "Qui", "a", "parlé", "?"]) == 0
    out = capsys.readouterr().out
    assert "Qui a parlé" in out and "Mike Pompeo" in out
    assert main(["ask", "-c", str(config), str(world.story_id()), "source?"]) == 0
    assert SEED_ID in capsys.readouterr().out


def test_ask_unknown_or_bad_id(world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(world, tmp_path)
    assert main(["ask", "-c", str(config), "A999", "Who?"]) == 1
    assert main(["ask", "-c", str(config), "x-y", "Who?"]) == 2


async def test_console_reads_commands_and_replies(world: World, tmp_path: Path) -> None:
    config = load_config(write_config(world, tmp_path))
    first = world.store.alerts()[0].id
    lines = io.StringIO(f"/news latest libye\n\nreply A{first} Qui a parlé ?\n!news lastest\nhello\n"
                        "/news sources add https://example.org/rss --name ex\nquit\n/news help\n")
    out = io.StringIO()
    assert await run_console(config, lines, out, admin=False) == 0
    printed = out.getvalue()
    assert "Latest alerts — libye" in printed
    assert "↳ Qui a parlé" in printed and "Mike Pompeo" in printed
    assert "Did you mean latest?" in printed
    assert "reply A12 your question" in printed
    assert "Only admins may use sources add" in printed
    assert "/news commands" not in printed  # stopped at quit
