"""Language detection from the lexicons' stopword lists, and extraction without a given language."""

from __future__ import annotations

import datetime as dt

from bot.core.extract import extract_alerts
from bot.core.extract.langdetect import detect_language
from bot.core.extract.lexicon import available_languages
from bot.core.models import Article, Casualty


def test_languages_are_data() -> None:
    assert {"fr", "en"} <= set(available_languages())


def test_detects_french_and_english() -> None:
    assert detect_language("Les habitants de la ville ont fui les combats dans la nuit de mardi.") == "fr"
    text = "Residents of the town fled the fighting during the night, officials said."
    assert detect_language(text) == "en"


def test_unknown_language_is_detected() -> None:
    art = Article(id="x", text="Au moins douze soldats ont été tués mardi, selon l'armée.",
                  published=dt.date(2024, 3, 12))
    (c,) = [a for a in extract_alerts(art) if isinstance(a, Casualty)]
    assert (c.killed, c.qualifier, c.reported_by) == (12, "at_least", "armée")


def test_lexicon_words_stay_words() -> None:
    # YAML 1.1 reads a bare "on" or "no" as a boolean; the lexicons must keep them as words
    from bot.core.extract.lexicon import load_lexicon

    en = load_lexicon("en")
    assert "on" in load_lexicon("fr").non_speakers
    assert "true" not in load_lexicon("fr").non_speakers
    assert en.lang == "en"
