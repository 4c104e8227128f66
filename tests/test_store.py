"""The store on real SQLite: migrations, dedup of articles and alerts, delivery claims."""

from __future__ import annotations

import datetime as dt

from bot.core.models import Article, Casualty, Statement
from bot.store import SourceState, Store
from bot.store.migrations import latest


def test_opening_an_older_database_upgrades_it_and_keeps_data(db_url: str) -> None:
    url = db_url
    old = Store.open(url, target=1)
    assert old.version() == 1
    article_id, _ = old.add_article(Article(id="a1", text="Texte", source="src"))
    old.close()
    new = Store.open(url)
    assert new.version() == latest()
    kept = new.article(article_id)
    assert kept is not None and kept.text == "Texte"
    assert new.new_story("a story") > 0  # a table from migration 2 is usable
    new.close()


def test_in_memory_database_works() -> None:
    mem = Store.open("sqlite:///:memory:")
    assert mem.add_article(Article(id="x", text="t"))[1] is True
    assert mem.add_article(Article(id="x", text="t"))[1] is False
    mem.close()


def test_article_stored_once(store: Store) -> None:
    a = Article(id="1", text="Bonjour", source="s", url="https://example.org/a", published=dt.date(2019, 4, 8))
    first, new = store.add_article(a)
    again, new2 = store.add_article(a)
    assert new and not new2 and first == again
    stored = store.article(first)
    assert stored is not None and stored.published == dt.date(2019, 4, 8)


def test_same_fact_in_one_story_is_one_alert_with_every_outlet(store: Store) -> None:
    story = store.new_story("Tripoli")
    ids = [store.add_article(Article(id=str(i), text=f"t{i}", source=f"outlet{i}"))[0] for i in range(3)]
    fact = Casualty(article_id="x", killed=21, wounded=27, qualifier="at_least", reported_by="ministère de la Santé")
    results = [store.add_alert(fact, article_id=i, story_id=story) for i in ids]
    assert [new for _, new in results] == [True, False, False]
    assert len({alert_id for alert_id, _ in results}) == 1
    assert [a.source for a in store.outlets_of_alert(results[0][0])] == ["outlet0", "outlet1", "outlet2"]
    stored = store.alert(results[0][0])
    assert stored is not None and stored.alert == fact


def test_claim_is_exclusive_and_release_allows_retry(store: Store) -> None:
    aid, _ = store.add_article(Article(id="1", text="t"))
    alert_id, _ = store.add_alert(Statement(article_id="1", speaker="X", quote="q"), article_id=aid, story_id=None)
    assert store.claim("slack", "C1", f"alert:{alert_id}", alert_id=alert_id)
    assert not store.claim("slack", "C1", f"alert:{alert_id}", alert_id=alert_id)
    assert store.claim("slack", "C2", f"alert:{alert_id}", alert_id=alert_id)
    store.release("slack", "C2", f"alert:{alert_id}", "boom")
    assert store.claim("slack", "C2", f"alert:{alert_id}", alert_id=alert_id)
    store.confirm("slack", "C1", f"alert:{alert_id}", message_id="123.45")
    delivery = store.delivery("slack", "C1", f"alert:{alert_id}")
    assert delivery is not None and delivery["status"] == "sent" and delivery["message_id"] == "123.45"
    assert [a.id for a in store.undelivered_alerts("slack", "C1")] == []
    assert [a.id for a in store.undelivered_alerts("slack", "C3")] == [alert_id]


def test_state_survives_reopen(db_url: str) -> None:
    url = db_url
    a = Store.open(url)
    a.set_state("matrix:next_batch", "s1")
    a.set_state("matrix:next_batch", "s2")
    a.close()
    b = Store.open(url)
    assert b.get_state("matrix:next_batch") == "s2"
    assert b.get_state("missing") is None
    b.close()


def test_lease_is_held_by_one_owner_until_it_expires(store: Store) -> None:
    import datetime as dt

    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    ttl = dt.timedelta(minutes=5)
    assert store.acquire_lease("poll:afp", "replica-a", ttl, now=t0)
    assert not store.acquire_lease("poll:afp", "replica-b", ttl, now=t0 + dt.timedelta(minutes=1))
    assert store.acquire_lease("poll:afp", "replica-a", ttl, now=t0 + dt.timedelta(minutes=2))  # renewal
    assert store.acquire_lease("poll:afp", "replica-b", ttl, now=t0 + dt.timedelta(minutes=8))  # expired
    store.release_lease("poll:afp", "replica-b")
    assert store.acquire_lease("poll:afp", "replica-a", ttl, now=t0 + dt.timedelta(minutes=9))


def test_replicas_writing_the_same_new_rows_at_once_do_not_collide(db_url: str) -> None:
    """Two bots starting together both record a channel's digest time and a source's state."""
    import datetime as dt
    import threading

    stores = [Store.open(db_url) for _ in range(6)]
    barrier = threading.Barrier(len(stores))
    errors: list[BaseException] = []

    def write(store: Store, n: int) -> None:
        try:
            barrier.wait()
            store.set_last_digest_at("slack", "C1", dt.datetime(2026, 1, 1, 8, n, tzinfo=dt.UTC))
            store.set_state("matrix:next_batch", f"s{n}")
            store.save_source_state(SourceState(name="wire", failures=n))
        except BaseException as exc:  # collected: an exception in a thread would otherwise be lost
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(st, n)) for n, st in enumerate(stores)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    try:
        assert errors == []
        assert stores[0].last_digest_at("slack", "C1") is not None
        assert (stores[0].get_state("matrix:next_batch") or "").startswith("s")
    finally:
        for st in stores:
            st.close()
