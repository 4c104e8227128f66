"""Help, hints and errors name the prefix of the chat they are read in; posted alerts show their short ids."""

from __future__ import annotations

import dataclasses
import io

from bot.chat.base import ChatContext
from bot.chat.console import ConsoleAdapter
from bot.chat.matrix_render import message_content
from bot.chat.slack_render import render_message
from bot.config import ChannelConfig, MatrixConfig
from bot.core.models import Alert, Article, Casualty, Message
from bot.core.render import render_alert
from bot.service.conversation import NewsConversation
from tests.commands.conftest import SEED_ID, World, WorldFactory


def slack_text(message: Message) -> str:
    rendered = render_message(message)
    parts = [rendered.text]
    for block in rendered.block_dicts():
        if "text" in block:
            parts.append(block["text"]["text"])
        parts.extend(e.get("text", "") for e in block.get("elements", ()))
    return "\n".join(parts)


def matrix_conversation(world: World, prefix: str = "!news") -> NewsConversation:
    config = dataclasses.replace(
        world.config, matrix=MatrixConfig(enabled=True, prefix=prefix),
        channels=(*world.config.channels, ChannelConfig(output="matrix", id="!room:example.org", language="en")))
    return NewsConversation(world.store, config)


def matrix_ctx() -> ChatContext:
    return ChatContext(adapter="matrix", channel="!room:example.org", user="@reader:example.org")


async def test_matrix_help_names_the_matrix_prefix_never_slash_news(world: World) -> None:
    conversation = matrix_conversation(world)
    content = message_content(await conversation.command("help", matrix_ctx()))
    assert content["body"].startswith("!news commands")
    assert "`!news latest [TOPIC] [--since 24h]`" in content["body"]
    assert "<code>!news help COMMAND</code>" in content["formatted_body"]
    assert "/news" not in content["body"] and "/news" not in content["formatted_body"]
    one = message_content(await conversation.command("help digest", matrix_ctx()))
    assert one["body"].startswith("!news digest") and "`!news digest Libya --since 7d`" in one["body"]


async def test_a_configured_prefix_is_the_one_named(world: World) -> None:
    conversation = matrix_conversation(world, prefix="!bot")
    error = message_content(await conversation.command("xyzzy", matrix_ctx()))
    # before: "Type `help` for the list of commands."
    assert "Type `!bot help` for the list of commands." in error["body"]
    usage = message_content(await conversation.command("search", matrix_ctx()))
    assert "Usage: `!bot search TERMS`" in usage["body"]
    assert "!news" not in error["body"] + usage["body"] and "/news" not in error["body"] + usage["body"]


async def test_slack_and_console_name_slash_news(world: World) -> None:
    slack = await world.conversation.command("xyzzy", ChatContext(adapter="slack", channel="C1", user="U1"))
    assert "Type `/news help` for the list of commands." in slack_text(slack)
    french = await world.conversation.command("xyzzy", world.ctx("console-fr", lang="fr"))
    assert "Tapez /news help pour la liste des commandes." in french.plain


async def test_posted_alerts_show_their_short_ids_in_every_chat(world: World) -> None:
    stored = world.store.alerts()[0]
    assert stored.story_id is not None
    message = render_alert(stored.alert, lang="en", article_lang="fr", alert_id=stored.id, story_id=stored.story_id)
    label = f"[A{stored.id} · S{stored.story_id}]"
    assert f"`{label}`" in slack_text(message)
    content = message_content(message)
    assert f"<code>{label}</code>" in content["formatted_body"] and label in content["body"]
    out = io.StringIO()
    await ConsoleAdapter(out, color="never").post("console-en", message)
    assert label in out.getvalue()
    # and the ids shown are the ones `story` and `ask` take
    assert "Mike Pompeo" in await world.run(f"story A{stored.id}")
    assert (await world.conversation.command(f"story S{stored.story_id}", world.ctx())).meta["type"] == "story"


def _many_figures(article: Article) -> list[Alert]:
    if article.id != SEED_ID:
        return []
    return [Casualty(article.id, killed=i, reported_by=f"Source {i}", evidence=f"{i} morts.") for i in range(1, 21)]


async def test_a_listing_cut_short_points_to_the_matrix_command(make_world: WorldFactory) -> None:
    world = await make_world(extractor=_many_figures)
    conversation = matrix_conversation(world)
    body = message_content(await conversation.command("latest", matrix_ctx()))["body"]
    assert "and 5 more — try `!news digest --since " in body
    assert "/news" not in body


async def test_delivered_alerts_carry_their_ids(world: World) -> None:
    # what run --once printed: each alert that went out ends with the ids `reply`, `story` and `ask` take
    printed = world.out.getvalue()
    delivered = [a for a in world.store.alerts() if f"[A{a.id} · S{a.story_id}]" in printed]
    assert len(delivered) == len(world.store.alerts()) >= 2
