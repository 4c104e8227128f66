"""The quote is what was said: a verb acting on a thing keeps its verb; a clause keeps only the clause."""

from __future__ import annotations

import datetime as dt

from bot.core.extract import extract_alerts
from bot.core.models import Article, Statement

DAY = dt.date(2024, 5, 2)


def statements(text: str, lang: str) -> list[Statement]:
    art = Article(id="q", text=text, lang=lang, published=DAY)
    return [a for a in extract_alerts(art) if isinstance(a, Statement)]


def test_a_denial_keeps_its_verb() -> None:
    (s,) = statements("Le ministère de la Défense a démenti samedi la mort de civils dans le raid sur le port.", "fr")
    assert s.quote.startswith("a démenti")
    (s,) = statements("The defence ministry has denied the bombing of the market in the old town.", "en")
    assert s.quote.startswith("has denied")


def test_a_said_that_clause_is_the_quote_alone() -> None:
    (s,) = statements("Le ministère a affirmé que les troupes avaient quitté la ville dans la nuit.", "fr")
    assert s.quote.startswith("les troupes avaient quitté")
    (s,) = statements("The defence ministry said the troops had left the town during the night.", "en")
    assert s.quote.startswith("the troops had left")


def test_a_gerund_without_commas_goes_on_with_the_speaker() -> None:
    # scraped text that lost its commas: "adding" has no subject of its own
    text = ("Activist Omar Haddad said warplanes carried out heavy air strikes on the old market "
            "adding that dozens of families had fled the town.")
    (s,) = statements(text, "en")
    assert s.speaker == "Omar Haddad"
    assert "air strikes on the old market" in s.quote
    assert "families had fled" in s.quote


def test_a_short_speech_act_is_quoted_from_its_verb_without_the_headline() -> None:
    (s,) = statements("Night raids A leading opposition group condemned the raids.", "en")
    assert s.quote.startswith("condemned the raids")
    (s,) = statements("L'Espagne condamne les violences.", "fr")
    assert s.quote.startswith("condamne les violences")


def test_a_quote_before_its_clause_is_not_lost_to_a_byline() -> None:
    text = ("Rescue teams continued to search for survivors under the rubble of the market all night "
            "a Douma-based media activist told the Weekly Courier.")
    for s in statements(text, "en"):
        assert "search for survivors" in s.quote


def test_a_relative_inside_what_came_before_the_verb_is_kept() -> None:
    text = ("L'ancien ministre de l'Intérieur, le général Karim Haddad, qui avait fait défection en mars, a "
            "été rétabli dans ses fonctions, a annoncé la télévision d'État.")
    (s,) = statements(text, "fr")
    assert "rétabli dans ses fonctions" in s.quote
