"""Digests per channel: what goes in one, when one is due, and sending it exactly once per period.

A channel's digest covers [last digest, now): `channel_state.last_digest_at` is written only after
the digest was posted, so a restart or downtime neither skips nor repeats a period. A digest is due
when the cron's first fire time after the last digest is in the past: whatever number of fire times
passed while the bot was down, that gives one digest, sent at start.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.chat.base import ChatAdapter
from bot.config import ChannelConfig, Config
from bot.core.digest import DigestEntry, build_digest_parts
from bot.core.models import Casualty, Message
from bot.core.tally import Reconciled, identity_of
from bot.service.command_prefix import command_prefix
from bot.service.subscriptions import alert_matches, alert_topics, channel_timezone, digest_filters
from bot.service.tallies import story_view
from bot.store import Store

log = logging.getLogger(__name__)

# A channel's first digest (no earlier one on record) covers this much, not the whole archive.
FIRST_DIGEST_WINDOW = dt.timedelta(hours=24)
MORE_COMMAND = "{prefix} digest --since {since}"


def cron_trigger(cron: str, timezone: str) -> CronTrigger:
    return CronTrigger.from_crontab(cron, timezone=ZoneInfo(timezone))


def next_fire(trigger: CronTrigger, after: dt.datetime) -> dt.datetime | None:
    """The first fire time strictly after `after`, in UTC."""
    fire: dt.datetime | None = trigger.get_next_fire_time(after, after)
    return fire.astimezone(dt.UTC) if fire is not None else None


def due_slot(trigger: CronTrigger, last: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    """The latest fire time <= now when a digest is due (some fire time after `last` has passed), else
    None. Several fire times missed during downtime give one slot: the latest."""
    if last is None:
        return None
    fire = next_fire(trigger, last)
    if fire is None or fire > now:
        return None
    for _ in range(100_000):  # a minutely cron over two months of downtime, at most
        following = next_fire(trigger, fire)
        if following is None or following > now:
            break
        fire = following
    return fire


def digest_entries(
    store: Store, config: Config, channel: ChannelConfig, *, since: dt.datetime, until: dt.datetime,
) -> list[DigestEntry]:
    """The alerts created in [since, until) that the channel's digest filters take, with their story,
    outlets and the story's earlier casualty figure."""
    entries: list[DigestEntry] = []
    stories: dict[int, str | None] = {}
    views: dict[int, Reconciled] = {}
    for s in store.alerts(since=since):
        if s.created_at >= until:
            continue
        if not alert_matches(channel, s.alert, s.importance, alert_topics(store, config, s.id, s.story_id)):
            continue
        title = None
        previous: Casualty | None = None
        if s.story_id is not None:
            if s.story_id not in stories:
                story = store.story(s.story_id)
                stories[s.story_id] = story["title"] if story else None
            title = stories[s.story_id]
            if isinstance(s.alert, Casualty):
                # A change is the same reporter's figure moving; another reporter's differing count is not.
                who = identity_of(s.alert)[0]  # stories: one source whatever its spelling
                earlier = [a.alert for a in store.alerts(story_id=s.story_id, types=["casualty"])
                           if a.id < s.id and isinstance(a.alert, Casualty) and identity_of(a.alert)[0] == who]
                last = earlier[-1] if earlier else None
                previous = last if isinstance(last, Casualty) else None
        outlets = tuple(dict.fromkeys(a.outlet or a.source for a in store.outlets_of_alert(s.id)))
        tally = None
        if isinstance(s.alert, Casualty) and s.story_id is not None:  # stories: the same figures everywhere
            if s.story_id not in views:
                views[s.story_id] = story_view(store, s.story_id)
            tally = views[s.story_id]
        entries.append(DigestEntry(s.alert, s.story_id, title, s.importance, outlets, previous, tally=tally))
    return entries


def digest_messages(
    store: Store, config: Config, channel: ChannelConfig, *, since: dt.datetime | None, now: dt.datetime,
    max_parts: int = 3,
) -> list[Message]:
    start = since if since is not None else now - FIRST_DIGEST_WINDOW
    entries = digest_entries(store, config, digest_filters(config, store, channel), since=start, until=now)
    tz = ZoneInfo(channel_timezone(config, channel))
    local_since = start.astimezone(tz)
    return build_digest_parts(
        entries, lang=channel.language, since=local_since, now=now.astimezone(tz), max_parts=max_parts,
        more_command=MORE_COMMAND.format(prefix=command_prefix(config, channel.output),
                                         since=local_since.strftime("%Y-%m-%dT%H:%M")),
    )


async def send_channel_digest(
    store: Store, config: Config, adapter: ChatAdapter, channel: ChannelConfig, *, now: dt.datetime,
    slot: dt.datetime | None = None,
) -> list[Message]:
    """Post the channel's digest for the period ending `now`, once: the delivery claim is keyed by the
    cron slot (or `now`), and the period start moves on only after the post. Returns what was posted."""
    since = store.last_digest_at(adapter.name, channel.id)
    # Unscheduled digests (run --once, /news digest) are keyed to the microsecond: two runs in one
    # second are two digests; scheduled ones by their cron slot, so replicas post one.
    stamp = slot.astimezone(dt.UTC).isoformat(timespec="seconds") if slot else now.astimezone(dt.UTC).isoformat()
    item = f"digest:{stamp}"
    if not store.claim(adapter.name, channel.id, item):
        # Claimed before: sent, or a crash mid-send. Never post twice; close the period.
        log.info("digest %s for %s/%s was claimed before; not posting again", item, adapter.name, channel.id)
        store.set_last_digest_at(adapter.name, channel.id, now)
        return []
    messages = digest_messages(store, config, channel, since=since, now=now)
    first_id: str | None = None
    try:
        for message in messages:
            posted = await adapter.post(channel.id, message)
            first_id = first_id or posted.message_id
    except Exception as exc:
        if first_id is None:  # nothing went out: the next run tries again
            store.release(adapter.name, channel.id, item, str(exc))
            raise
        log.warning("digest for %s/%s posted in part only: %s", adapter.name, channel.id, exc)
    assert first_id is not None
    store.confirm(adapter.name, channel.id, item, message_id=first_id)
    store.set_last_digest_at(adapter.name, channel.id, now)
    return messages
