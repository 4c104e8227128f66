"""`read URL`: one page read now (through the ingestion's guarded reader), filed like any article, and
the alerts it gave shown."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from urllib.parse import urlsplit

from bot.chat.base import ChatContext
from bot.config import Config
from bot.core import commands as c
from bot.core.i18n import echo, t
from bot.core.models import Article, Line, Message, Span
from bot.ingest.reader import read_url as guarded_read_url
from bot.ingest.urls import redact_url, redact_urls
from bot.service.handlers.base import Env, UrlReader, alert_line, error
from bot.store.readmodels import read_alerts

log = logging.getLogger(__name__)


def default_reader(config: Config) -> UrlReader:
    """`read URL` through the ingestion's guarded reader: private and loopback hosts refused, each redirect
    checked, the body capped (see bot.ingest.reader and bot.ingest.guard)."""

    async def read(url: str) -> Article:
        return await guarded_read_url(url, config.fetch.allow_private, fetch=config.fetch)

    return read


def process(env: Env, article: Article) -> list[int]:
    """File an article as a poll would; without a pipeline given (the console, `ask`), one of our own."""
    if env.process is None:
        from bot.service.pipeline import Pipeline  # only when a page is read: it loads the extractors

        env.process = Pipeline(env.config, env.store, {}).process
    return env.process(article)


async def read(cmd: c.Read, env: Env, ctx: ChatContext) -> Message:
    lang, url = ctx.lang, cmd.url
    try:
        article = await env.read_url(url)
    except Exception as exc:  # refused by the guard, or the page could not be fetched
        log.info("read %s failed: %s", redact_url(url), redact_urls(str(exc)))
        return error(lang, t(lang, "cmd_read_failed", url=echo(redact_url(url)), error=redact_urls(str(exc))
                             or type(exc).__name__))
    if not article.url:
        article = dataclasses.replace(article, url=url)
    if article.source == "unknown":
        article = dataclasses.replace(article, source="read")
    known = await env.store.run(env.store.article_by_hash, article.content_hash)
    # Extraction and filing: CPU and store work, in a worker thread (the pipeline's own calls are its).
    fresh = await asyncio.to_thread(process, env, article)
    lines: list[Line] = []
    if article.title:
        lines.append(Line.of(Span(article.title, "italic", lang=article.lang)))
    if known is not None and not fresh:
        lines.append(Line.of(t(lang, "cmd_read_known")))
    lines.append(Line.of(t(lang, "cmd_read_alerts", n=len(fresh))))
    views = await env.store.run(read_alerts, env.store, ids=fresh, carriers=False) if fresh else []
    by_id = {v.id: v for v in views}
    lines.extend(alert_line(env.store, v, lang, {v.article_id: v.article_lang}) for v in
                 (by_id[i] for i in fresh if i in by_id))
    return Message(headline=t(lang, "cmd_read_done", title=urlsplit(url).hostname or url), lines=tuple(lines),
                   lang=lang, meta={"type": "read"})
