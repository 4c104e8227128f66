"""Which story an article belongs to.

1. An article whose content is already stored (same content hash) joins that article's story.
2. Otherwise its MinHash signature (see `neardup`) is compared with the signatures of stories
   updated in the last `window` (3 days): the most similar one at or above the threshold wins.
3. Otherwise it opens a new story, which keeps the article's signature and its source's tags as
   topic (comma-separated).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from bot.core.models import Article
from bot.ingest import neardup
from bot.store import Store, utcnow

STORY_WINDOW = dt.timedelta(days=3)


class StoryGrouper:
    def __init__(
        self, store: Store, *, window: dt.timedelta = STORY_WINDOW, threshold: float = neardup.THRESHOLD,
        topics: Mapping[str, Sequence[str]] | None = None, clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.store = store
        self.window = window
        self.threshold = threshold
        self.topics = dict(topics or {})
        self.clock = clock

    def match(self, signature: str | None) -> tuple[int | None, float]:
        """The recent story most similar to a signature, with its similarity (None when none)."""
        sig = neardup.decode(signature)
        if sig is None:
            return None, 0.0
        best: tuple[int | None, float] = (None, 0.0)
        for story in self.store.recent_stories(self.clock() - self.window):
            score = neardup.similarity(sig, story.get("signature"))
            if score > best[1]:
                best = (int(story["id"]), score)
        return best

    def story_for(self, article: Article, article_id: int) -> int:
        twin = self.store.article_by_hash(article.content_hash)
        if twin is not None and twin != article_id:
            stored = self.store.article(twin)
            if stored is not None and stored.story_id is not None:
                self.store.attach_to_story(article_id, stored.story_id)
                return stored.story_id
        signature = neardup.signature(article.text)
        story_id, score = self.match(signature)
        if story_id is not None and score >= self.threshold:
            self.store.attach_to_story(article_id, story_id)
            return story_id
        tags = self.topics.get(article.source) or ()
        story_id = self.store.new_story(
            article.title or article.text[:80], signature=signature,
            topic=",".join(tags) or None)
        self.store.attach_to_story(article_id, story_id)
        return story_id
