"""The conversation as a dispatcher: every command has a handler, rights are checked once after parsing,
the prefix is the configured one, and each command and thread answer is timed for /metrics."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import typing

import pytest
from sqlalchemy import event

from bot.chat.base import ChatContext
from bot.config import MatrixConfig
from bot.core import commands as c
from bot.core.models import Article, Fighting
from bot.service.conversation import NewsConversation
from bot.service.handlers import ADMIN_ONLY, ROUTES
from bot.service.handlers import search as search_handler
from bot.service.health import COMMAND, METRICS
from bot.service.search import SearchHit, search
from bot.store import Store
from tests.commands.conftest import World


def test_every_command_of_the_grammar_has_a_handler_and_admin_commands_are_admin_only() -> None:
    grammar = set(typing.get_args(c.Command))
    assert grammar <= set(ROUTES), grammar - set(ROUTES)
    # The help says "admins only" from the specs; the table is what enforces it: they must agree.
    assert {spec.name for spec in c.SPECS if spec.admin} <= ADMIN_ONLY
    assert {"story merge", "story split"} <= ADMIN_ONLY


async def test_a_reader_is_refused_an_admin_command_however_it_is_typed(world: World) -> None:
    story = world.story_id()
    for text in (f"story merge S{story} S{story}", "story merge", "story split S1 nonsense", "sources add"):
        reply = await world.run(text, admin=False)
        assert "Only admins may use" in reply, text
    # Asking how it is typed is not running it.
    assert "Only admins" not in await world.run("sources add --help", admin=False)
    # An admin gets the real error of a wrong command, not a refusal.
    wrong = await world.run("story merge S1", admin=True)
    assert "Only admins" not in wrong and "story merge S3 S7" in wrong
    same = await world.run(f"story merge S{story} S{story}", admin=True)
    assert "cannot be merged into itself" in same


async def test_the_prefix_is_the_configured_one(world: World) -> None:
    config = dataclasses.replace(world.config, matrix=MatrixConfig(prefix="!alerts"))
    conversation = NewsConversation(world.store, config)
    room = ChatContext(adapter="matrix", channel="!room:example.org", user="@u:example.org", lang="en")
    helped = (await conversation.command("!alerts help", room)).plain
    assert "!alerts latest" in helped and "!news" not in helped
    latest = (await conversation.command("!alerts latest libya", room)).plain
    assert "Pompeo" in latest
    # A mistyped command's hint names the prefix that works in this chat.
    mistyped = (await conversation.command("!alerts lastest", room)).plain
    assert "Did you mean latest" in mistyped and "Usage: !alerts latest" in mistyped, mistyped


def _commands_timed() -> float:
    return sum(sample.value for metric in METRICS.registry.collect() for sample in metric.samples
               if sample.name == "newsbot_latency_seconds_count" and sample.labels.get("what") == COMMAND)


async def test_each_command_and_thread_answer_is_timed(world: World) -> None:
    before = _commands_timed()
    await world.run("latest")
    await world.run("lastest")  # a wrong command is answered too, and timed
    assert _commands_timed() == before + 2
    assert "Pompeo" in await world.ask("who said it?")
    assert _commands_timed() == before + 3
    # Small talk in a thread gets no answer, so nothing to time.
    assert await world.conversation.follow_up("merci", world.ctx(thread=world.thread())) is None
    assert _commands_timed() == before + 3


async def test_a_long_search_in_one_room_does_not_hold_up_help_in_another(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The search is held until help has answered: were it run on the event loop, help could not answer
    before the hold times out."""
    released = threading.Event()

    def held_search(store: Store, terms: str) -> list[SearchHit]:
        released.wait(timeout=10)
        return search(store, terms)  # what the handler calls `find`

    monkeypatch.setattr(search_handler, "find", held_search)
    terms = " ".join(["Pompeo"] * 2900)  # about 20,000 characters
    searching = asyncio.create_task(world.conversation.command(f"search {terms}", world.ctx("console-fr")))
    helped = await asyncio.wait_for(world.conversation.command("help", world.ctx("console-en")), timeout=5)
    assert "latest" in helped.plain and not searching.done() and not released.is_set()
    released.set()
    found = await asyncio.wait_for(searching, timeout=30)
    assert "Pompeo" in found.plain


async def test_a_filtered_listing_reads_the_store_in_bulk(world: World) -> None:
    """`latest libya` over many alerts of many articles and stories: as many statements as over a few."""
    statements: list[str] = []

    def count(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        statements.append(sql)

    async def statements_for(text: str) -> int:
        world.conversation.env.contexts.clear()  # nothing remembered from an earlier command
        statements.clear()
        event.listen(world.store.engine, "before_cursor_execute", count)
        try:
            await world.run(text)
        finally:
            event.remove(world.store.engine, "before_cursor_execute", count)
        return len(statements)

    few = await statements_for("latest libya")
    for i in range(60):
        article_id, _ = world.store.add_article(Article(id=f"extra{i}", text=f"Des combats à Sebha ({i}).",
                                                        title=f"Sebha {i}", source="seed", lang="fr"))
        story = world.store.new_story(f"Sebha {i}", topic="libya")
        world.store.add_alert(Fighting(f"extra{i}", "Sebha", action="clashes", evidence=f"combats {i}"),
                              article_id=article_id, story_id=story)
    many = await statements_for("latest libya")
    assert "Sebha" in await world.run("latest libya")
    assert many <= few + 2, (few, many)
