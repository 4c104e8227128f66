"""Fighting updates: the most specific place, the actors, the action, and what is no fighting."""

from __future__ import annotations

import datetime as dt

from bot.core.extract import extract_alerts
from bot.core.models import Article, Fighting

SATURDAY = dt.date(2024, 3, 16)


def fights(text: str, lang: str) -> list[Fighting]:
    art = Article(id="f", text=text, lang=lang, published=SATURDAY)
    return [a for a in extract_alerts(art) if isinstance(a, Fighting)]


def test_shelling_of_a_named_village() -> None:
    (f,) = fights("Vendredi, l'armée a pilonné la localité de Kafr Tala, dans la province de Hama.", "fr")
    assert f.location == "Kafr Tala"
    assert f.action == "shelling"
    assert f.date == dt.date(2024, 3, 15)
    assert any("armée" in a for a in f.actors)


def test_english_clashes_and_container_place() -> None:
    (f,) = fights("Heavy clashes broke out between the army and rebel fighters in Mabanga in Tanda district "
                  "on 14 March.", "en")
    assert f.location == "Mabanga"
    assert f.action == "clashes"
    assert f.date == dt.date(2024, 3, 14)


def test_one_alert_per_place() -> None:
    text = ("Rebels attacked Goma on Thursday. "
            "Government troops shelled rebel positions around Goma on Friday.")
    alerts = fights(text, "en")
    assert [f.location for f in alerts] == ["Goma"]
    assert alerts[0].place is not None and alerts[0].place.country == "DR Congo"


def test_threats_and_history_are_not_fighting() -> None:
    assert fights("Le chef rebelle menace de lancer une offensive sur Kidal.", "fr") == []
    assert fights("The militia could attack Bunia if talks fail.", "en") == []
    assert fights("La ville avait été détruite par des combats en 2014.", "fr") == []


def test_airstrike_action() -> None:
    (f,) = fights("Air force jets carried out air strikes on rebel bases near Kadugli.", "en")
    assert f.action == "airstrike"
    assert f.location == "Kadugli"


def test_lists_of_places() -> None:
    text = "Des affrontements ont eu lieu dans les quartiers de Bab Amr, Khalidiyé et Inchaat jeudi."
    assert [f.location for f in fights(text, "fr")] == ["Bab Amr", "Khalidiyé", "Inchaat"]


def test_speakers_and_bases_are_not_places() -> None:
    text = "Washington a condamné les frappes, selon l'ONG basée à Londres."
    assert fights(text, "fr") == []


def test_unknown_village_gets_the_article_s_country() -> None:
    text = "Des combats ont éclaté jeudi dans le village de Kfar Nabuda, dans le nord de la Syrie."
    (f,) = fights(text, "fr")
    assert f.place is not None
    assert (f.place.name, f.place.country, f.place.lat) == ("Kfar Nabuda", "Syria", None)
