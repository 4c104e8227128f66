"""The offline gazetteer and its disambiguation by the countries an article mentions."""

from __future__ import annotations

from collections import Counter

from bot.core.extract.gazetteer import load_gazetteer
from bot.core.extract.text import tokenize


def test_tripoli_in_a_libyan_story_is_libyan() -> None:
    gaz = load_gazetteer()
    countries = gaz.countries_in(tokenize("Les forces libyennes combattent près de Tripoli."))
    place = gaz.lookup("Tripoli", countries)
    assert place is not None and place.country == "Libya"
    assert 32 < (place.lat or 0) < 33


def test_tripoli_in_a_lebanese_story_is_lebanese() -> None:
    gaz = load_gazetteer()
    text = "Clashes in northern Lebanon spread to Tripoli, Lebanese police said."
    countries = gaz.countries_in(tokenize(text))
    place = gaz.lookup("Tripoli", countries)
    assert place is not None and place.country == "Lebanon"


def test_french_and_english_names() -> None:
    gaz = load_gazetteer()
    for fr, en in (("Alep", "Aleppo"), ("Mossoul", "Mosul"), ("Damas", "Damascus")):
        a, b = gaz.lookup(fr), gaz.lookup(en)
        assert a is not None and b is not None and a.country == b.country
    assert gaz.lookup("Nowhereville", Counter()) is None
