"""What every command handler is given (`Env`: the store, the config, the clock, the page reader) and the
few pieces of presentation they share (an error, an alert's line with its ids, `--since` as a time)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from bot.chat.base import ChatContext
from bot.config import ChannelConfig, Config
from bot.core import commands as c
from bot.core.digest import entry_line
from bot.core.i18n import t
from bot.core.models import Article, Line, Message, Span
from bot.service.command_prefix import command_prefix
from bot.service.subscriptions import channel_timezone
from bot.store import Store, StoredAlert

UrlReader = Callable[[str], Awaitable[Article]]
Process = Callable[[Article], list[int]]


@dataclass
class Env:
    """The conversation's side of every command: one per `NewsConversation`, shared by its handlers."""

    store: Store
    config: Config
    read_url: UrlReader
    clock: Callable[[], dt.datetime]
    process: Process | None = None  # files a read page; None: a pipeline of our own, made on first use
    # Title, source tags and story title/topic of (article, story): the same for many alerts, so remembered.
    contexts: dict[tuple[int, int | None], tuple[str | None, ...]] = field(default_factory=dict)
    tags: dict[str, tuple[str, ...]] = field(init=False)  # source name -> its configured tags

    def __post_init__(self) -> None:
        self.tags = {src.name: tuple(src.tags) for src in self.config.sources}

    def prefix(self, ctx: ChatContext) -> str:
        """What the reader types before a command in this chat: `!news` in Matrix, `/news` in Slack."""
        return command_prefix(self.config, ctx.adapter)

    def channel(self, ctx: ChatContext) -> ChannelConfig | None:
        return next((ch for ch in self.config.channels if ch.output == ctx.adapter and ch.id == ctx.channel), None)

    def timezone(self, ctx: ChatContext) -> ZoneInfo:
        channel = self.channel(ctx)
        return ZoneInfo(channel_timezone(self.config, channel) if channel is not None else self.config.timezone)

    def after(self, since: c.Since | None, ctx: ChatContext) -> dt.datetime | None:
        """`--since` as a UTC time: a duration back from now, or a time (naive: the channel's time zone)."""
        if since is None:
            return None
        if isinstance(since, dt.timedelta):
            return self.clock() - since
        if since.tzinfo is None:
            since = since.replace(tzinfo=self.timezone(ctx))
        return since.astimezone(dt.UTC)


def rich(text: str) -> Line:
    """A line where `backticks` become code spans."""
    spans = [Span(part, "code" if i % 2 else "plain") for i, part in enumerate(text.split("`")) if part]
    return Line(tuple(spans))


def error(lang: str, text: str) -> Message:
    return Message(headline=t(lang, "cmd_error"), lines=(rich(text),), lang=lang, meta={"type": "error"})


def alert_line(store: Store, stored: StoredAlert, lang: str, article_langs: Mapping[int, str | None] | None = None
               ) -> Line:
    """An alert in a listing: its digest line, quotes marked in the article's language (from
    `article_langs` when the caller read them in bulk), then `[A12 · S3]`."""
    if article_langs is not None:
        quoted_in = article_langs.get(stored.article_id)
    else:
        article = store.article(stored.article_id)
        quoted_in = article.lang if article else None
    line = entry_line(stored.alert, lang)
    spans = [dataclasses.replace(sp, lang=quoted_in) if sp.style == "quote" else sp for sp in line.spans]
    ref = f"  [A{stored.id}" + (f" · S{stored.story_id}]" if stored.story_id is not None else "]")
    return Line((*spans, Span(ref, "code")))


Handler = Callable[[Any, Env, ChatContext], "Message | Awaitable[Message]"]
