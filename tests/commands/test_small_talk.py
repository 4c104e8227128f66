"""Thanks, acknowledgements and emoji in an alert's thread get no reply; questions do."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli.console import run_console
from bot.config import load_config
from tests.commands.conftest import World
from tests.commands.test_cli import write_config

SMALL_TALK = ["merci", "Merci !", "merci beaucoup 🙏", "thanks", "Thank you!", "ok", "OK 👍", "👍", ":+1:",
              "d'accord, merci", "super", "cool thx", "🙏🙏", "thanks for the update"]


@pytest.mark.parametrize("text", SMALL_TALK)
async def test_small_talk_in_a_thread_gets_no_reply(world: World, text: str) -> None:
    ctx = world.ctx("console-fr", lang="fr", thread=world.thread("console-fr"))
    assert await world.conversation.follow_up(text, ctx) is None


@pytest.mark.parametrize("text", ["combien de blessés", "Qui a parlé", "source?", "merci, qui a parlé ?",
                                  "and Haftar?", "where"])
async def test_questions_are_still_answered(world: World, text: str) -> None:
    ctx = world.ctx("console-fr", lang="fr", thread=world.thread("console-fr"))
    assert await world.conversation.follow_up(text, ctx) is not None


async def test_a_statement_without_question_mark_nor_intent_is_not_answered(world: World) -> None:
    """Before: "merci" got "Les sources ne disent rien de merci." — any line was taken for a question."""
    ctx = world.ctx("console-fr", lang="fr", thread=world.thread("console-fr"))
    assert await world.conversation.follow_up("Haftar encore", ctx) is None


async def test_console_reply_with_thanks_prints_nothing(world: World, tmp_path: Path) -> None:
    config = load_config(write_config(world, tmp_path))
    first = world.store.alerts()[0].id
    out = io.StringIO()
    await run_console(config, io.StringIO(f"reply A{first} merci\nreply A{first} 👍\n"), out, admin=False)
    assert out.getvalue() == ""
    await run_console(config, io.StringIO(f"reply A{first} who said it?\n"), out, admin=False)
    assert "Pompeo" in out.getvalue()
