"""Article in, alerts stored, alerts delivered: the work `run` repeats."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.chat.base import ChatAdapter
from bot.config import ChannelConfig, Config, SourceConfig
from bot.core.extract import extract_alerts
from bot.core.importance import importance
from bot.core.models import Alert, Article, Message
from bot.ingest.files import ArticleFileError
from bot.ingest.sources import SourceError, read_local_source
from bot.ingest.stories import StoryGrouper
from bot.service.delivery import DeliveryReport, deliver_alerts
from bot.store import Store, utcnow

log = logging.getLogger(__name__)
Extractor = Callable[[Article], list[Alert]]


@dataclass
class RunReport:
    articles_new: int = 0
    articles_seen: int = 0
    alerts_new: int = 0
    delivered: int = 0
    failed_sources: list[str] = field(default_factory=list)


class Pipeline:
    def __init__(
        self, config: Config, store: Store, adapters: Mapping[str, ChatAdapter], *,
        extractor: Extractor = extract_alerts, clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.config = config
        self.store = store
        self.adapters = dict(adapters)
        self.extractor = extractor
        self.clock = clock
        self.stories = StoryGrouper(store)

    def process(self, article: Article, report: RunReport | None = None) -> list[int]:
        """Store one article; when it is new, extract and store its alerts. Returns new alert ids."""
        report = report if report is not None else RunReport()
        article_id, new = self.store.add_article(article)
        if not new:
            report.articles_seen += 1
            return []
        report.articles_new += 1
        story_id = self.stories.story_for(article, article_id)
        fresh: list[int] = []
        try:
            alerts = self.extractor(article)
        except Exception:  # one bad article must not stop the bot
            log.exception("extraction failed for article %s from %s", article.id, article.source)
            return []
        for alert in alerts:
            alert_id, is_new = self.store.add_alert(
                alert, article_id=article_id, story_id=story_id, importance=importance(alert))
            if is_new:
                fresh.append(alert_id)
        report.alerts_new += len(fresh)
        return fresh

    async def collect(self, source: SourceConfig) -> list[Article]:
        if source.type in ("file", "folder"):
            return read_local_source(source)
        raise SourceError(f"source {source.name!r}: type {source.type!r} is not supported yet")

    async def poll(self, source: SourceConfig, report: RunReport) -> None:
        state = self.store.source_state(source.name)
        now = self.clock()
        try:
            articles = await self.collect(source)
        except (SourceError, ArticleFileError, OSError) as exc:
            failures = state.failures + 1
            retry = now + dt.timedelta(seconds=min(source.interval_s * 2**failures, 86400))
            self.store.save_source_state(dataclasses.replace(
                state, failures=failures, last_polled_at=now, last_error=str(exc), next_retry_at=retry))
            log.warning("%s", exc)
            report.failed_sources.append(source.name)
            return
        for article in articles:
            self.process(article, report)
        self.store.save_source_state(dataclasses.replace(
            state, failures=0, last_polled_at=now, last_success_at=now, last_error=None, next_retry_at=None,
            initialized=True))

    async def ingest_all(self, report: RunReport | None = None) -> RunReport:
        report = report or RunReport()
        for source in self.config.sources:
            await self.poll(source, report)
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
