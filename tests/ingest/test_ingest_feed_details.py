"""Feeds and fetch details against a local HTTP server: declared language as a hint, Retry-After,
French month names, meta refresh, duplicate guids, future dates."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
from pathlib import Path

import pytest
from aiohttp import web

from bot.config import SourceConfig
from bot.core.extract import extract_alerts
from bot.core.models import Casualty
from bot.ingest import guard
from bot.ingest.fetch import FetchError
from bot.service.pipeline import RunReport
from tests.ingest.ingest_helpers import Clock, Harness, LocalServer, article_page, feed_source, item, rss


def feed(server: LocalServer, items: list[dict[str, str]], *, lang: str | None = "fr", path: str = "/feed") -> str:
    return server.static(path, rss(items, lang=lang), content_type="application/rss+xml; charset=utf-8")


async def test_french_item_in_an_english_feed_gives_french_alerts(
    server: LocalServer, harness: Harness, seed_text: str,
) -> None:
    url = feed(server, [item(1, content=seed_text, title="Libye : combats près de Tripoli"),
                        item(2, content="Clashes near Tripoli: the death toll rises, officials say.",
                             title="Tripoli : 35 morts")], lang="en")
    src = SourceConfig(name="wire-en", type="feed", url=url, lang="en", interval_s=600, backfill=5)
    p = harness.pipeline([src], extractor=extract_alerts)
    report = RunReport()
    await p.poll(src, report)
    assert report.articles_new == 2
    by_title = {a.title: a for a in (harness.store.article(i) for i in (1, 2)) if a is not None}
    assert by_title["Libye : combats près de Tripoli"].lang == "fr"
    assert by_title["Tripoli : 35 morts"].lang == "en"  # short and English in the main: the hint stays
    alerts = [s.alert for s in harness.store.alerts() if s.article_id == by_title["Libye : combats près de Tripoli"].id]
    casualties = [a for a in alerts if isinstance(a, Casualty)]
    assert len(alerts) >= 3 and any(c.killed == 35 for c in casualties)


async def test_429_retry_after_keeps_the_source_quiet_until_then(
    server: LocalServer, harness: Harness, clock: Clock,
) -> None:
    answers = [web.Response(status=429, headers={"Retry-After": "120"})]

    async def limited(request: web.Request) -> web.StreamResponse:
        if answers:
            return answers.pop()
        return web.Response(body=rss([item(1)]).encode(), content_type="application/rss+xml")

    # interval 30 s: the backoff alone would retry after 60 s
    src = SourceConfig(name="wire", type="feed", url=server.route("/feed", limited), interval_s=30, backfill=1)
    p = harness.pipeline([src])
    report = RunReport()
    await p.poll(src, report)
    state = harness.store.source_state("wire")
    assert report.failed_sources == ["wire"] and "Retry-After: 120" in (state.last_error or "")
    assert state.next_retry_at == clock.now + dt.timedelta(seconds=120)
    clock.advance(90)
    await p.poll(src, report)
    assert server.hits["/feed"] == 1  # still quiet
    clock.advance(31)
    await p.poll(src, RunReport())
    assert server.hits["/feed"] == 2 and harness.store.count_articles() == 1


async def test_503_retry_after_as_an_http_date(server: LocalServer, harness: Harness, clock: Clock) -> None:
    async def down(request: web.Request) -> web.StreamResponse:
        now = dt.datetime.now(dt.UTC)
        return web.Response(status=503, headers={
            "Date": email.utils.format_datetime(now, usegmt=True),
            "Retry-After": email.utils.format_datetime(now + dt.timedelta(seconds=900), usegmt=True)})

    src = SourceConfig(name="wire", type="feed", url=server.route("/feed", down), interval_s=30)
    p = harness.pipeline([src])
    await p.poll(src, RunReport())
    retry = harness.store.source_state("wire").next_retry_at
    assert retry is not None
    assert abs((retry - clock.now).total_seconds() - 900) <= 2


async def test_french_month_names_in_feed_dates(server: LocalServer, harness: Harness) -> None:
    url = feed(server, [item(1, pubDate="lun., 08 avr. 2019 10:00:00 +0200"),
                        item(2, pubDate="8 avril 2019"),
                        item(3, pubDate="mar., 09 avr. 2019 01:30:00 +0200"),
                        item(4, pubDate="5 sept. 2019")])
    src = feed_source(url, backfill=10)
    p = harness.pipeline([src])
    await p.poll(src, RunReport())
    dates = {a.title: a.published for a in (harness.store.article(i) for i in range(1, 5)) if a is not None}
    assert dates == {"Dépêche 1": dt.date(2019, 4, 8), "Dépêche 2": dt.date(2019, 4, 8),
                     "Dépêche 3": dt.date(2019, 4, 8),  # 01:30 at +02:00 is still the 8th in UTC
                     "Dépêche 4": dt.date(2019, 9, 5)}


async def test_backfill_orders_by_french_dates(server: LocalServer, harness: Harness) -> None:
    url = feed(server, [item(1, pubDate="lun., 01 avr. 2019 10:00:00 +0200"),
                        item(2, pubDate="mer., 10 avr. 2019 10:00:00 +0200"),
                        item(3, pubDate="ven., 05 avr. 2019 10:00:00 +0200")])
    src = feed_source(url, backfill=1)
    p = harness.pipeline([src])
    await p.poll(src, RunReport())
    stored = harness.store.article(1)
    assert harness.store.count_articles() == 1 and stored is not None and stored.title == "Dépêche 2"


async def test_meta_refresh_is_followed_to_the_article(
    server: LocalServer, harness: Harness, seed_text: str,
) -> None:
    server.static("/old", '<html><head><meta http-equiv="refresh" content="0; url=/moved/article"></head>'
                          "<body>Cette page a déménagé.</body></html>")
    server.static("/moved/article", article_page("Libye", seed_text))
    src = SourceConfig(name="page", type="page", url=server.url("/old"), lang="fr", backfill=1)
    p = harness.pipeline([src])
    report = RunReport()
    await p.poll(src, report)
    assert report.articles_new == 1 and server.hits["/moved/article"] == 1
    stored = harness.store.article(1)
    assert stored is not None and "Pompeo" in stored.text


async def test_meta_refresh_counts_against_the_redirect_limit(server: LocalServer, harness: Harness) -> None:
    for n in range(6):
        server.static(f"/hop{n}", f'<html><head><meta http-equiv="refresh" content="0;URL=\'/hop{n + 1}\'">'
                                  "</head></html>")
    src = SourceConfig(name="page", type="page", url=server.url("/hop0"), backfill=1)
    p = harness.pipeline([src], max_redirects=3)
    report = RunReport()
    await p.poll(src, report)
    assert report.failed_sources == ["page"]
    assert "too many redirects" in (harness.store.source_state("page").last_error or "")
    assert server.hits["/hop4"] == 0


async def test_a_page_refreshing_itself_is_read_not_a_loop(server: LocalServer, harness: Harness,
                                                           seed_text: str) -> None:
    body = article_page("Direct", seed_text).replace("<head>", '<head><meta http-equiv="refresh" content="5">')
    body = body.replace("<head>", '<head><meta http-equiv="refresh" content="10; url=/live">')
    src = SourceConfig(name="live", type="page", url=server.static("/live", body), lang="fr", backfill=1)
    p = harness.pipeline([src])
    report = RunReport()
    await p.poll(src, report)
    assert report.articles_new == 1 and server.hits["/live"] == 1


async def test_meta_refresh_hop_is_address_guarded(
    server: LocalServer, harness: Harness, monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = guard.forbidden_reason
    monkeypatch.setattr(guard, "forbidden_reason", lambda a: None if str(a) == "127.0.0.1" else real(a))
    url = server.static("/go", '<html><head><meta http-equiv="refresh" '
                               'content="0; url=http://169.254.169.254/latest/meta-data/"></head></html>')
    p = harness.pipeline([], allow_private=False)
    with pytest.raises(FetchError, match=r"169\.254\.169\.254.*metadata"):
        await p.fetcher.get(url, guard=True)


async def test_duplicate_guids_keep_the_newest_and_log_once(
    server: LocalServer, harness: Harness, caplog: pytest.LogCaptureFixture,
) -> None:
    url = feed(server, [
        item(1, day=2, title="Bilan : 21 morts (mis à jour)"),
        item(1, day=1, title="Bilan : 12 morts"),
        item(1, day=1, title="Bilan : 12 morts (copie)"),
        item(2, day=1),
    ])
    src = feed_source(url, backfill=10)
    p = harness.pipeline([src])
    report = RunReport()
    with caplog.at_level(logging.INFO, logger="bot.ingest.feeds"):
        await p.poll(src, report)
    titles = sorted(a.title or "" for a in (harness.store.article(i) for i in (1, 2)) if a is not None)
    assert report.articles_new == 2 and titles == ["Bilan : 21 morts (mis à jour)", "Dépêche 2"]
    dupes = [r.getMessage() for r in caplog.records if "duplicate" in r.getMessage()]
    assert len(dupes) == 1 and "2 duplicate entries" in dupes[0] and "urn:item:1" in dupes[0]


async def test_future_date_is_stored_as_the_fetch_time(server: LocalServer, harness: Harness, clock: Clock) -> None:
    url = feed(server, [item(1, pubDate="Sat, 01 Jan 2099 10:00:00 GMT"), item(2, day=3)])
    src = feed_source(url, backfill=1)  # 2099 would otherwise win the backfill over real news forever
    p = harness.pipeline([src])
    await p.poll(src, RunReport())
    stored = harness.store.article(1)
    assert stored is not None and stored.title == "Dépêche 1" and stored.published == clock.now.date()


async def test_future_date_in_a_file_is_today(harness: Harness, clock: Clock, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    line = {"id": "x", "text": "Au moins 35 personnes tuées près de Tripoli.", "published": "2099-01-01"}
    (folder / "batch.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    src = SourceConfig(name="drop", type="folder", path=str(folder), lang="fr")
    p = harness.pipeline([src])
    await p.poll(src, RunReport())
    stored = harness.store.article(1)
    assert stored is not None and stored.published == clock.now.date()


async def test_page_in_utf16_with_bom(server: LocalServer, harness: Harness, seed_text: str) -> None:
    body = article_page("Libération de la ville", seed_text).replace('<meta charset="utf-8">', "")
    url = server.static("/p16", "\ufeff".encode("utf-16-le") + body.encode("utf-16-le"), content_type="text/html")
    src = SourceConfig(name="page", type="page", url=url, lang="fr", backfill=1)
    p = harness.pipeline([src])
    await p.poll(src, RunReport())
    stored = harness.store.article(1)
    assert stored is not None and "préoccupés" in stored.text and stored.title == "Libération de la ville"
