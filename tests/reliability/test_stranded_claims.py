"""A database error in the middle of a delivery pass (after the next alert was claimed, before it was
sent) stops the pass; the next pass of the same process, with the database back, sends that alert: once,
as every other. Before, the claim stayed under the live process until it was restarted. A claim another
pass of the process has in flight is never taken for such an orphan."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from bot.chat.base import Posted
from bot.config import ChannelConfig
from bot.core.models import Message
from bot.service.delivery import deliver_alerts
from bot.store import Store
from tests.readmodels.world import Recorder, fill

CHANNEL = ChannelConfig(output="rec", id="C1", language="en")


async def test_an_alert_claimed_when_the_database_failed_is_sent_by_the_next_pass(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(db_url)
    try:
        fill(store, 6, stories=3)
        chat = Recorder()
        real = store.thread_root
        calls = 0

        def flaky(*args: Any, **kwargs: Any) -> str | None:
            # Asked when the pass claims the first alert of a story that has no thread yet, after the
            # claim: the second story's first alert, claimed with the first story's first send.
            nonlocal calls
            calls += 1
            if calls == 2:
                raise OperationalError("SELECT story_threads", {}, Exception("server closed the connection"))
            return real(*args, **kwargs)

        monkeypatch.setattr(store, "thread_root", flaky)
        with pytest.raises(OperationalError):
            await deliver_alerts(store, {"rec": chat}, (CHANNEL,), chart_dir=tmp_path)
        assert 0 < len(chat.sent) < 6
        await deliver_alerts(store, {"rec": chat}, (CHANNEL,), chart_dir=tmp_path)
        sent = Counter(d["alert_id"] for d in store.deliveries("rec") if d["status"] == "sent")
        assert sent == Counter({a.id: 1 for a in store.alerts()})
        assert len(chat.sent) == 6
    finally:
        store.close()


class SlowChat:
    """A chat whose first post waits until the test lets it finish (a send queue behind a rate limit)."""

    name = "rec"
    shows_images = False

    def __init__(self) -> None:
        self.sent: list[Message] = []
        self.first_may_finish = asyncio.Event()

    async def post(self, channel: str, message: Message) -> Posted:
        self.sent.append(message)
        if len(self.sent) == 1:
            await self.first_may_finish.wait()
        return Posted(channel, f"m{len(self.sent)}")

    async def reply(self, channel: str, thread_id: str, message: Message) -> Posted:
        return await self.post(channel, message)

    async def edit(self, channel: str, message_id: str, message: Message) -> None:
        return None


async def test_a_claim_another_pass_of_the_process_is_posting_is_not_taken_for_an_orphan(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pass A begins alone but reads the claims late (its thread held up); pass B, begun meanwhile, has
    claimed the alert and is posting it: A must not release it and post it again."""
    store = Store.open(db_url)
    try:
        fill(store, 1, stories=1)
        chat = SlowChat()
        a_may_read = threading.Event()
        real = store.heartbeat
        calls = 0

        def heartbeat(*args: Any, **kwargs: Any) -> None:
            nonlocal calls
            calls += 1
            if calls == 1:  # pass A's first store call, just before its read of the claims
                a_may_read.wait(10)
            real(*args, **kwargs)

        monkeypatch.setattr(store, "heartbeat", heartbeat)
        a = asyncio.create_task(deliver_alerts(store, {"rec": chat}, (CHANNEL,), chart_dir=tmp_path))
        while calls < 1:
            await asyncio.sleep(0.01)
        b = asyncio.create_task(deliver_alerts(store, {"rec": chat}, (CHANNEL,), chart_dir=tmp_path))
        for _ in range(500):
            if chat.sent:
                break
            await asyncio.sleep(0.01)
        assert len(chat.sent) == 1  # B claimed the alert and is posting it
        a_may_read.set()
        await asyncio.wait_for(a, 10)
        chat.first_may_finish.set()
        await asyncio.wait_for(b, 10)
        assert len(chat.sent) == 1
        assert [d["status"] for d in store.deliveries("rec")] == ["sent"]
    finally:
        a_may_read.set()
        store.close()
