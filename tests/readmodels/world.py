"""A real SQLite store filled through the store's own API (articles, stories, alerts, extra outlets), and a
counter of the SQL statements the bot sends to it: what the read-model tests measure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bot.chat.base import Posted
from bot.config import Config, parse_config
from bot.core.importance import importance
from bot.core.models import Alert, Article, Casualty, Fighting, Message, Statement
from bot.store import Store, readmodels


@dataclass
class Statements:
    """SQL statements seen on an engine while counting, by their first word (SELECT, INSERT, …)."""

    seen: list[str] = field(default_factory=list)

    @property
    def reads(self) -> int:
        return sum(1 for x in self.seen if x == "SELECT")

    def __len__(self) -> int:
        return len(self.seen)


@contextmanager
def counting(store: Store) -> Iterator[Statements]:
    counted = Statements()

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        counted.seen.append(statement.lstrip().split(None, 1)[0].upper())

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield counted
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


def decoded_alerts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The alert JSON texts the read models decode from now on (the list grows as they are decoded)."""
    decoded: list[str] = []
    real = readmodels.decode

    def decode(data: str) -> Alert:
        decoded.append(data)
        return real(data)

    monkeypatch.setattr(readmodels, "decode", decode)
    return decoded


def config_for(tmp_path: Path) -> Config:
    return parse_config({
        "database": f"sqlite:///{tmp_path / 'bot.db'}",
        "outputs": {"console": {"enabled": False}},
        "sources": [{"name": "wire", "type": "folder", "path": str(tmp_path), "tags": ["libya"]}],
    }, "test.yaml")


def an_alert(i: int) -> Alert:
    """Statements, fighting and casualty figures by turns, each a fact of its own (no two dedupe)."""
    if i % 3 == 0:
        return Statement(str(i), f"Speaker {i}", f"We will hold Tripoli, part {i}.", "foreign minister")
    if i % 3 == 1:
        return Fighting(str(i), f"Place {i}", "clashes", date=dt.date(2026, 12, 1))
    return Casualty(str(i), killed=10 + i, reported_by="the health ministry", location="Tripoli")


def fill(store: Store, alerts: int, *, stories: int = 5, outlets: int = 2) -> list[int]:
    """`alerts` alerts over `stories` stories about Tripoli, each carried by `outlets` outlets; returns
    the story ids."""
    story_ids = [store.new_story(f"Fighting near Tripoli {n}", topic="libya") for n in range(stories)]
    for i in range(alerts):
        story = story_ids[i % stories]
        alert = an_alert(i)
        for o in range(outlets):
            article_id, _ = store.add_article(Article(
                id=f"{i}-{o}", text=f"Article {i} from outlet {o} about Tripoli.", title=f"Tripoli report {i}",
                lang="fr" if o % 2 else "en", source="wire", url=f"https://example.org/{i}/{o}",
                outlet=f"Outlet {o}"))
            store.attach_to_story(article_id, story)
            store.add_alert(alert, article_id=article_id, story_id=story, importance=importance(alert))
    return story_ids


@dataclass
class Recorder:
    """A chat that keeps what it was sent."""

    name: str = "rec"
    shows_images: bool = True
    sent: list[tuple[str, str | None, Message]] = field(default_factory=list)

    async def post(self, channel: str, message: Message) -> Posted:
        self.sent.append((channel, None, message))
        return Posted(channel, f"m{len(self.sent)}")

    async def reply(self, channel: str, thread_id: str, message: Message) -> Posted:
        self.sent.append((channel, thread_id, message))
        return Posted(channel, f"m{len(self.sent)}")

    async def edit(self, channel: str, message_id: str, message: Message) -> None:
        return None
