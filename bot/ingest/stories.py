"""Which story an article belongs to.

An article whose content is already stored joins that article's story; anything else opens a new
story. (Near-duplicate grouping of rewritten wire copy builds on this.)
"""

from __future__ import annotations

from bot.core.models import Article
from bot.store import Store


class StoryGrouper:
    def __init__(self, store: Store) -> None:
        self.store = store

    def story_for(self, article: Article, article_id: int) -> int:
        twin = self.store.article_by_hash(article.content_hash)
        if twin is not None and twin != article_id:
            stored = self.store.article(twin)
            if stored is not None and stored.story_id is not None:
                self.store.attach_to_story(article_id, stored.story_id)
                return stored.story_id
        story_id = self.store.new_story(article.title or article.text[:80])
        self.store.attach_to_story(article_id, story_id)
        return story_id
