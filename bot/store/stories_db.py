"""Store functions of event stories: filing an article under a story, redirects, merge and split.

The rules (which story an article is about) live in `bot.core.storytrack`; this module only reads and
writes. Each function takes the `Store` and runs in its own transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Collection, Container, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, String, and_, bindparam, delete, insert, or_, select, type_coerce, update
from sqlalchemy.engine import Dialect

from bot.store import Store, utcnow
from bot.store import schema as s
from bot.store.db import _ARTICLE_UPDATE, _STORY_UPDATE, upsert
from bot.store.stories_schema import article_stories, story_redirects

MAX_HOPS = 20  # a redirect chain longer than this is cut (it cannot loop: targets are never redirected back)


@dataclass(frozen=True, slots=True)
class FiledArticle:
    article_id: int
    story_id: int
    cluster_id: int
    published: dt.date | None
    how: str
    score: float
    entities: list[dict[str, Any]]
    topics: tuple[str, ...]


GENERATION_KEY = "stories:generation"  # bumped by each merge or split


# Rewritten (a new random token) by each filing, in the filing's transaction: a reader whose filings
# since its last read each replaced the token before them knows nobody else filed meanwhile (another
# process or store object), and that none of them was rolled back.
FILED_KEY = "stories:filed"


def generation(store: Store) -> str:
    return store.get_state(GENERATION_KEY) or "0"


def filing_state(store: Store) -> tuple[str, str | None]:
    """In one read: the generation (see `generation`) and the token of the last filing (`FILED_KEY`)."""
    with store.tx() as conn:
        found = {str(k): str(v) for k, v in conn.execute(_FILING_STATE).all()}
    return found.get(GENERATION_KEY) or "0", found.get(FILED_KEY)


_FILING_STATE = select(s.kv.c.key, s.kv.c.value).where(s.kv.c.key.in_([GENERATION_KEY, FILED_KEY]))
_REPLACE_TOKEN = (update(s.kv).where(and_(s.kv.c.key == FILED_KEY, s.kv.c.value == bindparam("after")))
                  .values(value=bindparam("token")))


def _new_token(conn: Connection, after: str | None) -> str | None:
    """Write a new filing token; returns it when it replaced `after`, None when the store held another."""
    token = uuid.uuid4().hex
    if after is not None and conn.execute(_REPLACE_TOKEN, {"after": after, "token": token}).rowcount == 1:
        return token
    upsert(conn, s.kv, {"key": FILED_KEY}, {"value": token})
    return None


def resolve(store: Store, story_id: int) -> int:
    """The story a story row stands for now (itself unless it was filed under or merged into another)."""
    with store.tx() as conn:
        return _resolve(conn, story_id)


def _resolve(conn: Connection, story_id: int) -> int:
    current = story_id
    for _ in range(MAX_HOPS):
        target = conn.execute(select(story_redirects.c.target_id)
                              .where(story_redirects.c.story_id == current)).scalar()
        if target is None or int(target) == current:
            return current
        current = int(target)
    return current


def cluster_state(store: Store, cluster_id: int, article_id: int) -> tuple[int, bool]:
    """In one read: the story a cluster stands for now, and whether the cluster was opened by this
    article (no other article, never redirected): only then is the article's story decided anew."""
    with store.tx() as conn:
        story_id = _resolve(conn, cluster_id)
        if story_id != cluster_id:
            return story_id, False
        others = conn.execute(select(s.articles.c.id).where(and_(
            s.articles.c.story_id == cluster_id, s.articles.c.id != article_id)).limit(1)).first()
        return story_id, others is None


def file_decision(store: Store, filed: FiledArticle, *, redirect_cluster: bool, topic: str | None,
                  in_cluster: bool = False, after: str | None = None, new_cluster: bool = False) -> str | None:
    """In one transaction: redirect the article's cluster to its story (when it joined one), give the
    story `topic` when it has none, and file the article. An article without topics of its own (its
    source's tags) takes its story's topic, else `topic` (the country of its places). `in_cluster`:
    the article row already points at its cluster, whose `updated_at` was just moved (the grouper's
    work): when the story is the cluster, neither is written again. Returns the filing's token
    (`FILED_KEY`) when the token it replaced was `after`, else None. `new_cluster`: the cluster was
    made in this transaction, so no redirect leaves from or points to it yet."""
    with store.tx() as conn:
        token = _new_token(conn, after)
        if redirect_cluster and filed.cluster_id != filed.story_id:
            _redirect(conn, filed.cluster_id, filed.story_id, "cluster", new=new_cluster)
        if topic:
            conn.execute(_SET_TOPIC, {"b_id": filed.story_id, "topic": topic})
        topics = filed.topics
        if not topics:
            story_topic = conn.execute(select(s.stories.c.topic).where(s.stories.c.id == filed.story_id)).scalar()
            topics = tuple(t for t in str(story_topic or "").split(",") if t) or ((topic,) if topic else ())
        values = {
            "story_id": filed.story_id, "cluster_id": filed.cluster_id, "published": filed.published,
            "how": filed.how, "score": filed.score, "entities": json.dumps(filed.entities),
            "topics": ",".join(topics) or None,
        }
        upsert(conn, article_stories, {"article_id": filed.article_id}, values, created_at=utcnow())
        if in_cluster and filed.story_id == filed.cluster_id:
            return token
        conn.execute(_ARTICLE_UPDATE, {"b_id": filed.article_id, "story_id": filed.story_id})
        conn.execute(_STORY_UPDATE, {"b_id": filed.story_id, "updated_at": utcnow()})
        return token


_SET_TOPIC = update(s.stories).where(and_(s.stories.c.id == bindparam("b_id"), s.stories.c.topic.is_(None)))


def redirect(store: Store, story_id: int, target_id: int, reason: str) -> None:
    if story_id == target_id:
        return
    with store.tx() as conn:
        _redirect(conn, story_id, target_id, reason)


def _redirect(conn: Connection, story_id: int, target_id: int, reason: str, *, new: bool = False) -> None:
    """`new`: `story_id` was made in this transaction (no redirect from or to it to replace)."""
    if story_id == target_id:
        return
    if not new:
        conn.execute(delete(story_redirects).where(story_redirects.c.story_id == story_id))
    conn.execute(_ADD_REDIRECT, {"story_id": story_id, "target_id": target_id, "reason": reason,
                                 "created_at": utcnow()})
    if not new:
        # Whatever pointed at the merged story now points at its target.
        conn.execute(update(story_redirects).where(story_redirects.c.target_id == story_id)
                     .values(target_id=target_id))


_ADD_REDIRECT = insert(story_redirects)


def filed(store: Store, article_id: int) -> FiledArticle | None:
    with store.tx() as conn:
        row = conn.execute(select(article_stories).where(article_stories.c.article_id == article_id)).mappings().first()
    return _filed(row) if row is not None else None


def _filed(row: Any) -> FiledArticle:
    return FiledArticle(
        article_id=int(row["article_id"]), story_id=int(row["story_id"]), cluster_id=int(row["cluster_id"]),
        published=row["published"], how=str(row["how"]), score=float(row["score"] or 0.0),
        entities=json.loads(row["entities"]), topics=tuple(t for t in (row["topics"] or "").split(",") if t))


def recent(store: Store, since: dt.date, *, after_id: int = 0, filed_since: dt.datetime | None = None,
           known: Container[int] = ()) -> list[FiledArticle]:
    """Articles filed with a publication date on or after `since` (the stories still open), and an
    article id above `after_id` (those not read yet) or filed at or after `filed_since` (another
    replica's article, whose lower id committed after a higher one was read). Those of `known` (read
    before: the `filed_since` overlap brings them again) are left out before their entities are decoded."""
    newer = article_stories.c.article_id > after_id
    if filed_since is not None:
        newer = or_(newer, article_stories.c.created_at >= filed_since)
    with store.tx() as conn:
        rows = conn.execute(select(article_stories).where(and_(article_stories.c.published >= since, newer))
                            .order_by(article_stories.c.article_id)).mappings().all()
    return [_filed(r) for r in rows if r["article_id"] not in known]


def of_story(store: Store, story_id: int) -> list[FiledArticle]:
    with store.tx() as conn:
        rows = conn.execute(select(article_stories).where(article_stories.c.story_id == story_id)
                            .order_by(article_stories.c.article_id)).mappings().all()
    return [_filed(r) for r in rows]


def move_articles(store: Store, article_ids: Sequence[int], target_id: int, how: str) -> None:
    """Move articles, and their alerts, to another story (merge and split).

    An alert is one per fact per story (`alerts.dedup_key` "story:<id>|…"): a moved alert whose fact the
    target already holds is folded into that one (its articles become more outlets of it)."""
    if not article_ids:
        return
    ids = list(article_ids)
    with store.tx() as conn:
        _new_token(conn, None)  # filed anew: no reader may keep its profiles on the strength of its own last filing
        conn.execute(update(s.articles).where(s.articles.c.id.in_(ids)).values(story_id=target_id))
        conn.execute(update(article_stories).where(article_stories.c.article_id.in_(ids))
                     .values(story_id=target_id, how=how))
        rows = conn.execute(select(s.alerts.c.id, s.alerts.c.dedup_key).where(s.alerts.c.article_id.in_(ids))
                            ).mappings().all()
        for row in rows:
            _, _, rest = str(row["dedup_key"]).partition("|")
            key = f"story:{target_id}|{rest}"
            twin = conn.execute(select(s.alerts.c.id).where(s.alerts.c.dedup_key == key)).scalar()
            if twin is None:
                conn.execute(update(s.alerts).where(s.alerts.c.id == row["id"])
                             .values(story_id=target_id, dedup_key=key))
                continue
            for art in conn.execute(select(s.alert_articles.c.article_id)
                                    .where(s.alert_articles.c.alert_id == row["id"])).scalars().all():
                present = conn.execute(select(s.alert_articles.c.alert_id).where(and_(
                    s.alert_articles.c.alert_id == twin, s.alert_articles.c.article_id == art))).first()
                if present is None:
                    conn.execute(insert(s.alert_articles).values(alert_id=twin, article_id=art))
            # The folded alert stays (deliveries point at it) but leaves every story.
            conn.execute(update(s.alerts).where(s.alerts.c.id == row["id"])
                         .values(story_id=None, dedup_key=f"merged:{row['id']}|{key}"[:600]))
        conn.execute(update(s.stories).where(s.stories.c.id == target_id).values(updated_at=utcnow()))


def story_articles(store: Store, story_id: int) -> list[int]:
    with store.tx() as conn:
        return [int(x) for x in conn.execute(select(s.articles.c.id).where(s.articles.c.story_id == story_id)
                                              .order_by(s.articles.c.id)).scalars().all()]


def cluster_mates(store: Store, article_id: int) -> list[int]:
    """The articles of the same near-duplicate cluster as this one (itself included)."""
    with store.tx() as conn:
        cluster = conn.execute(select(article_stories.c.cluster_id)
                               .where(article_stories.c.article_id == article_id)).scalar()
        if cluster is None:
            return [article_id]
        return [int(x) for x in conn.execute(select(article_stories.c.article_id)
                                              .where(article_stories.c.cluster_id == cluster)).scalars().all()]


@dataclass(frozen=True, slots=True)
class StorySignature:
    """What the story matcher's index keeps of a story: its near-duplicate signature and last update
    (`stamp`: that update as the database gave it, before it was read as a time)."""

    id: int
    signature: str | None
    updated_at: dt.datetime
    stamp: object = None


def stories_updated_since(store: Store, since: dt.datetime, *,
                          known: Mapping[int, object] | None = None) -> list[StorySignature]:
    """Every story updated at or after `since` (the matcher's incremental refresh), but those `known`
    with the same `stamp` (the refresh reads again, each time, the stories updated shortly before its
    previous read, mostly unchanged): their time is not parsed again, nor their signature (a long text)
    read. A story `known` with another stamp comes without its signature."""
    return _signatures(store, _UPDATED_SINCE, {"since": since}, known)


def stories_by_id(store: Store, ids: Collection[int], *,
                  known: Mapping[int, object] | None = None) -> list[StorySignature]:
    """`stories_updated_since` of the stories `ids` (those a process's own filings wrote)."""
    return _signatures(store, _BY_ID, {"ids": sorted(ids)}, known) if ids else []


def _signatures(store: Store, query: Any, params: dict[str, Any],
                known: Mapping[int, object] | None) -> list[StorySignature]:
    known = known if known is not None else {}
    with store.tx() as conn:
        parse = _time_parser(conn.dialect)
        changed = [(int(r.id), r.stamp) for r in conn.execute(query, params)
                   if known.get(int(r.id), _NONE) != r.stamp]
        unknown = [i for i, _ in changed if i not in known]
        signatures = {int(r.id): r.signature for r in conn.execute(_SIGNATURES, {"ids": unknown})} if unknown else {}
    return [StorySignature(id=i, signature=signatures.get(i), updated_at=parse(stamp) if parse else stamp,
                           stamp=stamp) for i, stamp in changed]


_NONE = object()
_SIGNATURES = select(s.stories.c.id, s.stories.c.signature).where(s.stories.c.id.in_(bindparam("ids", expanding=True)))
# `updated_at` as the driver gives it (SQLite: text; PostgreSQL: a datetime), parsed only when it changed.
_STAMPS = select(s.stories.c.id, type_coerce(s.stories.c.updated_at, String).label("stamp"))
_UPDATED_SINCE = _STAMPS.where(s.stories.c.updated_at >= bindparam("since"))
_BY_ID = _STAMPS.where(s.stories.c.id.in_(bindparam("ids", expanding=True)))


def _time_parser(dialect: Dialect) -> Callable[[Any], Any] | None:
    """What reading `stories.updated_at` does to the driver's value on this dialect (None: nothing)."""
    column = s.stories.c.updated_at.type
    parse: Callable[[Any], Any] | None = column.dialect_impl(dialect).result_processor(dialect, None)
    return parse
