"""`/news subscribe` refuses what it cannot follow, and digests keep to the channel's filters."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.chat.console import ConsoleAdapter
from bot.chat.slack_render import render_message
from bot.service import subscriptions as subs
from bot.service.digests import digest_messages, send_channel_digest
from tests.commands.conftest import World

GRAMMAR = "subscribe [topic|keyword|type|importance] VALUE"


@pytest.mark.parametrize("text", ["subscribe colour red", "subscribe topic", "subscribe keyword",
                                  "subscribe type", "subscribe importance", "subscribe topc libya",
                                  "subscribe type colours", "subscribe importance 11", "unsubscribe topic"])
async def test_unknown_fields_and_empty_values_are_refused_with_the_grammar(world: World, text: str) -> None:
    reply = await world.run(text)
    assert reply.startswith("Sorry"), reply
    assert GRAMMAR.replace("subscribe", text.split()[0]) in reply
    # nothing was stored: the channel still gets every alert
    assert subs.list_subscriptions(world.store, "console", "console-en") == []


async def test_the_refusal_says_how_to_write_it(world: World) -> None:
    message = await world.conversation.command("subscribe colour red", world.ctx())
    slack = "\n".join(b["text"]["text"] for b in render_message(message).block_dicts() if "text" in b)
    assert "`colour` is not a kind of subscription" in slack
    assert '`/news subscribe keyword "colour red"`' in slack.replace("&quot;", '"')
    assert "Usage: `/news subscribe [topic|keyword|type|importance] VALUE" in slack
    assert "subscribe topic libya" in await world.run("subscribe topc libya")
    assert "/news subscribe topic needs a value, e.g. /news subscribe topic libya" in await world.run("subscribe topic")
    french = await world.run("subscribe couleur rouge", lang="fr")
    assert "n'est pas un genre d'abonnement" in french and "Usage" in french


async def test_a_quoted_phrase_and_french_type_names_still_subscribe(world: World) -> None:
    assert "follows the keyword Khalifa Haftar" in await world.run('subscribe "Khalifa Haftar"')
    assert "alert type casualty" in await world.run("subscribe type bilans")


async def test_news_digest_keeps_to_the_channels_filters(world: World) -> None:
    before = await world.run("digest")
    assert "Mike Pompeo" in before and "35 killed" in before
    await world.run("subscribe type casualty")
    after = await world.run("digest")
    assert "35 killed" in after
    assert "Mike Pompeo" not in after and "Tripoli: fighting resumed" not in after
    others = sum(a.alert.type != "casualty" for a in world.store.alerts())
    assert others > 1
    assert f"{others} alerts left out by this channel's filters: see /news subscriptions." in after
    # the other channel is not affected
    assert "Mike Pompeo" in await world.run("digest", channel="console-fr")


async def test_digest_keeps_to_a_minimum_importance_and_keywords(world: World) -> None:
    await world.run("subscribe keyword Pompeo")
    text = await world.run("digest")
    assert "Mike Pompeo" in text and "killed" not in text
    await world.run("unsubscribe keyword Pompeo")
    scores = {sa.alert.type: sa.importance for sa in world.store.alerts()}
    assert scores["statement"] < 5 <= scores["casualty"]
    await world.run("subscribe importance 5")
    text = await world.run("digest")
    assert "35 killed" in text and "Mike Pompeo" not in text


async def test_scheduled_and_run_once_digests_keep_to_chat_subscriptions(world: World) -> None:
    await world.run("subscribe type statement --mode digest")
    now = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    base = next(ch for ch in world.config.channels if ch.id == "console-en")
    # `run --once` passes the configured channel: the chat's subscriptions apply too
    text = "\n".join(m.plain for m in digest_messages(world.store, world.config, base, since=None, now=now))
    assert "Mike Pompeo" in text and "35 killed" not in text
    # the scheduler passes the channel's digest stream
    plan = subs.channel_plan(world.config, world.store, "console", "console-en")
    assert plan is not None and plan.digest is not None
    sent = await send_channel_digest(world.store, world.config, ConsoleAdapter(world.out, color="never"),
                                     plan.digest, now=now)
    posted = "\n".join(m.plain for m in sent)
    assert "Mike Pompeo" in posted and "35 killed" not in posted


async def test_digest_keeps_to_topics(world: World) -> None:
    await world.run("subscribe topic sudan")
    text = await world.run("digest")
    assert "Pompeo" not in text and "killed" not in text
    assert f"{len(world.store.alerts())} alerts left out by this channel's filters" in text
    await world.run("subscribe topic libye")  # the seed's tag, named in French: topics widen each other
    assert "Mike Pompeo" in await world.run("digest")
