"""`/healthz` and Prometheus `/metrics` on a loopback port, when enabled in the config.

Counts that live in the database (articles, alerts, deliveries, source failures) are read from it at
scrape time, so two replicas report the same totals; latencies are per process.

The exposition format, histograms and label escaping come from prometheus_client. Each `Metrics` has
a registry of its own rather than the library's global one, so tests (and two bots in one process)
never see each other's samples.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from bot.store import Store, chat_state
from bot.store.metrics_db import store_counts

if TYPE_CHECKING:  # the server is started by the service only: `run --once` and the CLIs do without aiohttp
    from aiohttp import web

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# What the latency histogram is labelled with; present from the start so dashboards see zeros, not gaps.
COMMAND, POLL, DELIVERY = "command", "poll", "delivery"


class Metrics:
    """Process-local counters and latency histograms, plus the store's counts at scrape time."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.registry = CollectorRegistry(auto_describe=True)
        self._counters: dict[str, Counter] = {}
        self.latency = Histogram("newsbot_latency_seconds", "Time to answer a command, poll a source or deliver "
                                 "an alert, by what.", ["what"], buckets=_BUCKETS, registry=self.registry)
        for what in (COMMAND, POLL, DELIVERY):
            self.latency.labels(what=what)
        uptime = Gauge("newsbot_uptime_seconds", "Seconds since this process started.", registry=self.registry)
        uptime.set_function(lambda: time.monotonic() - self.started)

    def inc(self, name: str, label: str = "", by: float = 1.0) -> None:
        counter = self._counters.get(name)
        if counter is None:
            counter = self._counters[name] = Counter(f"newsbot_{name}", f"Events counted as {name}, by kind.",
                                                     ["kind"], registry=self.registry)
        counter.labels(kind=label).inc(by)

    def observe(self, what: str, seconds: float) -> None:
        self.latency.labels(what=what).observe(seconds)

    def observe_command(self, seconds: float) -> None:
        """From a chat message arriving to its answer being sent."""
        self.observe(COMMAND, seconds)

    def observe_poll(self, seconds: float) -> None:
        """One poll of one source: fetch, parse and store."""
        self.observe(POLL, seconds)

    def observe_delivery(self, seconds: float) -> None:
        """One alert or digest handed to a chat, until the chat accepted (or refused) it."""
        self.observe(DELIVERY, seconds)

    def render(self, store: Store | None) -> str:
        """The exposition text; reads the store, so call it off the event loop."""
        return generate_latest(_Scrape(self.registry, store)).decode("utf-8")


class _Scrape(Collector):
    """The process's registry plus the store's counts, read once per scrape."""

    def __init__(self, registry: CollectorRegistry, store: Store | None) -> None:
        self.registry, self.store = registry, store

    def collect(self) -> Iterator[Metric]:
        if self.store is not None:
            yield from _store_families(self.store)
        yield from self.registry.collect()


def _store_families(store: Store) -> Iterator[Metric]:
    counts = store_counts(store)
    yield GaugeMetricFamily("newsbot_articles_total", "Articles stored.", value=counts.articles)
    alerts = GaugeMetricFamily("newsbot_alerts_total", "Alerts stored, by type.", labels=["type"])
    for kind, n in counts.alerts_by_type:
        alerts.add_metric([kind], n)
    yield alerts
    deliveries = GaugeMetricFamily("newsbot_deliveries_total", "Deliveries, by adapter and status.",
                                   labels=["adapter", "status"])
    for adapter, status, n in counts.deliveries:
        deliveries.add_metric([adapter, status], n)
    yield deliveries
    failing = GaugeMetricFamily("newsbot_source_failures", "Consecutive failures of each source.", labels=["source"])
    for name, n in counts.source_failures:
        failing.add_metric([name], n)
    yield failing
    failed = GaugeMetricFamily("newsbot_delivery_failed", "Sends marked failed (the chat refused them for good), "
                               "by channel and reason.", labels=["adapter", "channel", "reason"])
    for f in chat_state.failed_deliveries(store):
        failed.add_metric([f.adapter, f.channel, f.reason], f.count)
    yield failed
    refused = GaugeMetricFamily("newsbot_channel_refused", "Channels the chat refuses now (1), by reason.",
                                labels=["adapter", "channel", "reason"])
    for adapter, channel, refusal in chat_state.refused_channels(store):
        refused.add_metric([adapter, channel, refusal.reason], 1)
    yield refused


METRICS = Metrics()


def observe_command(seconds: float) -> None:
    METRICS.observe_command(seconds)


def observe_poll(seconds: float) -> None:
    METRICS.observe_poll(seconds)


def observe_delivery(seconds: float) -> None:
    METRICS.observe_delivery(seconds)


def health_app(store: Store, metrics: Metrics = METRICS) -> web.Application:
    from aiohttp import web

    def read_health() -> dict[str, object]:
        store.version()  # the database is what the bot cannot work without: an error here is a 503
        failing = [st.name for st in store.all_source_states() if st.failures]
        # Where an admin sees that a channel is gone or closed to the bot (and why): see bot.store.chat_state.
        failed = [{"adapter": f.adapter, "channel": f.channel, "reason": f.reason, "count": f.count,
                   "last_at": f.last_at.isoformat() if f.last_at else None}
                  for f in chat_state.failed_deliveries(store)]
        refused = [{"adapter": a, "channel": c, "reason": r.reason, "retry_at": r.until.isoformat()}
                   for a, c, r in chat_state.refused_channels(store)]
        return {"status": "ok", "database": "ok", "failing_sources": failing,
                "failed_deliveries": failed, "refused_channels": refused}

    async def healthz(_request: web.Request) -> web.Response:
        try:
            body = await store.run(read_health)
        except Exception as exc:
            return web.json_response({"status": "error", "database": str(exc.__class__.__name__)}, status=503)
        return web.json_response({**body, "uptime_s": round(time.monotonic() - metrics.started, 1)})

    async def prometheus(_request: web.Request) -> web.Response:
        # The counts are GROUP BYs over the whole store: never on the event loop, where chats wait.
        text = await store.run(metrics.render, store)
        return web.Response(body=text.encode("utf-8"),
                            headers={"Content-Type": CONTENT_TYPE_LATEST, "X-Content-Type-Options": "nosniff"})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", prometheus)
    return app


async def start_health_server(store: Store, host: str, port: int, metrics: Metrics = METRICS) -> web.AppRunner:
    from aiohttp import web

    runner = web.AppRunner(health_app(store, metrics))
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
