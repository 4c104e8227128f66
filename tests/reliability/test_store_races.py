"""Store writes made at once by several threads and by two "replicas" (two Store objects, two groupers,
one database): each fact is one alert linked to every article, copies of a dispatch make one story.
SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from bot.core.models import Article, Casualty
from bot.ingest.stories import StoryGrouper
from bot.store import Store
from tests.reliability.wire import Event

T = TypeVar("T")


def _at_once(jobs: list[Callable[[], T]]) -> list[T]:
    """Run every job in its own thread, released together."""
    start = threading.Barrier(len(jobs))
    results: list[T | None] = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = jobs[i]()
        except BaseException as exc:  # reported below, with the others
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not errors, errors
    return [r for r in results if r is not None]


def test_same_fact_filed_at_once_is_one_alert_with_every_outlet(db_url: str) -> None:
    stores = [Store.open(db_url), Store.open(db_url)]  # two replicas
    try:
        story = stores[0].new_story("Misrata")
        ids = [stores[0].add_article(Article(id=str(i), text=f"t{i}", source=f"o{i}"))[0] for i in range(8)]
        fact = Casualty(article_id="x", killed=47, qualifier="at_least")
        results = _at_once([partial(stores[i % 2].add_alert, fact, article_id=ids[i], story_id=story)
                            for i in range(8)])
        assert len({alert_id for alert_id, _ in results}) == 1
        assert sum(new for _, new in results) == 1
        assert {a.id for a in stores[0].outlets_of_alert(results[0][0])} == set(ids)
        again = _at_once([partial(stores[i % 2].add_article, Article(id="same", text="x", source="s"))
                          for i in range(6)])
        assert len({a for a, _ in again}) == 1 and sum(new for _, new in again) == 1
        fresh = _at_once([partial(stores[i % 2].mark_seen, "src", ["k1", "k2"]) for i in range(6)])
        assert sorted(k for keys in fresh for k in keys) == ["k1", "k2"]
    finally:
        for st in stores:
            st.close()


def test_copies_grouped_at_once_by_two_replicas_make_one_story(db_url: str) -> None:
    stores = [Store.open(db_url), Store.open(db_url)]
    groupers = [StoryGrouper(st) for st in stores]
    try:
        for event in (Event(0), Event(1)):
            copies = [Article(id=f"{event.n}-{o}", text=event.text(o), source=f"outlet{o}", title="t",
                              url=f"https://example.org/{event.n}/{o}") for o in range(8)]
            ids = [stores[0].add_article(a)[0] for a in copies]
            stories = _at_once([partial(groupers[i % 2].story_for, copies[i], ids[i]) for i in range(8)])
            assert len(set(stories)) == 1, stories
        # Exact copies (too short for a signature) arriving at once: one story too.
        short = [Article(id=f"s{o}", text="Heavy clashes.", source=f"outlet{o}") for o in range(6)]
        ids = [stores[0].add_article(a)[0] for a in short]
        stories = _at_once([partial(groupers[i % 2].story_for, short[i], ids[i]) for i in range(6)])
        assert len(set(stories)) == 1, stories
    finally:
        for st in stores:
            st.close()
