"""Delivery, digests, listings and thread answers read alerts with their context in bulk: the number of
SQL statements they send does not grow with the number of alerts (5 stories of 6 alerts against 5 of 18:
two casualty figures a story or more, so that every story's thread root is kept up to date in both)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from bot.chat.base import ChatContext
from bot.config import ChannelConfig
from bot.core.importance import importance
from bot.core.models import Article, Fighting, Statement
from bot.service.conversation import NewsConversation
from bot.service.delivery import deliver_alerts
from bot.service.digests import digest_messages
from bot.store import Store, utcnow
from tests.conftest import fresh_database
from tests.readmodels.world import Recorder, Statements, config_for, counting, decoded_alerts, fill

SIZES = (30, 90)
CHANNEL = ChannelConfig(output="rec", id="C1", language="en")


@pytest.fixture(autouse=True)
def loop_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Store calls made on the event loop by bot code raise (see bot.store.aio)."""
    monkeypatch.setenv("NEWSBOT_LOOP_GUARD", "1")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[int], Store]]:
    """Opens a fresh store of this engine holding `alerts` alerts; closed and dropped afterwards."""
    with ExitStack() as stack:
        def open_store(alerts: int) -> Store:
            folder = tmp_path / str(alerts)
            folder.mkdir()
            url = stack.enter_context(contextmanager(fresh_database)(request.param, folder))
            store = Store.open(url)
            stack.callback(store.close)
            fill(store, alerts)
            return store

        yield open_store


async def test_delivery_reads_do_not_grow_with_alerts(stores: Callable[[int], Store], tmp_path: Path) -> None:
    seen: dict[int, Statements] = {}
    for n in SIZES:
        store = stores(n)
        chat = Recorder()
        with counting(store) as seen[n]:
            report = await deliver_alerts(store, {"rec": chat}, (CHANNEL,), chart_dir=tmp_path)
        assert report.sent == n and len(chat.sent) == n
        # One thread per story: its first alert opens it, the others reply in it.
        assert sum(1 for _, thread, _ in chat.sent if thread is None) == 5
        first = chat.sent[0][2]
        assert "Outlet 0" in first.plain and "Outlet 1" in first.plain  # the outlets that carried it
    assert seen[30].reads == seen[90].reads
    # What grows is the bookkeeping of each send (claim, confirm, …), never reads of the alert's context.
    assert (len(seen[90]) - seen[90].reads) - (len(seen[30]) - seen[30].reads) <= 3 * 60


def test_digest_statements_do_not_grow_with_alerts(stores: Callable[[int], Store], tmp_path: Path) -> None:
    seen: dict[int, Statements] = {}
    for n in SIZES:
        store = stores(n)
        with counting(store) as seen[n]:
            messages = digest_messages(store, config_for(tmp_path), CHANNEL, since=None,
                                       now=utcnow() + dt.timedelta(seconds=1))
        text = "\n".join(m.plain for m in messages)
        assert "Fighting near Tripoli 0" in text and "[Outlet 0, Outlet 1]" in text
        assert "previously" in text  # a story's figure shown with the same reporter's figure before it
    assert len(seen[30]) == len(seen[90])


async def test_listing_statements_do_not_grow_with_alerts(stores: Callable[[int], Store], tmp_path: Path) -> None:
    seen: dict[int, Statements] = {}
    for n in SIZES:
        store = stores(n)
        conversation = NewsConversation(store, config_for(tmp_path))
        newest = store.alerts(newest_first=True, limit=1)[0]
        with counting(store) as seen[n]:
            answer = await conversation.command("latest libya", ChatContext("rec", "C1", "U1"))
        # Matched through the story's topic and the source's tag: every alert, the newest first.
        assert answer.lines[0].plain.endswith(f"[A{newest.id} · S{newest.story_id}]")
        assert len([x for x in answer.lines if "[A" in x.plain]) == min(n, 15)
    assert len(seen[30]) == len(seen[90])


async def test_thread_answer_statements_do_not_grow_with_alerts(stores: Callable[[int], Store], tmp_path: Path) -> None:
    seen: dict[int, Statements] = {}
    for n in SIZES:
        store = stores(n)
        chat = Recorder()
        conversation = NewsConversation(store, config_for(tmp_path))
        await deliver_alerts(store, {"rec": chat}, (CHANNEL,), chart_dir=tmp_path)
        root = next(m for _, thread, m in chat.sent if thread is None and m.meta.get("story_id") == "3")
        root_id = f"m{[m for _, _, m in chat.sent].index(root) + 1}"
        ctx = ChatContext("rec", "C1", "U1", thread_id=root_id)
        with counting(store) as seen[n]:
            answer = await conversation.follow_up("How many people were killed?", ctx)
        assert answer is not None
        latest = max(10 + i for i in range(n) if i % 3 == 2 and i % 5 == 2)  # story 3's last figure
        assert str(latest) in answer.plain
    assert len(seen[30]) == len(seen[90])


def test_digest_of_a_long_period_reads_in_full_only_what_it_may_show(
        stores: Callable[[int], Store], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = stores(0)
    for n in range(300):
        story = store.new_story(f"Story {n}")
        place = ("Sirte", "Derna")[n % 2]
        alert = Fighting(str(n), place, "clashes", date=dt.date(2026, 12, 1) + dt.timedelta(days=n)) if n < 40 \
            else Statement(str(n), f"Speaker {n}", f"Words {n}.", "minister")
        article_id, _ = store.add_article(Article(id=str(n), text=f"Text {n}", source="wire", outlet="AFP"))
        store.attach_to_story(article_id, story)
        store.add_alert(alert, article_id=article_id, story_id=story, importance=importance(alert))
    decoded = decoded_alerts(monkeypatch)
    messages = digest_messages(store, config_for(tmp_path), CHANNEL, since=None, now=utcnow() + dt.timedelta(seconds=1))
    text = "\n".join(m.plain for m in messages)
    # Fighting grouped by place (read by the database, not decoded), every place's alerts counted.
    assert "Sirte: clashes [AFP]" in text and "Derna: clashes [AFP]" in text
    assert "and " in text and " more" in text  # 300 alerts do not fit: the rest is counted
    assert len(decoded) <= 3 * 40 + 40  # what three parts can show (the two places' 40 alerts included)
