"""RSS and Atom feeds: fetched bytes in, entries out. feedparser never fetches anything itself.

Malformed feeds are read as far as feedparser can (it sets `bozo`); a body with no entries that is
not recognisable as a feed is an error for the source. Each entry gets a stable key within its
source: the entry id (guid), else its normalised link, else a hash of title and summary.

Dates: feedparser's, else `bot.ingest.feed_dates` (month names of every lexicon: `08 avr. 2019`);
a date after the fetch time is the fetch time (a pubDate in 2099 would otherwise sort first forever).
Two entries with one key (a guid listed twice): the newest is kept (the first on a tie or when
undated), and the feed's duplicates are logged in one line.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import hashlib
import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import feedparser
import feedparser.api

from bot.config import SourceConfig
from bot.core.models import Article, fold
from bot.ingest.feed_dates import parse_feed_date
from bot.ingest.text import fragment_to_text, lang_code
from bot.ingest.urls import normalize_url

log = logging.getLogger(__name__)

# feedparser asks xml.sax for libxml2's driver first, which is not installed: a failed import is not
# remembered, so every parse searched the whole import path for it again (nine tenths of a small feed's
# parse, under the import lock when threads parse at once). Expat, xml.sax's default, parses either way.
feedparser.api.PREFERRED_XML_PARSERS = []


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
    for name in ("published", "updated", "created"):
        # dict.get: FeedParserDict.get maps updated_parsed to published_parsed with a warning.
        value = dict.get(entry, f"{name}_parsed") if isinstance(entry, dict) else None
        if value:
            try:
                return dt.datetime.fromtimestamp(calendar.timegm(value), dt.UTC)
            except (OverflowError, ValueError, TypeError):
                pass
        raw = dict.get(entry, name) if isinstance(entry, dict) else None
        if isinstance(raw, str) and raw.strip():
            # feedparser reads English month names only: `lun., 08 avr. 2019` is left to us.
            when = parse_feed_date(raw)
            if when is not None:
                return when
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


def parse_feed(
    data: bytes, *, source: SourceConfig, url: str, headers: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> list[Entry]:
    """Entries of a feed body, in feed order, one per key, dated no later than `now` (the fetch time;
    the real time when not given). Raises FeedError when the body is not a feed at all."""
    now = now or dt.datetime.now(dt.UTC)
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    response_headers.setdefault("content-location", url)
    # A BytesIO, never the bytes: feedparser would take a short bytes body for a path to open.
    # Every text goes through fragment_to_text (tags and scripts out, links unused): feedparser's own
    # HTML sanitizing and link resolving inside content would be undone, at 40% of the parse.
    parsed = feedparser.parse(io.BytesIO(data), response_headers=response_headers, resolve_relative_uris=False,
                              sanitize_html=False)
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
    future = 0
    for item in entries:
        try:
            entry = _entry(item, source, feed_lang)
        except Exception as exc:  # one odd entry must not lose the others
            log.info("source %r: entry skipped (%s: %s)", source.name, exc.__class__.__name__, exc)
            continue
        if entry.published is not None and entry.published > now:
            future += 1
            entry = dataclasses.replace(entry, published=now, article=dataclasses.replace(
                entry.article, published=now.date()))
        out.append(entry)
    if future:
        log.info("source %r: %d entr%s dated in the future; dated at the fetch time instead",
                 source.name, future, "y" if future == 1 else "ies")
    return one_per_key(out, source.name)


def one_per_key(entries: list[Entry], source: str) -> list[Entry]:
    """Entries with distinct keys, in feed order: of entries sharing a key, the newest (the first on a
    tie or undated). A feed listing a guid twice usually lists an updated version beside the old one."""
    kept: dict[str, Entry] = {}
    dupes: list[str] = []
    for entry in entries:
        other = kept.get(entry.key)
        if other is None:
            kept[entry.key] = entry
            continue
        dupes.append(entry.key)
        if entry.published is not None and (other.published is None or entry.published > other.published):
            kept[entry.key] = entry
    if dupes:
        log.info("source %r: %d duplicate entr%s in the feed (e.g. %s); kept the newest of each",
                 source, len(dupes), "y" if len(dupes) == 1 else "ies", dupes[0])
    chosen = {id(e) for e in kept.values()}
    return [e for e in entries if id(e) in chosen]


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
