"""RSS and Atom feeds: fetched bytes in, entries out. feedparser never fetches anything itself.

Malformed feeds are read as far as feedparser can (it sets `bozo`); a body with no entries that is
not recognisable as a feed is an error for the source. Each entry gets a stable key within its
source: the entry id (guid), else its normalised link, else a hash of title and summary.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import feedparser

from bot.config import SourceConfig
from bot.core.models import Article, fold
from bot.ingest.text import fragment_to_text, lang_code
from bot.ingest.urls import normalize_url

log = logging.getLogger(__name__)


class FeedError(Exception):
    """A body that is not a readable feed; the message names the source."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One item a source lists now. `article` is what the listing itself says about it."""

    key: str
    article: Article
    link: str | None = None
    published: dt.datetime | None = None


def _when(entry: Any) -> dt.datetime | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: FeedParserDict.get maps updated_parsed to published_parsed with a warning.
        value = dict.get(entry, name) if isinstance(entry, dict) else None
        if value:
            try:
                return dt.datetime.fromtimestamp(calendar.timegm(value), dt.UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _entry_text(entry: Any) -> str:
    candidates: list[str] = []
    for content in entry.get("content") or []:
        value = content.get("value") if isinstance(content, dict) else None
        if isinstance(value, str):
            candidates.append(fragment_to_text(value))
    for name in ("summary", "description"):
        value = entry.get(name)
        if isinstance(value, str):
            candidates.append(fragment_to_text(value))
    return max(candidates, key=len, default="")


def entry_key(entry_id: str | None, link: str | None, title: str | None, text: str) -> str:
    if entry_id and entry_id.strip():
        return f"id:{entry_id.strip()}"[:500]
    if link:
        return f"url:{link}"[:500]
    digest = hashlib.sha1(fold(f"{title or ''}\n{text}").encode()).hexdigest()
    return f"hash:{digest}"


def parse_feed(data: bytes, *, source: SourceConfig, url: str, headers: Mapping[str, str] | None = None) -> list[Entry]:
    """Entries of a feed body, in feed order. Raises FeedError when the body is not a feed at all."""
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    response_headers.setdefault("content-location", url)
    # A BytesIO, never the bytes: feedparser would take a short bytes body for a path to open.
    parsed = feedparser.parse(io.BytesIO(data), response_headers=response_headers, resolve_relative_uris=True)
    entries = list(parsed.get("entries") or [])
    if parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        if not entries and not parsed.get("version"):
            raise FeedError(f"source {source.name!r}: {url} is not a readable feed ({problem})")
        log.info("source %r: feed is malformed (%s); read what could be read", source.name, problem)
    if not entries and not parsed.get("version"):
        raise FeedError(f"source {source.name!r}: {url} is not an RSS or Atom feed")
    feed = parsed.get("feed") or {}
    feed_lang = lang_code(feed.get("language")) or lang_code(response_headers.get("content-language"))
    out: list[Entry] = []
    for item in entries:
        try:
            out.append(_entry(item, source, feed_lang))
        except Exception as exc:  # one odd entry must not lose the others
            log.info("source %r: entry skipped (%s: %s)", source.name, exc.__class__.__name__, exc)
    return out


def _entry(item: Any, source: SourceConfig, feed_lang: str | None) -> Entry:
    title = fragment_to_text(item.get("title")) or None
    text = _entry_text(item)
    raw_link = item.get("link")
    link = normalize_url(raw_link) if isinstance(raw_link, str) and raw_link.startswith(("http://", "https://")) \
        else None
    raw_id = item.get("id")
    key = entry_key(raw_id if isinstance(raw_id, str) else None, link, title, text)
    when = _when(item)
    lang = lang_code(item.get("language")) or feed_lang or source.lang
    article = Article(
        id=key, text=text, title=title, lang=lang,
        published=when.date() if when else None, source=source.name, url=link, outlet=source.name,
    )
    return Entry(key=key, article=article, link=link, published=when)
