"""Filing an article under the event story it is about (see `bot.core.storytrack` for the rules).

The near-duplicate grouper (`bot.ingest.stories.StoryGrouper`) gives each article a story row: its
*cluster*. `EventStories.follow` then decides the *story*: an article that opened a new cluster joins
the open story naming the same places, actors and people, and its cluster is redirected there, so the
cluster's later copies follow it. An article that joined a cluster goes wherever its cluster went.
Every article is recorded with its entities and topics (`bot.store.stories_db`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from bot.core.models import Article
from bot.core.storytrack import (
    WINDOW,
    Entity,
    StoryProfile,
    best_story,
    country_key,
    country_of,
    decode,
    encode,
    entities_of,
)
from bot.store import Store, utcnow
from bot.store import stories_db as db


class EventStories:
    def __init__(self, store: Store, *, topics: Mapping[str, Sequence[str]] | None = None,
                 clock: Callable[[], dt.datetime] = utcnow, window: dt.timedelta = WINDOW) -> None:
        self.store = store
        self.topics = dict(topics or {})
        self.clock = clock
        self.window = window

    def follow(self, article: Article, article_id: int, cluster_id: int) -> int:
        """The story of an article the grouper put in `cluster_id`; files it there and returns it."""
        day = article.published or self.clock().date()
        entities = entities_of(article.title, article.text)
        story_id = db.resolve(self.store, cluster_id)
        how, score = "cluster", 1.0
        if story_id == cluster_id and db.other_articles(self.store, cluster_id, article_id) == 0 \
                and not db.is_redirected(self.store, cluster_id):
            match = best_story(entities, day, self.profiles(day, exclude=cluster_id), window=self.window)
            if match is not None:
                story_id, how, score = match.story_id, "entities", match.score
                db.redirect(self.store, cluster_id, story_id, "cluster")
            else:
                how = "new"
        country = country_of(entities)
        if country is not None:
            db.set_topic_if_empty(self.store, story_id, country_key(country))
        db.file_article(self.store, db.FiledArticle(
            article_id=article_id, story_id=story_id, cluster_id=cluster_id, published=day, how=how,
            score=score, entities=encode(entities), topics=self.article_topics(article, story_id, country)))
        return story_id

    def article_topics(self, article: Article, story_id: int, country: str | None) -> tuple[str, ...]:
        """The source's tags, else the story's topic, else the country of the article's places."""
        tags = tuple(self.topics.get(article.source) or ())
        if tags:
            return tags
        story = self.store.story(story_id)
        if story is not None and story.get("topic"):
            return tuple(t for t in str(story["topic"]).split(",") if t)
        return (country_key(country),) if country else ()

    def profiles(self, day: dt.date, *, exclude: int) -> list[StoryProfile]:
        """The open stories (an article within the window), each with what its recent articles name."""
        by_story: dict[int, StoryProfile] = {}
        for filed in db.recent(self.store, day - self.window):
            if filed.story_id == exclude or filed.published is None:
                continue
            profile = by_story.setdefault(filed.story_id, StoryProfile(filed.story_id, filed.published))
            named: dict[Entity, float] = decode(filed.entities)
            profile.add(named, filed.published)
        return list(by_story.values())
