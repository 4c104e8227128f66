"""A source removed and added again (same name, any URL) starts as new: no backlog posted."""

from __future__ import annotations

import datetime as dt

import httpx

from bot.chat.base import ChatContext
from bot.config import Config, FetchConfig
from bot.service.conversation import NewsConversation
from bot.service.pipeline import Pipeline, RunReport
from bot.store import SourceState, Store

ADMIN = ChatContext(adapter="console", channel="ops", user="ops", is_admin=True, lang="en")


def feed(first: int, count: int) -> bytes:
    items = "".join(
        f"<item><title>Item {n}</title><guid>urn:{n}</guid><link>https://news.example.org/{n}</link>"
        f"<description>{'Texte de la dépêche numéro ' * 30}{n}</description></item>"
        for n in range(first, first + count))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            f"<link>https://news.example.org/</link><description>d</description>{items}</channel></rss>").encode()


FEEDS = {"/a/feed.xml": feed(1, 3), "/b/feed.xml": feed(100, 10)}


def handler(request: httpx.Request) -> httpx.Response:
    body = FEEDS.get(request.url.path)
    if body is None:
        return httpx.Response(404)
    return httpx.Response(200, content=body, headers={"Content-Type": "application/rss+xml"})


async def poll_all(store: Store, config: Config, now: dt.datetime) -> RunReport:
    pipeline = Pipeline(config, store, {}, extractor=lambda a: [], clock=lambda: now,
                        transport=httpx.MockTransport(handler))
    try:
        return await pipeline.ingest_all()
    finally:
        await pipeline.fetcher.aclose()


async def test_removed_then_readded_source_does_not_post_its_backlog(sqlite_store: Store) -> None:
    config = Config(path="t.yaml", database="sqlite://", sources=(), channels=(),
                    fetch=FetchConfig(allow_private=True))
    conv = NewsConversation(sqlite_store, config)
    now = dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC)
    assert "added" in (await conv.command("sources add https://a.example.org/a/feed.xml --name wire", ADMIN)).plain
    first = await poll_all(sqlite_store, config, now)
    assert first.articles_new == 0 and sqlite_store.source_state("wire").initialized  # backlog marked seen
    assert sqlite_store.is_seen("wire", "id:urn:1")

    assert "removed" in (await conv.command("sources remove wire", ADMIN)).plain
    assert sqlite_store.source_state("wire") == SourceState(name="wire")  # no row left
    assert not sqlite_store.is_seen("wire", "id:urn:1")

    assert "added" in (await conv.command("sources add https://b.example.org/b/feed.xml --name wire", ADMIN)).plain
    again = await poll_all(sqlite_store, config, now + dt.timedelta(hours=1))
    assert again.failed_sources == []
    assert again.articles_new == 0  # the new URL's 10 entries are its backlog, not news
    assert sqlite_store.count_articles() == 0


async def test_sources_add_resets_leftover_state_of_the_name(sqlite_store: Store) -> None:
    config = Config(path="t.yaml", database="sqlite://", sources=(), channels=(),
                    fetch=FetchConfig(allow_private=True))
    now = dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC)
    # State left behind by a source of that name whose record went away some other way.
    sqlite_store.save_source_state(SourceState(name="wire", initialized=True, failures=4, last_error="old",
                                        last_success_at=now - dt.timedelta(days=3)))
    sqlite_store.mark_seen("wire", ["id:urn:old"])
    conv = NewsConversation(sqlite_store, config)
    assert "added" in (await conv.command("sources add https://b.example.org/b/feed.xml --name wire", ADMIN)).plain
    assert sqlite_store.source_state("wire") == SourceState(name="wire")
    assert not sqlite_store.is_seen("wire", "id:urn:old")
    report = await poll_all(sqlite_store, config, now)
    assert report.articles_new == 0 and sqlite_store.count_articles() == 0
