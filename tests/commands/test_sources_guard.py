"""`/news sources add` refuses URLs inside the bot's own network unless fetch.allow_private."""

from __future__ import annotations

import pytest

from bot.chat.base import ChatContext
from bot.config import Config, FetchConfig
from bot.ingest import guard
from bot.service.conversation import NewsConversation, added_source_records
from bot.store import Store

ADMIN = ChatContext(adapter="console", channel="ops", user="ops", is_admin=True, lang="en")


def conversation(store: Store, *, allow_private: bool) -> NewsConversation:
    config = Config(path="t.yaml", database="sqlite://", sources=(), channels=(),
                    fetch=FetchConfig(allow_private=allow_private))
    return NewsConversation(store, config)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/feed.xml", "http://169.254.169.254/latest/meta-data/", "http://[::1]/rss",
    "http://10.1.2.3/rss.xml", "http://localhost.internal.test/feed"])
async def test_sources_add_of_a_private_address_is_refused(
        sqlite_store: Store, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return ["192.168.1.20"]  # a name that resolves inside the network

    monkeypatch.setattr(guard, "resolve", resolve)
    conv = conversation(sqlite_store, allow_private=False)
    reply = (await conv.command(f"sources add {url} --name inside", ADMIN)).plain
    assert "Refused" in reply and "allow_private" in reply, reply
    assert added_source_records(sqlite_store) == []


async def test_sources_add_of_a_private_address_with_allow_private(sqlite_store: Store) -> None:
    conv = conversation(sqlite_store, allow_private=True)
    reply = (await conv.command("sources add http://127.0.0.1:8080/feed.xml --name lan", ADMIN)).plain
    assert "Source lan added" in reply
    assert [d["url"] for d in added_source_records(sqlite_store)] == ["http://127.0.0.1:8080/feed.xml"]


async def test_sources_add_of_a_public_host(sqlite_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return ["93.184.215.14"]

    monkeypatch.setattr(guard, "resolve", resolve)
    reply = (await conversation(sqlite_store, allow_private=False).command(
        "sources add https://news.example.org/rss.xml --name ex", ADMIN)).plain
    assert "Source ex added" in reply
