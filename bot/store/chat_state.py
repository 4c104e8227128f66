"""Delivery bookkeeping of the chat adapters, on top of the store's tables: tries of a failing send,
sends marked failed (with Slack's or the homeserver's reason), channels the chat refuses, and the
story threads whose root may need catching up.

Kept apart from `bot.store.db` so that delivery's rules can change without touching the store's core.
Small counters live in the key/value table; failed sends are `deliveries` rows with status "failed".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.store import schema as s
from bot.store.db import PROCESS_ID, Store, aware, utcnow

_TRIES = "delivery_tries:"
_BLOCKED = "channel_refused:"


def _key(prefix: str, *parts: str) -> str:
    return (prefix + "|".join(parts))[:200]


def count_try(store: Store, adapter: str, channel: str, item_key: str) -> int:
    """One more failed try of this send; returns how many so far."""
    key = _key(_TRIES, adapter, channel, item_key)
    tries = int(store.get_state(key) or 0) + 1
    store.set_state(key, str(tries))
    return tries


# Run for every alert delivered: built once (see bot.store.db's _CLAIM).
_CLEAR_TRIES = delete(s.kv).where(s.kv.c.key == bindparam("tries_key"))


def clear_tries(store: Store, adapter: str, channel: str, item_key: str) -> None:
    with store.tx() as conn:
        conn.execute(_CLEAR_TRIES, {"tries_key": _key(_TRIES, adapter, channel, item_key)})


def confirm_sent(store: Store, adapter: str, channel: str, item_key: str, *, message_id: str,
                 thread_id: str | None = None) -> None:
    """A send went out: its claim confirmed and its failed tries forgotten, in one transaction."""
    with store.tx():
        store.confirm(adapter, channel, item_key, message_id=message_id, thread_id=thread_id)
        clear_tries(store, adapter, channel, item_key)


def thread_roots(store: Store, adapter: str, channel: str, story_ids: Collection[int]) -> dict[int, str]:
    """story id -> root message of these stories' threads in a channel: one statement for a whole pass."""
    t = s.story_threads
    if not story_ids:
        return {}
    with store.tx() as conn:
        return {int(story): str(root) for story, root in conn.execute(
            select(t.c.story_id, t.c.root_message_id).where(and_(
                t.c.adapter == adapter, t.c.channel == channel, t.c.story_id.in_(sorted(story_ids)))))}


def mark_failed(store: Store, adapter: str, channel: str, item_key: str, reason: str) -> None:
    """The send failed for good: its claim becomes a "failed" row with the reason (never sent again)."""
    with store.tx() as conn:
        conn.execute(update(s.deliveries).where(and_(
            s.deliveries.c.adapter == adapter, s.deliveries.c.channel == channel,
            s.deliveries.c.item_key == item_key)).values(status="failed", error=reason[:1000], sent_at=utcnow(),
                                                         owner=PROCESS_ID))
        conn.execute(delete(s.kv).where(s.kv.c.key == _key(_TRIES, adapter, channel, item_key)))


def fail_all(store: Store, adapter: str, channel: str, alert_ids: list[int], reason: str) -> int:
    """Mark these alerts failed in this channel at once (the chat refuses the whole channel); returns
    how many were marked (those claimed or sent meanwhile are left alone)."""
    marked = 0
    now = utcnow()
    for alert_id in alert_ids:
        try:
            with store.tx() as conn:
                conn.execute(insert(s.deliveries).values(
                    adapter=adapter, channel=channel, item_key=f"alert:{alert_id}", alert_id=alert_id,
                    status="failed", claimed_at=now, sent_at=now, error=reason[:1000], owner=PROCESS_ID))
        except IntegrityError:
            continue
        marked += 1
    return marked


@dataclass(frozen=True, slots=True)
class FailedDeliveries:
    """Sends marked failed in one channel for one reason: what an admin needs to act."""

    adapter: str
    channel: str
    reason: str
    count: int
    last_at: dt.datetime | None


def failed_deliveries(store: Store) -> list[FailedDeliveries]:
    """Failed sends grouped by channel and reason, most recent first (for /healthz, /metrics, status)."""
    d = s.deliveries
    q = (select(d.c.adapter, d.c.channel, d.c.error, func.count(), func.max(d.c.sent_at))
         .where(d.c.status == "failed").group_by(d.c.adapter, d.c.channel, d.c.error))
    with store.tx() as conn:
        rows = conn.execute(q).all()
    found = [FailedDeliveries(str(a), str(c), str(e or "unknown"), int(n), aware(at)) for a, c, e, n, at in rows]
    return sorted(found, key=lambda f: f.last_at or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True)


# --- channels the chat refuses (channel_not_found, M_FORBIDDEN…) --------------------------------

@dataclass(frozen=True, slots=True)
class Refusal:
    reason: str
    failures: int
    until: dt.datetime


def refuse_channel(store: Store, adapter: str, channel: str, reason: str, *,
                   base: dt.timedelta = dt.timedelta(minutes=1), cap: dt.timedelta = dt.timedelta(hours=1),
                   now: dt.datetime | None = None) -> Refusal:
    """The chat refused the whole channel: no send is tried there before `until` (doubling each time)."""
    now = now or utcnow()
    before = channel_refusal(store, adapter, channel)
    failures = (before.failures if before else 0) + 1
    wait = min(base * 2 ** (failures - 1), cap)
    refusal = Refusal(reason, failures, now + wait)
    store.set_state(_key(_BLOCKED, adapter, channel), json.dumps(
        {"reason": reason, "failures": failures, "until": refusal.until.isoformat()}))
    return refusal


def channel_refusal(store: Store, adapter: str, channel: str) -> Refusal | None:
    raw = store.get_state(_key(_BLOCKED, adapter, channel))
    if not raw:
        return None
    try:
        data: dict[str, Any] = json.loads(raw)
        return Refusal(str(data["reason"]), int(data["failures"]), dt.datetime.fromisoformat(data["until"]))
    except (ValueError, KeyError, TypeError):
        return None


def channel_accepted(store: Store, adapter: str, channel: str) -> None:
    with store.tx() as conn:
        conn.execute(delete(s.kv).where(s.kv.c.key == _key(_BLOCKED, adapter, channel)))


def refused_channels(store: Store) -> list[tuple[str, str, Refusal]]:
    """(adapter, channel, refusal) for every channel the chat currently refuses."""
    with store.tx() as conn:
        rows = conn.execute(select(s.kv.c.key).where(s.kv.c.key.like(f"{_BLOCKED}%"))).scalars().all()
    out = []
    for key in rows:
        adapter, _, channel = key[len(_BLOCKED):].partition("|")
        refusal = channel_refusal(store, adapter, channel)
        if refusal is not None:
            out.append((adapter, channel, refusal))
    return out


# --- story threads ---------------------------------------------------------------------------

def recent_threads(store: Store, adapter: str, channel: str, since: dt.datetime) -> list[tuple[int, str]]:
    """(story id, root message id) of the channel's story threads whose story changed since `since`."""
    t, st = s.story_threads, s.stories
    q = (select(t.c.story_id, t.c.root_message_id).join(st, st.c.id == t.c.story_id)
         .where(and_(t.c.adapter == adapter, t.c.channel == channel, st.c.updated_at >= since))
         .order_by(t.c.story_id))
    with store.tx() as conn:
        return [(int(story), str(root)) for story, root in conn.execute(q).all()]


