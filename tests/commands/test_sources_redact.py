"""`/news sources` never shows credentials held in source URLs or in their last error."""

from __future__ import annotations

import datetime as dt

from bot.chat.base import ChatContext
from bot.config import Config, FetchConfig, SourceConfig
from bot.core.models import Article
from bot.ingest.state import record_failure
from bot.service.conversation import NewsConversation
from bot.store import SourceState, Store
from tests.commands.conftest import WorldFactory

SECRET_URL = "https://bot:hunter22@feeds.example.org/rss.xml?api_key=abc123XYZ&lang=fr"
READER = ChatContext(adapter="console", channel="news", user="anyone", is_admin=False, lang="en")
ADMIN = ChatContext(adapter="console", channel="news", user="ops", is_admin=True, lang="en")


def conversation(store: Store, *sources: SourceConfig) -> NewsConversation:
    config = Config(path="t.yaml", database="sqlite://", sources=sources, channels=(),
                    fetch=FetchConfig(allow_private=True))
    return NewsConversation(store, config)


def assert_clean(text: str) -> None:
    for secret in ("hunter22", "abc123XYZ", "bot:"):
        assert secret not in text, text


async def test_sources_listing_redacts_urls_and_errors(sqlite_store: Store) -> None:
    source = SourceConfig(name="wire", type="feed", url=SECRET_URL)
    # An error stored verbatim (before redaction existed) is redacted when shown too.
    error = f"source 'wire': {SECRET_URL}: HTTP 500"
    sqlite_store.save_source_state(SourceState(name="wire", failures=2, last_error=error))
    text = (await conversation(sqlite_store, source).command("sources", READER)).plain
    assert_clean(text)
    assert "https://***@feeds.example.org/rss.xml?api_key=***&lang=***" in text
    assert "HTTP 500" in text


async def test_stored_source_error_is_redacted(sqlite_store: Store) -> None:
    source = SourceConfig(name="wire", type="feed", url=SECRET_URL)
    now = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    record_failure(sqlite_store, source, SourceState(name="wire"), f"{SECRET_URL}: HTTP 401 Unauthorized", now)
    error = sqlite_store.source_state("wire").last_error or ""
    assert_clean(error)
    assert "api_key=***" in error and "HTTP 401" in error


async def test_added_source_url_is_redacted_in_replies_and_listing(sqlite_store: Store) -> None:
    conv = conversation(sqlite_store)
    reply = (await conv.command(f"sources add {SECRET_URL} --name wire", ADMIN)).plain
    assert "Source wire added" in reply
    assert_clean(reply)
    listing = (await conv.command("sources", READER)).plain
    assert "wire (https://***@feeds.example.org/rss.xml?api_key=***&lang=***)" in listing
    assert_clean(listing)


async def test_read_failure_does_not_echo_credentials(make_world: WorldFactory) -> None:
    async def failing(url: str) -> Article:
        raise ValueError(f"could not fetch {url}: HTTP 403")

    world = await make_world(read_url=failing)
    text = await world.run("read https://bob:hunter22@example.org/feed?token=abc123")
    assert "Could not read" in text
    assert "hunter22" not in text and "abc123" not in text
