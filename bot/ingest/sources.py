"""Read a configured source: local files and folders from disk, feeds and pages over HTTP.

`SourceReader.list_entries` says what a source lists now (with conditional GET for feeds and
pages); `SourceReader.complete` turns one entry into the article to store, fetching the linked
page when a feed gives only a short summary. Which entries are new is the pipeline's business.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import SourceConfig
from bot.core.models import Article
from bot.ingest.feeds import Entry, FeedError, parse_feed
from bot.ingest.fetch import Fetcher, FetchError
from bot.ingest.files import read_articles
from bot.ingest.pages import NotAnArticle, extract_fetched
from bot.ingest.urls import normalize_url, redact_url

log = logging.getLogger(__name__)

# A feed entry whose own text is shorter than this is completed from its linked page.
FULL_TEXT_BELOW = 500
LOCAL_TYPES = ("file", "folder")
REMOTE_TYPES = ("feed", "page")


class SourceError(Exception):
    """A source that could not be read this time; the message names the source."""


def read_local_source(source: SourceConfig) -> list[Article]:
    assert source.path is not None
    path = Path(source.path)
    if not path.exists():
        raise SourceError(f"source {source.name!r}: {path} does not exist")
    out = []
    for article in read_articles(path, source=source.name):
        # The source's name identifies where an article came from; its language is the default.
        out.append(dataclasses.replace(
            article, source=source.name, lang=article.lang or source.lang, outlet=article.outlet or source.name))
    return out


@dataclass
class Listing:
    """What a source lists now; `not_modified` when the server answered 304."""

    entries: list[Entry] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


class SourceReader:
    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher

    async def list_entries(
        self, source: SourceConfig, *, etag: str | None = None, last_modified: str | None = None,
    ) -> Listing:
        """Entries the source lists now. Raises SourceError (naming the source) when it cannot be read."""
        if source.type in LOCAL_TYPES:
            articles = await asyncio.to_thread(read_local_source, source)
            return Listing([Entry(key=f"file:{a.id}"[:500], article=a, link=a.url) for a in articles])
        if source.type not in REMOTE_TYPES or not source.url:
            raise SourceError(f"source {source.name!r}: type {source.type!r} is not supported")
        try:
            # Every hop is guarded, whoever configured the source: a feed redirecting to a metadata or
            # loopback address is refused unless fetch.allow_private (the guard's own default) is on.
            result = await self.fetcher.get(source.url, etag=etag, last_modified=last_modified, guard=True)
        except FetchError as exc:
            raise SourceError(f"source {source.name!r}: {exc}") from None
        new_etag, new_modified = result.etag or etag, result.last_modified or last_modified
        if result.not_modified:
            return Listing([], new_etag, new_modified, not_modified=True)
        if result.truncated:
            log.warning("source %r: %s is larger than fetch.max_bytes (%d); the rest was not read",
                        source.name, redact_url(source.url), self.fetcher.config.max_bytes)
        if source.type == "feed":
            try:
                # The configured URL, not the final one: relative ids resolve the same after a redirect.
                entries = await asyncio.to_thread(
                    parse_feed, result.content, source=source, url=source.url, headers=result.headers)
            except FeedError as exc:
                raise SourceError(str(exc)) from None
            return Listing(entries, new_etag, new_modified)
        try:
            article = await extract_fetched(result, source=source.name, lang=source.lang, url=source.url)
        except NotAnArticle as exc:
            log.warning("source %r: %s; nothing stored", source.name, exc)
            return Listing([], new_etag, new_modified)
        # A page source is one URL whose content changes: each version is its own entry and article
        # (the fragment keeps versions apart in the store, which keys articles by URL).
        version = article.content_hash[:16]
        norm = normalize_url(source.url)
        key = f"page:{norm}#{version}"[:500]
        article = dataclasses.replace(article, id=key, url=f"{norm}#v{version}")
        return Listing([Entry(key=key, article=article, link=norm)], new_etag, new_modified)

    async def complete(self, source: SourceConfig, entry: Entry) -> Article | None:
        """The article to store for an entry, or None (logged) when it has no text at all."""
        article = entry.article
        if source.type == "feed" and entry.link and len(article.text) < FULL_TEXT_BELOW:
            # Links come from the feed's content, not from the admin: the URL guard applies.
            try:
                result = await self.fetcher.get(entry.link, guard=True)
                page = await extract_fetched(result, source=source.name, key=entry.key, url=entry.link)
            except (FetchError, NotAnArticle) as exc:
                log.info("source %r: full text of %s not read (%s); using the feed's summary",
                         source.name, entry.link, exc)
            else:
                if len(page.text) > len(article.text):
                    article = dataclasses.replace(
                        article, text=page.text, title=article.title or page.title,
                        lang=article.lang or page.lang, published=article.published or page.published)
        if not article.text.strip():
            log.info("source %r: entry %s has no text; skipped", source.name, entry.key)
            return None
        return article

    async def collect(self, source: SourceConfig) -> list[Article]:
        """Every article the source lists now, with no regard to what was seen before."""
        listing = await self.list_entries(source)
        done = await asyncio.gather(*(self.complete(source, e) for e in listing.entries))
        return [a for a in done if a is not None]


def latest_entries(entries: list[Entry], n: int) -> list[Entry]:
    """The `n` newest entries: by date when entries carry one (undated last), else in feed order."""
    if n <= 0:
        return []
    if any(e.published is not None for e in entries):
        dated = [(e.published, e) for e in entries if e.published is not None]
        dated.sort(key=lambda pair: pair[0], reverse=True)
        return ([e for _, e in dated] + [e for e in entries if e.published is None])[:n]
    return entries[:n]
