"""Sentences and quotations: the units every rule reads."""

from __future__ import annotations

from bot.core.extract.lexicon import load_lexicon
from bot.core.extract.text import quote_spans, split_sentences


def quotes(text: str) -> list[str]:
    (s,) = split_sentences(text)
    return [s.span(a, b) for a, b in quote_spans(s)]


def test_quote_styles() -> None:
    assert quotes("Il a dit « nous partirons demain » hier.") == ["nous partirons demain"]
    assert quotes("She said “we will stay” today.") == ["we will stay"]
    assert quotes('He said "we will stay" today.') == ["we will stay"]
    # a closing guillemet used to open, as newswires sometimes print it
    assert quotes("Il a appelé à »cesser le feu » sans délai.") == ["cesser le feu"]


def test_stray_quote_mark_is_dropped() -> None:
    text = 'Des combats "sans précédent, a dit le chef, se déroulent "sur plusieurs fronts".'
    assert quotes(text) == ["sur plusieurs fronts"]


def test_sentences_keep_multi_sentence_quotes_and_abbreviations() -> None:
    text = "« Nous tiendrons. Nous vaincrons », a-t-il dit. M. Dupont est parti. Le 3e jour."
    got = [s.text for s in split_sentences(text, load_lexicon("fr").abbreviations)]
    assert got == ["« Nous tiendrons. Nous vaincrons », a-t-il dit.", "M. Dupont est parti.", "Le 3e jour."]


def test_sentence_length_is_bounded() -> None:
    text = "mot " * 5000
    assert all(len(s.text) <= 1300 for s in split_sentences(text))


def test_live_blog_entries_are_units_without_their_clock_stamp() -> None:
    text = ("17\u00a0h\u00a050\u00a0: Le convoi est parti vers le nord\n"
            "12h37 : La réunion a commencé.\n"
            "21 h : Fin de la séance.\n"
            "15:17 - The crossing reopened.\n"
            "10 h 15 personnes attendaient encore au poste.")
    got = [s.text for s in split_sentences(text)]
    assert got == ["Le convoi est parti vers le nord", "La réunion a commencé.", "Fin de la séance.",
                   "The crossing reopened.", "10 h 15 personnes attendaient encore au poste."]
    first = split_sentences(text)[0]
    assert text[first.tokens[0].start:first.tokens[0].end] == "Le"  # offsets still point into the text


def test_a_full_stop_that_lost_its_space_still_ends_a_sentence() -> None:
    got = [s.text for s in split_sentences("The talks ended in Geneva.The envoy said more would follow.")]
    assert got == ["The talks ended in Geneva.", "The envoy said more would follow."]
    got = [s.text for s in split_sentences("Les pourparlers ont repris à Genève.M. Benali a parlé.",
                                           load_lexicon("fr").abbreviations)]
    assert got == ["Les pourparlers ont repris à Genève.", "M. Benali a parlé."]
    # but not in a web address, an e-mail address, an abbreviation or an initial
    for text in ("See www.example.Com for more.", "Write to info@news.Com today.", "Ask J.Smith now.",
                 "The U.S.Army said so.", "Read it on aljazeera.Com today.", "Mail john.Smith@example.com now.",
                 "Built with Node.Js and more."):
        assert len(split_sentences(text)) == 1, text


def test_an_initial_ends_no_sentence() -> None:
    for text in ("Dr. M. Khan visited the hospital.", "John F. Kennedy was shot in Dallas."):
        assert len(split_sentences(text, load_lexicon("en").abbreviations)) == 1, text
