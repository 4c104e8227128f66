"""Figures written in digits and in words, approximate nouns, and numbers that are no casualties."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.extract import extract_alerts
from bot.core.extract.lexicon import load_lexicon
from bot.core.extract.numbers import find_numbers
from bot.core.extract.text import tokenize
from bot.core.models import Article, Casualty


def values(text: str, lang: str) -> list[int]:
    return [n.value for n in find_numbers(tuple(tokenize(text)), load_lexicon(lang)) if not n.ambiguous]


def casualties(text: str, lang: str) -> list[Casualty]:
    art = Article(id="t", text=text, lang=lang, published=dt.date(2024, 3, 11))
    return [a for a in extract_alerts(art) if isinstance(a, Casualty)]


@pytest.mark.parametrize(("text", "lang", "want"), [
    ("vingt et un", "fr", 21), ("quatre-vingt-dix-sept", "fr", 97), ("soixante-douze", "fr", 72),
    ("deux cents", "fr", 200), ("trois mille", "fr", 3000), ("5.000", "fr", 5000), ("5 000", "fr", 5000),
    ("thirty-five", "en", 35), ("one hundred and twelve", "en", 112), ("5,000", "en", 5000),
    ("twelve", "en", 12),
])
def test_number_words(text: str, lang: str, want: int) -> None:
    assert values(text, lang) == [want]


@pytest.mark.parametrize(("text", "lang", "killed", "qualifier"), [
    ("Une trentaine de villageois ont été tués lors du raid.", "fr", 30, "about"),
    ("Une dizaine de soldats sont morts dans l'embuscade.", "fr", 10, "about"),
    ("A dozen fishermen were killed when the boat was shelled.", "en", 12, "about"),
    ("Plus de 1.200 personnes ont péri depuis le début du siège.", "fr", 1200, "more_than"),
    ("Nearly forty civilians died in the bombing.", "en", 40, "about"),
    ("Up to 15 miners were killed in the assault.", "en", 15, "up_to"),
    ("Vingt-trois policiers ont été tués.", "fr", 23, "exact"),
])
def test_casualty_figures(text: str, lang: str, killed: int, qualifier: str) -> None:
    (c,) = casualties(text, lang)
    assert (c.killed, c.qualifier) == (killed, qualifier)


def test_killed_and_wounded_in_one_alert() -> None:
    (c,) = casualties("Four guards were killed and nineteen others injured in the raid.", "en")
    assert (c.killed, c.wounded) == (4, 19)


@pytest.mark.parametrize(("text", "lang"), [
    ("Les combats se déroulent à une trentaine de kilomètres de la ville, détruite en 2014.", "fr"),
    ("Un homme de 60 ans a été blessé.", "fr"),
    ("A 19-year-old student was wounded.", "en"),
    ("The rebels burned 12 vehicles and killed livestock.", "en"),
    ("Des dizaines de personnes ont été tuées.", "fr"),
    ("Dozens of people were killed.", "en"),
    ("Some 40 people were arrested and 300 displaced after the clashes.", "en"),
    ("In 2019, the war had already lasted eight years.", "en"),
])
def test_not_casualties(text: str, lang: str) -> None:
    assert casualties(text, lang) == []


def test_plural_scales_without_a_number_are_vague() -> None:
    assert not casualties("Cette guerre a causé des millions de morts.", "fr")
    assert [c.killed for c in casualties("Mille soldats ont été tués à Tamra.", "fr")] == [1000]
    assert [c.killed for c in casualties("Trois millions de personnes ont été tuées.", "fr")] == [3_000_000]


def test_a_since_word_elsewhere_does_not_make_an_old_toll_current() -> None:
    assert not casualties("La mort de 4500 soldats lors des combats de Tamra en mai 1945 reste taboue.", "fr")


def test_a_fraction_before_a_number_reads_no_count() -> None:
    assert not casualties("More than a quarter of a million people have been killed in the war.", "en")
    assert not casualties("La moitié des 300 habitants de Tamra ont été tués.", "fr")
