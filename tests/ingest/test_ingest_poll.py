"""Pipeline.poll against a local HTTP server: no-backfill, conditional GET, backoff, restarts."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path

import pytest
from aiohttp import web

from bot.config import SourceConfig
from bot.service.pipeline import Pipeline, RunReport
from bot.store import Store
from tests.ingest.ingest_helpers import (
    INTERVAL,
    Clock,
    Harness,
    LocalServer,
    article_page,
    feed_source,
    item,
    pipeline_config,
    rss,
)


def mutable_feed(server: LocalServer, path: str, items: list[dict[str, str]], *, etag: bool = False) -> str:
    async def handler(request: web.Request) -> web.StreamResponse:
        body = rss(items)
        tag = f'"{hash(body) & 0xFFFFFFFF:x}"'
        if etag and request.headers.get("If-None-Match") == tag:
            return web.Response(status=304)
        headers = {"Content-Type": "application/rss+xml; charset=utf-8"}
        if etag:
            headers["ETag"] = tag
        return web.Response(body=body.encode(), headers=headers)

    return server.route(path, handler)


async def test_new_feed_marks_its_backlog_seen_then_ingests_new_entries(
    server: LocalServer, harness: Harness, clock: Clock,
) -> None:
    items = [item(1, day=1), item(2, day=2), item(3, day=3)]
    src = feed_source(mutable_feed(server, "/feed", items))
    p = harness.pipeline([src])
    report = RunReport()
    await p.poll(src, report)
    assert report.articles_new == 0 and harness.store.count_articles() == 0
    state = harness.store.source_state("wire")
    assert state.initialized and state.failures == 0
    assert all(harness.store.is_seen("wire", f"id:urn:item:{n}") for n in (1, 2, 3))

    items.insert(0, item(4, day=4))
    await p.poll(src, report)  # within the interval: not polled
    assert server.hits["/feed"] == 1
    clock.advance(INTERVAL + 1)
    await p.poll(src, report)
    assert server.hits["/feed"] == 2 and report.articles_new == 1
    [stored] = harness.store.articles_of_story(1)
    assert stored.url == "https://news.example.org/4" and stored.source == "wire" and stored.lang == "fr"
    assert harness.store.story(1)["topic"] == "libya"  # type: ignore[index]


async def test_backfill_keeps_the_latest_n(server: LocalServer, harness: Harness) -> None:
    items = [item(1, day=1), item(3, day=3), item(2, day=2)]
    src = feed_source(mutable_feed(server, "/feed", items), backfill=2)
    p = harness.pipeline([src])
    report = RunReport()
    await p.poll(src, report)
    assert report.articles_new == 2
    titles = {harness.store.article(i).title for i in (1, 2)}  # type: ignore[union-attr]
    assert titles == {"Dépêche 3", "Dépêche 2"}


async def test_304_path_sends_if_none_match_and_stores_nothing(
    server: LocalServer, harness: Harness, clock: Clock,
) -> None:
    src = feed_source(mutable_feed(server, "/feed", [item(1)], etag=True), backfill=1)
    p = harness.pipeline([src])
    report = RunReport()
    await p.poll(src, report)
    assert report.articles_new == 1
    etag = harness.store.source_state("wire").etag
    assert etag
    clock.advance(INTERVAL + 1)
    await p.poll(src, report)
    assert server.headers_of("/feed")[1].get("If-None-Match") == etag
    assert report.articles_new == 1 and harness.store.count_articles() == 1
    state = harness.store.source_state("wire")
    assert state.etag == etag and state.failures == 0 and state.last_success_at == clock.now


async def test_slow_server_is_a_failure_with_backoff_logged_once(
    server: LocalServer, harness: Harness, clock: Clock, caplog: pytest.LogCaptureFixture,
) -> None:
    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(3)
        return web.Response(text=rss([item(1)]))

    src = feed_source(server.route("/slow", slow))
    p = harness.pipeline([src], timeout_s=0.3)
    report = RunReport()
    with caplog.at_level(logging.INFO):
        await p.poll(src, report)
    state = harness.store.source_state("wire")
    assert report.failed_sources == ["wire"]
    assert state.failures == 1 and "timed out" in (state.last_error or "")
    assert state.next_retry_at == clock.now + dt.timedelta(seconds=INTERVAL * 2)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "'wire'" in warnings[0].getMessage()

    caplog.clear()
    clock.advance(INTERVAL * 2 + 1)
    with caplog.at_level(logging.INFO):
        await p.poll(src, report)
    assert harness.store.source_state("wire").failures == 2
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]  # still failing: no new warning


async def test_500_then_recovery_with_backoff(server: LocalServer, harness: Harness, clock: Clock,
                                              caplog: pytest.LogCaptureFixture) -> None:
    calls = 0

    async def flaky(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        if calls <= 2:
            return web.Response(status=500, text="Internal Server Error")
        return web.Response(text=rss([item(1)]), content_type="application/rss+xml")

    src = feed_source(server.route("/flaky", flaky))
    p = harness.pipeline([src])
    report = RunReport()
    start = clock.now
    await p.poll(src, report)
    s1 = harness.store.source_state("wire")
    assert s1.failures == 1 and s1.next_retry_at == start + dt.timedelta(seconds=2 * INTERVAL)
    assert "HTTP 500" in (s1.last_error or "")

    clock.advance(INTERVAL + 5)  # past the interval, not past next_retry_at: skipped
    await p.poll(src, report)
    assert calls == 1

    assert s1.next_retry_at is not None
    clock.now = s1.next_retry_at
    await p.poll(src, report)
    s2 = harness.store.source_state("wire")
    assert calls == 2 and s2.failures == 2 and s2.next_retry_at == clock.now + dt.timedelta(seconds=4 * INTERVAL)

    assert s2.next_retry_at is not None
    clock.now = s2.next_retry_at
    with caplog.at_level(logging.INFO):
        await p.poll(src, report)
    s3 = harness.store.source_state("wire")
    assert calls == 3 and s3.failures == 0 and s3.next_retry_at is None and s3.last_error is None
    assert s3.initialized and s3.last_success_at == clock.now
    assert any("working again" in r.getMessage() for r in caplog.records)
    assert report.failed_sources == ["wire", "wire"]


async def test_restart_between_polls_reposts_nothing(server: LocalServer, harness: Harness, clock: Clock,
                                                      seed_text: str) -> None:
    items = [item(1)]
    src = feed_source(mutable_feed(server, "/feed", items))
    p = harness.pipeline([src])
    report = RunReport()
    await p.poll(src, report)
    items.insert(0, item(2, content=seed_text))
    clock.advance(INTERVAL + 1)
    await p.poll(src, report)
    assert report.articles_new == 1 and report.alerts_new == 2
    articles, alerts = harness.store.count_articles(), len(harness.store.alerts())

    harness.store.close()
    for _ in range(2):  # restart: a new Store on the same file and a new Pipeline, twice
        clock.advance(INTERVAL + 1)
        p2 = harness.pipeline([src])
        again = RunReport()
        await p2.poll(src, again)
        assert again.articles_new == 0 and again.alerts_new == 0 and not again.failed_sources
        assert harness.store.count_articles() == articles and len(harness.store.alerts()) == alerts
    assert server.hits["/feed"] == 4


async def test_republished_entry_with_a_new_guid_is_not_stored_again(
    server: LocalServer, harness: Harness, clock: Clock,
) -> None:
    items = [item(1)]
    src = feed_source(mutable_feed(server, "/feed", items), backfill=1)
    p = harness.pipeline([src])
    report = RunReport()
    await p.poll(src, report)
    items.insert(0, item(1, guid="urn:item:1-updated", link="https://news.example.org/1-bis"))
    clock.advance(INTERVAL + 1)
    await p.poll(src, report)
    assert report.articles_new == 1 and report.articles_seen == 1


async def test_short_summary_is_completed_from_the_linked_page(
    server: LocalServer, harness: Harness, seed_text: str,
) -> None:
    page = server.static("/article/1", article_page("Libye : Washington demande l'arrêt", seed_text))
    src = feed_source(mutable_feed(server, "/feed", [{
        "title": "Libye : Washington demande l'arrêt", "link": page + "?utm_medium=feed", "guid": "a1",
        "description": "Les Etats-Unis sont préoccupés…"}]), backfill=1)
    p = harness.pipeline([src])
    report = RunReport()
    await p.poll(src, report)
    assert report.articles_new == 1
    stored = harness.store.article(1)
    assert stored is not None and "Au moins 35 personnes" in stored.text and stored.url == page
    assert report.alerts_new == 2


async def test_entries_without_text_are_skipped(server: LocalServer, harness: Harness,
                                                caplog: pytest.LogCaptureFixture) -> None:
    src = feed_source(mutable_feed(server, "/feed", [{"guid": "empty-1"}, item(2)]), backfill=5)
    p = harness.pipeline([src])
    report = RunReport()
    with caplog.at_level(logging.INFO):
        await p.poll(src, report)
    assert report.articles_new == 1 and not report.failed_sources
    assert any("no text" in r.getMessage() for r in caplog.records)


async def test_malformed_feeds_never_crash_the_poll(server: LocalServer, harness: Harness) -> None:
    good = rss([item(1), item(2)])
    server.static("/broken", good.replace("</channel></rss>", "<item><title>cut"), content_type="text/xml")
    server.static("/latin1", rss([item(3, title="Médecins tués à Tripoli")]).encode("latin-1"),
                  content_type="application/rss+xml; charset=utf-8")
    server.static("/junk", b"\x89PNG\r\n\x1a\n\x00\x00junk", content_type="application/rss+xml")
    server.static("/html", "<html><body>Not a feed</body></html>")
    paths = ("/broken", "/latin1", "/junk", "/html")
    sources = [feed_source(server.url(p), name=p.strip("/"), backfill=5) for p in paths]
    p = harness.pipeline(sources)
    report = RunReport()
    for s in sources:
        await p.poll(s, report)
    assert report.failed_sources == ["junk", "html"]
    assert report.articles_new == 3
    assert "not" in (harness.store.source_state("html").last_error or "")


async def test_huge_feed_is_cut_and_the_poll_ends(server: LocalServer, harness: Harness) -> None:
    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        await response.write(rss([item(1), item(2)]).replace("</channel></rss>", "").encode())
        try:
            for _ in range(100_000):
                await response.write(b"<item><title>more</title><description>" + b"x" * 65536 + b"</description>")
        except (ConnectionError, RuntimeError):
            pass
        return response

    src = feed_source(server.route("/endless", endless), backfill=5)
    p = harness.pipeline([src], max_bytes=500_000)
    report = RunReport()
    await asyncio.wait_for(p.poll(src, report), 10)
    assert report.articles_new >= 2  # what was read before the cut is kept


async def test_page_that_is_not_an_article(server: LocalServer, harness: Harness,
                                           caplog: pytest.LogCaptureFixture) -> None:
    links = "".join(f'<li><a href="/a/{i}">Titre {i}</a></li>' for i in range(30))
    url = server.static("/home", f"<html><body><h1>Accueil</h1><ul>{links}</ul></body></html>")
    src = SourceConfig(name="home", type="page", url=url, interval_s=INTERVAL, backfill=1)
    p = harness.pipeline([src])
    report = RunReport()
    with caplog.at_level(logging.INFO):
        await p.poll(src, report)
    assert report.articles_new == 0 and not report.failed_sources
    assert any("no article text" in r.getMessage() and "'home'" in r.getMessage() for r in caplog.records)


async def test_page_source_versions(server: LocalServer, harness: Harness, clock: Clock, seed_text: str) -> None:
    body = {"html": article_page("Libye", seed_text)}

    async def page(request: web.Request) -> web.StreamResponse:
        return web.Response(text=body["html"], content_type="text/html")

    url = server.route("/live", page)
    src = SourceConfig(name="live", type="page", url=url, lang="fr", interval_s=INTERVAL)
    p = harness.pipeline([src])
    report = RunReport()
    await p.poll(src, report)  # new source, backfill 0: the current version is only marked seen
    assert report.articles_new == 0
    clock.advance(INTERVAL + 1)
    await p.poll(src, report)
    assert report.articles_new == 0
    body["html"] = article_page("Libye", seed_text + "\nMise à jour : les combats continuent lundi matin.")
    clock.advance(INTERVAL + 1)
    await p.poll(src, report)
    assert report.articles_new == 1
    stored = harness.store.article(1)
    assert stored is not None and stored.url is not None and stored.url.startswith(url + "#v")
    assert stored.lang == "fr" and stored.published == dt.date(2019, 4, 8)


async def test_local_folder_is_read_on_the_first_run(harness: Harness, tmp_path: Path, seed_text: str) -> None:
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "a.txt").write_text(seed_text, encoding="utf-8")
    (folder / "a.meta.yaml").write_text("title: Seed\nlang: fr\npublished: 2019-04-08\n", encoding="utf-8")
    (folder / "empty.md").write_text("   \n", encoding="utf-8")
    src = SourceConfig(name="seed", type="folder", path=str(folder), tags=("libya",))
    p = harness.pipeline([src])
    report = RunReport()
    await p.poll(src, report)
    assert report.articles_new == 1 and report.alerts_new == 2
    await p.poll(src, report)  # unchanged files are not read again
    assert report.articles_new == 1 and report.articles_seen == 0 and harness.store.count_articles() == 1


async def test_missing_folder_is_a_source_failure(harness: Harness, tmp_path: Path) -> None:
    src = SourceConfig(name="gone", type="folder", path=str(tmp_path / "nope"))
    p = harness.pipeline([src])
    report = RunReport()
    await p.poll(src, report)
    assert report.failed_sources == ["gone"] and harness.store.source_state("gone").failures == 1


async def test_the_transport_is_injectable_and_the_client_shared(harness: Harness, clock: Clock) -> None:
    import httpx

    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["user-agent"])
        return httpx.Response(200, content=rss([item(1), item(2)]).encode(),
                              headers={"Content-Type": "application/rss+xml"})

    store = Store.open(harness.db_url)
    harness.stores.append(store)
    src = feed_source("https://feeds.example.org/rss", backfill=1)
    p = Pipeline(pipeline_config(harness.db_url, [src]), store, {}, transport=httpx.MockTransport(handler), clock=clock)
    harness.pipelines.append(p)
    report = RunReport()
    await p.poll(src, report)
    client = p.fetcher.client
    clock.advance(INTERVAL + 1)
    await p.poll(src, report)
    assert p.fetcher.client is client and report.articles_new == 1 and seen[0].startswith("newsalert-bot/")
