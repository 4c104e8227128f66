"""Deliver stored alerts to chat channels: one thread per story per channel, never twice.

Each send is claimed in the database first and confirmed after, so a restart (or a second
replica) cannot post the same alert again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import logging
import tempfile
import time
import weakref
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.chat.base import ChatAdapter, ChatError
from bot.config import ChannelConfig
from bot.core.extract.confidence import is_pushed
from bot.core.models import Message
from bot.core.render import render_alert
from bot.core.tally import Reconciled
from bot.service import tallies
from bot.service.health import observe_delivery
from bot.service.subscriptions import alert_matches
from bot.service.tallies import root_edit, root_edited, root_message, story_chart
from bot.store import Store, StoredAlert, chat_state, utcnow
from bot.store.db import PROCESS_ID, is_outage
from bot.store.location import database_file
from bot.store.readmodels import AlertView, read_alerts

log = logging.getLogger(__name__)

# A channel added later, or a bot that was down for long, gets recent alerts, not the whole archive.
DELIVERY_WINDOW = dt.timedelta(days=2)
# A send the chat refuses for good (channel_not_found, M_FORBIDDEN, a message it will not take) is
# tried this many times, on separate passes, before it is marked failed with the chat's reason.
MAX_TRIES = 3


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


def chart_dir_for(store: Store) -> Path:
    """Where charts are drawn: beside a SQLite database file; else `tallies.CHART_DIR` when it was set to
    an absolute folder, else the system's temp dir. Never relative to the current directory (a checkout)."""
    database = database_file(store)
    if database is not None:
        return database.resolve().parent / "charts"
    if tallies.CHART_DIR.is_absolute():
        return tallies.CHART_DIR
    return Path(tempfile.gettempdir()) / "newsbot-charts"


def casualty_charts(store: Store, lang: str, *, stories: list[dict[str, Any]], chart_dir: Path | None = None,
                    views: Mapping[int, Reconciled] | None = None) -> tuple[str, ...]:
    """The chart attached to a `casualties` answer: the newest of `stories` (those of the topic,
    `stories_with_figures`) whose figures span two dates or more.
    Blocking (matplotlib): run it in a thread from a coroutine."""
    for story in stories:
        try:
            path = story_chart(store, int(story["id"]), lang=lang, directory=chart_dir or chart_dir_for(store),
                               view=(views or {}).get(int(story["id"])))
        except Exception:  # a chart is a bonus: never lose the answer over it
            log.exception("chart of story %s failed", story["id"])
            return ()
        if path is not None:
            return (str(path),)
    return ()


# Channels whose thread roots were checked since this store was opened (the process started): the
# first pass catches up root edits a previous process was killed before making.
_caught_up: weakref.WeakKeyDictionary[Store, set[tuple[str, str]]] = weakref.WeakKeyDictionary()


async def deliver_alerts(
    store: Store, adapters: Mapping[str, ChatAdapter], channels: tuple[ChannelConfig, ...],
    *, now: dt.datetime | None = None,
    topics_of: Callable[[StoredAlert], Collection[str]] | None = None,
    held: Callable[[ChannelConfig, dt.datetime], bool] | None = None,
    owner: str = PROCESS_ID,
    chart_dir: Path | None = None,
    tags: Mapping[str, Collection[str]] | None = None,
) -> DeliveryReport:
    """`tags` (source name -> tags) gives an alert's topics for topic filters, from its read model;
    `topics_of` does it alert by alert (and may read the store); `held` says a channel is in its quiet
    hours (its alerts stay undelivered until a later call finds it awake).

    Channels are served concurrently (each keeps its own pace), one story after another within each.
    """
    now = now or utcnow()
    charts = chart_dir or chart_dir_for(store)
    jobs = []
    for channel in channels:
        adapter = adapters.get(channel.output)
        if adapter is None or not channel.alerts:
            continue
        if held is not None and held(channel, now):
            continue
        jobs.append(_deliver_channel(store, adapter, channel, now=now, topics_of=topics_of, owner=owner,
                                     chart_dir=charts, tags=tags))
    # One channel runs inline (no task switch a concurrent job could slip into); several run side by side.
    reports = [await jobs[0]] if len(jobs) == 1 else await asyncio.gather(*jobs)
    return DeliveryReport(sent=sum(r.sent for r in reports), failed=sum(r.failed for r in reports))


@dataclass(frozen=True, slots=True)
class _Pass:
    """What a channel's delivery pass starts from, read in one call in the store's threads."""

    refusal: chat_state.Refusal | None
    orphans: list[dict[str, Any]]
    pending: list[AlertView]  # the undelivered alerts with their context
    roots: dict[int, str]  # story -> its thread's root in this channel


def _start_pass(store: Store, adapter: str, channel: str, now: dt.datetime, alone: bool) -> _Pass:
    """`alone`: no other pass of this process is delivering to the channel, so this process's own
    claims there are orphans too (left by a pass that stopped on an error: see `_passes`)."""
    refusal = chat_state.channel_refusal(store, adapter, channel)
    if refusal is not None and refusal.until > now:
        return _Pass(refusal, [], [], {})
    store.heartbeat()
    orphans = store.orphaned_claims(adapter, channel, own=alone)
    # The channel's undelivered alerts with what a message shows of them (article language, outlets,
    # story, topics), and their stories' threads: a few statements for the pass, none per alert.
    pending = read_alerts(store, since=now - DELIVERY_WINDOW, undelivered=(adapter, channel))
    roots = chat_state.thread_roots(store, adapter, channel, {a.story_id for a in pending if a.story_id is not None})
    return _Pass(refusal, orphans, pending, roots)


def _claim(store: Store, adapter: str, channel: str, item: str, stored: AlertView, root: str | None,
           owner: str) -> tuple[str, str | None]:
    """Claim an alert's send and, for a story without a thread here, the right to open it: ("go", root),
    ("taken", None) when the alert was claimed before, ("busy", None) when another opens the thread."""
    if not store.claim(adapter, channel, item, alert_id=stored.id):
        return "taken", None
    if root is not None or stored.story_id is None:
        return "go", root
    # Opening a story's thread is reserved first: a replica delivering the same story at the same
    # time would otherwise open a second thread. The loser leaves the alert for its next pass.
    root = store.thread_root(adapter, channel, stored.story_id)  # opened by another replica meanwhile?
    if root is None and not store.acquire_lease(_opening(adapter, channel, stored.story_id), owner,
                                                dt.timedelta(minutes=1)):
        store.release(adapter, channel, item, "thread being opened by another replica")
        return "busy", None
    return "go", root


def _sent_then_claim(store: Store, adapter: str, channel: str, item: str, stored: AlertView, root: str | None,
                     message_id: str, owner: str, refused_before: bool,
                     ahead: tuple[str, AlertView, str | None] | None) -> tuple[str, str | None] | None:
    """`_sent`, then `_claim` of the alert the pass sends next (`ahead`: its item, alert and known root):
    one trip to the store's threads per alert sent instead of two. Each keeps its own transaction, so a
    failed claim never undoes the confirmation of what was posted."""
    _sent(store, adapter, channel, item, stored, root, message_id, owner, refused_before)
    return None if ahead is None else _claim(store, adapter, channel, *ahead, owner)


def _opening(adapter: str, channel: str, story_id: int | None) -> str:
    return f"thread:{adapter}:{channel}:{story_id}"[:200]


def _sent(store: Store, adapter: str, channel: str, item: str, stored: AlertView, root: str | None,
          message_id: str, owner: str, refused_before: bool) -> None:
    """Posted: from here on the alert is delivered, whatever else fails."""
    chat_state.confirm_sent(store, adapter, channel, item, message_id=message_id, thread_id=root)
    if refused_before:
        chat_state.channel_accepted(store, adapter, channel)
    if root is None and stored.story_id is not None:
        try:
            store.set_thread_root(adapter, channel, stored.story_id, message_id)
        finally:
            store.release_lease(_opening(adapter, channel, stored.story_id), owner)


# Delivery passes of this process under way, and passes begun, by adapter and channel. A pass that stops
# on an error (the database gone in the middle) can leave a claim made and nothing sent: a pass that
# begins with no other of this process under way for the channel, and none begun before its read of the
# claims is back, takes this process's claims there as orphans (any in flight would be another pass's).
# Otherwise they would wait for a restart, the process's liveness lease keeping them from everyone.
_passes: Counter[tuple[str, str]] = Counter()
_begun: Counter[tuple[str, str]] = Counter()


async def _deliver_channel(
    store: Store, adapter: ChatAdapter, channel: ChannelConfig, *, now: dt.datetime,
    topics_of: Callable[[StoredAlert], Collection[str]] | None, owner: str, chart_dir: Path,
    tags: Mapping[str, Collection[str]] | None = None,
) -> DeliveryReport:
    key = (adapter.name, channel.id)
    alone = not _passes[key]
    _passes[key] += 1
    _begun[key] += 1
    try:
        return await _channel_pass(store, adapter, channel, now=now, topics_of=topics_of, owner=owner,
                                   chart_dir=chart_dir, tags=tags, alone=alone)
    finally:
        _passes[key] -= 1
        if not _passes[key]:
            del _passes[key]


async def _channel_pass(
    store: Store, adapter: ChatAdapter, channel: ChannelConfig, *, now: dt.datetime,
    topics_of: Callable[[StoredAlert], Collection[str]] | None, owner: str, chart_dir: Path,
    tags: Mapping[str, Collection[str]] | None, alone: bool,
) -> DeliveryReport:
    sent = failed = 0
    key = (adapter.name, channel.id)
    begun = _begun[key]
    start = await store.run(_start_pass, store, adapter.name, channel.id, now, alone)
    if alone and _begun[key] != begun:  # another pass began meanwhile: this process's claims may be its own
        start = dataclasses.replace(start, orphans=[o for o in start.orphans if o["owner"] != PROCESS_ID])
    refusal = start.refusal
    if refusal is not None and refusal.until > now:
        return DeliveryReport()  # the chat refused this channel a moment ago; see refuse_channel
    if start.orphans:
        await recover_orphans(store, adapter, channel, start.orphans)
        start = await store.run(_start_pass, store, adapter.name, channel.id, now, False)
    pending, roots = start.pending, start.roots
    topics = await _topics(store, channel, pending, tags, topics_of)
    # Story by story, most important first: a new story's thread opens on its weightiest fact
    # (a casualty figure rather than a passing statement).
    first_seen: dict[int | None, int] = {}
    for stored in pending:
        first_seen.setdefault(stored.story_id, stored.id)
    pending.sort(key=lambda a: (first_seen[a.story_id], -a.importance, a.id))
    replied: dict[int, str] = {}  # story -> root of threads that got replies: roots to refresh
    unopened: set[int] = set()  # stories whose thread could not be opened in this pass

    takes: dict[int, bool] = {}  # alert -> the channel takes it (asked once: `following` looks ahead)

    def taken(stored: AlertView) -> bool:
        if stored.id not in takes:
            # Below the extractor's confidence threshold: stored and searchable, never pushed.
            takes[stored.id] = is_pushed(stored.alert) and wanted(channel, stored, topics.get(stored.id))
        return takes[stored.id]

    def due(stored: AlertView) -> bool:
        if stored.story_id is not None and stored.story_id in unopened:
            return False  # its root must be the story's most important alert: wait for it to go out first
        return taken(stored)

    def following(index: int) -> tuple[str, AlertView, str | None] | None:
        """The alert this pass sends after `pending[index]`, with its item and known root: claimed early."""
        for later in range(index + 1, len(pending)):
            stored = pending[later]
            if due(stored):
                return f"alert:{stored.id}", stored, roots.get(stored.story_id) if stored.story_id is not None else None
        return None

    claimed_ahead: dict[str, tuple[str, str | None]] = {}  # item -> its claim, made with the previous send
    for index, stored in enumerate(pending):
        if not due(stored):
            continue
        item = f"alert:{stored.id}"
        known = roots.get(stored.story_id) if stored.story_id is not None else None
        early = claimed_ahead.pop(item, None)
        claimed, root = early if early is not None else await store.run(
            _claim, store, adapter.name, channel.id, item, stored, known, owner)
        if claimed == "busy" and stored.story_id is not None:
            unopened.add(stored.story_id)
        if claimed != "go":
            continue
        message = render_alert(
            stored.alert, lang=channel.language, article_lang=stored.article_lang,
            outlets=stored.outlets, alert_id=stored.id, story_id=stored.story_id,
        )
        message = dataclasses.replace(
            message, meta={**message.meta, "delivery_key": delivery_key(adapter.name, channel.id, item)})
        started = time.perf_counter()
        try:
            if root is None:
                posted = await adapter.post(channel.id, message)
            else:
                posted = await adapter.reply(channel.id, root, message)
        except Exception as exc:  # the chat said no: classified, retried later or marked failed
            if root is None and stored.story_id is not None:
                unopened.add(stored.story_id)
            failed += 1
            others = [a.id for a in pending if a.id != stored.id and taken(a)]
            gave_up, marked = await store.run(_failed, store, adapter, channel, item, stored, root, exc, now,
                                              owner, others)
            failed += marked
            if gave_up:
                break
            continue
        observe_delivery(time.perf_counter() - started)
        if root is None and stored.story_id is not None:
            roots[stored.story_id] = posted.message_id
        ahead = following(index)
        early = await store.run(_sent_then_claim, store, adapter.name, channel.id, item, stored, root,
                                posted.message_id, owner, refusal is not None, ahead)
        if ahead is not None and early is not None:
            claimed_ahead[ahead[0]] = early
        refusal = None
        sent += 1
        if root is not None and stored.story_id is not None:
            replied[stored.story_id] = root
    checked = _caught_up.setdefault(store, set())
    if (adapter.name, channel.id) not in checked:  # first pass of this process: roots a killed one left behind
        checked.add((adapter.name, channel.id))
        for story_id, root in await store.run(chat_state.recent_threads, store, adapter.name, channel.id,
                                              now - DELIVERY_WINDOW):
            replied.setdefault(story_id, root)
    for story_id, root in replied.items():
        await refresh_root(store, adapter, channel, story_id, root, chart_dir=chart_dir)
    return DeliveryReport(sent=sent, failed=failed)


def _failed(store: Store, adapter: ChatAdapter, channel: ChannelConfig, item: str, stored: AlertView,
            root: str | None, exc: Exception, now: dt.datetime, owner: str, others: list[int]) -> tuple[bool, int]:
    """A send the chat refused: its thread lease let go, the failure recorded. (True, n) when the whole
    channel is refused: no point trying its other alerts now; once the refusal is final, they are all
    marked failed with it (`n` of them, in one call per pass, not one per alert)."""
    if root is None and stored.story_id is not None:
        store.release_lease(_opening(adapter.name, channel.id, stored.story_id), owner)
    if not _send_failed(store, adapter, channel, item, exc, now):
        return False, 0
    if store.delivery(adapter.name, channel.id, item) is None:
        return True, 0
    reason = exc.reason if isinstance(exc, ChatError) else str(exc)
    return True, chat_state.fail_all(store, adapter.name, channel.id, others, reason)


async def _topics(store: Store, channel: ChannelConfig, pending: list[AlertView],
                  tags: Mapping[str, Collection[str]] | None,
                  topics_of: Callable[[StoredAlert], Collection[str]] | None) -> dict[int, Collection[str]]:
    """The topics of the pending alerts, for a channel filtered by topic (others need none): from the read
    models with the sources' tags, else from the caller's `topics_of` (which may read the store: run off
    the loop, once for the pass)."""
    if not channel.topics:
        return {}
    if tags is not None:
        return {a.id: a.topics(tags) for a in pending}
    if topics_of is None:
        return {}
    of = topics_of
    return await store.run(lambda: {a.id: of(a) for a in pending})


def _send_failed(store: Store, adapter: ChatAdapter, channel: ChannelConfig, item: str, exc: Exception,
                 now: dt.datetime) -> bool:
    """Record a failed send: released for a later pass, or marked failed after MAX_TRIES permanent
    refusals (logged once, at that moment). True when the chat refuses the whole channel."""
    error = exc if isinstance(exc, ChatError) else ChatError(f"{type(exc).__name__}: {exc}", permanent=False)
    tries = chat_state.count_try(store, adapter.name, channel.id, item)
    where = f"{adapter.name}/{channel.id}"
    if error.permanent and tries >= MAX_TRIES:
        chat_state.mark_failed(store, adapter.name, channel.id, item, error.reason)
        log.error("%s to %s marked failed after %d tries: %s", item, where, tries, error.reason)
    else:
        store.release(adapter.name, channel.id, item, error.reason)
        if error.permanent:
            log.debug("%s to %s refused (%s), try %d of %d", item, where, error.reason, tries, MAX_TRIES)
        else:  # transient: tried again on the next pass, never dropped
            log.warning("%s to %s failed (%s), try %d; retrying on the next pass", item, where, error.reason, tries)
    if error.permanent and error.channel_wide:
        refusal = chat_state.refuse_channel(store, adapter.name, channel.id, error.reason, now=now)
        if refusal.failures == 1:
            log.error("%s refuses %s (%s): no delivery there until it is fixed (checked again from %s)",
                      adapter.name, channel.id, error.reason, refusal.until.isoformat(timespec="seconds"))
        return True
    return False


def delivery_key(adapter: str, channel: str, item: str) -> str:
    """Stable for one item in one channel: adapters use it to make a repeated send a no-op."""
    return hashlib.sha256(f"{adapter}|{channel}|{item}".encode()).hexdigest()[:32]


async def recover_orphans(store: Store, adapter: ChatAdapter, channel: ChannelConfig,
                          orphans: list[dict[str, Any]]) -> None:
    """Claims left by a process that died mid-send: confirm what the chat already has, free the rest.

    Freed items are sent again by the normal pass with the same delivery key, which adapters use for
    idempotent sends (Matrix transaction ids); adapters that can search their history (Slack message
    metadata) are asked first. Only an adapter with neither (the console) may show an item twice.
    """
    finder = getattr(adapter, "find_posted", None)
    for orphan in orphans:
        item, alert_id = orphan["item_key"], orphan["alert_id"]
        if alert_id is None:
            continue  # digests: a claimed digest counts as sent (see bot.service.digests)
        stored = await store.run(store.alert, alert_id)
        root = None
        if stored is not None and stored.story_id is not None:
            root = await store.run(store.thread_root, adapter.name, channel.id, stored.story_id)
        posted = None
        if finder is not None:
            try:
                posted = await finder(channel.id, delivery_key(adapter.name, channel.id, item), thread_id=root)
            except Exception as exc:  # cannot tell: send again; the delivery key still guards where it can
                log.warning("could not check %s/%s for %s: %s", adapter.name, channel.id, item, exc)
        if posted is None:
            await store.run(store.release, adapter.name, channel.id, item, "orphaned claim")
            continue
        if root is None and stored is not None and stored.story_id is not None:
            await store.run(store.set_thread_root, adapter.name, channel.id, stored.story_id, posted.message_id)
        await store.run(store.confirm, adapter.name, channel.id, item, message_id=posted.message_id, thread_id=root)
        log.info("recovered %s in %s/%s: it was posted before the crash", item, adapter.name, channel.id)


async def refresh_root(store: Store, adapter: ChatAdapter, channel: ChannelConfig, story_id: int, root: str,
                       *, chart_dir: Path | None = None) -> None:
    """After replies in a story's thread, edit its root to show the story's latest figures; a chart
    of the tolls over time (two dates or more) goes into the thread, again each time it changes."""
    try:
        # Reads the story's figures and draws its chart: in the store's threads, off the loop.
        message, unsettled = await store.run(_root_work, store, adapter, channel, story_id, root,
                                             chart_dir or chart_dir_for(store))
        if message is None:
            if unsettled is not None:  # the root is up to date, its chart's upload unconfirmed
                await post_chart(store, adapter, channel, story_id, root, unsettled)
            return
        edit_key = delivery_key(adapter.name, channel.id, f"root:{story_id}:{_text_hash(message)}")
        await adapter.edit(channel.id, root, dataclasses.replace(message, meta={**message.meta, "edit_key": edit_key}))
        await store.run(root_edited, store, adapter.name, channel.id, story_id, message)
    except Exception as exc:  # the replies are posted; a failed edit is caught up on a later pass
        _caught_up.get(store, set()).discard((adapter.name, channel.id))
        if is_outage(exc):
            raise  # the database is away: the service's health check logs that once, not each edit
        log.warning("edit of the root of story %s in %s/%s failed: %s", story_id, adapter.name, channel.id, exc)
        return
    await post_chart(store, adapter, channel, story_id, root, message)


def _root_work(store: Store, adapter: ChatAdapter, channel: ChannelConfig, story_id: int, root: str,
               chart_dir: Path) -> tuple[Message | None, Message | None]:
    """(edit, None) when the root needs an edit; else (None, the root with its chart) when the upload of
    its chart was left unconfirmed (`post_chart`: a crash, or a failed upload), for this pass to settle;
    else (None, None). Blocking: in the store's threads."""
    edit = root_edit(store, adapter.name, channel.id, story_id, root, lang=channel.language, chart_dir=chart_dir,
                     chart=adapter.shows_images)
    if edit is not None or getattr(adapter, "find_attached", None) is None:
        return edit, None
    if not (store.get_state(_chart_state(adapter.name, channel.id, story_id)) or "").startswith(_PENDING):
        return None, None
    return None, root_message(store, story_id, store.alert_of_message(adapter.name, channel.id, root),
                              lang=channel.language, chart_dir=chart_dir)


# The chart state of a story in a channel: the digest of the chart last uploaded there, or this prefix
# and the digest of one whose upload was started and not confirmed.
_PENDING = "pending:"


def _chart_state(adapter: str, channel: str, story_id: int) -> str:
    return f"chart:{adapter}:{channel}:{story_id}"[:200]


async def post_chart(store: Store, adapter: ChatAdapter, channel: ChannelConfig, story_id: int, root: str,
                     message: Message) -> None:
    """Upload the root's chart into the thread when it differs from the one last uploaded there.

    Once only, across a crash too, with an adapter that can look for its uploads (`find_attached`, Slack's
    file names): the intent is recorded before the upload and confirmed after it; an intent found still
    unconfirmed by a later pass is looked for in the thread, and uploaded again only when it is not
    there. Other adapters upload and record as before (Matrix: its transaction ids guard a resend)."""
    attach = getattr(adapter, "attach", None)
    if attach is None or not message.attachments:
        return
    try:
        digest = hashlib.sha256(b"".join(Path(p).read_bytes() for p in message.attachments)).hexdigest()[:32]
    except OSError as exc:
        log.warning("chart of story %s is unreadable: %s", story_id, exc)
        return
    key = _chart_state(adapter.name, channel.id, story_id)
    recorded = await store.run(store.get_state, key)
    if recorded == digest:
        return
    upload_key = delivery_key(adapter.name, channel.id, f"chart:{story_id}:{digest}")
    chart = Message(headline=message.headline, lang=message.lang, attachments=message.attachments,
                    meta={"delivery_key": upload_key})
    finder = getattr(adapter, "find_attached", None)
    if finder is not None:
        if recorded == _PENDING + digest:
            try:
                found = bool(await finder(channel.id, upload_key, thread_id=root))
            except Exception as exc:  # cannot tell: upload again (shown twice at worst, never missing)
                log.warning("could not look for the chart of story %s in %s/%s: %s",
                            story_id, adapter.name, channel.id, exc)
                found = False
            if found:
                await store.run(store.set_state, key, digest)
                log.info("chart of story %s in %s/%s was uploaded before a crash: recorded, not uploaded again",
                         story_id, adapter.name, channel.id)
                return
        else:
            await store.run(store.set_state, key, _PENDING + digest)
    try:
        await attach(channel.id, root, chart)
    except Exception as exc:  # left pending (or unrecorded): a later pass tries again
        log.warning("chart of story %s to %s/%s failed: %s", story_id, adapter.name, channel.id, exc)
        return
    await store.run(store.set_state, key, digest)


def _text_hash(message: Message) -> str:
    return hashlib.sha256(message.plain.encode()).hexdigest()[:16]
