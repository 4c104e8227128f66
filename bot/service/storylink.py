"""Filing an article under the event story it is about (see `bot.core.storytrack` for the rules).

The near-duplicate grouper (`bot.ingest.stories.StoryGrouper`) gives each article a story row: its
*cluster*. `EventStories.follow` then decides the *story*: an article that opened a new cluster joins
the open story naming the same places, actors and people, and its cluster is redirected there, so the
cluster's later copies follow it. An article that joined a cluster goes wherever its cluster went.
Every article is recorded with its entities and topics (`bot.store.stories_db`).
"""

from __future__ import annotations

import datetime as dt
import math
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
from bot.store.stories_db import FiledArticle, filing_state

REREAD = dt.timedelta(seconds=5)  # each read also takes what was filed this long before the previous one
MAX_MINE = 1000  # own filings kept for the next refresh; beyond, it reads them from the store
CELL = 0.5  # degrees: places are indexed by grid cell; a cell and its neighbours span more than NEAR_KM


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return (math.floor(lat / CELL), math.floor(lon / CELL))


class EventStories:
    """Open stories' profiles, kept in memory and brought up to date from the store before each
    decision (articles filed since, by this process or another replica). Only stories sharing a place
    near one of the article's (grid cells) or a person with it are scored: no other can be anchored."""

    def __init__(self, store: Store, *, topics: Mapping[str, Sequence[str]] | None = None,
                 clock: Callable[[], dt.datetime] = utcnow, window: dt.timedelta = WINDOW) -> None:
        self.store = store
        self.topics = dict(topics or {})
        self.clock = clock
        self.window = window
        self.reset()

    def reset(self) -> None:
        """Forget the profiles (after a merge or split): the next decision reads them again."""
        self._profiles: dict[int, StoryProfile] = {}
        self._by_cell: dict[tuple[int, int], set[int]] = {}
        self._by_key: dict[str, set[int]] = {}
        self._seen = 0  # highest article id read
        self._known: set[int] = set()  # article ids already in the profiles
        self._read_at: dt.datetime | None = None  # when the previous read began
        self._from: dt.date | None = None
        self._generation = ""
        # This object's filings since its last refresh, and the filing token the store should hold if
        # nobody else filed since that refresh (None: unknown). See `refresh`.
        self._mine: list[FiledArticle] = []
        self._expect: str | None = None

    def follow(self, article: Article, article_id: int, cluster_id: int, *, opened: bool = False) -> int:
        """The story of an article the grouper put in `cluster_id`; files it there and returns it.
        `opened`: the grouper has just made the cluster for this article (nothing to read about it)."""
        day = article.published or self.clock().date()
        entities = entities_of(article.title, article.text)
        story_id, fresh = (cluster_id, True) if opened else db.cluster_state(self.store, cluster_id, article_id)
        how, score = "cluster", 1.0
        if fresh:
            match = best_story(entities, day, self.candidates(entities, day, exclude=cluster_id), window=self.window)
            if match is not None:
                story_id, how, score = match.story_id, "entities", match.score
            else:
                how = "new"
        country = country_of(entities)
        tags = tuple(self.topics.get(article.source) or ())
        filed = db.FiledArticle(article_id=article_id, story_id=story_id, cluster_id=cluster_id, published=day,
                                how=how, score=score, entities=encode(entities), topics=tags)
        # Topics: the source's tags, else the story's topic, else the country of the article's places.
        self._expect = db.file_decision(self.store, filed, redirect_cluster=how == "entities",
                                        topic=country_key(country) if country else None, in_cluster=True,
                                        after=self._expect, new_cluster=opened)
        self._mine.append(filed)
        if len(self._mine) > MAX_MINE:  # no refresh for long (every article joined its cluster): read instead
            self._mine, self._expect = [], None
        return story_id

    @property
    def token(self) -> str | None:
        """The filing token (`stories_db.FILED_KEY`) the last `follow` wrote, when it replaced the one
        this object expected; else None (another process or store object filed meanwhile, or unknown)."""
        return self._expect

    def refresh(self, day: dt.date) -> None:
        """Read the articles filed since the last read (within the window of `day`).

        No read when nobody else filed since the previous refresh: each filing writes a new token in its
        transaction (`stories_db.FILED_KEY`), replacing the one this object expects (the token read
        then, or written by its own previous filing); the store still holding the last one it wrote
        means every filing since is this object's own, committed, and in memory. A run filing its
        articles one after another thus reads nothing, instead of what was filed in the last `REREAD`
        again for every article."""
        since = day - self.window
        gen, last = filing_state(self.store)  # gen: an admin merged or split stories: read the profiles again
        if self._from is None or since < self._from or gen != self._generation:
            self.reset()
            self._from, self._generation = since, gen
        started = utcnow()
        mine, expected = self._mine, self._expect
        self._mine, self._expect = [], last
        if expected is not None and expected == last:
            for filed in sorted(mine, key=lambda f: f.article_id):  # as the read would have
                if filed.published is not None and filed.published >= since:
                    self._add(filed)
        else:
            again = self._read_at - REREAD if self._read_at is not None else None
            for filed in db.recent(self.store, since, after_id=self._seen, filed_since=again, known=self._known):
                self._add(filed)
        self._read_at = started

    def _add(self, filed: FiledArticle) -> None:
        self._seen = max(self._seen, filed.article_id)
        if filed.published is None or filed.article_id in self._known:
            return
        self._known.add(filed.article_id)
        named = decode(filed.entities)
        profile = self._profiles.setdefault(filed.story_id, StoryProfile(filed.story_id, filed.published))
        profile.add(named, filed.published)
        for e in named:
            if e.kind == "place" and e.lat is not None and e.lon is not None:
                self._by_cell.setdefault(_cell(e.lat, e.lon), set()).add(filed.story_id)
            elif e.kind in ("place", "person"):
                self._by_key.setdefault(e.key, set()).add(filed.story_id)

    def candidates(self, entities: Mapping[Entity, float], day: dt.date, *, exclude: int) -> list[StoryProfile]:
        """The open stories that share a place (or a nearby one) or a person with the article."""
        self.refresh(day)
        found: set[int] = set()
        for e in entities:
            if e.kind == "place" and e.lat is not None and e.lon is not None:
                x, y = _cell(e.lat, e.lon)
                for dx in (-1, 0, 1):
                    for dy in (-1, 0, 1):
                        found |= self._by_cell.get((x + dx, y + dy), set())
            found |= self._by_key.get(e.key, set())
        found.discard(exclude)
        return [self._profiles[sid] for sid in sorted(found) if sid in self._profiles]
