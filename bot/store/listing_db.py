"""What `/news` listings show and match beside each alert, read in bulk: one query for the articles of
many alerts and one for their stories, rather than two per alert."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from bot.store import schema as s
from bot.store.db import Store

CHUNK = 500  # ids per IN (…): well under every database's parameter limit


@dataclass(frozen=True, slots=True)
class ArticleGist:
    title: str | None
    source: str
    lang: str | None


@dataclass(frozen=True, slots=True)
class StoryGist:
    title: str | None
    topic: str | None


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    unique = sorted(set(ids))
    for i in range(0, len(unique), CHUNK):
        yield unique[i:i + CHUNK]


def article_gists(store: Store, article_ids: Iterable[int]) -> dict[int, ArticleGist]:
    a = s.articles
    out: dict[int, ArticleGist] = {}
    with store.tx() as conn:
        for chunk in _chunks(article_ids):
            for row in conn.execute(select(a.c.id, a.c.title, a.c.source, a.c.lang).where(a.c.id.in_(chunk))):
                out[int(row.id)] = ArticleGist(row.title, row.source, row.lang)
    return out


def story_gists(store: Store, story_ids: Iterable[int]) -> dict[int, StoryGist]:
    st = s.stories
    out: dict[int, StoryGist] = {}
    with store.tx() as conn:
        for chunk in _chunks(story_ids):
            for row in conn.execute(select(st.c.id, st.c.title, st.c.topic).where(st.c.id.in_(chunk))):
                out[int(row.id)] = StoryGist(row.title, row.topic)
    return out
