"""The `Conversation` the chat adapters call: `/news` commands and follow-up questions in threads.

Commands are parsed by `bot.core.commands` and carried out here over the store (and the pipeline for
`read`); answers to questions come from `bot.core.answers` over the story's alerts and articles.
Everything is written in the reader's language (the channel's, or the question's for answers).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from bot.chat.base import ChatContext, Conversation
from bot.config import ALERT_TYPE_NAMES, ChannelConfig, Config, SourceConfig
from bot.core import commands as c
from bot.core.answers import Fact, Source, StoryFacts, answer, citation, detect_lang, is_question
from bot.core.digest import build_digest, entry_line
from bot.core.i18n import echo, label, t
from bot.core.models import Article, Fighting, Line, Message, Span, Statement, fold
from bot.core.render import headline
from bot.core.translate import equivalents, mentions
from bot.ingest.guard import BlockedURL, guard_url
from bot.ingest.guard import read_url as guarded_read_url
from bot.ingest.state import forget_source
from bot.ingest.urls import redact_url, redact_urls
from bot.service import subscriptions as subs
from bot.service.command_prefix import command_prefix
from bot.service.delivery import casualty_charts
from bot.service.digests import digest_entries
from bot.service.search import search
from bot.service.subscriptions import channel_timezone
from bot.store import Store, StoredAlert, StoredArticle, utcnow
from bot.store import schema as s

if TYPE_CHECKING:
    from bot.service.app import App

log = logging.getLogger(__name__)

UrlReader = Callable[[str], Awaitable[Article]]
SOURCE_KEY = "source:"  # kv keys of sources added with `sources add`
LIST_LIMIT = 15
SCAN_LIMIT = 1000  # newest alerts looked at by a listing command


def default_reader(config: Config) -> UrlReader:
    """`read URL` through the ingestion's guarded reader: private and loopback hosts refused, each redirect
    checked, the body capped (see bot.ingest.guard)."""

    async def read(url: str) -> Article:
        return await guarded_read_url(url, config.fetch.allow_private, fetch=config.fetch)

    return read


def _rich(text: str) -> Line:
    """A line where `backticks` become code spans."""
    spans = [Span(part, "code" if i % 2 else "plain") for i, part in enumerate(text.split("`")) if part]
    return Line(tuple(spans))


def _when(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "—"


class NewsConversation:
    def __init__(
        self, store: Store, config: Config, *, process: Callable[[Article], list[int]] | None = None,
        read_url: UrlReader | None = None, clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.store = store
        self.config = config
        self._process = process
        self.read_url = read_url or default_reader(config)
        self.clock = clock
        self._tags = {src.name: src.tags for src in config.sources}
        self._contexts: dict[tuple[int, int | None], tuple[str | None, ...]] = {}

    # --- the Conversation protocol ------------------------------------------------------------

    def reader_lang(self, ctx: ChatContext) -> str:
        """The context's language when the adapter set one (not the default "en"), else the configured
        channel's, else the bot's."""
        if ctx.lang != "en":
            return ctx.lang
        channel = next((ch for ch in self.config.channels if ch.output == ctx.adapter and ch.id == ctx.channel), None)
        return channel.language if channel is not None else self.config.language

    async def command(self, text: str, ctx: ChatContext) -> Message:
        lang = self.reader_lang(ctx)
        if lang != ctx.lang:
            ctx = dataclasses.replace(ctx, lang=lang)
        words = c.tokens(re.sub(r"^\s*[/!]?news\b", "", text, flags=re.IGNORECASE))
        # Permission first, before the arguments are even looked at.
        # (Asking for an admin command's help is not running it.)
        if len(words) >= 2 and fold(words[0]) == "sources" and fold(words[1]) in ("add", "remove") \
                and not ctx.is_admin and not {"-h", "--help"} & set(words[2:]):
            return self._error(lang, t(lang, "cmd_admin_only", cmd=f"sources {fold(words[1])}"))
        from bot.service.story_admin import is_story_admin, story_admin  # stories: merge/split (admins)

        if is_story_admin(words):
            return story_admin(self.store, words, is_admin=ctx.is_admin, lang=lang)
        prefix = self.prefix(ctx)
        cmd = c.parse(text, lang, prefix)
        if isinstance(cmd, c.ParseError):
            lines = [_rich(cmd.message)]
            if cmd.usage:
                lines.append(_rich(f"{label(lang, 'cmd_usage')}`{prefix} {cmd.usage}`"))
            return Message(headline=t(lang, "cmd_error"), lines=tuple(lines), lang=lang, meta={"type": "error"})
        if cmd.name in c.ADMIN_COMMANDS and not ctx.is_admin:
            return self._error(lang, t(lang, "cmd_admin_only", cmd=cmd.name))
        return await self.execute(cmd, ctx)

    def prefix(self, ctx: ChatContext) -> str:
        """What the reader types before a command in this chat: `!news` in Matrix, `/news` in Slack."""
        return command_prefix(self.config, ctx.adapter)

    async def follow_up(self, question: str, ctx: ChatContext) -> Message | None:
        """The answer to a question in one of our threads; None (no reply at all) elsewhere, and for small
        talk ("merci", "ok", an emoji): replying to it would ping the person for nothing."""
        if not ctx.thread_id or not is_question(question):
            return None
        story_id = self.store.story_of_message(ctx.adapter, ctx.channel, ctx.thread_id)
        if story_id is None:
            return None
        root = self.store.alert_of_message(ctx.adapter, ctx.channel, ctx.thread_id)
        return self.answer_story(story_id, question, default_lang=self.reader_lang(ctx), root_alert_id=root)

    # --- answers ------------------------------------------------------------------------------

    def answer_story(self, story_id: int, question: str, *, default_lang: str = "en",
                     root_alert_id: int | None = None) -> Message:
        facts = self.story_facts(story_id, root_alert_id=root_alert_id)
        if facts is None:
            lang = detect_lang(question, default_lang)
            return Message(headline=t(lang, "ans_story_unknown"), lang=lang, meta={"type": "error"})
        return answer(question, facts, default_lang=default_lang)

    def answer_ref(self, ref: c.Ref, question: str, *, default_lang: str = "en") -> Message:
        """`ask A12 "question"`: the answer from the story of an alert, or of a story."""
        story_id, alert_id = self.resolve(ref)
        if story_id is None:
            lang = detect_lang(question, default_lang)
            return self._error(lang, t(lang, "cmd_no_story", ref=ref.label))
        return self.answer_story(story_id, question, default_lang=default_lang, root_alert_id=alert_id)

    def resolve(self, ref: c.Ref) -> tuple[int | None, int | None]:
        if ref.kind == "alert":
            stored = self.store.alert(ref.id)
            return (stored.story_id, stored.id) if stored else (None, None)
        return (ref.id, None) if self.store.story(ref.id) else (None, None)

    def source_of(self, article: StoredArticle) -> Source:
        return Source(article.id, article.title, article.outlet or article.source, self._link(article),
                      article.lang, article.text, article.published)

    def _link(self, article: StoredArticle) -> str | None:
        if article.url:
            return article.url
        config = next((src for src in self.config.sources if src.name == article.source), None)
        if config is None or config.path is None:
            return None
        root = Path(config.path)
        if root.is_file():
            return str(root)
        stem = article.key.split(":", 1)[1] if ":" in article.key else article.key
        if root.is_dir():
            for path in sorted(root.rglob(f"{glob_escape(stem)}.*")):
                if not path.name.endswith(".meta.yaml"):
                    return str(path)
        return f"{root}/{stem}"

    def story_facts(self, story_id: int, *, root_alert_id: int | None = None) -> StoryFacts | None:
        story = self.store.story(story_id)
        if story is None:
            return None
        articles = self.store.articles_of_story(story_id)
        sources = {a.id: self.source_of(a) for a in articles}
        facts = tuple(self._fact(sa, sources) for sa in self.store.alerts(story_id=story_id))
        since = self.clock() - dt.timedelta(days=2)
        elsewhere = tuple(self._fact(sa, sources) for sa in self.store.alerts(since=since, newest_first=True, limit=50)
                          if sa.story_id != story_id)[:5]
        from bot.service.tallies import story_view  # stories: the same figures as the root and the digest

        return StoryFacts(story_id, story.get("title"), facts, tuple(sources.values()), root_alert_id, elsewhere,
                          tally=story_view(self.store, story_id))

    def _fact(self, stored: StoredAlert, cache: dict[int, Source]) -> Fact:
        src = cache.get(stored.article_id)
        if src is None:
            article = self.store.article(stored.article_id)
            src = self.source_of(article) if article else Source(stored.article_id, None, None, None, None, "")
        return Fact(stored.id, stored.alert, src, stored.created_at)

    # --- commands -----------------------------------------------------------------------------

    async def execute(self, cmd: c.Command, ctx: ChatContext) -> Message:
        lang = ctx.lang
        if isinstance(cmd, c.Help):
            title, lines = c.help_lines(cmd.topic, lang, self.prefix(ctx))
            return Message(headline=title, lines=tuple(_rich(x) for x in lines), lang=lang, meta={"type": "help"})
        if isinstance(cmd, c.Latest):
            return self._listing(t(lang, "cmd_latest"), None, cmd.topic, cmd.since, ctx, "latest")
        if isinstance(cmd, c.Casualties):  # stories: the reconciled figures, as everywhere else
            from bot.service.tallies import casualties_message

            tagged = [src.name for src in self.config.sources
                      if cmd.topic and fold(cmd.topic) in {fold(x) for x in src.tags}]
            message = casualties_message(self.store, cmd.topic, lang=lang, tagged_sources=tagged)
            charts = await asyncio.to_thread(casualty_charts, self.store, cmd.topic, lang)  # see bot.service.delivery
            return dataclasses.replace(message, attachments=charts)
        if isinstance(cmd, c.Statements):
            return self._listing(t(lang, "section_statement"), "statement", cmd.query, cmd.since, ctx, "statements")
        if isinstance(cmd, c.FightingCmd):
            return self._listing(t(lang, "section_fighting"), "fighting", cmd.query, cmd.since, ctx, "fighting")
        if isinstance(cmd, c.DigestCmd):
            return self._digest(cmd, ctx)
        if isinstance(cmd, c.Search):
            return self._search(cmd.terms, lang)
        if isinstance(cmd, c.StoryCmd):
            return self._story(cmd.ref, lang)
        if isinstance(cmd, c.Subscribe):
            return self._subscribe(cmd, ctx)
        if isinstance(cmd, c.Unsubscribe):
            return self._unsubscribe(cmd, ctx)
        if isinstance(cmd, c.Subscriptions):
            return self._subscriptions(ctx)
        if isinstance(cmd, c.Sources):
            return self._sources(lang)
        if isinstance(cmd, c.SourcesAdd):
            return await self._sources_add(cmd, ctx)
        if isinstance(cmd, c.SourcesRemove):
            return self._sources_remove(cmd, lang)
        assert isinstance(cmd, c.Read)
        return await self._read(cmd.url, lang)

    def _error(self, lang: str, text: str) -> Message:
        return Message(headline=t(lang, "cmd_error"), lines=(_rich(text),), lang=lang, meta={"type": "error"})

    def matches(self, stored: StoredAlert, query: str | None, *, kind: str | None = None) -> bool:
        """Does the alert concern `query` (a topic, speaker or place, in English or French)?"""
        if not query:
            return True
        a = stored.alert
        if isinstance(a, Statement):
            own = [a.speaker, a.speaker_role, a.quote]
        elif isinstance(a, Fighting):
            own = [a.location, *a.actors, a.place.name if a.place else None, a.place.country if a.place else None]
        else:
            own = [a.reported_by, a.location, a.victims]
        if any(mentions(x, query) for x in own):
            return True
        if kind == "own":
            return False
        context: list[str | None] = [a.evidence, *self._context_of(stored.article_id, stored.story_id)]
        return any(mentions(x, query) for x in context)

    def _context_of(self, article_id: int, story_id: int | None) -> tuple[str | None, ...]:
        """Title, source tags and story title/topic of an alert: the same for many alerts, so remembered."""
        key = (article_id, story_id)
        cached = self._contexts.get(key)
        if cached is None:
            article = self.store.article(article_id)
            story = self.store.story(story_id) if story_id is not None else None
            found: list[str | None] = []
            if article is not None:
                found += [article.title, *self._tags.get(article.source, ())]
            if story is not None:
                found += [story.get("title"), story.get("topic")]
            cached = tuple(found)
            if len(self._contexts) >= 20000:  # bounded: a long-running bot sees many stories
                self._contexts.clear()
            self._contexts[key] = cached
        return cached

    def _line(self, stored: StoredAlert, lang: str) -> Line:
        article = self.store.article(stored.article_id)
        line = entry_line(stored.alert, lang)
        spans = [dataclasses.replace(sp, lang=article.lang if article else None) if sp.style == "quote" else sp
                 for sp in line.spans]
        ref = f"  [A{stored.id}" + (f" · S{stored.story_id}]" if stored.story_id is not None else "]")
        return Line((*spans, Span(ref, "code")))

    def channel_config(self, ctx: ChatContext) -> ChannelConfig | None:
        return next((ch for ch in self.config.channels if ch.output == ctx.adapter and ch.id == ctx.channel), None)

    def timezone(self, ctx: ChatContext) -> ZoneInfo:
        channel = self.channel_config(ctx)
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

    def _listing(self, title: str, kind: str | None, query: str | None, since: c.Since | None, ctx: ChatContext,
                 name: str) -> Message:
        lang = ctx.lang
        after = self.after(since, ctx)
        stored = self.store.alerts(since=after, types=[kind] if kind else None, newest_first=True, limit=SCAN_LIMIT)
        chosen = [sa for sa in stored if self.matches(sa, query)]
        local = after.astimezone(self.timezone(ctx)) if after else None
        head = title + (f" — {echo(query)}" if query else "") + (
            f" ({t(lang, 'cmd_since', when=local.strftime('%Y-%m-%d %H:%M'))})" if local else "")
        lines = [self._line(sa, lang) for sa in chosen[:LIST_LIMIT]]
        if not lines:
            lines.append(Line.of(t(lang, "cmd_nothing")))
        elif len(chosen) > LIST_LIMIT:
            oldest = chosen[LIST_LIMIT - 1].created_at.astimezone(self.timezone(ctx))
            more = " ".join([f"{self.prefix(ctx)} digest", echo(query or ""),
                             f"--since {oldest.strftime('%Y-%m-%dT%H:%M')}"])
            lines.append(Line.of(Span(t(lang, "and_more", n=len(chosen) - LIST_LIMIT,
                                        cmd=more.replace("  ", " ")), "italic")))
        return Message(headline=head, lines=tuple(lines), lang=lang, meta={"type": name})

    def _digest(self, cmd: c.DigestCmd, ctx: ChatContext) -> Message:
        lang = ctx.lang
        now = self.clock()
        after = self.after(cmd.since, ctx) or now - dt.timedelta(hours=24)
        wanted = {(sa.story_id, sa.alert) for sa in self.store.alerts(since=after) if self.matches(sa, cmd.topic)}
        # The channel's own filters (topics, keywords, types, minimum importance) as its scheduled digest
        # applies them, then the topic asked; what they leave out is counted, so nothing vanishes unsaid.
        everything = ChannelConfig(output=ctx.adapter, id=ctx.channel, language=lang)
        plan = subs.channel_plan(self.config, self.store, ctx.adapter, ctx.channel)
        filters = (plan.digest or plan.alerts or plan.base) if plan is not None else everything
        filters = dataclasses.replace(filters, language=lang)
        all_entries = [e for e in digest_entries(self.store, self.config, everything, since=after, until=now)
                       if (e.story_id, e.alert) in wanted]
        kept = {(e.story_id, e.alert)
                for e in digest_entries(self.store, self.config, filters, since=after, until=now)}
        entries = [dataclasses.replace(e, story_lang=self._story_lang(e.story_id))
                   for e in all_entries if (e.story_id, e.alert) in kept]
        tz = self.timezone(ctx)
        local = after.astimezone(tz)
        more = " ".join([f"{self.prefix(ctx)} digest", echo(cmd.topic or ""),
                         f"--since {local.strftime('%Y-%m-%dT%H:%M')}"])
        message = build_digest(entries, lang=lang, since=local, now=now.astimezone(tz),
                               more_command=more.replace("  ", " "))
        if cmd.topic:
            message = dataclasses.replace(message, headline=f"{message.headline} — {echo(cmd.topic)}")
        left_out = len(all_entries) - len(entries)
        if left_out:
            note = _rich(t(lang, "cmd_filtered", n=left_out, cmd=f"{self.prefix(ctx)} subscriptions"))
            message = dataclasses.replace(message, lines=(*message.lines, note))
        return message

    def _story_lang(self, story_id: int | None) -> str | None:
        if story_id is None:
            return None
        articles = self.store.articles_of_story(story_id)
        return articles[0].lang if articles else None

    def _search(self, terms: str, lang: str) -> Message:
        hits = search(self.store, terms)
        lines: list[Line] = []
        for hit in hits:
            ref = f"  [S{hit.story_id}]" if hit.story_id is not None else ""
            if hit.kind == "alert" and hit.alert is not None:
                ref = f"  [A{hit.id}" + (f" · S{hit.story_id}]" if hit.story_id is not None else "]")
                lines.append(Line.of(Span(headline(hit.alert, lang), "bold"), Span(ref, "code")))
                src_lang = self._article_lang_of_alert(hit.id)
            else:
                art = self.store.article(hit.id)
                src_lang = art.lang if art else None
                lines.append(Line.of(Span(hit.title or hit.outlet or "?", "bold", lang=src_lang),
                                     f" — {hit.outlet}" if hit.outlet else "", Span(ref, "code")))
            lines.append(Line(tuple(Span(text, "bold" if matched else "italic", lang=src_lang)
                                    for text, matched in hit.snippet)))
        if not lines:
            lines.append(Line.of(t(lang, "cmd_no_results", terms=echo(terms))))
        return Message(headline=t(lang, "cmd_search", terms=echo(terms)), lines=tuple(lines), lang=lang,
                       meta={"type": "search"})

    def _article_lang_of_alert(self, alert_id: int) -> str | None:
        stored = self.store.alert(alert_id)
        article = self.store.article(stored.article_id) if stored else None
        return article.lang if article else None

    def _story(self, ref: c.Ref, lang: str) -> Message:
        story_id, _ = self.resolve(ref)
        facts = self.story_facts(story_id) if story_id is not None else None
        if facts is None:
            return self._error(lang, t(lang, "cmd_no_story", ref=ref.label))
        lines: list[Line] = []
        if facts.title:
            first = facts.sources[0].lang if facts.sources else None
            lines.append(Line.of(Span(facts.title, "italic", lang=first)))
        lines.append(Line.of(Span(t(lang, "cmd_articles"), "bold")))
        lines.extend(citation(src, lang) for src in facts.sources)
        lines.append(Line.of(Span(t(lang, "cmd_alerts"), "bold")))
        for f in facts.facts:
            stored = self.store.alert(f.alert_id)
            if stored is not None:
                lines.append(self._line(stored, lang))
        return Message(headline=f"{t(lang, 'story')} S{facts.story_id}", lines=tuple(lines), lang=lang,
                       meta={"type": "story", "story_id": str(facts.story_id)})

    # --- subscriptions ------------------------------------------------------------------------

    def _known_topics(self) -> dict[str, str]:
        """Folded form -> spelling of every topic the bot knows: source tags, channel topics, story topics."""
        topics = {fold(tag): tag for src in self.config.sources for tag in src.tags}
        topics.update({fold(x): x for ch in self.config.channels for x in ch.topics})
        with self.store.tx() as conn:
            topics.update({fold(x): x for x in conn.execute(select(s.stories.c.topic).distinct()).scalars() if x})
        return topics

    def _kind(self, kind: str | None, value: str) -> tuple[str, str]:
        """The kind of a subscription and its value; a topic named in the other language becomes the known one."""
        known = self._known_topics()
        topic = next((known[form] for form in equivalents(value) if form in known), None)
        if kind == "topic" or (kind is None and topic is not None):
            return "topic", topic or value
        if kind is None and fold(value) in ALERT_TYPE_NAMES:
            return "type", fold(value)
        return kind or "keyword", value

    def _sub_message(self, lang: str, text: str, name: str) -> Message:
        return Message(headline=t(lang, "cmd_subscriptions"), lines=(Line.of(text),), lang=lang, meta={"type": name})

    def _subscribe(self, cmd: c.Subscribe, ctx: ChatContext) -> Message:
        lang = ctx.lang
        kind, value = self._kind(cmd.kind, cmd.value)
        mode = cmd.mode or "both"
        before = subs.list_subscriptions(self.store, ctx.adapter, ctx.channel)
        try:
            made = subs.subscribe(self.store, ctx.adapter, ctx.channel, kind, value, mode, ctx.user, now=self.clock())
        except subs.SubscriptionError as exc:
            return self._error(lang, str(exc))
        label = t(lang, f"the_kind_{kind}")  # with its article: "le sujet", "l'importance minimale"
        if any(b.kind == made.kind and b.value == made.value and b.mode == made.mode for b in before):
            return self._sub_message(lang, t(lang, "cmd_already_subscribed", kind=label, value=echo(made.value)),
                                     "subscribe")
        text = t(lang, "cmd_subscribed", kind=label, value=echo(made.value))
        if made.mode != "both":
            text += f" ({t(lang, 'mode_' + made.mode)})"
        return self._sub_message(lang, text, "subscribe")

    def _unsubscribe(self, cmd: c.Unsubscribe, ctx: ChatContext) -> Message:
        lang = ctx.lang
        kinds = [cmd.kind] if cmd.kind else list(subs.KINDS)
        forms = equivalents(cmd.value)
        removed = False
        for sub in subs.list_subscriptions(self.store, ctx.adapter, ctx.channel):
            if sub.kind in kinds and (fold(sub.value) in forms if sub.kind == "topic" else
                                      fold(sub.value) == fold(cmd.value)):
                try:
                    removed |= subs.unsubscribe(self.store, ctx.adapter, ctx.channel, sub.kind, sub.value,
                                                cmd.mode or "both", ctx.user)
                except subs.SubscriptionError as exc:
                    return self._error(lang, str(exc))
        if removed:
            return self._sub_message(lang, t(lang, "cmd_unsubscribed", value=echo(cmd.value)), "unsubscribe")
        configured = [x for x in subs.channel_subscriptions(self.config, self.store, ctx.adapter, ctx.channel)
                      if x.created_by == "config" and x.kind in kinds and fold(x.value) in forms | {fold(cmd.value)}]
        key = "cmd_sub_in_config" if configured else "cmd_not_subscribed"
        return self._sub_message(lang, t(lang, key, value=echo(cmd.value)), "unsubscribe")

    def _subscriptions(self, ctx: ChatContext) -> Message:
        lang = ctx.lang
        lines = []
        for sub in subs.channel_subscriptions(self.config, self.store, ctx.adapter, ctx.channel):
            notes = [t(lang, "mode_" + sub.mode)] if sub.mode != "both" else []
            if sub.created_by == "config":
                notes.append(t(lang, "from_config"))
            lines.append(Line.of(Span(label(lang, 'kind_' + sub.kind), "bold"), sub.value,
                                 f" ({'; '.join(notes)})" if notes else ""))
        if not lines:
            lines.append(Line.of(t(lang, "cmd_no_subscriptions")))
        return Message(headline=t(lang, "cmd_subscriptions"), lines=tuple(lines), lang=lang,
                       meta={"type": "subscriptions"})

    # --- sources ------------------------------------------------------------------------------

    def _sources(self, lang: str) -> Message:
        lines: list[Line] = []
        listed: list[tuple[str, str, str | None]] = [
            (src.name, redact_url(src.url) if src.url else src.path or "", None) for src in self.config.sources]
        listed += [(d["name"], redact_url(d["url"]), d.get("added_by")) for d in added_source_records(self.store)]
        for name, where, added_by in listed:
            state = self.store.source_state(name)
            parts = [t(lang, "cmd_last_success", when=_when(state.last_success_at)) if state.last_success_at
                     else t(lang, "cmd_never")]
            if state.failures:
                parts.append(t(lang, "cmd_failures", n=state.failures))
            elif state.last_success_at:
                parts.append(t(lang, "cmd_healthy"))
            if added_by:
                parts.append(t(lang, "cmd_added_by", who=added_by))
            lines.append(Line.of(Span(name, "bold"), f" ({where}) — " + "; ".join(parts)))
            if state.last_error:
                # Redacted again here: errors stored before redaction existed may still hold a secret.
                lines.append(Line.of(f"   {label(lang, 'cmd_last_error')}",
                                     Span(redact_urls(state.last_error), "code")))
        if not lines:
            lines.append(Line.of(t(lang, "cmd_no_sources")))
        return Message(headline=t(lang, "cmd_sources"), lines=tuple(lines), lang=lang, meta={"type": "sources"})

    async def _sources_add(self, cmd: c.SourcesAdd, ctx: ChatContext) -> Message:
        lang = ctx.lang
        # The poller fetches added sources and /news search shows what it read to everybody: a URL
        # inside the bot's own network (loopback, private, metadata) is refused unless fetch.allow_private.
        try:
            await guard_url(cmd.url, self.config.fetch.allow_private, allow_unresolved=True)
        except BlockedURL as exc:
            log.info("sources add %s refused: %s", redact_url(cmd.url), redact_urls(str(exc)))
            return self._error(lang, t(lang, "cmd_url_refused", error=redact_urls(str(exc))))
        host = urlsplit(cmd.url).hostname or "source"
        name = cmd.source_name or re.sub(r"^www\.", "", host)
        taken = {fold(src.name) for src in self.config.sources} | {fold(d["name"])
                                                                  for d in added_source_records(self.store)}
        if fold(name) in taken:
            return self._error(lang, t(lang, "cmd_source_exists", name=echo(name)))
        kind = "feed" if re.search(r"(rss|atom|feed|\.xml)(\b|$)", cmd.url, re.IGNORECASE) else "page"
        record = {"name": name, "url": cmd.url, "type": kind, "added_by": ctx.user,
                  "added_at": utcnow().isoformat(timespec="seconds"), "adapter": ctx.adapter, "channel": ctx.channel}
        forget_source(self.store, name)  # state left by an earlier source of this name (removed by hand?)
        self.store.set_state(SOURCE_KEY + name, json.dumps(record, ensure_ascii=False))
        return Message(headline=t(lang, "cmd_sources"), lines=(Line.of(t(lang, "cmd_source_added", name=echo(name),
                                                                              url=echo(redact_url(cmd.url), 200))),),
                       lang=lang, meta={"type": "sources add"})

    def _sources_remove(self, cmd: c.SourcesRemove, lang: str) -> Message:
        name = cmd.source_name
        if any(fold(src.name) == fold(name) for src in self.config.sources):
            return self._error(lang, t(lang, "cmd_source_in_config", name=echo(name)))
        record = next((d for d in added_source_records(self.store) if fold(d["name"]) == fold(name)), None)
        if record is None:
            return self._error(lang, t(lang, "cmd_source_unknown", name=echo(name)))
        with self.store.tx() as conn:
            conn.execute(delete(s.kv).where(s.kv.c.key == SOURCE_KEY + record["name"]))
        forget_source(self.store, record["name"])
        return Message(headline=t(lang, "cmd_sources"),
                       lines=(Line.of(t(lang, "cmd_source_removed", name=record["name"])),),
                       lang=lang, meta={"type": "sources remove"})

    # --- read ---------------------------------------------------------------------------------

    def process(self, article: Article) -> list[int]:
        if self._process is None:
            from bot.service.pipeline import Pipeline

            self._process = Pipeline(self.config, self.store, {}).process
        return self._process(article)

    async def _read(self, url: str, lang: str) -> Message:
        try:
            article = await self.read_url(url)
        except Exception as exc:  # refused by the guard, or the page could not be fetched
            log.info("read %s failed: %s", url, exc)
            error = redact_urls(str(exc)) or type(exc).__name__
            return self._error(lang, t(lang, "cmd_read_failed", url=echo(redact_url(url)), error=error))
        if not article.url:
            article = dataclasses.replace(article, url=url)
        if article.source == "unknown":
            article = dataclasses.replace(article, source="read")
        known = self.store.article_by_hash(article.content_hash)
        fresh = self.process(article)
        lines: list[Line] = []
        if article.title:
            lines.append(Line.of(Span(article.title, "italic", lang=article.lang)))
        if known is not None and not fresh:
            lines.append(Line.of(t(lang, "cmd_read_known")))
        lines.append(Line.of(t(lang, "cmd_read_alerts", n=len(fresh))))
        for alert_id in fresh:
            stored = self.store.alert(alert_id)
            if stored is not None:
                lines.append(self._line(stored, lang))
        return Message(headline=t(lang, "cmd_read_done", title=urlsplit(url).hostname or url), lines=tuple(lines),
                       lang=lang, meta={"type": "read"})


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def added_source_records(store: Store) -> list[dict[str, Any]]:
    """Sources added with `sources add`, as stored (kv `source:NAME` -> JSON)."""
    with store.tx() as conn:
        rows = conn.execute(select(s.kv.c.value).where(s.kv.c.key.startswith(SOURCE_KEY, autoescape=True))
                            .order_by(s.kv.c.key)).scalars().all()
    out = []
    for value in rows:
        try:
            data = json.loads(value)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict) and data.get("name") and data.get("url"):
            out.append(data)
    return out


def added_sources(store: Store, *, interval_s: int = 900) -> list[SourceConfig]:
    """Sources added by command, as `SourceConfig`s the pipeline can poll beside the configured ones."""
    return [SourceConfig(name=d["name"], type=d.get("type", "page"), url=d["url"], interval_s=interval_s)
            for d in added_source_records(store)]


def conversation_for(app: App) -> Conversation:
    """The conversation the chat adapters of a running app call into (`read URL` files through its pipeline)."""
    return NewsConversation(app.store, app.config, process=app.pipeline.process)


__all__ = ["NewsConversation", "UrlReader", "added_source_records", "added_sources",
           "conversation_for", "default_reader"]
