"""What the casualty tallies read: the casualty alerts of stories with each article that carried them,
and the stories holding figures. Bulk reads, one transaction each; the rules stay in `bot.core.tally`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select

from bot.store import schema as s
from bot.store.db import Store
from bot.store.stories_schema import article_stories


@dataclass(frozen=True, slots=True)
class CasualtyRow:
    """One casualty alert of a story as one article carried it (an alert with three outlets: three rows)."""

    alert_id: int
    story_id: int
    data: str  # the alert's JSON
    article_id: int
    outlet: str | None
    source: str
    published: dt.datetime | dt.date | None
    fetched_at: dt.datetime | None


def casualty_rows(store: Store, story_ids: Sequence[int]) -> list[CasualtyRow]:
    """The casualty alerts of these stories, once per article that carried them, in article order."""
    if not story_ids:
        return []
    q = (
        select(s.alerts.c.id, s.alerts.c.story_id, s.alerts.c.data, s.articles.c.id.label("art_id"),
               s.articles.c.outlet, s.articles.c.source, s.articles.c.published, s.articles.c.fetched_at)
        .join(s.alert_articles, s.alert_articles.c.alert_id == s.alerts.c.id)
        .join(s.articles, s.articles.c.id == s.alert_articles.c.article_id)
        .where(and_(s.alerts.c.type == "casualty", s.alerts.c.story_id.in_(list(story_ids))))
        .order_by(s.articles.c.id, s.alerts.c.id)
    )
    with store.tx() as conn:
        rows = conn.execute(q).mappings().all()
    return [CasualtyRow(alert_id=int(r["id"]), story_id=int(r["story_id"]), data=r["data"], article_id=int(r["art_id"]),
                        outlet=r["outlet"], source=r["source"], published=r["published"], fetched_at=r["fetched_at"])
            for r in rows]


@dataclass(frozen=True, slots=True)
class FigureStories:
    stories: list[dict[str, Any]]  # rows of `stories` holding casualty figures, newest first
    tagged: set[int]  # stories with an article from one of the tagged sources
    article_topics: dict[int, list[str]]  # story id -> the topics of its articles (raw, unfolded)


def figure_stories(store: Store, *, tagged_sources: Sequence[str] = (), article_topics: bool = False) -> FigureStories:
    """Stories holding casualty figures, newest first, with (on request) what a topic filter matches
    beside their own fields: the stories of tagged sources, the topics of their articles."""
    with_figures = select(s.alerts.c.story_id).where(and_(s.alerts.c.type == "casualty",
                                                          s.alerts.c.story_id.is_not(None)))
    q = select(s.stories).where(s.stories.c.id.in_(with_figures)).order_by(s.stories.c.updated_at.desc())
    with store.tx() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings().all()]
        tagged: set[int] = set()
        if tagged_sources:
            tagged = {int(x) for x in conn.execute(select(s.articles.c.story_id).where(and_(
                s.articles.c.source.in_(list(tagged_sources)), s.articles.c.story_id.is_not(None)))).scalars()}
        topics_of: dict[int, list[str]] = {}
        if article_topics:
            for sid, topics in conn.execute(select(article_stories.c.story_id, article_stories.c.topics)
                                            .where(article_stories.c.topics.is_not(None))).all():
                topics_of.setdefault(int(sid), []).extend(str(topics).split(","))
    return FigureStories(stories=rows, tagged=tagged, article_topics=topics_of)
