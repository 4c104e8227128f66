"""The story profiles, and the near-duplicate index of recent stories, are read from the store only
when someone else filed since the last decision: a process filing articles one after another keeps its
own filings in memory (the index reads again only the stories they wrote), and still sees at once what
another process (or store object) filed, and never keeps a filing whose transaction rolled back."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pytest
from sqlalchemy import event

from bot.config import Config
from bot.core.models import Article
from bot.ingest.files import read_articles
from bot.ingest.stories import STORY_LOCK
from bot.service.pipeline import Pipeline
from bot.store import Store, stories_db
from tests.conftest import SEEDS
from tests.ingest.ingest_helpers import rewrites

HERE = Path(__file__).parent

KHARKIV = Article(id="kharkiv", source="x", lang="en", published=dt.date(2019, 4, 8), title="Strike on Kharkiv",
                  text="A missile struck Kharkiv on Monday, officials said. The regional governor said "
                       "firefighters were at work in the city centre.")
KYIV = Article(id="kyiv", source="x", lang="en", published=dt.date(2019, 4, 8), title="Sirens in Kyiv",
               text="Air raid sirens sounded across Kyiv for three hours on Monday; no damage was reported.")
ODESA = Article(id="odesa", source="x", lang="en", published=dt.date(2019, 4, 8), title="Drones over Odesa",
                text="Drones attacked the port of Odesa overnight, the navy said, and air defence shot most down.")


def seed() -> Article:
    return next(iter(read_articles(SEEDS)))


def follow_up() -> Article:
    return next(iter(read_articles(HERE / "followup" / "wire_20190409_tripoli.txt")))


def story_of(store: Store, article: Article) -> int | None:
    article_id = store.article_by_hash(article.content_hash)
    stored = store.article(article_id) if article_id is not None else None
    return stored.story_id if stored is not None else None


def pipeline(store: Store, url: str) -> Pipeline:
    return Pipeline(Config(path="p", database=url), store, {}, extractor=lambda a: [])


def copy_of(article: Article, version: int) -> Article:
    """Another outlet's near-duplicate of `article` (see `rewrites`)."""
    return dataclasses.replace(article, id=f"{article.id}-{version}", source=f"outlet{version}", url=None,
                               text=rewrites(article.text)[version])


def cluster_of(store: Store, article: Article) -> int:
    decision = stories_db.filed(store, store.add_article(article)[0])
    assert decision is not None
    return decision.cluster_id


@contextmanager
def filed_reads(store: Store, table: str = "article_stories",
                where: str = "") -> Iterator[list[str]]:
    """The statements reading the filed articles (the profiles' refresh) while the block runs; with
    `table` "stories" and `where` "updated_at >=", the index of recent stories read in full."""
    reads: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if (statement.lstrip().upper().startswith("SELECT") and f"FROM {table}" in statement
                and where in statement):
            reads.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield reads
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def test_a_lone_process_follows_its_own_filings_without_reading_them(sqlite_url: str) -> None:
    store = Store.open(sqlite_url)
    try:
        bot = pipeline(store, sqlite_url)
        bot.process(KHARKIV)  # the first decisions read the profiles (a new store holds no token yet)
        bot.process(KYIV)
        with filed_reads(store) as reads:
            bot.process(seed())
            bot.process(ODESA)
            bot.process(follow_up())  # the seed's story is known from memory: two filings ago
        assert story_of(store, follow_up()) == story_of(store, seed())
        assert len({story_of(store, a) for a in (KHARKIV, KYIV, seed(), ODESA)}) == 4
        assert reads == []
    finally:
        store.close()


@contextmanager
def seed_filed_by_another_store(db_url: str) -> Iterator[tuple[Store, Pipeline]]:
    """A store and its pipeline, which filed two articles (its index and profiles know every story from
    its own filings); then another store filed the seed, replacing the filing token it expects."""
    one, two = Store.open(db_url), Store.open(db_url)
    try:
        first, second = pipeline(one, db_url), pipeline(two, db_url)
        first.process(KHARKIV)
        first.process(ODESA)
        second.process(seed())
        yield one, first
    finally:
        one.close()
        two.close()


def test_a_filing_by_another_store_is_read_before_the_next_decision(db_url: str) -> None:
    with seed_filed_by_another_store(db_url) as (one, first):
        with filed_reads(one) as reads:
            first.process(follow_up())
        assert story_of(one, follow_up()) == story_of(one, seed()) != story_of(one, KHARKIV)
        assert reads != []


@pytest.mark.parametrize("rolled_back", [False, True])
def test_a_filing_rolled_back_is_not_kept(db_url: str, rolled_back: bool) -> None:
    """The seed is filed, then its transaction fails; a copy of another article is filed next (it joins
    its cluster: no refresh in between). The follow-up must not join the story the seed would have had."""
    store = Store.open(db_url)
    try:
        bot = pipeline(store, db_url)
        bot.process(KHARKIV)
        article = seed()
        article_id, _ = store.add_article(article)
        with pytest.raises(RuntimeError) if rolled_back else nullcontext(), store.exclusive(STORY_LOCK):
            cluster = bot.stories.story_for(article, article_id)
            seed_story = bot.events.follow(article, article_id, cluster)
            bot.stories.filed(bot.events.token, {cluster, seed_story})  # as `Pipeline.process` does
            if rolled_back:
                raise RuntimeError("the alerts could not be stored")
        store.new_story("another")  # SQLite gives a rolled-back id again: not to the follow-up's cluster
        bot.process(dataclasses.replace(KHARKIV, id="kharkiv-copy", source="y"))  # same text: its cluster
        bot.process(follow_up())
        decision = stories_db.filed(store, store.add_article(follow_up())[0])
        assert decision is not None
        # Rolled back, the seed is in no story: the follow-up opens one.
        assert (decision.how, decision.story_id) == (("new", decision.cluster_id) if rolled_back else
                                                     ("entities", seed_story))
    finally:
        store.close()



def test_a_lone_process_groups_copies_without_reading_the_recent_stories_again(sqlite_url: str) -> None:
    store = Store.open(sqlite_url)
    try:
        bot = pipeline(store, sqlite_url)
        bot.process(KHARKIV)  # the first decisions read the recent stories (a new store holds no token yet)
        bot.process(KYIV)
        with filed_reads(store, "stories", "updated_at >=") as reads:
            bot.process(seed())
            bot.process(ODESA)
            bot.process(copy_of(seed(), 2))  # a near-duplicate: the seed's cluster, known from memory
            bot.process(copy_of(ODESA, 1))
        assert cluster_of(store, copy_of(seed(), 2)) == cluster_of(store, seed())
        assert cluster_of(store, copy_of(ODESA, 1)) == cluster_of(store, ODESA) != cluster_of(store, seed())
        assert reads == []
    finally:
        store.close()


def test_a_cluster_another_store_opened_is_read_before_the_next_grouping(db_url: str) -> None:
    with seed_filed_by_another_store(db_url) as (one, first):
        with filed_reads(one, "stories", "updated_at >=") as reads:
            first.process(copy_of(seed(), 2))
        assert cluster_of(one, copy_of(seed(), 2)) == cluster_of(one, seed())
        assert reads != []
