"""What each channel gets: subscriptions from the config file and from `/news subscribe`, and quiet hours.

A subscription is a (kind, value, mode) on one chat channel:

- kind `topic` (a source tag or a story topic), `keyword` (a word the alert mentions), `type`
  (casualty, fighting, statement) or `importance` (the minimum score, 0 to 10);
- mode `alerts` (real-time), `digest`, or `both`.

Values of one kind widen each other (topic libya OR topic sudan); kinds narrow each other (topic
libya AND type casualty). No value of a kind means no filter on it.

A channel's config entry switches its streams on (`alerts: true`, `digest: {...}`) and its filters
apply to both. A subscription made in the chat adds its values to the streams of its mode, and
switches a stream on when the config left it off — then only the chat's subscriptions filter that
stream, and a digest switched on this way runs at DEFAULT_DIGEST_CRON in the bot's time zone. A
channel absent from the config gets its streams from its subscriptions alone.

Quiet hours hold a channel's real-time alerts (they stay undelivered in the store) until the quiet
period ends in the channel's time zone (the digest's, else the bot's); then they are all delivered.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.config import ALERT_TYPE_NAMES, ChannelConfig, Config, DigestConfig
from bot.core.alert_dicts import alert_from_dict
from bot.core.importance import importance, toll
from bot.core.mentions import alert_mentions
from bot.core.models import Alert, Casualty, Fighting, fold
from bot.store import Store, utcnow
from bot.store import subscriptions_db as db
from bot.store.readmodels import Carried, topics_of
from bot.store.subscriptions_db import Subscription as Subscription  # re-exported: callers import it from here
from bot.store.subscriptions_db import all_subscriptions as all_subscriptions
from bot.store.subscriptions_db import list_subscriptions as list_subscriptions

KINDS = ("topic", "keyword", "type", "importance")
MODES = ("alerts", "digest", "both")
DEFAULT_DIGEST_CRON = "0 8 * * *"
# Fighting at a place counts as "new" when none was reported there within this window before.
NEW_PLACE_WINDOW = dt.timedelta(days=14)


class SubscriptionError(ValueError):
    """A subscription that cannot be made; the message says why, in words fit for the chat."""


@dataclass(frozen=True, slots=True)
class ChannelPlan:
    """One chat channel as the scheduler serves it. `alerts`/`digest` carry the filters of each
    stream (None: that stream is off); `timezone` is where the digest cron and quiet hours are read."""

    adapter: str
    channel: str
    base: ChannelConfig
    alerts: ChannelConfig | None
    digest: ChannelConfig | None
    timezone: str

    @property
    def key(self) -> str:
        return f"{self.adapter}:{self.channel}"


# --- the `/news subscribe` side -----------------------------------------------------------------

def _check(kind: str, value: str, mode: str | None) -> tuple[str, str, str]:
    kind, mode, value = kind.strip().lower(), (mode or "both").strip().lower(), " ".join(value.split())
    if kind not in KINDS:
        raise SubscriptionError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    if mode not in MODES:
        raise SubscriptionError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
    if not value:
        raise SubscriptionError(f"a {kind} subscription needs a value")
    if len(value) > 200:
        raise SubscriptionError(f"a {kind} is at most 200 characters")
    if kind == "type":
        value = value.lower()
        if value not in ALERT_TYPE_NAMES:
            raise SubscriptionError(f"unknown alert type {value!r}: use one of {', '.join(ALERT_TYPE_NAMES)}")
    elif kind == "importance":
        try:
            number = float(value)
        except ValueError:
            raise SubscriptionError(f"importance is a number from 0 to 10, not {value!r}") from None
        if not 0 <= number <= 10:
            raise SubscriptionError(f"importance is a number from 0 to 10, not {value!r}")
        value = f"{number:g}"
    elif kind == "topic":
        value = value.lower()
    return kind, value, mode


def subscribe(
    store: Store, adapter: str, channel: str, kind: str, value: str, mode: str | None = "both",
    user: str | None = None, *, now: dt.datetime | None = None,
) -> Subscription:
    """Subscribe a channel; subscribing again to the same kind and value sets its mode.
    One minimum importance per stream: a new one replaces the old for the streams of its mode.
    "Tripoli" and "tripoli" are one subscription: the first spelling is kept."""
    kind, value, mode = _check(kind, value, mode)
    when = now or utcnow()
    value = db.save_subscription(store, adapter, channel, kind, value, mode, user, when)
    return Subscription(adapter, channel, kind, value, mode, user, when)


def unsubscribe(
    store: Store, adapter: str, channel: str, kind: str, value: str, mode: str | None = "both",
    user: str | None = None,
) -> bool:
    """Remove a subscription, or only one of its streams (`mode` alerts or digest); False when there was none."""
    kind, value, mode = _check(kind, value, mode)
    return db.remove_subscription(store, adapter, channel, kind, value, mode)


def channel_subscriptions(config: Config, store: Store, adapter: str, channel: str) -> list[Subscription]:
    """Everything a channel is subscribed to, the config file's entries first (`created_by="config"`,
    not removable from the chat), then the chat's: what `/news subscriptions` shows."""
    out: list[Subscription] = []
    for c in config.channels:
        if c.output != adapter or c.id != channel:
            continue
        mode = "both" if c.alerts and c.digest is not None else ("digest" if c.digest is not None else "alerts")
        if not c.alerts and c.digest is None:
            break
        out += [Subscription(adapter, channel, "topic", v, mode, "config") for v in c.topics]
        out += [Subscription(adapter, channel, "keyword", v, mode, "config") for v in c.keywords]
        if set(c.types) < set(ALERT_TYPE_NAMES):
            out += [Subscription(adapter, channel, "type", v, mode, "config") for v in c.types]
        if c.min_importance > 0:
            out.append(Subscription(adapter, channel, "importance", f"{c.min_importance:g}", mode, "config"))
        break
    return out + list_subscriptions(store, adapter, channel)


# --- channels as served: config merged with subscriptions --------------------------------------

def channel_timezone(config: Config, channel: ChannelConfig) -> str:
    return channel.digest.timezone if channel.digest is not None else config.timezone


def _stream(base: ChannelConfig, subs: list[Subscription], mode: str, from_config: bool) -> ChannelConfig:
    mine = [x for x in subs if x.mode in (mode, "both")]

    def values(kind: str) -> list[str]:
        return [x.value for x in mine if x.kind == kind]

    config_types = () if set(base.types) >= set(ALERT_TYPE_NAMES) else base.types
    topics = (*base.topics, *values("topic")) if from_config else tuple(values("topic"))
    keywords = (*base.keywords, *values("keyword")) if from_config else tuple(values("keyword"))
    types = (*config_types, *values("type")) if from_config else tuple(values("type"))
    levels = values("importance")
    floor = float(levels[-1]) if levels else (base.min_importance if from_config else 0.0)
    return dataclasses.replace(
        base, topics=tuple(dict.fromkeys(topics)), keywords=tuple(dict.fromkeys(keywords)),
        types=tuple(t for t in ALERT_TYPE_NAMES if t in types) if types else ALERT_TYPE_NAMES,
        min_importance=floor,
    )


def plan_channels(config: Config, store: Store, adapters: Collection[str] | None = None) -> list[ChannelPlan]:
    """Every channel the bot serves, with the filters of its alert and digest streams."""
    subs: dict[tuple[str, str], list[Subscription]] = {}
    for sub in all_subscriptions(store):
        subs.setdefault((sub.adapter, sub.channel), []).append(sub)
    plans: list[ChannelPlan] = []
    seen: set[tuple[str, str]] = set()
    bases = list(config.channels)
    for adapter, channel in subs:
        if not any(c.output == adapter and c.id == channel for c in bases):
            bases.append(ChannelConfig(output=adapter, id=channel, language=config.language, alerts=False))
    for base in bases:
        key = (base.output, base.id)
        if key in seen or (adapters is not None and base.output not in adapters):
            continue
        seen.add(key)
        mine = subs.get(key, [])
        want_alerts = any(x.mode in ("alerts", "both") for x in mine)
        want_digest = any(x.mode in ("digest", "both") for x in mine)
        alerts = None
        if base.alerts or want_alerts:
            alerts = dataclasses.replace(_stream(base, mine, "alerts", base.alerts), alerts=True)
        digest = None
        if base.digest is not None or want_digest:
            cron = base.digest or DigestConfig(cron=DEFAULT_DIGEST_CRON, timezone=config.timezone)
            digest = dataclasses.replace(_stream(base, mine, "digest", base.digest is not None), digest=cron)
        plans.append(ChannelPlan(base.output, base.id, base, alerts, digest, channel_timezone(config, base)))
    return plans


def channel_plan(config: Config, store: Store, adapter: str, channel: str) -> ChannelPlan | None:
    """The plan of one channel (config and chat subscriptions merged), None when the bot does not serve it."""
    return next((p for p in plan_channels(config, store, [adapter]) if p.channel == channel), None)


def digest_filters(config: Config, store: Store, channel: ChannelConfig) -> ChannelConfig:
    """The filters a digest of `channel` applies: its digest stream's (the config's filters and the chat's
    subscriptions), else its real-time stream's. A channel that is already a served stream (the scheduler
    passes its plan's) or that the bot does not know is taken as it is."""
    if channel not in config.channels:
        return channel
    plan = channel_plan(config, store, channel.output, channel.id)
    if plan is None:
        return channel
    return plan.digest or plan.alerts or channel


# --- matching ----------------------------------------------------------------------------------

def alert_matches(
    channel: ChannelConfig, alert: Alert, score: float, topics: Iterable[str] | None = None,
) -> bool:
    """Whether a stream with `channel`'s filters takes this alert. `topics`: the alert's story and
    source tags (None: unknown, so a stream filtered by topic does not take it)."""
    if alert.type not in channel.types or score < channel.min_importance:
        return False
    # Keywords name the alert as `latest KEYWORD` finds it (bot.core.mentions), glossary forms included.
    if channel.keywords and not any(alert_mentions(alert, k) for k in channel.keywords):
        return False
    if channel.topics:
        have = {fold(t) for t in topics or ()}
        if not have & {fold(t) for t in channel.topics}:
            return False
    return True


def source_tags(config: Config) -> dict[str, tuple[str, ...]]:
    return {src.name: src.tags for src in config.sources}


def topics_reader(config: Config) -> Callable[[Carried], frozenset[str]]:
    """An alert's topics from its read model or digest placeholder (story topic, sources), remembered per
    combination: many alerts of a period share a story and sources, and folding is not free."""
    tags = source_tags(config)
    known: dict[tuple[str | None, tuple[str, ...]], frozenset[str]] = {}

    def topics(view: Carried) -> frozenset[str]:
        key = (view.story_topic, view.sources)
        found = known.get(key)
        if found is None:
            found = known[key] = topics_of(view.story_topic, view.sources, tags)
        return found

    return topics


def alert_topics(store: Store, config: Config, alert_id: int, story_id: int | None) -> frozenset[str]:
    """The topics of an alert: its story's topic and the tags of every source that carried it."""
    sources, topic = db.alert_sources_and_topic(store, alert_id, story_id)
    return topics_of(topic, sources, source_tags(config))


# --- quiet hours -------------------------------------------------------------------------------

def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def in_quiet_hours(quiet: tuple[str, str] | None, timezone: str, now: dt.datetime) -> bool:
    """Whether `now` falls in the quiet period [start, end) read in `timezone`; it may span midnight."""
    if quiet is None:
        return False
    start, end = _minutes(quiet[0]), _minutes(quiet[1])
    local = now.astimezone(ZoneInfo(timezone))
    at = local.hour * 60 + local.minute
    if start == end:
        return False
    return start <= at < end if start < end else at >= start or at < end


# --- importance in context ---------------------------------------------------------------------

def rescore(store: Store, since: dt.datetime) -> int:
    """Re-score the alerts created since `since` whose inputs changed, with their context: earlier figures
    of their story, earlier fighting at the same place, the outlets that carried them. Returns how many
    alerts were re-scored.

    An alert is scored when filed, without context; its score is computed again only when what it depends
    on changed: a pass compares each story's fingerprint (its alerts and the articles carrying them, see
    `subscriptions_db.score_inputs`) with the one its scores were computed from, and re-scores the stories
    that differ (a new alert, a new outlet, a merge or a split), none of the others."""
    inputs = db.score_inputs(store, since)
    scored = db.scored_inputs(store)
    dirty = {key for key, fingerprint in inputs.items() if scored.get(key) != fingerprint}
    if not dirty:
        if scored.keys() - inputs.keys():
            db.save_scored_inputs(store, inputs)  # stories that left the window
        return 0
    context = db.scoring_context(store, since - NEW_PLACE_WINDOW, keys=dirty)
    story_tolls = dict(context.story_tolls)
    places: dict[str, dt.datetime] = {}
    fights = iter(context.places)
    fight = next(fights, None)
    changed: dict[int, float] = {}
    rescored = 0
    for alert_id, story_id, data, old, created in context.rows:
        # Fighting of every story filed before this alert: where fighting was reported, and when last.
        while fight is not None and fight[0] < alert_id:
            places[fold(fight[1])] = fight[2]
            fight = next(fights, None)
        alert = alert_from_dict(data)
        previous: float | None = None
        new_place = False
        if isinstance(alert, Casualty) and story_id is not None:
            previous = story_tolls.get(int(story_id))
            story_tolls[int(story_id)] = max(previous or 0.0, toll(alert))
        if isinstance(alert, Fighting):
            place = fold(alert.location)
            last = places.get(place)
            new_place = last is None or created - last > NEW_PLACE_WINDOW
        if created < since:
            continue
        rescored += 1
        score = importance(alert, outlets=context.outlets.get(alert_id, 1), previous_max_toll=previous,
                           new_place=new_place)
        if abs(score - float(old or 0.0)) > 1e-9:
            changed[alert_id] = score
    if changed:
        db.set_importances(store, changed)
    db.save_scored_inputs(store, inputs)
    return rescored
