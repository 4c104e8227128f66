"""The LSH index of StoryGrouper: same winner as a full scan, and stories written by other replicas."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import update

from bot.core.models import Article
from bot.ingest import neardup
from bot.ingest.stories import StoryGrouper
from bot.store import Store, schema
from tests.ingest.ingest_helpers import filler, rewrites


def _dispatch(seed: int) -> list[str]:
    """One generated dispatch in sentences (capitalised, so they can be moved around)."""
    parts = filler(seed, words=random.Random(seed).randint(90, 200)).split(". ")
    return [p[:1].upper() + p[1:].rstrip(".") + "." for p in parts]


def _articles(families: int) -> list[Article]:
    rng = random.Random(42)
    out = []
    for f in range(families):
        s = _dispatch(1000 + f)
        versions = [" ".join(s), " ".join(s[len(s) // 2:] + s[: len(s) // 2]),
                    "Notre correspondant sur place fait le point ce matin. " + " ".join(s[:-1]),
                    " ".join(s[1:]), " ".join(s) + " Aucun autre détail n'a été communiqué."]
        for v, text in enumerate(versions[: rng.randint(1, 5)]):
            out.append(Article(id=f"{f}-{v}", text=text, source=f"s{v}", url=f"https://o{v}.example/{f}"))
    rng.shuffle(out)
    return out


def _full_scan(store: Store, signature: str | None, since: dt.datetime) -> tuple[int | None, float]:
    """What StoryGrouper.match did before the index: every recent story, newest first."""
    best: tuple[int | None, float] = (None, 0.0)
    for story in store.recent_stories(since):
        score = neardup.similarity(signature, story.get("signature"))
        if score > best[1]:
            best = (int(story["id"]), score)
    return best


def test_index_finds_the_story_a_full_scan_finds(sqlite_url: str) -> None:
    store = Store.open(sqlite_url)
    try:
        grouper = StoryGrouper(store)
        articles = _articles(120)
        assert len(articles) >= 300
        families: dict[str, set[int]] = {}
        joined = 0
        for article in articles:
            article_id = store.add_article(article)[0]
            signature = neardup.signature(article.text)
            expected = _full_scan(store, signature, grouper.clock() - grouper.window)
            got = grouper.match(signature)
            if expected[1] >= grouper.threshold:
                assert got == expected
                joined += 1
            else:
                assert got[0] is None or got[1] < grouper.threshold
            story_id = grouper.story_for(article, article_id)
            families.setdefault(article.id.split("-")[0], set()).add(story_id)
        assert joined == len(articles) - 120  # every rewrite joined its dispatch's story
        assert all(len(ids) == 1 for ids in families.values())
        assert len(set().union(*families.values())) == 120
    finally:
        store.close()


def test_story_created_by_another_replica_is_found(sqlite_url: str, seed_text: str) -> None:
    one, two = Store.open(sqlite_url), Store.open(sqlite_url)
    try:
        a, b = StoryGrouper(one), StoryGrouper(two)
        texts = rewrites(seed_text)
        # b has loaded its index (with an unrelated story) before a creates the seed's story.
        other = Article(id="x", text=filler(7), source="s0", url="https://x.example/1")
        unrelated = b.story_for(other, two.add_article(other)[0])
        first = Article(id="a", text=texts[0], source="s1", url="https://a.example/1")
        story = a.story_for(first, one.add_article(first)[0])
        assert story != unrelated
        second = Article(id="b", text=texts[3], source="s2", url="https://b.example/1")
        assert b.story_for(second, two.add_article(second)[0]) == story
        # And the other way round: a story b opens is found by a.
        third = Article(id="c", text=filler(8), source="s3", url="https://c.example/1")
        story_b = b.story_for(third, two.add_article(third)[0])
        fourth = Article(id="d", text=filler(8) + " Mise à jour à midi.", source="s4", url="https://d.example/1")
        assert a.story_for(fourth, one.add_article(fourth)[0]) == story_b
    finally:
        one.close()
        two.close()


def test_stories_leave_the_index_with_the_window(sqlite_url: str, seed_text: str) -> None:
    store = Store.open(sqlite_url)
    try:
        now = [dt.datetime.now(dt.UTC)]
        grouper = StoryGrouper(store, clock=lambda: now[0])
        first = Article(id="a", text=seed_text, source="s1", url="https://a.example/1")
        story = grouper.story_for(first, store.add_article(first)[0])
        signature = neardup.signature(rewrites(seed_text)[2])
        assert grouper.match(signature)[0] == story and len(grouper.index) == 1
        now[0] += dt.timedelta(days=4)
        assert grouper.match(signature) == (None, 0.0)
        assert len(grouper.index) == 0
        now[0] -= dt.timedelta(days=4)  # a clock going back reloads the window
        assert grouper.match(signature)[0] == story
    finally:
        store.close()


def test_a_replica_clock_running_ahead_hides_no_story(sqlite_url: str, seed_text: str) -> None:
    one, two = Store.open(sqlite_url), Store.open(sqlite_url)
    try:
        a, b = StoryGrouper(one), StoryGrouper(two)
        ahead = Article(id="x", text=filler(9), source="s0", url="https://x.example/1")
        story_ahead = b.story_for(ahead, two.add_article(ahead)[0])
        with two.tx() as conn:  # as written by a replica whose clock is an hour fast
            conn.execute(update(schema.stories).where(schema.stories.c.id == story_ahead)
                         .values(updated_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)))
        probe = Article(id="p", text=filler(10), source="s0", url="https://p.example/1")
        a.story_for(probe, one.add_article(probe)[0])  # a reads the story an hour ahead
        first = Article(id="a", text=rewrites(seed_text)[0], source="s1", url="https://a.example/1")
        story = b.story_for(first, two.add_article(first)[0])
        second = Article(id="b", text=rewrites(seed_text)[2], source="s2", url="https://b.example/1")
        assert a.story_for(second, one.add_article(second)[0]) == story
    finally:
        one.close()
        two.close()


def test_a_story_moved_by_another_store_moves_in_the_index(sqlite_url: str, seed_text: str) -> None:
    """The refresh leaves out the stories it reads again unchanged, not one another store moved since."""
    one, two = Store.open(sqlite_url), Store.open(sqlite_url)
    try:
        now = [dt.datetime.now(dt.UTC)]
        a = StoryGrouper(one, clock=lambda: now[0])
        first = Article(id="a", text=seed_text, source="s1", url="https://a.example/1")
        story = a.story_for(first, one.add_article(first)[0])
        signature = neardup.signature(rewrites(seed_text)[2])
        assert a.match(signature)[0] == story
        assert a.match(signature)[0] == story  # read again, unchanged
        later = now[0] + dt.timedelta(days=1)
        with two.tx() as conn:  # another replica filed an article under it a day later
            conn.execute(update(schema.stories).where(schema.stories.c.id == story).values(updated_at=later))
        assert a.match(signature)[0] == story
        assert a.index.updated[story] == later
        now[0] += dt.timedelta(days=3, hours=12)  # out of the window but for that filing
        assert a.match(signature)[0] == story
    finally:
        one.close()
        two.close()
