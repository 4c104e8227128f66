"""Alerts, digests and answers written in the reader's language; only quotes stay in the original."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.models import Message, Span, Statement, fold
from bot.core.render import render_alert
from bot.core.translate import localize, translate
from bot.service.delivery import outlets_for
from tests.commands.conftest import World

# Function words that give a language away, folded.
FRENCH = {"le", "la", "les", "des", "du", "de", "et", "dans", "par", "pour", "sur", "une", "au", "aux", "avec",
          "depuis", "tues", "blesses", "declare", "personnes", "soldats", "ministere", "secretaire", "medias",
          "victimes", "lieu", "combats", "dont", "compris", "porte", "parole", "etat", "anl", "moins"}
ENGLISH = {"the", "of", "and", "in", "at", "by", "for", "with", "from", "since", "killed", "wounded", "said",
           "people", "soldiers", "health", "ministry", "secretary", "state", "outlets", "victims", "least",
           "including", "fighting", "resumed", "armed", "lna", "spokesman"}


def outside_quotes(message: Message) -> str:
    """The text a reader sees that is not a quote kept in the article's language."""
    kept: list[str] = [message.headline]
    for line in message.lines:
        kept.extend(span.text for span in line.spans if not _original(span))
    return "\n".join(kept)


def _original(span: Span) -> bool:
    return span.style == "quote" or span.lang is not None


def foreign_words(text: str, words: set[str]) -> set[str]:
    return {w for w in fold(text).split() if w in words}


def seed_messages(world: World, lang: str) -> list[Message]:
    out = []
    for stored in world.store.alerts():
        article = world.store.article(stored.article_id)
        out.append(render_alert(stored.alert, lang=lang, article_lang=article.lang if article else None,
                                outlets=outlets_for(world.store, stored)))
    return out


def test_seed_alerts_in_an_english_channel_are_english(world: World) -> None:
    messages = seed_messages(world, "en")
    # the fixture's three Pompeo statements say different things: three alerts, not one
    assert len(messages) == 7
    assert sum(m.headline.startswith("Mike Pompeo") for m in messages) == 3
    for message in messages:
        assert foreign_words(outside_quotes(message), FRENCH) == set(), message.plain
    headlines = [m.headline for m in messages]
    assert "At least 21 killed, 27 wounded (Health Ministry, Tripoli)" in headlines
    assert "Mike Pompeo (Secretary of State) said" in headlines
    assert "14 killed (Ahmed al-Mesmari)" in headlines
    # the quote stays French, marked as French
    quotes = [s for m in messages for line in m.lines for s in line.spans if s.style == "quote"]
    assert quotes and all(q.lang == "fr" for q in quotes)
    assert any("Nous avons clairement indiqué" in q.text for q in quotes)


def test_seed_alerts_in_a_french_channel_are_french(world: World) -> None:
    messages = seed_messages(world, "fr")
    for message in messages:
        assert foreign_words(outside_quotes(message), ENGLISH) == set(), message.plain
    headlines = [m.headline for m in messages]
    assert "Au moins 21 tués, 27 blessés (ministère de la Santé, Tripoli)" in headlines
    assert "Mike Pompeo (secrétaire d'Etat) a déclaré" in headlines


def test_delivered_alerts_follow_each_channels_language(world: World) -> None:
    printed = world.out.getvalue()
    assert "At least 21 killed, 27 wounded (Health Ministry, Tripoli)" in printed
    assert "Au moins 21 tués, 27 blessés (ministère de la Santé, Tripoli)" in printed


@pytest.mark.parametrize(("lang", "foreign"), [("en", FRENCH), ("fr", ENGLISH)])
async def test_digest_in_the_channel_language(world: World, lang: str, foreign: set[str]) -> None:
    message = await world.conversation.command("digest", world.ctx(lang=lang))
    text = outside_quotes(message)
    # outlet names ("seed") and dates aside, nothing in the other language
    assert foreign_words(text, foreign) == set(), message.plain


@pytest.mark.parametrize(("question", "foreign"), [
    ("How many were wounded?", FRENCH), ("Who spoke?", FRENCH), ("Where?", FRENCH), ("When?", FRENCH),
    ("Combien de blessés ?", ENGLISH), ("Qui a parlé ?", ENGLISH), ("Où ?", ENGLISH), ("Quand ?", ENGLISH),
])
async def test_answers_in_the_question_language(world: World, question: str, foreign: set[str]) -> None:
    message = await world.conversation.follow_up(question, world.ctx(thread=world.thread()))
    assert message is not None
    text = re.sub(r"\S*/\S*", "", outside_quotes(message))  # file paths are not words
    assert foreign_words(text, foreign) == set(), message.plain


def test_glossary_both_ways_and_names_kept() -> None:
    assert translate("ministère de la Santé", "en") == "Health Ministry"
    assert translate("Health Ministry", "fr") == "ministère de la Santé"
    assert translate("porte-parole", "en") == "spokesman"
    assert translate("spokesman", "fr") == "porte-parole"
    assert translate("secrétaire d'Etat", "en") == "Secretary of State"
    assert translate("Secretary of State", "fr") == "secrétaire d'Etat"
    assert translate("porte-parole des forces de Haftar", "en") == "spokesman for Haftar's forces"
    assert translate("ministère de la Santé du gouvernement basé à Tripoli", "en") == (
        "Health Ministry of the Tripoli-based government")
    assert translate("Ahmed al-Mesmari", "en") == "Ahmed al-Mesmari"
    assert translate("Mike Pompeo", "fr") == "Mike Pompeo"
    assert translate("Libye", "en") == "Libya" and translate("Libya", "fr") == "Libye"
    assert translate("Tripoli", "en") == "Tripoli"


def test_localize_keeps_quotes(world: World) -> None:
    statement = world.store.alerts(types=["statement"])[0].alert
    english = localize(statement, "en")
    assert isinstance(statement, Statement) and isinstance(english, Statement)
    assert english.quote == statement.quote
    assert english.speaker_role == "Secretary of State"


def test_rooms_of_one_adapter_each_answer_in_their_own_language(tmp_path: Path) -> None:
    from bot.chat.base import ChatContext
    from bot.config import ChannelConfig, Config
    from bot.service.conversation import NewsConversation
    from bot.store import Store

    config = Config(path="x.yaml", database=f"sqlite:///{tmp_path / 'l.db'}", language="fr",
                    channels=(ChannelConfig(output="matrix", id="!a", language="fr"),
                              ChannelConfig(output="matrix", id="!b", language="en")))
    store = Store.open(config.database)
    try:
        conversation = NewsConversation(store, config)

        def lang_of(room: str) -> str:
            return conversation.reader_lang(ChatContext(adapter="matrix", channel=room, user="u"))

        assert (lang_of("!a"), lang_of("!b"), lang_of("!unlisted")) == ("fr", "en", "fr")
    finally:
        store.close()
