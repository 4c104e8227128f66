"""Retention: old articles no alert needs are deleted, the text of older ones an alert still needs is emptied."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, delete, select, union, update

from bot.store import schema as s
from bot.store.db import Store


@dataclass(frozen=True, slots=True)
class Housekeeping:
    deleted: int = 0
    emptied: int = 0


def housekeeping(store: Store, retention_days: int, now: dt.datetime) -> Housekeeping:
    """Delete articles fetched before the retention cutoff that no alert needs; empty the text of the
    older ones an alert still points to (its outlets and links keep showing)."""
    cutoff = now - dt.timedelta(days=retention_days)
    a = s.articles
    needed = union(select(s.alerts.c.article_id), select(s.alert_articles.c.article_id)).subquery()
    with store.tx() as conn:
        deleted = conn.execute(delete(a).where(and_(
            a.c.fetched_at < cutoff, a.c.id.not_in(select(needed.c.article_id))))).rowcount
        emptied = conn.execute(update(a).where(and_(a.c.fetched_at < cutoff, a.c.text != "")).values(text="")).rowcount
    return Housekeeping(deleted=int(deleted or 0), emptied=int(emptied or 0))
