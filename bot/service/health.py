"""`/healthz` and Prometheus `/metrics` on a loopback port, when enabled in the config.

Counts that live in the database (articles, alerts, deliveries, source failures) are read from it at
scrape time, so two replicas report the same totals; latencies are per process.
"""

from __future__ import annotations

import bisect
import time
from collections import defaultdict
from dataclasses import dataclass, field

from aiohttp import web
from sqlalchemy import func, select

from bot.store import Store, chat_state
from bot.store import schema as s

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class Histogram:
    counts: list[int] = field(default_factory=lambda: [0] * (len(_BUCKETS) + 1))
    total: float = 0.0
    n: int = 0

    def observe(self, seconds: float) -> None:
        self.counts[bisect.bisect_left(_BUCKETS, seconds)] += 1
        self.total += seconds
        self.n += 1


class Metrics:
    """Process-local counters and latency histograms, rendered in the Prometheus text format."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.counters: dict[tuple[str, str], float] = defaultdict(float)
        self.latency: dict[str, Histogram] = defaultdict(Histogram)

    def inc(self, name: str, label: str = "", by: float = 1.0) -> None:
        self.counters[(name, label)] += by

    def observe(self, what: str, seconds: float) -> None:
        self.latency[what].observe(seconds)

    def render(self, store: Store | None) -> str:
        out: list[str] = []
        if store is not None:
            with store.tx() as conn:
                articles = conn.execute(select(func.count()).select_from(s.articles)).scalar_one()
                alert_rows = conn.execute(select(s.alerts.c.type, func.count()).group_by(s.alerts.c.type)).all()
                delivery_rows = conn.execute(
                    select(s.deliveries.c.adapter, s.deliveries.c.status, func.count())
                    .group_by(s.deliveries.c.adapter, s.deliveries.c.status)).all()
                failures = conn.execute(select(s.source_state.c.name, s.source_state.c.failures)).all()
            out += ["# HELP newsbot_articles_total Articles stored.", "# TYPE newsbot_articles_total gauge",
                    f"newsbot_articles_total {articles}"]
            out += ["# HELP newsbot_alerts_total Alerts stored, by type.", "# TYPE newsbot_alerts_total gauge"]
            out += [f'newsbot_alerts_total{{type="{t}"}} {n}' for t, n in alert_rows]
            out += ["# HELP newsbot_deliveries_total Deliveries, by adapter and status.",
                    "# TYPE newsbot_deliveries_total gauge"]
            out += [f'newsbot_deliveries_total{{adapter="{a}",status="{st}"}} {n}' for a, st, n in delivery_rows]
            out += ["# HELP newsbot_delivery_failed Sends marked failed (the chat refused them for good), "
                    "by channel and reason.", "# TYPE newsbot_delivery_failed gauge"]
            out += [f'newsbot_delivery_failed{{adapter="{_label(f.adapter)}",channel="{_label(f.channel)}",'
                    f'reason="{_label(f.reason)}"}} {f.count}' for f in chat_state.failed_deliveries(store)]
            out += ["# HELP newsbot_channel_refused Channels the chat refuses now (1), by reason.",
                    "# TYPE newsbot_channel_refused gauge"]
            out += [f'newsbot_channel_refused{{adapter="{_label(a)}",channel="{_label(c)}",'
                    f'reason="{_label(r.reason)}"}} 1' for a, c, r in chat_state.refused_channels(store)]
            out += ["# HELP newsbot_source_failures Consecutive failures of each source.",
                    "# TYPE newsbot_source_failures gauge"]
            out += [f'newsbot_source_failures{{source="{_label(name)}"}} {n or 0}' for name, n in failures]
        for (name, label), value in sorted(self.counters.items()):
            labels = f'{{kind="{_label(label)}"}}' if label else ""
            out.append(f"newsbot_{name}_total{labels} {value:g}")
        for what, h in sorted(self.latency.items()):
            metric = "newsbot_latency_seconds"
            out.append(f"# TYPE {metric} histogram")
            running = 0
            for bound, count in zip((*_BUCKETS, float("inf")), h.counts, strict=True):
                running += count
                le = "+Inf" if bound == float("inf") else f"{bound:g}"
                out.append(f'{metric}_bucket{{what="{_label(what)}",le="{le}"}} {running}')
            out.append(f'{metric}_sum{{what="{_label(what)}"}} {h.total:.6f}')
            out.append(f'{metric}_count{{what="{_label(what)}"}} {h.n}')
        out.append(f"newsbot_uptime_seconds {time.monotonic() - self.started:.1f}")
        return "\n".join(out) + "\n"


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


METRICS = Metrics()


def health_app(store: Store, metrics: Metrics = METRICS) -> web.Application:
    async def healthz(_request: web.Request) -> web.Response:
        try:
            store.version()
        except Exception as exc:  # the database is what the bot cannot work without
            return web.json_response({"status": "error", "database": str(exc.__class__.__name__)}, status=503)
        failing = [st.name for st in store.all_source_states() if st.failures]
        # Where an admin sees that a channel is gone or closed to the bot (and why): see bot.store.chat_state.
        failed = [{"adapter": f.adapter, "channel": f.channel, "reason": f.reason, "count": f.count,
                   "last_at": f.last_at.isoformat() if f.last_at else None}
                  for f in chat_state.failed_deliveries(store)]
        refused = [{"adapter": a, "channel": c, "reason": r.reason, "retry_at": r.until.isoformat()}
                   for a, c, r in chat_state.refused_channels(store)]
        return web.json_response({"status": "ok", "database": "ok", "failing_sources": failing,
                                  "failed_deliveries": failed, "refused_channels": refused,
                                  "uptime_s": round(time.monotonic() - metrics.started, 1)})

    async def prometheus(_request: web.Request) -> web.Response:
        return web.Response(text=metrics.render(store), content_type="text/plain", charset="utf-8",
                            headers={"X-Content-Type-Options": "nosniff"})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", prometheus)
    return app


async def start_health_server(store: Store, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(health_app(store))
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
