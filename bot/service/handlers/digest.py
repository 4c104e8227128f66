"""`digest [TOPIC] [--since 24h]`: the channel's digest on demand, with what its own filters left out counted."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bot.chat.base import ChatContext
from bot.config import ChannelConfig
from bot.core import commands as c
from bot.core.digest import build_digest
from bot.core.i18n import echo, t
from bot.core.models import Message
from bot.service import subscriptions as subs
from bot.service.digests import digest_entries
from bot.service.handlers.base import Env, rich
from bot.service.handlers.listing import matches, remember_contexts


def digest(cmd: c.DigestCmd, env: Env, ctx: ChatContext) -> Message:
    lang = ctx.lang
    now = env.clock()
    after = env.after(cmd.since, ctx) or now - dt.timedelta(hours=24)
    stored = env.store.alerts(since=after)
    if cmd.topic:
        remember_contexts(env, stored)
    wanted = {(sa.story_id, sa.alert) for sa in stored if matches(env, sa, cmd.topic)}
    # The channel's own filters (topics, keywords, types, minimum importance) as its scheduled digest
    # applies them, then the topic asked; what they leave out is counted, so nothing vanishes unsaid.
    everything = ChannelConfig(output=ctx.adapter, id=ctx.channel, language=lang)
    plan = subs.channel_plan(env.config, env.store, ctx.adapter, ctx.channel)
    filters = (plan.digest or plan.alerts or plan.base) if plan is not None else everything
    filters = dataclasses.replace(filters, language=lang)
    all_entries = [e for e in digest_entries(env.store, env.config, everything, since=after, until=now)
                   if (e.story_id, e.alert) in wanted]
    kept = {(e.story_id, e.alert) for e in digest_entries(env.store, env.config, filters, since=after, until=now)}
    entries = [dataclasses.replace(e, story_lang=_story_lang(env, e.story_id))
               for e in all_entries if (e.story_id, e.alert) in kept]
    tz = env.timezone(ctx)
    local = after.astimezone(tz)
    more = " ".join([f"{env.prefix(ctx)} digest", echo(cmd.topic or ""), f"--since {local.strftime('%Y-%m-%dT%H:%M')}"])
    message = build_digest(entries, lang=lang, since=local, now=now.astimezone(tz),
                           more_command=more.replace("  ", " "))
    if cmd.topic:
        message = dataclasses.replace(message, headline=f"{message.headline} — {echo(cmd.topic)}")
    left_out = len(all_entries) - len(entries)
    if left_out:
        note = rich(t(lang, "cmd_filtered", n=left_out, cmd=f"{env.prefix(ctx)} subscriptions"))
        message = dataclasses.replace(message, lines=(*message.lines, note))
    return message


def _story_lang(env: Env, story_id: int | None) -> str | None:
    if story_id is None:
        return None
    articles = env.store.articles_of_story(story_id)
    return articles[0].lang if articles else None
