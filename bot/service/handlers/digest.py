"""`digest [TOPIC] [--since 24h]`: the channel's digest on demand, with what its own filters left out counted."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from bot.chat.base import ChatContext
from bot.config import ChannelConfig
from bot.core import commands as c
from bot.core.digest import DigestEntry, EntryReader, build_digest
from bot.core.i18n import echo, t
from bot.core.models import Message
from bot.service import subscriptions as subs
from bot.service.digests import digest_figures, digest_placeholders, entry_of
from bot.service.handlers.base import Env, rich
from bot.service.handlers.listing import matches
from bot.store.readmodels import count_alerts, first_article_langs, read_alerts


def digest(cmd: c.DigestCmd, env: Env, ctx: ChatContext) -> Message:
    lang = ctx.lang
    now = env.clock()
    after = env.after(cmd.since, ctx) or now - dt.timedelta(hours=24)
    # The channel's own filters (topics, keywords, types, minimum importance) as its scheduled digest
    # applies them, then the topic asked; what they leave out is counted, so nothing vanishes unsaid.
    everything = ChannelConfig(output=ctx.adapter, id=ctx.channel, language=lang)
    plan = subs.channel_plan(env.config, env.store, ctx.adapter, ctx.channel)
    filters = dataclasses.replace(
        (plan.digest or plan.alerts or plan.base) if plan is not None else everything, language=lang)
    lazy = digest_placeholders(env.store, filters, since=after, until=now,
                               topics=subs.topics_reader(env.config)) if not cmd.topic else None
    if lazy is not None:
        return _digest_of_placeholders(env, ctx, cmd, lazy, after=after, now=now)
    # One read of the period (alerts with their context), every filter applied to it in memory.
    views = read_alerts(env.store, since=after, until=now)
    topics = subs.topics_reader(env.config)
    asked = [v for v in views if matches(env, v, cmd.topic)]
    kept = [v for v in asked if subs.alert_matches(filters, v.alert, v.importance,
                                                   topics(v) if filters.topics else None)]
    langs = first_article_langs(env.store, {v.story_id for v in kept if v.story_id is not None})
    entries = [entry_of(v, story_lang=langs.get(v.story_id) if v.story_id is not None else None) for v in kept]
    return _message(env, ctx, cmd, entries, None, left_out=len(asked) - len(kept), after=after, now=now)


def _digest_of_placeholders(env: Env, ctx: ChatContext, cmd: c.DigestCmd,
                            lazy: tuple[list[DigestEntry], EntryReader], *, after: dt.datetime,
                            now: dt.datetime) -> Message:
    """No topic asked, a channel filtered by type and importance at most: the entries ordered from their
    columns and only those the digest may show read in full (see `digests.digest_placeholders`)."""
    entries, read = lazy

    def resolve(ids: Sequence[int]) -> dict[int, DigestEntry]:
        found = read(ids)
        langs = first_article_langs(env.store, {e.story_id for e in found.values() if e.story_id is not None})
        return {i: dataclasses.replace(e, story_lang=langs.get(e.story_id) if e.story_id is not None else None)
                for i, e in found.items()}

    left_out = count_alerts(env.store, since=after, until=now) - len(entries)
    return _message(env, ctx, cmd, entries, resolve, left_out=left_out, after=after, now=now)


def _message(env: Env, ctx: ChatContext, cmd: c.DigestCmd, entries: list[DigestEntry], resolve: EntryReader | None,
             *, left_out: int, after: dt.datetime, now: dt.datetime) -> Message:
    lang = ctx.lang
    tz = env.timezone(ctx)
    local = after.astimezone(tz)
    more = " ".join([f"{env.prefix(ctx)} digest", echo(cmd.topic or ""), f"--since {local.strftime('%Y-%m-%dT%H:%M')}"])
    message = build_digest(entries, lang=lang, since=local, now=now.astimezone(tz),
                           more_command=more.replace("  ", " "), figures=digest_figures(env.store), resolve=resolve)
    if cmd.topic:
        message = dataclasses.replace(message, headline=f"{message.headline} — {echo(cmd.topic)}")
    if left_out:
        note = rich(t(lang, "cmd_filtered", n=left_out, cmd=f"{env.prefix(ctx)} subscriptions"))
        message = dataclasses.replace(message, lines=(*message.lines, note))
    return message
