"""Shared pieces for the scheduler tests: a recording chat adapter, a test extractor, a bot on real SQLite."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.chat.base import Posted
from bot.config import Config
from bot.core.models import Alert, Article, Casualty, Fighting, Message, Statement
from bot.service.pipeline import Pipeline
from bot.service.scheduler import BotScheduler
from bot.store import Store

UTC = dt.UTC


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@dataclass
class Sent:
    kind: str  # post | reply
    channel: str
    message: Message
    thread: str | None = None


@dataclass
class RecordingAdapter:
    """A ChatAdapter that posts into a list."""

    name: str
    shows_images: bool = True
    sent: list[Sent] = field(default_factory=list)
    fail: bool = False
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    async def post(self, channel: str, message: Message) -> Posted:
        if self.fail:
            raise RuntimeError("chat is down")
        self.sent.append(Sent("post", channel, message))
        return Posted(channel, f"{self.name}-{next(self._ids)}")

    async def reply(self, channel: str, thread_id: str, message: Message) -> Posted:
        if self.fail:
            raise RuntimeError("chat is down")
        self.sent.append(Sent("reply", channel, message, thread_id))
        return Posted(channel, f"{self.name}-{next(self._ids)}")

    async def edit(self, channel: str, message_id: str, message: Message) -> None:
        return None

    def to(self, channel: str) -> list[Message]:
        return [x.message for x in self.sent if x.channel == channel]

    def digests(self, channel: str | None = None) -> list[Message]:
        return [x.message for x in self.sent
                if x.message.meta.get("type") == "digest" and (channel is None or x.channel == channel)]

    def alerts(self, channel: str | None = None) -> list[Message]:
        return [x.message for x in self.sent
                if x.message.meta.get("type") != "digest" and (channel is None or x.channel == channel)]


def test_extractor(article: Article) -> list[Alert]:
    """One alert per line of the article's text:
    `casualty KILLED [WOUNDED] [by REPORTER] [in PLACE]`, `fighting PLACE [ACTION]`,
    `statement SPEAKER | ROLE | QUOTE`."""
    out: list[Alert] = []
    for raw in article.text.splitlines():
        words = raw.split()
        if not words:
            continue
        kind, rest = words[0], words[1:]
        if kind == "casualty":
            line = " ".join(rest)
            by = line.split(" by ", 1)[1].split(" in ")[0] if " by " in line else None
            place = line.split(" in ", 1)[1] if " in " in line else None
            nums = [int(w) for w in rest if w.isdigit()]
            out.append(Casualty(article_id=article.id, killed=nums[0], wounded=nums[1] if len(nums) > 1 else None,
                                reported_by=by, location=place, evidence=raw))
        elif kind == "fighting":
            out.append(Fighting(article_id=article.id, location=rest[0],
                                action=rest[1] if len(rest) > 1 else "clashes", evidence=raw))  # type: ignore[arg-type]
        elif kind == "statement":
            speaker, role, quote = (p.strip() for p in " ".join(rest).split("|"))
            out.append(Statement(article_id=article.id, speaker=speaker, speaker_role=role or None, quote=quote,
                                 evidence=raw))
    return out


BASE: dict[str, Any] = {
    "timezone": "Europe/Paris",
    "retention": "30d",
    "outputs": {"console": {"enabled": True}, "slack": {"enabled": True}},
    "sources": [
        {"name": "libya-wire", "type": "folder", "path": "libya", "tags": ["libya"], "interval": "1h"},
        {"name": "sudan-wire", "type": "folder", "path": "sudan", "tags": ["sudan"], "interval": "1h"},
    ],
}


def sched_data(tmp_path: Path, channels: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """The scheduler tests' bot.yaml: two folder wires (their folders made in `tmp_path`), Paris time, console
    and Slack on, and `channels`; `extra` replaces top-level keys."""
    sources = []
    for src in BASE["sources"]:
        (tmp_path / src["path"]).mkdir(exist_ok=True)
        sources.append({**src, "path": str(tmp_path / src["path"])})
    return {**BASE, "sources": sources, "channels": channels, **extra}


_ARTICLES = itertools.count(1)


class TitleGrouper:
    """Stories by title, so tests choose which articles share a story."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.ids: dict[str, int] = {}

    def story_for(self, article: Article, article_id: int) -> int:
        title = article.title or article.id
        if title not in self.ids:
            self.ids[title] = self.store.new_story(title)
        self.store.attach_to_story(article_id, self.ids[title])
        return self.ids[title]


class Bot:
    """A bot as `run` builds it, with recording adapters, on a real SQLite file."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.store = Store.open(config.database)
        self.console = RecordingAdapter("console")
        self.slack = RecordingAdapter("slack")
        self.adapters = {"console": self.console, "slack": self.slack}
        self.pipeline = Pipeline(config, self.store, self.adapters, extractor=test_extractor)
        self.pipeline.stories = TitleGrouper(self.store)  # type: ignore[assignment]
        self.scheduler = BotScheduler(config, self.store, self.adapters, self.pipeline)


    def article(self, text: str, *, source: str = "libya-wire", outlet: str | None = None, title: str = "",
                key: str | None = None) -> list[int]:
        n = next(_ARTICLES)
        art = Article(id=key or f"a{n}", text=text, title=title or f"Story {n}", source=source,
                      outlet=outlet or source, url=f"https://example.org/{source}/{key or n}", lang="en")
        return self.pipeline.process(art)

    @property
    def apscheduler(self) -> AsyncIOScheduler:
        """The APScheduler that `BotScheduler.start` made (its jobs, pause, wakeup)."""
        assert self.scheduler.scheduler is not None, "the scheduler was not started"
        return self.scheduler.scheduler

    async def close(self) -> None:
        await self.scheduler.stop()
        self.store.close()
