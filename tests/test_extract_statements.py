"""Statements: speakers named in both reporting orders, pronouns resolved, one alert per speaker."""

from __future__ import annotations

import datetime as dt

from bot.core.extract import extract_alerts
from bot.core.models import Article, Statement

WEDNESDAY = dt.date(2024, 3, 13)


def statements(text: str, lang: str) -> list[Statement]:
    art = Article(id="s", text=text, lang=lang, published=WEDNESDAY)
    return [a for a in extract_alerts(art) if isinstance(a, Statement)]


def test_inverted_french_clause_with_role_and_date() -> None:
    text = ("« Nous ne céderons rien sur la question des otages », a affirmé mardi soir le ministre "
            "de l'Intérieur Paul Durand. « Le dialogue reste ouvert à tous les partis », a-t-il ajouté.")
    (s,) = statements(text, "fr")
    assert s.speaker == "Paul Durand"
    assert s.speaker_role == "ministre de l'Intérieur"
    assert s.direct
    assert s.date == dt.date(2024, 3, 12)
    assert s.quote.startswith("Nous ne céderons rien")
    assert "Le dialogue reste ouvert" in s.quote


def test_mismatched_quote_marks() -> None:
    text = ("La porte-parole Anne Leroy a appelé les deux camps à « cesser immédiatement les tirs » "
            "sur le port.")
    (s,) = statements(text, "fr")
    assert s.speaker == "Anne Leroy"
    text = "Le général Marc Henry a exigé d' »arrêter sans délai les bombardements contre les civils »."
    (s,) = statements(text, "fr")
    assert s.speaker == "Marc Henry"
    assert "arrêter sans délai les bombardements" in s.quote


def test_reported_speech_and_body_speaker() -> None:
    text = "Le ministère des Affaires étrangères a dénoncé jeudi une violation flagrante du cessez-le-feu."
    (s,) = statements(text, "fr")
    assert s.speaker.startswith("ministère des Affaires étrangères")
    assert not s.direct
    assert "violation flagrante" in s.quote


def test_english_speaker_then_pronoun() -> None:
    text = ('"We will rebuild every school that was destroyed," Governor Amina Yusuf said on Monday. '
            '"The first classes will open next month," she added.')
    (s,) = statements(text, "en")
    assert s.speaker == "Amina Yusuf"
    assert s.speaker_role == "Governor"
    assert s.date == dt.date(2024, 3, 11)
    assert "rebuild every school" in s.quote


def test_according_to_is_a_source_not_a_new_speaker_per_mention() -> None:
    text = ("The bridge was closed on Tuesday, according to the transport ministry. "
            "Repairs will take a month, the transport ministry said.")
    alerts = statements(text, "en")
    assert len(alerts) == 1


def test_actions_are_not_statements() -> None:
    assert statements("Le président a inauguré mardi un nouvel hôpital à Lyon.", "fr") == []
    assert statements("The convoy reached the border on Friday.", "en") == []


def test_english_role_after_the_name_and_organisation_names() -> None:
    text = '"We will not surrender," said John Smith, a spokesman for the rebel group.'
    (s,) = statements(text, "en")
    assert (s.speaker, s.speaker_role) == ("John Smith", "spokesman for the rebel group")
    text = "According to the Observatory for Human Rights, the town was shelled overnight by the army."
    (s,) = statements(text, "en")
    assert s.speaker == "Observatory for Human Rights"


def test_scare_quotes_are_not_quotations() -> None:
    text = "L'armée a affirmé avoir repris la localité, où 12 « terroristes » ont été tués."
    (s,) = statements(text, "fr")
    assert not s.direct
    assert s.quote.startswith("avoir repris la localité")


def test_demonstratives_stand_for_the_last_person_named() -> None:
    text = ("Le ministre a annoncé la fin des combats. Le plan du médiateur, Karim Haddad, a été rejeté "
            "mardi. Celui-ci a aussitôt dénoncé une manoeuvre dilatoire du gouvernement.")
    got = {s.speaker: s.quote for s in statements(text, "fr")}
    assert got["Karim Haddad"].startswith("une manoeuvre dilatoire")
    text = ("The minister announced the end of the fighting. The plan drafted by mediator Karim Haddad "
            "was rejected. The latter denounced a delaying tactic by the government.")
    got = {s.speaker: s.quote for s in statements(text, "en")}
    assert got["Karim Haddad"].startswith("a delaying tactic")


def test_plain_pronouns_still_stand_for_the_last_speaker() -> None:
    text = ("Le ministre Paul Durand a annoncé la fin des combats, en présence de Karim Haddad. "
            "Il a ajouté que les négociations reprendraient lundi à Genève.")
    assert {s.speaker for s in statements(text, "fr")} == {"Paul Durand"}


def test_role_after_a_conjunction() -> None:
    text = ("Le G7 a condamné ces frappes et le secrétaire général de l'ONU, Karim Haddad, a appelé "
            "toutes les parties à la retenue.")
    got = {s.speaker: s.speaker_role for s in statements(text, "fr")}
    assert got["Karim Haddad"] == "secrétaire général de l'ONU"


def test_titled_name_between_commas_after_its_office() -> None:
    text = ("Le président du Conseil souverain, le général Karim Haddad, a appelé à la reddition "
            "des rebelles.")
    (s,) = statements(text, "fr")
    assert (s.speaker, s.speaker_role) == ("Karim Haddad", "président du Conseil souverain")


def test_media_fillers_and_wire_datelines() -> None:
    text = ("« Les secours fouillent les décombres », a indiqué sur Telegram le gouverneur régional, "
            "Karim Haddad.")
    (s,) = statements(text, "fr")
    assert (s.speaker, s.speaker_role) == ("Karim Haddad", "gouverneur régional")
    text = "Kiev (AFP) - Au moins huit personnes ont été tuées lundi à Dnipro, ont annoncé les autorités locales."
    (s,) = statements(text, "fr")
    assert s.quote.startswith("Au moins huit personnes")


def test_documents_do_not_speak() -> None:
    assert statements("Selon la Constitution, le scrutin doit avoir lieu avant l'été.", "fr") == []
    assert statements("Under the agreement, the law says that troops must leave.", "en") == []
