"""`run --once` polls its sources at once (`fetch.sources_at_once` at a time): slow feeds do not add up.

Feeds are served by the local HTTP server; some answer after a delay. Every article must still be
stored once (two feeds carry the same dispatch), a failing feed is recorded as failing without
stopping the others, and no more feeds are read at once than the setting allows.
"""

from __future__ import annotations

import asyncio
import time

from aiohttp import web

from bot.config import SourceConfig
from bot.core.models import Article
from bot.service.pipeline import RunReport
from tests.ingest.ingest_helpers import Harness, LocalServer, feed_source, filler, item, rss

DELAY = 1.0


class Feeds:
    """Feeds on the local server, counting the requests in flight at once."""

    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.in_flight = 0
        self.most = 0

    def feed(self, path: str, items: list[dict[str, str]], *, delay: float = 0.0, status: int = 200) -> str:
        body = rss(items).encode()

        async def handler(request: web.Request) -> web.StreamResponse:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            try:
                await asyncio.sleep(delay)
                if status != 200:
                    return web.Response(status=status, text="down")
                return web.Response(body=body, headers={"Content-Type": "application/rss+xml; charset=utf-8"})
            finally:
                self.in_flight -= 1

        return self.server.route(path, handler)


def sources(feeds: Feeds, *, slow: int, fast: int) -> tuple[list[SourceConfig], int]:
    """`slow` feeds answering after DELAY and `fast` ones, 3 items each; the first two feeds share item 0.
    Returns the sources and the number of distinct articles they list."""
    found: list[SourceConfig] = []
    for n in range(slow + fast):
        items = [item(n * 10 + k, day=1 + k) for k in range(1, 4)]
        if n < 2:
            items.append(item(0, day=5))  # the same dispatch (same link) in two feeds
        url = feeds.feed(f"/feed/{n}", items, delay=DELAY if n < slow else 0.0)
        found.append(feed_source(url, name=f"feed{n}", backfill=10))
    return found, (slow + fast) * 3 + 1


async def test_slow_feeds_are_read_at_once_and_each_article_is_stored_once(
    server: LocalServer, harness: Harness,
) -> None:
    feeds = Feeds(server)
    configured, distinct = sources(feeds, slow=6, fast=6)
    broken = feed_source(feeds.feed("/broken", [], delay=DELAY, status=500), name="broken", backfill=10)
    pipeline = harness.pipeline([*configured, broken], per_host=50)  # every feed is on 127.0.0.1
    started = time.perf_counter()
    report = await pipeline.ingest_all()
    elapsed = time.perf_counter() - started

    # One after the other, the 7 slow answers alone would take 7 s.
    assert elapsed < 3.5, elapsed
    assert feeds.most >= 6
    assert report.failed_sources == ["broken"]
    assert report.articles_new == distinct and harness.store.count_articles() == distinct
    assert report.articles_seen == 1  # the shared dispatch, met a second time
    state = harness.store.source_state("broken")
    assert state.failures == 1 and state.next_retry_at is not None and "500" in (state.last_error or "")
    for source in configured:
        assert harness.store.source_state(source.name).initialized

    # A second pass: every entry is known, nothing is stored twice.
    again = await pipeline.ingest_all()
    assert again.articles_new == 0 and harness.store.count_articles() == distinct


async def test_no_more_sources_than_the_setting_are_read_at_once(server: LocalServer, harness: Harness) -> None:
    feeds = Feeds(server)
    configured, distinct = sources(feeds, slow=6, fast=0)
    pipeline = harness.pipeline(configured, sources_at_once=3, per_host=50)
    started = time.perf_counter()
    report = await pipeline.ingest_all()
    elapsed = time.perf_counter() - started

    assert feeds.most == 3
    assert elapsed >= 2 * DELAY, elapsed  # two waves of three
    assert report.failed_sources == [] and harness.store.count_articles() == distinct


async def test_a_slot_is_held_while_a_source_is_read_not_while_its_articles_are_filed(
    server: LocalServer, harness: Harness,
) -> None:
    # One slot: the first feed's articles take a while to file; the second feed is asked meanwhile, so its
    # wait overlaps that filing instead of following it.
    feeds = Feeds(server)
    asked: dict[str, float] = {}

    first = feed_source(feeds.feed("/first", [item(k, day=1) for k in range(1, 4)]), name="first", backfill=10)
    body = rss([item(100, day=2)]).encode()

    async def second_feed(request: web.Request) -> web.StreamResponse:
        asked["second"] = time.perf_counter()
        await asyncio.sleep(DELAY)
        return web.Response(body=body, headers={"Content-Type": "application/rss+xml; charset=utf-8"})

    second = feed_source(server.route("/second", second_feed), name="second", backfill=10)
    pipeline = harness.pipeline([first, second], sources_at_once=1, per_host=50)
    filed: dict[str, float] = {}
    process = pipeline.process

    def slow_process(article: Article, report: RunReport | None = None) -> list[int]:
        time.sleep(0.3)  # a long extraction, in the worker thread that files articles
        try:
            return process(article, report)
        finally:
            filed[article.source] = time.perf_counter()

    pipeline.process = slow_process  # type: ignore[method-assign]
    report = await pipeline.ingest_all()

    assert report.articles_new == 4 and report.failed_sources == []
    assert asked["second"] < filed["first"]  # asked before the first feed's last article was filed


async def test_every_source_is_asked_before_any_entrys_page_is_fetched(server: LocalServer, harness: Harness) -> None:
    # Two slots; six feeds whose entries carry a summary only (each entry's page is fetched) and a slow
    # feed last. The slow feed is asked before any page is fetched, not after the pages of the feeds
    # before it: its wait overlaps their reading.
    events: list[str] = []

    async def page(request: web.Request) -> web.StreamResponse:
        events.append("page")
        await asyncio.sleep(0.1)
        n = int(request.query["n"])
        body = f"<html><head><title>Dépêche {n}</title></head><body><article><p>{filler(n)}</p></article></body></html>"
        return web.Response(text=body, content_type="text/html")

    page_url = server.route("/page", page)
    feeds = Feeds(server)
    summary_only = [
        feed_source(feeds.feed(f"/short/{n}", [item(n, day=1, content="Résumé court.", link=f"{page_url}?n={n}")]),
                    name=f"short{n}", backfill=10)
        for n in range(1, 7)
    ]
    body = rss([item(100, day=2)]).encode()

    async def slow_feed(request: web.Request) -> web.StreamResponse:
        events.append("slow feed asked")
        await asyncio.sleep(DELAY)
        return web.Response(body=body, headers={"Content-Type": "application/rss+xml; charset=utf-8"})

    slow = feed_source(server.route("/slow", slow_feed), name="slow", backfill=10)
    pipeline = harness.pipeline([*summary_only, slow], sources_at_once=2, per_host=50)
    report = await pipeline.ingest_all()

    assert report.failed_sources == [] and report.articles_new == 7
    assert events.count("page") == 6
    assert events.index("slow feed asked") < events.index("page")


async def test_answers_in_are_read_while_a_slow_source_holds_every_slot(server: LocalServer, harness: Harness) -> None:
    # One slot: the first feed answers at once, the second only after DELAY, a third waits for the slot.
    # The first feed's articles are filed while the second is still answering, not after it.
    feeds = Feeds(server)
    answered: dict[str, float] = {}
    first = feed_source(feeds.feed("/first", [item(k, day=1) for k in range(1, 3)]), name="first", backfill=10)
    body = rss([item(100, day=2)]).encode()

    async def slow_feed(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(DELAY)
        answered["slow"] = time.perf_counter()
        return web.Response(body=body, headers={"Content-Type": "application/rss+xml; charset=utf-8"})

    slow = feed_source(server.route("/slow", slow_feed), name="slow", backfill=10)
    third = feed_source(feeds.feed("/third", [item(200, day=3)]), name="third", backfill=10)
    pipeline = harness.pipeline([first, slow, third], sources_at_once=1, per_host=50)
    filed: dict[str, float] = {}
    process = pipeline.process

    def timed_process(article: Article, report: RunReport | None = None) -> list[int]:
        try:
            return process(article, report)
        finally:
            filed.setdefault(article.source, time.perf_counter())

    pipeline.process = timed_process  # type: ignore[method-assign]
    report = await pipeline.ingest_all()

    assert report.articles_new == 4 and report.failed_sources == []
    assert filed["first"] < answered["slow"]
