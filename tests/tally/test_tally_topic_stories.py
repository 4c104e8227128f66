"""`/news casualties TOPIC` picks the newest stories holding figures that the topic names: by the story's
topic, a topic of one of its articles, the words of its title, or (for the channel's list) an article
from a source tagged with it. Read newest first until enough are found, over any number of stories."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from bot.core.models import Article, Casualty
from bot.service.tallies import figure_story_lists
from bot.store import Store, schema
from bot.store.stories_db import FiledArticle, file_decision

STORIES = 450
NOW = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)


def by_story_topic(i: int) -> bool:
    return i % 37 == 0


def by_article_topic(i: int) -> bool:
    return i % 41 == 0


def by_title(i: int) -> bool:
    return i % 43 == 0


def by_tagged_source(i: int) -> bool:
    return i % 47 == 0


def fill(store: Store) -> dict[int, int]:
    """Story number -> story id; story i is updated i minutes after the first."""
    ids: dict[int, int] = {}
    for i in range(STORIES):
        title = f"Shelling in Libya, day {i}" if by_title(i) else f"Clashes near the border, day {i}"
        story = store.new_story(title, topic="libya" if by_story_topic(i) else "syria")
        article = Article(id=str(i), text=f"Report {i}.", title=title, url=f"https://example.org/{i}",
                          source="wire-ly" if by_tagged_source(i) else "wire")
        article_id, _ = store.add_article(article)
        store.attach_to_story(article_id, story)
        file_decision(store, FiledArticle(article_id=article_id, story_id=story, cluster_id=story,
                                          published=None, how="new", score=1.0, entities=[],
                                          topics=("libya",) if by_article_topic(i) else ("syria",)),
                      redirect_cluster=False, topic=None)
        store.add_alert(Casualty(str(i), killed=i + 1, reported_by="the ministry"), article_id=article_id,
                        story_id=story, importance=0.5)
        with store.tx() as conn:
            conn.execute(update(schema.stories).where(schema.stories.c.id == story)
                         .values(updated_at=NOW + dt.timedelta(minutes=i)))
        ids[i] = story
    return ids


def test_a_topic_picks_the_newest_stories_it_names_however_far_back(sqlite_url: str) -> None:
    store = Store.open(sqlite_url)
    try:
        ids = fill(store)
        newest_first = sorted(ids, reverse=True)
        own = [ids[i] for i in newest_first if by_story_topic(i) or by_article_topic(i) or by_title(i)]
        tagged = [ids[i] for i in newest_first
                  if by_story_topic(i) or by_article_topic(i) or by_title(i) or by_tagged_source(i)]
        assert 20 < len(own) < len(tagged) < 50  # spread over every story, back to the first
        for limit in (3, 50):
            with_tagged, mine = figure_story_lists(store, "Libya", tagged_sources=["wire-ly"], limit=limit)
            assert [r["id"] for r in mine] == own[:limit]
            assert [r["id"] for r in with_tagged] == tagged[:limit]
        everything, _ = figure_story_lists(store, None, limit=5)
        assert [r["id"] for r in everything] == [ids[i] for i in newest_first[:5]]
    finally:
        store.close()
