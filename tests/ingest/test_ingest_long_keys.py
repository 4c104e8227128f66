"""Long article keys and one failing article: neither blocks a source (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging

import pytest

from bot.core.models import Article
from bot.service.pipeline import Pipeline, RunReport
from bot.store import SourceState, Store
from bot.store import schema as s
from tests.ingest.ingest_helpers import Clock, LocalServer, feed_source, filler, item, pipeline_config, rss

LONG = "https://news.example.org/" + "a" * 700




def test_long_keys_are_capped_and_stay_distinct(store: Store) -> None:
    first, new = store.add_article(Article(id="1", text="un", source="s", url=LONG + "?page=1"))
    second, new2 = store.add_article(Article(id="2", text="deux", source="s", url=LONG + "?page=2"))
    again, new3 = store.add_article(Article(id="1", text="un", source="s", url=LONG + "?page=1"))
    assert new and new2 and not new3
    assert first != second and again == first
    with store.tx() as conn:
        keys = conn.execute(s.articles.select().with_only_columns(s.articles.c.key)).scalars().all()
    assert all(len(k) <= 500 for k in keys) and len(set(keys)) == 2
    stored = store.article(first)
    assert stored is not None and stored.url == LONG + "?page=1"


async def test_long_feed_link_does_not_block_the_feed(store: Store, server: LocalServer) -> None:
    items = [item(1, link=LONG, guid="urn:long"), item(2)]
    url = server.static("/feed", rss(items), content_type="application/rss+xml")
    pipeline = Pipeline(pipeline_config("sqlite://", [feed_source(url, backfill=5)]), store, {},
                        extractor=lambda a: [], clock=Clock())
    report = RunReport()
    try:
        await pipeline.poll(pipeline.config.sources[0], report)
    finally:
        await pipeline.fetcher.aclose()
    assert report.failed_sources == [] and report.articles_new == 2
    assert store.source_state("wire").failures == 0


async def test_one_failing_article_is_logged_and_retried_not_skipped(
        store: Store, server: LocalServer, caplog: pytest.LogCaptureFixture) -> None:
    url = server.static("/feed", rss([item(1), item(2), item(3)]), content_type="application/rss+xml")
    pipeline = Pipeline(pipeline_config("sqlite://", [feed_source(url, backfill=5)]), store, {},
                        extractor=lambda a: [], clock=Clock())
    real = pipeline.process

    def process(article: Article, report: RunReport | None = None) -> list[int]:
        if article.title == "Dépêche 2":
            raise RuntimeError("cannot store this one")
        return real(article, report)

    pipeline.process = process  # type: ignore[method-assign]
    report = RunReport()
    try:
        with caplog.at_level(logging.WARNING):
            await pipeline.poll(pipeline.config.sources[0], report)
    finally:
        await pipeline.fetcher.aclose()
    assert report.failed_sources == [] and report.articles_new == 2
    assert filler(3)[:40] in {a.text[:40] for a in map(store.article, range(1, 10)) if a is not None}
    failed = [r for r in caplog.records if "could not be processed" in r.getMessage()]
    assert failed and "'wire'" in failed[0].getMessage() and "urn:item:2" in failed[0].getMessage()
    # not marked seen: the next poll reads it again (parked after a few failures, see tests/reliability)
    assert not store.is_seen("wire", "id:urn:item:2")
    assert [(f["entry_key"], f["attempts"]) for f in store.entry_failures()] == [("id:urn:item:2", 1)]
    assert store.source_state("wire").failures == 0 and store.source_state("wire").initialized


async def test_a_poll_that_raises_does_not_stop_the_other_sources(
        store: Store, server: LocalServer, caplog: pytest.LogCaptureFixture) -> None:
    first = server.static("/one", rss([item(1)]), content_type="application/rss+xml")
    second = server.static("/two", rss([item(2)]), content_type="application/rss+xml")
    sources = [feed_source(first, name="one", backfill=5), feed_source(second, name="two", backfill=5)]
    pipeline = Pipeline(pipeline_config("sqlite://", sources), store, {}, extractor=lambda a: [], clock=Clock())
    real = store.save_source_state

    def save(state: SourceState) -> None:
        if state.name == "one":
            raise RuntimeError("database refused the write")
        real(state)

    store.save_source_state = save  # type: ignore[method-assign]
    try:
        with caplog.at_level(logging.ERROR):
            report = await pipeline.ingest_all()
    finally:
        await pipeline.fetcher.aclose()
    assert report.failed_sources == ["one"]
    assert store.source_state("two").initialized and report.articles_new == 2
    assert any("'one'" in r.getMessage() and "poll failed" in r.getMessage() for r in caplog.records)
