"""Which story an article belongs to.

1. An article whose content is already stored (same content hash) joins that article's story.
2. Otherwise its MinHash signature (see `neardup`) is compared with the signatures of stories
   updated in the last `window` (3 days): the most similar one at or above the threshold wins.
3. Otherwise it opens a new story, which keeps the article's signature and its source's tags as
   topic (comma-separated).

Step 2 goes through an in-memory LSH index (`neardup.BANDS` bands of `neardup.ROWS` values): only
stories sharing a whole band with the article are compared. At an estimated Jaccard similarity of
0.4 a story shares a band with probability ~1 - 1.4e-5; unrelated articles (~0.01) almost never do.
The index is kept in step with the database, which other processes (replicas) write too: before
each match it reads the stories updated since its previous read began (less `overlap`, for clock skew
between replicas and transactions committed late) and forgets those that left the window.
"""

from __future__ import annotations

import datetime as dt
import heapq
from array import array
from collections.abc import Callable, Collection, Mapping, Sequence

from bot.core.models import Article
from bot.ingest import neardup
from bot.store import Store, utcnow
from bot.store.db import aware
from bot.store.stories_db import StorySignature, filing_state, stories_by_id, stories_updated_since

STORY_WINDOW = dt.timedelta(days=3)
# How far before the start of the previous read each refresh reads again.
REFRESH_OVERLAP = dt.timedelta(seconds=2)
# The store lock taken around story assignment (see `Store.exclusive`).
STORY_LOCK = "stories"


class StoryIndex:
    """Recent stories' signatures, banded for candidate lookup, with each story's `updated_at`.

    Kept lean, since it holds every story of the window: signatures as 64-bit arrays, each band as the
    hash of its values (a collision only adds a candidate, which the exact comparison then rejects), and a
    bucket as one story id until a second one arrives.
    """

    def __init__(self) -> None:
        self.signatures: dict[int, array[int]] = {}
        self.updated: dict[int, dt.datetime] = {}
        self.stamps: dict[int, object] = {}  # each story's `updated_at` as last read (`StorySignature.stamp`)
        self._bands: list[dict[int, int | list[int]]] = [{} for _ in range(neardup.BANDS)]
        self._expiry: list[tuple[dt.datetime, int]] = []  # (updated_at, id); stale entries skipped

    def __len__(self) -> int:
        return len(self.updated)

    def signature(self, story_id: int) -> tuple[int, ...]:
        return tuple(self.signatures[story_id])

    def upsert(self, story_id: int, signature: tuple[int, ...] | None, updated_at: dt.datetime) -> None:
        """Add a story or move its `updated_at` (never backwards). A story without a usable
        signature is only remembered with its time: it cannot match anything."""
        known = self.updated.get(story_id)
        if known is not None and known >= updated_at:
            return
        self.updated[story_id] = updated_at
        heapq.heappush(self._expiry, (updated_at, story_id))
        if len(self._expiry) > 2 * len(self.updated) + 1024:  # mostly superseded entries: rebuild
            self._expiry = [(when, sid) for sid, when in self.updated.items()]
            heapq.heapify(self._expiry)
        if known is None and signature is not None:
            self.signatures[story_id] = array("Q", signature)
            for band, key in zip(self._bands, _band_keys(signature), strict=True):
                held = band.get(key)
                if held is None:
                    band[key] = story_id
                elif isinstance(held, list):
                    held.append(story_id)
                else:
                    band[key] = [held, story_id]

    def expire(self, cutoff: dt.datetime) -> None:
        """Forget stories last updated before `cutoff`."""
        while self._expiry and self._expiry[0][0] < cutoff:
            when, story_id = heapq.heappop(self._expiry)
            if self.updated.get(story_id) != when:
                continue  # updated since: a later entry stands for it
            del self.updated[story_id]
            self.stamps.pop(story_id, None)
            signature = self.signatures.pop(story_id, None)
            if signature is None:
                continue
            for band, key in zip(self._bands, _band_keys(tuple(signature)), strict=True):
                held = band.get(key)
                if held == story_id:
                    del band[key]
                elif isinstance(held, list):
                    if story_id in held:
                        held.remove(story_id)
                    if len(held) == 1:
                        band[key] = held[0]
                    elif not held:
                        del band[key]

    def candidates(self, signature: tuple[int, ...]) -> set[int]:
        found: set[int] = set()
        for band, key in zip(self._bands, _band_keys(signature), strict=True):
            held = band.get(key)
            if held is None:
                continue
            if isinstance(held, list):
                found.update(held)
            else:
                found.add(held)
        return found


def _band_keys(signature: tuple[int, ...]) -> list[int]:
    return [hash(band) for band in neardup.bands(signature)]


class StoryGrouper:
    def __init__(
        self, store: Store, *, window: dt.timedelta = STORY_WINDOW, threshold: float = neardup.THRESHOLD,
        topics: Mapping[str, Sequence[str]] | None = None, clock: Callable[[], dt.datetime] = utcnow,
        overlap: dt.timedelta = REFRESH_OVERLAP,
    ) -> None:
        self.store = store
        self.window = window
        self.threshold = threshold
        self.topics = dict(topics or {})
        self.clock = clock
        self.overlap = overlap
        self.index = StoryIndex()
        self._read_at: dt.datetime | None = None  # when the previous read began (the store's clock)
        self._cutoff: dt.datetime | None = None
        # The story the last `story_for` opened (None: it found one): a story row just made has no
        # other article and was never redirected, which its filing need not read again.
        self.opened: int | None = None
        # See `filed`: the token of this process's last filing and the stories it wrote, when this
        # index was up to date at its start; the generation of stories at the last read.
        self._filed: tuple[str, frozenset[int]] | None = None
        self._synced = False  # read in the current `story_for`
        self._generation: str | None = None

    def refresh(self) -> None:
        """Bring the index up to date with the store: one query for the stories updated since the
        last refresh (or, the first time, within the window); then drop those out of the window.

        When every filing since the last read was this process's own (see `filed`), only the stories
        those filings wrote are read: a run filing its articles one after another would otherwise
        read again, for each article, every story written in the last `overlap`."""
        cutoff = self.clock() - self.window
        if self._cutoff is not None and cutoff < self._cutoff:
            self.index, self._read_at = StoryIndex(), None  # the clock went back: reload the window
        self._cutoff = cutoff
        generation, token = filing_state(self.store)
        own, self._filed = self._filed, None
        if own is not None and own[0] == token and generation == self._generation and self._read_at is not None:
            # The watermark stays: a later full read takes again what other writers (a merge before
            # its generation is bumped) may have written meanwhile.
            self._take(stories_by_id(self.store, own[1], known=self.index.stamps))
        else:
            # The watermark is the store's clock when the previous read began, not the newest
            # `updated_at` read: a replica whose clock runs ahead must not hide the others' writes.
            started = utcnow()
            since = cutoff if self._read_at is None else max(cutoff, self._read_at - self.overlap)
            self._take(stories_updated_since(self.store, since, known=self.index.stamps))
            self._read_at, self._generation = started, generation
        self._synced = True
        self.index.expire(cutoff)

    def _take(self, rows: list[StorySignature]) -> None:
        # Stories read again unchanged (the same stamp) do not come back: the index holds them so.
        for row in rows:
            known = row.id in self.index.updated
            self.index.upsert(row.id, None if known else neardup.decode(row.signature), aware(row.updated_at))
            if row.id in self.index.updated:
                self.index.stamps[row.id] = row.stamp

    def filed(self, token: str | None, stories: Collection[int]) -> None:
        """The filing of the article `story_for` last placed has written `token` (`stories_db.FILED_KEY`;
        None: unknown) and the rows of `stories`, in the transaction of that `story_for`. If the store
        still holds that token at the next refresh, nobody else filed since, and this index, read at
        the start of that transaction, lacks only those rows."""
        self._filed = (token, frozenset(stories)) if token is not None and self._synced else None

    def forget(self) -> None:
        """Drop the index (it is read again, from the store, by the next match)."""
        self.index, self._read_at, self._filed = StoryIndex(), None, None

    def match(self, signature: str | None) -> tuple[int | None, float]:
        """The recent story most similar to a signature, with its similarity (None when none).

        Only stories sharing a band with the signature are scored; among equal scores the most
        recently updated story wins, as the full scan did."""
        sig = neardup.decode(signature)
        if sig is None:
            return None, 0.0
        self.refresh()
        best: tuple[int | None, float] = (None, 0.0)
        best_at: dt.datetime | None = None
        for story_id in self.index.candidates(sig):
            score = neardup.similarity(sig, self.index.signature(story_id))
            updated = self.index.updated[story_id]
            if score > best[1] or (score == best[1] and score > 0 and best_at is not None and updated > best_at):
                best, best_at = (story_id, score), updated
        return best

    def story_for(self, article: Article, article_id: int) -> int:
        """The article's story, found or opened, and the article attached to it.

        Under the store's `stories` lock: polls running at once (threads) and replicas take turns, so
        copies of one dispatch arriving together cannot each open a story; the lock's transaction also
        makes the index refresh see every story committed before it."""
        signature = neardup.signature(article.text)  # CPU only: outside the lock
        self.opened, self._synced = None, False
        with self.store.exclusive(STORY_LOCK):
            try:
                return self._story_for(article, article_id, signature)
            finally:
                self._filed = None  # this placing wrote rows: only `filed` may say which

    def _story_for(self, article: Article, article_id: int, signature: str | None) -> int:
        twin_story = self.store.story_of_content(article.content_hash, other_than=article_id)
        if twin_story is not None:
            self.store.attach_to_story(article_id, twin_story)
            return twin_story
        story_id, score = self.match(signature)
        if story_id is not None and score >= self.threshold:
            self.store.attach_to_story(article_id, story_id)
            return story_id
        tags = self.topics.get(article.source) or ()
        story_id = self.store.new_story(
            article.title or article.text[:80], signature=signature,
            topic=",".join(tags) or None)
        self.store.attach_to_story(article_id, story_id)
        self.opened = story_id
        return story_id
