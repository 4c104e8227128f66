"""Relative and absolute dates resolve against the publication date."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.extract.dates import find_dates
from bot.core.extract.lexicon import load_lexicon
from bot.core.extract.text import tokenize

MONDAY = dt.date(2024, 3, 11)


def dates(text: str, lang: str, published: dt.date = MONDAY) -> list[tuple[dt.date, bool]]:
    return [(d.date, d.since) for d in find_dates(tuple(tokenize(text)), load_lexicon(lang), published)]


@pytest.mark.parametrize(("text", "lang", "want"), [
    ("dimanche soir", "fr", dt.date(2024, 3, 10)),
    ("lundi", "fr", MONDAY),  # the publication day itself
    ("samedi", "fr", dt.date(2024, 3, 9)),
    ("hier", "fr", dt.date(2024, 3, 10)),
    ("le 15 février", "fr", dt.date(2024, 2, 15)),
    ("le 1er avril 2021", "fr", dt.date(2021, 4, 1)),
    ("on Thursday", "en", dt.date(2024, 3, 7)),
    ("last Thursday", "en", dt.date(2024, 3, 7)),
    ("yesterday", "en", dt.date(2024, 3, 10)),
    ("on 24 June", "en", dt.date(2023, 6, 24)),  # no year: the last 24 June before publication
    ("March 2", "en", dt.date(2024, 3, 2)),
    ("on 09/03", "en", dt.date(2024, 3, 9)),
])
def test_resolution(text: str, lang: str, want: dt.date) -> None:
    assert dates(text, lang)[0][0] == want


def test_since() -> None:
    assert dates("depuis jeudi", "fr") == [(dt.date(2024, 3, 7), True)]
    assert dates("since Friday", "en") == [(dt.date(2024, 3, 8), True)]
    assert dates("depuis la mi-janvier", "fr") == [(dt.date(2024, 1, 15), True)]


def test_no_publication_date_keeps_absolute_dates_only() -> None:
    lex = load_lexicon("fr")
    found = find_dates(tuple(tokenize("dimanche, le 3 mai 2020")), lex, None)
    assert [d.date for d in found] == [dt.date(2020, 5, 3)]


def test_hyphenated_relative_days() -> None:
    assert dates("avant-hier", "fr")[0][0] == dt.date(2024, 3, 9)
    assert dates("aujourd'hui", "fr")[0][0] == MONDAY


@pytest.mark.parametrize(("text", "lang", "want"), [
    ("vendredi 1er mars", "fr", [(dt.date(2024, 3, 1), False)]),  # the explicit date names the day
    ("on Tuesday, March 5", "en", [(dt.date(2024, 3, 5), False)]),
    ("mardi, 12 soldats", "fr", [(dt.date(2024, 3, 5), False)]),  # a figure after a weekday is no day
    ("since last Thursday", "en", [(dt.date(2024, 3, 7), True)]),
])
def test_weekday_with_date_and_since_last(text: str, lang: str, want: list[tuple[dt.date, bool]]) -> None:
    assert dates(text, lang) == want


def test_start_of_the_year_as_the_start_of_a_count() -> None:
    assert dates("depuis le début de l'année", "fr") == [(dt.date(2024, 1, 1), True)]
    assert dates("since the start of the year", "en") == [(dt.date(2024, 1, 1), True)]
    assert dates("au début de l'année", "fr") == []  # no count: no date either
