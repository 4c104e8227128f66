"""`sources`, `sources add URL` and `sources remove NAME`: the source registry and each source's health.
Adding and removing are for admins: the dispatcher's table says so."""

from __future__ import annotations

import datetime as dt
import logging
import re
from urllib.parse import urlsplit

from bot.chat.base import ChatContext
from bot.core import commands as c
from bot.core.i18n import echo, label, t
from bot.core.models import Line, Message, Span, fold
from bot.ingest.guard import BlockedURL, guard_url
from bot.ingest.state import forget_source
from bot.ingest.urls import redact_url, redact_urls
from bot.service.handlers.base import Env, error
from bot.store import chat_state, utcnow
from bot.store.source_registry import added_source_records, delete_source_record, save_source_record

log = logging.getLogger(__name__)
FEED_URL = re.compile(r"(rss|atom|feed|\.xml)(\b|$)", re.IGNORECASE)  # what makes an added URL a feed


def _when(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def sources(_cmd: c.Sources, env: Env, ctx: ChatContext) -> Message:
    lang = ctx.lang
    lines: list[Line] = []
    listed: list[tuple[str, str, str | None]] = [
        (src.name, redact_url(src.url) if src.url else src.path or "", None) for src in env.config.sources]
    listed += [(d["name"], redact_url(d["url"]), d.get("added_by")) for d in added_source_records(env.store)]
    for name, where, added_by in listed:
        state = env.store.source_state(name)
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
            lines.append(Line.of(f"   {label(lang, 'cmd_last_error')}", Span(redact_urls(state.last_error), "code")))
    if not lines:
        lines.append(Line.of(t(lang, "cmd_no_sources")))
    parked = len(env.store.entry_failures(parked=True))
    if parked:
        lines.append(Line.of(t(lang, "cmd_parked_entries", n=parked)))
    lines += _chat_problems(env, lang)
    return Message(headline=t(lang, "cmd_sources"), lines=tuple(lines), lang=lang, meta={"type": "sources"})


def _chat_problems(env: Env, lang: str) -> list[Line]:
    """Sends the chat refused for good and channels it refuses now: what an admin must fix (invite the
    bot, unarchive the channel, renew the token), shown where sources' health is."""
    problems = [Line.of(t(lang, "cmd_failed_sends", adapter=f.adapter, channel=echo(f.channel), n=f.count,
                          reason=echo(f.reason)))
                for f in chat_state.failed_deliveries(env.store)]
    problems += [Line.of(t(lang, "cmd_channel_refused", adapter=adapter, channel=echo(channel),
                           reason=echo(refusal.reason), when=_when(refusal.until)))
                 for adapter, channel, refusal in chat_state.refused_channels(env.store)]
    return [Line.of(Span(t(lang, "cmd_chat_problems"), "bold")), *problems] if problems else []


async def sources_add(cmd: c.SourcesAdd, env: Env, ctx: ChatContext) -> Message:
    lang = ctx.lang
    # The poller fetches added sources and /news search shows what it read to everybody: a URL
    # inside the bot's own network (loopback, private, metadata) is refused unless fetch.allow_private.
    try:
        await guard_url(cmd.url, env.config.fetch.allow_private, allow_unresolved=True)
    except BlockedURL as exc:
        log.info("sources add %s refused: %s", redact_url(cmd.url), redact_urls(str(exc)))
        return error(lang, t(lang, "cmd_url_refused", error=redact_urls(str(exc))))
    host = urlsplit(cmd.url).hostname or "source"
    name = cmd.source_name or re.sub(r"^www\.", "", host)
    added = await env.store.run(added_source_records, env.store)
    taken = {fold(src.name) for src in env.config.sources} | {fold(d["name"]) for d in added}
    if fold(name) in taken:
        return error(lang, t(lang, "cmd_source_exists", name=echo(name)))
    record = {"name": name, "url": cmd.url, "type": "feed" if FEED_URL.search(cmd.url) else "page",
              "added_by": ctx.user, "added_at": utcnow().isoformat(timespec="seconds"), "adapter": ctx.adapter,
              "channel": ctx.channel}
    await env.store.run(forget_source, env.store, name)  # state left by an earlier source of this name
    await env.store.run(save_source_record, env.store, record)
    text = t(lang, "cmd_source_added", name=echo(name), url=echo(redact_url(cmd.url), 200))
    return Message(headline=t(lang, "cmd_sources"), lines=(Line.of(text),), lang=lang, meta={"type": "sources add"})


def sources_remove(cmd: c.SourcesRemove, env: Env, ctx: ChatContext) -> Message:
    lang, name = ctx.lang, cmd.source_name
    if any(fold(src.name) == fold(name) for src in env.config.sources):
        return error(lang, t(lang, "cmd_source_in_config", name=echo(name)))
    record = next((d for d in added_source_records(env.store) if fold(d["name"]) == fold(name)), None)
    if record is None:
        return error(lang, t(lang, "cmd_source_unknown", name=echo(name)))
    delete_source_record(env.store, record["name"])
    forget_source(env.store, record["name"])
    text = t(lang, "cmd_source_removed", name=record["name"])
    return Message(headline=t(lang, "cmd_sources"), lines=(Line.of(text),), lang=lang, meta={"type": "sources remove"})
