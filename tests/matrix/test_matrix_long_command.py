"""A long command in one Matrix room never delays another, against the real Synapse: the real adapter,
conversation and store (SQLite), the seed article stored.

The search is held inside the store's worker thread until `help` has answered in the other room: were the
search run on the event loop, or the adapter to wait for a batch's answers before syncing the next
(`help` arrives in a later sync than the search), `help` could not answer before the hold ran out.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.chat.matrix import MAX_INPUT_CHARS, MatrixAdapter
from bot.config import parse_config
from bot.ingest.files import read_articles
from bot.service.conversation import NewsConversation
from bot.service.handlers import search as search_handler
from bot.service.pipeline import Pipeline
from bot.service.search import SearchHit, search
from bot.store import Store
from tests.matrix.matrix_helpers import BotAccount, Human
from tests.matrix.synapse_harness import Synapse

pytestmark = pytest.mark.matrix

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
MakeHuman = Callable[[str], Awaitable[Human]]


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await asyncio.to_thread(Store.open, f"sqlite:///{tmp_path / 'bot.db'}")
    yield opened
    await asyncio.to_thread(opened.close)


def replies_in(room: str, bot: str) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e.get("room_id") == room and e.get("sender") == bot and e.get("type") == "m.room.message"


async def test_a_long_search_in_one_room_does_not_hold_up_help_in_another(
        synapse: Synapse, make_human: MakeHuman, bot_account: BotAccount, store: Store,
        monkeypatch: pytest.MonkeyPatch) -> None:
    searching, released = threading.Event(), threading.Event()

    def held_search(held: Store, terms: str) -> list[SearchHit]:
        searching.set()
        released.wait(timeout=25)
        return search(held, terms)  # what the handler calls `find`

    monkeypatch.setattr(search_handler, "find", held_search)
    config = parse_config({"database": str(store.engine.url), "outputs": {"console": {"enabled": False}}},
                          "test.yaml")
    pipeline = Pipeline(config, store, {})
    for article in await asyncio.to_thread(list, read_articles(SEEDS)):  # the seed article names Pompeo
        assert await store.run(pipeline.process, article)

    alice = await make_human("alice")
    bot = MatrixAdapter(homeserver=synapse.url, user_id=bot_account.user.user_id,
                        password=bot_account.user.password, conversation=NewsConversation(store, config),
                        state=store, allowed_inviters=[alice.user.user_id], sync_timeout_ms=1000)
    await bot.start()
    try:
        slow_room = await alice.create_room(invite=(bot.user_id,))
        other_room = await alice.create_room(invite=(bot.user_id,))
        await alice.wait_member(slow_room, bot.user_id)
        await alice.wait_member(other_room, bot.user_id)

        # The longest search the adapter takes (it refuses more than MAX_INPUT_CHARS at once).
        terms = " ".join(["Pompeo"] * ((MAX_INPUT_CHARS - len("search ")) // len("Pompeo ")))
        await alice.send_text(slow_room, f"!news search {terms}")
        assert await asyncio.to_thread(searching.wait, 15), "the search never started"

        await alice.send_text(other_room, "!news help")
        (helped,) = await alice.wait_for(replies_in(other_room, bot.user_id), timeout=15)
        assert "latest" in helped["content"]["body"] and not released.is_set()
        assert not [e for e in alice.events if replies_in(slow_room, bot.user_id)(e)]

        released.set()
        (found,) = await alice.wait_for(replies_in(slow_room, bot.user_id), timeout=30)
        assert "Pompeo" in found["content"]["body"]
    finally:
        released.set()
        await bot.stop()
