"""The subscriptions table (what each chat channel asked for with `/news subscribe`), and the context
an alert's importance and topics are read from. The rules (which kinds, modes and values are valid,
how a channel is served) are in bot.service.subscriptions; here is how they are kept."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, delete, func, insert, select, update

from bot.core.models import fold
from bot.store import schema as s
from bot.store.db import Store


@dataclass(frozen=True, slots=True)
class Subscription:
    adapter: str
    channel: str
    kind: str
    value: str
    mode: str = "both"
    created_by: str | None = None
    created_at: dt.datetime | None = None


def _row(row: object) -> Subscription:
    m = dict(row._mapping)  # type: ignore[attr-defined]
    created = m["created_at"]
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    return Subscription(adapter=m["adapter"], channel=m["channel"], kind=m["kind"], value=m["value"],
                        mode=m["mode"] or "both", created_by=m["created_by"], created_at=created)


def _where(adapter: str, channel: str) -> ColumnElement[bool]:
    return and_(s.subscriptions.c.adapter == adapter, s.subscriptions.c.channel == channel)


def without(mode: str, removed: str) -> str | None:
    """`mode` once `removed` is taken out of it: both - alerts = digest; alerts - alerts = None."""
    left = {"alerts", "digest"} if mode == "both" else {mode}
    left -= {"alerts", "digest"} if removed == "both" else {removed}
    return None if not left else ("both" if len(left) == 2 else left.pop())


def save_subscription(store: Store, adapter: str, channel: str, kind: str, value: str, mode: str,
                      user: str | None, when: dt.datetime) -> str:
    """Store a checked subscription in one transaction; returns the value kept (the first spelling of a
    topic or keyword that differs only in case or accents). Subscribing again sets the mode; one
    minimum importance per stream: a new one takes the streams of its mode from the old ones."""
    t = s.subscriptions
    with store.tx() as conn:
        if kind == "importance":
            for row in conn.execute(select(t).where(and_(_where(adapter, channel), t.c.kind == "importance"))).all():
                old = _row(row)
                if old.value == value:
                    continue
                left = without(old.mode, mode)
                match = and_(_where(adapter, channel), t.c.kind == kind, t.c.value == old.value)
                if left is None:
                    conn.execute(delete(t).where(match))
                else:
                    conn.execute(update(t).where(match).values(mode=left))
        same = _same(conn, adapter, channel, kind, value)
        if same is not None:
            value = same
            match = and_(_where(adapter, channel), t.c.kind == kind, t.c.value == value)
            conn.execute(update(t).where(match).values(mode=mode, created_by=user, created_at=when))
        else:
            conn.execute(insert(t).values(adapter=adapter, channel=channel, kind=kind, value=value, mode=mode,
                                          created_by=user, created_at=when))
    return value


def _same(conn: Connection, adapter: str, channel: str, kind: str, value: str) -> str | None:
    """The stored value of this kind that is `value` up to case and accents, if any."""
    t = s.subscriptions
    for stored in conn.execute(select(t.c.value).where(and_(_where(adapter, channel), t.c.kind == kind))).scalars():
        if fold(stored) == fold(value) if kind in ("topic", "keyword") else stored == value:
            return str(stored)
    return None


def remove_subscription(store: Store, adapter: str, channel: str, kind: str, value: str, mode: str) -> bool:
    """Remove a subscription, or only one of its streams; False when there was none to remove."""
    t = s.subscriptions
    with store.tx() as conn:
        same = _same(conn, adapter, channel, kind, value)
        if same is None:
            return False
        match = and_(_where(adapter, channel), t.c.kind == kind, t.c.value == same)
        row = conn.execute(select(t).where(match)).first()
        if row is None:
            return False
        left = without(_row(row).mode, mode)
        if left == _row(row).mode:
            return False
        if left is None:
            conn.execute(delete(t).where(match))
        else:
            conn.execute(update(t).where(match).values(mode=left))
    return True


def list_subscriptions(store: Store, adapter: str, channel: str | None = None) -> list[Subscription]:
    """The chat-made subscriptions of one channel (or of every channel of an adapter)."""
    t = s.subscriptions
    q = select(t).where(t.c.adapter == adapter) if channel is None else select(t).where(_where(adapter, channel))
    with store.tx() as conn:
        rows = conn.execute(q.order_by(t.c.channel, t.c.kind, t.c.value)).all()
    return [_row(r) for r in rows]


def all_subscriptions(store: Store) -> list[Subscription]:
    t = s.subscriptions
    with store.tx() as conn:
        return [_row(r) for r in conn.execute(select(t).order_by(t.c.id)).all()]


def alert_sources_and_topic(store: Store, alert_id: int, story_id: int | None) -> tuple[list[str], str | None]:
    """The sources of every article that carried an alert, and its story's topic."""
    with store.tx() as conn:
        sources = conn.execute(select(s.articles.c.source).join(
            s.alert_articles, s.alert_articles.c.article_id == s.articles.c.id).where(
                s.alert_articles.c.alert_id == alert_id)).scalars().all()
        topic = None
        if story_id is not None:
            topic = conn.execute(select(s.stories.c.topic).where(s.stories.c.id == story_id)).scalar()
    return [str(x) for x in sources], str(topic) if topic else None


@dataclass(frozen=True, slots=True)
class ScoringContext:
    """What re-scoring the alerts of a window needs, read in one transaction."""

    rows: list[tuple[int, int | None, dict[str, Any], float | None, dt.datetime]]  # id, story, alert, score, created
    outlets: dict[int, int]  # alert id -> distinct outlets that carried it
    story_tolls: dict[int, float]  # story -> the largest casualty toll it had before the window


def scoring_context(store: Store, since: dt.datetime) -> ScoringContext:
    """The alerts created since `since` (oldest first), their outlet counts, and the tolls their stories
    had before (killed + half the wounded, as the importance rule counts them)."""
    a, aa = s.alerts, s.alert_articles
    with store.tx() as conn:
        rows = [(int(i), story, json.loads(data), imp, created if created.tzinfo else created.replace(tzinfo=dt.UTC))
                for i, story, data, imp, created in conn.execute(
                    select(a.c.id, a.c.story_id, a.c.data, a.c.importance, a.c.created_at)
                    .where(a.c.created_at >= since).order_by(a.c.id)).all()]
        outlet = func.coalesce(s.articles.c.outlet, s.articles.c.source)
        outlets = {int(alert_id): int(count) for alert_id, count in conn.execute(
            select(aa.c.alert_id, func.count(outlet.distinct())).join(s.articles, s.articles.c.id == aa.c.article_id)
            .where(aa.c.alert_id.in_([r[0] for r in rows])).group_by(aa.c.alert_id))}
        tolls: dict[int, float] = {}
        for story_id, data in conn.execute(select(a.c.story_id, a.c.data).where(and_(
                a.c.type == "casualty", a.c.created_at < since,
                a.c.story_id.in_({r[1] for r in rows if r[1] is not None})))):
            d = json.loads(data)
            value = float(d.get("killed") or 0) + 0.5 * float(d.get("wounded") or 0)
            tolls[int(story_id)] = max(tolls.get(int(story_id), 0.0), value)
    return ScoringContext(rows, outlets, tolls)


def set_importances(store: Store, scores: Mapping[int, float] | Iterable[tuple[int, float]]) -> None:
    items = scores.items() if isinstance(scores, Mapping) else scores
    with store.tx() as conn:
        for alert_id, score in items:
            conn.execute(update(s.alerts).where(s.alerts.c.id == alert_id).values(importance=score))
