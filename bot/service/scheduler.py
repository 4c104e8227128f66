"""The service's clock: APScheduler 3.x (AsyncIOScheduler) jobs inside `python -m bot run`.

Jobs:

- `poll:<source>` — every source at its own interval; a source in backoff (`source_state.next_retry_at`
  in the future) is skipped and its next run moved to the retry time. New alerts are delivered
  (recent alerts are re-scored in context first: see `bot.core.importance`).
- `digest:<adapter>:<channel>` — the channel's digest cron (day names, the channel's time zone).
- `quiet:<adapter>:<channel>` — at the end of a channel's quiet hours: deliver what was held.
- `tick` — every minute: pick up subscription changes (digest jobs added, moved or removed),
  deliver alerts that arrived by other ways (a command reading a link, say), and send a digest that
  is due but failed to post (the chat was down).
- a heartbeat (an asyncio task, not a job) — every `HEARTBEAT_S`: renews this process's leases (TTL
  `LEASE_TTL`, whatever the poll intervals), so a lease outlives its process by at most a minute; a
  clean stop releases them all, and a process found dead on this machine loses them at once.
- `housekeeping` — every 6 hours: articles older than `retention` without alerts are deleted, the
  text of older ones with alerts is dropped (title, link and outlet stay for the alerts' sources).

The job store is in memory, so missed digests are not left to APScheduler's misfire handling: at
start, every channel whose cron fired since its last digest (`channel_state.last_digest_at`) gets one
digest, whatever number of fire times passed. A channel's first digest period starts when its digest
is first scheduled. Every decision reads an injectable clock (aware UTC `now`), for tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.chat.base import ChatAdapter
from bot.config import ChannelConfig, Config
from bot.core.models import Message
from bot.service.dbhealth import DatabaseHealth
from bot.service.delivery import DELIVERY_WINDOW, DeliveryReport, deliver_alerts
from bot.service.digests import cron_trigger, due_slot, send_channel_digest
from bot.service.pipeline import Pipeline, RunReport
from bot.service.subscriptions import ChannelPlan, in_quiet_hours, plan_channels, rescore, source_tags
from bot.store import Store
from bot.store.db import PROCESS_ID, is_outage
from bot.store.housekeeping_db import Housekeeping, housekeeping

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
TICK_S = 60
# A lease lives this long unless its process renews it (every HEARTBEAT_S): a crashed process's polls are
# taken over within a minute by another machine's replica, at once by a bot restarted on the same one.
LEASE_TTL = dt.timedelta(seconds=60)
HEARTBEAT_S = 15.0
HOUSEKEEPING_S = 6 * 3600


def _quiet_end_trigger(quiet: tuple[str, str], timezone: str) -> CronTrigger:
    hour, minute = quiet[1].split(":")
    return CronTrigger(hour=int(hour), minute=int(minute), timezone=timezone)


class BotScheduler:
    """The jobs of a running bot around one Pipeline; `start()` inside the event loop, `shutdown()` to stop."""

    def __init__(
        self, config: Config, store: Store, adapters: Mapping[str, ChatAdapter], pipeline: Pipeline,
        *, clock: Clock | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.adapters = dict(adapters)
        self.pipeline = pipeline
        self.clock: Clock = clock or pipeline.clock
        self.scheduler: AsyncIOScheduler | None = None
        self.plans: dict[str, ChannelPlan] = {}
        self._deliver_lock = asyncio.Lock()
        self._deliver_waiting = False  # a pass is queued behind the running one
        self._digest_lock = asyncio.Lock()
        self._running: set[asyncio.Task[object]] = set()
        self.health = DatabaseHealth()
        self._missed: set[str] = set()  # poll jobs skipped while the database was down: run on recovery
        self._heartbeat: asyncio.Task[None] | None = None
        self._stopping = False

    # --- channels ----------------------------------------------------------------------------

    async def refresh_plans(self) -> dict[str, ChannelPlan]:
        """Re-read config and subscriptions; (re)schedule digest and quiet-hours jobs that changed."""
        plans = await self.store.run(self._read_plans)
        old, self.plans = self.plans, plans
        if self.scheduler is not None:
            for key in set(old) | set(plans):
                before, after = old.get(key), plans.get(key)
                if _digest_of(before) != _digest_of(after):
                    self._unschedule(f"digest:{key}")
                    if after is not None and after.digest is not None and after.digest.digest is not None:
                        d = after.digest.digest
                        self._schedule(f"digest:{key}", self.digest_job, cron_trigger(d.cron, d.timezone), key)
                quiet_before = (before.base.quiet_hours, before.timezone) if before else None
                quiet_after = (after.base.quiet_hours, after.timezone) if after else None
                if quiet_before != quiet_after:
                    self._unschedule(f"quiet:{key}")
                    if after is not None and after.base.quiet_hours is not None:
                        self._schedule(f"quiet:{key}", self.deliver,
                                       _quiet_end_trigger(after.base.quiet_hours, after.timezone))
        return plans

    def _read_plans(self) -> dict[str, ChannelPlan]:
        """The channels' plans from config and subscriptions (store work: in the store's threads)."""
        plans = {p.key: p for p in plan_channels(self.config, self.store, self.adapters)}
        now = self.clock()
        for plan in plans.values():
            if plan.digest is not None and self.store.last_digest_at(plan.adapter, plan.channel) is None:
                # The first digest period starts now: no archive dump, nothing "missed" before the bot knew.
                self.store.set_last_digest_at(plan.adapter, plan.channel, now)
        return plans

    def held(self, channel: ChannelConfig, now: dt.datetime) -> bool:
        plan = self.plans.get(f"{channel.output}:{channel.id}")
        timezone = plan.timezone if plan is not None else self.config.timezone
        return in_quiet_hours(channel.quiet_hours, timezone, now)

    # --- jobs --------------------------------------------------------------------------------

    async def deliver(self) -> DeliveryReport:
        """Deliver stored alerts to every channel with real-time alerts, unless in its quiet hours.

        Many polls finishing together ask for a pass each: when one is already waiting for the running
        pass, it starts after this call's alerts were stored and delivers them too, so this call returns
        at once (500 feeds polled at start made 500 passes, one after another)."""
        if self._deliver_waiting:
            # Returns once the queued pass, which delivers this call's alerts too, has ended.
            async with self._deliver_lock:
                return DeliveryReport()
        self._deliver_waiting = True
        try:
            await self._deliver_lock.acquire()
        finally:
            self._deliver_waiting = False
        try:
            # Off the event loop; only the stories whose inputs changed are re-scored (see `rescore`).
            await self.store.run(rescore, self.store, since=self.clock() - DELIVERY_WINDOW)
            channels = tuple(p.alerts for p in self.plans.values() if p.alerts is not None)

            # An alert's topics come with its read model (its source's tags and its story's topic).
            return await deliver_alerts(self.store, self.adapters, channels, now=self.clock(),
                                        tags=source_tags(self.config), held=self.held)
        finally:
            self._deliver_lock.release()

    async def poll_job(self, name: str) -> RunReport | None:
        source = next((x for x in await self.store.run(self.pipeline.sources) if x.name == name), None)
        if source is None:
            self._unschedule(f"poll:{name}")  # removed with /news sources remove
            return None
        now = self.clock()
        retry = (await self.store.run(self.store.source_state, name)).next_retry_at
        if retry is not None and retry > now:
            self._postpone(f"poll:{name}", retry)
            return None
        # Replicas sharing a database: whoever holds the source's lease polls it, the others skip. The
        # lease covers the poll in flight (renewed by the heartbeat); `last_success_at` and the interval
        # keep a replica from polling again what another has just polled.
        lease = f"poll:{name}"
        if not await self.store.run(self.store.acquire_lease, lease, PROCESS_ID, LEASE_TTL, now=now):
            log.debug("poll %s: another replica holds it", name)
            return None
        report = RunReport()
        try:
            await self.pipeline.poll(source, report)
        finally:
            with contextlib.suppress(Exception):  # unreleased, it expires with the heartbeat's TTL
                await self.store.run(self.store.release_lease, lease, PROCESS_ID)
        report.delivered = (await self.deliver()).sent
        retry = (await self.store.run(self.store.source_state, name)).next_retry_at
        if retry is not None:
            self._postpone(f"poll:{name}", retry)
        log.info("poll %s: %d new articles, %d new alerts, %d delivered",
                 name, report.articles_new, report.alerts_new, report.delivered)
        return report

    async def digest_job(self, key: str) -> list[Message]:
        """Send the channel's digest when one is due (a cron fire time passed since the last one)."""
        async with self._digest_lock:
            plan = self.plans.get(key)
            if plan is None or plan.digest is None or plan.digest.digest is None:
                return []
            adapter = self.adapters.get(plan.adapter)
            if adapter is None:
                return []
            now = self.clock()
            d = plan.digest.digest
            last = await self.store.run(self.store.last_digest_at, adapter.name, plan.channel)
            slot = due_slot(cron_trigger(d.cron, d.timezone), last, now)
            if slot is None:
                return []
            try:
                return await send_channel_digest(self.store, self.config, adapter, plan.digest, now=now, slot=slot)
            except Exception as exc:
                if is_outage(exc):
                    raise  # counted by the database health check (see _guarded), not logged per digest
                log.warning("digest for %s failed (%s); trying again in a minute", key, exc)
                return []

    async def catch_up(self) -> int:
        """Digests due from while the bot was down: one per channel. Returns how many were sent."""
        sent = 0
        for key in list(self.plans):
            if await self.digest_job(key):
                sent += 1
        return sent

    async def schedule_polls(self) -> None:
        """A polling job per source (configured or added in chat) that has none yet."""
        if self.scheduler is None:
            return
        now = self.clock()
        sources = await self.store.run(self.pipeline.sources)
        new = [source for source in sources if self.scheduler.get_job(f"poll:{source.name}") is None]
        retries = await self.store.run(self._retry_times, [source.name for source in new]) if new else {}
        for source in new:
            retry = retries[source.name]
            first = max(now, retry) if retry is not None else now
            self._schedule(f"poll:{source.name}", self.poll_job, IntervalTrigger(seconds=source.interval_s),
                           source.name, first=first, grace=max(60, source.interval_s))

    def _retry_times(self, names: list[str]) -> dict[str, dt.datetime | None]:
        """When each source may be polled again (None: now); store work, in the store's threads."""
        return {name: self.store.source_state(name).next_retry_at for name in names}

    async def tick(self) -> None:
        await self.refresh_plans()
        await self.schedule_polls()
        await self.deliver()
        await self.catch_up()  # a digest whose post failed goes out within a minute of the chat's return

    async def housekeeping_job(self) -> Housekeeping:
        done = await self.store.run(housekeeping, self.store, self.config.retention_days, self.clock())
        if done.deleted or done.emptied:
            log.info("housekeeping: %d old articles deleted, %d emptied", done.deleted, done.emptied)
        return done

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self, *, catch_up: bool = True) -> None:
        self.scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=dt.UTC)
        self.plans = {}
        await self.refresh_plans()
        now = self.clock()
        await self.schedule_polls()
        self._schedule("tick", self.tick, IntervalTrigger(seconds=TICK_S))
        self._schedule("housekeeping", self.housekeeping_job, IntervalTrigger(seconds=HOUSEKEEPING_S),
                       first=now + dt.timedelta(minutes=1))
        if catch_up:
            await self.catch_up()
        self.scheduler.start()
        self._heartbeat = asyncio.create_task(self._beat(), name="heartbeat")

    async def _beat(self) -> None:
        """Renew this process's leases; while the database is down, probe it at the backoff's pace."""
        while True:
            await asyncio.sleep(HEARTBEAT_S if self.health.up else max(0.2, self.health.next_try_in()))
            if not self.health.ready():
                continue
            started = self.health.clock()
            try:
                await self.store.run(self.store.renew_leases, PROCESS_ID, LEASE_TTL)
                await self.store.run(self.store.heartbeat, LEASE_TTL)
            except Exception as exc:
                if not is_outage(exc):
                    log.warning("heartbeat failed: %s", exc)
                    continue
                self.health.failed(exc, started)
            else:
                self._recovered(started)

    def _recovered(self, started: float) -> None:
        """A success of work begun at `started`: when it ends an outage, the polls skipped meanwhile run now."""
        if not self.health.succeeded(started) or self.scheduler is None:
            return
        now = self.clock()
        for job_id in sorted(self._missed):
            job = self.scheduler.get_job(job_id)
            if job is not None:
                job.modify(next_run_time=now)
        self._missed.clear()

    async def stop(self, *, timeout: float = 10.0) -> None:
        """Stop starting jobs, let running ones finish (up to `timeout` seconds), then shut down."""
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.pause()
            running = {t for t in self._running if not t.done() and t is not asyncio.current_task()}
            if running:
                _, late = await asyncio.wait(running, timeout=timeout)
                # Still running (a poll waiting on a slow feed): cancelled. A poll marks an entry seen
                # only once it is processed, so the next start does what this one left.
                self._stopping = True
                for task in late:
                    task.cancel()
                if late:
                    await asyncio.wait(late, timeout=5)
        self.shutdown()
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
            self._heartbeat = None
        # A clean stop gives its leases back: a restarted bot, or another replica, goes on at once.
        try:
            await self.store.run(self.store.release_leases, PROCESS_ID)
        except Exception as exc:
            log.warning("could not release this process's leases (they expire within %d s): %s",
                        LEASE_TTL.total_seconds(), exc)

    def shutdown(self) -> None:
        """Shut down at once: jobs still running are cancelled."""
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.scheduler = None

    async def _guarded(self, func: Callable[..., Awaitable[object]], *args: object) -> object:
        """Run a job, unless the database is down (then it waits for the next probe). A job failing
        because the database is down is counted there, not logged with its traceback each time."""
        job_id = f"poll:{args[0]}" if func == self.poll_job and args else None
        if not self.health.ready():
            if job_id is not None:
                self._missed.add(job_id)
            return None
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        started = self.health.clock()
        try:
            result = await func(*args)
        except asyncio.CancelledError:
            if not self._stopping:
                raise
            log.info("%s: cancelled by the stop", job_id or getattr(func, "__name__", "job"))
            return None
        except Exception as exc:
            if not is_outage(exc):
                raise
            self.health.failed(exc, started)
            if job_id is not None:
                self._missed.add(job_id)
            return None
        finally:
            if task is not None:
                self._running.discard(task)
        self._recovered(started)
        return result

    def _schedule(
        self, job_id: str, func: Callable[..., Awaitable[object]], trigger: object, *args: object,
        first: dt.datetime | None = None, grace: int | None = None,
    ) -> None:
        assert self.scheduler is not None
        extra: dict[str, object] = {"next_run_time": first} if first is not None else {}
        # coalesce: several missed fire times run once; max_instances=1: a slow poll is never doubled.
        # grace None: a late digest still runs (its job decides from channel_state whether it is due).
        self.scheduler.add_job(self._guarded, trigger, args=[func, *args], id=job_id, name=job_id,
                               replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=grace, **extra)

    def _unschedule(self, job_id: str) -> None:
        if self.scheduler is not None and self.scheduler.get_job(job_id) is not None:
            self.scheduler.remove_job(job_id)

    def _postpone(self, job_id: str, when: dt.datetime) -> None:
        job = self.scheduler.get_job(job_id) if self.scheduler is not None else None
        if job is not None and job.next_run_time is not None and job.next_run_time < when:
            job.modify(next_run_time=when)

    def job_ids(self) -> list[str]:
        return sorted(j.id for j in self.scheduler.get_jobs()) if self.scheduler is not None else []


def _digest_of(plan: ChannelPlan | None) -> tuple[str, str] | None:
    if plan is None or plan.digest is None or plan.digest.digest is None:
        return None
    return plan.digest.digest.cron, plan.digest.digest.timezone
