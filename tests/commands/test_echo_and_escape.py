"""A reader's text is never sent back whole, and whatever is untrusted is escaped for Slack and Matrix."""

from __future__ import annotations

import pytest

from bot.chat.base import ChatContext
from bot.chat.matrix_render import WORD_JOINER, message_content
from bot.chat.slack_render import render_message
from bot.core.models import Message
from tests.commands.conftest import World

LONG = "Tripoli " + "x" * 20_000
HOSTILE = '<!channel> @room <b>bold</b> <https://evil.example|click> & "q"'


def everything_sent(message: Message) -> str:
    rendered = render_message(message)
    content = message_content(message)
    return "\n".join([rendered.text, str(rendered.block_dicts()), content["body"], content["formatted_body"]])


@pytest.mark.parametrize("command", [f"latest {LONG}", f"search {LONG}", f"digest {LONG}", LONG,
                                     f"subscribe colour {LONG}", f"story {LONG}", f"help {LONG}",
                                     f"latest --since {LONG}", f"unsubscribe {LONG}"])
async def test_a_20000_character_command_is_not_echoed(world: World, command: str) -> None:
    message = await world.conversation.command(command, world.ctx())
    sent = everything_sent(message)
    assert "x" * 100 not in sent, command
    assert len(message.plain) < 2_000
    if "x" * 60 in message.plain:
        assert "x…" in message.plain  # cut with a marker


async def test_a_long_question_is_not_echoed(world: World) -> None:
    ctx = world.ctx(thread=world.thread())
    message = await world.conversation.follow_up("What about Zorglub" + "z" * 5000 + "?", ctx)
    assert message is not None
    assert "z" * 100 not in everything_sent(message) and "z…" in message.plain


@pytest.mark.parametrize("command", [f"latest {HOSTILE}", f"search {HOSTILE}", f"digest {HOSTILE}",
                                     "subscribe keyword \"<!channel> @room <b>x</b>\"", "<!here> @room"])
async def test_untrusted_text_is_escaped_for_slack_and_matrix(world: World, command: str) -> None:
    for adapter in ("slack", "matrix"):
        ctx = ChatContext(adapter=adapter, channel="C1", user="U1")
        message = await world.conversation.command(command, ctx)
        rendered = render_message(message)
        mrkdwn = rendered.text + str(rendered.block_dicts())
        assert "<!channel>" not in mrkdwn and "<!here>" not in mrkdwn and "<https://evil" not in mrkdwn
        assert "&lt;!" in mrkdwn
        content = message_content(message)
        assert "<b>bold</b>" not in content["formatted_body"] and "<b>x</b>" not in content["formatted_body"]
        assert "<!here>" not in content["formatted_body"] and "<!channel>" not in content["formatted_body"]
        assert "@room" not in content["body"] and "@room" not in content["formatted_body"]
        if "<b>" in command:
            assert "&lt;b&gt;" in content["formatted_body"] and f"@{WORD_JOINER}room" in content["body"]


def test_a_cut_slack_message_says_so_in_the_readers_language() -> None:
    from bot.core.models import Line

    lines = tuple(Line.of(f"{i} " + "mot " * 740) for i in range(60))
    blocks = render_message(Message("Résumé", lines, lang="fr")).block_dicts()
    assert len(blocks) == 50
    assert blocks[-1]["elements"][0]["text"] == "(message raccourci)"
