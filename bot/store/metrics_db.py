"""The counts /metrics exposes, read in one transaction (a handful of grouped queries, none per row)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from bot.store import schema as s
from bot.store.db import Store


@dataclass(frozen=True, slots=True)
class StoreCounts:
    articles: int
    alerts_by_type: tuple[tuple[str, int], ...]
    deliveries: tuple[tuple[str, str, int], ...]  # (adapter, status, count)
    source_failures: tuple[tuple[str, int], ...]  # (source name, consecutive failures)


def store_counts(store: Store) -> StoreCounts:
    with store.tx() as conn:
        articles = conn.execute(select(func.count()).select_from(s.articles)).scalar_one()
        alert_rows = conn.execute(select(s.alerts.c.type, func.count()).group_by(s.alerts.c.type)).all()
        delivery_rows = conn.execute(
            select(s.deliveries.c.adapter, s.deliveries.c.status, func.count())
            .group_by(s.deliveries.c.adapter, s.deliveries.c.status)).all()
        failures = conn.execute(select(s.source_state.c.name, s.source_state.c.failures)).all()
    return StoreCounts(
        articles=int(articles),
        alerts_by_type=tuple((str(kind), int(n)) for kind, n in alert_rows),
        deliveries=tuple((str(adapter), str(status), int(n)) for adapter, status, n in delivery_rows),
        source_failures=tuple((str(name), int(n or 0)) for name, n in failures),
    )
