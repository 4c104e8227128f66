"""Read models: alerts and stories with the context every consumer shows beside them, read in bulk.

Delivery, digests, `/news` listings, story and thread answers all need an alert with its story's title
and topic, its article's language and the outlets that carried it. Read one alert at a time that was
five to ten statements per alert (and its JSON decoded as often); here it is a fixed number of
statements whatever the number of alerts: one for the alerts joined with their article and story, one
for the articles that carried them (their ids given as a subquery of the same filter, never one
statement per alert), and each alert's JSON is decoded once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import JSON, ColumnElement, Select, String, and_, case, cast, func, select, true, type_coerce

from bot.core.alert_dicts import alert_from_dict
from bot.core.models import Alert, fold
from bot.store import schema as s
from bot.store.db import Store, StoredAlert, StoredArticle, _article, aware, utcnow


def _stored_time(value: dt.datetime | str | None) -> dt.datetime:
    if value is None:
        return utcnow()
    if isinstance(value, str):  # SQLite's text, read raw (see `_CREATED`): fromisoformat is many times faster
        value = dt.datetime.fromisoformat(value)
    return aware(value)


# An alert's creation time as the database gives it (SQLite: text; PostgreSQL: a datetime): SQLAlchemy's own
# SQLite datetime parsing costs more than the rest of reading a thousand alerts.
_CREATED = type_coerce(s.alerts.c.created_at, String).label("created_at")


# Alerts decoded from their JSON, by that JSON: an alert's data never changes once stored and alerts are
# immutable, so listings reading the newest thousand alerts again and again decode each one once.
_DECODED: dict[str, Alert] = {}
DECODED_CACHE = 20_000  # a day of alerts and more; bounded, for memory


def decode(data: str) -> Alert:
    alert = _DECODED.get(data)
    if alert is None:
        if len(_DECODED) >= DECODED_CACHE:
            _DECODED.clear()
        alert = _DECODED[data] = alert_from_dict(json.loads(data))
    return alert


@dataclass(frozen=True, slots=True)
class Carrier:
    """One article that carried an alert's fact: the outlet shown beside the alert."""

    article_id: int
    outlet: str  # the article's outlet, else its source's name
    source: str
    url: str | None


@dataclass(frozen=True, slots=True)
class AlertView(StoredAlert):
    """A stored alert with its context. A `StoredAlert` too, so code written for those takes it as is."""

    story_title: str | None = None
    story_topic: str | None = None
    article_lang: str | None = None
    article_title: str | None = None
    article_source: str | None = None
    carriers: tuple[Carrier, ...] = ()  # in article order

    @property
    def kind(self) -> str:
        return self.alert.type

    @property
    def confidence(self) -> float:
        return self.alert.confidence

    @property
    def outlets(self) -> list[tuple[str, str | None]]:
        """Each outlet once, with the link of its first article (as a rendered alert lists them)."""
        seen: dict[str, str | None] = {}
        for c in self.carriers:
            seen.setdefault(c.outlet, c.url)
        return list(seen.items())

    @property
    def outlet_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.outlet for c in self.carriers))

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.source for c in self.carriers))

    def topics(self, tags: Mapping[str, Iterable[str]]) -> frozenset[str]:
        """Its story's topic and the tags (`tags`: source name -> tags) of every source that carried it, folded."""
        return topics_of(self.story_topic, self.sources, tags)


class Carried(Protocol):
    """What an alert's topics are made of: its story's topic and the sources that carried it (an
    `AlertView`, an `AlertGist` read with its sources)."""

    @property
    def story_topic(self) -> str | None: ...

    @property
    def sources(self) -> tuple[str, ...]: ...


def topics_of(story_topic: str | None, sources: Iterable[str], tags: Mapping[str, Iterable[str]]) -> frozenset[str]:
    """An alert's topics: its story's topic and the tags (`tags`: source name -> tags) of every source that
    carried it, folded."""
    found: set[str] = {story_topic} if story_topic else set()
    for source in sources:
        found.update(tags.get(source, ()))
    return frozenset(fold(x) for x in found)


@dataclass(frozen=True, slots=True)
class StoryRead:
    """A story with its articles and alerts (oldest first)."""

    id: int
    title: str | None
    topic: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    articles: tuple[StoredArticle, ...]
    alerts: tuple[AlertView, ...]


def _filters(*, since: dt.datetime | None, until: dt.datetime | None, story_ids: Sequence[int] | None,
             ids: Sequence[int] | None, types: Sequence[str] | None,
             undelivered: tuple[str, str] | None) -> list[ColumnElement[bool]]:
    a = s.alerts
    where: list[ColumnElement[bool]] = []
    if since is not None:
        where.append(a.c.created_at >= since)
    if until is not None:
        where.append(a.c.created_at < until)
    if story_ids is not None:
        where.append(a.c.story_id.in_(list(story_ids)))
    if ids is not None:
        where.append(a.c.id.in_(list(ids)))
    if types:
        where.append(a.c.type.in_(list(types)))
    if undelivered is not None:
        adapter, channel = undelivered
        delivered = select(s.deliveries.c.alert_id).where(and_(
            s.deliveries.c.adapter == adapter, s.deliveries.c.channel == channel,
            s.deliveries.c.alert_id.is_not(None)))
        where.append(a.c.id.not_in(delivered))
    return where


def read_alerts(
    store: Store, *, since: dt.datetime | None = None, until: dt.datetime | None = None,
    story_ids: Sequence[int] | None = None, ids: Sequence[int] | None = None, types: Sequence[str] | None = None,
    limit: int | None = None, newest_first: bool = False, undelivered: tuple[str, str] | None = None,
    carriers: bool = True,
) -> list[AlertView]:
    """The alerts matching every filter given (created in [since, until), of these stories, ids or types,
    not yet delivered to (adapter, channel)), by id, with their context: two statements in one transaction
    (one without `carriers`)."""
    a, art, st = s.alerts, s.articles, s.stories
    where = _filters(since=since, until=until, story_ids=story_ids, ids=ids, types=types, undelivered=undelivered)
    order = a.c.id.desc() if newest_first else a.c.id
    q = (select(a.c.id, a.c.story_id, a.c.article_id, a.c.data, a.c.importance, _CREATED,
                st.c.title.label("story_title"), st.c.topic.label("story_topic"), art.c.lang, art.c.title,
                art.c.source)
         .select_from(a.outerjoin(art, art.c.id == a.c.article_id).outerjoin(st, st.c.id == a.c.story_id))
         .where(and_(true(), *where)).order_by(order))
    if limit is not None:
        q = q.limit(limit)
    with store.tx() as conn:
        rows = conn.execute(q).all()
        found: dict[int, list[Carrier]] = {}
        if carriers and rows:
            chosen: Select[Any] = select(a.c.id).where(and_(true(), *where))
            if limit is not None:
                chosen = chosen.order_by(order).limit(limit)
            aa = s.alert_articles
            for alert_id, article_id, outlet, source, url in conn.execute(
                    select(aa.c.alert_id, art.c.id, art.c.outlet, art.c.source, art.c.url)
                    .join(art, art.c.id == aa.c.article_id).where(aa.c.alert_id.in_(chosen))
                    .order_by(aa.c.alert_id, art.c.id)):
                found.setdefault(int(alert_id), []).append(Carrier(int(article_id), outlet or source, source, url))
    return [AlertView(
        id=int(r.id), alert=decode(r.data), story_id=r.story_id, article_id=int(r.article_id),
        importance=float(r.importance or 0.0), created_at=_stored_time(r.created_at), story_title=r.story_title,
        story_topic=r.story_topic, article_lang=r.lang, article_title=r.title, article_source=r.source,
        carriers=tuple(found.get(int(r.id), ())),
    ) for r in rows]


def read_story(store: Store, story_id: int) -> StoryRead | None:
    """One story with its articles and alerts: four statements, however large the story."""
    with store.tx() as conn:  # one transaction: the articles and alerts read belong to the story read
        row = conn.execute(select(s.stories).where(s.stories.c.id == story_id)).mappings().first()
        if row is None:
            return None
        articles = tuple(store.articles_of_story(story_id))
        alerts = tuple(read_alerts(store, story_ids=[story_id]))
    return StoryRead(id=int(row["id"]), title=row["title"], topic=row["topic"],
                     created_at=_stored_time(row["created_at"]), updated_at=_stored_time(row["updated_at"]),
                     articles=articles, alerts=alerts)


def read_articles(store: Store, article_ids: Iterable[int]) -> dict[int, StoredArticle]:
    """Whole articles (text included) by id: one statement."""
    ids = sorted(set(article_ids))
    if not ids:
        return {}
    with store.tx() as conn:
        return {int(r["id"]): _article(r) for r in conn.execute(
            select(s.articles).where(s.articles.c.id.in_(ids))).mappings()}


def casualty_series(store: Store, story_ids: Sequence[int]) -> dict[int, list[tuple[int, Alert]]]:
    """The casualty alerts of these stories, story -> [(alert id, alert)] oldest first: one statement."""
    a = s.alerts
    q = (select(a.c.id, a.c.story_id, a.c.data)
         .where(and_(a.c.type == "casualty", a.c.story_id.in_(list(story_ids)))).order_by(a.c.id))
    out: dict[int, list[tuple[int, Alert]]] = {}
    with store.tx() as conn:
        for alert_id, story_id, data in conn.execute(q):
            out.setdefault(int(story_id), []).append((int(alert_id), decode(data)))
    return out


def first_article_langs(store: Store, story_ids: Iterable[int]) -> dict[int, str | None]:
    """The language of each story's first article (its title's language): one statement."""
    ids = sorted(set(story_ids))
    if not ids:
        return {}
    art = s.articles
    first = select(func.min(art.c.id)).where(art.c.story_id.in_(ids)).group_by(art.c.story_id)
    with store.tx() as conn:
        return {int(sid): lang for sid, lang in conn.execute(
            select(art.c.story_id, art.c.lang).where(art.c.id.in_(first)))}


@dataclass(frozen=True, slots=True)
class AlertGist:
    """What ordering a digest needs of an alert, read without decoding it: its kind, story, importance,
    and for fighting, its place."""

    id: int
    kind: str
    story_id: int | None
    story_title: str | None
    importance: float
    place: str | None  # a fighting alert's location, as written
    story_topic: str | None = None
    sources: tuple[str, ...] = ()  # the sources that carried it (read only when asked)


def alert_gists(store: Store, *, since: dt.datetime, until: dt.datetime, types: Sequence[str] | None = None,
                min_importance: float = 0.0, sources: bool = False) -> list[AlertGist]:
    """The alerts created in [since, until) of these types and at least this important, by id: one
    statement, no JSON decoded (a fighting alert's place is read by the database); with `sources`, a
    second one reads the sources that carried them (what their topics are made of)."""
    a, st = s.alerts, s.stories
    # The JSON text's "location", by each database's own function (SQLite's CAST … AS JSON is numeric).
    location: ColumnElement[Any] = func.json_extract(a.c.data, "$.location") \
        if store.engine.dialect.name == "sqlite" else func.json_extract_path_text(cast(a.c.data, JSON), "location")
    place = case((a.c.type == "fighting", location), else_=None)
    where = _filters(since=since, until=until, story_ids=None, ids=None, types=types, undelivered=None)
    if min_importance > 0:
        where.append(a.c.importance >= min_importance)
    q = (select(a.c.id, a.c.type, a.c.story_id, st.c.title, a.c.importance, place.label("place"), st.c.topic)
         .select_from(a.outerjoin(st, st.c.id == a.c.story_id)).where(and_(true(), *where)).order_by(a.c.id))
    with store.tx() as conn:
        rows = conn.execute(q).all()
        carried: dict[int, dict[str, None]] = {}
        if sources and rows:
            aa, art = s.alert_articles, s.articles
            chosen = select(a.c.id).where(and_(true(), *where))
            for alert_id, source in conn.execute(
                    select(aa.c.alert_id, art.c.source).join(art, art.c.id == aa.c.article_id)
                    .where(aa.c.alert_id.in_(chosen)).order_by(aa.c.alert_id, art.c.id)):
                carried.setdefault(int(alert_id), {})[source] = None
    return [AlertGist(int(r[0]), str(r[1]), r[2], r[3], float(r[4] or 0.0), r[5], r[6],
                      tuple(carried.get(int(r[0]), ()))) for r in rows]


def count_alerts(store: Store, *, since: dt.datetime, until: dt.datetime) -> int:
    """How many alerts were created in [since, until): one statement."""
    a = s.alerts
    with store.tx() as conn:
        return int(conn.execute(select(func.count()).select_from(a).where(
            and_(a.c.created_at >= since, a.c.created_at < until))).scalar_one())
