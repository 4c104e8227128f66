"""Read a configured source: local files and folders from disk, feeds and pages over HTTP.

`SourceReader.list_entries` says what a source lists now (with conditional GET for feeds and
pages; for files and folders, only the files new or changed since the last poll, when the reader
has a store); `SourceReader.complete` turns one entry into the article to store, fetching the
linked page when a feed gives only a short summary, settling its language from its text and
dating it no later than now. Which entries are new is the pipeline's business.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import SourceConfig
from bot.core.models import Article
from bot.ingest.feeds import Entry, FeedError, parse_feed
from bot.ingest.fetch import Fetcher, FetchError, FetchResult
from bot.ingest.files import DEFAULT_MAX_BYTES, FolderScan, read_articles, scan
from bot.ingest.lang import settle_language
from bot.ingest.pages import NotAnArticle, extract_fetched
from bot.ingest.urls import normalize_url, redact_url
from bot.store import SourceState, Store, utcnow
from bot.store.files_state import file_states, save_file_states

log = logging.getLogger(__name__)

# A feed entry whose own text is shorter than this is completed from its linked page.
FULL_TEXT_BELOW = 500
LOCAL_TYPES = ("file", "folder")
REMOTE_TYPES = ("feed", "page")


# Longest quiet a server's Retry-After can impose (the backoff's own cap, or the interval if longer).
MAX_RETRY_AFTER_S = 86400


class SourceError(Exception):
    """A source that could not be read this time; the message names the source. `retry_after`: seconds
    the server asked us to wait before the next request (429/503 with Retry-After), else None."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _as_source(article: Article, source: SourceConfig) -> Article:
    # The source's name identifies where an article came from; its language is the default.
    return dataclasses.replace(
        article, source=source.name, lang=article.lang or source.lang, outlet=article.outlet or source.name)


def read_local_source(source: SourceConfig, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Article]:
    """Every article of a file or folder source, whatever was read before."""
    assert source.path is not None
    path = Path(source.path)
    if not path.exists():
        raise SourceError(f"source {source.name!r}: {path} does not exist")
    return [_as_source(a, source) for a in read_articles(
        path, source=source.name, max_bytes=max_bytes, skip_bad_lines=True)]


def scan_local_source(source: SourceConfig, store: Store, *, max_bytes: int = DEFAULT_MAX_BYTES) -> FolderScan:
    """The articles of the files of a file or folder source that are new or changed since the files
    remembered in `store` (blocking: file reads and queries; run it in a worker thread)."""
    assert source.path is not None
    path = Path(source.path)
    if not path.exists():
        raise SourceError(f"source {source.name!r}: {path} does not exist")
    found = scan(path, source=source.name, known=file_states(store, source.name), max_bytes=max_bytes)
    found.articles = [_as_source(a, source) for a in found.articles]
    if found.unchanged:
        log.debug("source %r: %d unchanged file(s) not read again", source.name, found.unchanged)
    return found


def respect_retry_after(
    store: Store, source: SourceConfig, state: SourceState, error: BaseException, now: dt.datetime,
) -> SourceState:
    """After a failed poll (`state` as the failure left it): when the server asked for a delay
    (Retry-After), the next try is not before it, however short the backoff. Returns the state saved."""
    wait = getattr(error, "retry_after", None)
    if wait is None:
        return state
    not_before = now + dt.timedelta(seconds=min(float(wait), max(MAX_RETRY_AFTER_S, source.interval_s)))
    if state.next_retry_at is not None and state.next_retry_at >= not_before:
        return state
    state = dataclasses.replace(state, next_retry_at=not_before)
    store.save_source_state(state)
    log.info("source %r: the server asked to wait %g s (Retry-After); next try at %s",
             source.name, wait, not_before.isoformat(timespec="seconds"))
    return state


@dataclass
class Listing:
    """What a source lists now; `not_modified` when the server answered 304."""

    entries: list[Entry] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    # Called (blocking) once the entries are stored: remembers the files read, so the next poll skips
    # them. Not called, the files are simply read again (and the store's keys dedup their articles).
    commit: Callable[[], None] | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """What a source answered, not yet read: a remote source's fetched listing (`result`), a local
    source's scanned files (`listing`). See `SourceReader.ask` and `read`."""

    source: SourceConfig
    fetched_at: dt.datetime
    result: FetchResult | None = None
    listing: Listing | None = None
    etag: str | None = None
    last_modified: str | None = None


class SourceReader:
    """`store`: remembers the files of local sources (without one, every poll reads every file).
    `clock`: the fetch time future dates are clamped to."""

    def __init__(
        self, fetcher: Fetcher, *, store: Store | None = None, clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.fetcher = fetcher
        self.store = store
        self.clock = clock

    async def list_entries(
        self, source: SourceConfig, *, etag: str | None = None, last_modified: str | None = None,
    ) -> Listing:
        """Entries the source lists now. Raises SourceError (naming the source) when it cannot be read."""
        return await self.read(await self.ask(source, etag=etag, last_modified=last_modified))

    async def ask(
        self, source: SourceConfig, *, etag: str | None = None, last_modified: str | None = None,
    ) -> Answer:
        """The source's answer, unread: its listing fetched (a local source: its files scanned). The wait
        for the network is here, the CPU of parsing in `read`. Raises SourceError (naming the source)."""
        if source.type in LOCAL_TYPES:
            return Answer(source, self.clock(), listing=await asyncio.to_thread(self._list_local, source))
        if source.type not in REMOTE_TYPES or not source.url:
            raise SourceError(f"source {source.name!r}: type {source.type!r} is not supported")
        fetched_at = self.clock()
        try:
            # Every hop is guarded, whoever configured the source: a feed redirecting to a metadata or
            # loopback address is refused unless fetch.allow_private (the guard's own default) is on.
            result = await self.fetcher.get(source.url, etag=etag, last_modified=last_modified, guard=True)
        except FetchError as exc:
            raise SourceError(f"source {source.name!r}: {exc}", retry_after=exc.retry_after) from None
        return Answer(source, fetched_at, result=result, etag=result.etag or etag,
                      last_modified=result.last_modified or last_modified)

    async def read(self, answer: Answer) -> Listing:
        """The entries of an answer (a feed parsed, a page extracted). Raises SourceError."""
        if answer.listing is not None:
            return answer.listing
        source, result = answer.source, answer.result
        if result is None or not source.url:
            raise SourceError(f"source {source.name!r}: nothing was fetched")
        new_etag, new_modified = answer.etag, answer.last_modified
        if result.not_modified:
            return Listing([], new_etag, new_modified, not_modified=True)
        if result.truncated:
            log.warning("source %r: %s is larger than fetch.max_bytes (%d); the rest was not read",
                        source.name, redact_url(source.url), self.fetcher.config.max_bytes)
        if source.type == "feed":
            try:
                # The configured URL, not the final one: relative ids resolve the same after a redirect.
                entries = await asyncio.to_thread(
                    parse_feed, result.content, source=source, url=source.url, headers=result.headers,
                    now=answer.fetched_at)
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

    def _list_local(self, source: SourceConfig) -> Listing:
        max_bytes = self.fetcher.config.max_bytes
        if self.store is None:
            articles = read_local_source(source, max_bytes=max_bytes)
            return Listing([Entry(key=f"file:{a.id}"[:500], article=a, link=a.url) for a in articles])
        store = self.store
        found = scan_local_source(source, store, max_bytes=max_bytes)
        entries = [Entry(key=f"file:{a.id}"[:500], article=a, link=a.url) for a in found.articles]

        def commit() -> None:
            save_file_states(store, source.name, found.changed, found.present, self.clock())

        return Listing(entries, commit=commit)

    async def complete(self, source: SourceConfig, entry: Entry) -> Article | None:
        """The article to store for an entry, or None (logged) when it has no text at all. Its language
        is the text's when that clearly differs from the declared one; a date after now becomes today."""
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
        today = self.clock().date()
        if article.published is not None and article.published > today:
            log.info("source %r: entry %s dated %s, in the future; dated today instead",
                     source.name, entry.key, article.published.isoformat())
            article = dataclasses.replace(article, published=today)
        return await asyncio.to_thread(settle_language, article)

    async def collect(self, source: SourceConfig) -> list[Article]:
        """Every article the source lists now, with no regard to what was seen before (every file of a
        local source, whether or not it changed since the last poll)."""
        if source.type in LOCAL_TYPES:
            max_bytes = self.fetcher.config.max_bytes
            articles = await asyncio.to_thread(read_local_source, source, max_bytes=max_bytes)
            listing = Listing([Entry(key=f"file:{a.id}"[:500], article=a, link=a.url) for a in articles])
        else:
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
