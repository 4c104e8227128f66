"""Importance is computed when an alert is filed and again only when what it depends on changes: a
re-score pass re-scores the alerts of the stories whose inputs changed, and none when nothing did."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.config import ChannelConfig
from bot.core.importance import importance
from bot.core.models import Article, Casualty, Fighting, Statement
from bot.service.digests import digest_messages
from bot.service.subscriptions import rescore
from bot.store import Store, utcnow
from tests.readmodels.world import config_for, counting

CHANNEL = ChannelConfig(output="rec", id="C1", language="en")


def file(store: Store, story: int, key: str, alert: Casualty | Fighting | Statement, outlet: str) -> int:
    """File an alert as the pipeline does: scored without context, carried by one article of `outlet`."""
    article_id, _ = store.add_article(Article(id=key, text=f"Report {key}", title=f"Report {key}", source="wire",
                                              outlet=outlet, url=f"https://example.org/{key}"))
    store.attach_to_story(article_id, story)
    alert_id, _ = store.add_alert(alert, article_id=article_id, story_id=story, importance=importance(alert))
    return alert_id


def casualty_order(store: Store, tmp_path: Path) -> list[str]:
    """The stories of the casualty part of the digest, in the order a reader sees them."""
    text = digest_messages(store, config_for(tmp_path), CHANNEL, since=None,
                           now=utcnow() + dt.timedelta(seconds=1))[0].plain
    part = text.split("Casualty figures", 1)[1].split("Fighting", 1)[0]
    return [line.split("▸ ", 1)[1].strip() for line in part.splitlines() if line.startswith("▸")]


def test_rescore_touches_only_the_stories_whose_inputs_changed(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'bot.db'}")
    try:
        since = utcnow() - dt.timedelta(days=2)
        sirte = store.new_story("Sirte toll")
        derna = store.new_story("Derna toll")
        quiet = store.new_story("Speeches")
        toll = Casualty("1", killed=10, reported_by="ministry")
        sirte_toll = file(store, sirte, "s1", toll, "AFP")
        file(store, quiet, "q2", Fighting("2", "Sirte", "clashes"), "AFP")
        file(store, derna, "d1", Casualty("3", killed=12, reported_by="Red Crescent"), "Reuters")
        file(store, quiet, "q1", Statement("4", "Ann", "Calm down.", "foreign minister"), "AP")
        assert rescore(store, since) == 4  # filed without context: every story is new to the scores
        assert casualty_order(store, tmp_path) == ["Derna toll", "Sirte toll"]  # 12 killed before 10
        before = {a.id: a.importance for a in store.alerts()}

        with counting(store) as seen:
            assert rescore(store, since) == 0  # nothing changed: nothing re-scored
        assert len(seen) == 2  # the fingerprints and the scores' own: no alert read, none decoded
        assert {a.id: a.importance for a in store.alerts()} == before

        # Three more outlets carry Sirte's toll: Sirte's alert is re-scored, no other story's.
        for n, outlet in enumerate(("BBC", "Al Jazeera", "Le Monde")):
            file(store, sirte, f"s1-{n}", toll, outlet)
        assert rescore(store, since) == 1
        after = {a.id: a.importance for a in store.alerts()}
        assert after[sirte_toll] == round(before[sirte_toll] + 3 * 0.3, 2)
        assert {k: v for k, v in after.items() if k != sirte_toll} == {
            k: v for k, v in before.items() if k != sirte_toll}
        assert rescore(store, since) == 0
        # What the reader sees: Sirte's toll, now carried by four outlets, leads the casualty part.
        assert casualty_order(store, tmp_path) == ["Sirte toll", "Derna toll"]

        # A new alert in a story re-scores that story only (it is scored with its context: a rise).
        rise = file(store, derna, "d2", Casualty("5", killed=40, reported_by="Red Crescent"), "Reuters")
        assert rescore(store, since) == 2
        assert store.alert(rise) is not None and store.alert(rise).importance == importance(  # type: ignore[union-attr]
            Casualty("5", killed=40, reported_by="Red Crescent"), previous_max_toll=12)
    finally:
        store.close()
