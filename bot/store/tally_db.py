"""What the casualty tallies read: the casualty alerts of stories with each article that carried them,
and the stories holding figures. Bulk reads, one transaction each; the rules stay in `bot.core.tally`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, func, select

from bot.store import schema as s
from bot.store.db import Store
from bot.store.stories_schema import article_stories


@dataclass(frozen=True, slots=True)
class CasualtyRow:
    """One casualty alert of a story as one outlet published it on one date (its first article of those)."""

    alert_id: int
    story_id: int
    article_id: int  # the first article of this outlet and publication that carried the alert
    outlet: str | None
    source: str
    published: dt.datetime | dt.date | None
    fetched_at: dt.datetime | None  # the earliest fetch of those articles


@dataclass(frozen=True, slots=True)
class CasualtyRows:
    rows: list[CasualtyRow]  # in article order, then alert order
    data: dict[int, str]  # alert id -> the alert's JSON, once per alert


def casualty_rows(store: Store, story_ids: Sequence[int]) -> CasualtyRows:
    """The casualty alerts of these stories, once per outlet and publication that carried them (copies
    by one outlet on one day are one row), and each alert's JSON once: two queries, one transaction."""
    if not story_ids:
        return CasualtyRows(rows=[], data={})
    art = s.articles
    q = (
        select(s.alerts.c.id, s.alerts.c.story_id, func.min(art.c.id).label("art_id"), art.c.outlet, art.c.source,
               art.c.published, func.min(art.c.fetched_at).label("fetched_at"))
        .join(s.alert_articles, s.alert_articles.c.alert_id == s.alerts.c.id)
        .join(art, art.c.id == s.alert_articles.c.article_id)
        .where(and_(s.alerts.c.type == "casualty", s.alerts.c.story_id.in_(list(story_ids))))
        .group_by(s.alerts.c.id, s.alerts.c.story_id, art.c.outlet, art.c.source, art.c.published)
    )
    with store.tx() as conn:
        found = sorted(conn.execute(q).mappings().all(), key=lambda r: (r["art_id"], r["id"]))
        # The same filter rather than the ids found: one statement however many alerts there are.
        data = dict(conn.execute(select(s.alerts.c.id, s.alerts.c.data).where(and_(
            s.alerts.c.type == "casualty", s.alerts.c.story_id.in_(list(story_ids))))).all()) if found else {}
    rows = [CasualtyRow(alert_id=int(r["id"]), story_id=int(r["story_id"]), article_id=int(r["art_id"]),
                        outlet=r["outlet"], source=r["source"], published=r["published"], fetched_at=r["fetched_at"])
            for r in found]
    return CasualtyRows(rows=rows, data={int(k): str(v) for k, v in data.items()})


# Read for every casualty figure filed: built once (building a statement costs more than running it here).
_FIRST_ARTICLE = (select(func.min(s.alert_articles.c.article_id))
                  .where(s.alert_articles.c.alert_id == s.alerts.c.id).correlate(s.alerts).scalar_subquery())
_STORY_CASUALTIES = (select(s.alerts.c.id, s.alerts.c.story_id, s.alerts.c.data, _FIRST_ARTICLE.label("art_id"))
                     .where(and_(s.alerts.c.type == "casualty", s.alerts.c.story_id == bindparam("story_id"))))
_ARTICLES = (select(s.articles.c.id, s.articles.c.outlet, s.articles.c.source, s.articles.c.published,
                    s.articles.c.fetched_at).where(s.articles.c.id.in_(bindparam("ids", expanding=True))))


def first_casualty_rows(store: Store, story_id: int) -> CasualtyRows:
    """Each casualty alert of a story with the article that first carried it (its JSON once): what a new
    figure is compared with. One index look-up per alert, however many articles repeat it."""
    with store.tx() as conn:
        alerts = [(int(r.id), int(r.story_id), str(r.data), r.art_id)
                  for r in conn.execute(_STORY_CASUALTIES, {"story_id": story_id}).all() if r.art_id is not None]
        ids = sorted({a[3] for a in alerts})
        articles = {int(r.id): r for r in conn.execute(_ARTICLES, {"ids": ids}).all()} if ids else {}
    rows = []
    for alert_id, story, _data, article_id in sorted(alerts, key=lambda a: (a[3], a[0])):
        a = articles[int(article_id)]
        rows.append(CasualtyRow(alert_id=alert_id, story_id=story, article_id=int(article_id), outlet=a.outlet,
                                source=a.source, published=a.published, fetched_at=a.fetched_at))
    return CasualtyRows(rows=rows, data={a[0]: a[2] for a in alerts})


@dataclass(frozen=True, slots=True)
class FigureStories:
    stories: list[dict[str, Any]]  # id, title and topic of the stories holding casualty figures, newest first
    tagged: set[int]  # stories with an article from one of the tagged sources


def figure_stories(store: Store, *, tagged_sources: Sequence[str] = ()) -> FigureStories:
    """Stories holding casualty figures, newest first, and (on request) the stories of tagged sources,
    which a topic filter takes beside those matching their own fields (see `articles_topics`)."""
    with_figures = select(s.alerts.c.story_id).where(and_(s.alerts.c.type == "casualty",
                                                          s.alerts.c.story_id.is_not(None)))
    st = s.stories  # what callers read: not the signature (a long text), nor times (slow to parse on SQLite)
    q = (select(st.c.id, st.c.title, st.c.topic)
         .where(st.c.id.in_(with_figures)).order_by(st.c.updated_at.desc()))
    with store.tx() as conn:
        # Built from tuples: a dict of each of thousands of mapping rows costs more than the query.
        rows = [{"id": i, "title": title, "topic": topic} for i, title, topic in conn.execute(q)]
        tagged: set[int] = set()
        if tagged_sources:
            tagged = {int(x) for x in conn.execute(select(s.articles.c.story_id).where(and_(
                s.articles.c.source.in_(list(tagged_sources)), s.articles.c.story_id.is_not(None)))).scalars()}
    return FigureStories(stories=rows, tagged=tagged)


def articles_topics(store: Store, story_ids: Sequence[int]) -> dict[int, list[str]]:
    """Story id -> the topics of its articles (raw, unfolded), for these stories: one statement."""
    topics_of: dict[int, list[str]] = {}
    if not story_ids:
        return topics_of
    with store.tx() as conn:
        for sid, topics in conn.execute(select(article_stories.c.story_id, article_stories.c.topics).where(and_(
                article_stories.c.story_id.in_(list(story_ids)), article_stories.c.topics.is_not(None)))):
            topics_of.setdefault(int(sid), []).extend(str(topics).split(","))
    return topics_of
