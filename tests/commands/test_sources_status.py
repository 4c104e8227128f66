"""`/news sources` shows what an admin must fix: sends the chat refused for good, refused channels,
entries parked after repeated failures."""

from __future__ import annotations

import datetime as dt

from bot.store import chat_state, utcnow
from tests.commands.conftest import World


async def test_sources_lists_failed_sends_refused_channels_and_parked_entries(world: World) -> None:
    assert "Chat deliveries" not in await world.run("sources")  # nothing to fix: no section
    alerts = [a.id for a in world.store.alerts()][:2]
    assert chat_state.fail_all(world.store, "slack", "C0ARCHIVED", alerts, "is_archived") == 2
    chat_state.refuse_channel(world.store, "matrix", "!gone:example.org", "M_FORBIDDEN",
                              now=utcnow() - dt.timedelta(seconds=1))
    world.store.entry_failed("seed", "broken.txt", "ValueError: bad", park_after=1)
    text = await world.run("sources")
    assert "Chat deliveries" in text
    assert "slack C0ARCHIVED: 2 alerts not delivered (is_archived)" in text
    assert "matrix !gone:example.org: refused by the chat (M_FORBIDDEN)" in text
    assert "1 entry could not be processed and is parked" in text
    french = await world.run("sources", channel="console-fr", lang="fr")
    assert "slack C0ARCHIVED : 2 alertes non remises (is_archived)" in french
