"""The `Conversation` the chat adapters call: `/news` commands and follow-up questions in threads.

A small dispatcher: the text after the chat's prefix is parsed by `bot.core.commands` (or, for an
admin's `story merge|split`, by `bot.service.story_admin`) into a typed command; one permission check
follows, from the table of `bot.service.handlers`, then the command's handler runs. Answers to
questions in threads come from `bot.core.answers` over the facts of the story (`handlers.facts`).
Everything is written in the reader's language (the channel's, or the question's for answers), and
the time each command and each thread answer takes goes to the latency histogram of /metrics.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import inspect
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeAlias

from bot.chat.base import ChatContext, Conversation
from bot.config import Config
from bot.core import commands as c
from bot.core.answers import StoryFacts, is_question
from bot.core.commands import prefix_pattern, strip_prefix
from bot.core.i18n import label, t
from bot.core.models import Article, Message
from bot.service.handlers import ADMIN_ONLY, ROUTES, Env, facts
from bot.service.handlers.base import Process, UrlReader, error, rich
from bot.service.handlers.listing import matches
from bot.service.handlers.read import default_reader, process
from bot.service.health import observe_command
from bot.service.source_registry import added_sources
from bot.service.story_admin import StoryMerge, StorySplit, parse_story_admin
from bot.store import Store, StoredAlert, utcnow
from bot.store.source_registry import added_source_records

Parsed: TypeAlias = c.Command | StoryMerge | StorySplit  # what `execute` runs


class NewsConversation:
    def __init__(
        self, store: Store, config: Config, *, process: Process | None = None, read_url: UrlReader | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.store = store
        self.config = config
        self.env = Env(store, config, read_url or default_reader(config), clock, process)

    @property
    def read_url(self) -> UrlReader:
        return self.env.read_url

    @property
    def clock(self) -> Callable[[], dt.datetime]:
        return self.env.clock

    # --- the Conversation protocol ------------------------------------------------------------

    def reader_lang(self, ctx: ChatContext) -> str:
        """The context's language when the adapter set one (not the default "en"), else the configured
        channel's, else the bot's."""
        if ctx.lang != "en":
            return ctx.lang
        channel = self.env.channel(ctx)
        return channel.language if channel is not None else self.config.language

    def prefix(self, ctx: ChatContext) -> str:
        """What the reader types before a command in this chat: `!news` in Matrix, `/news` in Slack."""
        return self.env.prefix(ctx)

    async def command(self, text: str, ctx: ChatContext) -> Message:
        started = time.perf_counter()
        try:
            return await self._command(text, ctx)
        finally:
            observe_command(time.perf_counter() - started)

    async def follow_up(self, question: str, ctx: ChatContext) -> Message | None:
        """The answer to a question in one of our threads; None (no reply at all) elsewhere, and for small
        talk ("merci", "ok", an emoji): replying to it would ping the person for nothing."""
        if not ctx.thread_id or not is_question(question):
            return None
        started = time.perf_counter()
        answer = await self.store.run(self._follow_up, question, ctx)  # store reads: in the store's threads
        if answer is not None:
            observe_command(time.perf_counter() - started)
        return answer

    def _follow_up(self, question: str, ctx: ChatContext) -> Message | None:
        assert ctx.thread_id is not None
        story_id = self.store.story_of_message(ctx.adapter, ctx.channel, ctx.thread_id)
        if story_id is None:
            return None
        root = self.store.alert_of_message(ctx.adapter, ctx.channel, ctx.thread_id)
        return self.answer_story(story_id, question, default_lang=self.reader_lang(ctx), root_alert_id=root)

    # --- dispatch -----------------------------------------------------------------------------

    async def _command(self, text: str, ctx: ChatContext) -> Message:
        # Parsing is pure but a 20,000-character command takes a while: off the event loop too.
        ctx, parsed = await asyncio.to_thread(self._parse, text, ctx)
        return parsed if isinstance(parsed, Message) else await self.execute(parsed, ctx)

    def _parse(self, text: str, ctx: ChatContext) -> tuple[ChatContext, Message | Parsed]:
        """The context in the reader's language, and the command; or the message refusing it."""
        lang = self.reader_lang(ctx)
        if lang != ctx.lang:
            ctx = dataclasses.replace(ctx, lang=lang)
        prefix = self.prefix(ctx)
        rest = strip_prefix(text, prefix)
        cmd = parse_story_admin(c.tokens(rest), lang) or c.parse(rest, lang, prefix)
        # The one permission check, on what was parsed: a reader who may not run a command learns
        # that, not how it is typed (a ParseError names its command). Asking for its help is allowed.
        name = cmd.command if isinstance(cmd, c.ParseError) else cmd.name
        if name in ADMIN_ONLY and not ctx.is_admin:
            return ctx, error(lang, t(lang, "cmd_admin_only", cmd=name))
        if isinstance(cmd, c.ParseError):
            lines = [rich(cmd.message)]
            if cmd.usage:
                lines.append(rich(f"{label(lang, 'cmd_usage')}`{prefix} {cmd.usage}`"))
            return ctx, Message(headline=t(lang, "cmd_error"), lines=tuple(lines), lang=lang, meta={"type": "error"})
        return ctx, cmd

    async def execute(self, cmd: Parsed, ctx: ChatContext) -> Message:
        """Run a parsed command whose rights were checked; `ctx.lang` is the reader's language.

        A handler that is a coroutine (it waits on the network) runs here; any other reads the store
        and computes, so it runs in the store's worker threads (`Store.run`): a long command in one room
        never holds up the event loop, hence never another room's command nor the deliveries."""
        handler = ROUTES[type(cmd)].handler
        if inspect.iscoroutinefunction(handler):
            result = await handler(cmd, self.env, ctx)
        else:
            result = await self.store.run(handler, cmd, self.env, ctx)
        assert isinstance(result, Message)
        return result

    # --- answers, for the console's `reply` and the CLI's `ask` ---------------------------------

    def answer_story(self, story_id: int, question: str, *, default_lang: str = "en",
                     root_alert_id: int | None = None) -> Message:
        return facts.answer_story(self.env, story_id, question, default_lang=default_lang,
                                  root_alert_id=root_alert_id)

    def answer_ref(self, ref: c.Ref, question: str, *, default_lang: str = "en") -> Message:
        """`ask A12 "question"`: the answer from the story of an alert, or of a story."""
        return facts.answer_ref(self.env, ref, question, default_lang=default_lang)

    def story_facts(self, story_id: int, *, root_alert_id: int | None = None) -> StoryFacts | None:
        return facts.story_facts(self.env, story_id, root_alert_id=root_alert_id)

    def matches(self, stored: StoredAlert, query: str | None, *, kind: str | None = None) -> bool:
        """Does the alert concern `query` (a topic, speaker or place, in English or French)?"""
        return matches(self.env, stored, query, kind=kind)

    def process(self, article: Article) -> list[int]:
        return process(self.env, article)


class RunningApp(Protocol):
    """What `conversation_for` needs of a running app (bot.service.app.App)."""

    @property
    def store(self) -> Store: ...

    @property
    def config(self) -> Config: ...

    @property
    def pipeline(self) -> Any: ...


def conversation_for(app: RunningApp) -> Conversation:
    """The conversation the chat adapters of a running app call into (`read URL` files through its pipeline)."""
    return NewsConversation(app.store, app.config, process=app.pipeline.process)


__all__ = ["NewsConversation", "UrlReader", "added_source_records", "added_sources", "conversation_for",
           "default_reader", "prefix_pattern", "strip_prefix"]
