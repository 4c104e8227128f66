"""Every remote source (configured or added) is fetched with the URL guard on every hop."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.ingest import guard
from bot.service.pipeline import Pipeline, RunReport
from bot.store import Store
from tests.ingest.ingest_helpers import Clock, feed_source, item, pipeline_config, rss

FEED = "https://feeds.example.org/rss.xml"
METADATA = "http://169.254.169.254/latest/meta-data/feed.xml"


def transport(hits: list[str]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        hits.append(str(request.url))
        if request.url.host == "feeds.example.org":
            return httpx.Response(302, headers={"Location": METADATA})
        body = rss([item(1), item(2)])  # what an internal service would answer
        return httpx.Response(200, content=body.encode(), headers={"Content-Type": "application/rss+xml"})

    return httpx.MockTransport(handler)


@pytest.fixture(autouse=True)
def public_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return ["93.184.215.14"]

    monkeypatch.setattr(guard, "resolve", resolve)


async def poll(tmp_path: Path, *, allow_private: bool) -> tuple[Store, RunReport, list[str]]:
    hits: list[str] = []
    store = Store.open(f"sqlite:///{tmp_path / 'bot.db'}")
    config = pipeline_config("sqlite://", [feed_source(FEED, backfill=5)], allow_private=allow_private)
    pipeline = Pipeline(config, store, {}, extractor=lambda a: [], clock=Clock(), transport=transport(hits))
    report = RunReport()
    try:
        await pipeline.poll(pipeline.config.sources[0], report)
    finally:
        await pipeline.fetcher.aclose()
    return store, report, hits


async def test_configured_feed_redirecting_to_metadata_is_a_source_failure(tmp_path: Path) -> None:
    store, report, hits = await poll(tmp_path, allow_private=False)
    try:
        assert report.failed_sources == ["wire"]
        assert report.articles_new == 0 and store.count_articles() == 0
        state = store.source_state("wire")
        assert state.failures == 1 and "metadata" in (state.last_error or "")
        assert hits == [FEED]  # the metadata address was never requested
    finally:
        store.close()


async def test_feed_redirecting_to_a_private_address_with_allow_private(tmp_path: Path) -> None:
    store, report, hits = await poll(tmp_path, allow_private=True)
    try:
        assert report.failed_sources == [] and report.articles_new == 2
        assert hits == [FEED, METADATA]
    finally:
        store.close()


async def test_source_url_in_logs_is_redacted(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    secret_feed = "https://feeds.example.org/rss.xml?subscriber=S3CRETID"

    def handler(request: httpx.Request) -> httpx.Response:
        body = rss([item(n) for n in range(1, 6)])
        return httpx.Response(200, content=body.encode(), headers={"Content-Type": "application/rss+xml"})

    store = Store.open(f"sqlite:///{tmp_path / 'bot.db'}")
    config = pipeline_config("sqlite://", [feed_source(secret_feed)], max_bytes=2000)
    pipeline = Pipeline(config, store, {}, extractor=lambda a: [], clock=Clock(),
                        transport=httpx.MockTransport(handler))
    try:
        with caplog.at_level(logging.INFO):
            await pipeline.poll(config.sources[0], RunReport())
    finally:
        await pipeline.fetcher.aclose()
        store.close()
    logged = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("bot."))
    assert "larger than fetch.max_bytes" in logged
    assert "S3CRETID" not in logged and "subscriber=***" in logged
