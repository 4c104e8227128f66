"""Confidence: every alert carries one; below the push threshold it is stored and searchable, never pushed."""

from __future__ import annotations

import datetime as dt

from bot.config import ChannelConfig
from bot.core.alert_dicts import alert_from_dict
from bot.core.extract import extract_alerts
from bot.core.extract.confidence import PUSH_THRESHOLD, is_pushed, threshold_for
from bot.core.models import Article, Casualty, Fighting, Statement, alert_to_dict
from bot.service.delivery import deliver_alerts
from bot.store.db import Store
from tests.conftest import RecordingAdapter


def test_every_alert_carries_a_confidence_that_survives_the_store_format() -> None:
    art = Article(id="c", lang="fr", published=dt.date(2024, 5, 10), text=(
        "Au moins 12 civils ont été tués dimanche dans des bombardements sur Tamra, a déclaré le porte-parole "
        "de l'armée, Karim Haddad."))
    alerts = extract_alerts(art)
    assert {a.type for a in alerts} >= {"fighting", "casualty"}
    for alert in alerts:
        assert 0.0 <= alert.confidence <= 1.0
        assert alert_from_dict(alert_to_dict(alert)) == alert
    # an alert stored before confidence existed reads back as pushed
    old = alert_to_dict(Fighting("x", "Tamra", "clashes"))
    del old["confidence"]
    assert alert_from_dict(old).confidence == 1.0


def test_each_type_is_pushed_from_its_own_threshold() -> None:
    for kind, make in (("statement", lambda c: Statement("a", "Karim Haddad", "x", confidence=c)),
                       ("fighting", lambda c: Fighting("a", "Tamra", confidence=c)),
                       ("casualty", lambda c: Casualty("a", killed=3, confidence=c))):
        low, high = threshold_for(kind) - 0.01, threshold_for(kind)
        assert not is_pushed(make(low)) and is_pushed(make(high))
    assert threshold_for("fighting") == PUSH_THRESHOLD
    # a fact vouched for only by a generic source is kept as a statement but not pushed; a named
    # person's words are
    art = Article(id="w", lang="fr", published=dt.date(2024, 5, 10), text=(
        "Le président a réuni samedi ses ministres pour préparer le sommet, selon des sources proches du "
        "dossier. Le ministre Karim Haddad a déclaré que la réunion avait été utile."))
    by = {a.speaker: a for a in extract_alerts(art) if isinstance(a, Statement)}
    assert not is_pushed(by["sources proches du dossier"])
    assert is_pushed(by["Karim Haddad"])


async def test_alerts_below_the_threshold_are_stored_and_searchable_but_never_pushed(
        store: Store, recorder: RecordingAdapter) -> None:
    article_id, _ = store.add_article(Article(id="a", text="t"))
    story = store.new_story("Tamra")
    weak = Fighting("a", "Kessa", "other", confidence=PUSH_THRESHOLD / 2)
    strong = Casualty("a", killed=12, qualifier="at_least", confidence=0.9)
    for alert in (weak, strong):
        store.add_alert(alert, article_id=article_id, story_id=story, importance=5.0)
    await deliver_alerts(store, {"rec": recorder}, (ChannelConfig(output="rec", id="C1"),))
    posted = " ".join(m.plain for _, _, _, m in recorder.calls)
    assert "12" in posted and "Kessa" not in posted
    stored = {a.alert.type: a.alert for a in store.alerts()}
    assert stored["fighting"] == weak  # kept, with its confidence, for search
