"""Bad input never crashes: random bytes as feeds and pages, wrong encodings, redirect loops."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import SourceConfig
from bot.ingest.feeds import FeedError, parse_feed
from bot.ingest.pages import NotAnArticle, extract_page
from bot.service.pipeline import RunReport
from tests.ingest.ingest_helpers import Harness, LocalServer, article_page, feed_source

SRC = SourceConfig(name="fuzz", type="feed", url="http://127.0.0.1/feed")
XMLISH = st.lists(st.sampled_from([
    b"<rss>", b"</rss>", b"<channel>", b"<item>", b"</item>", b"<title>", b"</title>", b"<guid>", b"x", b"&amp;",
    b"&bogus;", b"<![CDATA[", b"]]>", b"\xff", b"\xe9", b"<?xml version='1.0' encoding='utf-8'?>", b"<feed>",
    b"<entry>", b"<link href='/a'/>", b"<description>", b"</description>", b"<pubDate>Mon, 99 Foo</pubDate>",
]), max_size=40).map(b"".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=400), XMLISH))
def test_parse_feed_only_ever_raises_feed_error(body: bytes) -> None:
    try:
        entries = parse_feed(body, source=SRC, url="http://127.0.0.1/feed")
    except FeedError:
        return
    for e in entries:
        assert e.key and len(e.key) <= 500


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode),
                 XMLISH.map(lambda b: b"<html><body><p>" + b + b"</p></body></html>")))
def test_extract_page_only_ever_raises_not_an_article(body: bytes) -> None:
    try:
        article = extract_page(body, url="http://127.0.0.1/p", source="fuzz")
    except NotAnArticle:
        return
    assert article.text


def test_page_with_wrong_declared_encoding(seed_text: str) -> None:
    html = article_page("Libération de la ville", seed_text).encode("cp1252")  # says utf-8 in <meta>
    article = extract_page(html, url="http://127.0.0.1/p", source="s", content_type="text/html; charset=utf-8")
    assert "préoccupés" in article.text and article.title == "Libération de la ville"


async def test_redirect_loop_is_a_source_failure(server: LocalServer, harness: Harness) -> None:
    server.static("/a", "", status=302, headers={"Location": "/b"})
    server.static("/b", "", status=302, headers={"Location": "/a"})
    src = feed_source(server.url("/a"))
    p = harness.pipeline([src])
    report = RunReport()
    await p.poll(src, report)
    assert report.failed_sources == ["wire"]
    assert "redirect loop" in (harness.store.source_state("wire").last_error or "")
