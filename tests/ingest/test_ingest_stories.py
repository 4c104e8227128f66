"""Near-duplicates: five outlets running one dispatch make one story and no repeated alerts."""

from __future__ import annotations

import datetime as dt

from bot.core.models import Article
from bot.ingest import neardup
from bot.ingest.stories import StoryGrouper
from bot.service.pipeline import RunReport
from bot.store import Store
from tests.ingest.ingest_helpers import Harness, LocalServer, feed_source, filler, rewrites, rss

OTHER = ("Le gouvernement d'union nationale a annoncé lundi la reprise des négociations à Genève sous l'égide des "
         "Nations unies, tandis que les combats se poursuivaient au sud de Tripoli. Selon le ministère de la Santé, "
         "le bilan s'élève désormais à 47 morts et 181 blessés depuis le début de l'offensive. Le maréchal Khalifa "
         "Haftar a rejeté tout cessez-le-feu tant que les milices ne seraient pas désarmées.")


def test_rewrites_are_near_duplicates_and_other_articles_are_not(seed_text: str) -> None:
    sigs = [neardup.signature(v) for v in rewrites(seed_text)]
    assert all(s is not None for s in sigs)
    for a in sigs:
        for b in sigs:
            assert neardup.similarity(a, b) >= neardup.THRESHOLD
    other = neardup.signature(OTHER)
    assert all(neardup.similarity(other, s) < 0.1 for s in sigs)
    assert neardup.similarity(neardup.signature(filler(1)), neardup.signature(filler(2))) < 0.1
    # The estimate tracks the exact Jaccard similarity of the shingle sets.
    exact = neardup.jaccard(neardup.shingles(seed_text), neardup.shingles(rewrites(seed_text)[2]))
    assert abs(neardup.similarity(sigs[0], sigs[2]) - exact) < 0.15


def test_short_texts_get_no_signature() -> None:
    assert neardup.signature("Trois mots seulement") is None
    assert neardup.similarity(None, None) == 0.0
    assert neardup.decode("mh1:not base64!") is None


async def test_five_outlets_one_story_no_repeated_alerts(server: LocalServer, harness: Harness, seed_text: str) -> None:
    title = "Libye : Washington demande l'arrêt immédiat de l'offensive de Haftar sur Tripoli"
    sources = []
    for n, text in enumerate(rewrites(seed_text), start=1):
        link = f"https://outlet{n}.example.org/monde/libye-{n}?utm_source=rss&utm_campaign=x&fbclid=abc{n}#comments"
        url = server.static(f"/outlet{n}.xml", rss([{"title": f"{title} ({n})", "link": link, "guid": f"o{n}-1",
                                                      "content": text}]), content_type="application/rss+xml")
        sources.append(feed_source(url, name=f"outlet{n}", backfill=1))
    p = harness.pipeline(sources)
    report = RunReport()
    for s in sources:
        await p.poll(s, report)
    store = harness.store
    assert report.articles_new == 5
    stories = {store.article(i).story_id for i in range(1, 6)}  # type: ignore[union-attr]
    assert len(stories) == 1
    [story_id] = stories
    assert story_id is not None and store.story(story_id)["signature"].startswith("mh1:")  # type: ignore[index]
    alerts = store.alerts()
    assert report.alerts_new == len(alerts) == 2  # one casualty, one fighting: not ten
    for stored in alerts:
        outlets = [a.outlet for a in store.outlets_of_alert(stored.id)]
        assert outlets == ["outlet1", "outlet2", "outlet3", "outlet4", "outlet5"]
    assert all("utm_" not in (a.url or "") and "#" not in (a.url or "") for a in store.articles_of_story(story_id))


async def test_same_link_in_two_feeds_is_one_article(server: LocalServer, harness: Harness, seed_text: str) -> None:
    urls = []
    for n, link in enumerate(["https://Wire.example.org/a?id=7&utm_source=one",
                              "https://wire.example.org/a?utm_medium=two&id=7#top"]):
        urls.append(server.static(f"/f{n}.xml", rss([{"title": "Dépêche", "link": link, "content": seed_text}])))
    sources = [feed_source(u, name=f"f{n}", backfill=1) for n, u in enumerate(urls)]
    p = harness.pipeline(sources)
    report = RunReport()
    for s in sources:
        await p.poll(s, report)
    assert report.articles_new == 1 and report.articles_seen == 1


def test_unrelated_and_old_stories_are_not_joined(sqlite_url: str, seed_text: str) -> None:
    store = Store.open(sqlite_url)
    try:
        grouper = StoryGrouper(store)
        a = Article(id="a", text=seed_text, source="s1", url="https://a.example/1")
        b = Article(id="b", text=OTHER, source="s2", url="https://b.example/1")
        c = Article(id="c", text=rewrites(seed_text)[4], source="s3", url="https://c.example/1")
        ids = [store.add_article(x)[0] for x in (a, b, c)]
        first = grouper.story_for(a, ids[0])
        assert grouper.story_for(b, ids[1]) != first
        assert grouper.story_for(c, ids[2]) == first
        later = StoryGrouper(store, clock=lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=4))
        d = Article(id="d", text=rewrites(seed_text)[1], source="s4", url="https://d.example/1")
        assert later.story_for(d, store.add_article(d)[0]) != first  # outside the 3-day window
    finally:
        store.close()
