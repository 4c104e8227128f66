"""A database error in the middle of a delivery pass (after the next alert was claimed, before it was
sent) stops the pass; the next pass of the same process, with the database back, sends that alert: once,
as every other. Before, the claim stayed under the live process until it was restarted."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from bot.config import ChannelConfig
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
