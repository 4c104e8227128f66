"""The subscriptions table (what each chat channel asked for with `/news subscribe`), and the context
an alert's importance and topics are read from. The rules (which kinds, modes and values are valid,
how a channel is served) are in bot.service.subscriptions; here is how they are kept."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, delete, func, insert, or_, select, update

from bot.core.models import fold
from bot.store import schema as s
from bot.store.db import Store, aware


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
    """What re-scoring some alerts of a window needs, read in one transaction."""

    rows: list[tuple[int, int | None, dict[str, Any], float | None, dt.datetime]]  # id, story, alert, score, created
    outlets: dict[int, int]  # alert id -> distinct outlets that carried it
    story_tolls: dict[int, float]  # story -> the largest casualty toll it had before the window
    places: list[tuple[int, str, dt.datetime]]  # every fighting alert since `since`: id, place (raw), created




def _key(story_id: int | None, alert_id: int) -> str:
    return f"s{story_id}" if story_id is not None else f"a{alert_id}"


def score_inputs(store: Store, since: dt.datetime) -> dict[str, str]:
    """A fingerprint of what the importance of the alerts created since `since` depends on, per story
    ("s12"; an alert without a story stands alone: "a34"): its alerts and the articles carrying them.
    A new alert, a new outlet of one, a merge or a split changes it. One aggregate statement, no JSON."""
    a, aa = s.alerts, s.alert_articles
    alone = case((a.c.story_id.is_(None), a.c.id), else_=-1)
    q = (select(a.c.story_id, alone, func.count(a.c.id.distinct()), func.min(a.c.id), func.max(a.c.id),
                func.count(aa.c.article_id))
         .select_from(a.outerjoin(aa, aa.c.alert_id == a.c.id)).where(a.c.created_at >= since)
         .group_by(a.c.story_id, alone))
    with store.tx() as conn:
        return {_key(story, int(lone)): f"{n}:{lo}:{hi}:{links}"
                for story, lone, n, lo, hi, links in conn.execute(q)}


SCORED_KEY = "importance:inputs"


def scored_inputs(store: Store) -> dict[str, str]:
    """The fingerprints the importances now stored were computed from (see `score_inputs`)."""
    raw = store.get_state(SCORED_KEY)
    return {str(k): str(v) for k, v in json.loads(raw).items()} if raw else {}


def save_scored_inputs(store: Store, inputs: Mapping[str, str]) -> None:
    store.set_state(SCORED_KEY, json.dumps(dict(sorted(inputs.items())), separators=(",", ":")))


def scoring_context(store: Store, since: dt.datetime, *, keys: Collection[str]) -> ScoringContext:
    """The alerts created since `since` (oldest first) of the stories (and lone alerts) named by `keys`
    (see `score_inputs`), their outlet counts, the tolls their stories had before, and the
    places of every fighting alert since `since` (fighting at a place is news when none was there before,
    in whatever story)."""
    a, aa = s.alerts, s.alert_articles
    story_ids = sorted(int(k[1:]) for k in keys if k.startswith("s"))
    alone = sorted(int(k[1:]) for k in keys if k.startswith("a"))
    chosen = select(a.c.id).where(and_(a.c.created_at >= since,
                                       or_(a.c.story_id.in_(story_ids), a.c.id.in_(alone))))
    with store.tx() as conn:
        rows = [(int(i), story, json.loads(data), imp, aware(created))
                for i, story, data, imp, created in conn.execute(
                    select(a.c.id, a.c.story_id, a.c.data, a.c.importance, a.c.created_at)
                    .where(a.c.id.in_(chosen)).order_by(a.c.id)).all()]
        outlet = func.coalesce(s.articles.c.outlet, s.articles.c.source)
        outlets = {int(alert_id): int(count) for alert_id, count in conn.execute(
            select(aa.c.alert_id, func.count(outlet.distinct())).join(s.articles, s.articles.c.id == aa.c.article_id)
            .where(aa.c.alert_id.in_(chosen)).group_by(aa.c.alert_id))}
        tolls: dict[int, float] = {}
        for story_id, data in conn.execute(select(a.c.story_id, a.c.data).where(and_(
                a.c.type == "casualty", a.c.created_at < since,
                a.c.story_id.in_(select(a.c.story_id).where(and_(a.c.id.in_(chosen), a.c.story_id.is_not(None)))))
                )):
            d = json.loads(data)
            value = float(d.get("killed") or 0) + 0.5 * float(d.get("wounded") or 0)
            tolls[int(story_id)] = max(tolls.get(int(story_id), 0.0), value)
        places: list[tuple[int, str, dt.datetime]] = []
        if any(r[2].get("type") == "fighting" for r in rows):
            for alert_id, data, created in conn.execute(select(a.c.id, a.c.data, a.c.created_at).where(and_(
                    a.c.type == "fighting", a.c.created_at >= since)).order_by(a.c.id)):
                places.append((int(alert_id), str(json.loads(data).get("location") or ""), aware(created)))
    return ScoringContext(rows, outlets, tolls, places)


def set_importances(store: Store, scores: Mapping[int, float] | Iterable[tuple[int, float]]) -> None:
    items = scores.items() if isinstance(scores, Mapping) else scores
    with store.tx() as conn:
        for alert_id, score in items:
            conn.execute(update(s.alerts).where(s.alerts.c.id == alert_id).values(importance=score))
