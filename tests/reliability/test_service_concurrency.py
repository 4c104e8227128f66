"""The service (`python -m bot run`'s loop: scheduler, polls at once) over many feeds carrying copies of
the same wire stories: one story per event, one alert per fact, each delivered once.

Real scheduler and app loop (in-process `run_forever`), the real extractor, a real SQLite file and a
real PostgreSQL database, feeds from a local aiohttp server; the console shows what a channel would.
Three runs each, since the races this guards against do not show on every run.
"""

from __future__ import annotations

import asyncio
import io
from collections import Counter

import pytest
from sqlalchemy import func, select

from bot.config import parse_config
from bot.service.app import run_forever
from bot.store import Store
from bot.store import schema as s
from tests.reliability.wire import Event, FeedServer, Wire, config_data

WIRE = Wire(feeds=12, sharing=8, events=5, local=1)
ARTICLES = WIRE.feeds * WIRE.local + WIRE.sharing * WIRE.events


def _counts(store: Store) -> tuple[int, int, int]:
    with store.tx() as conn:
        processed = conn.execute(select(func.count()).select_from(s.articles)
                                 .where(s.articles.c.processed_at.is_not(None))).scalar_one()
        alerts = conn.execute(select(func.count()).select_from(s.alerts)).scalar_one()
        sent = conn.execute(select(func.count()).select_from(s.deliveries)
                            .where(s.deliveries.c.status == "sent")).scalar_one()
    return int(processed), int(alerts), int(sent)


async def _serve_until_done(db_url: str, server: FeedServer, out: io.StringIO) -> None:
    config = parse_config(config_data(db_url, server), "service.yaml")
    stop = asyncio.Event()
    service = asyncio.create_task(run_forever(config, out=out, stop=stop))
    store = Store.open(db_url)
    try:
        last, steady = (-1, -1, -1), 0
        for _ in range(1200):
            await asyncio.sleep(0.1)
            assert not service.done(), service.exception()
            now = await asyncio.to_thread(_counts, store)
            steady = steady + 1 if now == last else 0
            last = now
            processed, alerts, sent = now
            if processed == ARTICLES and alerts and sent == alerts and steady >= 10:
                break
        else:
            raise AssertionError(f"the service did not finish: {last}")
    finally:
        stop.set()
        await asyncio.wait_for(service, 60)
        store.close()


@pytest.mark.parametrize("run", [1, 2, 3])
async def test_service_groups_copies_and_delivers_each_alert_once(db_url: str, run: int) -> None:
    server = FeedServer(WIRE)
    await server.start()
    out = io.StringIO()
    try:
        await _serve_until_done(db_url, server, out)
    finally:
        await server.stop()

    assert {p for p, _ in server.hits} == {f"/feed/{n}.xml" for n in range(WIRE.feeds)}
    store = Store.open(db_url)
    try:
        with store.tx() as conn:
            stories_of = dict(conn.execute(select(s.articles.c.url, s.articles.c.story_id)).all())
            facts = Counter(conn.execute(select(s.alerts.c.story_id, s.alerts.c.type, s.alerts.c.dedup_key)).all())
        alerts = store.alerts()
        deliveries = [d for d in store.deliveries("console") if d["alert_id"] is not None]
    finally:
        store.close()

    assert len(stories_of) == ARTICLES
    for e in range(WIRE.events):
        copies = {stories_of[f"{server.base}/{feed}/event-{e}"] for feed in range(WIRE.sharing)}
        assert len(copies) == 1, f"event {e}: its {WIRE.sharing} copies were split over {len(copies)} stories"
    assert len(set(stories_of.values())) == WIRE.expected_stories()
    # Every event files its five facts (three statements, the fighting, the toll) once, in its story.
    per_story = Counter(a.story_id for a in alerts)
    assert sorted(per_story.values()) == [5] * WIRE.events, per_story
    assert all(n == 1 for n in facts.values())
    # Each alert delivered once: one sent delivery each, and the console shows each toll once.
    assert Counter(d["alert_id"] for d in deliveries) == Counter({a.id: 1 for a in alerts})
    assert all(d["status"] == "sent" for d in deliveries)
    shown = out.getvalue()
    for e in range(WIRE.events):
        assert shown.count(Event(e).headline) == 1, (Event(e).headline, shown.count(Event(e).headline))
