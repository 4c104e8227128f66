"""Deliver stored alerts to chat channels: one thread per story per channel, never twice.

Each send is claimed in the database first and confirmed after, so a restart (or a second
replica) cannot post the same alert again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from bot.chat.base import ChatAdapter
from bot.config import ChannelConfig
from bot.core.extract.confidence import is_pushed
from bot.core.render import render_alert
from bot.service.subscriptions import alert_matches
from bot.service.tallies import root_edit, root_edited
from bot.store import Store, StoredAlert, utcnow
from bot.store.db import PROCESS_ID

log = logging.getLogger(__name__)

# A channel added later, or a bot that was down for long, gets recent alerts, not the whole archive.
DELIVERY_WINDOW = dt.timedelta(days=2)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0


def outlets_for(store: Store, stored: StoredAlert) -> list[tuple[str, str | None]]:
    seen: dict[str, str | None] = {}
    for art in store.outlets_of_alert(stored.id):
        seen.setdefault(art.outlet or art.source, art.url)
    return list(seen.items())


def wanted(channel: ChannelConfig, stored: StoredAlert, topics: Collection[str] | None = None) -> bool:
    """The channel's filters (types, minimum importance, keywords, topics): see `bot.service.subscriptions`."""
    return alert_matches(channel, stored.alert, stored.importance, topics)


async def deliver_alerts(
    store: Store, adapters: Mapping[str, ChatAdapter], channels: tuple[ChannelConfig, ...],
    *, now: dt.datetime | None = None,
    topics_of: Callable[[StoredAlert], Collection[str]] | None = None,
    held: Callable[[ChannelConfig, dt.datetime], bool] | None = None,
    owner: str = PROCESS_ID,
) -> DeliveryReport:
    """`topics_of` gives an alert's topics for topic filters; `held` says a channel is in its quiet hours
    (its alerts stay undelivered until a later call finds it awake)."""
    now = now or utcnow()
    sent = failed = 0
    replied: dict[tuple[str, str, int], tuple[ChatAdapter, ChannelConfig, str]] = {}  # threads to refresh
    for channel in channels:
        adapter = adapters.get(channel.output)
        if adapter is None or not channel.alerts:
            continue
        if held is not None and held(channel, now):
            continue
        store.heartbeat()
        await recover_orphans(store, adapter, channel)
        pending = store.undelivered_alerts(adapter.name, channel.id, since=now - DELIVERY_WINDOW)
        # Story by story, most important first: a new story's thread opens on its weightiest fact
        # (a casualty figure rather than a passing statement).
        first_seen: dict[int | None, int] = {}
        for stored in pending:
            first_seen.setdefault(stored.story_id, stored.id)
        pending.sort(key=lambda a: (first_seen[a.story_id], -a.importance, a.id))
        for stored in pending:
            if not is_pushed(stored.alert):
                continue  # below the extractor's confidence threshold: stored and searchable, never pushed
            if not wanted(channel, stored, topics_of(stored) if topics_of is not None else None):
                continue
            item = f"alert:{stored.id}"
            if not store.claim(adapter.name, channel.id, item, alert_id=stored.id):
                continue
            article = store.article(stored.article_id)
            message = render_alert(
                stored.alert, lang=channel.language, article_lang=article.lang if article else None,
                outlets=outlets_for(store, stored),
            )
            message = dataclasses.replace(
                message, meta={**message.meta, "delivery_key": delivery_key(adapter.name, channel.id, item)})
            root = store.thread_root(adapter.name, channel.id, stored.story_id) if stored.story_id else None
            # Opening a story's thread is reserved first: a replica delivering the same story at the same
            # time would otherwise open a second thread. The loser leaves the alert for its next pass.
            opening = f"thread:{adapter.name}:{channel.id}:{stored.story_id}"[:200]
            if root is None and stored.story_id is not None and not store.acquire_lease(
                    opening, owner, dt.timedelta(minutes=1)):
                store.release(adapter.name, channel.id, item, "thread being opened by another replica")
                continue
            try:
                if root is None:
                    posted = await adapter.post(channel.id, message)
                else:
                    posted = await adapter.reply(channel.id, root, message)
            except Exception as exc:  # the chat said no: release the claim, retry next time
                log.warning("delivery of alert %s to %s/%s failed: %s", stored.id, adapter.name, channel.id, exc)
                store.release(adapter.name, channel.id, item, str(exc))
                if root is None and stored.story_id is not None:
                    store.release_lease(opening, owner)
                failed += 1
                continue
            # Posted: from here on the alert is delivered, whatever else fails.
            store.confirm(adapter.name, channel.id, item, message_id=posted.message_id, thread_id=root)
            if root is None and stored.story_id is not None:
                try:
                    store.set_thread_root(adapter.name, channel.id, stored.story_id, posted.message_id)
                finally:
                    store.release_lease(opening, owner)
            sent += 1
            if root is not None and stored.story_id is not None:
                replied[(adapter.name, channel.id, stored.story_id)] = (adapter, channel, root)
    for (_, _, story_id), (adapter, channel, root) in replied.items():
        await refresh_root(store, adapter, channel, story_id, root)
    return DeliveryReport(sent=sent, failed=failed)


def delivery_key(adapter: str, channel: str, item: str) -> str:
    """Stable for one item in one channel: adapters use it to make a repeated send a no-op."""
    return hashlib.sha256(f"{adapter}|{channel}|{item}".encode()).hexdigest()[:32]


async def recover_orphans(store: Store, adapter: ChatAdapter, channel: ChannelConfig) -> None:
    """Claims left by a process that died mid-send: confirm what the chat already has, free the rest.

    Freed items are sent again by the normal pass with the same delivery key, which adapters use for
    idempotent sends (Matrix transaction ids); adapters that can search their history (Slack message
    metadata) are asked first. Only an adapter with neither (the console) may show an item twice.
    """
    finder = getattr(adapter, "find_posted", None)
    for orphan in store.orphaned_claims(adapter.name, channel.id):
        item, alert_id = orphan["item_key"], orphan["alert_id"]
        if alert_id is None:
            continue  # digests: a claimed digest counts as sent (see bot.service.digests)
        stored = store.alert(alert_id)
        root = None
        if stored is not None and stored.story_id is not None:
            root = store.thread_root(adapter.name, channel.id, stored.story_id)
        posted = None
        if finder is not None:
            try:
                posted = await finder(channel.id, delivery_key(adapter.name, channel.id, item), thread_id=root)
            except Exception as exc:  # cannot tell: send again; the delivery key still guards where it can
                log.warning("could not check %s/%s for %s: %s", adapter.name, channel.id, item, exc)
        if posted is None:
            store.release(adapter.name, channel.id, item, "orphaned claim")
            continue
        if root is None and stored is not None and stored.story_id is not None:
            store.set_thread_root(adapter.name, channel.id, stored.story_id, posted.message_id)
        store.confirm(adapter.name, channel.id, item, message_id=posted.message_id, thread_id=root)
        log.info("recovered %s in %s/%s: it was posted before the crash", item, adapter.name, channel.id)


async def refresh_root(store: Store, adapter: ChatAdapter, channel: ChannelConfig, story_id: int, root: str) -> None:
    """After replies in a story's thread, edit its root to show the story's latest figures."""
    try:
        message = root_edit(store, adapter.name, channel.id, story_id, root, lang=channel.language)
        if message is None:
            return
        await adapter.edit(channel.id, root, message)
        root_edited(store, adapter.name, channel.id, story_id, message)
    except Exception as exc:  # the replies are posted; a failed edit is retried with the next reply
        log.warning("edit of the root of story %s in %s/%s failed: %s", story_id, adapter.name, channel.id, exc)
