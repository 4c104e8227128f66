"""Article in, alerts stored, alerts delivered: the work `run` repeats."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import datetime as dt
import gc
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from bot.chat.base import ChatAdapter
from bot.config import ChannelConfig, Config, SourceConfig
from bot.core.extract import extract_alerts
from bot.core.models import Alert, Article, Message
from bot.ingest.feeds import Entry
from bot.ingest.fetch import Fetcher
from bot.ingest.files import ArticleFileError
from bot.ingest.sources import (
    REMOTE_TYPES,
    Answer,
    Listing,
    SourceError,
    SourceReader,
    latest_entries,
    respect_retry_after,
)
from bot.ingest.state import content_seen, record_failure, succeeded
from bot.ingest.stories import STORY_LOCK, StoryGrouper
from bot.service.delivery import DeliveryReport, deliver_alerts
from bot.service.health import observe_poll
from bot.service.pass_order import PassOrder, answer_size
from bot.service.storylink import EventStories
from bot.service.tallies import store_alerts
from bot.store import SourceState, Store, utcnow
from bot.store.db import is_outage

log = logging.getLogger(__name__)
Extractor = Callable[[Article], list[Alert]]
# Failures of one entry before it is parked (skipped, kept with its error for admins).
PARK_AFTER = 3


@dataclass(frozen=True, slots=True)
class _Asked:
    """A source asked in a poll: its state then, its answer, when."""

    state: SourceState
    answer: Answer
    now: dt.datetime
    remote: bool


@dataclass
class RunReport:
    articles_new: int = 0
    articles_seen: int = 0
    alerts_new: int = 0
    delivered: int = 0
    failed_sources: list[str] = field(default_factory=list)


def _return_freed_memory() -> None:
    """Hand the memory a whole pass freed back to the system before the delivery: the articles and
    indexes were allocated in worker threads, whose heaps glibc keeps otherwise, so the delivery would
    grow the process past them (10,000 articles: peak 298 -> 261 MiB). Nothing to do off glibc."""
    gc.collect()
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


class Pipeline:
    def __init__(
        self, config: Config, store: Store, adapters: Mapping[str, ChatAdapter], *,
        extractor: Extractor = extract_alerts, clock: Callable[[], dt.datetime] = utcnow,
        transport: httpx.AsyncBaseTransport | None = None, fetcher: Fetcher | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.adapters = dict(adapters)
        self.extractor = extractor
        self.clock = clock
        # One HTTP client for every feed and page; `transport` is the httpx seam for tests.
        self.fetcher = fetcher if fetcher is not None else Fetcher(config.fetch, transport=transport)
        self.reader = SourceReader(self.fetcher, store=store, clock=clock)
        self.stories = StoryGrouper(store, topics={s.name: s.tags for s in config.sources}, clock=clock)
        # The grouper gives an article's near-duplicate cluster; `events` the story it is about.
        self.events = EventStories(store, topics={s.name: s.tags for s in config.sources}, clock=clock)
        self._filing: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None

    def _filing_lock(self) -> asyncio.Lock:
        """One article filed at a time across the polls of this pipeline (its event loop's lock).

        Polls run at once for their I/O; their CPU work (extraction, filing) gains nothing from several
        threads under the GIL, and in several threads it fragments memory (a heap per thread: 500 feeds
        polled 50 at a time peaked 70 MiB higher) and contends for the story lock."""
        loop = asyncio.get_running_loop()
        if self._filing is None or self._filing[0] is not loop:
            self._filing = (loop, asyncio.Lock())
        return self._filing[1]

    def process(self, article: Article, report: RunReport | None = None) -> list[int]:
        """Store one article; when it is new, extract and store its alerts. Returns new alert ids.

        Raises when the article cannot be processed (extraction or the store failed): it then stays
        unprocessed, with no alert, and is processed again when it comes back (see `poll`).
        Its story, alerts and processed mark are written in one transaction under the store's story
        lock: articles processed at once (polls in threads, replicas) take turns there, so a fact is
        filed once and a casualty figure is compared with every figure filed before it."""
        report = report if report is not None else RunReport()
        article_id, new = self.store.add_article(article)
        if not new and self.store.is_processed(article_id):
            report.articles_seen += 1
            return []
        alerts = self.extractor(article)  # CPU only, outside the lock
        fresh: list[int] = []
        with self.store.exclusive(STORY_LOCK):
            if not new and self.store.is_processed(article_id):  # processed meanwhile by another poll
                report.articles_seen += 1
                return []
            # A stored but unprocessed article (the process died mid-way) keeps the story it was given.
            stored = None if new else self.store.article(article_id)
            if stored is not None and stored.story_id is not None:
                story_id = stored.story_id
            else:
                cluster_id = self.stories.story_for(article, article_id)
                grouper = self.stories if isinstance(self.stories, StoryGrouper) else None
                opened = grouper is not None and grouper.opened == cluster_id
                story_id = self.events.follow(article, article_id, cluster_id, opened=opened)
                if grouper is not None:  # what this filing wrote, for the grouper's next refresh
                    grouper.filed(self.events.token, {cluster_id, story_id})
            outcomes = store_alerts(  # casualty figures: compared with their series first
                self.store, alerts, article=article, article_id=article_id, story_id=story_id,
                today=self.clock().date())
            fresh += [alert_id for alert_id, is_new in outcomes if is_new]
            self.store.mark_processed(article_id)
        report.articles_new += 1
        report.alerts_new += len(fresh)
        return fresh

    async def collect(self, source: SourceConfig) -> list[Article]:
        """Every article a source lists now, whatever was seen before (no state read or written)."""
        return await self.reader.collect(source)

    async def poll(self, source: SourceConfig, report: RunReport, *, force: bool = False,
                   order: PassOrder | None = None) -> None:
        """`_poll`, timed for the latency histogram of /metrics. `order`, when given, is the pass this
        poll is part of: when the source is asked, when its answer is read (see `ingest_all`).

        The poll counts in a report of its own, added to `report` when it ends: the articles of
        polls running at once are filed in several worker threads, which must not share counters."""
        started = time.perf_counter()
        mine = RunReport()
        try:
            await self._poll(source, mine, force=force, order=order)
        finally:
            observe_poll(time.perf_counter() - started)
            report.articles_new += mine.articles_new
            report.articles_seen += mine.articles_seen
            report.alerts_new += mine.alerts_new
            report.delivered += mine.delivered
            report.failed_sources.extend(mine.failed_sources)

    async def _poll(self, source: SourceConfig, report: RunReport, *, force: bool = False,
                    order: PassOrder | None = None) -> None:
        """Read one source once; store what is new. Never raises for a source that fails.

        Feeds and pages: skipped while in backoff (`next_retry_at`) and, unless `force`, until
        `interval` has passed since the last success; conditional GET with the stored ETag /
        Last-Modified; entries already in `seen_entries` are skipped; on the first successful poll
        every entry is marked seen and only the latest `backfill` become articles. Files and folders
        are polled every time, not subject to no-backfill (the seed folder is read on the first run);
        only files new or changed since the last poll are read, and the store's keys dedup their articles.
        A failure counts in `source_state.failures` and backs off `interval * 2^failures` (capped);
        it is logged at WARNING when the source goes from working to failing, never sent to a channel.
        """
        asked = await self._ask(source, report, force=force, order=order)
        if asked is None:
            return
        async with order.turn(answer_size(asked.answer)) if order else contextlib.nullcontext():
            try:
                listing = await self.reader.read(asked.answer)
            except Exception as exc:
                await self._source_failed(source, asked.state, exc, asked.now, report)
                return
            state, now, remote = asked.state, asked.now, asked.remote
            del asked  # the fetched body: not kept while the entries' pages are fetched and filed
            await self._take(source, listing, state, now, remote, report)

    async def _ask(self, source: SourceConfig, report: RunReport, *, force: bool,
                   order: PassOrder | None) -> _Asked | None:
        """The source's answer (see `_poll`), None when it is not due or failed (counted)."""
        store = self.store
        async with order.asking() if order else contextlib.nullcontext():
            state = await store.run(store.source_state, source.name)
            now = self.clock()
            if state.next_retry_at is not None and now < state.next_retry_at:
                log.debug("source %r: in backoff until %s", source.name, state.next_retry_at.isoformat())
                return None
            remote = source.type in REMOTE_TYPES
            if (remote and not force and state.failures == 0 and state.last_success_at is not None
                    and now < state.last_success_at + dt.timedelta(seconds=source.interval_s)):
                return None
            try:
                async with order.slot() if order else contextlib.nullcontext():
                    answer = await self.reader.ask(
                        source, etag=state.etag if remote else None,
                        last_modified=state.last_modified if remote else None)
            except Exception as exc:  # bad input must not stop the other sources
                await self._source_failed(source, state, exc, now, report)
                return None
        return _Asked(state, answer, now, remote)

    async def _take(self, source: SourceConfig, listing: Listing, state: SourceState, now: dt.datetime, remote: bool,
                    report: RunReport) -> None:
        """Store what is new in a source's listing (see `_poll`). Entries' pages are fetched under the
        fetcher's own caps (`fetch.concurrency`, `per_host`), not in a source's slot: slow sources
        being asked would hold every slot."""
        store = self.store
        entries = list({e.key: e for e in listing.entries}.values())
        if remote and not state.initialized:
            todo = latest_entries(entries, source.backfill)
            chosen = {e.key for e in todo}
            await store.run(store.mark_seen, source.name, [e.key for e in entries if e.key not in chosen])
            if len(entries) > len(todo):
                log.info("source %r: new source, %d existing entries marked seen, %d kept (backfill)",
                         source.name, len(entries) - len(todo), len(todo))
        elif remote:
            todo = await store.run(self._unseen, source.name, entries)
        else:
            todo = entries
        failing = {f["entry_key"]: f for f in await store.run(store.entry_failures, source=source.name)}
        todo = [e for e in todo if not (failing.get(e.key[:500]) or {}).get("parked_at")]
        articles = await asyncio.gather(*(self.reader.complete(source, e) for e in todo), return_exceptions=True)
        retried = False
        seen: list[str] = []  # marked in one statement once the entries are stored
        for entry, article in zip(todo, articles, strict=True):
            if isinstance(article, BaseException):
                log.warning("source %r: entry %s could not be read (%s: %s)", source.name, entry.key,
                            article.__class__.__name__, article)
            elif article is not None:
                try:
                    # In a worker thread, one article at a time: extraction and the store's queries
                    # take long enough over a big poll to stall chat acks, Matrix sync and /healthz.
                    # The default executor's, not the store's (`store.run`): a long extraction must
                    # not hold a store thread that a chat command is waiting for.
                    async with self._filing_lock():
                        await asyncio.to_thread(self._store_entry, source, article, report, remote=remote)
                except Exception as exc:
                    if is_outage(exc):
                        raise  # the database, not the article: the poll stops, nothing is marked seen
                    # Not marked seen: read again on the next poll, or, once parked, skipped while parked.
                    if not await store.run(self._entry_failed, source, entry, exc):
                        retried = True
                    continue
                else:
                    if entry.key[:500] in failing:
                        await store.run(store.entry_succeeded, source.name, entry.key)
            if remote:
                seen.append(entry.key)
        # Marked seen only now: a poll stopped half-way (the database went away) reads its entries again
        # next time, and the articles already stored are known by their keys.
        if seen:
            await store.run(store.mark_seen, source.name, seen)
        if listing.commit is not None and not retried:  # files read: not read again until they change
            await store.run(listing.commit)
        if state.failures:
            log.info("source %r: working again after %d failure(s)", source.name, state.failures)
        # An entry to retry keeps the validators out, or a 304 would hide it from the next poll.
        await store.run(store.save_source_state, succeeded(
            state, now, etag=listing.etag if remote and not retried else None,
            last_modified=listing.last_modified if remote and not retried else None))

    async def _source_failed(self, source: SourceConfig, state: SourceState, exc: Exception, now: dt.datetime,
                             report: RunReport) -> None:
        """Count a failure of the whole source: backed off, logged when it starts failing (see `_poll`)."""
        store = self.store
        if isinstance(exc, (SourceError, ArticleFileError, OSError)):
            failed = await store.run(record_failure, store, source, state, str(exc), now)
            await store.run(respect_retry_after, store, source, failed, exc, now)
        else:
            log.debug("source %r: unexpected error", source.name, exc_info=exc)
            await store.run(record_failure, store, source, state, f"unexpected {exc.__class__.__name__}: {exc}", now)
        report.failed_sources.append(source.name)

    def _entry_failed(self, source: SourceConfig, entry: Entry, exc: Exception) -> bool:
        """Count a failure of one entry; True when it is now parked (skipped for good, kept for admins)."""
        error = f"{exc.__class__.__name__}: {exc}"
        attempts = self.store.entry_failed(source.name, entry.key, error, park_after=PARK_AFTER)
        if attempts >= PARK_AFTER:
            log.error("source %r: entry %s failed %d times (%s); parked: see `python -m bot failures`",
                      source.name, entry.key, attempts, error, exc_info=exc)
            return True
        log.warning("source %r: entry %s could not be processed (%s); retried on the next poll (%d/%d)",
                    source.name, entry.key, error, attempts, PARK_AFTER)
        return False

    def _store_entry(self, source: SourceConfig, article: Article, report: RunReport, *, remote: bool) -> None:
        """`process` an article of a poll, unless the source already gave this very content (blocking:
        `poll` runs it in a worker thread)."""
        if remote and content_seen(self.store, source.name, article.content_hash):
            report.articles_seen += 1
        else:
            self.process(article, report)

    def _unseen(self, source: str, entries: list[Entry]) -> list[Entry]:
        return [e for e in entries if not self.store.is_seen(source, e.key)]

    def sources(self) -> tuple[SourceConfig, ...]:
        """The configured sources, then those added by `/news sources add` (kept in the database)."""
        from bot.service.source_registry import added_sources

        configured = {s.name for s in self.config.sources}
        added = [s for s in added_sources(self.store) if s.name not in configured]
        return (*self.config.sources, *added)

    async def ingest_all(self, report: RunReport | None = None) -> RunReport:
        """Poll every source once, `fetch.sources_at_once` of them asked at a time: a slow feed holds one
        slot while it answers, not the whole pass. Sources are asked before answers are read (see
        `PassOrder`), so a slow feed far down the list is asked early and its wait overlaps the reading
        and filing of the others (filed one at a time, under the store's story lock: see `process`).
        Answers read at once (their articles held in memory until filed) are bounded at 4 times that,
        answers waiting unread by their size. Each poll keeps its own guarantees (see `_poll`)."""
        report = report or RunReport()
        at_once = self.config.fetch.sources_at_once
        sources = await self.store.run(self.sources)
        order = PassOrder(len(sources), at_once=at_once, taking=4 * at_once)

        async def poll_one(source: SourceConfig) -> None:
            try:
                await self.poll(source, report, order=order)
            except Exception:  # e.g. the store refusing a write: the other sources are still read
                log.exception("source %r: poll failed", source.name)
                report.failed_sources.append(source.name)

        try:
            await asyncio.gather(*(poll_one(source) for source in sources))
        finally:
            order.close()
        # A whole pass is `run --once`'s, which delivers next and exits: the story indexes (a window of
        # stories, 10,000 articles' worth) are not kept through the delivery, which reuses their memory.
        # A later pass reads them again from the store.
        self.stories.forget()
        self.events.reset()
        await asyncio.to_thread(_return_freed_memory)
        return report

    async def deliver(self) -> DeliveryReport:
        return await deliver_alerts(self.store, self.adapters, self.config.channels, now=self.clock())

    def digest(self, channel: ChannelConfig, *, since: dt.datetime | None, now: dt.datetime) -> Message:
        """The channel's digest of [since, now) as one message (filtered by the channel's subscriptions
        in config; what does not fit is counted). `since` None: the last 24 hours."""
        from bot.service.digests import digest_messages

        return digest_messages(self.store, self.config, channel, since=since, now=now, max_parts=1)[0]

    async def send_digest(self, channel: ChannelConfig, *, slot: dt.datetime | None = None) -> Message | None:
        """Post the channel's digest since its last one (split into several messages when long), once
        per `slot` (the cron fire time it answers); returns its first message, None when not posted."""
        from bot.service.digests import send_channel_digest

        adapter = self.adapters.get(channel.output)
        if adapter is None:
            return None
        messages = await send_channel_digest(self.store, self.config, adapter, channel, now=self.clock(), slot=slot)
        return messages[0] if messages else None

    async def run_once(self) -> RunReport:
        report = await self.ingest_all()
        delivered = await self.deliver()
        report.delivered = delivered.sent
        return report
