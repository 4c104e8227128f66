"""Digests per channel: what goes in one, when one is due, and sending it exactly once per period.

A channel's digest covers [last digest, now): `channel_state.last_digest_at` is written only after
the digest was posted, so a restart or downtime neither skips nor repeats a period. A digest is due
when the cron's first fire time after the last digest is in the past: whatever number of fire times
passed while the bot was down, that gives one digest, sent at start.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.chat.base import ChatAdapter
from bot.config import ALERT_TYPE_NAMES, ChannelConfig, Config
from bot.core.digest import SECTION_ORDER, DigestEntry, EntryReader, FiguresReader, StoryFigures, build_digest_parts
from bot.core.models import Alert, Casualty, Fighting, Message, Statement, fold
from bot.core.tally import identity_of
from bot.service.command_prefix import command_prefix
from bot.service.subscriptions import alert_matches, channel_timezone, digest_filters, topics_reader
from bot.service.tallies import story_views
from bot.store import Store
from bot.store.readmodels import AlertView, Carried, casualty_series, read_alerts
from bot.store.readmodels import alert_gists as read_gists

log = logging.getLogger(__name__)

# A channel's first digest (no earlier one on record) covers this much, not the whole archive.
FIRST_DIGEST_WINDOW = dt.timedelta(hours=24)
MORE_COMMAND = "{prefix} digest --since {since}"
READ_CHUNK = 10_000  # alert ids per statement: well under SQLite's limit on bound parameters


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
    """The alerts created in [since, until) that the channel's digest filters take, with their story and
    outlets: two statements whatever the number of alerts. The figures of the casualty stories a digest
    shows are read by `digest_figures`, for those stories only."""
    topics = topics_reader(config)
    # A channel taking some types only: the others are not even read.
    types = channel.types if set(ALERT_TYPE_NAMES) - set(channel.types) else None
    return [entry_of(v) for v in read_alerts(store, since=since, until=until, types=types)
            if alert_matches(channel, v.alert, v.importance, topics(v) if channel.topics else None)]


def entry_of(view: AlertView, *, story_lang: str | None = None) -> DigestEntry:
    """A digest's entry for a stored alert read with its context (`story_lang`: its story title's)."""
    return DigestEntry(view.alert, view.story_id, view.story_title if view.story_id is not None else None,
                       view.importance, view.outlet_names, alert_id=view.id,
                       story_lang=story_lang if view.story_id is not None else None)


def digest_placeholders(store: Store, channel: ChannelConfig, *, since: dt.datetime, until: dt.datetime,
                        topics: Callable[[Carried], frozenset[str]] | None = None,
                        ) -> tuple[list[DigestEntry], EntryReader] | None:
    """For a channel filtered by type, importance and topic at most (no keyword: nothing that needs an
    alert's text), the entries of [since, until) as placeholders ordered from their columns, and the reader
    of the entries a digest may show: a digest of the whole archive decodes a hundred alerts, not a hundred
    thousand. Topics are read from the stories and the sources that carried each alert (`topics`:
    `subscriptions.topics_reader`). None for other channels (`digest_entries` then)."""
    if channel.keywords or (channel.topics and topics is None):
        return None
    types = channel.types if set(ALERT_TYPE_NAMES) - set(channel.types) else None
    gists = read_gists(store, since=since, until=until, types=types, min_importance=channel.min_importance,
                       sources=bool(channel.topics))
    if channel.topics and topics is not None:
        wanted = {fold(x) for x in channel.topics}
        gists = [g for g in gists if topics(g) & wanted]
    blank: dict[str, Alert] = {"statement": Statement("", "", ""), "casualty": Casualty("")}
    entries = [DigestEntry(Fighting("", g.place or "") if g.kind == "fighting" else blank[g.kind], g.story_id,
                           g.story_title if g.story_id is not None else None, g.importance, alert_id=g.id)
               for g in gists if g.kind in SECTION_ORDER]

    def read(ids: Sequence[int]) -> dict[int, DigestEntry]:
        found: dict[int, DigestEntry] = {}
        for i in range(0, len(ids), READ_CHUNK):  # one statement for any digest but a huge fighting part
            found.update({v.id: entry_of(v) for v in read_alerts(store, ids=ids[i:i + READ_CHUNK])})
        return found

    return entries, read


def digest_figures(store: Store) -> FiguresReader:
    """What a digest shows of its casualty stories, read for all of them at once: the story's tally (the
    same figures everywhere) and, for each of its figures, the same reporter's figure before it."""

    def read(story_ids: Sequence[int]) -> dict[int, StoryFigures]:
        if not story_ids:
            return {}
        tallies = story_views(store, story_ids)
        out: dict[int, StoryFigures] = {}
        for story_id, series in casualty_series(store, story_ids).items():
            # A change is the same reporter's figure moving; another reporter's differing count is not.
            last_by: dict[str, Casualty] = {}
            previous: dict[int, Casualty] = {}
            for alert_id, alert in series:
                if not isinstance(alert, Casualty):
                    continue
                who = identity_of(alert)[0]  # stories: one source whatever its spelling (remembered there)
                if who in last_by:
                    previous[alert_id] = last_by[who]
                last_by[who] = alert
            out[story_id] = StoryFigures(tally=tallies.get(story_id), previous=previous)
        for story_id in story_ids:
            out.setdefault(story_id, StoryFigures(tally=tallies.get(story_id)))
        return out

    return read


def digest_messages(
    store: Store, config: Config, channel: ChannelConfig, *, since: dt.datetime | None, now: dt.datetime,
    max_parts: int = 3,
) -> list[Message]:
    start = since if since is not None else now - FIRST_DIGEST_WINDOW
    filters = digest_filters(config, store, channel)
    lazy = digest_placeholders(store, filters, since=start, until=now, topics=topics_reader(config))
    entries, resolve = lazy if lazy is not None else (digest_entries(store, config, filters, since=start, until=now),
                                                      None)
    tz = ZoneInfo(channel_timezone(config, channel))
    local_since = start.astimezone(tz)
    return build_digest_parts(
        entries, lang=channel.language, since=local_since, now=now.astimezone(tz), max_parts=max_parts,
        more_command=MORE_COMMAND.format(prefix=command_prefix(config, channel.output),
                                         since=local_since.strftime("%Y-%m-%dT%H:%M")),
        figures=digest_figures(store), resolve=resolve,
    )


async def send_channel_digest(
    store: Store, config: Config, adapter: ChatAdapter, channel: ChannelConfig, *, now: dt.datetime,
    slot: dt.datetime | None = None,
) -> list[Message]:
    """Post the channel's digest for the period ending `now`, once: the delivery claim is keyed by the
    cron slot (or `now`), and the period start moves on only after the post. Returns what was posted."""
    since = await store.run(store.last_digest_at, adapter.name, channel.id)
    # Unscheduled digests (run --once, /news digest) are keyed to the microsecond: two runs in one
    # second are two digests; scheduled ones by their cron slot, so replicas post one.
    stamp = slot.astimezone(dt.UTC).isoformat(timespec="seconds") if slot else now.astimezone(dt.UTC).isoformat()
    item = f"digest:{stamp}"
    if not await store.run(store.claim, adapter.name, channel.id, item):
        # Claimed before: sent, or a crash mid-send. Never post twice; close the period.
        log.info("digest %s for %s/%s was claimed before; not posting again", item, adapter.name, channel.id)
        await store.run(store.set_last_digest_at, adapter.name, channel.id, now)
        return []
    messages = await store.run(digest_messages, store, config, channel, since=since, now=now)
    first_id: str | None = None
    try:
        for message in messages:
            posted = await adapter.post(channel.id, message)
            first_id = first_id or posted.message_id
    except Exception as exc:
        if first_id is None:  # nothing went out: the next run tries again
            await store.run(store.release, adapter.name, channel.id, item, str(exc))
            raise
        log.warning("digest for %s/%s posted in part only: %s", adapter.name, channel.id, exc)
    assert first_id is not None
    await store.run(store.confirm, adapter.name, channel.id, item, message_id=first_id)
    await store.run(store.set_last_digest_at, adapter.name, channel.id, now)
    return messages
